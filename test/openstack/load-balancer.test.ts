/**
 * The Octavia client against the simulated cloud: a whole tree built call by
 * call with the waiter between the steps, the 409 while a load balancer is
 * busy and the retry that waits it out, delete with and without cascade, the
 * ERROR fault surfacing through the waiter, and listing across pages with a
 * small page size and filters (which Octavia's next links drop).
 * State transitions are checked in the simulator's event log, not by polling
 * for short-lived states.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCloud } from "../../src/executor/connect.js";
import { ApiError, WaitError } from "../../src/errors.js";
import type { OpenStackCloud } from "../../src/openstack/cloud.js";
import * as lb from "../../src/openstack/load-balancer.js";
import { createNetwork, createSubnet, getPort } from "../../src/openstack/network.js";
import { startSim, type SimDelays, type SimServer } from "../../src/sim/index.js";

let sim: SimServer;
let dir: string;
let cloud: OpenStackCloud;
let small: OpenStackCloud;
let subnetId: string;
const wait = { minDelay: 5, maxDelay: 20, timeoutMs: 10_000 };

beforeAll(async () => {
  sim = await startSim({
    clouds: [{ name: "lbcli", maxPageSize: 3, delays: { lbCreate: 100, lbUpdate: 20, lbDelete: 20 }, loadBalancer: { providers: ["amphora", "ovn"], flavors: [{ name: "single" }] } }],
  });
  dir = mkdtempSync(path.join(tmpdir(), "lb-client-"));
  const cfg = path.join(dir, "clouds.yaml");
  writeFileSync(cfg, sim.cloudsYaml(), { mode: 0o600 });
  cloud = await connectCloud("lbcli", { configFile: cfg });
  small = await connectCloud("lbcli", { configFile: cfg, pageSize: 2 });
  const net = await createNetwork(cloud.network, { name: "lb-net" });
  subnetId = (await createSubnet(cloud.network, { network_id: net.id, cidr: "10.40.0.0/24", ip_version: 4 })).id;
});
afterAll(async () => {
  cloud?.close();
  small?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const octavia = () => sim.cloud("lbcli").store.octavia;

describe("octavia client", () => {
  it("finds Octavia in the catalog and reads providers, flavors and quota", async () => {
    expect(cloud.has("load-balancer")).toBe(true);
    expect((await lb.listProviders(cloud.loadBalancer)).map((p) => p.name)).toEqual(["amphora", "ovn"]);
    expect((await lb.listLbFlavors(cloud.loadBalancer)).map((f) => f.name)).toEqual(["single"]);
    expect(await lb.listLbAvailabilityZones(cloud.loadBalancer)).toEqual([]);
    expect(await lb.getLoadBalancerQuota(cloud.loadBalancer, cloud.projectId)).toEqual({ loadbalancer: -1, listener: -1, pool: -1, member: -1, healthmonitor: -1, l7policy: -1, l7rule: -1 });
  });

  it("builds a full tree, waiting for the load balancer after every step", async () => {
    const c = cloud.loadBalancer;
    const created = await lb.createLoadBalancer(c, { name: "shop", vip_subnet_id: subnetId, tags: ["smig:plan-1"] });
    expect(created.provisioning_status).toBe("PENDING_CREATE");
    const active = await lb.waitForLoadBalancer(c, created.id, wait);
    expect(active).toMatchObject({ provisioning_status: "ACTIVE", operating_status: "ONLINE", vip_subnet_id: subnetId, tags: ["smig:plan-1"] });
    const step = async <T>(p: Promise<T>): Promise<T> => {
      const out = await p;
      await lb.waitForLoadBalancer(c, created.id, wait);
      return out;
    };
    const listener = await step(lb.createListener(c, { loadbalancer_id: created.id, protocol: "HTTP", protocol_port: 80, insert_headers: { "X-Forwarded-For": "true" }, allowed_cidrs: ["10.0.0.0/8"], tags: ["smig:plan-1"] }));
    const pool = await step(lb.createPool(c, { listener_id: listener.id, protocol: "HTTP", lb_algorithm: "LEAST_CONNECTIONS", session_persistence: { type: "APP_COOKIE", cookie_name: "sid" } }));
    const m1 = await step(lb.createMember(c, pool.id, { address: "10.40.0.11", protocol_port: 8080, subnet_id: subnetId, weight: 5 }));
    await step(lb.createMember(c, pool.id, { address: "10.40.0.12", protocol_port: 8080, backup: true, monitor_port: 9000 }));
    const hm = await step(lb.createHealthMonitor(c, { pool_id: pool.id, type: "HTTP", delay: 5, timeout: 3, max_retries: 3, url_path: "/health", expected_codes: "200-204" }));
    const policy = await step(lb.createL7Policy(c, { listener_id: listener.id, action: "REDIRECT_PREFIX", redirect_prefix: "https://shop.example" }));
    await step(lb.createL7Rule(c, policy.id, { type: "HEADER", compare_type: "EQUAL_TO", key: "X-Proto", value: "http" }));

    const l = await lb.getListener(c, listener.id);
    expect(l).toMatchObject({ default_pool_id: pool.id, insert_headers: { "X-Forwarded-For": "true" }, allowed_cidrs: ["10.0.0.0/8"], l7policies: [policy.id], provisioning_status: "ACTIVE" });
    expect(await lb.getPool(c, pool.id)).toMatchObject({ lb_algorithm: "LEAST_CONNECTIONS", session_persistence: { type: "APP_COOKIE", cookie_name: "sid" }, healthmonitor_id: hm.id, listeners: [listener.id] });
    expect((await lb.listMembers(c, pool.id)).map((m) => [m.address, m.weight, m.backup, m.monitor_port, m.operating_status])).toEqual([
      ["10.40.0.11", 5, false, null, "ONLINE"],
      ["10.40.0.12", 1, true, 9000, "ONLINE"],
    ]);
    expect((await lb.getMember(c, pool.id, m1.id)).subnet_id).toBe(subnetId);
    expect(await lb.getHealthMonitor(c, hm.id)).toMatchObject({ url_path: "/health", expected_codes: "200-204", http_method: "GET", pools: [pool.id] });
    expect((await lb.listL7Rules(c, policy.id))[0]).toMatchObject({ type: "HEADER", key: "X-Proto", value: "http", invert: false });
    const tree = await lb.getLoadBalancerStatusTree(c, created.id);
    expect(tree.listeners[0]!.pools[0]!.members).toHaveLength(2);
    expect(tree.pools[0]!.healthmonitor?.id).toBe(hm.id);
    expect((await lb.listLoadBalancers(c, { tags: "smig:plan-1" })).map((x) => x.id)).toEqual([created.id]);
    expect((await lb.listListeners(c, { loadbalancer_id: created.id })).map((x) => x.id)).toEqual([listener.id]);
    // Every step locked the load balancer once and released it once.
    expect(octavia().history(created.id)).toEqual(["PENDING_CREATE", "ACTIVE", ...Array(7).fill(["PENDING_UPDATE", "ACTIVE"]).flat()]);
    const port = await getPort(cloud.network, active.vip_port_id!);
    expect(port).toMatchObject({ device_owner: "Octavia", fixed_ips: [{ subnet_id: subnetId, ip_address: active.vip_address! }] });
  });

  it("recognises Octavia's 409 while the load balancer is busy and retries after waiting", async () => {
    const c = cloud.loadBalancer;
    // Why: a long create keeps the LB pending for both refused calls even on a loaded machine.
    const delays = (sim.cloud("lbcli") as unknown as { delays: SimDelays }).delays;
    delays.lbCreate = 2000;
    const busy = await lb.createLoadBalancer(c, { name: "busy", vip_subnet_id: subnetId });
    delays.lbCreate = 100;
    const err = await lb.createListener(c, { loadbalancer_id: busy.id, protocol: "TCP", protocol_port: 22 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(409);
    expect((err as ApiError).message).toContain(`Load Balancer ${busy.id} is immutable and cannot be updated.`);
    expect(lb.isImmutableConflict(err)).toBe(true);
    const self = await lb.updateLoadBalancer(c, busy.id, { description: "x" }).catch((e: unknown) => e);
    expect(lb.isImmutableConflict(self)).toBe(true);
    expect(lb.isImmutableConflict(new Error("409"))).toBe(false);

    let attempts = 0;
    const listener = await lb.retryWhileImmutable(c, busy.id, () => (attempts++, lb.createListener(c, { loadbalancer_id: busy.id, protocol: "TCP", protocol_port: 22 })), wait);
    expect(attempts).toBe(2);
    expect(listener.protocol_port).toBe(22);
    await lb.waitForLoadBalancer(c, busy.id, wait);
  });

  it("deletes with cascade only, and the waiter treats 404 as gone", async () => {
    const c = cloud.loadBalancer;
    const busy = (await lb.listLoadBalancers(c, { name: "busy" }))[0]!;
    const refused = await lb.deleteLoadBalancer(c, busy.id).catch((e: unknown) => e);
    expect((refused as ApiError).status).toBe(400);
    expect((refused as ApiError).message).toContain(`Validation failure: Cannot delete Load Balancer ${busy.id} - it has children`);
    await lb.deleteLoadBalancer(c, busy.id, { cascade: true });
    await lb.waitForLoadBalancerGone(c, busy.id, wait);
    expect(octavia().history(busy.id).slice(-2)).toEqual(["PENDING_DELETE", "DELETED"]);
    expect(await lb.listListeners(c, { loadbalancer_id: busy.id })).toEqual([]);
    expect((await lb.getLoadBalancer(c, busy.id).catch((e: unknown) => e) as ApiError).message).toContain(`Load Balancer ${busy.id} not found.`);
  });

  it("surfaces ERROR from the waiter as LoadBalancerFailedError with what is known", async () => {
    const c = cloud.loadBalancer;
    sim.cloud("lbcli").setFaults({ failLoadBalancerCreate: ["doomed"] });
    try {
      const doomed = await lb.createLoadBalancer(c, { name: "doomed", vip_subnet_id: subnetId });
      const err = await lb.waitForLoadBalancer(c, doomed.id, wait).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(lb.LoadBalancerFailedError);
      expect(err).toBeInstanceOf(WaitError);
      const e = err as lb.LoadBalancerFailedError;
      expect(e.message).toMatch(/^load balancer doomed went to ERROR: provider amphora; operating_status ERROR; Octavia reports no reason/);
      expect(e.loadBalancerId).toBe(doomed.id);
      expect(e.lastStatus).toBe("ERROR");
      await lb.deleteLoadBalancer(c, doomed.id);
      await lb.waitForLoadBalancerGone(c, doomed.id, wait);
    } finally {
      sim.cloud("lbcli").setFaults({});
    }
  });

  it("lists across pages with a small page size and keeps the filters Octavia's next links drop", async () => {
    const c = cloud.loadBalancer;
    const tagged: string[] = [];
    for (const i of [1, 2, 3, 4, 5]) {
      tagged.push((await lb.createLoadBalancer(c, { name: `page-${i}`, vip_subnet_id: subnetId, tags: ["paged"] })).id);
      await lb.createLoadBalancer(c, { name: `noise-${i}`, vip_subnet_id: subnetId });
    }
    const all = await lb.listLoadBalancers(small.loadBalancer, { tags: "paged" });
    expect(all.map((x) => x.id)).toEqual(tagged);
    // The server caps a page at 3 while the default client asks for 1000: the next link carries on.
    const capped = await lb.listLoadBalancers(c, { tags: "paged" });
    expect(capped.map((x) => x.id)).toEqual(tagged);
    expect((await lb.listLoadBalancers(c)).length).toBe(11);
    await Promise.all((await lb.listLoadBalancers(c)).map((x) => lb.waitForLoadBalancer(c, x.id, wait)));
  });
});
