/**
 * Planning of Neutron routers. A router keeps its interfaces (by subnet, or by
 * port where the interface address is not the subnet's gateway) and extra
 * routes, and gets its gateway on the target's external network: gateway
 * addresses always change.
 */
import { z } from "zod";
import { Cidr, IpAddress } from "./param-types.js";
import type { Subnet } from "../model/inventory.js";
import { NameRefSchema, ref, StepRefSchema, userTags } from "./common.js";
import { excluded, nameClash, owned, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";


export const RouterParams = z
  .object({
    name: z.string(),
    description: z.string(),
    admin_state_up: z.boolean(),
    external_gateway: z.object({ network: NameRefSchema, enable_snat: z.boolean().nullable() }).strict().nullable(),
    interfaces: z.array(z.object({ subnet_id: StepRefSchema, ip_address: IpAddress.nullable() }).strict()),
    routes: z.array(z.object({ destination: Cidr, nexthop: IpAddress }).strict()),
    tags: z.array(z.string()),
  })
  .strict();

export type RouterParams = z.infer<typeof RouterParams>;

export function planRouters(ctx: PlanContext): PlannedStep[] {
  const { source } = ctx;
  const out: PlannedStep[] = [];
  const subnetById = new Map(source.subnets.map((s) => [s.id, s]));
  const externalIds = new Set(source.networks.filter((n) => n.external).map((n) => n.id));
  for (const r of source.routers) {
    if (!owned(source, r.project_id)) continue;
    const id = ctx.ids.must("routers", r.id);
    const src = { id: r.id, name: r.name };
    if (excluded(ctx, id)) {
      out.push(skipFor("router", id, src, r, "skip_excluded_by_user", "excluded by the mapping file"));
      continue;
    }
    nameClash(ctx, id, "router", r.name, ctx.target.routers.filter((t) => owned(ctx.target, t.project_id)).map((t) => t.name));
    const interfaces: RouterParams["interfaces"] = [];
    const deps: string[] = [];
    for (const itf of r.interfaces) {
      const subnetStep = ctx.ids.of("subnets", itf.subnet_id);
      const sub = subnetById.get(itf.subnet_id);
      if (!subnetStep || !sub || !owned(source, sub.project_id)) {
        ctx.finding({ severity: "warning", code: "router_interface_not_owned", step: id, message: `router "${r.name}" has an interface on a subnet the project does not own (${itf.subnet_id}); it is left out` });
        continue;
      }
      deps.push(subnetStep);
      // Why: an interface on the subnet's gateway address is added by subnet; any other address needs a port.
      interfaces.push({ subnet_id: ref(subnetStep), ip_address: itf.ip_address === sub.gateway_ip ? null : itf.ip_address });
    }
    interfaces.sort((a, b) => a.subnet_id.$step.localeCompare(b.subnet_id.$step));
    let gateway: RouterParams["external_gateway"] = null;
    if (r.external_gateway) {
      if (!externalIds.has(r.external_gateway.network_id) && source.networks.some((n) => n.id === r.external_gateway!.network_id)) {
        ctx.finding({ severity: "warning", code: "router_gateway_not_external", step: id, message: `router "${r.name}" has its gateway on a network that is not external; using the target's external network` });
      }
      if (ctx.externalNetwork === null) {
        ctx.finding({ severity: "error", code: "no_external_network", step: id, message: `router "${r.name}" needs an external network on the target and there is none; set externalNetwork in the mapping file` });
      } else {
        gateway = { network: { name: ctx.externalNetwork }, enable_snat: r.external_gateway.enable_snat };
      }
      if (r.external_gateway.external_fixed_ips.length > 0) {
        ctx.finding({ severity: "info", code: "router_gateway_ip_changes", step: id, message: `router "${r.name}" gets a new gateway address on the target` });
      }
    }
    const params: RouterParams = {
      name: r.name,
      description: r.description,
      admin_state_up: r.admin_state_up,
      external_gateway: gateway,
      interfaces,
      routes: r.routes.map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
      tags: userTags(r.tags),
    };
    out.push(stepFor("router", id, src, r, { dependsOn: deps, params }));
  }
  return out;
}
