/**
 * Planning of floating IPs. Addresses belong to the provider, so each
 * floating IP gets a new address on the target's external network and is
 * associated with the migrated port; the old→new table is in the report (DNS
 * must change). Neutron refuses the association unless a router connects the
 * port's subnet to the external network, so the step depends on that router.
 */
import { z } from "zod";
import { IpAddress } from "./param-types.js";
import { NameRefSchema, ref, StepRefSchema, userTags } from "./common.js";
import { excluded, owned, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const FloatingIpParams = z
  .object({
    floating_network: NameRefSchema,
    port: StepRefSchema.nullable(),
    /** A load balancer whose VIP port the address goes to (Octavia makes that port; its id is known after apply). */
    load_balancer: StepRefSchema.optional(),
    fixed_ip_address: IpAddress.nullable(),
    description: z.string(),
    tags: z.array(z.string()),
  })
  .strict();
export type FloatingIpParams = z.infer<typeof FloatingIpParams>;

export function planFloatingIps(ctx: PlanContext): PlannedStep[] {
  const { source } = ctx;
  const out: PlannedStep[] = [];
  const portById = new Map(source.ports.map((p) => [p.id, p]));
  for (const f of source.floating_ips) {
    if (!owned(source, f.project_id)) continue;
    const id = ctx.ids.must("floating_ips", f.id);
    const src = { id: f.id, name: f.floating_ip_address };
    const facts = { address: f.floating_ip_address, fixed_ip_address: f.fixed_ip_address };
    if (excluded(ctx, id)) {
      out.push(skipFor("floating-ip", id, src, f, "skip_excluded_by_user", "excluded by the mapping file", facts));
      continue;
    }
    if (ctx.externalNetwork === null) {
      ctx.finding({ severity: "error", code: "no_external_network", step: id, message: `floating IP ${f.floating_ip_address} needs an external network on the target and there is none` });
    }
    const deps: string[] = [];
    let portRef: FloatingIpParams["port"] = null;
    const vipOf = f.port_id ? source.load_balancers.find((lb) => lb.vip_port_id === f.port_id) : undefined;
    const lbStep = vipOf ? ctx.ids.of("load_balancers", vipOf.id) : undefined;
    if (vipOf && lbStep) {
      deps.push(lbStep, ...routerTo(ctx, vipOf.vip_subnet_id ? [vipOf.vip_subnet_id] : []));
      const params: FloatingIpParams = { floating_network: { name: ctx.externalNetwork ?? "" }, port: null, load_balancer: ref(lbStep), fixed_ip_address: f.fixed_ip_address, description: f.description, tags: userTags(f.tags) };
      out.push(stepFor("floating-ip", id, src, f, { dependsOn: deps, params, note: "new address on the target, on the load balancer's VIP", facts }));
      continue;
    }
    if (f.port_id) {
      const pstep = ctx.ids.of("ports", f.port_id);
      const port = portById.get(f.port_id);
      if (pstep && port && !port.device_owner.startsWith("network:")) {
        portRef = ref(pstep);
        deps.push(pstep);
        // The router that joins one of the port's subnets to the outside.
        const subnets = new Set(port.fixed_ips.map((x) => x.subnet_id));
        const router = source.routers.find((r) => r.external_gateway && r.interfaces.some((i) => subnets.has(i.subnet_id)));
        const rstep = router ? ctx.ids.of("routers", router.id) : undefined;
        if (rstep) deps.push(rstep);
        else {
          ctx.finding({ severity: "warning", code: "floating_ip_unroutable", step: id, message: `floating IP ${f.floating_ip_address}: no router joins its port's subnet to the external network; the association may be refused` });
        }
      } else {
        ctx.finding({ severity: "warning", code: "floating_ip_port_unknown", step: id, message: `floating IP ${f.floating_ip_address} is associated with port ${f.port_id}, which is not migrated; the copy stays unassociated` });
      }
    }
    const params: FloatingIpParams = {
      floating_network: { name: ctx.externalNetwork ?? "" },
      port: portRef,
      fixed_ip_address: portRef ? f.fixed_ip_address : null,
      description: f.description,
      tags: userTags(f.tags),
    };
    out.push(stepFor("floating-ip", id, src, f, { dependsOn: deps, params, note: "new address on the target", facts }));
  }
  return out;
}

/** The step of a router that joins one of these subnets to the outside (none when there is none). */
function routerTo(ctx: PlanContext, subnetIds: string[]): string[] {
  const subnets = new Set(subnetIds);
  const router = ctx.source.routers.find((r) => r.external_gateway && r.interfaces.some((i) => subnets.has(i.subnet_id)));
  const step = router ? ctx.ids.of("routers", router.id) : undefined;
  return step ? [step] : [];
}
