/**
 * Correctness of what a migration carries and says, through the built CLI
 * against two simulated clouds seeded with the small tenant: address pairs
 * that follow the new port's MAC, verify of every port attribute the plan
 * carries, a second generation after rollback, field-level drift, quotas
 * re-checked at apply time, interrupted transfers, and honest counts.
 *
 * Each test rolls its migration back, so the next one starts from an empty
 * target project.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import * as net from "../../src/openstack/network.js";
import { runCli, startCli, type CliResult } from "../helpers/cli.js";
import { JOURNEY_TIMEOUT_MS } from "../helpers/journey.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";
import { loadTenantSpec } from "../../src/tenant/spec.js";

let e: SimEnv;

beforeAll(async () => {
  e = await startSimEnv();
  const spec = loadTenantSpec("fixtures/tenants/small.yaml");
  // Enough bytes that a transfer is still running when the test cuts the run.
  spec.volumes.find((v) => v.name === "web-data")!.content = { size_mb: 48 };
  await seed(e, "src", spec);
}, JOURNEY_TIMEOUT_MS);
afterAll(async () => {
  await e?.close();
});

const plan = (name: string) => runCli(["plan", "--from", "src", "--to", "dst", "--name", name, "-q"], e.env);
const apply = (name: string) => runCli(["apply", name, "--poll-ms", "10"], e.env);
const rollback = (name: string) => runCli(["rollback", name, "--yes", "--poll-ms", "10"], e.env);

/** Runs fn with a connected cloud of the env, closing it afterwards. */
async function withCloud<T>(name: string, fn: (c: Awaited<ReturnType<SimEnv["connect"]>>) => Promise<T>): Promise<T> {
  const c = await e.connect(name);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

const FOREIGN_MAC = "fa:16:3e:00:00:99";

describe("ports", () => {
  it("plans a pair with the port's own MAC without a MAC, keeps a foreign one, and verify checks pairs, port security and admin state", async () => {
    // A VIP pair given without a MAC (Neutron stores the port's own) and one with another port's MAC.
    await withCloud("src", async (src) => {
      const port = (await net.listPorts(src.network, { fixed_ips: "ip_address=10.30.0.10" }))[0]!;
      await net.updatePort(src.network, port.id, { allowed_address_pairs: [{ ip_address: "10.30.0.100" }, { ip_address: "10.30.0.101", mac_address: FOREIGN_MAC }] });
    });
    expect((await plan("pairs")).code).toBe(0);
    const planned = JSON.parse(readFileSync(join(e.plans, "pairs", "plan.json"), "utf8"));
    const portStep = Object.values(planned.steps as Record<string, { kind: string; params: { allowed_address_pairs: unknown[] } }>).find((s) => s.kind === "port")!;
    expect(portStep.params.allowed_address_pairs).toEqual([{ ip_address: "10.30.0.100" }, { ip_address: "10.30.0.101", mac_address: FOREIGN_MAC }]);
    const r = await apply("pairs");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await withCloud("dst", async (dst) => {
      const port = (await net.listPorts(dst.network, { fixed_ips: "ip_address=10.30.0.10" }))[0]!;
      const byIp = new Map(port.allowed_address_pairs.map((a) => [a.ip_address, a.mac_address]));
      expect(byIp.get("10.30.0.100")).toBe(port.mac_address);
      expect(byIp.get("10.30.0.101")).toBe(FOREIGN_MAC);
      expect((await runCli(["verify", "pairs"], e.env)).code).toBe(0);
      await net.updatePort(dst.network, port.id, { allowed_address_pairs: [{ ip_address: "10.30.0.100" }], admin_state_up: false });
    });
    const v = await runCli(["verify", "pairs"], e.env);
    expect(v.code, v.stdout + v.stderr).toBe(EXIT.VERIFY_MISMATCH);
    expect(v.stdout + v.stderr).toMatch(/allowed address pairs/);
    expect(v.stdout + v.stderr).toMatch(/admin_state_up/);
    expect((await rollback("pairs")).code).toBe(0);
  }, JOURNEY_TIMEOUT_MS);
});

describe("generations", () => {
  it("applies a new plan after a rollback, and applies it again without calling it changed", async () => {
    expect((await plan("gen")).code).toBe(0);
    expect((await apply("gen")).code).toBe(0);
    const rb = await rollback("gen");
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    // The adopted default security group is put back, not deleted: the summary says so.
    expect(rb.stdout).toMatch(/adopted resource\(s\) restored \(security-group\//);
    expect((await plan("gen")).code).toBe(0);
    const first = await apply("gen");
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const again = await apply("gen");
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/plan file changed/);
    expect((await rollback("gen")).code).toBe(0);
  }, JOURNEY_TIMEOUT_MS);
});

describe("quotas at apply time", () => {
  it("refuses before creating anything when a target quota was lowered after planning", async () => {
    expect((await plan("quota")).code).toBe(0);
    const quotas = e.sim.cloud("dst").store.quotas as Record<string, number>;
    const was = quotas["instances"]!;
    quotas["instances"] = 0;
    try {
      const r = await apply("quota");
      expect(r.code, r.stdout + r.stderr).toBe(EXIT.PLAN_BLOCKED);
      expect(r.stderr).toMatch(/target quota for instances: 1 needed, 0 of 0 in use \(1 short\)/);
      const dst = await e.inventory("dst");
      expect(dst.networks.filter((n) => n.name === "web-net")).toEqual([]);
      expect(dst.volumes).toEqual([]);
    } finally {
      quotas["instances"] = was;
    }
  }, JOURNEY_TIMEOUT_MS);
});

/** Starts apply with event lines and sends `signal` as soon as the first transfer starts. */
async function applyCutAtTransfer(name: string, signal: NodeJS.Signals): Promise<CliResult> {
  const run = startCli(["apply", name, "--json", "--poll-ms", "10"], e.env);
  let buf = "";
  let sent = false;
  run.child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    if (!sent && buf.includes('"type":"transfer-start"')) {
      sent = true;
      run.child.kill(signal);
    }
  });
  return run.done;
}

