/**
 * P3 worker: runs the executor over a plan of independent steps of a fake
 * kind whose apply returns at once (or after `latencyMs`), with a real
 * SQLite state file on disk, and reports the wall time. Mode `sqlite` is the
 * baseline: the same number of single-statement write transactions on a
 * bare better-sqlite3 database with the state store's pragmas (WAL,
 * synchronous=NORMAL), i.e. what the state writes alone cost.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { LineProgress } from "../../src/executor/progress.js";
import { executePlan } from "../../src/executor/run.js";
import { StateStore } from "../../src/executor/state.js";
import { computeWaves } from "../../src/plan/graph.js";
import type { Plan } from "../../src/model/plan.js";
import { workerInput, workerMain } from "../lib/child.js";
import { timedFakeKind } from "../../test/helpers/fake-kind.js";

/** What the P3 orchestrator sends. */
export interface P3Input {
  mode: "executor" | "sqlite";
  steps: number;
  latencyMs: number;
  concurrency: number;
  /** Writes per step for the sqlite baseline. */
  writesPerStep?: number;
}

/** What the worker reports (besides its peak RSS). */
export interface P3Output {
  ms: number;
  status: string;
  done: number;
}

function plan(n: number): Plan {
  const steps: Plan["steps"] = {};
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `keypair/k${String(i).padStart(6, "0")}`;
    ids.push(id);
    steps[id] = { kind: "keypair", action: "create", dependsOn: [], params: {}, options: {}, source: { id, digest: "sha256:x" } };
  }
  return {
    formatVersion: 1,
    tool: { name: "scs-migrate", version: "bench" },
    name: "bench",
    createdAt: "2026-01-01T00:00:00Z",
    source: { cloud: "a", region: null, project_id: "p", project_name: null, auth_url: "x", inventoryDigest: "d" },
    target: { cloud: "b", region: null, project_id: "q", project_name: null, auth_url: "y", inventoryDigest: "d" },
    options: { cutover: "cold", throughputMBps: 100 },
    mappings: { flavors: {}, images: {}, volumeTypes: {}, availabilityZones: {}, externalNetwork: null },
    preflight: { quotas: [], findings: [] },
    estimate: { bytes: 0, seconds: 0 },
    waves: computeWaves(ids.map((id) => ({ id, dependsOn: [] }))),
    steps,
    integrity: "x",
  };
}

workerMain(async (): Promise<P3Output> => {
  const inp = workerInput<P3Input>();
  const dir = mkdtempSync(path.join(tmpdir(), "scs-bench-p3-"));
  try {
    if (inp.mode === "sqlite") {
      const db = new Database(path.join(dir, "bare.db"));
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, step TEXT, status TEXT, at TEXT)");
      const ins = db.prepare("INSERT INTO t (step, status, at) VALUES (?, ?, ?)");
      const writes = inp.steps * (inp.writesPerStep ?? 3);
      const t0 = performance.now();
      for (let i = 0; i < writes; i++) db.transaction(() => ins.run(`s${i}`, "done", new Date().toISOString()))();
      const ms = performance.now() - t0;
      db.close();
      return { ms, status: "completed", done: writes };
    }
    const p = plan(inp.steps);
    const state = StateStore.open(path.join(dir, "state.db"));
    try {
      const t0 = performance.now();
      const res = await executePlan({
        plan: p,
        state,
        runId: state.startRun("apply", "digest", "bench", {}),
        source: {} as never,
        target: {} as never,
        kinds: new Map([["keypair", timedFakeKind(inp.latencyMs)]]),
        reporter: new LineProgress(() => {}),
        options: { cutover: "cold", pollMs: 1, waitTimeoutMs: 60_000 },
        apiConcurrency: inp.concurrency,
      });
      const ms = performance.now() - t0;
      return { ms, status: res.status, done: res.counts.created ?? 0 };
    } finally {
      state.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
