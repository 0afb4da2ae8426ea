/**
 * The tree under a migrated load balancer: pools with their members and
 * health monitor, then listeners (pointing at their default pool), then L7
 * policies and rules. One step per load balancer (why: load-balancer.plan.ts);
 * every create waits until the load balancer is ACTIVE again before the next
 * (Octavia refuses changes while it is PENDING_*, `retryWhileImmutable` covers
 * a change made elsewhere), and ERROR fails the step with Octavia's fault.
 * Each object carries marker tags naming its source object, so a second
 * attempt adopts what the first one made. The step's target id is the load
 * balancer's; rollback of the load balancer deletes the tree by cascade, so
 * this step's remove tolerates a load balancer that is already gone.
 *
 * API: /v2/lbaas/{pools,listeners,healthmonitors,l7policies}, /v2/lbaas/pools/{id}/members,
 * /v2/lbaas/l7policies/{id}/rules; GET /v2.0/ports/{id} for a member's address.
 */
import { statusIs } from "../errors.js";
import * as lbapi from "../openstack/load-balancer.js";
import * as net from "../openstack/network.js";
import { markerTags } from "./common.js";
import { loadBalancers } from "./load-balancer.collect.js";
import { LoadBalancerConfigParams, type LbMemberParams } from "./load-balancer.plan.js";
import { findLoadBalancer, lbWait } from "./load-balancer.js";
import { markedTree, treeEmpty, type MarkedTree } from "./load-balancer-tree.js";
import { verifyTree } from "./load-balancer-verify.js";
import { defineKind, type ApplyContext } from "./types.js";
import { missing } from "./verify-helpers.js";

type Ctx = ApplyContext<LoadBalancerConfigParams>;

/** Octavia body fields without the nulls (Octavia rejects null for most optional fields). */
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/** Runs one change under the load balancer and waits until it is ACTIVE again. */
async function change<T>(ctx: Ctx, lbId: string, fn: () => Promise<T>): Promise<T> {
  const c = ctx.target.loadBalancer;
  const r = await lbapi.retryWhileImmutable(c, lbId, fn, lbWait(ctx));
  await lbapi.waitForLoadBalancer(c, lbId, lbWait(ctx));
  return r;
}

/** A member's target address: the migrated port's fixed IP (on the member's subnet) or the address as planned. */
export async function memberAddress(ctx: Ctx, m: LbMemberParams): Promise<string> {
  if (typeof m.address === "string") return m.address;
  const port = await net.getPort(ctx.target.network, ctx.targetIdOf(m.address.port));
  const subnet = m.subnet_id ? ctx.targetIdOf(m.subnet_id) : null;
  const want = m.address.ip;
  const ip = port.fixed_ips.find((f) => f.ip_address === want) ?? port.fixed_ips.find((f) => f.subnet_id === subnet) ?? port.fixed_ips[0];
  if (!ip) throw new Error(`${ctx.stepId}: target port ${port.id} of member ${m.name || m.src} has no fixed IP`);
  return ip.ip_address;
}

