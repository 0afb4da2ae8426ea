/** `scs-migrate show NAME`: renders a plan for review and (re)writes plan.txt beside it. */
import { serializePlan, writeFileAtomic, readPlan } from "../plan/io.js";
import { renderPlan } from "../plan/render.js";
import { out } from "../log.js";
import { checkStepParams } from "../kinds/index.js";
import { files, requireMigration } from "../executor/migration-dir.js";

export async function run(migration: string, opts: { write?: boolean; json?: boolean }): Promise<number> {
  const dir = requireMigration(migration);
  const plan = readPlan(files(dir).plan, checkStepParams);
  const text = renderPlan(plan);
  if (opts.write !== false) writeFileAtomic(files(dir).planText, text);
  out(opts.json ? serializePlan(plan) : text);
  return 0;
}
