/** `scs-migrate force-unlock NAME LOCK_ID`: removes a migration's lock; the id must match (as terraform's). */
import { forceUnlock } from "../executor/lock.js";
import { StateStore } from "../executor/state.js";
import { out } from "../log.js";
import { requireMigration, requireState } from "../executor/migration-dir.js";

export async function run(migration: string, lockId: string): Promise<number> {
  const state = StateStore.open(requireState(requireMigration(migration)));
  try {
    const was = forceUnlock(state, lockId);
    out(`Removed the lock of ${was.who} (pid ${was.pid}, ${was.operation} since ${was.createdAt})`);
    return 0;
  } finally {
    state.close();
  }
}
