/**
 * A realistic synthetic migration for the report tests: a plan of 16 steps and
 * a state file written through StateStore's own methods, with a controlled
 * clock. Run 1 is killed after ten seconds while the image copy runs; run 2
 * resumes 2.5 hours later, copies the image and a volume (overlapping), fails
 * one server (after a retry) and blocks the floating IP that depends on it.
 * One server has a hostile name, to prove the reports escape user data.
 * `largePlan` and `writeLargeState` give 1,200 steps for the "still renders"
 * checks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateStore } from "../../src/executor/state.js";
import { computeWaves } from "../../src/plan/graph.js";
import type { Plan, Step } from "../../src/model/plan.js";

export const GiB = 1024 ** 3;
export const HOSTILE = "server/<script>alert(1)<_script>";
export const IMAGE_BYTES = 2 * GiB;
export const VOLUME_BYTES = 6 * GiB;

type Def = [id: string, kind: Step["kind"], deps: string[], extra?: Partial<Step>];

const DEFS: Def[] = [
  ["keypair/deploy", "keypair", []],
  ["network/app-net", "network", []],
  ["subnet/app-subnet", "subnet", ["network/app-net"]],
  ["router/edge", "router", ["subnet/app-subnet"]],
  ["security-group/web", "security-group", [], { action: "adopt" }],
  ["security-group/db", "security-group", []],
  ["image/Ubuntu 24.04", "image", [], { action: "skip", reason: "skip_standard_image_on_target", note: "standard image exists on the target" }],
  ["image/shop-golden", "image", [], { bytes: IMAGE_BYTES }],
  ["volume/db-data", "volume", [], { bytes: VOLUME_BYTES }],
  ["port/web-1", "port", ["subnet/app-subnet", "security-group/web"]],
  ["port/db-1", "port", ["subnet/app-subnet", "security-group/db"]],
  ["server/web-1", "server", ["port/web-1", "keypair/deploy", "image/shop-golden"]],
  ["server/db-1", "server", ["port/db-1", "volume/db-data", "keypair/deploy"]],
  [HOSTILE, "server", ["port/web-1"], { source: { id: "srv-evil", name: '<script>alert("x")</script>', digest: "sha256:e" } }],
  ["floating-ip/203.0.113.10", "floating-ip", ["port/web-1", "router/edge"], { source: { id: "fip-10", name: "203.0.113.10", digest: "sha256:f", facts: { address: "203.0.113.10", fixed_ip_address: "10.0.0.11" } }, params: { port: { $step: "port/web-1" } } }],
  ["floating-ip/203.0.113.11", "floating-ip", ["port/db-1", "router/edge", "server/db-1"], { source: { id: "fip-11", name: "203.0.113.11", digest: "sha256:g", facts: { address: "203.0.113.11", fixed_ip_address: "10.0.0.12" } }, params: { port: { $step: "port/db-1" } } }],
];

/** The plan of the sample migration. */
export function samplePlan(): Plan {
  const steps: Plan["steps"] = {};
  for (const [id, kind, deps, extra] of DEFS) {
    steps[id] = { kind, action: "create", dependsOn: deps, params: {}, options: {}, source: { id: `src-${id.split("/")[1]}`, name: id.split("/")[1], digest: "sha256:x" }, ...extra };
  }
  return {
    formatVersion: 1,
    tool: { name: "scs-migrate", version: "0.1.0" },
    name: "acme-shop",
    createdAt: "2026-03-01T16:20:00.000Z",
    source: { cloud: "old-cloud", region: "RegionOne", project_id: "6f1c0d9a", project_name: "acme-shop", auth_url: "https://keystone.old.example/v3", inventoryDigest: "sha256:a" },
    target: { cloud: "scs-de-1", region: "de-1", project_id: "b7e2aa41", project_name: "acme-shop-new", auth_url: "https://keystone.new.example/v3", inventoryDigest: "sha256:b" },
    options: { cutover: "cold", throughputMBps: 100 },
    mappings: { flavors: { "m1.small": "SCS-2V-4", "m1.large": "SCS-4V-16" }, images: { "Ubuntu 24.04": "Ubuntu 24.04" }, volumeTypes: { ssd: "__DEFAULT__" }, availabilityZones: {}, externalNetwork: "public" },
    preflight: {
      quotas: [{ resource: "cores", needed: 8, in_use: 0, limit: 20, ok: true }],
      findings: [{ severity: "warning", code: "flavor_rounded_up", step: "server/web-1", message: "flavor m1.small has no exact match; SCS-2V-4 chosen" }],
    },
    estimate: { bytes: IMAGE_BYTES + VOLUME_BYTES, seconds: 190 },
    waves: computeWaves(DEFS.map(([id, , deps]) => ({ id, dependsOn: deps }))),
    steps,
    integrity: "sha256:i",
  };
}

