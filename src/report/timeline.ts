/**
 * The run timeline: when each step of each counted run started and ended,
 * reconstructed from the event log (step-start … step-done/step-failed), and
 * where each transfer falls. Offsets are seconds since the first counted run
 * started.
 *
 * Quirk: a killed process writes no run-end and no step end; the next run
 * marks it `interrupted` with the restart time as finish. The real end of
 * such a run is its last trace (event or transfer start), and steps still
 * open then end there as `interrupted`.
 */
import type { EventRow, RunRow, RunStatus, TransferRow } from "../executor/state.js";
import type { StepResult } from "./model.js";
import type { TransferInfo } from "./transfers.js";

/** One bar of the timeline: a step's work within one run. */
export interface TimelineBar {
  step: string;
  kind: string;
  runId: number;
  /** Seconds since the first run started. */
  start: number;
  end: number;
  result: StepResult;
  attempts: number;
}

/** One run on the timeline. */
export interface TimelineRun {
  id: number;
  kind: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string;
  start: number;
  end: number;
}

/** A transfer on the timeline. */
export interface TimelineTransfer {
  step: string;
  label: string;
  runId: number;
  start: number;
  end: number;
  bytes: number;
  status: TransferInfo["status"];
}

/** A counted run with its effective start and end (epoch milliseconds). */
export interface RunWindow {
  run: RunRow;
  start: number;
  end: number;
}

/** Whether a run applied the plan (apply, or the apply phase of a drill). */
export function isApplyingRun(r: Pick<RunRow, "kind">): boolean {
  return r.kind === "apply" || r.kind === "drill";
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));

/** The effective time window of each counted run. */
export function runWindows(runs: RunRow[], eventsByRun: Map<number, EventRow[]>, transfers: TransferRow[], now: Date): RunWindow[] {
  return runs.map((run, i) => {
    const start = ms(run.started_at);
    const nextStart = i + 1 < runs.length ? ms(runs[i + 1]!.started_at) : Infinity;
    const traces = finite((eventsByRun.get(run.id) ?? []).map((e) => ms(e.ts)));
    for (const t of transfers) {
      const ts = ms(t.started_at);
      if (ts >= start && ts < nextStart) traces.push(...finite([ts, ms(t.finished_at)]));
    }
    const lastTrace = Math.max(start, ...traces);
    let end: number;
    if (run.status === "running") end = Math.max(lastTrace, now.getTime());
    else if (run.status === "interrupted") end = lastTrace;
    else end = Number.isFinite(ms(run.finished_at)) ? ms(run.finished_at) : lastTrace;
    return { run, start, end: Math.max(start, end) };
  });
}

/** Bars, runs and transfers of the timeline. */
export function buildTimeline(
  windows: RunWindow[],
  eventsByRun: Map<number, EventRow[]>,
  transfers: TransferRow[],
): { origin: string | null; runs: TimelineRun[]; bars: TimelineBar[]; transfers: TimelineTransfer[] } {
  const first = windows[0];
  if (!first) return { origin: null, runs: [], bars: [], transfers: [] };
  const origin = first.start;
  const off = (t: number) => (t - origin) / 1000;
  const bars: TimelineBar[] = [];
  for (const w of windows) {
    const open = new Map<string, { start: number; attempts: number; kind: string }>();
    const close = (step: string, end: number, result: StepResult) => {
      const o = open.get(step);
      if (!o) return;
      open.delete(step);
      bars.push({ step, kind: o.kind, runId: w.run.id, start: off(o.start), end: off(Math.max(end, o.start)), result, attempts: o.attempts });
    };
    for (const e of eventsByRun.get(w.run.id) ?? []) {
      if (!e.step_id) continue;
      const t = ms(e.ts);
      if (e.type === "step-start") {
        const o = open.get(e.step_id);
        if (o) o.attempts++;
        else open.set(e.step_id, { start: t, attempts: 1, kind: e.step_id.split("/")[0] ?? "" });
      } else if (e.type === "step-done") {
        close(e.step_id, t, String(e.data.outcome ?? "created") as StepResult);
      } else if (e.type === "step-failed") {
        close(e.step_id, t, "failed");
      }
    }
    const left: StepResult = w.run.status === "running" ? "running" : "interrupted";
    for (const step of [...open.keys()]) close(step, w.end, left);
  }
  bars.sort((a, b) => a.start - b.start || a.step.localeCompare(b.step));

  const tl: TimelineTransfer[] = [];
  for (const t of transfers) {
    const started = ms(t.started_at);
    const w = [...windows].reverse().find((x) => x.start <= started);
    if (!w || started > w.end) continue;
    const status: TimelineTransfer["status"] = t.status === "running" && w.run.status !== "running" ? "interrupted" : t.status;
    const end = Number.isFinite(ms(t.finished_at)) ? ms(t.finished_at) : w.end;
    tl.push({ step: t.step_id, label: t.label, runId: w.run.id, start: off(started), end: off(Math.max(end, started)), bytes: t.bytes_done, status });
  }

  const runs: TimelineRun[] = windows.map((w) => ({
    id: w.run.id,
    kind: w.run.kind,
    status: w.run.status,
    startedAt: w.run.started_at,
    endedAt: new Date(w.end).toISOString(),
    start: off(w.start),
    end: off(w.end),
  }));
  return { origin: new Date(origin).toISOString(), runs, bars, transfers: tl };
}
