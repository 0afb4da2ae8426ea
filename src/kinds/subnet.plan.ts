/**
 * Planning of Neutron subnets. A subnet keeps CIDR, gateway, allocation pools,
 * DNS servers and host routes, so the ports on it can keep their fixed IPs.
 * An overlap with a subnet that already exists on the target is reported at
 * plan time (Neutron allows it, but the two can never share a router).
 */
import { z } from "zod";
import { Cidr, IpAddress } from "./param-types.js";
import type { Subnet } from "../model/inventory.js";
import { NameRefSchema, ref, StepRefSchema, userTags } from "./common.js";
import { cidrsOverlap } from "../util/cidr.js";
import { excluded, owned, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";


/** Neutron's IPv6 address and router-advertisement modes. */
const Ipv6Mode = z.enum(["slaac", "dhcpv6-stateful", "dhcpv6-stateless"]);

export const SubnetParams = z
  .object({
    name: z.string(),
    description: z.string(),
    network_id: StepRefSchema,
    ip_version: z.union([z.literal(4), z.literal(6)]),
    cidr: Cidr,
    gateway_ip: IpAddress.nullable(),
    enable_dhcp: z.boolean(),
    allocation_pools: z.array(z.object({ start: IpAddress, end: IpAddress }).strict()),
    dns_nameservers: z.array(IpAddress),
    host_routes: z.array(z.object({ destination: Cidr, nexthop: IpAddress }).strict()),
    ipv6_address_mode: Ipv6Mode.nullable(),
    ipv6_ra_mode: Ipv6Mode.nullable(),
    tags: z.array(z.string()),
  })
  .strict();

export type SubnetParams = z.infer<typeof SubnetParams>;

export function planSubnets(ctx: PlanContext): PlannedStep[] {
  const { source, target } = ctx;
  const netIds = new Set(source.networks.filter((n) => owned(source, n.project_id) && !n.external).map((n) => n.id));
  const targetSubnets = target.subnets.filter((s) => owned(target, s.project_id));
  const out: PlannedStep[] = [];
  for (const s of source.subnets) {
    if (!netIds.has(s.network_id)) continue;
    const id = ctx.ids.must("subnets", s.id);
    const netStep = ctx.ids.must("networks", s.network_id);
    const src = { id: s.id, name: s.name };
    if (excluded(ctx, id) || excluded(ctx, netStep)) {
      out.push(skipFor("subnet", id, src, s, "skip_excluded_by_user", "excluded by the mapping file"));
      continue;
    }
    for (const t of targetSubnets) {
      if (cidrsOverlap(s.cidr, t.cidr)) {
        ctx.finding({
          severity: "warning",
          code: "cidr_overlap",
          step: id,
          message: `subnet "${s.name}" (${s.cidr}) overlaps target subnet "${t.name}" (${t.cidr}); the two cannot share a router`,
        });
      }
    }
    if (s.subnetpool_id) {
      ctx.finding({ severity: "info", code: "subnetpool_not_carried", step: id, message: `subnet "${s.name}" came from a subnet pool; the copy keeps its CIDR without a pool` });
    }
    out.push(stepFor("subnet", id, src, s, { dependsOn: [netStep], params: subnetParams(s, netStep) }));
  }
  return out;
}

function subnetParams(s: Subnet, netStep: string): SubnetParams {
  return {
    name: s.name,
    description: s.description,
    network_id: ref(netStep),
    ip_version: s.ip_version,
    cidr: s.cidr,
    gateway_ip: s.gateway_ip,
    enable_dhcp: s.enable_dhcp,
    allocation_pools: s.allocation_pools.map((p) => ({ start: p.start, end: p.end })),
    dns_nameservers: [...s.dns_nameservers],
    host_routes: s.host_routes.map((r) => ({ destination: r.destination, nexthop: r.nexthop })),
    ipv6_address_mode: s.ipv6_address_mode as SubnetParams["ipv6_address_mode"],
    ipv6_ra_mode: s.ipv6_ra_mode as SubnetParams["ipv6_ra_mode"],
    tags: userTags(s.tags),
  };
}