interface StatusJson {
  steps: { step_id: string; status: string }[];
  transfers: { step: string; status: string; bytesDone: number; bytesTotal: number | null }[];
}
const statusJson = async (name: string): Promise<StatusJson> => JSON.parse((await runCli(["status", name, "--json"], e.env)).stdout) as StatusJson;

describe("interrupted runs", () => {
  it("marks steps cut off by Ctrl-C and transfers of a killed run as interrupted, and status shows transfer bytes", async () => {
    expect((await plan("cut")).code).toBe(0);
    const int = await applyCutAtTransfer("cut", "SIGINT");
    expect(int.code, int.stdout + int.stderr).toBe(EXIT.INTERRUPTED);
    let s = await statusJson("cut");
    expect(s.steps.filter((x) => x.status === "running")).toEqual([]);
    expect(s.steps.some((x) => x.status === "interrupted")).toBe(true);
    // Restarted source servers are named, not given as bare UUIDs.
    expect(int.stdout).not.toMatch(/started again on the source: [0-9a-f]{8}-/);

    const killed = await applyCutAtTransfer("cut", "SIGKILL");
    expect(killed.signal).toBe("SIGKILL");
    s = await statusJson("cut");
    const running = s.transfers.filter((t) => t.status === "running");
    expect(running.length).toBeGreaterThan(0);
    expect(running[0]!.bytesTotal).toBeGreaterThan(0);
    expect((await runCli(["status", "cut"], e.env)).stdout).toMatch(/Transfer running: \S+ .* of /);

    const resumed = await apply("cut");
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    s = await statusJson("cut");
    expect(s.transfers.filter((t) => t.status === "running")).toEqual([]);
    expect(s.transfers.filter((t) => t.status === "interrupted").length).toBeGreaterThan(0);
    expect((await rollback("cut")).code).toBe(0);
  }, JOURNEY_TIMEOUT_MS);

  it("counts steps that are only skips apart from steps already done", async () => {
    expect((await plan("counts")).code).toBe(0);
    const r = await apply("counts");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/steps, 0 already done, \d+ skipped by the plan/);
    expect((await rollback("counts")).code).toBe(0);
  }, JOURNEY_TIMEOUT_MS);
});

describe("a stale plan", () => {
  // Last in this file: it changes the source for good.
  it("is refused with what changed, field by field and rule by rule", async () => {
    expect((await plan("stale")).code).toBe(0);
    await withCloud("src", async (src) => {
      const web = (await net.listSecurityGroups(src.network, { name: "web" }))[0]!;
      const http = web.security_group_rules.find((r) => r.port_range_min === 80)!;
      await net.deleteSecurityGroupRule(src.network, http.id);
      await net.createSecurityGroupRule(src.network, { security_group_id: web.id, direction: "ingress", protocol: "tcp", port_range_min: 8443, port_range_max: 8443, remote_ip_prefix: "0.0.0.0/0" });
      const subnet = (await net.listSubnets(src.network, { name: "web-subnet" }))[0]!;
      await net.updateSubnet(src.network, subnet.id, { allocation_pools: [{ start: subnet.allocation_pools[0]!.start, end: "10.30.0.150" }] });
    });
    const r = await apply("stale");
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.PLAN_STALE);
    expect(r.stderr).toContain("security-group/web: rule ingress tcp/80 from 0.0.0.0/0 removed; rule ingress tcp/8443 from 0.0.0.0/0 added");
    expect(r.stderr).toMatch(/subnet\/web-subnet: allocation_pools\[0\]\.end changed from 10\.30\.0\.\d+ to 10\.30\.0\.150/);
    const dst = await e.inventory("dst");
    expect(dst.networks.filter((n) => n.name === "web-net")).toEqual([]);
  }, JOURNEY_TIMEOUT_MS);
});