async function applyPools(ctx: Ctx, lbId: string, have: MarkedTree): Promise<Map<string, string>> {
  const c = ctx.target.loadBalancer;
  const tags = (src: string, user: string[]) => [...user, ...markerTags(ctx.migration, src)];
  const poolIds = new Map<string, string>();
  for (const p of ctx.params.pools) {
    const pool =
      have.pools.get(p.src) ??
      (await change(ctx, lbId, () =>
        lbapi.createPool(c, {
          loadbalancer_id: lbId, protocol: p.protocol, lb_algorithm: p.lb_algorithm as "ROUND_ROBIN", name: p.name, description: p.description,
          ...(p.session_persistence ? { session_persistence: defined(p.session_persistence) as { type: string } } : {}),
          admin_state_up: p.admin_state_up, tags: tags(p.src, p.tags),
        }),
      ));
    poolIds.set(p.src, pool.id);
    for (const m of p.members) {
      if (have.members.has(m.src)) continue;
      const body = defined({
        address: await memberAddress(ctx, m), protocol_port: m.protocol_port, subnet_id: m.subnet_id ? ctx.targetIdOf(m.subnet_id) : null,
        weight: m.weight, backup: m.backup, monitor_address: m.monitor_address, monitor_port: m.monitor_port, name: m.name,
        admin_state_up: m.admin_state_up, tags: tags(m.src, m.tags),
      });
      await change(ctx, lbId, () => lbapi.createMember(c, pool.id, body as lbapi.CreateMemberRequest));
    }
    const hm = p.healthmonitor;
    if (hm && !have.monitors.has(hm.src)) {
      const body = defined({
        pool_id: pool.id, type: hm.type, delay: hm.delay, timeout: hm.timeout, max_retries: hm.max_retries, max_retries_down: hm.max_retries_down,
        http_method: hm.http_method, url_path: hm.url_path, expected_codes: hm.expected_codes, name: hm.name, admin_state_up: hm.admin_state_up,
        tags: tags(hm.src, hm.tags),
      });
      await change(ctx, lbId, () => lbapi.createHealthMonitor(c, body as lbapi.CreateHealthMonitorRequest));
    }
  }
  return poolIds;
}

async function applyListeners(ctx: Ctx, lbId: string, have: MarkedTree, poolIds: Map<string, string>): Promise<void> {
  const c = ctx.target.loadBalancer;
  const tags = (src: string, user: string[]) => [...user, ...markerTags(ctx.migration, src)];
  const pool = (src: string | null) => (src ? poolIds.get(src) ?? null : null);
  for (const l of ctx.params.listeners) {
    const body = defined({
      loadbalancer_id: lbId, protocol: l.protocol, protocol_port: l.protocol_port, name: l.name, description: l.description,
      connection_limit: l.connection_limit, default_pool_id: pool(l.default_pool), insert_headers: Object.keys(l.insert_headers).length ? l.insert_headers : null,
      allowed_cidrs: l.allowed_cidrs.length ? l.allowed_cidrs : null, timeout_client_data: l.timeout_client_data,
      timeout_member_connect: l.timeout_member_connect, timeout_member_data: l.timeout_member_data, timeout_tcp_inspect: l.timeout_tcp_inspect,
      admin_state_up: l.admin_state_up, tags: tags(l.src, l.tags),
    });
    const listener = have.listeners.get(l.src) ?? (await change(ctx, lbId, () => lbapi.createListener(c, body as lbapi.CreateListenerRequest)));
    for (const p of l.l7policies) {
      const policyBody = defined({
        listener_id: listener.id, action: p.action, position: p.position, redirect_pool_id: pool(p.redirect_pool), redirect_url: p.redirect_url,
        redirect_prefix: p.redirect_prefix, redirect_http_code: p.redirect_http_code, name: p.name, description: p.description,
        admin_state_up: p.admin_state_up, tags: tags(p.src, p.tags),
      });
      const policy = have.policies.get(p.src) ?? (await change(ctx, lbId, () => lbapi.createL7Policy(c, policyBody as lbapi.CreateL7PolicyRequest)));
      for (const r of p.rules) {
        if (have.rules.has(r.src)) continue;
        const ruleBody = defined({ type: r.type, compare_type: r.compare_type, key: r.key, value: r.value, invert: r.invert, admin_state_up: r.admin_state_up, tags: tags(r.src, r.tags) });
        await change(ctx, lbId, () => lbapi.createL7Rule(c, policy.id, ruleBody as lbapi.CreateL7RuleRequest));
      }
    }
  }
}

/** The target load balancer of the step (null when it is gone or its step never ran). */
async function targetLoadBalancer(ctx: Ctx): Promise<string | null> {
  if (!ctx.target.has("load-balancer")) return null;
  let id: string | null = null;
  try {
    id = ctx.targetIdOf(ctx.params.load_balancer);
  } catch {
    id = (await findLoadBalancer(ctx, ctx.step.source.id))?.id ?? null;
  }
  return id;
}

