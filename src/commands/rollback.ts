/**
 * `scs-migrate rollback NAME [--yes]`: deletes everything the migration
 * created on the target, in reverse dependency order. Asks on a terminal;
 * needs --yes otherwise. Never touches what it did not create.
 */
import { createInterface } from "node:readline/promises";
import { makeReporter } from "../executor/progress.js";
import { rollbackMigration } from "../executor/rollback.js";
import { readPlan } from "../plan/io.js";
import { EXIT, UsageError } from "../errors.js";
import { out } from "../log.js";
import { connectCloud } from "../executor/connect.js";
import { files, requireMigration, requireState } from "../executor/migration-dir.js";
import { guardInterrupts } from "./interrupt.js";

export async function run(migration: string, opts: { yes?: boolean; json?: boolean; pollMs?: number }): Promise<number> {
  const dir = requireMigration(migration);
  requireState(dir);
  const plan = readPlan(files(dir).plan);
  if (!opts.yes) {
    if (!process.stdin.isTTY) throw new UsageError("rollback deletes resources on the target; pass --yes to confirm when not on a terminal");
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Delete everything migration ${plan.name} created in ${plan.target.project_name ?? plan.target.project_id} on ${plan.target.cloud}? Type the migration name to confirm: `);
    rl.close();
    if (answer.trim() !== plan.name) {
      out("Not confirmed; nothing was deleted.");
      return EXIT.USAGE;
    }
  }
  const guard = guardInterrupts({
    what: `rollback of ${plan.name}`,
    next: "What was removed stays removed; run `scs-migrate rollback` again to remove the rest.",
    dir: () => dir,
  });
  let r: Awaited<ReturnType<typeof rollbackMigration>>;
  try {
    r = await rollbackMigration(dir, {
      connect: (n) => connectCloud(n),
      reporter: makeReporter({ json: Boolean(opts.json) }),
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
    });
  } finally {
    guard.dispose();
  }
  if (!opts.json) {
    const restored = r.restored.length ? `, ${r.restored.length} adopted resource(s) restored (${r.restored.join(", ")})` : "";
    out(`Rollback of ${plan.name}: ${r.removed.length} resource(s) removed${restored} in ${(r.ms / 1000).toFixed(1)}s${r.failed.length ? `, ${r.failed.length} failed` : ""}`);
    for (const f of r.failed) out(`  failed: ${f.error}`);
  }
  return r.failed.length ? EXIT.PARTIALLY_FAILED : 0;
}
