/**
 * `scs-migrate verify NAME [--deep]`: compares the target with the plan for
 * every applied step and lists what differs. Exit 12 on any mismatch.
 */
import { makeReporter } from "../executor/progress.js";
import { verifyMigration } from "../executor/verify.js";
import { EXIT } from "../errors.js";
import { out } from "../log.js";
import { connectCloud } from "../executor/connect.js";
import { requireMigration } from "../executor/migration-dir.js";
import { writeMigrationReport } from "../report/write.js";
import { guardInterrupts } from "./interrupt.js";

export async function run(migration: string, opts: { deep?: boolean; json?: boolean; pollMs?: number }): Promise<number> {
  const dir = requireMigration(migration);
  const guard = guardInterrupts({
    what: `verify of ${migration}`,
    next: opts.deep ? "Temporary exports are recorded in the state and removed by the next verify --deep, apply or rollback; run verify again." : "Run verify again.",
    dir: () => dir,
  });
  let r: Awaited<ReturnType<typeof verifyMigration>>;
  try {
    r = await verifyMigration(dir, {
      connect: (n) => connectCloud(n),
      reporter: makeReporter({ quiet: true }),
      deep: Boolean(opts.deep),
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
    });
    await writeMigrationReport(dir);
  } finally {
    guard.dispose();
  }
  if (opts.json) out(JSON.stringify({ ok: r.ok, checked: r.checked, deep: r.deep, findings: r.findings }, null, 2));
  else {
    const bad = r.findings.filter((f) => f.severity !== "warning");
    out(`Verified ${r.checked} resource(s) of ${r.plan.name}${r.deep ? " (deep: volume data compared)" : ""}: ${r.ok ? "target matches the plan" : `${bad.length} difference(s)`}`);
    const byStep = new Map<string, typeof r.findings>();
    for (const f of r.findings) (byStep.get(f.step) ?? byStep.set(f.step, []).get(f.step)!).push(f);
    for (const [step, fs] of byStep) {
      out(`  ${step}`);
      for (const f of fs) out(`    ${f.severity === "warning" ? "warning" : f.severity}: ${f.message.replace(`${step}: `, "")}`);
    }
  }
  return r.ok ? 0 : EXIT.VERIFY_MISMATCH;
}
