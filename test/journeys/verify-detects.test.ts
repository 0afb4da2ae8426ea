/**
 * `verify` finds a target that drifted after the migration, and names exactly
 * the resource that changed: one security-group rule deleted through the
 * Neutron API, one subnet's allocation pool changed, and one volume whose
 * bytes were overwritten inside the target simulator (metadata untouched, so
 * only `verify --deep` can see it). Each alteration is undone before the next,
 * and a clean verify in between shows the previous finding was really about
 * that alteration.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import * as net from "../../src/openstack/network.js";
import { runCli } from "../helpers/cli.js";
import { JOURNEY_TIMEOUT_MS, planAndApply } from "../helpers/journey.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

interface VerifyJson {
  ok: boolean;
  checked: number;
  deep: boolean;
  findings: { step: string; severity: string; field: string; message: string }[];
}

let e: SimEnv;
let stepIds: string[];

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src");
  await planAndApply(e, "v1");
  const status = JSON.parse((await runCli(["status", "v1", "--json"], e.env)).stdout) as { steps: { step_id: string }[] };
  stepIds = status.steps.map((s) => s.step_id);
}, JOURNEY_TIMEOUT_MS);
afterAll(async () => {
  await e?.close();
});

/**
 * Runs verify as text or with --json. Either way the findings are also in
 * verify.json, which is where the text run's findings are read from.
 */
async function verify(mode: "text" | "json", extra: string[] = []) {
  // A fresh file each time: what is read below is this run's.
  rmSync(join(e.plans, "v1", "verify.json"), { force: true });
  const run = await runCli(["verify", "v1", "--poll-ms", "10", ...(mode === "json" ? ["--json"] : []), ...extra], e.env);
  const file = JSON.parse(readFileSync(join(e.plans, "v1", "verify.json"), "utf8")) as VerifyJson;
  if (mode === "json") {
    const printed = JSON.parse(run.stdout) as VerifyJson;
    expect(printed.findings).toEqual(file.findings);
    return { mode, run, parsed: printed };
  }
  return { mode, run, parsed: file };
}

/** Expects a mismatch that names `step` and no other step, in the findings and in what was printed. */
function expectOnly(r: Awaited<ReturnType<typeof verify>>, step: string, field: RegExp) {
  expect(r.run.code, r.run.stdout + r.run.stderr).toBe(EXIT.VERIFY_MISMATCH);
  expect(r.parsed.ok).toBe(false);
  const bad = r.parsed.findings.filter((f) => f.severity !== "warning");
  expect([...new Set(bad.map((f) => f.step))]).toEqual([step]);
  expect(bad.map((f) => f.field).join(",")).toMatch(field);
  if (r.mode === "text") expect(r.run.stdout).toMatch(/: \d+ difference\(s\)/);
  expect(r.run.stdout).toContain(step);
  const others = stepIds.filter((s) => s !== step && r.run.stdout.includes(s));
  expect(others, "other resources named in the verify output").toEqual([]);
}

/** Expects a clean verify. */
async function expectClean(mode: "text" | "json", extra: string[] = []) {
  const r = await verify(mode, extra);
  expect(r.run.code, r.run.stdout + r.run.stderr).toBe(0);
  expect(r.parsed.ok).toBe(true);
  expect(r.parsed.findings.filter((f) => f.severity !== "warning")).toEqual([]);
  if (mode === "text") expect(r.run.stdout).toMatch(/target matches the plan/);
}

describe("verify after the target drifted", () => {
  it("passes on the untouched target", async () => {
    expect(stepIds).toContain("security-group/web");
    await expectClean("text");
  }, JOURNEY_TIMEOUT_MS);

  it("names the security group that lost one rule", async () => {
    const dst = await e.connect("dst");
    try {
      const web = (await net.listSecurityGroups(dst.network, { name: "web", project_id: dst.projectId }))[0]!;
      const http = web.security_group_rules.find((r) => r.port_range_min === 80 && r.direction === "ingress")!;
      expect(http, "the migrated http rule").toBeTruthy();
      await net.deleteSecurityGroupRule(dst.network, http.id);

      const r = await verify("text");
      expectOnly(r, "security-group/web", /rules/);
      expect(r.run.stdout).toMatch(/rule missing on the target.*"port_range_min":80/);
      // verify also refreshes the report, where the finding is listed for the record.
      const md = readFileSync(join(e.plans, "v1", "report.md"), "utf8");
      expect(md).toMatch(/## Verify findings[\s\S]*`security-group\/web`/);

      // Putting the rule back makes the target match again.
      await net.createSecurityGroupRule(dst.network, {
        security_group_id: web.id,
        direction: "ingress",
        ethertype: "IPv4",
        protocol: "tcp",
        port_range_min: 80,
        port_range_max: 80,
        remote_ip_prefix: "0.0.0.0/0",
        description: "http",
      });
      await expectClean("json");
    } finally {
      dst.close();
    }
  }, JOURNEY_TIMEOUT_MS);

  it("names the subnet whose allocation pool changed", async () => {
    const dst = await e.connect("dst");
    try {
      const sub = (await net.listSubnets(dst.network, { name: "backend-subnet", project_id: dst.projectId }))[0]!;
      const pools = sub.allocation_pools;
      await net.updateSubnet(dst.network, sub.id, { allocation_pools: [{ start: "10.20.2.10", end: "10.20.2.100" }] });

      const r = await verify("json");
      expectOnly(r, "subnet/backend-subnet", /allocation_pools/);

      await net.updateSubnet(dst.network, sub.id, { allocation_pools: pools });
      await expectClean("text");
    } finally {
      dst.close();
    }
  }, JOURNEY_TIMEOUT_MS);

  it("names the volume whose bytes changed, with --deep only", async () => {
    const dst = await e.connect("dst");
    const store = e.sim.cloud("dst").store;
    const vol = [...store.volumes.values()].find((v) => v.name === "db-data" && v.project_id === dst.projectId)!;
    dst.close();
    expect(vol, "the migrated db-data volume").toBeTruthy();
    const original = vol.blob;
    expect(original?.size ?? 0).toBeGreaterThan(0);
    // A disk written behind the API's back: same size and metadata, other bytes.
    const bytes = Buffer.alloc(original!.size, 0x5a);
    vol.blob = store.blobs.fromBuffer(bytes);
    try {
      await expectClean("text");

      const r = await verify("text", ["--deep"]);
      expect(r.parsed.deep).toBe(true);
      expectOnly(r, "volume/db-data", /data/);
      expect(r.run.stdout).toMatch(/deep: volume data compared/);
      expect(r.run.stdout).toMatch(/volume data is .* on the target, expected/);
    } finally {
      const tampered = vol.blob;
      vol.blob = original;
      store.blobs.release(tampered);
    }
    await expectClean("json", ["--deep"]);
  }, JOURNEY_TIMEOUT_MS);
});
