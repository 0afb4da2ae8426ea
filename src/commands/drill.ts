/**
 * `scs-migrate drill --from SRC --to DST`: plan, apply, verify, report and
 * roll back in one unattended run (cron, CI). Prints a JSON summary with the
 * recovery time and the age of the copied data; exit 0 when every phase
 * passed, 5 when a cloud could not be reached at all, 13 otherwise.
 */
import { makeReporter } from "../executor/progress.js";
import { runDrill } from "../journeys/drill.js";
import { EXIT, MigrateError } from "../errors.js";
import { refuseSameCloud } from "./plan.js";
import { guardInterrupts } from "./interrupt.js";
import { out } from "../log.js";
import { emptyMapping, loadMappingFile } from "../mapping/mapping-file.js";
import { connectCloud } from "../executor/connect.js";
import { ensureMigrationDir, newMigration } from "../executor/migration-dir.js";

export interface DrillFlags {
  from: string;
  to: string;
  name?: string;
  map?: string;
  keep?: boolean;
  deep?: boolean;
  cutover?: "cold" | "live";
  json?: boolean;
  pollMs?: number;
  apiConcurrency?: number;
  copyConcurrency?: number;
}

/** A drill name from the time, unique per second and valid as a migration name. */
export function drillName(now = new Date()): string {
  return `drill-${now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
}

export async function run(opts: DrillFlags): Promise<number> {
  refuseSameCloud(opts.from, opts.to);
  const { dir, name } = newMigration(opts.name ?? drillName());
  const mapping = opts.map ? await loadMappingFile(opts.map) : emptyMapping();
  // Why: cron must tell "a cloud could not be used, nothing was tried" (its own code: 3 config, 4 auth, 5 unreachable)
  // from "the drill found a problem" (13).
  let connectFailure: MigrateError | undefined;
  const guard = guardInterrupts({
    what: `drill ${name}`,
    next: `The copy may remain on ${opts.to}: remove it with \`scs-migrate rollback ${name} --yes\`.`,
    dir: () => dir,
  });
  let summary: Awaited<ReturnType<typeof runDrill>>;
  try {
    summary = await runDrill({
    name,
    dir: ensureMigrationDir(dir),
    from: opts.from,
    to: opts.to,
    mapping,
    connect: (n) =>
      connectCloud(n).catch((e: unknown) => {
        if (e instanceof MigrateError) connectFailure ??= e;
        throw e;
      }),
    // Why: stdout carries the JSON summary; progress goes to stderr as lines (or nothing with --json).
    reporter: makeReporter({ quiet: Boolean(opts.json) }),
    keep: Boolean(opts.keep),
    deep: Boolean(opts.deep),
    cutover: opts.cutover ?? "live",
    ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
    ...(opts.apiConcurrency ? { apiConcurrency: opts.apiConcurrency } : {}),
    ...(opts.copyConcurrency ? { copyConcurrency: opts.copyConcurrency } : {}),
    });
  } finally {
    guard.dispose();
  }
  // Why one line when piped: the cron line appends each drill to a .jsonl file, one JSON document per line.
  out(opts.json && !process.stdout.isTTY ? JSON.stringify(summary) : JSON.stringify(summary, null, 2));
  if (!opts.json) {
    process.stderr.write(
      summary.status === "passed"
        ? `Drill ${name} passed: recovery time ${summary.recoveryTimeSeconds?.toFixed(1)} s, data age ${summary.dataAgeSeconds?.toFixed(1)} s${summary.kept ? " (target kept)" : ", target rolled back"}\n`
        : `Drill ${name} FAILED in ${summary.failedPhase}: ${summary.errors.slice(0, 3).join("; ")}\n`,
    );
  }
  if (summary.status === "passed") return 0;
  return connectFailure && summary.failedPhase === "plan" ? connectFailure.exitCode : EXIT.DRILL_FAILED;
}
