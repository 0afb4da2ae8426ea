/**
 * The executor: runs a plan's steps in dependency order through two p-queue
 * lanes (cheap API calls, long data copies), recording intent before and the
 * outcome after every step. A step starts as soon as everything it depends on
 * is done, rather than waiting for its whole wave, which shortens runs whose
 * copies differ in length; waves remain the unit of display and review.
 *
 * Failures don't stop independent steps: a failed step's dependents are marked
 * blocked, and the run ends `completed` or `partially_failed`. Kinds are
 * idempotent, so a step left `running` by a killed process is simply applied
 * again and adopts what the crash may have created.
 */
import PQueue from "p-queue";
import { describeError, isRetryable, AuthError, UnreachableError, MigrateError } from "../errors.js";
import type { ApplyContext, ResourceKind, RunOptions } from "../kinds/types.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import type { Plan, Step } from "../model/plan.js";
import type { ProgressReporter } from "./progress.js";
import type { StateStore, StepStatus } from "./state.js";

export const DEFAULT_API_CONCURRENCY = 8;
export const DEFAULT_COPY_CONCURRENCY = 2;
// Why 6: a volume copy makes a dozen calls and streams twice; on a cloud that
// drops one call in ten, three attempts fail too often, and with the backoff
// below six take at most ~11 s of waiting before giving up.
export const DEFAULT_STEP_ATTEMPTS = 6;

export interface ExecuteParams {
  plan: Plan;
  state: StateStore;
  runId: number;
  source: OpenStackCloud;
  target: OpenStackCloud;
  kinds: ReadonlyMap<string, ResourceKind>;
  reporter: ProgressReporter;
  options: RunOptions;
  apiConcurrency?: number;
  copyConcurrency?: number;
  /** Attempts per step for transient failures (the HTTP layer retries single requests already). */
  stepAttempts?: number;
  signal?: AbortSignal;
  /** Only these steps (and nothing else) are run; for tests and targeted retries. */
  only?: Set<string>;
}

export interface RunResult {
  runId: number;
  status: "completed" | "partially_failed" | "failed" | "interrupted";
  counts: Record<string, number>;
  failed: { step: string; error: string }[];
  blocked: { step: string; because: string }[];
  ms: number;
}

/** Builds the per-step context handed to a kind. */
export function makeApplyContext(
  p: Pick<ExecuteParams, "plan" | "state" | "runId" | "source" | "target" | "options" | "reporter">,
  stepId: string,
  signal: AbortSignal,
): ApplyContext {
  const step = p.plan.steps[stepId]!;
  const { state } = p;
  const idOf = (ref: string | { $step: string }): string => {
    const id = typeof ref === "string" ? ref : ref.$step;
    const m = state.mapped(id);
    if (!m) throw new Error(`${stepId}: step ${id} has no target resource yet`);
    return m.target_id;
  };
  return {
    migration: p.plan.name,
    stepId,
    step,
    params: step.params,
    stepOptions: step.options,
    source: p.source,
    target: p.target,
    options: p.options,
    signal,
    targetIdOf: idOf,
    extraOf: (id) => state.mapped(id)?.extra ?? {},
    recordTemp: (side, kind, id) => {
      const row = state.addTemp(stepId, side, kind, id);
      return () => state.markTempDeleted(row);
    },
    pendingTemps: () =>
      state.liveTemps(stepId).map((t) => ({ side: t.side, kind: t.kind, id: t.resource_id, done: () => state.markTempDeleted(t.id) })),
    data: () => state.getStep(stepId)?.data ?? {},
    setData: (patch) => state.setStepData(stepId, patch),
    transfer: (label, bytesTotal) => {
      const id = state.startTransfer(stepId, label, bytesTotal);
      const started = Date.now();
      let lastWrite = 0;
      p.reporter.emit({ type: "transfer-start", step: stepId, id, label, bytesTotal });
      return {
        progress: (bytesDone) => {
          p.reporter.emit({ type: "transfer-progress", step: stepId, id, bytesDone, bytesTotal });
          const t = Date.now();
          // Why: a state write per chunk would cost more than the copy; once a second is enough to resume reporting.
          if (t - lastWrite > 1000) {
            lastWrite = t;
            state.updateTransfer(id, bytesDone);
          }
        },
        done: (r) => {
          state.finishTransfer(id, { status: "done", bytesDone: r.bytes, ...r });
          state.event(p.runId, stepId, "transfer-done", { label, bytes: r.bytes, ms: Date.now() - started, sourceMd5: r.sourceMd5 ?? null, targetMd5: r.targetMd5 ?? null });
          p.reporter.emit({ type: "transfer-done", step: stepId, id, bytes: r.bytes, ms: Date.now() - started });
        },
        failed: () => state.finishTransfer(id, { status: "failed", bytesDone: 0 }),
      };
    },
    memo: (key, fn) => {
      const cache = memoOf(p);
      let v = cache.get(key);
      if (!v) {
        v = fn().catch((err) => {
          cache.delete(key);
          throw err;
        });
        cache.set(key, v);
      }
      return v as Promise<never>;
    },
    sourceStopped: {
      mark: (id) => state.setMeta(`${STOPPED_PREFIX}${id}`, stepId),
      has: (id) => state.getMeta(`${STOPPED_PREFIX}${id}`) !== undefined,
      clear: (id) => state.deleteMeta(`${STOPPED_PREFIX}${id}`),
    },
    wait: { minDelay: p.options.pollMs, maxDelay: Math.max(p.options.pollMs * 10, 5000), timeoutMs: p.options.waitTimeoutMs, signal },
    warn: (message) => {
      state.event(p.runId, stepId, "warning", { message });
      p.reporter.emit({ type: "warning", step: stepId, message });
    },
  };
}

