/**
 * Planning of Nova server groups: name, policy and rules. Members follow
 * when their servers are created with the group as a scheduler hint.
 * A hard affinity policy on a target with too few hosts will make servers
 * fail to schedule there; that is a property of the target, reported by apply.
 */
import { z } from "zod";
import { excluded, nameClash, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const ServerGroupParams = z
  .object({
    name: z.string(),
    policy: z.enum(["affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"]),
    rules: z.record(z.string(), z.unknown()),
  })
  .strict();
export type ServerGroupParams = z.infer<typeof ServerGroupParams>;

export function planServerGroups(ctx: PlanContext): PlannedStep[] {
  return ctx.source.server_groups.map((g) => {
    const id = ctx.ids.must("server_groups", g.id);
    const src = { id: g.id, name: g.name };
    if (excluded(ctx, id)) return skipFor("server-group", id, src, g, "skip_excluded_by_user", "excluded by the mapping file");
    nameClash(ctx, id, "server group", g.name, ctx.target.server_groups.map((t) => t.name));
    const policy = ServerGroupParams.shape.policy.safeParse(g.policy);
    if (!policy.success) {
      ctx.finding({ severity: "error", code: "server_group_policy", step: id, message: `server group "${g.name}" has an unknown policy "${g.policy}"` });
    }
    return stepFor("server-group", id, src, g, {
      params: { name: g.name, policy: policy.success ? policy.data : "soft-anti-affinity", rules: g.rules },
      facts: { members: g.members.length },
    });
  });
}
