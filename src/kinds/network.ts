/**
 * Neutron networks: created with their attributes, tagged with the markers.
 *
 * API: GET/POST /v2.0/networks, PUT/DELETE /v2.0/networks/{id}, PUT /v2.0/networks/{id}/tags
 */
import { listNetworksOnce } from "./provider.js";
import * as net from "../openstack/network.js";
import { ensureMarked, findMarked } from "./neutron-marker.js";
import { NetworkParams, planNetworks } from "./network.plan.js";
import { defineKind, type Collector } from "./types.js";
import { compareFields, deleteIgnoringMissing, missing, orNull } from "./verify-helpers.js";
import { userTags } from "./common.js";

export const networks: Collector<"networks"> = {
  name: "networks",
  async collect(cx) {
    return (await listNetworksOnce(cx)).map((x) => ({
      id: x.id,
      name: x.name,
      description: x.description,
      admin_state_up: x.admin_state_up,
      shared: x.shared,
      external: x.external,
      is_default: x.is_default,
      mtu: x.mtu,
      port_security_enabled: x.port_security_enabled,
      project_id: x.project_id,
      availability_zone_hints: x.availability_zone_hints,
      tags: x.tags,
    }));
  },
};

export const network = defineKind<NetworkParams>({
  kind: "network",
  color: "#2b8cbe",
  collection: networks,
  describe: (step) => step.note ?? "",
  quotaNeeds: () => ({ networks: 1 }),
  driftCandidates: (inv) => inv.networks.filter((n) => !n.external),
  lane: () => "api",
  paramsSchema: NetworkParams,
  plan: planNetworks,

  async find(ctx) {
    return (await findMarked(ctx, (f) => net.listNetworks(ctx.target.network, f)))?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const n = ctx.target.network;
    const { resource, outcome } = await ensureMarked(ctx, {
      resource: "networks",
      list: (f) => net.listNetworks(n, f),
      create: (description) =>
        net.createNetwork(n, {
          name: p.name,
          description,
          admin_state_up: p.admin_state_up,
          ...(p.mtu !== null ? { mtu: p.mtu } : {}),
          ...(p.port_security_enabled !== null ? { port_security_enabled: p.port_security_enabled } : {}),
        }),
      update: (id, body) => net.updateNetwork(n, id, body),
      description: p.description,
      tags: p.tags,
    });
    return { outcome, targetId: resource.id };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const t = await orNull(net.getNetwork(ctx.target.network, targetId));
    if (!t) return [missing(ctx)];
    const fields = ["name", "description", "admin_state_up", "port_security_enabled", "tags"];
    // Why: the target may lower the MTU (different overlay); only a larger source MTU is a real difference.
    const findings = compareFields(ctx, p, { ...t, tags: userTags(t.tags) }, fields);
    if (p.mtu !== null && t.mtu !== null && t.mtu < p.mtu) findings.push({ step: ctx.stepId, severity: "warning", field: "mtu", expected: p.mtu, actual: t.mtu, message: `${ctx.stepId}: MTU ${t.mtu} on the target is smaller than the source's ${p.mtu}` });
    return findings;
  },

  async remove(ctx, targetId) {
    await deleteIgnoringMissing(net.deleteNetwork(ctx.target.network, targetId));
  },
});
