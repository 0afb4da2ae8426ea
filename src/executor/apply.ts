/**
 * `apply` as a library call: everything around the executor that makes a run
 * safe. In order: open the migration (plan checked, lock, clouds of the
 * planned projects) refusing blocking pre-flight findings, run options the
 * plan contradicts and a resume with a different plan; re-read the source and
 * refuse drift, run the steps, and finally start again any source server the
 * cutover stopped, so production is never left down.
 *
 * The plan is the contract: `cutover` is the plan's. A different one on the
 * command line is refused rather than applied, because plan.json would then
 * say one thing while the run did another; what a run did is recorded in its
 * `runs` row (ApplyRunSettings) for `status` and the report.
 */
import { collectInventory } from "../inventory/collect.js";
import { KIND_BY_ID, KINDS } from "../kinds/index.js";
import type { RunHookContext, RunOptions } from "../kinds/types.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import { blockingFindings } from "../plan/build.js";
import { planDigest } from "../plan/io.js";
import { checkQuotas, quotaNeeds, quotaShortfall } from "../plan/preflight.js";
import type { Plan } from "../model/plan.js";
import { describeError, PlanBlockedError, StalePlanError, UsageError } from "../errors.js";
import { log } from "../log.js";
import { TOOL_VERSION } from "../version.js";
import { describeDrift, detectDrift } from "./drift.js";
import { openMigration, type Connector } from "./open.js";
import { files } from "./migration-dir.js";
import { existsSync, readFileSync } from "node:fs";
import type { Inventory } from "../model/inventory.js";
import type { ProgressReporter } from "./progress.js";
import { DEFAULT_API_CONCURRENCY, DEFAULT_COPY_CONCURRENCY, DEFAULT_STEP_ATTEMPTS, executePlan, STOPPED_PREFIX, type RunResult } from "./run.js";
import type { StateStore } from "./state.js";

/**
 * What an apply run was told to do, as recorded in its `runs.options` (read
 * back by src/report/run-settings.ts): the plan fixes the cutover, the
 * command line the rest. Older state files lack some fields (null there
 * meant the default).
 */
export interface ApplyRunSettings {
  cutover: "cold" | "live";
  apiConcurrency: number;
  copyConcurrency: number;
  stepAttempts: number;
  pollMs: number;
  waitTimeoutMs: number;
  /** False when the source was not re-read for drift (library callers only). */
  driftCheck: boolean;
}

export interface ApplyOptions {
  connect: Connector;
  reporter: ProgressReporter;
  /** Must equal the plan's cutover when given (a check, not an override). */
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
  /** Source servers started again after the cutover, by name (and short id). */
  restarted: string[];
  settings: ApplyRunSettings;
}

/** Refuses a plan that pre-flight blocked, and run options that contradict the plan. */
function checkPlanForApply(plan: Plan, opts: ApplyOptions): void {
  const blocking = blockingFindings(plan);
  if (blocking.length > 0) {
    throw new PlanBlockedError(`the plan has ${blocking.length} pre-flight error(s); nothing was changed`, blocking.map((f) => `${f.step ? `${f.step}: ` : ""}${f.message}`), {
      hint: "Fix them (mapping file, quotas on the target) and run `scs-migrate plan` again.",
    });
  }
  if (opts.cutover && opts.cutover !== plan.options.cutover) {
    throw new UsageError(`--cutover ${opts.cutover} differs from the plan's cutover (${plan.options.cutover}); nothing was changed`, {
      hint: `The plan is the contract that was reviewed: plan again with --cutover ${opts.cutover} (\`scs-migrate plan --from ${plan.source.cloud} --to ${plan.target.cloud} --name ${plan.name} --cutover ${opts.cutover}\`), or leave --cutover out to apply the plan's.`,
    });
  }
}

/** Refuses resuming a migration with a plan other than the one its applied steps came from. */
function checkResumedPlan(plan: Plan, state: StateStore): void {
  const digest = planDigest(plan);
  const first = state.firstPlanDigest();
  const anyDone = state.listSteps().some((s) => s.status === "done" && s.outcome !== "skipped");
  if (first && first !== digest && anyDone) {
    throw new StalePlanError("the plan file changed since this migration started applying it", [`plan digest then ${first}, now ${digest}`], {
      hint: "Finish with the original plan, or `scs-migrate rollback` first and then apply the new plan.",
    });
  }
}

/** The source inventory kept beside the plan, where it is there and readable (details of drift only). */
function storedSourceInventory(dir: string): Inventory | undefined {
  const path = files(dir).sourceInventory;
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Inventory;
  } catch (err) {
    log.debug(`${path} unreadable, drift is named without details: ${describeError(err)}`);
    return undefined;
  }
}

