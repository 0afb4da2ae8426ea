/**
 * Load balancers end to end through the built CLI between two simulated
 * clouds (fixtures/tenants/lb.yaml): plan, an apply killed right after the
 * load balancer's step made its calls (before the outcome is written) and
 * resumed, verify, the target's tree checked with the client and with the
 * openstack CLI where its loadbalancer plugin runs, the new VIP floating IP
 * in the report, and rollback. A target without Octavia fails pre-flight
 * with one line naming the service.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { JOURNEY_TIMEOUT_MS } from "../helpers/journey.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let e: SimEnv;

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src", "fixtures/tenants/lb.yaml");
}, JOURNEY_TIMEOUT_MS);
afterAll(() => e?.close());

const octavia = () => e.sim.cloud("dst").store.octavia;

/**
 * The openstack CLI's view of the target's load balancers, an independent
 * reading of the simulated Octavia (null where the CLI or its loadbalancer
 * plugin cannot run). Asynchronous: the simulator answers from this process.
 */
async function cliLoadBalancers(): Promise<{ name: string; vip_address: string }[] | null> {
  if (!existsSync("/usr/bin/openstack")) return null;
  try {
    const r = await promisify(execFile)("/usr/bin/openstack", ["--os-cloud", "dst", "loadbalancer", "list", "-f", "json", "-c", "name", "-c", "vip_address"], {
      env: { ...process.env, ...e.env },
      timeout: 60_000,
    });
    return JSON.parse(r.stdout) as { name: string; vip_address: string }[];
  } catch {
    return null;
  }
}

