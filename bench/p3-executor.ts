/**
 * P3, the executor: plans of independent steps of a fake kind, with a real
 * SQLite state file on disk, run in a child process.
 *
 * - Zero latency (apply returns at once), 1,000 and 10,000 steps: overhead
 *   per step, state writes included. Baseline: the same number of bare
 *   single-statement SQLite transactions (three per step, as the executor
 *   writes intent, start event and outcome), so the ratio says how much the
 *   executor adds on top of the storage it cannot avoid.
 * - 50 ms latency, 1,000 steps, concurrency 16: wall time against the ideal
 *   bound steps × latency / concurrency.
 */
import { runWorker } from "./lib/child.js";
import { fmt, type BenchResult, type Row } from "./lib/report.js";
import { median, repeat, round } from "./lib/stats.js";
import type { P3Input, P3Output } from "./workers/p3-steps.js";

/** Sizes and repetitions of P3. */
export interface P3Config {
  zeroLatencySteps: number[];
  latency: { steps: number; ms: number; concurrency: number };
  reps: number;
}

export const P3_FULL: P3Config = { zeroLatencySteps: [1000, 10000], latency: { steps: 1000, ms: 50, concurrency: 16 }, reps: 3 };
export const P3_QUICK: P3Config = { zeroLatencySteps: [1000], latency: { steps: 1000, ms: 50, concurrency: 16 }, reps: 3 };

const WRITES_PER_STEP = 3;
const DEFAULT_CONCURRENCY = 8;

/** Runs P3 and returns its figures. */
export async function runP3(cfg: P3Config, log: (s: string) => void): Promise<Omit<BenchResult, "wallSeconds">> {
  const rows: Row[] = [];
  const zero: Record<string, unknown>[] = [];
  const run = async (inp: P3Input) => {
    const r = await runWorker<P3Output>("p3-steps", inp);
    const want = inp.mode === "sqlite" ? inp.steps * (inp.writesPerStep ?? WRITES_PER_STEP) : inp.steps;
    if (r.status !== "completed" || r.done !== want) throw new Error(`p3 ${inp.mode} ${inp.steps}: ${r.status}, ${r.done} of ${want} done`);
    return r;
  };
  for (const steps of cfg.zeroLatencySteps) {
    const exec: number[] = [];
    const bare: number[] = [];
    let rss = 0;
    await repeat(cfg.reps, async () => {
      const e = await run({ mode: "executor", steps, latencyMs: 0, concurrency: DEFAULT_CONCURRENCY });
      exec.push(e.ms / steps);
      rss = Math.max(rss, e.maxRssKiB / 1024);
      bare.push((await run({ mode: "sqlite", steps, latencyMs: 0, concurrency: 1, writesPerStep: WRITES_PER_STEP })).ms / steps);
    });
    const perStep = median(exec);
    const barePerStep = median(bare);
    const fig = { steps, msPerStep: round(perStep, 3), bareSqliteMsPerStep: round(barePerStep, 3), ratio: round(perStep / barePerStep, 2), maxRssMiB: round(rss, 1), samplesMsPerStep: exec.map((x) => round(x, 3)) };
    zero.push(fig);
    log(`P3: ${steps} steps at zero latency: ${fmt(perStep, 3)} ms/step (bare SQLite ${fmt(barePerStep, 3)})`);
    rows.push({ metric: `${steps} steps, zero latency`, value: `${fmt(perStep, 3)} ms/step`, note: `bare SQLite ${fmt(barePerStep, 3)} ms/step (${WRITES_PER_STEP} tx), ratio ${fmt(fig.ratio, 1)}, peak RSS ${fmt(fig.maxRssMiB)} MiB` });
  }
  const { steps, ms, concurrency } = cfg.latency;
  const ideal = (steps * ms) / concurrency;
  const walls = await repeat(cfg.reps, async () => (await run({ mode: "executor", steps, latencyMs: ms, concurrency })).ms);
  const wall = median(walls);
  const latency = { steps, latencyMs: ms, concurrency, wallMs: round(wall, 0), idealMs: round(ideal, 0), ratio: round(wall / ideal, 3), samplesMs: walls.map((x) => round(x, 0)) };
  log(`P3: ${steps} steps at ${ms} ms, concurrency ${concurrency}: ${fmt(wall / 1000, 2)} s (ideal ${fmt(ideal / 1000, 3)} s)`);
  rows.push({ metric: `${steps} steps × ${ms} ms, concurrency ${concurrency}`, value: `${fmt(wall / 1000, 2)} s`, note: `ideal ${fmt(ideal / 1000, 3)} s, ratio ${fmt(latency.ratio, 2)}` });
  return { id: "p3", title: "executor overhead (fake kind, real SQLite state file)", rows, data: { zeroLatency: zero, latency, reps: cfg.reps, apiConcurrency: DEFAULT_CONCURRENCY } };
}