/** Writes the state of the two runs; `at` sets the clock every StateStore write reads. */
export function writeSampleState(state: StateStore, plan: Plan, at: (iso: string) => void): void {
  const T1 = "2026-03-02T09:00:";
  const T2 = "2026-03-02T11:3";
  const start = (run: number, id: string, t: string, attempt = 1) => {
    at(t);
    state.markRunning(id, run);
    state.event(run, id, "step-start", { attempt });
  };
  const done = (run: number, id: string, t: string, outcome: "created" | "adopted", targetId: string, extra: Record<string, unknown> = {}, warnings: string[] = []) => {
    at(t);
    state.mapId(id, plan.steps[id]!.kind, plan.steps[id]!.source.id, targetId, extra);
    state.markDone(id, outcome, targetId, warnings);
    state.event(run, id, "step-done", { outcome, targetId, ms: 0 });
  };
  const copy = (run: number, id: string, label: string, from: string, to: string, bytes: number, md5: string) => {
    at(from);
    const x = state.startTransfer(id, label, bytes);
    at(to);
    state.finishTransfer(x, { status: "done", bytesDone: bytes, sourceMd5: md5, targetMd5: md5 });
    state.event(run, id, "transfer-done", { label, bytes, ms: Date.parse(to) - Date.parse(from), sourceMd5: md5, targetMd5: md5 });
  };

  // Run 1: killed while copying the image.
  at(`${T1}00.000Z`);
  const r1 = state.startRun("apply", "sha256:i", "0.1.0", {});
  state.ensureSteps(Object.entries(plan.steps).map(([id, s]) => ({ id, kind: s.kind })));
  state.markSkipped("image/Ubuntu 24.04", "skip_standard_image_on_target");
  state.event(r1, null, "run-start", { total: 16, done: 0 });
  for (const id of ["keypair/deploy", "network/app-net", "security-group/web", "security-group/db"]) start(r1, id, `${T1}01.000Z`);
  start(r1, "image/shop-golden", `${T1}01.500Z`);
  done(r1, "keypair/deploy", `${T1}01.800Z`, "created", "deploy");
  done(r1, "security-group/web", `${T1}02.000Z`, "adopted", "t-sg-web");
  at(`${T1}02.500Z`);
  state.startTransfer("image/shop-golden", "image shop-golden", IMAGE_BYTES);
  done(r1, "network/app-net", `${T1}03.000Z`, "created", "t-net");
  start(r1, "subnet/app-subnet", `${T1}03.200Z`);
  done(r1, "security-group/db", `${T1}04.000Z`, "created", "t-sg-db");
  done(r1, "subnet/app-subnet", `${T1}05.000Z`, "created", "t-subnet");
  start(r1, "router/edge", `${T1}05.100Z`);
  done(r1, "router/edge", `${T1}10.000Z`, "created", "t-router");

  // Run 2, two and a half hours later: resumes.
  at(`${T2}0:00.000Z`);
  state.markInterruptedRuns();
  const r2 = state.startRun("apply", "sha256:i", "0.1.0", {});
  state.event(r2, null, "run-start", { total: 16, done: 7 });
  start(r2, "image/shop-golden", `${T2}0:01.000Z`);
  start(r2, "volume/db-data", `${T2}0:01.000Z`);
  start(r2, "port/web-1", `${T2}0:01.000Z`);
  start(r2, "port/db-1", `${T2}0:01.000Z`);
  done(r2, "port/web-1", `${T2}0:03.000Z`, "created", "t-port-web");
  done(r2, "port/db-1", `${T2}0:03.000Z`, "created", "t-port-db");
  copy(r2, "image/shop-golden", "image shop-golden", `${T2}0:02.000Z`, `${T2}0:22.000Z`, IMAGE_BYTES, "5d41402abc4b2a76b9719d911017c592");
  copy(r2, "volume/db-data", "volume db-data", `${T2}0:03.000Z`, `${T2}0:43.000Z`, VOLUME_BYTES, "7d793037a0760186574b0282f2f435e7");
  start(r2, HOSTILE, `${T2}0:03.000Z`);
  start(r2, "floating-ip/203.0.113.10", `${T2}0:03.000Z`);
  done(r2, "floating-ip/203.0.113.10", `${T2}0:05.000Z`, "created", "t-fip-10", { address: "198.51.100.23" });
  done(r2, "image/shop-golden", `${T2}0:25.000Z`, "created", "t-img");
  start(r2, "server/web-1", `${T2}0:25.000Z`);
  at(`${T2}0:30.000Z`);
  state.event(r2, HOSTILE, "warning", { message: "flavor <img src=x onerror=alert(2)> | replaced" });
  done(r2, HOSTILE, `${T2}0:40.000Z`, "created", "t-evil");
  done(r2, "volume/db-data", `${T2}0:45.000Z`, "created", "t-vol");
  start(r2, "server/db-1", `${T2}0:45.000Z`);
  at(`${T2}0:50.000Z`);
  state.event(r2, "server/db-1", "step-retry", { attempt: 1, error: "server/db-1: 503 from nova" });
  start(r2, "server/db-1", `${T2}0:51.000Z`, 2);
  at(`${T2}0:58.000Z`);
  const err = "server/db-1: quota exceeded for cores: requested 8, available 4 (HTTP 403, request req-4711)";
  state.markFailed("server/db-1", err);
  state.event(r2, "server/db-1", "step-failed", { error: err, code: "E_API" });
  state.markBlocked("floating-ip/203.0.113.11", "depends on server/db-1, which failed");
  state.event(r2, "floating-ip/203.0.113.11", "step-blocked", { because: "depends on server/db-1, which failed" });
  done(r2, "server/web-1", `${T2}1:10.000Z`, "created", "t-web", {}, ["config drive is not offered on the target; user data re-applied"]);
  at(`${T2}1:10.000Z`);
  state.finishRun(r2, "partially_failed", { counts: {}, failed: 1, blocked: 1, ms: 70_000 });
  state.event(r2, null, "run-end", { status: "partially_failed", counts: {}, ms: 70_000 });
}

