/**
 * Transfer figures for the report: one row per data copy (rate, checksum
 * comparison, the run it belongs to) and the throughput of the whole
 * migration. "Average" is the bytes moved divided by the time during which
 * at least one copy was running, so parallel copies are not double-counted;
 * "peak" is the highest aggregate rate over any stretch of time, assuming
 * each copy ran at its own average rate (the state keeps no finer samples).
 */
import type { TransferRow } from "../executor/state.js";
import type { RunWindow } from "./timeline.js";

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);

/** One data copy. */
export interface TransferInfo {
  step: string;
  label: string;
  runId: number | null;
  status: "done" | "failed" | "running" | "interrupted";
  bytes: number;
  startedAt: string;
  finishedAt: string | null;
  seconds: number | null;
  mbps: number | null;
  sourceMd5: string | null;
  targetMd5: string | null;
  /** Whether every checksum known on both sides is equal (null when none is known on both). */
  checksumsMatch: boolean | null;
}

/** The report row of one transfer; `windows` place it in its run. */
export function transferInfo(t: TransferRow, windows: RunWindow[]): TransferInfo {
  const started = ms(t.started_at);
  const win = [...windows].reverse().find((w) => w.start <= started);
  const status: TransferInfo["status"] = t.status === "running" && win && win.run.status !== "running" ? "interrupted" : t.status;
  const seconds = t.finished_at ? Math.max(0, (ms(t.finished_at) - started) / 1000) : null;
  const pairs: [string | null, string | null][] = [
    [t.source_md5, t.target_md5],
    [t.source_sha512, t.target_sha512],
  ];
  const known = pairs.filter(([a, b]) => a && b);
  return {
    step: t.step_id,
    label: t.label,
    runId: win?.run.id ?? null,
    status,
    bytes: t.bytes_done,
    startedAt: t.started_at,
    finishedAt: t.finished_at,
    seconds,
    mbps: status === "done" && seconds !== null ? t.bytes_done / 1e6 / Math.max(seconds, 0.001) : null,
    sourceMd5: t.source_md5,
    targetMd5: t.target_md5,
    checksumsMatch: known.length === 0 ? null : known.every(([a, b]) => a!.toLowerCase() === b!.toLowerCase()),
  };
}

/** Average over busy time and peak aggregate rate (see the module comment), in MB/s. */
export function throughput(done: Pick<TransferInfo, "bytes" | "startedAt" | "finishedAt">[]): { avg: number | null; peak: number | null } {
  const spans = done
    .filter((t) => t.finishedAt)
    .map((t) => ({ a: ms(t.startedAt), b: Math.max(ms(t.finishedAt), ms(t.startedAt) + 1), bytes: t.bytes }))
    .filter((s) => !Number.isNaN(s.a) && !Number.isNaN(s.b));
  if (spans.length === 0) return { avg: null, peak: null };
  const sorted = [...spans].sort((x, y) => x.a - y.a);
  let busy = 0;
  let curA = sorted[0]!.a;
  let curB = sorted[0]!.b;
  for (const s of sorted.slice(1)) {
    if (s.a > curB) {
      busy += curB - curA;
      curA = s.a;
      curB = s.b;
    } else curB = Math.max(curB, s.b);
  }
  busy += curB - curA;
  const bytes = spans.reduce((n, s) => n + s.bytes, 0);
  const points = [...new Set(spans.flatMap((s) => [s.a, s.b]))].sort((x, y) => x - y);
  let peak = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const mid = (points[i]! + points[i + 1]!) / 2;
    const rate = spans.filter((s) => s.a <= mid && mid < s.b).reduce((n, s) => n + s.bytes / ((s.b - s.a) / 1000), 0);
    peak = Math.max(peak, rate);
  }
  return { avg: bytes / 1e6 / (busy / 1000), peak: peak / 1e6 };
}
