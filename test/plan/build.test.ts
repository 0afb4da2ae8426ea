import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/plan/build.js";
import { parsePlan, serializePlan } from "../../src/plan/io.js";
import { emptyMapping } from "../../src/mapping/mapping-file.js";
import { renderPlan } from "../../src/plan/render.js";
import {
  aFloatingIp, aKeypair, aNetwork, anExternalNetwork, anImage, anInventory, aPort, aRouter, aRule, aSecurityGroup, aServer,
  aServerGroup, aSubnet, aVolume, aVolumeType, DST_PROJECT, mandatoryFlavors, ubuntuImage,
} from "../helpers/builders.js";

function tenant() {
  const net = aNetwork({ name: "app-net" });
  const sub = aSubnet({ name: "app-subnet", network_id: net.id, cidr: "10.1.0.0/24", gateway_ip: "10.1.0.1" });
  const ext = anExternalNetwork();
  const web = aSecurityGroup({ name: "web" });
  const db = aSecurityGroup({ name: "db" });
  web.rules.push(aRule({ port_range_min: 80, port_range_max: 80 }));
  db.rules.push(aRule({ port_range_min: 5432, port_range_max: 5432, remote_ip_prefix: null, remote_group_id: web.id }));
  db.rules.push(aRule({ port_range_min: 5432, port_range_max: 5432, remote_ip_prefix: null, remote_group_id: db.id }));
  const router = aRouter({
    name: "edge",
    external_gateway: { network_id: ext.id, enable_snat: true, external_fixed_ips: [] },
    interfaces: [{ subnet_id: sub.id, port_id: "rport", ip_address: "10.1.0.1" }],
  });
  const img = anImage({ name: "app-image", size: 5 * 1048576 });
  const std = ubuntuImage();
  const group = aServerGroup({ name: "spread" });
  const srv = aServer({ name: "web-1", image_id: std.id, key_name: "deploy", server_group_id: group.id });
  const port = aPort({ network_id: net.id, device_id: srv.id, device_owner: "compute:nova", fixed_ips: [{ subnet_id: sub.id, ip_address: "10.1.0.10" }], security_group_ids: [web.id] });
  const rport = aPort({ id: "rport", network_id: net.id, device_id: router.id, device_owner: "network:router_interface", fixed_ips: [{ subnet_id: sub.id, ip_address: "10.1.0.1" }] });
  srv.port_ids = [port.id];
  const data = aVolume({ name: "data", size: 3, status: "in-use", attachments: [{ server_id: srv.id, device: "/dev/vdb", attachment_id: "a" }] });
  srv.volumes = [{ volume_id: data.id, device: "/dev/vdb", boot_index: null, delete_on_termination: false }];
  const fip = aFloatingIp({ floating_network_id: ext.id, port_id: port.id, fixed_ip_address: "10.1.0.10" });
  const source = anInventory(undefined, {
    keypairs: [aKeypair({ name: "deploy" })],
    flavors: mandatoryFlavors(),
    networks: [net, ext],
    subnets: [sub],
    routers: [router],
    security_groups: [web, db],
    ports: [port, rport],
    floating_ips: [fip],
    server_groups: [group],
    images: [img, std],
    volume_types: [aVolumeType()],
    volumes: [data],
    servers: [srv],
  });
  const target = anInventory(DST_PROJECT, {
    flavors: mandatoryFlavors(),
    networks: [anExternalNetwork({ name: "ext-net" })],
    images: [ubuntuImage()],
    volume_types: [aVolumeType()],
    quotas: { instances: { limit: 10, in_use: 0 }, cores: { limit: 20, in_use: 0 } },
  });
  return { source, target };
}

const build = (t = tenant(), mapping = emptyMapping()) =>
  buildPlan({ name: "t1", ...t, mapping, options: {}, now: () => new Date("2026-01-01T00:00:00Z"), toolVersion: "test" });

