/** `scs-migrate report NAME`: writes report.md, report.html and report.json from the plan, state and last verify. */
import { readFileSync } from "node:fs";
import { out } from "../log.js";
import { requireMigration, requireState } from "../executor/migration-dir.js";
import { writeMigrationReport } from "../report/write.js";

export async function run(migration: string, opts: { json?: boolean } = {}): Promise<number> {
  const dir = requireMigration(migration);
  requireState(dir);
  const { paths: p } = await writeMigrationReport(dir);
  if (opts.json) {
    out(JSON.stringify({ paths: p, report: JSON.parse(readFileSync(p.json, "utf8")) as unknown }));
    return 0;
  }
  out(`Wrote ${p.markdown}\nWrote ${p.html}\nWrote ${p.json}`);
  return 0;
}
