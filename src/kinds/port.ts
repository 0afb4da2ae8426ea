/**
 * Neutron ports, created before their servers with the source's fixed IPs and
 * security groups. An address already taken on the target (409
 * IpAddressAlreadyAllocated) fails the step with that message: a silent new
 * address would break whatever points at the old one.
 *
 * API: /v2.0/ports, PUT /v2.0/ports/{id}/tags
 */
import type { Inventory, Port } from "../model/inventory.js";
import { labelOf, shortId } from "./common.js";
import { listPortsOnce } from "./provider.js";
import * as net from "../openstack/network.js";
import { isStepRef, userTags } from "./common.js";
import { ensureMarked, findMarked } from "./neutron-marker.js";
import { planPorts, PortParams } from "./port.plan.js";
import { externalNetworkId } from "./router.js";
import { defineKind, type ApplyContext, type Collector } from "./types.js";
import { compareFields, deleteIgnoringMissing, mismatch, missing, orNull, sorted } from "./verify-helpers.js";

type Ctx = ApplyContext<PortParams>;

async function networkIdOf(ctx: Ctx, p: PortParams): Promise<string> {
  return isStepRef(p.network_id) ? ctx.targetIdOf(p.network_id) : externalNetworkId(ctx, p.network_id.name);
}

export const ports: Collector<"ports"> = {
  name: "ports",
  async collect(cx) {
    return (await listPortsOnce(cx)).map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      network_id: p.network_id,
      mac_address: p.mac_address,
      fixed_ips: p.fixed_ips,
      security_group_ids: [...p.security_groups].sort(),
      port_security_enabled: p.port_security_enabled,
      admin_state_up: p.admin_state_up,
      allowed_address_pairs: p.allowed_address_pairs.map((a) => (a.mac_address ? { ip_address: a.ip_address, mac_address: a.mac_address } : { ip_address: a.ip_address })),
      device_owner: p.device_owner,
      device_id: p.device_id,
      status: p.status,
      project_id: p.project_id,
      tags: p.tags,
    }));
  },
};

/** Unnamed ports are named after their server and network (`web-1:frontend`), else network and address. */
function portLabels(inv: Inventory): (p: Port) => string {
  const serverName = new Map(inv.servers.map((s) => [s.id, labelOf(s) || shortId(s.id)]));
  const netName = new Map(inv.networks.map((n) => [n.id, labelOf(n) || shortId(n.id)]));
  return (p) => {
    if (p.name) return labelOf(p);
    const owner = serverName.get(p.device_id);
    const net = netName.get(p.network_id) ?? shortId(p.network_id);
    if (owner) return `${owner}:${net}`;
    return `${net}:${p.fixed_ips[0]?.ip_address ?? shortId(p.id)}`;
  };
}

export const port = defineKind<PortParams>({
  kind: "port",
  color: "#8aa1b4",
  collection: ports,
  stepLabels: portLabels,
  describe: (step) => step.params.fixed_ips.map((f) => f.ip_address ?? "any").join(", ") || "no fixed IP",
  quotaNeeds: () => ({ ports: 1 }),
  lane: () => "api",
  paramsSchema: PortParams,
  plan: planPorts,

  async find(ctx) {
    return (await findMarked(ctx, (f) => net.listPorts(ctx.target.network, f)))?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const n = ctx.target.network;
    const networkId = await networkIdOf(ctx, p);
    const { resource, outcome } = await ensureMarked(ctx, {
      resource: "ports",
      list: (f) => net.listPorts(n, f),
      create: (description) =>
        net.createPort(n, {
          name: p.name,
          description,
          network_id: networkId,
          admin_state_up: p.admin_state_up,
          ...(p.fixed_ips.length
            ? { fixed_ips: p.fixed_ips.map((f) => ({ subnet_id: ctx.targetIdOf(f.subnet_id), ...(f.ip_address ? { ip_address: f.ip_address } : {}) })) }
            : {}),
          ...(p.port_security_enabled === false ? { port_security_enabled: false } : { security_groups: p.security_groups.map((g) => ctx.targetIdOf(g)) }),
          ...(p.allowed_address_pairs.length ? { allowed_address_pairs: p.allowed_address_pairs } : {}),
        }),
      update: (id, body) => net.updatePort(n, id, body),
      description: p.description,
      tags: p.tags,
    });
    return { outcome, targetId: resource.id, extra: { fixed_ips: resource.fixed_ips.map((f) => f.ip_address) } };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const t = await orNull(net.getPort(ctx.target.network, targetId));
    if (!t) return [missing(ctx)];
    const findings = compareFields(ctx, p, { ...t, tags: userTags(t.tags) }, ["name", "description", "admin_state_up", "tags"]);
    const networkId = await networkIdOf(ctx, p);
    if (t.network_id !== networkId) findings.push(mismatch(ctx, "network_id", networkId, t.network_id, "network"));
    const wantIps = sorted(p.fixed_ips.filter((f) => f.ip_address).map((f) => `${ctx.targetIdOf(f.subnet_id)} ${f.ip_address}`));
    const haveIps = sorted(t.fixed_ips.map((f) => `${f.subnet_id} ${f.ip_address}`));
    if (wantIps.some((w) => !haveIps.includes(w))) findings.push(mismatch(ctx, "fixed_ips", p.fixed_ips.map((f) => f.ip_address), t.fixed_ips.map((f) => f.ip_address), "fixed IPs"));
    // Why null is not compared: the source cloud did not report the extension, so the plan asked for nothing.
    if (p.port_security_enabled !== null && t.port_security_enabled !== null && t.port_security_enabled !== p.port_security_enabled) {
      findings.push(mismatch(ctx, "port_security_enabled", p.port_security_enabled, t.port_security_enabled, "port security"));
    }
    const wantPairs = pairKeys(p.allowed_address_pairs, t.mac_address);
    const havePairs = pairKeys(t.allowed_address_pairs, t.mac_address);
    if (JSON.stringify(wantPairs) !== JSON.stringify(havePairs)) findings.push(mismatch(ctx, "allowed_address_pairs", wantPairs, havePairs, "allowed address pairs"));
    if (p.port_security_enabled !== false) {
      const wantGroups = sorted(p.security_groups.map((g) => ctx.targetIdOf(g)));
      const haveGroups = sorted(t.security_groups);
      if (JSON.stringify(wantGroups) !== JSON.stringify(haveGroups)) findings.push(mismatch(ctx, "security_groups", wantGroups, haveGroups, "security groups"));
    }
    return findings;
  },

  async remove(ctx, targetId) {
    await deleteIgnoringMissing(net.deletePort(ctx.target.network, targetId));
  },
});

/** Address pairs as sorted "ip mac" strings; a pair without a MAC means the port's own (as Neutron stores it). */
function pairKeys(pairs: { ip_address: string; mac_address?: string | undefined }[], ownMac: string): string[] {
  return sorted(pairs.map((a) => `${a.ip_address} ${(a.mac_address ?? ownMac).toLowerCase()}`));
}