describe("plan builder", () => {
  it("plans every owned resource as a step or a skip with a reason", () => {
    const t = tenant();
    const plan = build(t);
    const ids = new Set(Object.values(plan.steps).map((s) => s.source.id));
    for (const coll of ["keypairs", "subnets", "routers", "security_groups", "ports", "floating_ips", "server_groups", "volumes", "servers"] as const) {
      for (const r of t.source[coll]) expect(ids.has(r.id), `${coll} ${r.id} has no step`).toBe(true);
    }
    for (const s of Object.values(plan.steps)) if (s.action === "skip") expect(s.reason).toBeTruthy();
    expect(plan.steps["network/public"]).toBeUndefined();
  });

  it("orders dependencies into waves and splits remote-group rules into their own step", () => {
    const plan = build();
    const waveOf = (id: string) => plan.waves.findIndex((w) => w.includes(id));
    expect(waveOf("subnet/app-subnet")).toBeGreaterThan(waveOf("network/app-net"));
    expect(waveOf("server/web-1")).toBeGreaterThan(waveOf("port/web-1:app-net"));
    expect(plan.steps["security-group-rules/db"]!.dependsOn).toEqual(["security-group/db", "security-group/web"]);
    expect((plan.steps["security-group/db"]!.params as { rules: unknown[] }).rules).toHaveLength(3);
    expect(plan.steps["floating-ip/203.0.113.10"]!.dependsOn).toContain("router/edge");
    expect(plan.steps["port/rport"] ?? plan.steps["port/app-net:10.1.0.1"]).toMatchObject({ action: "skip", reason: "skip_managed_by_cloud" });
  });

  it("maps the external network, flavors and the root disk copy", () => {
    const plan = build();
    expect(plan.mappings.externalNetwork).toBe("ext-net");
    const srv = plan.steps["server/web-1"]!;
    expect(srv.params).toMatchObject({ flavor_ref: { name: "SCS-2V-4-20s" }, boot: { source: "root-disk-copy" }, key_name: { $step: "keypair/deploy" } });
    expect(plan.estimate.bytes).toBe(3 * 1024 ** 3 + 5 * 1048576 + 4194304);
  });

  it("is deterministic apart from createdAt and reads back", () => {
    const t = tenant();
    const a = serializePlan(build(t));
    const b = serializePlan(build(structuredClone(t)));
    expect(a).toBe(b);
    const plan = parsePlan(a, "plan.json");
    expect(renderPlan(plan)).toContain("Plan: ");
  });

  it("reports a quota shortfall as a blocking finding", () => {
    const t = tenant();
    t.target.quotas.instances = { limit: 1, in_use: 1 };
    const plan = build(t);
    expect(plan.preflight.findings).toContainEqual(expect.objectContaining({ severity: "error", code: "quota_shortfall" }));
  });
});

describe("plan file checks", () => {
  it("refuses a tampered plan and lists every problem", () => {
    const plan = JSON.parse(serializePlan(build()));
    plan.steps["server/web-1"].dependsOn = ["network/nope"];
    plan.steps["subnet/app-subnet"].kind = "network";
    plan.waves.push(["ghost/step"]);
    let err: any;
    try {
      parsePlan(JSON.stringify(plan), "plan.json");
    } catch (e) {
      err = e;
    }
    expect(err?.code).toBe("E_PLAN_FILE");
    expect(err.exitCode).toBe(6);
    const text = err.issues.join("\n");
    expect(text).toMatch(/unknown step "network\/nope"/);
    expect(text).toMatch(/does not start with its kind/);
    expect(text).toMatch(/ghost\/step/);
    expect(text).toMatch(/integrity/);
  });

  it("refuses another format version and says what to do", () => {
    const plan = JSON.parse(serializePlan(build()));
    plan.formatVersion = 2;
    expect(() => parsePlan(JSON.stringify(plan), "plan.json")).toThrow(/format 2 is not supported/);
  });

  it("accepts hand edits of params and options", () => {
    const plan = JSON.parse(serializePlan(build()));
    plan.steps["volume/data"].params.size = 5;
    plan.steps["volume/data"].options.dataCopy = false;
    expect(() => parsePlan(JSON.stringify(plan), "plan.json")).not.toThrow();
  });
});
