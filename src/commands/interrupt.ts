/**
 * Ctrl-C and SIGTERM for the commands whose work cannot be stopped half-way
 * by a signal of their own (plan, rollback, verify, drill): print what was
 * stopped and what to do next, release the lock this process holds, mark its
 * run interrupted, remove what it started locally, and exit 130.
 *
 * Why exit from the handler instead of finishing the calls in flight: each
 * of these is safe to cut at any point (intent is written before every cloud
 * call, files are written atomically, temporary cloud resources are recorded
 * in the state and removed by the next run), and without a handler the
 * default action kills the process with its lock still held.
 */
import { existsSync } from "node:fs";
import { EXIT } from "../errors.js";
import { files } from "../executor/migration-dir.js";
import { StateStore } from "../executor/state.js";

export interface InterruptGuard {
  /** Removes the handlers (call when the command ends normally). */
  dispose(): void;
}

/** Releases the lock held by this process on the migration in dir, and marks its run interrupted. */
export function releaseOwnLock(dir: string): boolean {
  const path = files(dir).state;
  if (!existsSync(path)) return false;
  const state = StateStore.open(path);
  try {
    const lock = state.readLock();
    if (!lock || lock.pid !== process.pid) return false;
    state.tx(() => {
      state.markInterruptedRuns();
      state.releaseLock(lock.id);
    });
    return true;
  } finally {
    state.close();
  }
}

/**
 * Installs SIGINT/SIGTERM handlers: `what` names the work ("rollback of shop"),
 * `next` tells the user how to continue, `dir` (when known) is the migration
 * whose lock to release, `cleanup` removes local leftovers.
 */
export function guardInterrupts(o: { what: string; next: string; dir?: () => string | undefined; cleanup?: () => void }): InterruptGuard {
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nInterrupted (${signal}): ${o.what} stopped. ${o.next}\n`);
    try {
      o.cleanup?.();
      const dir = o.dir?.();
      if (dir) releaseOwnLock(dir);
    } catch (err) {
      process.stderr.write(`scs-migrate: could not clean up after the interrupt: ${(err as Error).message}\n`);
    }
    process.exit(EXIT.INTERRUPTED);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
