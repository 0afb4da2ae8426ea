/**
 * Planning of load balancers from a seeded simulated source (fixtures/tenants/lb.yaml):
 * the two steps per load balancer, their dependencies, the members that follow
 * migrated ports, the floating IP on the VIP, the Barbican listener skipped with
 * a hint, the member outside the tenant kept with a warning, and the
 * pre-flight error for a target without Octavia.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyMapping } from "../../src/mapping/mapping-file.js";
import type { Inventory } from "../../src/model/inventory.js";
import type { Plan } from "../../src/model/plan.js";
import { buildPlan } from "../../src/plan/build.js";
import type { LoadBalancerConfigParams, LoadBalancerParams } from "../../src/kinds/load-balancer.plan.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let env: SimEnv;
let src: Inventory;
let dst: Inventory;

const plan = (target: Inventory, mapping = emptyMapping()): Plan =>
  buildPlan({ name: "lb", source: src, target, mapping, options: {}, now: () => new Date("2026-01-01T00:00:00Z"), toolVersion: "0.0.0-test" });

beforeAll(async () => {
  env = await startSimEnv();
  await seed(env, "src", "fixtures/tenants/lb.yaml");
  [src, dst] = await Promise.all([env.inventory("src"), env.inventory("dst")]);
}, 120_000);
afterAll(() => env?.close());

describe("planning a load balancer", () => {
  it("inventories the whole tree and records that both clouds offer Octavia", () => {
    expect(src.meta.services).toEqual(["load-balancer"]);
    expect(dst.meta.services).toEqual(["load-balancer"]);
    const lb = src.load_balancers[0]!;
    expect(lb.listeners.map((l) => l.protocol).sort()).toEqual(["HTTP", "TCP", "TERMINATED_HTTPS", "UDP"]);
    expect(lb.pools.flatMap((p) => p.members)).toHaveLength(6);
    expect(src.quotas.load_balancers?.in_use).toBe(1);
  });

  it("plans the load balancer on the migrated subnet with its VIP address, and the tree after it", () => {
    const p = plan(dst);
    const lb = p.steps["load-balancer/web-lb"]!;
    expect(lb.action).toBe("create");
    expect(lb.dependsOn).toEqual(["subnet/web-subnet"]);
    const params = lb.params as LoadBalancerParams;
    expect(params.vip_subnet_id).toEqual({ $step: "subnet/web-subnet" });
    expect(params.vip_address).toBe("10.40.0.100");
    expect(params.provider).toBe("amphora");

    const cfg = p.steps["load-balancer-config/web-lb"]!;
    expect(cfg.dependsOn).toEqual(["load-balancer/web-lb", "port/web-1-port-0", "port/web-2-port-0", "subnet/web-subnet"]);
    const c = cfg.params as LoadBalancerConfigParams;
    expect(c.listeners.map((l) => `${l.protocol}:${l.protocol_port}`).sort()).toEqual(["HTTP:80", "TCP:5000", "UDP:53"]);
    const byName = new Map(c.pools.map((x) => [x.name, x]));
    expect(byName.get("web-pool")!.session_persistence).toEqual({ type: "HTTP_COOKIE", cookie_name: null });
    expect(byName.get("web-pool")!.healthmonitor).toMatchObject({ type: "HTTP", url_path: "/healthz", expected_codes: "200" });
    expect(byName.get("api-pool")!.lb_algorithm).toBe("LEAST_CONNECTIONS");
    expect(byName.get("web-pool")!.members.map((m) => m.address)).toEqual(
      expect.arrayContaining([{ port: { $step: "port/web-1-port-0" }, ip: "10.40.0.11" }, { port: { $step: "port/web-2-port-0" }, ip: "10.40.0.12" }]),
    );
    expect(byName.get("api-pool")!.members.map((m) => m.address)).toContain("192.0.2.50");
    const http = c.listeners.find((l) => l.protocol === "HTTP")!;
    const webPool = byName.get("web-pool")!;
    expect(http.default_pool).toBe(webPool.src);
    expect(http.l7policies).toHaveLength(1);
    expect(http.l7policies[0]!.redirect_pool).toBe(byName.get("api-pool")!.src);
    expect(http.l7policies[0]!.rules).toEqual([expect.objectContaining({ type: "PATH", compare_type: "STARTS_WITH", value: "/api" })]);
  });

  it("skips the VIP port, moves the floating IP to the new VIP, and skips the Barbican listener with a hint", () => {
    const p = plan(dst);
    const vipPort = Object.entries(p.steps).find(([id]) => id.startsWith("port/") && p.steps[id]!.note?.includes("VIP"));
    expect(vipPort?.[1].action).toBe("skip");
    const fip = Object.values(p.steps).find((s) => s.kind === "floating-ip")!;
    expect(fip.params).toMatchObject({ port: null, load_balancer: { $step: "load-balancer/web-lb" } });
    expect(fip.dependsOn).toEqual(["load-balancer/web-lb", "router/web-router"]);
    const tls = p.steps["load-balancer-config/web-lb:tls"]!;
    expect(tls.action).toBe("skip");
    expect(tls.note).toMatch(/Barbican.*key manager/);
    const codes = p.preflight.findings.map((f) => f.code);
    expect(codes).toContain("lb_listener_barbican");
    expect(p.preflight.findings.filter((f) => f.code === "lb_member_outside_tenant").map((f) => f.message)).toEqual([expect.stringContaining("192.0.2.50")]);
    expect(p.preflight.findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("counts the tree against the target's load-balancer quota", () => {
    const p = plan({ ...dst, quotas: { ...dst.quotas, lb_members: { limit: 3, in_use: 0 } } });
    expect(p.preflight.findings.filter((f) => f.severity === "error").map((f) => f.message).join("\n")).toMatch(/lb_members/);
  });

  it("maps the provider through the mapping file, and names an unmapped one", () => {
    const target = { ...dst, lb_providers: [{ name: "ovn", description: "" }] };
    expect(plan(target).preflight.findings.find((f) => f.code === "lb_provider_unmapped")?.message).toMatch(/"amphora".*loadBalancerProviders/);
    const mapped = plan(target, { ...emptyMapping(), loadBalancerProviders: { amphora: "ovn" } });
    expect((mapped.steps["load-balancer/web-lb"]!.params as LoadBalancerParams).provider).toBe("ovn");
    expect(mapped.preflight.findings.find((f) => f.code === "lb_provider_unmapped")).toBeUndefined();
  });

  it("fails pre-flight with one line naming the service when the target has no Octavia", () => {
    const p = plan({ ...dst, meta: { ...dst.meta, services: [] }, lb_providers: [] });
    const errors = p.preflight.findings.filter((f) => f.severity === "error");
    expect(errors.map((f) => f.message)).toEqual([expect.stringMatching(/^the target offers no load-balancer service \(Octavia\)/)]);
  });
});

describe("a source without Octavia", () => {
  it("inventories no load balancers and plans no load-balancer steps", async () => {
    const bare = await startSimEnv({ src: { loadBalancer: { enabled: false } } });
    try {
      await seed(bare, "src", "fixtures/tenants/small.yaml");
      const [s, d] = await Promise.all([bare.inventory("src"), bare.inventory("dst")]);
      expect(s.meta.services).toEqual([]);
      expect(s.load_balancers).toEqual([]);
      const p = buildPlan({ name: "bare", source: s, target: d, mapping: emptyMapping(), options: {}, now: () => new Date(), toolVersion: "0.0.0-test" });
      expect(Object.values(p.steps).filter((x) => x.kind.startsWith("load-balancer"))).toEqual([]);
      expect(p.preflight.findings.filter((f) => f.severity === "error")).toEqual([]);
    } finally {
      await bare.close();
    }
  }, 120_000);
});
