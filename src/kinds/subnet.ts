/**
 * Neutron subnets: same CIDR, gateway, allocation pools, DNS and host routes
 * as the source, so ports keep their fixed IPs.
 *
 * API: GET/POST /v2.0/subnets, PUT/DELETE /v2.0/subnets/{id}, PUT /v2.0/subnets/{id}/tags
 */
import * as net from "../openstack/network.js";
import { userTags } from "./common.js";
import { ensureMarked, findMarked } from "./neutron-marker.js";
import { planSubnets, SubnetParams } from "./subnet.plan.js";
import { defineKind, type Collector } from "./types.js";
import { compareFields, deleteIgnoringMissing, missing, orNull, sorted } from "./verify-helpers.js";

export const subnets: Collector<"subnets"> = {
  name: "subnets",
  async collect(cx) {
    return (await net.listSubnets(cx.cloud.network)).map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      network_id: s.network_id,
      ip_version: s.ip_version,
      cidr: s.cidr,
      gateway_ip: s.gateway_ip,
      enable_dhcp: s.enable_dhcp,
      allocation_pools: s.allocation_pools,
      dns_nameservers: s.dns_nameservers,
      host_routes: s.host_routes,
      ipv6_address_mode: s.ipv6_address_mode,
      ipv6_ra_mode: s.ipv6_ra_mode,
      subnetpool_id: s.subnetpool_id,
      project_id: s.project_id,
      tags: s.tags,
    }));
  },
};

export const subnet = defineKind<SubnetParams>({
  kind: "subnet",
  color: "#6cb8dc",
  collection: subnets,
  describe: (step) => `${step.params.cidr}${step.params.gateway_ip ? ` gw ${step.params.gateway_ip}` : " no gateway"}`,
  quotaNeeds: () => ({ subnets: 1 }),
  driftCandidates: (inv) => inv.subnets,
  lane: () => "api",
  paramsSchema: SubnetParams,
  plan: planSubnets,

  async find(ctx) {
    return (await findMarked(ctx, (f) => net.listSubnets(ctx.target.network, f)))?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const n = ctx.target.network;
    const { resource, outcome } = await ensureMarked(ctx, {
      resource: "subnets",
      list: (f) => net.listSubnets(n, f),
      create: (description) =>
        net.createSubnet(n, {
          name: p.name,
          description,
          network_id: ctx.targetIdOf(p.network_id),
          ip_version: p.ip_version,
          cidr: p.cidr,
          gateway_ip: p.gateway_ip,
          enable_dhcp: p.enable_dhcp,
          ...(p.allocation_pools.length ? { allocation_pools: p.allocation_pools } : {}),
          dns_nameservers: p.dns_nameservers,
          host_routes: p.host_routes,
          ...(p.ipv6_address_mode ? { ipv6_address_mode: p.ipv6_address_mode } : {}),
          ...(p.ipv6_ra_mode ? { ipv6_ra_mode: p.ipv6_ra_mode } : {}),
        }),
      update: (id, body) => net.updateSubnet(n, id, body),
      description: p.description,
      tags: p.tags,
    });
    return { outcome, targetId: resource.id };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const t = await orNull(net.getSubnet(ctx.target.network, targetId));
    if (!t) return [missing(ctx)];
    const expected = { ...p, network_id: ctx.targetIdOf(p.network_id), allocation_pools: sorted(p.allocation_pools), host_routes: sorted(p.host_routes), dns_nameservers: p.dns_nameservers };
    const actual = { ...t, tags: userTags(t.tags), allocation_pools: sorted(t.allocation_pools), host_routes: sorted(t.host_routes) };
    const fields = ["name", "description", "network_id", "ip_version", "cidr", "gateway_ip", "enable_dhcp", "dns_nameservers", "host_routes", "tags"];
    if (p.allocation_pools.length) fields.push("allocation_pools");
    return compareFields(ctx, expected, actual, fields);
  },

  async remove(ctx, targetId) {
    await deleteIgnoringMissing(net.deleteSubnet(ctx.target.network, targetId));
  },
});
