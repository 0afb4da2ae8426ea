/**
 * Nova server groups. The API has no tags or metadata for them, so identity
 * is the name: before creating, the step records which groups of that name
 * already exist; after a crash, a group of that name that was not among them
 * is ours and is adopted. A group of that name that existed before is not
 * used (its members and policy belong to someone else).
 *
 * API: GET/POST /os-server-groups, GET/DELETE /os-server-groups/{id}
 */
import * as compute from "../openstack/compute.js";
import { planServerGroups, ServerGroupParams } from "./server-group.plan.js";
import { defineKind, type ApplyContext, type CollectContext, type Collector } from "./types.js";
import { compareFields, deleteIgnoringMissing, missing, orNull } from "./verify-helpers.js";

type Ctx = ApplyContext<ServerGroupParams>;

async function ours(ctx: Ctx): Promise<string | null> {
  const p = ctx.params;
  const before = ctx.data().preexisting as string[] | undefined;
  if (!before) return null;
  const groups = await compute.listServerGroups(ctx.target.compute);
  return groups.find((g) => g.name === p.name && !before.includes(g.id))?.id ?? null;
}

export const serverGroups: Collector<"server_groups"> = {
  name: "server_groups",
  async collect(cx) {
    return (await listServerGroupsOnce(cx)).map((sg) => ({ id: sg.id, name: sg.name, policy: sg.policy, rules: sg.rules, members: [...sg.members].sort() }));
  },
};

/** Nova server groups, listed once for the groups and the servers' memberships. */
export const listServerGroupsOnce = (cx: CollectContext) => cx.once("compute.serverGroups", () => compute.listServerGroups(cx.cloud.compute));

export const serverGroup = defineKind<ServerGroupParams>({
  kind: "server-group",
  color: "#b07aa1",
  collection: serverGroups,
  describe: (step) => step.params.policy,
  quotaNeeds: () => ({ server_groups: 1 }),
  driftCandidates: (inv) => inv.server_groups,
  lane: () => "api",
  paramsSchema: ServerGroupParams,
  plan: planServerGroups,

  find: ours,

  async apply(ctx) {
    const p = ctx.params;
    const found = await ours(ctx);
    if (found) return { outcome: "created", targetId: found };
    if (!ctx.data().preexisting) {
      const groups = await compute.listServerGroups(ctx.target.compute);
      // Intent: written before the create call, so a crash right after it can tell our group from others.
      ctx.setData({ preexisting: groups.filter((g) => g.name === p.name).map((g) => g.id) });
    }
    const g = await compute.createServerGroup(ctx.target.compute, { name: p.name, policy: p.policy, rules: p.rules });
    return { outcome: "created", targetId: g.id };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const g = await orNull(compute.getServerGroup(ctx.target.compute, targetId));
    if (!g) return [missing(ctx)];
    return compareFields(ctx, p, g, ["name", "policy"]);
  },

  async remove(ctx, targetId) {
    await deleteIgnoringMissing(compute.deleteServerGroup(ctx.target.compute, targetId));
  },
});
