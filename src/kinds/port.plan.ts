/**
 * Planning of Neutron ports. Ports of servers (and free-standing ports such as
 * virtual IPs) are created before their servers, with the same fixed IPs and
 * security groups, so a migrated server keeps its addresses. Ports that the
 * cloud manages itself (router interfaces, DHCP, gateways, floating IPs) are
 * skipped: the router, subnet and floating-ip steps recreate them. MAC
 * addresses are not kept: most clouds forbid setting them for non-admins.
 *
 * Quirk: Neutron stores an allowed address pair given without a MAC with the
 * port's own MAC. Copied verbatim, the pair would allow the address only from
 * the source port's MAC, which no port on the target has (keepalived VIPs stop
 * failing over), so such a pair is planned without a MAC and Neutron fills in
 * the new port's. A foreign MAC was given on purpose and is kept.
 */
import { z } from "zod";
import { IpAddress, IpOrCidr } from "./param-types.js";
import { NameRefSchema, ref, StepRefSchema, userTags } from "./common.js";
import { excluded, owned, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const PortParams = z
  .object({
    name: z.string(),
    description: z.string(),
    network_id: z.union([StepRefSchema, NameRefSchema]),
    fixed_ips: z.array(z.object({ subnet_id: StepRefSchema, ip_address: IpAddress.nullable() }).strict()),
    security_groups: z.array(StepRefSchema),
    port_security_enabled: z.boolean().nullable(),
    admin_state_up: z.boolean(),
    allowed_address_pairs: z.array(z.object({ ip_address: IpOrCidr, mac_address: z.mac().optional() }).strict()),
    tags: z.array(z.string()),
  })
  .strict();
export type PortParams = z.infer<typeof PortParams>;

export function planPorts(ctx: PlanContext): PlannedStep[] {
  const { source } = ctx;
  const out: PlannedStep[] = [];
  const netById = new Map(source.networks.map((n) => [n.id, n]));
  for (const p of source.ports) {
    if (!owned(source, p.project_id)) continue;
    const id = ctx.ids.must("ports", p.id);
    const src = { id: p.id, name: p.name };
    if (p.device_owner.startsWith("network:")) {
      out.push(skipFor("port", id, src, p, "skip_managed_by_cloud", `${p.device_owner} port, recreated by the cloud`));
      continue;
    }
    if (p.device_owner.startsWith("Octavia")) {
      // Why: Octavia makes the VIP port itself; a copy made here would take the VIP address first.
      out.push(skipFor("port", id, src, p, "skip_managed_by_cloud", "load-balancer VIP port, recreated by its load-balancer step"));
      continue;
    }
    if (excluded(ctx, id)) {
      out.push(skipFor("port", id, src, p, "skip_excluded_by_user", "excluded by the mapping file"));
      continue;
    }
    const net = netById.get(p.network_id);
    const netStep = ctx.ids.of("networks", p.network_id);
    const networkOwned = !!net && owned(source, net.project_id) && !net.external;
    if (!networkOwned || !netStep) {
      // A port on a provider network (e.g. a server attached straight to the public network).
      const targetName = net?.external ? ctx.externalNetwork : net?.name && ctx.target.networks.some((t) => t.name === net.name) ? net.name : null;
      if (!targetName) {
        ctx.finding({ severity: "error", code: "port_network_unmapped", step: id, message: `port ${id} is on network ${net?.name ?? p.network_id}, which the project does not own and the target does not have` });
        out.push(skipFor("port", id, src, p, "skip_unsupported", "on a provider network the target does not have"));
        continue;
      }
      ctx.finding({ severity: "warning", code: "port_address_changes", step: id, message: `port ${id} is on provider network "${net?.name}"; on the target it gets a new address on "${targetName}"` });
      out.push(
        stepFor("port", id, src, p, {
          dependsOn: groupSteps(ctx, p.security_group_ids),
          params: portParams(ctx, p, { name: targetName }, []),
          facts: { fixed_ips: p.fixed_ips.map((f) => f.ip_address), device_owner: p.device_owner },
        }),
      );
      continue;
    }
    const fixed: PortParams["fixed_ips"] = [];
    const deps = [netStep, ...groupSteps(ctx, p.security_group_ids)];
    for (const f of p.fixed_ips) {
      const sub = ctx.ids.of("subnets", f.subnet_id);
      if (!sub) continue;
      deps.push(sub);
      fixed.push({ subnet_id: ref(sub), ip_address: f.ip_address });
    }
    out.push(
      stepFor("port", id, src, p, {
        dependsOn: deps,
        params: portParams(ctx, p, ref(netStep), fixed),
        facts: { fixed_ips: p.fixed_ips.map((f) => f.ip_address), device_owner: p.device_owner },
      }),
    );
  }
  return out;
}

function groupSteps(ctx: PlanContext, ids: string[]): string[] {
  return ids.map((g) => ctx.ids.of("security_groups", g)).filter((s): s is string => !!s);
}

function portParams(
  ctx: PlanContext,
  p: PlanContext["source"]["ports"][number],
  network: PortParams["network_id"],
  fixed: PortParams["fixed_ips"],
): PortParams {
  return {
    name: p.name,
    description: p.description,
    network_id: network,
    fixed_ips: fixed,
    security_groups: groupSteps(ctx, p.security_group_ids).sort().map(ref),
    port_security_enabled: p.port_security_enabled,
    admin_state_up: p.admin_state_up,
    allowed_address_pairs: addressPairs(p),
    tags: userTags(p.tags),
  };
}

/** The port's allowed address pairs, without a MAC where the pair carries the port's own (see the file comment). */
export function addressPairs(p: { mac_address?: string | null | undefined; allowed_address_pairs: { ip_address: string; mac_address?: string | undefined }[] }): PortParams["allowed_address_pairs"] {
  const own = p.mac_address?.toLowerCase();
  return p.allowed_address_pairs.map((a) =>
    a.mac_address && a.mac_address.toLowerCase() !== own ? { ip_address: a.ip_address, mac_address: a.mac_address } : { ip_address: a.ip_address },
  );
}