/** A temp folder with the sample plan and state; `cleanup` closes and removes it. */
export function openSample(at: (iso: string) => void): { dir: string; plan: Plan; state: StateStore; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "smig-report-"));
  const state = StateStore.open(join(dir, "state.db"));
  const plan = samplePlan();
  writeSampleState(state, plan, at);
  return {
    dir,
    plan,
    state,
    cleanup: () => {
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** 1,200 steps: 200 networks, each with a subnet, a group, a port, a server (needing two ports) and a floating IP. */
export function largePlan(): Plan {
  const base = samplePlan();
  const steps: Plan["steps"] = {};
  const add = (id: string, kind: Step["kind"], deps: string[]) => {
    steps[id] = { kind, action: "create", dependsOn: deps, params: {}, options: {}, source: { id, digest: "sha256:x" } };
  };
  for (let i = 0; i < 200; i++) {
    add(`network/n${i}`, "network", []);
    add(`subnet/s${i}`, "subnet", [`network/n${i}`]);
    add(`security-group/g${i}`, "security-group", []);
    add(`port/p${i}`, "port", [`subnet/s${i}`, `security-group/g${i}`]);
    add(`server/v${i}`, "server", [`port/p${i}`, `port/p${(i + 1) % 200}`]);
    add(`floating-ip/f${i}`, "floating-ip", [`port/p${i}`]);
    steps[`floating-ip/f${i}`]!.source.facts = { address: `203.0.${100 + Math.floor(i / 200)}.${i % 200}` };
  }
  const waves = computeWaves(Object.entries(steps).map(([id, s]) => ({ id, dependsOn: s.dependsOn })));
  return { ...base, name: "large", steps, waves, estimate: { bytes: 0, seconds: 0 } };
}

/** One completed run of the large plan, wave after wave, each step taking 1 to 7 seconds. */
export function writeLargeState(state: StateStore, plan: Plan, at: (iso: string) => void): void {
  const t0 = Date.parse("2026-03-05T08:00:00Z");
  const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
  at(iso(0));
  const run = state.startRun("apply", "sha256:large", "0.1.0", {});
  state.ensureSteps(Object.entries(plan.steps).map(([id, s]) => ({ id, kind: s.kind })));
  let waveStart = 1;
  state.tx(() => {
    for (const wave of plan.waves) {
      let waveEnd = waveStart;
      wave.forEach((id, i) => {
        const begin = waveStart + (i % 40) * 0.25;
        const end = begin + 1 + (i % 7);
        waveEnd = Math.max(waveEnd, end);
        at(iso(begin));
        state.markRunning(id, run);
        state.event(run, id, "step-start", { attempt: 1 });
        at(iso(end));
        const extra = plan.steps[id]!.kind === "floating-ip" ? { address: `198.51.100.${i % 250}` } : {};
        state.mapId(id, plan.steps[id]!.kind, plan.steps[id]!.source.id, `t-${id}`, extra);
        state.markDone(id, "created", `t-${id}`);
        state.event(run, id, "step-done", { outcome: "created", targetId: `t-${id}`, ms: 0 });
      });
      waveStart = waveEnd + 0.5;
    }
  });
  at(iso(waveStart));
  state.finishRun(run, "completed", {});
  state.event(run, null, "run-end", { status: "completed", counts: {}, ms: waveStart * 1000 });
}
