/**
 * The report model: everything the Markdown and HTML reports show, computed
 * once from the plan, the state store and (optionally) a verify result, as
 * plain JSON (it is written as report.json, so tooling and dashboards can read
 * the same numbers the people read).
 *
 * Which runs count: the latest apply (or drill) run and the runs it resumed,
 * i.e. every applying run back to the last rollback. A run killed mid-way is
 * found `interrupted` only when the next run starts, so its recorded finish
 * time is the restart time; its real end is taken from its last event instead.
 * Throughput figures are explained in transfers.ts.
 */
import { redactDeep } from "../log.js";
import type { EventRow, RunRow, RunStatus, StateStore, StepOutcome, StepRow } from "../executor/state.js";
import type { VerifyFinding } from "../kinds/types.js";
import { computeWaves } from "../plan/graph.js";
import { KIND_BY_ID } from "../kinds/index.js";
import { MAPPING_SECTIONS, type Plan, type PlanFinding, type QuotaCheck } from "../model/plan.js";
import { buildTimeline, isApplyingRun, runWindows, type TimelineBar, type TimelineRun, type TimelineTransfer } from "./timeline.js";
import { runSettings, type RunSettings } from "./run-settings.js";
import { throughput, transferInfo, type TransferInfo } from "./transfers.js";

export type { RunSettings, TimelineBar, TimelineRun, TimelineTransfer, TransferInfo };

/** Owned by this file; bump on an incompatible change of report.json. */
export const REPORT_FORMAT_VERSION = 1;

/** Where a step stands, as one word: its outcome when done, its status otherwise. */
export type StepResult = "created" | "adopted" | "unchanged" | "skipped" | "failed" | "blocked" | "interrupted" | "running" | "pending";

/** Every step result, in the order reports list them. */
export const STEP_RESULTS: readonly StepResult[] = ["created", "adopted", "unchanged", "skipped", "failed", "blocked", "interrupted", "running", "pending"];

/** One side of the migration. */
export interface ReportCloud {
  cloud: string;
  region: string | null;
  projectId: string;
  projectName: string | null;
}

/** The verify outcome in one word plus counts by severity. */
export interface ReportVerify {
  result: "passed" | "passed_with_warnings" | "failed" | "not_run";
  ranAt: string | null;
  deep: boolean;
  mismatch: number;
  missing: number;
  warning: number;
}

/** The headline numbers. */
export interface ReportSummary {
  migration: string;
  planCreatedAt: string;
  toolVersion: string;
  source: ReportCloud;
  target: ReportCloud;
  status: RunStatus | "not_run";
  /** The cutover the latest counted apply run used (the plan's when none ran). */
  cutover: "cold" | "live";
  runs: number;
  resumed: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  /** Seconds the tool was actually running, summed over the runs. */
  wallSeconds: number | null;
  /** Seconds from the first start to the last finish (includes pauses between runs). */
  elapsedSeconds: number | null;
  steps: { total: number; byResult: Record<StepResult, number> };
  bytesMoved: number;
  bytesPlanned: number;
  estimateSeconds: number;
  transfersDone: number;
  avgMBps: number | null;
  peakMBps: number | null;
  verify: ReportVerify;
}

/** One planned step and what became of it. */
export interface ResourceRow {
  step: string;
  kind: string;
  action: string;
  reason: string | null;
  note: string | null;
  wave: number;
  result: StepResult;
  sourceId: string;
  sourceName: string | null;
  targetId: string | null;
  /** Seconds spent on the step across runs (null when it never ran). */
  seconds: number | null;
  attempts: number;
  error: string | null;
}

/** A floating IP: the address DNS points at today and the one it must point at. */
export interface FloatingIpRow {
  step: string;
  oldAddress: string | null;
  newAddress: string | null;
  fixedIp: string | null;
  port: string | null;
  result: StepResult;
}

/** Time spent on one executed step. */
export interface StepTiming {
  step: string;
  kind: string;
  result: StepResult;
  seconds: number;
  attempts: number;
  runs: number[];
}

/** Time spent per kind. */
export interface KindTiming {
  kind: string;
  steps: number;
  seconds: number;
  maxSeconds: number;
}

