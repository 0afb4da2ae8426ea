/**
 * Timers for asynchronous status transitions (BUILD → ACTIVE, creating →
 * available, …). Every timer is tracked so that closing a cloud cancels all
 * pending transitions and leaves no handle keeping the process alive.
 *
 * Quirks: a delay of 0 still defers to the next macrotask, so a client always
 * sees the call return before the transition happens, as with a real cloud.
 */

/** Runs callbacks after delays; cancels them all on close. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Runs fn after ms milliseconds (unless closed meanwhile). */
  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closed) return;
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  /** Runs the steps one after another, each after its own delay. */
  chain(steps: Array<[number, () => void]>): void {
    const [first, ...rest] = steps;
    if (!first) return;
    this.after(first[0], () => {
      first[1]();
      this.chain(rest);
    });
  }

  /** Number of pending transitions (tests wait for 0). */
  get pending(): number {
    return this.timers.size;
  }

  /** Cancels every pending timer. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** Resolves after ms milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
