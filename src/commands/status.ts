/**
 * `scs-migrate status NAME`: the per-step table from the state file (status,
 * outcome, attempts, target id, error), the runs, and the lock if one is held.
 * Read-only; works while apply runs.
 */
import { existsSync } from "node:fs";
import { StateStore } from "../executor/state.js";
import { out } from "../log.js";
import { readPlan } from "../plan/io.js";
import { UsageError } from "../errors.js";
import { files, migrationDir } from "../executor/migration-dir.js";

export async function run(migration: string, opts: { json?: boolean }): Promise<number> {
  const dir = migrationDir(migration);
  const f = files(dir);
  const plan = readPlan(f.plan);
  if (!existsSync(f.state)) {
    out(`${plan.name}: not applied yet (${Object.keys(plan.steps).length} steps planned)`);
    return 0;
  }
  const state = StateStore.open(f.state);
  try {
    const rows = new Map(state.listSteps().map((r) => [r.step_id, r]));
    const runs = state.listRuns();
    const lock = state.readLock();
    if (opts.json) {
      out(JSON.stringify({ migration: plan.name, runs, lock: lock ?? null, steps: Object.keys(plan.steps).sort().map((id) => rows.get(id) ?? { step_id: id, status: "pending" }) }, null, 2));
      return 0;
    }
    const lines: string[] = [];
    const last = runs[runs.length - 1];
    lines.push(`Migration ${plan.name}: ${runs.length} run(s)${last ? `, last ${last.kind} ${last.status} (started ${last.started_at})` : ""}`);
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
    out(lines.join("\n"));
    return 0;
  } finally {
    state.close();
  }
}

/** Guards commands that need a state file. */
export function requireState(dir: string): string {
  const f = files(dir);
  if (!existsSync(f.state)) throw new UsageError(`${dir} has no state yet: nothing has been applied`);
  return f.state;
}
