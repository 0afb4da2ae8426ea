import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerSecret } from "../../src/log.js";
import { buildReportModel, type ReportModel } from "../../src/report/model.js";
import { throughput } from "../../src/report/transfers.js";
import type { VerifyFinding } from "../../src/kinds/types.js";
import { GiB, HOSTILE, IMAGE_BYTES, openSample, VOLUME_BYTES } from "./sample.js";

const at = (iso: string) => vi.setSystemTime(new Date(iso));
const NOW = new Date("2026-03-02T12:00:00.000Z");
let sample: ReturnType<typeof openSample>;
let model: ReportModel;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  sample = openSample(at);
  model = buildReportModel({ plan: sample.plan, state: sample.state, now: NOW });
});
afterEach(() => {
  sample.cleanup();
  vi.useRealTimers();
});

const row = (step: string) => model.resources.find((r) => r.step === step)!;

describe("buildReportModel: summary", () => {
  it("names the migration, both sides and the state of the latest run", () => {
    const s = model.summary;
    expect(s.migration).toBe("acme-shop");
    expect(s.source).toEqual({ cloud: "old-cloud", region: "RegionOne", projectId: "6f1c0d9a", projectName: "acme-shop" });
    expect(s.target.projectName).toBe("acme-shop-new");
    expect(s.status).toBe("partially_failed");
    expect(s.runs).toBe(2);
    expect(s.resumed).toBe(true);
  });

  it("takes an interrupted run's end from its last trace, not from the restart that noticed it", () => {
    const s = model.summary;
    expect(s.startedAt).toBe("2026-03-02T09:00:00.000Z");
    expect(s.finishedAt).toBe("2026-03-02T11:31:10.000Z");
    expect(s.wallSeconds).toBe(10 + 70);
    expect(s.elapsedSeconds).toBe(2.5 * 3600 + 70);
    const run1 = model.runs.find((r) => r.id === 1)!;
    expect(run1.status).toBe("interrupted");
    expect(run1.finishedAt).toBe("2026-03-02T09:00:10.000Z");
  });

  it("counts steps by result", () => {
    expect(model.summary.steps.total).toBe(16);
    expect(model.summary.steps.byResult).toMatchObject({ created: 12, adopted: 1, skipped: 1, failed: 1, blocked: 1, pending: 0, interrupted: 0 });
  });

  it("counts only finished copies as bytes moved, and computes average and peak throughput", () => {
    const s = model.summary;
    expect(s.bytesMoved).toBe(8 * GiB);
    expect(s.transfersDone).toBe(2);
    // The copies overlap from :03 to :22; at least one runs from :02 to :43 (41 s).
    expect(s.avgMBps).toBeCloseTo((8 * GiB) / 1e6 / 41, 6);
    expect(s.peakMBps).toBeCloseTo(IMAGE_BYTES / 1e6 / 20 + VOLUME_BYTES / 1e6 / 40, 6);
  });

  it("says verify was not run when no verify result is given", () => {
    expect(model.summary.verify).toMatchObject({ result: "not_run", ranAt: null });
  });
});

