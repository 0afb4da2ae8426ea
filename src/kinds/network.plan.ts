/**
 * Planning of Neutron networks. A network keeps its name and attributes;
 * provider networks the project does not own (the external network) are not
 * steps: they are mapped (see the router and floating-ip kinds).
 */
import { z } from "zod";
import type { Subnet } from "../model/inventory.js";
import { NameRefSchema, ref, StepRefSchema, userTags } from "./common.js";
import { excluded, nameClash, owned, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";


export const NetworkParams = z
  .object({
    name: z.string(),
    description: z.string(),
    admin_state_up: z.boolean(),
    mtu: z.number().int().nullable(),
    port_security_enabled: z.boolean().nullable(),
    tags: z.array(z.string()),
  })
  .strict();

export type NetworkParams = z.infer<typeof NetworkParams>;

export function planNetworks(ctx: PlanContext): PlannedStep[] {
  const { source } = ctx;
  const out: PlannedStep[] = [];
  for (const n of source.networks) {
    if (!owned(source, n.project_id) || n.external) continue;
    const id = ctx.ids.must("networks", n.id);
    const src = { id: n.id, name: n.name };
    if (excluded(ctx, id)) {
      out.push(skipFor("network", id, src, n, "skip_excluded_by_user", "excluded by the mapping file"));
      continue;
    }
    nameClash(ctx, id, "network", n.name, ctx.target.networks.filter((t) => owned(ctx.target, t.project_id)).map((t) => t.name));
    const params: NetworkParams = {
      name: n.name,
      description: n.description,
      admin_state_up: n.admin_state_up,
      mtu: n.mtu,
      port_security_enabled: n.port_security_enabled,
      tags: userTags(n.tags),
    };
    out.push(stepFor("network", id, src, n, { params, facts: { shared: n.shared } }));
    if (n.shared) {
      ctx.finding({ severity: "warning", code: "shared_network", step: id, message: `network "${n.name}" is shared with other projects; the copy is private to the target project` });
    }
  }
  return out;
}

