/**
 * The whole migration of the medium fixture tenant between two simulated
 * clouds, through the CLI: plan, apply, and a check of every resource on the
 * target against the source (names, CIDRs, rules, fixed IPs, flavors, image
 * and volume bytes by checksum). Then the safety properties: a second apply
 * creates nothing, a concurrent apply is refused, a plan whose source changed
 * is refused, a changed plan is refused on resume.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import * as net from "../../src/openstack/network.js";
import { runCli, startCli } from "../helpers/cli.js";
import { seed, startSimEnv, volumeMd5, type SimEnv } from "../helpers/sim-env.js";
import { tenantView } from "../helpers/tenant-view.js";

let e: SimEnv;

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src");
});
afterAll(async () => {
  await e?.close();
});

describe("planning", () => {
  it("gives byte-identical steps and waves when the clouds have not changed", async () => {
    const read = () => JSON.parse(readFileSync(join(e.plans, "twice", "plan.json"), "utf8")) as Record<string, unknown>;
    expect((await runCli(["plan", "--from", "src", "--to", "dst", "--name", "twice", "-q"], e.env)).code).toBe(0);
    const first = read();
    expect((await runCli(["plan", "--from", "src", "--to", "dst", "--name", "twice", "-q"], e.env)).code).toBe(0);
    const second = read();
    expect(JSON.stringify(second["steps"])).toBe(JSON.stringify(first["steps"]));
    expect(JSON.stringify(second["waves"])).toBe(JSON.stringify(first["waves"]));
    expect(Object.keys(first["steps"] as object).length).toBeGreaterThan(20);
  });
});

describe("migrating the medium tenant", () => {
  let before: ReturnType<typeof tenantView>;

  it("plans, applies and leaves a target equal to the source", async () => {
    before = tenantView(await e.inventory("src"), volumeMd5(e, "src"));
    const plan = await runCli(["plan", "--from", "src", "--to", "dst", "--name", "m1", "-q"], e.env);
    expect(plan.code, plan.stderr).toBe(0);
    const apply = await runCli(["apply", "m1", "--poll-ms", "10"], e.env);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/completed/);

    const after = tenantView(await e.inventory("dst"), volumeMd5(e, "dst"));
    expect(after.keypairs).toEqual(before.keypairs);
    expect(after.networks).toEqual(before.networks);
    expect(after.subnets).toEqual(before.subnets);
    expect(after.routers).toEqual(before.routers);
    expect(after.security_groups).toEqual(before.security_groups);
    expect(after.server_groups).toEqual(before.server_groups);
    expect(after.volumes).toEqual(before.volumes);
    for (const v of Object.values(after.volumes)) expect(v.data, "volume data digest").toBeTruthy();
    // The private image is copied byte for byte; root disks arrive as images of the servers.
    expect(after.images["app-image"]).toEqual(before.images["app-image"]);
    expect(Object.keys(after.images).sort()).toEqual(["app-1-root", "app-image", "web-1-root", "web-2-root"]);
    const expectedServers = structuredClone(before.servers);
    expectedServers["app-1"]!.flavor = "SCS-2V-4-20s"; // m1.legacy is mapped by its figures
    expect(after.servers).toEqual(expectedServers);
    expect(after.floating_ips).toEqual(before.floating_ips);
    // Floating IPs get new addresses on the target.
    const srcFip = (await e.inventory("src")).floating_ips[0]!.floating_ip_address;
    const dstFip = (await e.inventory("dst")).floating_ips[0]!.floating_ip_address;
    expect(dstFip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    void srcFip;
  });

  it("leaves no temporary resources on either cloud", async () => {
    for (const cloud of ["src", "dst"]) {
      const inv = await e.inventory(cloud);
      const temps = [...inv.images, ...inv.volumes, ...inv.volume_snapshots].filter((r) => r.name.startsWith("scs-migrate-tmp-"));
      expect(temps.map((t) => t.name), `${cloud} temporaries`).toEqual([]);
    }
  });

  it("a second apply creates nothing", async () => {
    const ids = (inv: Awaited<ReturnType<SimEnv["inventory"]>>) =>
      [...inv.servers, ...inv.volumes, ...inv.ports, ...inv.networks, ...inv.security_groups, ...inv.images, ...inv.floating_ips].map((r) => r.id).sort();
    const first = ids(await e.inventory("dst"));
    const again = await runCli(["apply", "m1", "--poll-ms", "10"], e.env);
    expect(again.code, again.stderr).toBe(0);
    expect(ids(await e.inventory("dst"))).toEqual(first);
    const status = JSON.parse((await runCli(["status", "m1", "--json"], e.env)).stdout) as { steps: { status: string; attempts: number }[] };
    expect(status.steps.every((s) => s.status === "done" || s.status === "skipped")).toBe(true);
    expect(status.steps.every((s) => s.attempts <= 1)).toBe(true);
  });

  it("verify passes, also with --deep", async () => {
    const v = await runCli(["verify", "m1", "--deep", "--poll-ms", "10"], e.env);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/target matches the plan/);
  });
});

describe("safety", () => {
  it("refuses a second apply while one runs, naming the holder", async () => {
    expect((await runCli(["plan", "--from", "src", "--to", "dst", "--name", "m2", "-q"], e.env)).code).toBe(0);
    // Why: slow enough that the first apply is still running whatever the machine's load when the second starts.
    e.sim.cloud("dst").setFaults({ latencyMs: 1500 });
    try {
      const first = startCli(["apply", "m2", "--poll-ms", "10", "--json"], e.env);
      await new Promise<void>((resolve) => first.child.stdout!.on("data", (d: Buffer) => d.toString().includes("step-start") && resolve()));
      const second = await runCli(["apply", "m2", "--poll-ms", "10"], e.env);
      expect(second.code).toBe(EXIT.LOCKED);
      expect(second.stderr).toMatch(/locked by .* \(pid \d+ on .*lock id/);
      first.child.kill("SIGKILL");
      await first.done;
    } finally {
      e.sim.cloud("dst").setFaults({});
    }
    // The killed holder's lock is stale (its pid is gone) and is taken over with a message.
    const resumed = await runCli(["apply", "m2", "--poll-ms", "10"], e.env);
    expect(resumed.stderr).toMatch(/Took over a stale lock/);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await runCli(["rollback", "m2", "--yes", "--poll-ms", "10"], e.env)).code).toBe(0);
  }, 300_000);

  it("refuses a plan whose source changed since planning, saying what changed", async () => {
    expect((await runCli(["plan", "--from", "src", "--to", "dst", "--name", "m3", "-q"], e.env)).code).toBe(0);
    const src = await e.connect("src");
    try {
      const web = (await net.listSecurityGroups(src.network, { name: "web" }))[0]!;
      const rule = await net.createSecurityGroupRule(src.network, { security_group_id: web.id, direction: "ingress", protocol: "tcp", port_range_min: 8443, port_range_max: 8443, remote_ip_prefix: "0.0.0.0/0" });
      const r = await runCli(["apply", "m3"], e.env);
      expect(r.code).toBe(EXIT.PLAN_STALE);
      expect(r.stderr).toMatch(/source changed since the plan was made/);
      expect(r.stderr).toMatch(/security-group\/web: rule ingress tcp\/8443 from 0\.0\.0\.0\/0 added/);
      await net.deleteSecurityGroupRule(src.network, rule.id);
    } finally {
      src.close();
    }
  });

  it("refuses to resume with a plan that was changed after applying started", async () => {
    const planFile = join(e.plans, "m1", "plan.json");
    const plan = JSON.parse(readFileSync(planFile, "utf8"));
    plan.steps["volume/db-data"].params.description = "edited after the run";
    writeFileSync(planFile, JSON.stringify(plan, null, 2));
    const r = await runCli(["apply", "m1"], e.env);
    expect(r.code).toBe(EXIT.PLAN_STALE);
    expect(r.stderr).toMatch(/plan file changed since this migration started/);
  });
});