describe("buildReportModel: resources, floating IPs, transfers", () => {
  it("has one row per planned step with source and target ids, time and attempts", () => {
    expect(model.resources).toHaveLength(16);
    expect(row("security-group/web")).toMatchObject({ result: "adopted", targetId: "t-sg-web", sourceId: "src-web" });
    expect(row("image/Ubuntu 24.04")).toMatchObject({ result: "skipped", action: "skip", reason: "skip_standard_image_on_target", targetId: null, seconds: null });
    const image = row("image/shop-golden");
    expect(image).toMatchObject({ result: "created", attempts: 2 });
    expect(image.seconds).toBeCloseTo(8.5 + 24, 6); // both runs, not the 2.5 h between them
    const db = row("server/db-1");
    expect(db).toMatchObject({ result: "failed", attempts: 2, seconds: 13, targetId: null });
    expect(db.error).toContain("quota exceeded for cores");
    expect(row("floating-ip/203.0.113.11")).toMatchObject({ result: "blocked", error: "depends on server/db-1, which failed" });
  });

  it("lists the floating IPs old → new, the blocked one without a new address", () => {
    expect(model.floatingIps).toEqual([
      { step: "floating-ip/203.0.113.10", oldAddress: "203.0.113.10", newAddress: "198.51.100.23", fixedIp: "10.0.0.11", port: "port/web-1", result: "created" },
      { step: "floating-ip/203.0.113.11", oldAddress: "203.0.113.11", newAddress: null, fixedIp: "10.0.0.12", port: "port/db-1", result: "blocked" },
    ]);
  });

  it("reports each transfer with its rate and whether the checksums match", () => {
    const done = model.transfers.filter((t) => t.status === "done");
    expect(done.map((t) => [t.step, t.bytes, t.seconds, t.checksumsMatch, t.runId])).toEqual([
      ["image/shop-golden", IMAGE_BYTES, 20, true, 2],
      ["volume/db-data", VOLUME_BYTES, 40, true, 2],
    ]);
    expect(done[0]!.mbps).toBeCloseTo(IMAGE_BYTES / 1e6 / 20, 6);
    const cut = model.transfers.find((t) => t.status !== "done")!;
    expect(cut).toMatchObject({ step: "image/shop-golden", status: "interrupted", runId: 1, mbps: null });
  });

  it("flags a checksum mismatch", () => {
    const x = sample.state.startTransfer("volume/db-data", "volume db-data", 10);
    sample.state.finishTransfer(x, { status: "done", bytesDone: 10, sourceMd5: "aa", targetMd5: "bb" });
    const m = buildReportModel({ plan: sample.plan, state: sample.state, now: NOW });
    expect(m.transfers.find((t) => t.sourceMd5 === "aa")!.checksumsMatch).toBe(false);
  });
});

describe("buildReportModel: graph, timeline, timings, problems", () => {
  it("has the dependency graph with waves", () => {
    expect(model.graph.nodes).toHaveLength(16);
    expect(model.graph.edges).toHaveLength(18);
    expect(model.graph.edges).toContainEqual({ from: "server/db-1", to: "floating-ip/203.0.113.11" });
    expect(model.graph.waves[0]).toContain("keypair/deploy");
    const waveOf = new Map(model.graph.nodes.map((n) => [n.id, n.wave]));
    for (const e of model.graph.edges) expect(waveOf.get(e.from)!, `${e.from} → ${e.to}`).toBeLessThan(waveOf.get(e.to)!);
  });

  it("puts the resumed step in both runs of the timeline and measures from the first start", () => {
    expect(model.timeline.origin).toBe("2026-03-02T09:00:00.000Z");
    expect(model.timeline.runs.map((r) => [r.id, r.status, r.start, r.end])).toEqual([
      [1, "interrupted", 0, 10],
      [2, "partially_failed", 9000, 9070],
    ]);
    const image = model.timeline.bars.filter((b) => b.step === "image/shop-golden");
    expect(image.map((b) => [b.runId, b.result, b.start, b.end])).toEqual([
      [1, "interrupted", 1.5, 10],
      [2, "created", 9001, 9025],
    ]);
    expect(model.timeline.bars.find((b) => b.step === "server/db-1")).toMatchObject({ result: "failed", attempts: 2, start: 9045, end: 9058 });
    expect(new Set(model.timeline.bars.map((b) => b.step)).size).toBe(14); // all but the skipped and the blocked step
    expect(model.timeline.transfers.filter((t) => t.status === "done").map((t) => [t.step, t.start, t.end])).toEqual([
      ["image/shop-golden", 9002, 9022],
      ["volume/db-data", 9003, 9043],
    ]);
  });

  it("ranks steps by time and sums time per kind", () => {
    expect(model.timings.steps[0]).toMatchObject({ step: "server/web-1", seconds: 45, runs: [2] });
    expect(model.timings.steps.find((t) => t.step === "image/shop-golden")!.runs).toEqual([1, 2]);
    const servers = model.timings.byKind.find((k) => k.kind === "server")!;
    expect(servers).toMatchObject({ steps: 3, seconds: 45 + 13 + 37, maxSeconds: 45 });
  });

  it("collects warnings from events and steps, and the failures", () => {
    expect(model.warnings).toEqual([
      { step: HOSTILE, runId: 2, message: "flavor <img src=x onerror=alert(2)> | replaced" },
      { step: "server/web-1", runId: 2, message: "config drive is not offered on the target; user data re-applied" },
    ]);
    expect(model.failures.map((f) => [f.step, f.type, f.runId])).toEqual([
      ["server/db-1", "failed", 2],
      ["floating-ip/203.0.113.11", "blocked", 2],
    ]);
    expect(model.preflight.findings[0]!.code).toBe("flavor_rounded_up");
    expect(model.mappings).toContainEqual({ type: "flavor", from: "m1.small", to: "SCS-2V-4" });
  });
});

