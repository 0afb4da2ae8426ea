/**
 * Octavia load balancers: the load balancer itself, its VIP on the migrated
 * subnet with the source's VIP address, provider and flavor mapped by name.
 * Its listeners, pools and the rest are the `load-balancer-config` step's
 * work (see load-balancer.plan.ts for why the tree is one step).
 *
 * Octavia takes tags in the create call, so the marker exists from the first
 * instant: a crash between create and record finds the load balancer again.
 * A load balancer found in ERROR (an earlier attempt failed) is deleted and
 * created again; one that goes to ERROR fails the step with what Octavia
 * tells of the fault.
 *
 * API: /v2/lbaas/loadbalancers[/{id}] (POST with tags, DELETE ?cascade=true),
 * GET /v2/lbaas/flavors?name=.
 */
import { statusIs } from "../errors.js";
import * as lbapi from "../openstack/load-balancer.js";
import { markerTags, userTags } from "./common.js";
import { loadBalancers } from "./load-balancer.collect.js";
import { LoadBalancerParams, planLoadBalancers } from "./load-balancer.plan.js";
import { defineKind, type ApplyContext } from "./types.js";
import { compareFields, mismatch, missing, orNull } from "./verify-helpers.js";

type Ctx = ApplyContext<unknown, unknown>;

/** Waiter settings for a step's Octavia calls. */
export const lbWait = (ctx: Ctx) => ({ ...ctx.wait, minDelay: Math.min(ctx.wait.minDelay, 2000) });

/** The target load balancer carrying this migration's marker for a source load balancer. */
export async function findLoadBalancer(ctx: Ctx, sourceId: string): Promise<lbapi.LoadBalancer | null> {
  if (!ctx.target.has("load-balancer")) return null;
  const found = await lbapi.listLoadBalancers(ctx.target.loadBalancer, { tags: markerTags(ctx.migration, sourceId).join(",") });
  return found.find((lb) => lb.provisioning_status !== "DELETED" && lb.provisioning_status !== "PENDING_DELETE") ?? null;
}

async function flavorId(ctx: ApplyContext<LoadBalancerParams>, name: string): Promise<string> {
  const flavors = await ctx.memo(`lb-flavors`, () => lbapi.listLbFlavors(ctx.target.loadBalancer));
  const f = flavors.find((x) => x.name === name) ?? flavors.find((x) => x.id === name);
  if (!f) throw new Error(`${ctx.stepId}: the target has no load-balancer flavor "${name}"`);
  return f.id;
}

/** Deletes a load balancer with everything under it and waits until it is gone; absent is fine. */
export async function deleteLoadBalancerAndWait(ctx: Ctx, id: string): Promise<void> {
  const c = ctx.target.loadBalancer;
  try {
    await lbapi.retryWhileImmutable(c, id, () => lbapi.deleteLoadBalancer(c, id, { cascade: true }), lbWait(ctx));
  } catch (err) {
    if (!statusIs(err, 404)) throw err;
  }
  await lbapi.waitForLoadBalancerGone(c, id, lbWait(ctx));
}

const extraOf = (lb: lbapi.LoadBalancer) => ({ vip_address: lb.vip_address, vip_port_id: lb.vip_port_id });

export const loadBalancer = defineKind<LoadBalancerParams>({
  kind: "load-balancer",
  color: "#d98c1f",
  collection: loadBalancers,
  apiSeconds: 60,
  describe: (step) => {
    const p = step.params;
    return `VIP ${p.vip_address ?? "any address"}, provider ${p.provider ?? "default"}${p.flavor ? `, flavor ${p.flavor.name}` : ""}`;
  },
  quotaNeeds: () => ({ load_balancers: 1, ports: 1 }),
  // No addressChange: the VIP keeps its private address (verify fails otherwise); the public one is
  // its floating IP, which the floating-ip kind reports with this step as what it points at.
  driftCandidates: (inv) => inv.load_balancers,
  lane: () => "api",
  paramsSchema: LoadBalancerParams,
  plan: planLoadBalancers,

  async find(ctx) {
    return (await findLoadBalancer(ctx, ctx.step.source.id))?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const c = ctx.target.loadBalancer;
    let lb = await findLoadBalancer(ctx, ctx.step.source.id);
    if (lb && lb.provisioning_status === "ERROR") {
      ctx.warn(`${ctx.stepId}: an earlier attempt left load balancer ${lb.id} in ERROR; deleting it and creating it again`);
      await deleteLoadBalancerAndWait(ctx, lb.id);
      lb = null;
    }
    if (!lb) {
      lb = await lbapi.createLoadBalancer(c, {
        name: p.name,
        description: p.description,
        vip_subnet_id: ctx.targetIdOf(p.vip_subnet_id),
        ...(p.vip_address ? { vip_address: p.vip_address } : {}),
        ...(p.provider ? { provider: p.provider } : {}),
        ...(p.flavor ? { flavor_id: await flavorId(ctx, p.flavor.name) } : {}),
        admin_state_up: p.admin_state_up,
        tags: [...p.tags, ...markerTags(ctx.migration, ctx.step.source.id)],
      });
    }
    lb = await lbapi.waitForLoadBalancer(c, lb.id, lbWait(ctx));
    return { outcome: "created", targetId: lb.id, extra: extraOf(lb) };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const lb = await orNull(lbapi.getLoadBalancer(ctx.target.loadBalancer, targetId));
    if (!lb) return [missing(ctx)];
    const findings = compareFields(ctx, { ...p, tags: [...p.tags].sort() }, { ...lb, tags: userTags(lb.tags) }, ["name", "description", "admin_state_up", "tags"]);
    if (p.vip_address && lb.vip_address !== p.vip_address) findings.push(mismatch(ctx, "vip_address", p.vip_address, lb.vip_address, "VIP address"));
    const subnet = ctx.targetIdOf(p.vip_subnet_id);
    if (lb.vip_subnet_id !== subnet) findings.push(mismatch(ctx, "vip_subnet_id", subnet, lb.vip_subnet_id, "VIP subnet"));
    if (p.provider && lb.provider !== p.provider) findings.push(mismatch(ctx, "provider", p.provider, lb.provider));
    if (p.flavor) {
      const want = await flavorId(ctx, p.flavor.name).catch(() => null);
      if (lb.flavor_id !== want) findings.push(mismatch(ctx, "flavor", p.flavor.name, lb.flavor_id, "load-balancer flavor"));
    }
    if (lb.provisioning_status !== "ACTIVE") findings.push(mismatch(ctx, "provisioning_status", "ACTIVE", lb.provisioning_status));
    return findings;
  },

  async remove(ctx, targetId) {
    if (!ctx.target.has("load-balancer")) return;
    await deleteLoadBalancerAndWait(ctx, targetId);
  },
});
