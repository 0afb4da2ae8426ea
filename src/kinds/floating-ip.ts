/**
 * Floating IPs: a new address on the target's external network, associated
 * with the migrated port (and the same fixed IP). The new address is kept in
 * the id map so the report can list old → new for DNS.
 *
 * API: /v2.0/floatingips, PUT /v2.0/floatingips/{id}/tags
 */
import * as net from "../openstack/network.js";
import { userTags } from "./common.js";
import { FloatingIpParams, planFloatingIps } from "./floating-ip.plan.js";
import { ensureMarked, findMarked } from "./neutron-marker.js";
import { externalNetworkId } from "./router.js";
import { defineKind, type ApplyContext, type Collector } from "./types.js";
import { compareFields, deleteIgnoringMissing, mismatch, missing, orNull } from "./verify-helpers.js";

export const floatingIps: Collector<"floating_ips"> = {
  name: "floating_ips",
  async collect(cx) {
    return (await net.listFloatingIps(cx.cloud.network)).map((f) => ({
      id: f.id,
      floating_ip_address: f.floating_ip_address,
      floating_network_id: f.floating_network_id,
      port_id: f.port_id,
      fixed_ip_address: f.fixed_ip_address,
      description: f.description,
      status: f.status,
      project_id: f.project_id,
      tags: f.tags,
    }));
  },
};

/** The target port the address goes to: the migrated port, or the VIP port the load balancer's step recorded. */
function portIdOf(ctx: ApplyContext<FloatingIpParams>): string | null {
  const p = ctx.params;
  if (p.port) return ctx.targetIdOf(p.port);
  if (p.load_balancer) {
    const vip = ctx.extraOf(p.load_balancer.$step).vip_port_id;
    if (typeof vip !== "string") throw new Error(`${ctx.stepId}: load balancer step ${p.load_balancer.$step} recorded no VIP port`);
    return vip;
  }
  return null;
}

export const floatingIp = defineKind<FloatingIpParams>({
  kind: "floating-ip",
  color: "#e35d9a",
  collection: floatingIps,
  stepLabels: () => (f: { floating_ip_address: string }) => f.floating_ip_address,
  describe: (step) => `${String((step.source.facts as { address?: string } | undefined)?.address ?? "")} → new address`,
  quotaNeeds: () => ({ floatingips: 1 }),
  needsExternalNetwork: () => true,
  addressChange: (step, extra) => {
    const facts = (step.source.facts ?? {}) as { address?: unknown; fixed_ip_address?: unknown };
    const str = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v));
    return {
      oldAddress: str(facts.address) ?? step.source.name ?? null,
      newAddress: str(extra.address),
      fixedIp: str(facts.fixed_ip_address),
      target: step.params.port?.$step ?? step.params.load_balancer?.$step ?? null,
    };
  },
  driftCandidates: (inv) => inv.floating_ips.map((f) => ({ ...f, name: "" })),
  lane: () => "api",
  paramsSchema: FloatingIpParams,
  plan: planFloatingIps,

  async find(ctx) {
    return (await findMarked(ctx, (f) => net.listFloatingIps(ctx.target.network, f)))?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const n = ctx.target.network;
    const ext = await externalNetworkId(ctx, p.floating_network.name);
    const portId = portIdOf(ctx);
    const { resource, outcome } = await ensureMarked(ctx, {
      resource: "floatingips",
      list: (f) => net.listFloatingIps(n, f),
      create: (description) => net.createFloatingIp(n, { floating_network_id: ext, description }),
      update: (id, body) => net.updateFloatingIp(n, id, body),
      description: p.description,
      tags: p.tags,
    });
    let fip = resource;
    if (portId && fip.port_id !== portId) fip = await net.associateFloatingIp(n, fip.id, portId, p.fixed_ip_address ?? undefined);
    return { outcome, targetId: fip.id, extra: { address: fip.floating_ip_address, old_address: ctx.step.source.name ?? null } };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const f = await orNull(net.getFloatingIp(ctx.target.network, targetId));
    if (!f) return [missing(ctx)];
    const findings = compareFields(ctx, p, { ...f, tags: userTags(f.tags) }, ["description", "tags"]);
    const portId = portIdOf(ctx);
    if (f.port_id !== portId) findings.push(mismatch(ctx, "port_id", portId, f.port_id, "associated port"));
    if (p.fixed_ip_address && f.fixed_ip_address !== p.fixed_ip_address) findings.push(mismatch(ctx, "fixed_ip_address", p.fixed_ip_address, f.fixed_ip_address));
    return findings;
  },

  async remove(ctx, targetId) {
    await deleteIgnoringMissing(net.deleteFloatingIp(ctx.target.network, targetId));
  },
});
