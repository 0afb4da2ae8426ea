/**
 * `rollback` as a library call: deletes everything this migration created on
 * the target, in reverse dependency order (servers before their ports and
 * volumes, routers before subnets, …). What to delete is found through the
 * state file and, for creates a crash left unrecorded, through the markers
 * (each kind's find()). Kinds never delete what they adopted (an adopted
 * security group only loses the rules this migration added). Idempotent: a
 * second rollback finds nothing to do. Temporary resources left by an
 * interrupted copy are removed on both clouds.
 */
import PQueue from "p-queue";
import { KIND_BY_ID, KINDS } from "../kinds/index.js";
import type { RunOptions } from "../kinds/types.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import { planDigest } from "../plan/io.js";
import type { Plan } from "../model/plan.js";
import { describeError } from "../errors.js";
import { TOOL_VERSION } from "../version.js";
import { openMigration, type Connector } from "./open.js";
import type { ProgressReporter } from "./progress.js";
import { makeApplyContext } from "./run.js";

export interface RollbackResult {
  plan: Plan;
  removed: string[];
  /** Adopted resources (e.g. the default security group) put back as they were, not deleted. */
  restored: string[];
  failed: { step: string; error: string }[];
  ms: number;
}

export interface RollbackOptions {
  connect: Connector;
  reporter: ProgressReporter;
  pollMs?: number;
  concurrency?: number;
}

/** Rolls back the migration in `dir`. */
export async function rollbackMigration(dir: string, opts: RollbackOptions): Promise<RollbackResult> {
  const started = Date.now();
  const m = await openMigration(dir, { lock: "rollback", connect: opts.connect, requireState: true });
  try {
    const { plan, state, source, target } = m;
    const concurrency = opts.concurrency ?? 6;
    const runId = state.startRun("rollback", planDigest(plan), TOOL_VERSION, { concurrency });
    const options: RunOptions = { cutover: plan.options.cutover, pollMs: opts.pollMs ?? 1000, waitTimeoutMs: 60 * 60_000 };
    const rows = new Map(state.listSteps().map((r) => [r.step_id, r]));
    const removed: string[] = [];
    const restored: string[] = [];
    const failed: { step: string; error: string }[] = [];
    const abort = new AbortController();
    const total = Object.values(plan.steps).filter((s) => s.action !== "skip").length;
    opts.reporter.emit({ type: "run-start", runId, total, done: 0, operation: "rollback" });
    const blockedBy = new Set<string>();
    for (const wave of [...plan.waves].reverse()) {
      const queue = new PQueue({ concurrency });
      for (const id of wave) {
        const step = plan.steps[id]!;
        if (step.action === "skip") continue;
        void queue.add(async () => {
          const t0 = Date.now();
          const ctx = makeApplyContext({ plan, state, runId, source, target, options, reporter: opts.reporter }, id, abort.signal);
          const kind = KIND_BY_ID.get(step.kind)!;
          try {
            const row = rows.get(id);
            const targetId = row?.target_id ?? (await kind.find(ctx));
            // Why apart: remove() of an adopted resource only undoes this migration's changes; it still exists.
            const adopted = row?.target_id ? row.outcome === "adopted" : false;
            if (targetId) {
              await kind.remove(ctx, targetId);
              (adopted ? restored : removed).push(id);
            }
            await removeTemps(ctx.pendingTemps(), source, target);
            state.tx(() => {
              state.unmapId(id);
              state.resetStep(id);
              state.clearStepData(id);
              state.event(runId, id, "step-removed", { targetId: targetId ?? null });
            });
            opts.reporter.emit({ type: "step-done", step: id, outcome: targetId ? (adopted ? "restored" : "removed") : "absent", targetId: targetId ?? null, ms: Date.now() - t0 });
          } catch (err) {
            failed.push({ step: id, error: `${id}: ${describeError(err)}` });
            blockedBy.add(id);
            state.event(runId, id, "step-failed", { error: describeError(err) });
            opts.reporter.emit({ type: "step-failed", step: id, error: describeError(err) });
          }
        });
      }
      await queue.onIdle();
    }
    const ms = Date.now() - started;
    const status = failed.length ? "partially_failed" : "completed";
    state.finishRun(runId, status, { removed: removed.length, restored: restored.length, failed: failed.length, ms });
    opts.reporter.emit({ type: "run-end", runId, status, counts: { removed: removed.length, restored: restored.length, failed: failed.length }, ms });
    return { plan, removed, restored, failed, ms };
  } finally {
    m.close();
  }
}

/** Deletes temporary resources a crashed copy left (snapshots, volumes, images) on either cloud, through the kind that knows them. */
async function removeTemps(temps: { side: "source" | "target"; kind: string; id: string; done: () => void }[], source: OpenStackCloud, target: OpenStackCloud): Promise<void> {
  for (const t of temps) {
    const cloud = t.side === "source" ? source : target;
    for (const kind of KINDS) if (kind.removeTemp && (await kind.removeTemp(cloud, t.kind, t.id))) break;
    t.done();
  }
}
