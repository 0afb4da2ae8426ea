/**
 * `scs-migrate demo`: two simulated SCS clouds, a sample tenant, the whole
 * flow with progress bars, a verified migration and an HTML report. Exit 0
 * when the migration verified.
 */
import { rmSync } from "node:fs";
import { makeReporter } from "../executor/progress.js";
import { runDemo } from "../journeys/demo.js";
import { EXIT } from "../errors.js";
import { out } from "../log.js";
import { migrationDir } from "../executor/migration-dir.js";

export async function run(opts: { name?: string; tenant?: string; delay?: number; json?: boolean }): Promise<number> {
  const name = opts.name ?? "demo";
  const dir = migrationDir(name);
  // Why: each demo starts fresh simulated clouds, so an old demo's state would describe clouds that are gone.
  rmSync(dir, { recursive: true, force: true });
  const r = await runDemo({
    name,
    dir,
    ...(opts.tenant ? { tenant: opts.tenant } : {}),
    reporter: makeReporter({ json: Boolean(opts.json) }),
    say: opts.json ? () => {} : (l) => out(l),
    ...(opts.delay !== undefined ? { delayMs: opts.delay } : {}),
  });
  if (opts.json) out(JSON.stringify(r, null, 2));
  return r.ok ? 0 : EXIT.VERIFY_MISMATCH;
}
