/**
 * The log of status changes of one simulated cloud: every write of a tracked
 * record's `status` (and a server's `task_state`) that changes it, in order,
 * including the status a record is created with (`from: null`). Tests assert
 * transitions from here instead of polling the API for states that may last
 * only milliseconds, and can react to a transition the moment it happens.
 *
 * Quirks: tracking works by turning the field into an enumerable accessor on
 * the record itself when it is put into its table, so code holding the record
 * (scheduled transitions do) is tracked too, and JSON, spread and
 * `Object.assign` see an ordinary property. The log keeps the newest
 * `MAX_ENTRIES` entries so a long-running `sim` does not grow without bound.
 */

/** One status change. */
export interface Transition {
  /** Table name: "server", "volume", "snapshot", "image", … */
  resource: string;
  id: string;
  field: "status" | "task_state";
  from: string | null;
  /** null for `status`: the record was removed from its table (deleted). */
  to: string | null;
  /** Date.now() of the change. */
  at: number;
  /** Position in the cloud's log (1, 2, …), stable when old entries are dropped. */
  seq: number;
}

const MAX_ENTRIES = 200_000;
const TRACKED = Symbol("tracked");

/** A cloud's status-change log with listeners. */
export class TransitionLog {
  private list: Transition[] = [];
  private seq = 0;
  private readonly listeners = new Set<(t: Transition) => void>();

  /** Every recorded change, oldest first. */
  get entries(): readonly Transition[] {
    return this.list;
  }

  /** The seq of the newest entry (0 when empty): pass it to `when` to wait for later changes only. */
  get mark(): number {
    return this.seq;
  }

  record(e: Omit<Transition, "seq">): void {
    const t = { ...e, seq: ++this.seq };
    this.list.push(t);
    if (this.list.length > MAX_ENTRIES) this.list = this.list.slice(this.list.length - MAX_ENTRIES / 2);
    for (const fn of [...this.listeners]) fn(t);
  }

  /** Calls fn on every future change (synchronously, as it happens); returns the unsubscribe. */
  on(fn: (t: Transition) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The changes of one resource, oldest first (`field` defaults to status). */
  of(resource: string, id: string, field: Transition["field"] = "status"): Transition[] {
    return this.list.filter((t) => t.resource === resource && t.id === id && t.field === field);
  }

  /** The statuses a resource went through, starting with the one it was created with. */
  path(resource: string, id: string, field: Transition["field"] = "status"): Array<string | null> {
    const ts = this.of(resource, id, field);
    return ts.length === 0 ? [] : [...(ts[0]!.from === null ? [] : [ts[0]!.from]), ...ts.map((t) => t.to)];
  }

  /** Resolves with the first matching change after `after` (a `mark`; default: any, logged or future), or rejects after `ms`. */
  when(match: (t: Transition) => boolean, opts: { after?: number; ms?: number } = {}): Promise<Transition> {
    const after = opts.after ?? 0;
    const ms = opts.ms ?? 30_000;
    const hit = this.list.find((t) => t.seq > after && match(t));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no matching transition within ${ms} ms`));
      }, ms);
      const off = this.on((t) => {
        if (!match(t)) return;
        clearTimeout(timer);
        off();
        resolve(t);
      });
    });
  }

  /** Logs that a record left its table (`status` → null); later writes to it are not logged. */
  removed(resource: string, id: string, rec: object | undefined): void {
    const r = rec as Record<string | symbol, unknown> | undefined;
    (r?.[TRACKED] as Set<string> | undefined)?.add("removed");
    this.record({ resource, id, field: "status", from: (r?.["status"] as string | null | undefined) ?? null, to: null, at: Date.now() });
  }

  /** Makes `field` of `rec` a tracked accessor (once per record); logs the initial value. */
  track(resource: string, id: string, rec: object, field: Transition["field"], previous: string | null): void {
    const r = rec as Record<string | symbol, unknown>;
    const done = (r[TRACKED] as Set<string> | undefined) ?? new Set<string>();
    if (done.has(field) || !Object.prototype.hasOwnProperty.call(r, field)) return;
    if (!r[TRACKED]) Object.defineProperty(r, TRACKED, { value: done, enumerable: false });
    done.add(field);
    let cur = r[field] as string | null;
    if (cur !== previous) this.record({ resource, id, field, from: previous, to: cur, at: Date.now() });
    Object.defineProperty(r, field, {
      enumerable: true,
      configurable: true,
      get: () => cur,
      set: (v: string | null) => {
        if (v === cur) return;
        if (done.has("removed")) {
          cur = v;
          return;
        }
        const from = cur;
        cur = v;
        this.record({ resource, id, field, from, to: v, at: Date.now() });
      },
    });
  }
}
