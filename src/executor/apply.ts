/**
 * `apply` as a library call: everything around the executor that makes a run
 * safe. In order: read and check the plan (refusing blocking pre-flight
 * findings), take the migration lock, refuse a resume with a different plan,
 * connect both clouds and check they are the projects the plan was made for,
 * re-read the source and refuse drift, run the steps, and finally start again
 * any source server the cutover stopped, so production is never left down.
 */
import { collectInventory } from "../inventory/collect.js";
import { checkStepParams, KIND_BY_ID, KINDS } from "../kinds/index.js";
import type { RunHookContext, RunOptions } from "../kinds/types.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import { blockingFindings } from "../plan/build.js";
import { planDigest, readPlan } from "../plan/io.js";
import type { Plan } from "../model/plan.js";
import { ConfigError, describeError, PlanBlockedError, StalePlanError } from "../errors.js";
import { log } from "../log.js";
import { TOOL_VERSION } from "../version.js";
import { describeDrift, detectDrift } from "./drift.js";
import { acquireLock } from "./lock.js";
import type { ProgressReporter } from "./progress.js";
import { executePlan, STOPPED_PREFIX, type RunResult } from "./run.js";
import { StateStore } from "./state.js";
import { join } from "node:path";

/** How to reach a cloud by its clouds.yaml name (the CLI connects; tests and the demo inject). */
export type Connector = (cloudName: string) => Promise<OpenStackCloud>;

export interface ApplyOptions {
  connect: Connector;
  reporter: ProgressReporter;
  cutover?: "cold" | "live";
  apiConcurrency?: number;
  copyConcurrency?: number;
  /** Attempts per step for transient failures (default DEFAULT_STEP_ATTEMPTS). */
  stepAttempts?: number;
  pollMs?: number;
  waitTimeoutMs?: number;
  signal?: AbortSignal;
  /** Skip the drift check (tests that change the source on purpose). Not offered on the CLI. */
  skipDriftCheck?: boolean;
}

export interface ApplyResult extends RunResult {
  plan: Plan;
  restarted: string[];
}

/** Checks that a connected cloud is the project a plan side was made for. */
export function checkSide(which: "source" | "target", side: Plan["source"], cloud: OpenStackCloud): void {
  if (cloud.projectId !== side.project_id) {
    throw new ConfigError(
      `cloud "${side.cloud}" now gives project ${cloud.projectName ?? cloud.projectId} (${cloud.projectId}), but the plan's ${which} is project ${side.project_name ?? side.project_id} (${side.project_id})`,
      { hint: "Use the credentials the plan was made with, or make a new plan." },
    );
  }
}

/** Applies (or resumes) the migration in folder `dir`. */
export async function applyMigration(dir: string, opts: ApplyOptions): Promise<ApplyResult> {
  const plan = readPlan(join(dir, "plan.json"), checkStepParams);
  const blocking = blockingFindings(plan);
  if (blocking.length > 0) {
    throw new PlanBlockedError(`the plan has ${blocking.length} pre-flight error(s); nothing was changed`, blocking.map((f) => `${f.step ? `${f.step}: ` : ""}${f.message}`), {
      hint: "Fix them (mapping file, quotas on the target) and run `scs-migrate plan` again.",
    });
  }
  const state = StateStore.open(join(dir, "state.db"));
  let source: OpenStackCloud | undefined;
  let target: OpenStackCloud | undefined;
  try {
    const lock = acquireLock(state, "apply", plan.name);
    try {
      const digest = planDigest(plan);
      const first = state.firstPlanDigest();
      const anyDone = state.listSteps().some((s) => s.status === "done" && s.outcome !== "skipped");
      if (first && first !== digest && anyDone) {
        throw new StalePlanError("the plan file changed since this migration started applying it", [`plan digest then ${first}, now ${digest}`], {
          hint: "Finish with the original plan, or `scs-migrate rollback` first and then apply the new plan.",
        });
      }
      source = await opts.connect(plan.source.cloud);
      target = await opts.connect(plan.target.cloud);
      checkSide("source", plan.source, source);
      checkSide("target", plan.target, target);
      if (!opts.skipDriftCheck) {
        const drift = detectDrift(plan, await collectInventory(source));
        const lines = describeDrift(drift);
        if (lines.length > 0) {
          throw new StalePlanError(`the source changed since the plan was made (${lines.length} difference${lines.length === 1 ? "" : "s"})`, lines, {
            hint: `Run \`scs-migrate plan --from ${plan.source.cloud} --to ${plan.target.cloud} --name ${plan.name}\` again and review the new plan.`,
          });
        }
      }
      const interrupted = state.markInterruptedRuns();
      if (interrupted > 0) log.info(`Resuming: an earlier run of ${plan.name} was interrupted`);
      const runOptions: RunOptions = {
        cutover: opts.cutover ?? plan.options.cutover,
        pollMs: opts.pollMs ?? 1000,
        waitTimeoutMs: opts.waitTimeoutMs ?? 60 * 60_000,
      };
      if (opts.cutover && opts.cutover !== plan.options.cutover) {
        for (const s of Object.values(plan.steps)) {
          if (s.kind === "server") (s.options as { cutover: string }).cutover = opts.cutover;
          if (s.kind === "volume") (s.options as { consistency: string }).consistency = opts.cutover === "cold" ? "stop-server" : "snapshot";
        }
      }
      const runId = state.startRun("apply", digest, TOOL_VERSION, { ...runOptions, apiConcurrency: opts.apiConcurrency ?? null, copyConcurrency: opts.copyConcurrency ?? null });
      const result = await executePlan({
        plan,
        state,
        runId,
        source,
        target,
        kinds: KIND_BY_ID,
        reporter: opts.reporter,
        options: runOptions,
        ...(opts.apiConcurrency ? { apiConcurrency: opts.apiConcurrency } : {}),
        ...(opts.copyConcurrency ? { copyConcurrency: opts.copyConcurrency } : {}),
        ...(opts.stepAttempts ? { stepAttempts: opts.stepAttempts } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const restarted = await runAfterHooks(state, source, target, runOptions, opts.reporter);
      return { ...result, plan, restarted };
    } finally {
      lock.release();
    }
  } finally {
    source?.close();
    target?.close();
    state.close();
  }
}

/** Runs every kind's after-run hook (e.g. starting source servers a cold cutover stopped); returns what they restored. */
async function runAfterHooks(state: StateStore, source: OpenStackCloud, target: OpenStackCloud, options: RunOptions, reporter: ProgressReporter): Promise<string[]> {
  const ctx: RunHookContext = {
    source,
    target,
    options,
    sourceStopped: {
      list: () => state.metaWithPrefix(STOPPED_PREFIX).map((m) => m.key.slice(STOPPED_PREFIX.length)),
      clear: (id) => state.deleteMeta(`${STOPPED_PREFIX}${id}`),
    },
    warn: (message) => reporter.emit({ type: "warning", step: null, message }),
  };
  const out: string[] = [];
  for (const kind of KINDS) if (kind.afterRun) out.push(...(await kind.afterRun(ctx)));
  return out;
}
