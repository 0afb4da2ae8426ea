/**
 * The children of one target load balancer that this migration made, found
 * by their marker tags (`scs-migrate:<migration>` on all of them,
 * `scs-migrate-src:<source id>` naming the source object). Apply, verify and
 * remove of the config step all start from this picture, so a crash between
 * two creates leaves nothing that the next attempt would not find.
 */
import * as lbapi from "../openstack/load-balancer.js";
import type { ApplyContext } from "./types.js";

const SRC = "scs-migrate-src:";

/** The source id a marked object names. */
export const srcOf = (tags: readonly string[]): string | undefined => tags.find((t) => t.startsWith(SRC))?.slice(SRC.length);

/** What of the config step already exists on the target, by source id. */
export interface MarkedTree {
  pools: Map<string, lbapi.Pool>;
  members: Map<string, lbapi.Member & { pool_id: string }>;
  monitors: Map<string, lbapi.HealthMonitor>;
  listeners: Map<string, lbapi.Listener>;
  policies: Map<string, lbapi.L7Policy>;
  rules: Map<string, lbapi.L7Rule & { policy_id: string }>;
}

function bySrc<T extends { tags: string[] }>(items: T[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const it of items) {
    const s = srcOf(it.tags);
    if (s && !out.has(s)) out.set(s, it);
  }
  return out;
}

/** Reads the marked children under a target load balancer. */
export async function markedTree(ctx: ApplyContext<unknown, unknown>, lbId: string): Promise<MarkedTree> {
  const c = ctx.target.loadBalancer;
  const tags = { tags: `scs-migrate:${ctx.migration}` };
  const [pools, listeners, monitors, policies] = await Promise.all([
    lbapi.listPools(c, tags),
    lbapi.listListeners(c, tags),
    lbapi.listHealthMonitors(c, tags),
    lbapi.listL7Policies(c, tags),
  ]);
  const myPools = pools.filter((p) => p.loadbalancers.includes(lbId));
  const myListeners = listeners.filter((l) => l.loadbalancers.includes(lbId));
  const listenerIds = new Set(myListeners.map((l) => l.id));
  const poolIds = new Set(myPools.map((p) => p.id));
  const myPolicies = policies.filter((p) => p.listener_id && listenerIds.has(p.listener_id));
  const members = (await Promise.all(myPools.map(async (p) => (await lbapi.listMembers(c, p.id, tags)).map((m) => ({ ...m, pool_id: p.id }))))).flat();
  const rules = (await Promise.all(myPolicies.map(async (p) => (await lbapi.listL7Rules(c, p.id, tags)).map((r) => ({ ...r, policy_id: p.id }))))).flat();
  return {
    pools: bySrc(myPools),
    members: bySrc(members),
    monitors: bySrc(monitors.filter((m) => m.pools.some((p) => poolIds.has(p)))),
    listeners: bySrc(myListeners),
    policies: bySrc(myPolicies),
    rules: bySrc(rules),
  };
}

/** Whether the picture holds anything. */
export const treeEmpty = (t: MarkedTree): boolean => Object.values(t).every((m: Map<string, unknown>) => m.size === 0);
