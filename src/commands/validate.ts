/**
 * `scs-migrate validate NAME|FILE`: checks a plan file offline (schema,
 * references, cycles, waves, integrity, each step's params against its kind)
 * and lists every problem. Exit 0 when valid, 6 otherwise.
 */
import { readPlan } from "../plan/io.js";
import { blockingFindings } from "../plan/build.js";
import { checkStepParams } from "../kinds/index.js";
import { out } from "../log.js";
import { existsSync } from "node:fs";
import { files, requireMigration } from "../executor/migration-dir.js";

export async function run(target: string, opts: { json?: boolean } = {}): Promise<number> {
  const path = target.endsWith(".json") && existsSync(target) ? target : files(requireMigration(target)).plan;
  const plan = readPlan(path, checkStepParams);
  const blocking = blockingFindings(plan);
  const n = Object.keys(plan.steps).length;
  if (opts.json) {
    out(JSON.stringify({ valid: true, path, formatVersion: plan.formatVersion, steps: n, waves: plan.waves.length, blocking }));
    return 0;
  }
  out(`${path}: valid plan format ${plan.formatVersion}, ${n} steps in ${plan.waves.length} waves`);
  if (blocking.length > 0) {
    out(`note: ${blocking.length} pre-flight error(s) must be fixed before apply (see \`scs-migrate show\`)`);
  }
  return 0;
}