describe("a load balancer in front of two web servers", () => {
  it("plans, survives a kill right after the load balancer's step, and resumes to exactly one load balancer", async () => {
    const plan = await runCli(["plan", "--from", "src", "--to", "dst", "--name", "lb1", "-q"], e.env);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const txt = readFileSync(join(e.plans, "lb1", "plan.txt"), "utf8");
    expect(txt).toMatch(/load-balancer\/web-lb/);
    expect(txt).toMatch(/load-balancer-config\/web-lb:tls/);

    const killed = await startCli(["apply", "lb1", "--poll-ms", "5"], { ...e.env, SCS_MIGRATE_CRASH_AFTER_APPLY: "load-balancer/web-lb" }).done;
    expect(killed.signal, killed.stdout + killed.stderr).toBe("SIGKILL");
    expect(octavia().loadBalancers.size).toBe(1);

    const resumed = await runCli(["apply", "lb1", "--poll-ms", "5"], e.env);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(octavia().loadBalancers.size).toBe(1);
  }, JOURNEY_TIMEOUT_MS);

  it("leaves exactly the expected tree on the target", async () => {
    const o = octavia();
    const lb = [...o.loadBalancers.values()][0]!;
    expect(lb).toMatchObject({ name: "web-lb", vip_address: "10.40.0.100", provisioning_status: "ACTIVE" });
    expect([...o.listeners.values()].map((l) => `${l.protocol}:${l.protocol_port}`).sort()).toEqual(["HTTP:80", "TCP:5000", "UDP:53"]);
    expect([...o.pools.values()].map((p) => `${p.name}:${p.lb_algorithm}`).sort()).toEqual(["api-pool:LEAST_CONNECTIONS", "dns-pool:ROUND_ROBIN", "tcp-pool:SOURCE_IP", "web-pool:ROUND_ROBIN"]);
    expect([...o.members.values()].map((m) => `${m.address}:${m.protocol_port}`).sort()).toEqual(
      ["10.40.0.11:5000", "10.40.0.11:80", "10.40.0.12:53", "10.40.0.12:80", "10.40.0.12:8080", "192.0.2.50:8080"],
    );
    expect([...o.healthMonitors.values()].map((h) => h.type)).toEqual(["HTTP"]);
    expect([...o.l7policies.values()].map((p) => p.action)).toEqual(["REDIRECT_TO_POOL"]);
    expect([...o.l7rules.values()].map((r) => `${r.type} ${r.compare_type} ${r.value}`)).toEqual(["PATH STARTS_WITH /api"]);
    // Every change went through PENDING_* and back to ACTIVE before the next (the simulator refuses one while pending).
    const lbEvents = o.events.filter((ev) => ev.id === lb.id && ev.kind === "loadbalancer").map((ev) => ev.status);
    expect(lbEvents[0]).toBe("PENDING_CREATE");
    expect(lbEvents.at(-1)).toBe("ACTIVE");
    // The floating IP moved to the new VIP port.
    const fips = [...e.sim.cloud("dst").store.floatingIps.values()];
    expect(fips.filter((f) => f.port_id === lb.vip_port_id)).toHaveLength(1);
    const viaCli = await cliLoadBalancers();
    if (viaCli) expect(viaCli).toEqual([{ name: "web-lb", vip_address: "10.40.0.100" }]);
  }, JOURNEY_TIMEOUT_MS);

  it("verifies, and reports the VIP's new floating IP", async () => {
    const v = await runCli(["verify", "lb1", "--poll-ms", "10"], e.env);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const r = await runCli(["report", "lb1"], e.env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(e.plans, "lb1", "report.json"), "utf8")) as { floatingIps?: { step: string; newAddress: string | null; port: string | null }[] };
    const vip = (report.floatingIps ?? []).find((f) => f.port === "load-balancer/web-lb");
    expect(vip?.newAddress).toMatch(/^198\.51\.100\./);
  }, JOURNEY_TIMEOUT_MS);

  it("verify names a change made to the tree on the target", async () => {
    const o = octavia();
    const pool = [...o.pools.values()].find((p) => p.name === "api-pool")!;
    pool.lb_algorithm = "ROUND_ROBIN";
    try {
      const v = await runCli(["verify", "lb1", "--poll-ms", "10"], e.env);
      expect(v.code).not.toBe(0);
      expect(v.stdout + v.stderr).toMatch(/load-balancer-config\/web-lb[\s\S]*pools\[api-pool\]\.lb_algorithm/);
    } finally {
      pool.lb_algorithm = "LEAST_CONNECTIONS";
    }
  }, JOURNEY_TIMEOUT_MS);

  it("rollback removes the load balancer with its tree and waits until it is gone", async () => {
    const r = await runCli(["rollback", "lb1", "--yes", "--poll-ms", "5"], e.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const o = octavia();
    expect([o.loadBalancers.size, o.listeners.size, o.pools.size, o.members.size, o.healthMonitors.size, o.l7policies.size, o.l7rules.size]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const dst = e.sim.cloud("dst").store;
    expect([...dst.ports.values()].filter((p) => p.device_owner === "Octavia")).toEqual([]);
    expect(dst.floatingIps.size).toBe(0);
    const viaCli = await cliLoadBalancers();
    if (viaCli) expect(viaCli).toEqual([]);
  }, JOURNEY_TIMEOUT_MS);
});

describe("a load balancer that goes to ERROR on the target", () => {
  it("fails the step with what Octavia tells, and a later apply replaces it with one that works", async () => {
    expect((await runCli(["plan", "--from", "src", "--to", "dst", "--name", "lb2", "-q"], e.env)).code).toBe(0);
    e.sim.cloud("dst").setFaults({ failLoadBalancerCreate: ["web-lb"] });
    let failed;
    try {
      failed = await runCli(["apply", "lb2", "--poll-ms", "5", "--step-attempts", "1"], e.env);
    } finally {
      e.sim.cloud("dst").setFaults({});
    }
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(/load-balancer\/web-lb[\s\S]*went to ERROR/);
    const resumed = await runCli(["apply", "lb2", "--poll-ms", "5"], e.env);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect([...octavia().loadBalancers.values()].map((lb) => lb.provisioning_status)).toEqual(["ACTIVE"]);
    expect((await runCli(["verify", "lb2", "--poll-ms", "5"], e.env)).code).toBe(0);
    expect((await runCli(["rollback", "lb2", "--yes", "--poll-ms", "5"], e.env)).code).toBe(0);
    expect(octavia().loadBalancers.size).toBe(0);
  }, JOURNEY_TIMEOUT_MS);
});

describe("a target without Octavia", () => {
  it("fails pre-flight with one line naming the missing service", async () => {
    const bare = await startSimEnv({ dst: { loadBalancer: { enabled: false } } });
    try {
      await seed(bare, "src", "fixtures/tenants/lb.yaml");
      const plan = await runCli(["plan", "--from", "src", "--to", "dst", "--name", "nolb", "-q"], bare.env);
      expect(plan.code, plan.stdout + plan.stderr).toBe(9);
      expect(plan.stderr).toMatch(/1 pre-flight error/);
      const txt = readFileSync(join(bare.plans, "nolb", "plan.txt"), "utf8");
      const lines = txt.split("\n").filter((l) => /load-balancer service/.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/the target offers no load-balancer service \(Octavia\)/);
    } finally {
      await bare.close();
    }
  }, JOURNEY_TIMEOUT_MS);
});