/** The whole report. */
export interface ReportModel {
  formatVersion: typeof REPORT_FORMAT_VERSION;
  generatedAt: string;
  summary: ReportSummary;
  runs: { id: number; kind: string; status: RunStatus; startedAt: string; finishedAt: string | null; seconds: number | null; counted: boolean; settings: RunSettings }[];
  resources: ResourceRow[];
  floatingIps: FloatingIpRow[];
  mappings: { type: string; from: string; to: string }[];
  timings: { steps: StepTiming[]; byKind: KindTiming[] };
  transfers: TransferInfo[];
  graph: { nodes: { id: string; kind: string; action: string; result: StepResult; wave: number }[]; edges: { from: string; to: string }[]; waves: string[][] };
  timeline: { origin: string | null; runs: TimelineRun[]; bars: TimelineBar[]; transfers: TimelineTransfer[] };
  warnings: { step: string | null; runId: number | null; message: string }[];
  failures: { step: string | null; type: "failed" | "blocked" | "run"; runId: number | null; message: string }[];
  preflight: { quotas: QuotaCheck[]; findings: PlanFinding[] };
  verifyFindings: { step: string; severity: VerifyFinding["severity"]; field: string; expected: string | null; actual: string | null; message: string }[];
}

/** What `buildReportModel` reads. */
export interface ReportInput {
  plan: Plan;
  state: StateStore;
  verify?: { ranAt: string; findings: VerifyFinding[]; deep: boolean };
  now: Date;
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const show = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v));

