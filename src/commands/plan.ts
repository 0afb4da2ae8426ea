/**
 * `scs-migrate plan --from SRC --to DST [--name NAME] [--map FILE]`:
 * inventories both clouds and writes migrations-plans/NAME/plan.json (the
 * reviewable contract), plan.txt (its rendering) and the two inventories it
 * was made from. Exit 9 when pre-flight found errors (the plan is written
 * anyway, so it can be reviewed).
 */
import { writeFileSync } from "node:fs";
import { collectInventory } from "../inventory/collect.js";
import { out } from "../log.js";
import { blockingFindings, buildPlan } from "../plan/build.js";
import { writeFileAtomic, writePlan } from "../plan/io.js";
import { emptyMapping, loadMappingFile } from "../plan/mapping-file.js";
import { renderPlan } from "../plan/render.js";
import { EXIT } from "../errors.js";
import { TOOL_VERSION } from "../version.js";
import { connectCloud } from "./connect.js";
import { checkMigrationName, files, migrationDir } from "./migration-dir.js";

export interface PlanFlags {
  from: string;
  to: string;
  name?: string;
  map?: string;
  cutover?: "cold" | "live";
  throughput?: number;
  pageSize?: number;
  quiet?: boolean;
}

export async function run(opts: PlanFlags): Promise<number> {
  const name = opts.name ?? `${opts.from}-to-${opts.to}`;
  checkMigrationName(name);
  const mapping = opts.map ? await loadMappingFile(opts.map) : emptyMapping();
  const flags = opts.pageSize ? { pageSize: opts.pageSize } : {};
  const src = await connectCloud(opts.from, flags);
  try {
    const dst = await connectCloud(opts.to, flags);
    try {
      const [source, target] = await Promise.all([collectInventory(src), collectInventory(dst)]);
      const plan = buildPlan({
        name,
        source,
        target,
        mapping,
        options: { ...(opts.cutover ? { cutover: opts.cutover } : {}), ...(opts.throughput ? { throughputMBps: opts.throughput } : {}) },
        now: () => new Date(),
        toolVersion: TOOL_VERSION,
      });
      const dir = migrationDir(name);
      const f = files(dir);
      writeFileAtomic(f.sourceInventory, JSON.stringify(source, null, 2) + "\n");
      writeFileAtomic(f.targetInventory, JSON.stringify(target, null, 2) + "\n");
      writePlan(f.plan, plan);
      const text = renderPlan(plan);
      writeFileSync(f.planText, text);
      if (!opts.quiet) out(text);
      out(`Wrote ${f.plan} and ${f.planText}`);
      const blocking = blockingFindings(plan);
      if (blocking.length > 0) {
        process.stderr.write(`scs-migrate: the plan has ${blocking.length} pre-flight error(s); fix them before apply (see Pre-flight above)\n`);
        return EXIT.PLAN_BLOCKED;
      }
      return 0;
    } finally {
      dst.close();
    }
  } finally {
    src.close();
  }
}
