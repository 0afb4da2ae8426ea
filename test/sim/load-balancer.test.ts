/**
 * The simulated Octavia on its own (plain fetch): shapes, the asynchronous
 * provisioning life cycle, Octavia's error bodies, the VIP port in Neutron,
 * paging, quotas, providers, the ERROR fault and project isolation.
 * Transitions are checked through the store's event log after waiting for
 * the end state, never by polling for a short-lived state.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { SimDelays } from "../../src/sim/index.js";
import { api, token, useSim, waitFor, type Api } from "./helpers.js";

const sim = await useSim([
  {
    name: "lbsim",
    delays: { lbCreate: 40, lbUpdate: 20, lbDelete: 20 },
    loadBalancer: { providers: ["amphora", "octavia", "ovn"], flavors: [{ name: "ha", description: "Active/standby" }], quotas: { loadbalancer: 12, member: 3 } },
  },
  { name: "nolb", loadBalancer: { enabled: false } },
]);
const c = sim.cloud("lbsim");
const call: Api = api(c, await token(c));
const O = "/load-balancer/v2/lbaas";
const N = "/network/v2.0";
const oct = c.store.octavia;

const net = (await call("POST", `${N}/networks`, { network: { name: "lb-net" } })).body.network;
const sub = (await call("POST", `${N}/subnets`, { subnet: { name: "lb-sub", network_id: net.id, cidr: "10.30.0.0/24", ip_version: 4 } })).body.subnet;

/** Waits until the LB is settled (ACTIVE or ERROR) or gone. */
async function settled(id: string): Promise<void> {
  await waitFor(async () => oct.loadBalancers.get(id)?.provisioning_status ?? "GONE", (s) => !s.startsWith("PENDING_"), 5000);
}