/** Refuses a plan whose source changed since planning. */
async function checkDrift(plan: Plan, source: OpenStackCloud, dir: string): Promise<void> {
  const lines = describeDrift(detectDrift(plan, await collectInventory(source), storedSourceInventory(dir)));
  if (lines.length > 0) {
    throw new StalePlanError(`the source changed since the plan was made (${lines.length} difference${lines.length === 1 ? "" : "s"})`, lines, {
      hint: `Run \`scs-migrate plan --from ${plan.source.cloud} --to ${plan.target.cloud} --name ${plan.name}\` again and review the new plan.`,
    });
  }
}

/**
 * Refuses a run whose remaining steps no longer fit the target's quotas.
 * Why again at apply time: quotas may have been lowered (or used up by
 * something else) since the plan was checked, and finding out at the second
 * server means half a tenant created and gigabytes copied for nothing. Only
 * steps not done yet count; what earlier runs made is already "in use". A
 * step an interrupted run was in the middle of may have created its resource
 * (then counted in use), so it is left out rather than counted twice: a
 * resume must not be refused for room the migration already holds.
 */
async function checkTargetQuotas(plan: Plan, state: StateStore, target: OpenStackCloud): Promise<void> {
  const started = new Set(["done", "skipped", "running", "interrupted"]);
  const done = new Set(state.listSteps().filter((s) => started.has(s.status)).map((s) => s.step_id));
  const todo = Object.entries(plan.steps).filter(([id, s]) => s.action !== "skip" && !done.has(id)).map(([id, s]) => ({ ...s, id }));
  if (todo.length === 0) return;
  const inv = await collectInventory(target);
  const short = checkQuotas(quotaNeeds(todo, inv), inv).filter((q) => !q.ok);
  if (short.length > 0) {
    throw new PlanBlockedError(`the target's quotas no longer fit the ${todo.length} step(s) still to do; nothing was changed`, short.map(quotaShortfall), {
      hint: "Raise the quotas on the target (or free resources there) and run apply again; `scs-migrate plan` shows the quota table.",
    });
  }
}

/** What this run does: the plan's cutover and the caller's options with their defaults filled in. */
export function applySettings(plan: Plan, opts: Omit<ApplyOptions, "connect" | "reporter">): ApplyRunSettings {
  return {
    cutover: plan.options.cutover,
    apiConcurrency: opts.apiConcurrency ?? DEFAULT_API_CONCURRENCY,
    copyConcurrency: opts.copyConcurrency ?? DEFAULT_COPY_CONCURRENCY,
    stepAttempts: opts.stepAttempts ?? DEFAULT_STEP_ATTEMPTS,
    pollMs: opts.pollMs ?? 1000,
    waitTimeoutMs: opts.waitTimeoutMs ?? 60 * 60_000,
    driftCheck: !opts.skipDriftCheck,
  };
}

/** Applies (or resumes) the migration in folder `dir` (or of that name). */
export async function applyMigration(dir: string, opts: ApplyOptions): Promise<ApplyResult> {
  const m = await openMigration(dir, {
    lock: "apply",
    connect: opts.connect,
    checkPlan: (plan) => checkPlanForApply(plan, opts),
    checkState: checkResumedPlan,
  });
  try {
    const { plan, state, source, target } = m;
    if (!opts.skipDriftCheck) await checkDrift(plan, source, m.dir);
    await checkTargetQuotas(plan, state, target);
    const interrupted = state.markInterruptedRuns();
    if (interrupted > 0) log.info(`Resuming: an earlier run of ${plan.name} was interrupted`);
    const settings = applySettings(plan, opts);
    const runOptions: RunOptions = { cutover: settings.cutover, pollMs: settings.pollMs, waitTimeoutMs: settings.waitTimeoutMs };
    const runId = state.startRun("apply", planDigest(plan), TOOL_VERSION, { ...settings });
    const result = await executePlan({
      plan,
      state,
      runId,
      source,
      target,
      kinds: KIND_BY_ID,
      reporter: opts.reporter,
      options: runOptions,
      apiConcurrency: settings.apiConcurrency,
      copyConcurrency: settings.copyConcurrency,
      stepAttempts: settings.stepAttempts,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const restarted = (await runAfterHooks(state, source, target, runOptions, opts.reporter)).map((id) => sourceLabel(plan, id));
    return { ...result, plan, restarted, settings };
  } finally {
    m.close();
  }
}

/** A source resource as a person knows it: its name from the plan's steps with the short id, else the id. */
function sourceLabel(plan: Plan, sourceId: string): string {
  const step = Object.values(plan.steps).find((s) => s.source.id === sourceId);
  return step?.source.name ? `${step.source.name} (${sourceId.slice(0, 8)})` : sourceId;
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