/** Deletes this step's objects, dependants first; a load balancer already gone (cascade) is fine. */
async function removeTree(ctx: Ctx, lbId: string): Promise<void> {
  const c = ctx.target.loadBalancer;
  let have: MarkedTree;
  try {
    have = await markedTree(ctx, lbId);
  } catch (err) {
    if (statusIs(err, 404)) return;
    throw err;
  }
  const steps: (() => Promise<void>)[] = [
    ...[...have.policies.values()].map((p) => () => lbapi.deleteL7Policy(c, p.id)),
    ...[...have.listeners.values()].map((l) => () => lbapi.deleteListener(c, l.id)),
    ...[...have.monitors.values()].map((m) => () => lbapi.deleteHealthMonitor(c, m.id)),
    ...[...have.pools.values()].map((p) => () => lbapi.deletePool(c, p.id)),
  ];
  for (const del of steps) {
    try {
      await change(ctx, lbId, del);
    } catch (err) {
      if (!statusIs(err, 404)) throw err;
    }
  }
}

export const loadBalancerConfig = defineKind<LoadBalancerConfigParams>({
  kind: "load-balancer-config",
  color: "#f0b45a",
  collection: loadBalancers,
  apiSeconds: 30,
  describe: (step) => {
    const p = step.params;
    const members = p.pools.reduce((n, x) => n + x.members.length, 0);
    const policies = p.listeners.reduce((n, l) => n + l.l7policies.length, 0);
    return `${p.listeners.length} listener(s) (${p.listeners.map((l) => `${l.protocol}:${l.protocol_port}`).join(", ") || "none"}), ${p.pools.length} pool(s), ${members} member(s), ${policies} L7 polic${policies === 1 ? "y" : "ies"}`;
  },
  quotaNeeds: (step) => {
    const p = step.params;
    return {
      lb_listeners: p.listeners.length,
      lb_pools: p.pools.length,
      lb_members: p.pools.reduce((n, x) => n + x.members.length, 0),
      lb_health_monitors: p.pools.filter((x) => x.healthmonitor).length,
      lb_l7_policies: p.listeners.reduce((n, l) => n + l.l7policies.length, 0),
    };
  },
  lane: () => "api",
  paramsSchema: LoadBalancerConfigParams,
  plan: () => [], // planned with its load balancer (load-balancer.plan.ts)

  async find(ctx) {
    const lbId = await targetLoadBalancer(ctx);
    if (!lbId) return null;
    const have = await markedTree(ctx, lbId).catch((err: unknown) => (statusIs(err, 404) ? null : Promise.reject(err)));
    return have && !treeEmpty(have) ? lbId : null;
  },

  async apply(ctx) {
    const lbId = ctx.targetIdOf(ctx.params.load_balancer);
    const c = ctx.target.loadBalancer;
    await lbapi.waitForLoadBalancer(c, lbId, lbWait(ctx));
    const have = await markedTree(ctx, lbId);
    const poolIds = await applyPools(ctx, lbId, have);
    await applyListeners(ctx, lbId, have, poolIds);
    return { outcome: "created", targetId: lbId };
  },

  async verify(ctx, targetId) {
    const have = await markedTree(ctx, targetId).catch((err: unknown) => (statusIs(err, 404) ? null : Promise.reject(err)));
    if (!have) return [missing(ctx)];
    return verifyTree(ctx, have, (m) => memberAddress(ctx, m));
  },

  async remove(ctx, targetId) {
    if (!ctx.target.has("load-balancer")) return;
    const lb = await lbapi.getLoadBalancer(ctx.target.loadBalancer, targetId).catch((err: unknown) => (statusIs(err, 404) ? null : Promise.reject(err)));
    if (!lb) return;
    await removeTree(ctx, targetId);
  },
});