async function newLb(name: string, extra: Record<string, unknown> = {}): Promise<any> {
  const r = await call("POST", `${O}/loadbalancers`, { loadbalancer: { name, vip_subnet_id: sub.id, ...extra } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await settled(r.body.loadbalancer.id);
  return r.body.loadbalancer;
}

describe("octavia in the simulator", () => {
  it("is in the catalog as load-balancer under /load-balancer, unless switched off", async () => {
    const tok = await fetch(`${c.authUrl}/auth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ auth: { identity: { methods: ["password"], password: { user: { name: c.username, domain: { name: "Default" }, password: c.password } } }, scope: { project: { name: c.projectName, domain: { name: "Default" } } } } }),
    });
    const catalog = ((await tok.json()) as any).token.catalog as Array<{ type: string; name: string; endpoints: Array<{ url: string }> }>;
    const lb = catalog.find((e) => e.type === "load-balancer")!;
    expect(lb.name).toBe("octavia");
    expect(lb.endpoints[0]!.url).toBe(`${c.baseUrl}/load-balancer`);
    const other = sim.cloud("nolb");
    const r = await fetch(`${other.baseUrl}/load-balancer/v2/lbaas/loadbalancers`);
    expect(r.status).toBe(404);
  });

  it("creates a load balancer PENDING_CREATE with a VIP port in Neutron, then ACTIVE", async () => {
    const r = await call("POST", `${O}/loadbalancers`, { loadbalancer: { name: "web", vip_subnet_id: sub.id, vip_address: "10.30.0.50", tags: ["smig:x"] } });
    expect(r.status).toBe(201);
    const lb = r.body.loadbalancer;
    expect(lb).toMatchObject({ name: "web", provisioning_status: "PENDING_CREATE", operating_status: "OFFLINE", provider: "amphora", vip_address: "10.30.0.50", vip_subnet_id: sub.id, vip_network_id: net.id, flavor_id: null, listeners: [], pools: [], tags: ["smig:x"], project_id: c.projectId, updated_at: null });
    expect(lb.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const port = (await call("GET", `${N}/ports/${lb.vip_port_id}`)).body.port;
    expect(port).toMatchObject({ name: `octavia-lb-${lb.id}`, device_owner: "Octavia", device_id: `lb-${lb.id}`, admin_state_up: false, fixed_ips: [{ subnet_id: sub.id, ip_address: "10.30.0.50" }] });
    await settled(lb.id);
    expect(oct.history(lb.id)).toEqual(["PENDING_CREATE", "ACTIVE"]);
    expect((await call("GET", `${O}/loadbalancers/${lb.id}`)).body.loadbalancer).toMatchObject({ provisioning_status: "ACTIVE", operating_status: "ONLINE" });
  });

  it("gives the VIP another address when the requested one is taken", async () => {
    const lb = await newLb("taken", { vip_address: "10.30.0.50" });
    expect(lb.vip_address).not.toBe("10.30.0.50");
    expect(lb.vip_address).toMatch(/^10\.30\.0\.\d+$/);
  });

  it("answers 409 with Octavia's bodies while the load balancer is pending", async () => {
    // Why: a long create keeps the LB pending for the whole test even on a loaded machine.
    const delays = (c as unknown as { delays: SimDelays }).delays;
    delays.lbCreate = 2000;
    const lb = (await call("POST", `${O}/loadbalancers`, { loadbalancer: { name: "busy", vip_subnet_id: sub.id } })).body.loadbalancer;
    delays.lbCreate = 40;
    const child = await call("POST", `${O}/listeners`, { listener: { loadbalancer_id: lb.id, protocol: "HTTP", protocol_port: 80 } });
    expect(child.status).toBe(409);
    expect(child.body).toEqual({ faultcode: "Client", faultstring: `Load Balancer ${lb.id} is immutable and cannot be updated.`, debuginfo: null });
    const self = await call("PUT", `${O}/loadbalancers/${lb.id}`, { loadbalancer: { name: "x" } });
    expect(self.status).toBe(409);
    expect(self.body.faultstring).toBe(`Invalid state PENDING_CREATE of loadbalancer resource ${lb.id}`);
    await settled(lb.id);
  });

  it("locks the load balancer for every child change and settles the whole tree", async () => {
    const lb = await newLb("tree");
    const l = (await call("POST", `${O}/listeners`, { listener: { loadbalancer_id: lb.id, protocol: "HTTP", protocol_port: 80, name: "http", tags: ["t"] } })).body.listener;
    expect(l).toMatchObject({ provisioning_status: "PENDING_CREATE", connection_limit: -1, timeout_client_data: 50000, default_pool_id: null, loadbalancers: [{ id: lb.id }] });
    await settled(lb.id);
    const p = (await call("POST", `${O}/pools`, { pool: { listener_id: l.id, protocol: "HTTP", lb_algorithm: "ROUND_ROBIN" } })).body.pool;
    await settled(lb.id);
    const m = (await call("POST", `${O}/pools/${p.id}/members`, { member: { address: "10.30.0.10", protocol_port: 8080, subnet_id: sub.id } })).body.member;
    await settled(lb.id);
    expect((await call("GET", `${O}/pools/${p.id}/members/${m.id}`)).body.member).toMatchObject({ operating_status: "NO_MONITOR", weight: 1, backup: false, provisioning_status: "ACTIVE" });
    const hm = (await call("POST", `${O}/healthmonitors`, { healthmonitor: { pool_id: p.id, type: "HTTP", delay: 5, timeout: 3, max_retries: 2 } })).body.healthmonitor;
    expect(hm).toMatchObject({ http_method: "GET", url_path: "/", expected_codes: "200", max_retries_down: 3, pools: [{ id: p.id }] });
    await settled(lb.id);
    const pol = (await call("POST", `${O}/l7policies`, { l7policy: { listener_id: l.id, action: "REDIRECT_TO_URL", redirect_url: "https://example.com/" } })).body.l7policy;
    expect(pol).toMatchObject({ position: 1, redirect_http_code: 302 });
    await settled(lb.id);
    const rule = await call("POST", `${O}/l7policies/${pol.id}/rules`, { rule: { type: "PATH", compare_type: "STARTS_WITH", value: "/old" } });
    expect(rule.status).toBe(201);
    await settled(lb.id);
    expect(oct.history(lb.id)).toEqual(["PENDING_CREATE", "ACTIVE", ...Array(6).fill(["PENDING_UPDATE", "ACTIVE"]).flat()]);
    expect(oct.history(m.id)).toEqual(["PENDING_CREATE", "ACTIVE"]);
    expect((await call("GET", `${O}/pools/${p.id}/members/${m.id}`)).body.member.operating_status).toBe("ONLINE");
    const tree = (await call("GET", `${O}/loadbalancers/${lb.id}/status`)).body.statuses.loadbalancer;
    expect(tree.listeners[0]).toMatchObject({ id: l.id, pools: [{ id: p.id, healthmonitor: { id: hm.id }, members: [{ id: m.id, address: "10.30.0.10" }] }], l7policies: [{ id: pol.id, rules: [{ id: rule.body.rule.id }] }] });
    const dup = await call("POST", `${O}/pools/${p.id}/members`, { member: { address: "10.30.0.10", protocol_port: 8080 } });
    expect(dup.body.faultstring).toBe("Another member on this pool is already using ip 10.30.0.10 on protocol_port 8080");
  });

  it("refuses to delete a load balancer with children without cascade, and cascades with it", async () => {
    const lb = await newLb("doomed");
    await call("POST", `${O}/listeners`, { listener: { loadbalancer_id: lb.id, protocol: "TCP", protocol_port: 443 } });
    await settled(lb.id);
    const router = (await call("POST", `${N}/routers`, { router: { name: "r", external_gateway_info: { network_id: (await call("GET", `${N}/networks?name=public`)).body.networks[0].id } } })).body.router;
    await call("PUT", `${N}/routers/${router.id}/add_router_interface`, { subnet_id: sub.id });
    const pub = (await call("GET", `${N}/networks?name=public`)).body.networks[0];
    const fip = await call("POST", `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: lb.vip_port_id } });
    expect(fip.status, JSON.stringify(fip.body)).toBe(201);
    expect(fip.body.floatingip.fixed_ip_address).toBe(lb.vip_address);
    const no = await call("DELETE", `${O}/loadbalancers/${lb.id}`);
    expect(no.status).toBe(400);
    expect(no.body).toEqual({ faultcode: "Client", faultstring: `Validation failure: Cannot delete Load Balancer ${lb.id} - it has children`, debuginfo: null });
    expect((await call("DELETE", `${O}/loadbalancers/${lb.id}?cascade=true`)).status).toBe(204);
    await settled(lb.id);
    const gone = await call("GET", `${O}/loadbalancers/${lb.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ faultcode: "Client", faultstring: `Load Balancer ${lb.id} not found.`, debuginfo: null });
    expect(oct.history(lb.id).slice(-2)).toEqual(["PENDING_DELETE", "DELETED"]);
    expect((await call("GET", `${N}/ports/${lb.vip_port_id}`)).status).toBe(404);
    expect((await call("GET", `${N}/floatingips/${fip.body.floatingip.id}`)).body.floatingip.port_id).toBeNull();
  });

  it("pages with limit/marker and links that keep only limit and marker", async () => {
    const ids = [];
    for (const n of ["pg-1", "pg-2", "pg-3"]) ids.push((await newLb(n, { tags: ["page"] })).id);
    const first = await call("GET", `${O}/loadbalancers?tags=page&limit=2`);
    expect(first.body.loadbalancers.map((x: any) => x.id)).toEqual(ids.slice(0, 2));
    expect(first.body.loadbalancers_links).toEqual([{ href: `${c.baseUrl}/load-balancer/v2/lbaas/loadbalancers?limit=2&marker=${ids[1]}`, rel: "next" }]);
    const second = await call("GET", `${O}/loadbalancers?tags=page&limit=2&marker=${ids[1]}`);
    expect(second.body.loadbalancers.map((x: any) => x.id)).toEqual([ids[2]]);
    expect(second.body.loadbalancers_links.map((l: any) => l.rel)).toEqual(["previous"]);
    expect((await call("GET", `${O}/loadbalancers?tags-any=nope`)).body).toEqual({ loadbalancers: [], loadbalancers_links: [] });
    expect((await call("GET", `${O}/loadbalancers?marker=nope`)).body.faultstring).toBe("Supplied pagination marker 'nope' is not valid.");
  });

  it("answers 403 when a quota is met", async () => {
    const count = [...oct.loadBalancers.values()].length;
    for (let i = count; i < 12; i++) await newLb(`fill-${i}`);
    const r = await call("POST", `${O}/loadbalancers`, { loadbalancer: { name: "one-too-many", vip_subnet_id: sub.id } });
    expect(r.status).toBe(403);
    expect(r.body.faultstring).toBe("Quota has been met for resources: Load Balancer");
    expect((await call("GET", `${O}/quotas/${c.projectId}`)).body.quota).toMatchObject({ loadbalancer: 12, load_balancer: 12, member: 3, listener: -1, health_monitor: -1 });
    expect((await call("GET", `${O}/quotas/other`)).status).toBe(403);
  });

  it("lists providers and flavors as configured; ovn refuses what it cannot do", async () => {
    expect((await call("GET", `${O}/providers`)).body.providers.map((p: any) => p.name)).toEqual(["amphora", "octavia", "ovn"]);
    expect((await call("GET", `${O}/flavors`)).body.flavors).toMatchObject([{ name: "ha", description: "Active/standby", enabled: true }]);
    const bad = await call("POST", `${O}/loadbalancers`, { loadbalancer: { vip_subnet_id: sub.id, provider: "f5" } });
    expect(bad.body.faultstring).toBe("Provider 'f5' is not enabled.");
    const victim = [...oct.loadBalancers.values()].find((x) => x.name === "pg-1")!;
    victim.provider = "ovn";
    const pool = await call("POST", `${O}/pools`, { pool: { loadbalancer_id: victim.id, protocol: "TCP", lb_algorithm: "ROUND_ROBIN" } });
    expect(pool.status).toBe(501);
    expect(pool.body.faultstring).toBe("Provider 'ovn' does not support a requested option: OVN provider does not support ROUND_ROBIN algorithm");
  });

  it("ends a create in ERROR under the fault, and keeps another project's load balancers apart", async () => {
    for (const x of [...oct.loadBalancers.values()].filter((y) => y.name.startsWith("fill-"))) oct.loadBalancers.delete(x.id);
    c.setFaults({ failLoadBalancerCreate: ["broken"] });
    try {
      const lb = await newLb("broken");
      expect(oct.history(lb.id)).toEqual(["PENDING_CREATE", "ERROR"]);
      expect((await call("GET", `${O}/loadbalancers/${lb.id}`)).body.loadbalancer).toMatchObject({ provisioning_status: "ERROR", operating_status: "ERROR" });
      const l = await call("POST", `${O}/listeners`, { listener: { loadbalancer_id: lb.id, protocol: "HTTP", protocol_port: 80 } });
      expect(l.body.faultstring).toBe(`Load Balancer ${lb.id} is immutable and cannot be updated.`);
      expect((await call("DELETE", `${O}/loadbalancers/${lb.id}`)).status).toBe(204);
      await settled(lb.id);
    } finally {
      c.setFaults({});
    }
    const foreign = { ...[...oct.loadBalancers.values()][0]!, id: "f0000000-0000-4000-8000-000000000000", project_id: c.store.identity.adminProjectId, name: "theirs" };
    oct.loadBalancers.set(foreign.id, foreign);
    expect((await call("GET", `${O}/loadbalancers?name=theirs`)).body.loadbalancers).toEqual([]);
    const peek = await call("GET", `${O}/loadbalancers/${foreign.id}`);
    expect(peek.status).toBe(403);
    expect(peek.body.faultstring).toBe("Policy does not allow this request to be performed.");
    oct.loadBalancers.delete(foreign.id);
  });
});

/** The openstack CLI when it has python3-octaviaclient's `loadbalancer` commands; else why not. */
function octaviaCli(): { cli?: string; why?: string } {
  let cli: string;
  try {
    cli = execFileSync("sh", ["-c", "command -v openstack"], { encoding: "utf8" }).trim();
  } catch {
    return { why: "the openstack CLI is not installed (apt-get install python3-openstackclient python3-octaviaclient)" };
  }
  try {
    execFileSync(cli, ["loadbalancer", "list", "--help"], { stdio: "ignore", timeout: 60_000 });
    return { cli };
  } catch {
    return { why: "the openstack CLI has no loadbalancer commands (apt-get install python3-octaviaclient)" };
  }
}
const { cli, why } = octaviaCli();
if (!cli) console.warn(`Skipping the openstack loadbalancer CLI test: ${why}`);

describe("openstack loadbalancer CLI availability", () => {
  it.runIf(process.env.CI === "true")("is installed in CI", () => {
    expect(cli, why).toBeDefined();
  });
});

describe.skipIf(!cli)("openstack loadbalancer list against the simulator", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sim-lb-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = promisify(execFile);

  it("lists the simulator's load balancers", async () => {
    const cloudsFile = path.join(dir, "clouds.yaml");
    writeFileSync(cloudsFile, sim.cloudsYaml());
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, OS_CLIENT_CONFIG_FILE: cloudsFile };
    const { stdout } = await run(cli!, ["--os-cloud", "lbsim", "loadbalancer", "list", "-f", "json"], { env, timeout: 60_000 });
    const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
    const mine = [...oct.loadBalancers.values()].filter((x) => x.project_id === c.projectId);
    expect(rows.map((r) => r["id"]).sort()).toEqual(mine.map((x) => x.id).sort());
    expect(rows[0]).toHaveProperty("provisioning_status");
  });
});
