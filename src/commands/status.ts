/**
 * `scs-migrate status NAME`: the per-step table from the state file (status,
 * outcome, attempts, target id, error), the runs with what each was told to
 * do (cutover, concurrency), data transfers not finished (bytes done of
 * total, written about once a second by the run), and the lock if one is
 * held. Read-only; works while apply runs.
 */
import { existsSync, statSync } from "node:fs";
import { files, requireMigration } from "../executor/migration-dir.js";
import { StateStore } from "../executor/state.js";
import { checkStepParams } from "../kinds/index.js";
import type { LockInfo } from "../errors.js";
import type { RunRow, StepRow, TransferRow } from "../executor/state.js";
import { out } from "../log.js";
import { readPlan } from "../plan/io.js";
import type { Plan } from "../model/plan.js";
import { describeRunSettings, runSettings } from "../report/run-settings.js";
import { fmtBytes } from "../util/format.js";

export async function run(migration: string, opts: { json?: boolean }): Promise<number> {
  const dir = requireMigration(migration);
  // Why size 0 counts as absent: an apply that could not write a byte (full disk) leaves the empty file it created first.
  if (!existsSync(files(dir).state) || statSync(files(dir).state).size === 0) {
    const plan = readPlan(files(dir).plan);
    out(`${plan.name}: not applied yet (${Object.keys(plan.steps).length} steps planned)`);
    return 0;
  }
  // Why not openMigration: status must work on a read-only folder and while apply runs, so it opens the state read-only.
  const plan = readPlan(files(dir).plan, checkStepParams);
  const state = StateStore.openReadOnly(files(dir).state);
  try {
    const rows = new Map(state.listSteps().map((r) => [r.step_id, r]));
    const runs = state.listRuns().map((r) => ({ ...r, settings: runSettings(r) }));
    const lock = state.readLock();
    const transfers = state.listTransfers().map(transferView);
    if (opts.json) {
      const steps = Object.keys(plan.steps).sort().map((id) => rows.get(id) ?? { step_id: id, status: "pending" });
      out(JSON.stringify({ migration: plan.name, runs, lock: lock ?? null, transfers, steps }, null, 2));
      return 0;
    }
    out(renderStatus(plan, runs, lock, rows, transfers.filter((t) => t.status === "running" || t.status === "interrupted")));
    return 0;
  } finally {
    state.close();
  }
}

/** The terminal rendering: a headline, the runs, the lock, one line per step and the counts. */
/** A transfer as status shows it. */
interface TransferView {
  step: string;
  label: string;
  status: TransferRow["status"];
  bytesDone: number;
  bytesTotal: number | null;
  startedAt: string;
  finishedAt: string | null;
}

function transferView(t: TransferRow): TransferView {
  return { step: t.step_id, label: t.label, status: t.status, bytesDone: t.bytes_done, bytesTotal: t.bytes_total, startedAt: t.started_at, finishedAt: t.finished_at };
}

/** "12.0 MiB of 64.0 MiB (19 %)", or without total where the size was unknown. */
function describeBytes(t: TransferView): string {
  if (t.bytesTotal === null || t.bytesTotal <= 0) return `${fmtBytes(t.bytesDone)} copied`;
  return `${fmtBytes(t.bytesDone)} of ${fmtBytes(t.bytesTotal)} (${Math.floor((100 * t.bytesDone) / t.bytesTotal)} %)`;
}

function renderStatus(plan: Plan, runs: RunRow[], lock: LockInfo | undefined, rows: Map<string, StepRow>, transfers: TransferView[]): string {
  const lines: string[] = [];
  const last = runs[runs.length - 1];
  lines.push(`Migration ${plan.name}: ${runs.length} run(s)${last ? `, last ${last.kind} ${last.status} (started ${last.started_at})` : ""}`);
  for (const r of runs) {
    const settings = describeRunSettings(runSettings(r));
    lines.push(`  run ${r.id}: ${r.kind} ${r.status.replace("_", " ")}, started ${r.started_at}${settings ? `; ${settings}` : ""}`);
  }
  for (const t of transfers) lines.push(`Transfer ${t.status}: ${t.step} ${t.label}: ${describeBytes(t)}`);
  if (lock) lines.push(`Locked by ${lock.who} (pid ${lock.pid}, ${lock.operation} since ${lock.createdAt}, heartbeat ${lock.heartbeatAt}, lock id ${lock.id})`);
  lines.push("");
  const w = Math.max(10, ...Object.keys(plan.steps).map((s) => s.length)) + 2;
  lines.push(`${"STEP".padEnd(w)}${"STATUS".padEnd(10)}${"OUTCOME".padEnd(10)}${"TRIES".padEnd(7)}TARGET / ERROR`);
  const counts: Record<string, number> = {};
  for (const id of Object.keys(plan.steps).sort()) {
    const r = rows.get(id);
    const status = r?.status ?? "pending";
    counts[status] = (counts[status] ?? 0) + 1;
    const detail = r?.error ?? r?.target_id ?? "";
    lines.push(`${id.padEnd(w)}${status.padEnd(10)}${(r?.outcome ?? "").padEnd(10)}${String(r?.attempts ?? 0).padEnd(7)}${detail}`);
  }
  lines.push("");
  lines.push(Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", "));
  return lines.join("\n");
}
