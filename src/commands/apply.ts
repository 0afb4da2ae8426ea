/**
 * `scs-migrate apply migrations-plans/NAME`: executes a plan, or resumes it
 * when state exists. Exit 0 completed, 10 partially failed, 11 failed,
 * 130 interrupted.
 */
import { applyMigration } from "../executor/apply.js";
import { makeReporter } from "../executor/progress.js";
import { EXIT } from "../errors.js";
import { out } from "../log.js";
import { connectCloud } from "../executor/connect.js";
import { requireMigration } from "../executor/migration-dir.js";
import { writeMigrationReport } from "../report/write.js";

export interface ApplyFlags {
  cutover?: "cold" | "live";
  apiConcurrency?: number;
  copyConcurrency?: number;
  stepAttempts?: number;
  json?: boolean;
  pollMs?: number;
  pageSize?: number;
}

/** Exit code of a run's end state. */
export function exitCodeOf(status: string): number {
  switch (status) {
    case "completed":
      return EXIT.OK;
    case "partially_failed":
      return EXIT.PARTIALLY_FAILED;
    case "interrupted":
      return EXIT.INTERRUPTED;
    default:
      return EXIT.RUN_FAILED;
  }
}

export async function run(migration: string, opts: ApplyFlags): Promise<number> {
  const dir = requireMigration(migration);
  const reporter = makeReporter({ json: Boolean(opts.json) });
  const abort = new AbortController();
  const onSignal = () => {
    process.stderr.write("\nInterrupted: finishing the calls in flight; run apply again to resume\n");
    abort.abort(new Error("interrupted"));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const r = await applyMigration(dir, {
      connect: (name) => connectCloud(name, opts.pageSize ? { pageSize: opts.pageSize } : {}),
      reporter,
      signal: abort.signal,
      ...(opts.cutover ? { cutover: opts.cutover } : {}),
      ...(opts.apiConcurrency ? { apiConcurrency: opts.apiConcurrency } : {}),
      ...(opts.copyConcurrency ? { copyConcurrency: opts.copyConcurrency } : {}),
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
      ...(opts.stepAttempts ? { stepAttempts: opts.stepAttempts } : {}),
    });
    reporter.close();
    const { paths } = await writeMigrationReport(dir);
    if (!opts.json) {
      out(`Migration ${r.plan.name}: ${r.status.replace("_", " ")} in ${(r.ms / 1000).toFixed(1)}s`);
      for (const f of r.failed) out(`  failed:  ${f.error}`);
      for (const b of r.blocked) out(`  blocked: ${b.step} (${b.because})`);
      if (r.restarted.length) out(`  started again on the source: ${r.restarted.join(", ")}`);
      out(`Report: ${paths.html}`);
      if (r.status !== "completed") out("Run `scs-migrate apply` again to retry what failed, or `scs-migrate status` for details.");
    }
    return exitCodeOf(r.status);
  } finally {
    reporter.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
