/**
 * P4, planning: `buildPlan` + `serializePlan` for a tenant built in memory
 * (100,000 resources in the full run), in a child process for its peak RSS.
 * Baseline: a JSON round trip of the same source inventory in the same
 * process, i.e. what reading and writing that much data costs at least.
 */
import { runWorker } from "./lib/child.js";
import { fmt, type BenchResult } from "./lib/report.js";
import { median, repeat, round } from "./lib/stats.js";
import type { P4Input, P4Output } from "./workers/p4-plan.js";

/** Size and repetitions of P4 (blocks of about 10,000 resources). */
export interface P4Config {
  blocks: number;
  reps: number;
}

export const P4_FULL: P4Config = { blocks: 10, reps: 3 };
export const P4_QUICK: P4Config = { blocks: 1, reps: 3 };

/** Runs P4 and returns its figures. */
export async function runP4(cfg: P4Config, log: (s: string) => void): Promise<Omit<BenchResult, "wallSeconds">> {
  const runs = await repeat(cfg.reps, () => runWorker<P4Output>("p4-plan", { blocks: cfg.blocks } satisfies P4Input));
  const first = runs[0]!;
  const total = median(runs.map((r) => r.buildMs + r.serializeMs));
  const build = median(runs.map((r) => r.buildMs));
  const ser = median(runs.map((r) => r.serializeMs));
  const json = median(runs.map((r) => r.jsonRoundTripMs));
  const rss = Math.max(...runs.map((r) => r.maxRssKiB / 1024));
  const invRss = median(runs.map((r) => r.rssAfterInventoryMiB));
  log(`P4: ${first.resources} resources → ${first.steps} steps in ${fmt(total / 1000, 2)} s, peak RSS ${fmt(rss)} MiB`);
  const data = {
    resources: first.resources,
    steps: first.steps,
    planBytes: first.planBytes,
    buildMs: round(build, 0),
    serializeMs: round(ser, 0),
    totalMs: round(total, 0),
    jsonRoundTripMs: round(json, 0),
    ratioToJsonRoundTrip: round(total / json, 2),
    maxRssMiB: round(rss, 1),
    rssAfterInventoryMiB: round(invRss, 1),
    samplesTotalMs: runs.map((r) => round(r.buildMs + r.serializeMs, 0)),
    reps: cfg.reps,
  };
  return {
    id: "p4",
    title: "planning (buildPlan + serializePlan, in-memory tenant)",
    rows: [
      { metric: `${first.resources} resources → ${first.steps} steps`, value: `${fmt(total / 1000, 2)} s`, note: `build ${fmt(build / 1000, 2)} s + serialize ${fmt(ser / 1000, 2)} s; plan ${fmt(first.planBytes / 1e6)} MB` },
      { metric: "JSON round trip of the inventory", value: `${fmt(json / 1000, 2)} s`, note: `baseline; planning is ${fmt(data.ratioToJsonRoundTrip, 1)}× it` },
      { metric: "peak RSS", value: `${fmt(rss)} MiB`, note: `${fmt(invRss)} MiB with the inventory alone` },
    ],
    data,
  };
}