/** State meta keys of source servers a step stopped (so they are started again after a crash). */
export const STOPPED_PREFIX = "stopped:";

const memos = new WeakMap<object, Map<string, Promise<unknown>>>();
/** The lookup cache of one run (keyed by the run's parameter object). */
function memoOf(p: object): Map<string, Promise<unknown>> {
  let m = memos.get(p);
  if (!m) {
    m = new Map();
    memos.set(p, m);
  }
  return m;
}

/** Errors that end the whole run rather than one step: nothing else can succeed either. */
function isRunFatal(err: unknown): boolean {
  return err instanceof AuthError || err instanceof UnreachableError;
}

/** Runs (or resumes) a plan. The lock must be held by the caller. */
export async function executePlan(p: ExecuteParams): Promise<RunResult> {
  const started = Date.now();
  const { plan, state, runId, reporter } = p;
  const ids = Object.keys(plan.steps).filter((id) => !p.only || p.only.has(id));
  state.ensureSteps(ids.map((id) => ({ id, kind: plan.steps[id]!.kind })));

  const status = new Map<string, StepStatus>();
  for (const id of ids) {
    const step = plan.steps[id]!;
    const row = state.getStep(id)!;
    if (step.action === "skip") {
      if (row.status !== "skipped") state.markSkipped(id, step.reason ?? "skipped");
      status.set(id, "skipped");
    } else if (row.status === "done") {
      status.set(id, "done");
    } else {
      // running (a crash), failed or blocked (an earlier run): all are applied again.
      status.set(id, "pending");
    }
  }
  // Why apart: "17 already done" for steps that are only skips would claim work that no run did.
  const doneAtStart = [...status.values()].filter((s) => s === "done").length;
  const skipped = [...status.values()].filter((s) => s === "skipped").length;
  reporter.emit({ type: "run-start", runId, total: ids.length, done: doneAtStart, skipped, operation: "apply" });
  state.event(runId, null, "run-start", { total: ids.length, done: doneAtStart, skipped });

  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(p.signal?.reason);
  p.signal?.addEventListener("abort", onOuterAbort, { once: true });

  const lanes = {
    api: new PQueue({ concurrency: p.apiConcurrency ?? DEFAULT_API_CONCURRENCY }),
    copy: new PQueue({ concurrency: p.copyConcurrency ?? DEFAULT_COPY_CONCURRENCY }),
  };
  const failed: { step: string; error: string }[] = [];
  const blocked: { step: string; because: string }[] = [];
  let fatal: unknown;

  const dependents = new Map<string, string[]>();
  for (const id of ids) for (const d of plan.steps[id]!.dependsOn) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(id);

  const depState = (id: string): "ready" | "wait" | { blockedBy: string } => {
    for (const d of plan.steps[id]!.dependsOn) {
      const s = status.get(d) ?? (state.getStep(d)?.status as StepStatus | undefined) ?? "done";
      if (s === "failed" || s === "blocked") return { blockedBy: d };
      if (s !== "done" && s !== "skipped") return "wait";
    }
    return "ready";
  };

  const block = (id: string, because: string) => {
    if (status.get(id) !== "pending") return;
    status.set(id, "blocked");
    state.markBlocked(id, because);
    blocked.push({ step: id, because });
    state.event(runId, id, "step-blocked", { because });
    reporter.emit({ type: "step-blocked", step: id, because });
    for (const dep of dependents.get(id) ?? []) block(dep, `depends on ${id}, which is blocked`);
  };

  await new Promise<void>((resolveAll) => {
    let inFlight = 0;
    const finishIfIdle = () => {
      if (inFlight === 0) resolveAll();
    };
    const schedule = (id: string) => {
      if (status.get(id) !== "pending") return;
      if (fatal || abort.signal.aborted) return;
      const ds = depState(id);
      if (ds === "wait") return;
      if (typeof ds === "object") {
        const why = status.get(ds.blockedBy) === "failed" ? `depends on ${ds.blockedBy}, which failed` : `depends on ${ds.blockedBy}, which is blocked`;
        block(id, why);
        return;
      }
      const step = plan.steps[id]!;
      const kind = p.kinds.get(step.kind);
      if (!kind) {
        status.set(id, "failed");
        state.markFailed(id, `no kind module for "${step.kind}"`);
        failed.push({ step: id, error: `no kind module for "${step.kind}"` });
        for (const dep of dependents.get(id) ?? []) block(dep, `depends on ${id}, which failed`);
        return;
      }
      status.set(id, "running");
      inFlight++;
      void lanes[kind.lane(step)]
        .add(() => runStep(id, step, kind))
        .finally(() => {
          inFlight--;
          for (const dep of dependents.get(id) ?? []) schedule(dep);
          finishIfIdle();
        });
    };

    const runStep = async (id: string, step: Step, kind: ResourceKind): Promise<void> => {
      const attempts = p.stepAttempts ?? DEFAULT_STEP_ATTEMPTS;
      const t0 = Date.now();
      for (let attempt = 1; ; attempt++) {
        if (fatal || abort.signal.aborted) {
          status.set(id, "pending");
          return;
        }
        // Intent and its event in one commit: one fsync-able write less per step.
        state.tx(() => {
          state.markRunning(id, runId);
          state.event(runId, id, "step-start", { attempt });
        });
        reporter.emit({ type: "step-start", step: id, attempt });
        try {
          const ctx = makeApplyContext(p, id, abort.signal);
          const out = await kind.apply(ctx);
          crashHook(id);
          state.tx(() => {
            state.mapId(id, step.kind, step.source.id, out.targetId, out.extra ?? {});
            state.markDone(id, out.outcome, out.targetId, out.warnings ?? []);
            state.event(runId, id, "step-done", { outcome: out.outcome, targetId: out.targetId, ms: Date.now() - t0 });
          });
          for (const w of out.warnings ?? []) reporter.emit({ type: "warning", step: id, message: w });
          status.set(id, "done");
          reporter.emit({ type: "step-done", step: id, outcome: out.outcome, targetId: out.targetId, ms: Date.now() - t0 });
          return;
        } catch (err) {
          if (abort.signal.aborted) {
            status.set(id, "pending");
            return;
          }
          if (isRunFatal(err)) {
            fatal = err;
            status.set(id, "pending");
            abort.abort(err);
            return;
          }
          const msg = `${id}: ${describeError(err)}`;
          if (attempt < attempts && (isRetryable(err) || isTransientCopyError(err))) {
            state.event(runId, id, "step-retry", { attempt, error: msg });
            reporter.emit({ type: "step-retry", step: id, attempt, error: describeError(err) });
            await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)));
            continue;
          }
          status.set(id, "failed");
          if (kind.cleanup) {
            try {
              await kind.cleanup(makeApplyContext(p, id, abort.signal));
            } catch (cleanupErr) {
              reporter.emit({ type: "warning", step: id, message: `temporary resources could not be removed: ${describeError(cleanupErr)}` });
            }
          }
          state.markFailed(id, msg);
          state.event(runId, id, "step-failed", { error: msg, code: err instanceof MigrateError ? err.code : "E_UNKNOWN" });
          failed.push({ step: id, error: msg });
          reporter.emit({ type: "step-failed", step: id, error: describeError(err) });
          for (const dep of dependents.get(id) ?? []) block(dep, `depends on ${id}, which failed`);
          return;
        }
      }
    };

    for (const id of ids) schedule(id);
    finishIfIdle();
  });
  p.signal?.removeEventListener("abort", onOuterAbort);

  // A step or transfer still "running" once the run is over was cut off by an interrupt; it resumes next time.
  state.markInterruptedWork();
  const counts: Record<string, number> = {};
  for (const row of state.listSteps()) {
    if (p.only && !p.only.has(row.step_id)) continue;
    const key = row.status === "done" ? (row.outcome ?? "done") : row.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  let end: RunResult["status"];
  if (fatal) end = "failed";
  else if (abort.signal.aborted || p.signal?.aborted) end = "interrupted";
  else if (failed.length > 0 || blocked.length > 0) end = "partially_failed";
  else end = "completed";
  const ms = Date.now() - started;
  state.finishRun(runId, end, { counts, failed: failed.length, blocked: blocked.length, ms, ...(fatal ? { error: describeError(fatal) } : {}) });
  state.event(runId, null, "run-end", { status: end, counts, ms });
  reporter.emit({ type: "run-end", runId, status: end, counts, ms });
  if (fatal) throw fatal;
  return { runId, status: end, counts, failed, blocked, ms };
}

/**
 * Crash tests only: with SCS_MIGRATE_CRASH_AFTER_APPLY=<step id or prefix*>
 * the process kills itself after a matching step's cloud calls returned and
 * before their outcome is written, the one moment a plain SIGKILL from
 * outside cannot hit on purpose. Unset in normal use.
 */
function crashHook(stepId: string): void {
  const want = process.env.SCS_MIGRATE_CRASH_AFTER_APPLY;
  if (!want) return;
  const hit = want.endsWith("*") ? stepId.startsWith(want.slice(0, -1)) : stepId === want;
  if (hit) process.kill(process.pid, "SIGKILL");
}

/** Data-path failures that a fresh attempt can fix (a cut stream, a checksum mismatch after a cut). */
function isTransientCopyError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === "E_TRANSFER" || code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE";
}
