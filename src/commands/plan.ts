/**
 * `scs-migrate plan --from SRC --to DST [--name NAME] [--map FILE]`:
 * inventories both clouds and writes migrations-plans/NAME/plan.json (the
 * reviewable contract), plan.txt (its rendering) and the two inventories it
 * was made from. Exit 9 when pre-flight found errors (the plan is written
 * anyway, so it can be reviewed).
 */
import { existsSync, readdirSync, rmdirSync } from "node:fs";
import { out } from "../log.js";
import { guardInterrupts } from "./interrupt.js";
import { blockingFindings } from "../plan/build.js";
import { serializePlan } from "../plan/io.js";
import { emptyMapping, loadMappingFile } from "../mapping/mapping-file.js";
import { planMigration } from "../journeys/plan-migration.js";
import { EXIT, UsageError } from "../errors.js";
import { connectCloud } from "../executor/connect.js";
import { ensureMigrationDir, files, newMigration } from "../executor/migration-dir.js";

export interface PlanFlags {
  from: string;
  to: string;
  name?: string;
  map?: string;
  cutover?: "cold" | "live";
  throughput?: number;
  pageSize?: number;
  quiet?: boolean;
  json?: boolean;
}

export async function run(opts: PlanFlags): Promise<number> {
  refuseSameCloud(opts.from, opts.to);
  const { dir, name } = newMigration(opts.name ?? `${opts.from}-to-${opts.to}`);
  const mapping = opts.map ? await loadMappingFile(opts.map) : emptyMapping();
  const flags = opts.pageSize ? { pageSize: opts.pageSize } : {};
  const existed = existsSync(dir);
  const guard = guardInterrupts({
    what: `planning of ${name}`,
    next: existed ? "The previous plan in that folder is unchanged." : "Nothing was written.",
    // Why only an empty folder: plan files are replaced atomically, so a folder with files holds a whole earlier plan.
    cleanup: () => {
      if (!existed && existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
    },
  });
  const src = await connectCloud(opts.from, flags).catch((err: unknown) => {
    guard.dispose();
    throw err;
  });
  try {
    const dst = await connectCloud(opts.to, flags);
    try {
      ensureMigrationDir(dir);
      const { plan, text } = await planMigration({
        name,
        dir,
        source: src,
        target: dst,
        mapping,
        ...(opts.cutover ? { cutover: opts.cutover } : {}),
        ...(opts.throughput ? { throughputMBps: opts.throughput } : {}),
      });
      if (opts.json) {
        // Why stderr for the paths: stdout carries exactly the plan document.
        out(serializePlan(plan));
        process.stderr.write(`Wrote ${files(dir).plan} and ${files(dir).planText}\n`);
      } else {
        if (!opts.quiet) out(text);
        out(`Wrote ${files(dir).plan} and ${files(dir).planText}`);
      }
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
    guard.dispose();
    src.close();
  }
}

/** Planning a project into itself would adopt every resource as its own copy and roll back the original. */
export function refuseSameCloud(from: string, to: string): void {
  if (from === to) {
    throw new UsageError(`--from and --to both name cloud "${from}": a project cannot be migrated into itself`, {
      hint: "Name the target cloud with --to (a second clouds.yaml entry, e.g. the same provider with another project).",
    });
  }
}