/** Builds the report model of one migration (pure apart from reading the state store). */
export function buildReportModel(input: ReportInput): ReportModel {
  const { plan, state, now } = input;
  const allRuns = state.listRuns();
  const counted = countedRuns(allRuns);
  const eventsByRun = new Map<number, EventRow[]>(counted.map((r) => [r.id, state.listEvents(r.id)]));
  const transferRows = state.listTransfers();
  const windows = runWindows(counted, eventsByRun, transferRows, now);
  const timeline = buildTimeline(windows, eventsByRun, transferRows);
  const rows = new Map<string, StepRow>(state.listSteps().map((r) => [r.step_id, r]));
  const idMap = state.idMap();
  const latest = counted.at(-1);

  const waveOf = new Map<string, number>();
  const stepIds = Object.keys(plan.steps);
  const covered = new Set(plan.waves.flat());
  const waves = stepIds.every((id) => covered.has(id))
    ? plan.waves.map((w) => w.filter((id) => id in plan.steps))
    : computeWaves(stepIds.map((id) => ({ id, dependsOn: plan.steps[id]!.dependsOn })));
  waves.forEach((w, i) => w.forEach((id) => waveOf.set(id, i)));

  const secondsOf = new Map<string, number>();
  const runsOf = new Map<string, number[]>();
  for (const b of timeline.bars) {
    secondsOf.set(b.step, (secondsOf.get(b.step) ?? 0) + (b.end - b.start));
    runsOf.set(b.step, [...(runsOf.get(b.step) ?? []), b.runId]);
  }

  const resultOf = (id: string): StepResult => {
    const step = plan.steps[id]!;
    const row = rows.get(id);
    if (!row) return step.action === "skip" ? "skipped" : "pending";
    if (row.status === "done") return (row.outcome ?? "created") as StepOutcome as StepResult;
    if (row.status === "running") return latest?.status === "running" ? "running" : "interrupted";
    return row.status;
  };

  const resources: ResourceRow[] = [];
  for (const wave of waves) {
    for (const id of wave) {
      const step = plan.steps[id]!;
      const row = rows.get(id);
      const result = resultOf(id);
      const fallback = row?.started_at && row.finished_at ? (ms(row.finished_at) - ms(row.started_at)) / 1000 : null;
      resources.push({
        step: id,
        kind: step.kind,
        action: step.action,
        reason: step.reason ?? null,
        note: step.note ?? null,
        wave: waveOf.get(id) ?? 0,
        result,
        sourceId: step.source.id,
        sourceName: step.source.name ?? null,
        targetId: idMap.get(id)?.target_id ?? row?.target_id ?? null,
        seconds: secondsOf.get(id) ?? (step.action === "skip" ? null : fallback),
        attempts: row?.attempts ?? 0,
        error: result === "failed" || result === "blocked" ? (row?.error ?? null) : null,
      });
    }
  }

  const byResult = Object.fromEntries(STEP_RESULTS.map((r) => [r, 0])) as Record<StepResult, number>;
  for (const r of resources) byResult[r.result]++;

  const transfers = transferRows.filter((t) => t.step_id in plan.steps).map((t) => transferInfo(t, windows));
  const done = transfers.filter((t) => t.status === "done");
  const { avg, peak } = throughput(done);

  // Every kind whose resources have public addresses tells how they changed (the DNS table).
  const floatingIps: FloatingIpRow[] = resources.flatMap((r) => {
    const kind = KIND_BY_ID.get(r.kind);
    if (!kind?.addressChange || r.action === "skip") return [];
    const c = kind.addressChange(plan.steps[r.step]!, idMap.get(r.step)?.extra ?? {});
    return [{ step: r.step, oldAddress: c.oldAddress, newAddress: c.newAddress, fixedIp: c.fixedIp, port: c.target, result: r.result }];
  });

  const timings = stepTimings(resources, runsOf);
  const warnings = collectWarnings(plan, rows, eventsByRun);
  const failures: ReportModel["failures"] = [];
  for (const run of counted) {
    const err = run.summary.error;
    if (run.status === "failed" && err) failures.push({ step: null, type: "run", runId: run.id, message: String(err) });
  }
  const problemRun = new Map<string, number>();
  for (const [runId, events] of eventsByRun) {
    for (const e of events) if (e.step_id && (e.type === "step-failed" || e.type === "step-blocked")) problemRun.set(e.step_id, runId);
  }
  for (const r of resources) {
    if (r.result === "failed" || r.result === "blocked") failures.push({ step: r.step, type: r.result, runId: problemRun.get(r.step) ?? rows.get(r.step)?.run_id ?? null, message: r.error ?? r.result });
  }

  const verify = input.verify;
  const sev = (s: VerifyFinding["severity"]) => verify?.findings.filter((f) => f.severity === s).length ?? 0;
  const verifySummary: ReportVerify = {
    result: !verify ? "not_run" : sev("mismatch") + sev("missing") > 0 ? "failed" : sev("warning") > 0 ? "passed_with_warnings" : "passed",
    ranAt: verify?.ranAt ?? null,
    deep: verify?.deep ?? false,
    mismatch: sev("mismatch"),
    missing: sev("missing"),
    warning: sev("warning"),
  };

  const first = windows[0];
  const last = windows.at(-1);
  const cloud = (c: Plan["source"]): ReportCloud => ({ cloud: c.cloud, region: c.region, projectId: c.project_id, projectName: c.project_name });
  const model: ReportModel = {
    formatVersion: REPORT_FORMAT_VERSION,
    generatedAt: now.toISOString(),
    summary: {
      migration: plan.name,
      planCreatedAt: plan.createdAt,
      toolVersion: plan.tool.version,
      source: cloud(plan.source),
      target: cloud(plan.target),
      status: latest?.status ?? "not_run",
      cutover: (latest && runSettings(latest).cutover) || plan.options.cutover,
      runs: counted.length,
      resumed: counted.length > 1,
      startedAt: first?.run.started_at ?? null,
      finishedAt: last && last.run.status !== "running" ? new Date(last.end).toISOString() : null,
      wallSeconds: windows.length ? windows.reduce((s, w) => s + (w.end - w.start) / 1000, 0) : null,
      elapsedSeconds: first && last ? (last.end - first.start) / 1000 : null,
      steps: { total: resources.length, byResult },
      bytesMoved: done.reduce((s, t) => s + t.bytes, 0),
      bytesPlanned: plan.estimate.bytes,
      estimateSeconds: plan.estimate.seconds,
      transfersDone: done.length,
      avgMBps: avg,
      peakMBps: peak,
      verify: verifySummary,
    },
    runs: allRuns.map((r) => {
      const w = windows.find((x) => x.run.id === r.id);
      const end = w ? w.end : ms(r.finished_at);
      return { id: r.id, kind: r.kind, status: r.status, startedAt: r.started_at, finishedAt: w ? new Date(w.end).toISOString() : r.finished_at, seconds: Number.isNaN(end) ? null : (end - ms(r.started_at)) / 1000, counted: !!w, settings: runSettings(r) };
    }),
    resources,
    floatingIps,
    mappings: mappingRows(plan),
    timings,
    transfers,
    graph: {
      nodes: resources.map((r) => ({ id: r.step, kind: r.kind, action: r.action, result: r.result, wave: r.wave })),
      edges: stepIds.flatMap((id) => plan.steps[id]!.dependsOn.filter((d) => d in plan.steps).map((d) => ({ from: d, to: id }))),
      waves,
    },
    timeline: {
      ...timeline,
      // NOTE: the state may know steps this plan does not (an edited plan); the report shows the plan's.
      bars: timeline.bars.filter((b) => b.step in plan.steps).map((b) => ({ ...b, kind: plan.steps[b.step]!.kind })),
      transfers: timeline.transfers.filter((t) => t.step in plan.steps),
    },
    warnings,
    failures,
    preflight: { quotas: plan.preflight.quotas, findings: plan.preflight.findings },
    verifyFindings: (verify?.findings ?? []).map((f) => ({ step: f.step, severity: f.severity, field: f.field, expected: show(f.expected), actual: show(f.actual), message: f.message })),
  };
  return redactDeep(model);
}

