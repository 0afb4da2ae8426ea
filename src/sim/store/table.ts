/**
 * A keyed collection of records with cached orderings for paginated lists.
 * Each service lists in its own default order: Nova, Cinder and Glance newest
 * first (created_at desc, id desc), Neutron and Nova flavors by id ascending.
 * The ordered arrays and their position indexes are rebuilt only when a record
 * is added or removed, so paging through 6,000 ports costs O(page) per request
 * after the first.
 *
 * Quirks: it is a `Map`, so tests can `get`, `set` and `delete` records
 * directly; orderings notice those changes too. A tracked table logs its
 * records' status changes (transitions.ts).
 */

import type { TransitionLog } from "./transitions.js";

/** Orderings a list can be served in. */
export type Ordering = "oldest" | "newest" | "key";

interface Cached<T> {
  version: number;
  items: T[];
  pos?: Map<string, number>;
}

/** A Map of records by key, with cached list orderings. */
export class Table<T> extends Map<string, T> {
  private version = 0;
  private cache = new Map<Ordering, Cached<T>>();

  private tracking: { log: TransitionLog; resource: string; fields: Array<"status" | "task_state"> } | undefined;

  /** Logs the status changes of every record put into this table from now on. */
  trackTransitions(log: TransitionLog, resource: string, fields: Array<"status" | "task_state"> = ["status"]): this {
    this.tracking = { log, resource, fields };
    return this;
  }

  override set(key: string, value: T): this {
    const before = super.get(key) as Record<string, unknown> | undefined;
    if (!before) this.version++;
    if (this.tracking && value && typeof value === "object") {
      const { log, resource, fields } = this.tracking;
      for (const f of fields) log.track(resource, key, value, f, before && before !== value ? ((before[f] as string | null | undefined) ?? null) : null);
    }
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    const rec = super.get(key);
    const r = super.delete(key);
    if (r && this.tracking) this.tracking.log.removed(this.tracking.resource, key, rec as object | undefined);
    if (r) this.version++;
    return r;
  }

  override clear(): void {
    this.version++;
    super.clear();
  }

  /** The records in the given order (a cached array: do not mutate). */
  ordered(order: Ordering): T[] {
    const c = this.cache.get(order);
    if (c && c.version === this.version) return c.items;
    let items: T[];
    if (order === "key") {
      items = [...this.keys()].sort().map((k) => super.get(k)!);
    } else {
      items = [...this.values()];
      if (order === "newest") items.reverse();
    }
    this.cache.set(order, { version: this.version, items });
    return items;
  }

  /** Position of a key in an ordering, or -1. */
  positionOf(order: Ordering, key: string, keyOf: (t: T) => string): number {
    const items = this.ordered(order);
    const c = this.cache.get(order)!;
    if (!c.pos) {
      c.pos = new Map();
      items.forEach((t, i) => c.pos!.set(keyOf(t), i));
    }
    return c.pos.get(key) ?? -1;
  }
}
