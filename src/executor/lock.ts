/**
 * One writer per migration. The lock row carries who, what, when and a lock
 * id; a live holder refreshes its heartbeat. A lock is stale when its process
 * is gone (same host: the pid no longer exists) or its heartbeat is older than
 * STALE_AFTER_MS (another host, or a hung process); a stale lock is taken over
 * with a message. `force-unlock` needs the lock id, as terraform's does.
 */
import { hostname } from "node:os";
import { LockHeldError, UsageError, type LockInfo } from "../errors.js";
import { log } from "../log.js";
import type { StateStore } from "./state.js";

export const HEARTBEAT_INTERVAL_MS = 5_000;
export const STALE_AFTER_MS = 60_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether a lock can be taken over. */
export function isStaleLock(l: LockInfo, nowMs = Date.now(), staleAfterMs = STALE_AFTER_MS): boolean {
  if (l.host === hostname() && l.pid !== process.pid && !pidAlive(l.pid)) return true;
  return nowMs - Date.parse(l.heartbeatAt) > staleAfterMs;
}

/** A held lock; call release() when done (also released on process exit). */
export interface HeldLock {
  info: LockInfo;
  release(): void;
}

/** Acquires the migration lock or throws LockHeldError naming the holder. */
export function acquireLock(state: StateStore, operation: string, migration: string): HeldLock {
  const res = state.tryLock(operation, (l) => isStaleLock(l));
  if (!res.ok) {
    throw new LockHeldError(res.holder, {
      hint: `Wait for it to finish. If you are sure no process is working on it, run \`scs-migrate force-unlock ${migration} ${res.holder.id}\`.`,
    });
  }
  if (res.replaced) {
    log.warn(
      `Took over a stale lock of ${res.replaced.who} (pid ${res.replaced.pid}, ${res.replaced.operation} since ${res.replaced.createdAt}, last heartbeat ${res.replaced.heartbeatAt})`,
    );
  }
  const lock = res.lock;
  const timer = setInterval(() => {
    try {
      state.heartbeat(lock.id);
    } catch {
      // the store may be closing; the next acquire judges staleness by pid and age
    }
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    try {
      state.releaseLock(lock.id);
    } catch {
      // already closed
    }
  };
  return { info: lock, release };
}

/** Removes the lock when its id matches; refuses otherwise. */
export function forceUnlock(state: StateStore, lockId: string): LockInfo {
  const cur = state.readLock();
  if (!cur) throw new UsageError("the migration is not locked");
  if (cur.id !== lockId) {
    throw new UsageError(`lock id does not match: the current lock is ${cur.id} (held by ${cur.who}, pid ${cur.pid})`);
  }
  state.releaseLock(lockId);
  return cur;
}
