/** `scs-migrate report NAME`: writes report.md, report.html and report.json from the plan, state and last verify. */
import { out } from "../log.js";
import { requireMigration, requireState } from "../executor/migration-dir.js";
import { writeMigrationReport } from "../report/write.js";

export async function run(migration: string): Promise<number> {
  const dir = requireMigration(migration);
  requireState(dir);
  const { paths: p } = await writeMigrationReport(dir);
  out(`Wrote ${p.markdown}\nWrote ${p.html}\nWrote ${p.json}`);
  return 0;
}
