import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { executePlan } from "../../src/executor/run.js";
import { StateStore } from "../../src/executor/state.js";
import { LineProgress } from "../../src/executor/progress.js";
import { acquireLock, forceUnlock } from "../../src/executor/lock.js";
import { LockHeldError, ApiError } from "../../src/errors.js";
import type { ResourceKind } from "../../src/kinds/types.js";
import type { Plan } from "../../src/model/plan.js";
import { computeWaves } from "../../src/plan/graph.js";
import { fakeKind } from "../helpers/fake-kind.js";

/** A plan of fake "keypair" steps with the given dependencies. */
function fakePlan(deps: Record<string, string[]>): Plan {
  const steps: Plan["steps"] = {};
  for (const [id, d] of Object.entries(deps)) {
    steps[id] = { kind: "keypair", action: "create", dependsOn: d, params: {}, options: {}, source: { id, digest: "sha256:x" } };
  }
  return {
    formatVersion: 1,
    tool: { name: "scs-migrate", version: "test" },
    name: "t",
    createdAt: "2026-01-01T00:00:00Z",
    source: { cloud: "a", region: null, project_id: "p", project_name: null, auth_url: "x", inventoryDigest: "d" },
    target: { cloud: "b", region: null, project_id: "q", project_name: null, auth_url: "y", inventoryDigest: "d" },
    options: { cutover: "cold", throughputMBps: 100 },
    mappings: { flavors: {}, images: {}, volumeTypes: {}, availabilityZones: {}, externalNetwork: null },
    preflight: { quotas: [], findings: [] },
    estimate: { bytes: 0, seconds: 0 },
    waves: computeWaves(Object.entries(deps).map(([id, d]) => ({ id, dependsOn: d }))),
    steps,
    integrity: "x",
  };
}

/** A fake kind recording the order of applies, failing where told. */
function recordingKind(log: string[], failOn: Set<string>, created: Map<string, number>): ResourceKind {
  return fakeKind(async (ctx) => {
    for (const d of ctx.step.dependsOn) ctx.targetIdOf(d); // throws if a dependency has no target yet
    if (failOn.has(ctx.stepId)) throw new Error("boom");
    log.push(ctx.stepId);
    const n = (created.get(ctx.stepId) ?? 0) + 1;
    created.set(ctx.stepId, n);
    return { outcome: n === 1 ? "created" : "adopted", targetId: `t-${ctx.stepId}` };
  });
}

let dir: string;
let state: StateStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "smig-exec-"));
  state = StateStore.open(join(dir, "state.db"));
});
afterEach(() => {
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

const quiet = new LineProgress(() => {});
const run = (plan: Plan, kind: ResourceKind, extra: Partial<Parameters<typeof executePlan>[0]> = {}) =>
  executePlan({
    plan,
    state,
    runId: state.startRun("apply", "digest", "test", {}),
    source: {} as never,
    target: {} as never,
    kinds: new Map([["keypair", kind]]),
    reporter: quiet,
    options: { cutover: "cold", pollMs: 1, waitTimeoutMs: 1000 },
    ...extra,
  });

describe("executor", () => {
  it("never starts a step before its dependencies", async () => {
    const log: string[] = [];
    const plan = fakePlan({ "keypair/c": ["keypair/b"], "keypair/b": ["keypair/a"], "keypair/a": [], "keypair/d": ["keypair/a", "keypair/c"] });
    const res = await run(plan, recordingKind(log, new Set(), new Map()));
    expect(res.status).toBe("completed");
    for (const [id, step] of Object.entries(plan.steps)) {
      for (const dep of step.dependsOn) {
        expect(log.indexOf(dep), `${id} created before ${dep}`).toBeLessThan(log.indexOf(id));
      }
    }
  });

  it("blocks dependents of a failed step and still runs independent ones", async () => {
    const log: string[] = [];
    const plan = fakePlan({ "keypair/a": [], "keypair/b": ["keypair/a"], "keypair/c": ["keypair/b"], "keypair/x": [] });
    const res = await run(plan, recordingKind(log, new Set(["keypair/a"]), new Map()));
    expect(res.status).toBe("partially_failed");
    expect(res.failed.map((f) => f.step)).toEqual(["keypair/a"]);
    expect(res.blocked.map((b) => b.step).sort()).toEqual(["keypair/b", "keypair/c"]);
    expect(log).toEqual(["keypair/x"]);
    expect(state.getStep("keypair/c")!.status).toBe("blocked");
  });

  it("resumes: a second run retries failed and blocked steps and leaves done ones alone", async () => {
    const log: string[] = [];
    const created = new Map<string, number>();
    const plan = fakePlan({ "keypair/a": [], "keypair/b": ["keypair/a"], "keypair/x": [] });
    const fail = new Set(["keypair/a"]);
    await run(plan, recordingKind(log, fail, created));
    fail.clear();
    const res = await run(plan, recordingKind(log, fail, created));
    expect(res.status).toBe("completed");
    expect(created.get("keypair/x")).toBe(1);
    expect(created.get("keypair/a")).toBe(1);
    expect(log).toEqual(["keypair/x", "keypair/a", "keypair/b"]);
  });

  it("retries transient API errors inside one run", async () => {
    let calls = 0;
    const kind = recordingKind([], new Set(), new Map());
    const flaky: ResourceKind = {
      ...kind,
      apply: async (ctx) => {
        calls++;
        if (calls === 1) throw new ApiError("503", { method: "POST", url: "u", status: 503, fault: "server", retryable: true });
        return kind.apply(ctx);
      },
    };
    const res = await run(fakePlan({ "keypair/a": [] }), flaky);
    expect(res.status).toBe("completed");
    expect(calls).toBe(2);
    expect(state.getStep("keypair/a")!.attempts).toBe(2);
  });

  it("writes the state file with mode 0600", () => {
    expect(statSync(join(dir, "state.db")).mode & 0o777).toBe(0o600);
  });
});

describe("lock", () => {
  it("refuses a second holder and names the first; force-unlock needs the id", () => {
    const first = acquireLock(state, "apply", "t");
    const other = StateStore.open(join(dir, "state.db"));
    try {
      expect(() => acquireLock(other, "apply", "t")).toThrow(LockHeldError);
      expect(() => forceUnlock(other, "wrong-id")).toThrow(/does not match/);
      forceUnlock(other, first.info.id);
      const second = acquireLock(other, "apply", "t");
      second.release();
    } finally {
      first.release();
      other.close();
    }
  });

  it("takes over a lock whose process is gone", () => {
    const held = state.tryLock("apply", () => false);
    expect(held.ok).toBe(true);
    // Pretend the holder was a process that no longer exists.
    (state as unknown as { stmt(sql: string): { run(...a: unknown[]): void } }).stmt("UPDATE lock SET pid = ?").run(2 ** 22 + 12345);
    const next = acquireLock(state, "apply", "t");
    expect(next.info.pid).toBe(process.pid);
    next.release();
  });
});