/** The latest applying run and the applying runs before it, back to the last rollback. */
function countedRuns(runs: RunRow[]): RunRow[] {
  const out: RunRow[] = [];
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i]!;
    if (r.kind === "rollback") break;
    if (isApplyingRun(r)) out.unshift(r);
  }
  return out;
}

function stepTimings(resources: ResourceRow[], runsOf: Map<string, number[]>): ReportModel["timings"] {
  const steps: StepTiming[] = resources
    .filter((r) => runsOf.has(r.step))
    .map((r) => ({ step: r.step, kind: r.kind, result: r.result, seconds: r.seconds ?? 0, attempts: r.attempts, runs: [...new Set(runsOf.get(r.step))] }))
    .sort((a, b) => b.seconds - a.seconds || a.step.localeCompare(b.step));
  const kinds = new Map<string, KindTiming>();
  for (const s of steps) {
    const k = kinds.get(s.kind) ?? { kind: s.kind, steps: 0, seconds: 0, maxSeconds: 0 };
    k.steps++;
    k.seconds += s.seconds;
    k.maxSeconds = Math.max(k.maxSeconds, s.seconds);
    kinds.set(s.kind, k);
  }
  return { steps, byKind: [...kinds.values()].sort((a, b) => b.seconds - a.seconds) };
}

function collectWarnings(plan: Plan, rows: Map<string, StepRow>, eventsByRun: Map<number, EventRow[]>): ReportModel["warnings"] {
  const out: ReportModel["warnings"] = [];
  const seen = new Set<string>();
  const add = (step: string | null, runId: number | null, message: string) => {
    const key = `${step}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ step, runId, message });
  };
  for (const [runId, events] of eventsByRun) {
    for (const e of events) if (e.type === "warning") add(e.step_id, runId, String(e.data.message ?? ""));
  }
  for (const [id, row] of rows) {
    // NOTE: a skipped step's "warning" is its skip reason, which the resource table shows already.
    if (!(id in plan.steps) || row.status === "skipped") continue;
    for (const w of row.warnings) add(id, row.run_id, w);
  }
  return out;
}

function mappingRows(plan: Plan): ReportModel["mappings"] {
  const m = plan.mappings;
  const out: ReportModel["mappings"] = [];
  for (const { key, label } of MAPPING_SECTIONS) for (const [from, to] of Object.entries(m[key])) out.push({ type: label, from, to });
  if (m.externalNetwork) out.push({ type: "external network", from: "(public network)", to: m.externalNetwork });
  return out;
}
