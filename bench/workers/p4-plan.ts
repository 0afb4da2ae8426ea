/**
 * P4 worker: builds a large tenant in memory with the test builders, then
 * times `buildPlan` + `serializePlan` on it and reports the peak RSS. The
 * baseline is a JSON round trip (stringify + parse) of the same source
 * inventory: what merely reading and writing that much data costs.
 *
 * Shape per 10,000 resources: 1,000 servers, each with one port (own
 * security group list) and one attached data volume; 100 networks with one
 * subnet each; 10 routers; 200 security groups of 30 rules (rules counted
 * as resources); 470 floating IPs; 100 keypairs; 20 private images.
 */
import { buildPlan } from "../../src/plan/build.js";
import { serializePlan } from "../../src/plan/io.js";
import { emptyMapping } from "../../src/mapping/mapping-file.js";
import type { Inventory } from "../../src/model/inventory.js";
import {
  aFloatingIp, aKeypair, aNetwork, anExternalNetwork, anImage, anInventory, aPort, aRouter, aRule, aSecurityGroup, aServer,
  aSubnet, aVolume, aVolumeType, defaultEgress, DST_PROJECT, mandatoryFlavors, ubuntuImage,
} from "../../test/helpers/builders.js";
import { workerInput, workerMain } from "../lib/child.js";

/** What the P4 orchestrator sends. */
export interface P4Input {
  /** Resources per 10,000 block; the tenant has `blocks` such blocks. */
  blocks: number;
}

/** What the worker reports (besides its peak RSS). */
export interface P4Output {
  resources: number;
  steps: number;
  planBytes: number;
  buildMs: number;
  serializeMs: number;
  jsonRoundTripMs: number;
  rssAfterInventoryMiB: number;
}

function tenant(blocks: number): { source: Inventory; target: Inventory; resources: number } {
  const ext = anExternalNetwork();
  const std = ubuntuImage();
  const src = anInventory(undefined, { flavors: mandatoryFlavors(), networks: [ext], images: [std], volume_types: [aVolumeType()] });
  const nets = 100 * blocks;
  const subnets: { id: string; net: string; prefix: string }[] = [];
  for (let i = 0; i < nets; i++) {
    const net = aNetwork({ name: `net-${i}` });
    const prefix = `10.${(i >> 8) & 255}.${i & 255}`;
    const sub = aSubnet({ name: `sub-${i}`, network_id: net.id, cidr: `${prefix}.0/24`, gateway_ip: `${prefix}.1`, allocation_pools: [{ start: `${prefix}.2`, end: `${prefix}.254` }] });
    src.networks.push(net);
    src.subnets.push(sub);
    subnets.push({ id: sub.id, net: net.id, prefix });
  }
  for (let r = 0; r < 10 * blocks; r++) {
    const ifaces = subnets.slice(r * 10, r * 10 + 10);
    const router = aRouter({ name: `router-${r}`, external_gateway: { network_id: ext.id, enable_snat: true, external_fixed_ips: [] } });
    for (const s of ifaces) {
      const port = aPort({ network_id: s.net, device_id: router.id, device_owner: "network:router_interface", fixed_ips: [{ subnet_id: s.id, ip_address: `${s.prefix}.1` }] });
      router.interfaces.push({ subnet_id: s.id, port_id: port.id, ip_address: `${s.prefix}.1` });
      src.ports.push(port);
    }
    src.routers.push(router);
  }
  const groups = 200 * blocks;
  for (let g = 0; g < groups; g++) {
    const sg = aSecurityGroup({ name: `sg-${g}`, rules: defaultEgress() });
    for (let k = 0; k < 28; k++) sg.rules.push(aRule({ port_range_min: 1000 + k, port_range_max: 1000 + k }));
    src.security_groups.push(sg);
  }
  for (let k = 0; k < 100 * blocks; k++) src.keypairs.push(aKeypair({ name: `key-${k}` }));
  for (let k = 0; k < 20 * blocks; k++) src.images.push(anImage({ name: `private-${k}`, size: 64 * 1048576 }));
  const servers = 1000 * blocks;
  for (let i = 0; i < servers; i++) {
    const s = subnets[i % nets]!;
    const sg = src.security_groups[i % groups]!;
    const srv = aServer({ name: `srv-${i}`, image_id: std.id, key_name: `key-${i % (100 * blocks)}`, security_groups: [sg.name] });
    const ip = `${s.prefix}.${10 + Math.floor(i / nets)}`;
    const port = aPort({ network_id: s.net, device_id: srv.id, device_owner: "compute:nova", fixed_ips: [{ subnet_id: s.id, ip_address: ip }], security_group_ids: [sg.id] });
    const vol = aVolume({ name: `data-${i}`, size: 10, status: "in-use", attachments: [{ server_id: srv.id, device: "/dev/vdb", attachment_id: `att-${i}` }] });
    srv.port_ids = [port.id];
    srv.volumes = [{ volume_id: vol.id, device: "/dev/vdb", boot_index: null, delete_on_termination: false }];
    src.servers.push(srv);
    src.ports.push(port);
    src.volumes.push(vol);
    if (i % servers < 470 * blocks) src.floating_ips.push(aFloatingIp({ floating_network_id: ext.id, port_id: port.id, fixed_ip_address: ip, floating_ip_address: `203.0.${(i >> 8) & 255}.${i & 255}` }));
  }
  const target = anInventory(DST_PROJECT, { flavors: mandatoryFlavors(), networks: [anExternalNetwork({ name: "ext-net" })], images: [ubuntuImage()], volume_types: [aVolumeType()] });
  const rules = src.security_groups.reduce((n, g) => n + g.rules.length, 0);
  const resources =
    src.servers.length + src.ports.length + src.volumes.length + src.networks.length + src.subnets.length + src.routers.length +
    src.security_groups.length + rules + src.floating_ips.length + src.keypairs.length + src.images.length;
  return { source: src, target, resources };
}

workerMain(async (): Promise<P4Output> => {
  const { blocks } = workerInput<P4Input>();
  const { source, target, resources } = tenant(blocks);
  const rssAfterInventoryMiB = process.memoryUsage().rss / 1024 / 1024;
  const t0 = performance.now();
  const text = JSON.stringify(source);
  JSON.parse(text);
  const jsonRoundTripMs = performance.now() - t0;
  const t1 = performance.now();
  const plan = buildPlan({ name: "bench", source, target, mapping: emptyMapping(), options: {}, now: () => new Date("2026-01-01T00:00:00Z"), toolVersion: "bench" });
  const t2 = performance.now();
  const out = serializePlan(plan);
  const t3 = performance.now();
  return { resources, steps: Object.keys(plan.steps).length, planBytes: Buffer.byteLength(out), buildMs: t2 - t1, serializeMs: t3 - t2, jsonRoundTripMs, rssAfterInventoryMiB };
});