describe("buildReportModel: verify, runs counted, secrets, JSON", () => {
  const finding = (severity: VerifyFinding["severity"]): VerifyFinding => ({ step: "server/web-1", severity, field: "flavor", expected: "SCS-2V-4", actual: { name: "SCS-4V-8" }, message: "flavor differs" });

  it("summarises a verify result by its worst finding", () => {
    const verify = (findings: VerifyFinding[]) => buildReportModel({ plan: sample.plan, state: sample.state, now: NOW, verify: { ranAt: "2026-03-02T11:40:00Z", findings, deep: true } });
    expect(verify([]).summary.verify).toMatchObject({ result: "passed", deep: true, ranAt: "2026-03-02T11:40:00Z" });
    expect(verify([finding("warning")]).summary.verify).toMatchObject({ result: "passed_with_warnings", warning: 1 });
    const failed = verify([finding("warning"), finding("mismatch")]);
    expect(failed.summary.verify).toMatchObject({ result: "failed", mismatch: 1, warning: 1 });
    expect(failed.verifyFindings[1]).toMatchObject({ expected: "SCS-2V-4", actual: '{"name":"SCS-4V-8"}' });
  });

  it("starts counting again after a rollback", () => {
    at("2026-03-03T08:00:00Z");
    const rb = sample.state.startRun("rollback", "sha256:i", "0.1.0", {});
    sample.state.finishRun(rb, "completed", {});
    at("2026-03-03T09:00:00Z");
    const r = sample.state.startRun("apply", "sha256:i", "0.1.0", {});
    at("2026-03-03T09:01:00Z");
    sample.state.finishRun(r, "completed", {});
    const m = buildReportModel({ plan: sample.plan, state: sample.state, now: NOW });
    expect(m.summary).toMatchObject({ runs: 1, resumed: false, status: "completed", startedAt: "2026-03-03T09:00:00.000Z", wallSeconds: 60 });
    expect(m.runs.map((x) => [x.kind, x.counted])).toEqual([["apply", false], ["apply", false], ["rollback", false], ["apply", true]]);
  });

  it("never carries a registered secret, even one that reached the state file", () => {
    sample.state.markFailed("server/db-1", "auth failed with token Zq81-secret-report-token");
    registerSecret("Zq81-secret-report-token");
    const m = buildReportModel({ plan: sample.plan, state: sample.state, now: NOW });
    const json = JSON.stringify(m);
    expect(json).not.toContain("Zq81-secret-report-token");
    expect(m.resources.find((r) => r.step === "server/db-1")!.error).toBe("auth failed with token ***");
  });

  it("is plain JSON: it survives a round trip unchanged", () => {
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it("computes throughput for a single copy as its own rate", () => {
    expect(throughput([{ bytes: 100e6, startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:10Z" }])).toEqual({ avg: 10, peak: 10 });
    expect(throughput([])).toEqual({ avg: null, peak: null });
  });
});
