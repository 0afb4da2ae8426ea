/**
 * Neutron ports, created before their servers with the source's fixed IPs and
 * security groups. An address already taken on the target (409
 * IpAddressAlreadyAllocated) fails the step with that message: a silent new
 * address would break whatever points at the old one.
 *
 * API: /v2.0/ports, PUT /v2.0/ports/{id}/tags
 */
import * as net from "../openstack/network.js";
import { isStepRef, userTags } from "./common.js";
import { ensureMarked, findMarked } from "./neutron-marker.js";
import { planPorts, PortParams } from "./port.plan.js";
import { externalNetworkId } from "./router.js";
import type { ApplyContext, ResourceKind } from "./types.js";
import { compareFields, deleteIgnoringMissing, mismatch, missing, orNull, sorted } from "./verify-helpers.js";

async function networkIdOf(ctx: ApplyContext, p: PortParams): Promise<string> {
  return isStepRef(p.network_id) ? ctx.targetIdOf(p.network_id) : externalNetworkId(ctx, p.network_id.name);
}

export const port: ResourceKind = {
  kind: "port",
  lane: () => "api",
  paramsSchema: PortParams,
  plan: planPorts,

  async find(ctx) {
    return (await findMarked(ctx, (f) => net.listPorts(ctx.target.network, f)))?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.step.params as PortParams;
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
    const p = ctx.step.params as PortParams;
    const t = await orNull(net.getPort(ctx.target.network, targetId));
    if (!t) return [missing(ctx)];
    const findings = compareFields(ctx, p, { ...t, tags: userTags(t.tags) }, ["name", "description", "admin_state_up", "tags"]);
    const networkId = await networkIdOf(ctx, p);
    if (t.network_id !== networkId) findings.push(mismatch(ctx, "network_id", networkId, t.network_id, "network"));
    const wantIps = sorted(p.fixed_ips.filter((f) => f.ip_address).map((f) => `${ctx.targetIdOf(f.subnet_id)} ${f.ip_address}`));
    const haveIps = sorted(t.fixed_ips.map((f) => `${f.subnet_id} ${f.ip_address}`));
    if (wantIps.some((w) => !haveIps.includes(w))) findings.push(mismatch(ctx, "fixed_ips", p.fixed_ips.map((f) => f.ip_address), t.fixed_ips.map((f) => f.ip_address), "fixed IPs"));
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
};
