/**
 * `npm run bench [-- --quick] [-- --only p1,p3]`: runs the benchmarks, prints
 * a table and writes bench/results/<timestamp>-<commit>.json and
 * bench/results/latest.json.
 *
 * Every figure is set against a baseline measured in the same run (machines
 * are shared and noisy); nothing is compared with a threshold, so a slow
 * machine never fails the run. The exit code is non-zero only when a
 * benchmark itself broke.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./lib/child.js";
import { machineInfo } from "./lib/machine.js";
import { renderTable, type BenchResult } from "./lib/report.js";
import { round } from "./lib/stats.js";
import { P1_FULL, P1_QUICK, runP1 } from "./p1-data-path.js";
import { P2_FULL, P2_QUICK, runP2 } from "./p2-inventory.js";
import { P3_FULL, P3_QUICK, runP3 } from "./p3-executor.js";
import { P4_FULL, P4_QUICK, runP4 } from "./p4-planning.js";

interface Bench {
  id: string;
  run(quick: boolean, log: (s: string) => void): Promise<Omit<BenchResult, "wallSeconds">>;
}

const BENCHES: Bench[] = [
  { id: "p1", run: (quick, log) => runP1(quick ? P1_QUICK : P1_FULL, log) },
  { id: "p2", run: (quick, log) => runP2(quick ? P2_QUICK : P2_FULL, log) },
  { id: "p3", run: (quick, log) => runP3(quick ? P3_QUICK : P3_FULL, log) },
  { id: "p4", run: (quick, log) => runP4(quick ? P4_QUICK : P4_FULL, log) },
];

function parseArgs(argv: string[]): { quick: boolean; only: Set<string> | null } {
  let quick = false;
  let only: Set<string> | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--only") only = new Set((argv[++i] ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
    else if (a.startsWith("--only=")) only = new Set(a.slice(7).split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
    else if (a === "--help" || a === "-h") {
      process.stdout.write("usage: npm run bench [-- --quick] [-- --only p1,p2,p3,p4]\n");
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  return { quick, only };
}

async function main(): Promise<number> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const machine = machineInfo(REPO_ROOT);
  const started = new Date();
  const loadAtStart = os.loadavg().map((x) => round(x, 2));
  const log = (s: string) => process.stderr.write(`[${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
  log(`Benchmarks (${quick ? "quick" : "full"}) on ${machine.commit}, node ${machine.node}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM`);
  const results: BenchResult[] = [];
  for (const b of BENCHES) {
    if (only && !only.has(b.id)) continue;
    const t0 = performance.now();
    try {
      const r = await b.run(quick, log);
      results.push({ ...r, wallSeconds: (performance.now() - t0) / 1000 });
    } catch (err) {
      const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`${b.id} broke: ${msg}`);
      results.push({ id: b.id, title: "failed", wallSeconds: (performance.now() - t0) / 1000, rows: [], data: {}, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const wallSeconds = (Date.now() - started.getTime()) / 1000;
  process.stdout.write(renderTable(results) + `\n\nTotal ${wallSeconds.toFixed(1)} s (${quick ? "quick" : "full"} run, ${machine.commit})\n`);

  // Why: the load average tells a reader how shared the machine was while the figures were taken.
  const doc = { mode: quick ? "quick" : "full", startedAt: started.toISOString(), wallSeconds, machine, loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((x) => round(x, 2)) }, results };
  const dir = path.join(REPO_ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  const file = path.join(dir, `${stamp}-${machine.commit}${quick ? "-quick" : ""}.json`);
  const text = JSON.stringify(doc, null, 2) + "\n";
  writeFileSync(file, text);
  writeFileSync(path.join(dir, "latest.json"), text);
  log(`Results written to ${path.relative(REPO_ROOT, file)} and bench/results/latest.json`);
  return results.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
