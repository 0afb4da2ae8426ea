/**
 * `verify` as a library call: compares every applied step's target resource
 * with what the plan asked for (the source's attributes after mapping),
 * through each kind's read-only verify(). Steps the plan wanted but the target
 * lacks are "missing". The findings are written to verify.json for the
 * report. `deep` also compares volume data by checksum.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import PQueue from "p-queue";
import { KIND_BY_ID } from "../kinds/index.js";
import type { RunOptions, VerifyFinding } from "../kinds/types.js";
import { planDigest } from "../plan/io.js";
import type { Plan } from "../model/plan.js";
import { describeError } from "../errors.js";
import { TOOL_VERSION } from "../version.js";
import { openMigration, type Connector } from "./open.js";
import type { ProgressReporter } from "./progress.js";
import { makeApplyContext } from "./run.js";

export interface VerifyResult {
  ranAt: string;
  deep: boolean;
  findings: VerifyFinding[];
  checked: number;
  ok: boolean;
}

export interface VerifyOptions {
  connect: Connector;
  reporter: ProgressReporter;
  deep?: boolean;
  pollMs?: number;
  concurrency?: number;
}

/** Verifies the migration in `dir` against its target. */
export async function verifyMigration(dir: string, opts: VerifyOptions): Promise<VerifyResult & { plan: Plan }> {
  // Why the lock only when deep: deep verify creates temporary exports with derived names that a second writer would delete under it.
  const m = await openMigration(dir, { lock: opts.deep ? "verify" : false, connect: opts.connect, requireState: true });
  try {
    const { plan, state, source, target } = m;
    const concurrency = opts.concurrency ?? 8;
    const runId = state.startRun("verify", planDigest(plan), TOOL_VERSION, { deep: Boolean(opts.deep), concurrency });
    const options: RunOptions = { cutover: plan.options.cutover, pollMs: opts.pollMs ?? 1000, waitTimeoutMs: 60 * 60_000 };
    const rows = new Map(state.listSteps().map((r) => [r.step_id, r]));
    const findings: VerifyFinding[] = [];
    const queue = new PQueue({ concurrency });
    let checked = 0;
    const abort = new AbortController();
    for (const [id, step] of Object.entries(plan.steps)) {
      if (step.action === "skip") continue;
      const row = rows.get(id);
      if (!row || row.status !== "done" || !row.target_id) {
        findings.push({ step: id, severity: "missing", field: "(resource)", message: `${id}: not applied (${row?.status ?? "pending"}${row?.error ? `: ${row.error}` : ""})` });
        continue;
      }
      const kind = KIND_BY_ID.get(step.kind)!;
      const targetId = row.target_id;
      void queue.add(async () => {
        const ctx = makeApplyContext({ plan, state, runId, source, target, options, reporter: opts.reporter }, id, abort.signal);
        try {
          findings.push(...(await kind.verify(ctx, targetId, { deep: Boolean(opts.deep) })));
        } catch (err) {
          findings.push({ step: id, severity: "mismatch", field: "(verify)", message: `${id}: could not be checked: ${describeError(err)}` });
        }
        checked++;
      });
    }
    await queue.onIdle();
    findings.sort((a, b) => a.step.localeCompare(b.step) || a.field.localeCompare(b.field));
    const ok = !findings.some((f) => f.severity !== "warning");
    const result: VerifyResult = { ranAt: new Date().toISOString(), deep: Boolean(opts.deep), findings, checked, ok };
    writeFileSync(join(m.dir, "verify.json"), JSON.stringify(result, null, 2) + "\n");
    state.finishRun(runId, ok ? "completed" : "partially_failed", { findings: findings.length, checked });
    return { ...result, plan };
  } finally {
    m.close();
  }
}
