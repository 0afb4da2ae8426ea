/**
 * The disaster-recovery drill: plan, apply, verify, report and roll back in
 * one unattended run, measuring
 * - recovery time: from the start of the drill until the copy is verified
 *   (what a real recovery would take), and
 * - data age: how old the oldest copied data is at that moment (the first
 *   byte read from the source until verification: the recovery point).
 * Live cutover is the default: a drill must not stop production servers.
 * Any failure (blocking pre-flight, failed step, verify mismatch, rollback
 * failure) makes the drill fail; the JSON summary says which phase.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyMigration } from "../executor/apply.js";
import { openMigration, type Connector } from "../executor/open.js";
import type { ProgressReporter } from "../executor/progress.js";
import { rollbackMigration } from "../executor/rollback.js";
import { verifyMigration } from "../executor/verify.js";
import { describeError, MigrateError } from "../errors.js";
import { blockingFindings } from "../plan/build.js";
import type { MappingFile } from "../mapping/mapping-file.js";
import { writeMigrationReport } from "../report/write.js";
import { planMigration } from "./plan-migration.js";

export interface DrillOptions {
  name: string;
  dir: string;
  from: string;
  to: string;
  mapping: MappingFile;
  connect: Connector;
  reporter: ProgressReporter;
  keep: boolean;
  deep: boolean;
  cutover: "cold" | "live";
  pollMs?: number;
  apiConcurrency?: number;
  copyConcurrency?: number;
}

export type DrillPhase = "plan" | "apply" | "verify" | "report" | "rollback";

export interface DrillSummary {
  name: string;
  source: string;
  target: string;
  startedAt: string;
  finishedAt: string;
  status: "passed" | "failed";
  failedPhase: DrillPhase | null;
  errors: string[];
  recoveryTimeSeconds: number | null;
  dataAgeSeconds: number | null;
  phases: Partial<Record<DrillPhase, { seconds: number; ok: boolean }>>;
  steps: Record<string, number>;
  bytesCopied: number;
  verify: { ok: boolean; checked: number; findings: number; deep: boolean } | null;
  rollback: { removed: number; failed: number } | null;
  kept: boolean;
  report: string | null;
}

/** Runs a whole drill. Never throws for a drill failure: the summary says what failed. */
export async function runDrill(o: DrillOptions): Promise<DrillSummary> {
  const t0 = Date.now();
  const s: DrillSummary = {
    name: o.name,
    source: o.from,
    target: o.to,
    startedAt: new Date(t0).toISOString(),
    finishedAt: "",
    status: "failed",
    failedPhase: null,
    errors: [],
    recoveryTimeSeconds: null,
    dataAgeSeconds: null,
    phases: {},
    steps: {},
    bytesCopied: 0,
    verify: null,
    rollback: null,
    kept: o.keep,
    report: null,
  };
  mkdirSync(o.dir, { recursive: true });
  const phase = async <T>(p: DrillPhase, fn: () => Promise<T>, ok: (r: T) => boolean): Promise<T | undefined> => {
    const t = Date.now();
    try {
      const r = await fn();
      const good = ok(r);
      s.phases[p] = { seconds: (Date.now() - t) / 1000, ok: good };
      if (!good && !s.failedPhase) s.failedPhase = p;
      return r;
    } catch (err) {
      s.phases[p] = { seconds: (Date.now() - t) / 1000, ok: false };
      if (!s.failedPhase) s.failedPhase = p;
      s.errors.push(`${p}: ${describeError(err)}${err instanceof MigrateError && err.details.length ? ` (${err.details.slice(0, 5).join("; ")})` : ""}`);
      return undefined;
    }
  };

  const planned = await phase(
    "plan",
    async () => {
      const src = await o.connect(o.from);
      const dst = await o.connect(o.to);
      try {
        return await planMigration({ name: o.name, dir: o.dir, source: src, target: dst, mapping: o.mapping, cutover: o.cutover });
      } finally {
        src.close();
        dst.close();
      }
    },
    (r) => {
      const blocking = blockingFindings(r.plan);
      for (const f of blocking) s.errors.push(`plan: ${f.step ? `${f.step}: ` : ""}${f.message}`);
      return blocking.length === 0;
    },
  );

  let applied = false;
  let verified: Awaited<ReturnType<typeof verifyMigration>> | undefined;
  if (planned && !s.failedPhase) {
    const r = await phase(
      "apply",
      () =>
        applyMigration(o.dir, {
          connect: o.connect,
          reporter: o.reporter,
          cutover: o.cutover,
          ...(o.pollMs ? { pollMs: o.pollMs } : {}),
          ...(o.apiConcurrency ? { apiConcurrency: o.apiConcurrency } : {}),
          ...(o.copyConcurrency ? { copyConcurrency: o.copyConcurrency } : {}),
        }),
      (r) => r.status === "completed",
    );
    applied = r !== undefined;
    if (r) {
      s.steps = r.counts;
      for (const f of r.failed) s.errors.push(`apply: ${f.error}`);
      for (const b of r.blocked) s.errors.push(`apply: ${b.step} blocked (${b.because})`);
    }
    verified = await phase(
      "verify",
      () => verifyMigration(o.dir, { connect: o.connect, reporter: o.reporter, deep: o.deep, ...(o.pollMs ? { pollMs: o.pollMs } : {}) }),
      (v) => v.ok,
    );
    const v = verified;
    if (v) {
      s.verify = { ok: v.ok, checked: v.checked, findings: v.findings.length, deep: v.deep };
      for (const f of v.findings.filter((x) => x.severity !== "warning").slice(0, 20)) s.errors.push(`verify: ${f.message}`);
      if (v.ok && !s.failedPhase) {
        const verifiedAt = Date.parse(v.ranAt);
        s.recoveryTimeSeconds = (verifiedAt - t0) / 1000;
        // Without any copied bytes the data is as old as the inventory the plan was made from.
        s.dataAgeSeconds = (verifiedAt - ((await firstDataRead(o.dir)) ?? t0)) / 1000;
      }
    }
  }

  if (planned) {
    await phase(
      "report",
      async () => {
        const { model, paths } = await writeMigrationReport(o.dir);
        s.bytesCopied = model.summary.bytesMoved;
        s.report = paths.html;
      },
      () => true,
    );
  }

  if (applied && !o.keep) {
    const rb = await phase("rollback", () => rollbackMigration(o.dir, { connect: o.connect, reporter: o.reporter, ...(o.pollMs ? { pollMs: o.pollMs } : {}) }), (r) => r.failed.length === 0);
    if (rb) {
      s.rollback = { removed: rb.removed.length, failed: rb.failed.length };
      for (const f of rb.failed) s.errors.push(`rollback: ${f.error}`);
    }
  }

  s.finishedAt = new Date().toISOString();
  s.status = s.failedPhase ? "failed" : "passed";
  writeFileSync(join(o.dir, "drill.json"), JSON.stringify(s, null, 2) + "\n");
  return s;
}

/** When the first byte was read from the source: the start of the earliest transfer. */
async function firstDataRead(dir: string): Promise<number | null> {
  const m = await openMigration(dir);
  try {
    const starts = m.state.listTransfers().map((t) => Date.parse(t.started_at)).filter((n) => !Number.isNaN(n));
    return starts.length ? Math.min(...starts) : null;
  } finally {
    m.close();
  }
}
