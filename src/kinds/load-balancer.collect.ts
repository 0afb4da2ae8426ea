/**
 * Listing of Octavia for the inventory: load balancers with their whole tree,
 * the providers and LB flavors the cloud offers, and the counts the quota
 * collector needs (Octavia's quota API has limits but no in-use figures).
 * A cloud without the service (no catalog entry, 403/404/501) yields empty
 * lists; the inventory's `meta.services` says whether it offers one at all.
 *
 * API: GET /v2/lbaas/{loadbalancers,listeners,pools,healthmonitors,l7policies},
 * /v2/lbaas/pools/{id}/members, /v2/lbaas/l7policies/{id}/rules,
 * /v2/lbaas/providers, /v2/lbaas/flavors.
 */
import type { LbFlavor, LbProvider, LoadBalancer } from "../model/inventory.js";
import * as lbapi from "../openstack/load-balancer.js";
import type { CollectContext, Collector } from "./types.js";

/** Octavia's service type in the catalog. */
export const LOAD_BALANCER_SERVICE = "load-balancer" as const;

/** The raw Octavia objects of a project, listed once per inventory. */
export interface OctaviaListing {
  lbs: lbapi.LoadBalancer[];
  listeners: lbapi.Listener[];
  pools: lbapi.Pool[];
  members: Map<string, lbapi.Member[]>;
  monitors: lbapi.HealthMonitor[];
  policies: lbapi.L7Policy[];
  rules: Map<string, lbapi.L7Rule[]>;
}

const EMPTY: OctaviaListing = { lbs: [], listeners: [], pools: [], members: new Map(), monitors: [], policies: [], rules: new Map() };

/** Every Octavia object of the project; empty when the cloud has no load-balancer service. */
export function listOctaviaOnce(cx: CollectContext): Promise<OctaviaListing> {
  return cx.once("octavia.tree", async () => {
    if (!cx.cloud.has("load-balancer")) return EMPTY;
    return cx.optional("load balancers", () => listOctavia(cx), EMPTY);
  });
}

async function listOctavia(cx: CollectContext): Promise<OctaviaListing> {
  const c = cx.cloud.loadBalancer;
  const [lbs, listeners, pools, monitors, policies] = await Promise.all([
    lbapi.listLoadBalancers(c),
    lbapi.listListeners(c),
    lbapi.listPools(c),
    lbapi.listHealthMonitors(c),
    lbapi.listL7Policies(c),
  ]);
  const members = new Map(await Promise.all(pools.map(async (p) => [p.id, await lbapi.listMembers(c, p.id)] as const)));
  const rules = new Map(await Promise.all(policies.map(async (p) => [p.id, await lbapi.listL7Rules(c, p.id)] as const)));
  return { lbs, listeners, pools, members, monitors, policies, rules };
}

function policyModel(o: OctaviaListing, p: lbapi.L7Policy): LoadBalancer["listeners"][number]["l7policies"][number] {
  return {
    id: p.id, name: p.name, description: p.description, action: p.action, position: p.position,
    redirect_pool_id: p.redirect_pool_id, redirect_url: p.redirect_url, redirect_prefix: p.redirect_prefix,
    redirect_http_code: p.redirect_http_code, admin_state_up: p.admin_state_up, tags: p.tags,
    rules: (o.rules.get(p.id) ?? []).map((r) => ({
      id: r.id, type: r.type, compare_type: r.compare_type, key: r.key, value: r.value, invert: r.invert, admin_state_up: r.admin_state_up, tags: r.tags,
    })),
  };
}

function listenerModel(o: OctaviaListing, l: lbapi.Listener): LoadBalancer["listeners"][number] {
  return {
    id: l.id, name: l.name, description: l.description, protocol: l.protocol, protocol_port: l.protocol_port,
    connection_limit: l.connection_limit, default_pool_id: l.default_pool_id, default_tls_container_ref: l.default_tls_container_ref,
    sni_container_refs: l.sni_container_refs, client_ca_tls_container_ref: l.client_ca_tls_container_ref,
    insert_headers: l.insert_headers, allowed_cidrs: l.allowed_cidrs,
    timeout_client_data: l.timeout_client_data, timeout_member_connect: l.timeout_member_connect,
    timeout_member_data: l.timeout_member_data, timeout_tcp_inspect: l.timeout_tcp_inspect,
    admin_state_up: l.admin_state_up, tags: l.tags,
    l7policies: o.policies.filter((p) => p.listener_id === l.id).sort((a, b) => a.position - b.position).map((p) => policyModel(o, p)),
  };
}

function poolModel(o: OctaviaListing, p: lbapi.Pool): LoadBalancer["pools"][number] {
  const hm = p.healthmonitor_id ? o.monitors.find((m) => m.id === p.healthmonitor_id) : o.monitors.find((m) => m.pools.includes(p.id));
  return {
    id: p.id, name: p.name, description: p.description, protocol: p.protocol, lb_algorithm: p.lb_algorithm,
    session_persistence: p.session_persistence, tls_enabled: p.tls_enabled, tls_container_ref: p.tls_container_ref,
    ca_tls_container_ref: p.ca_tls_container_ref, admin_state_up: p.admin_state_up, tags: p.tags,
    members: (o.members.get(p.id) ?? [])
      .map((m) => ({
        id: m.id, name: m.name, address: m.address, protocol_port: m.protocol_port, subnet_id: m.subnet_id, weight: m.weight, backup: m.backup,
        monitor_address: m.monitor_address, monitor_port: m.monitor_port, admin_state_up: m.admin_state_up, tags: m.tags,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    healthmonitor: hm
      ? {
          id: hm.id, name: hm.name, type: hm.type, delay: hm.delay, timeout: hm.timeout, max_retries: hm.max_retries, max_retries_down: hm.max_retries_down,
          http_method: hm.http_method, url_path: hm.url_path, expected_codes: hm.expected_codes, admin_state_up: hm.admin_state_up, tags: hm.tags,
        }
      : null,
  };
}

/** The normalised tree of one load balancer. */
export function loadBalancerModel(o: OctaviaListing, lb: lbapi.LoadBalancer): LoadBalancer {
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
  return {
    id: lb.id, name: lb.name, description: lb.description, project_id: lb.project_id,
    // operating_status is left out: it follows member health, which is no change to migrate (and would be drift).
    provisioning_status: lb.provisioning_status,
    vip_address: lb.vip_address, vip_port_id: lb.vip_port_id, vip_subnet_id: lb.vip_subnet_id, vip_network_id: lb.vip_network_id,
    provider: lb.provider, flavor_id: lb.flavor_id, availability_zone: lb.availability_zone, admin_state_up: lb.admin_state_up, tags: lb.tags,
    listeners: o.listeners.filter((l) => l.loadbalancers.includes(lb.id)).sort(byId).map((l) => listenerModel(o, l)),
    pools: o.pools.filter((p) => p.loadbalancers.includes(lb.id)).sort(byId).map((p) => poolModel(o, p)),
  };
}

export const loadBalancers: Collector<"load_balancers"> = {
  name: "load_balancers",
  async collect(cx) {
    const o = await listOctaviaOnce(cx);
    return o.lbs.map((lb) => loadBalancerModel(o, lb));
  },
};

export const lbProviders: Collector<"lb_providers"> = {
  name: "lb_providers",
  keepOrder: true,
  async collect(cx): Promise<LbProvider[]> {
    if (!cx.cloud.has("load-balancer")) return [];
    return cx.optional("load-balancer providers", () => lbapi.listProviders(cx.cloud.loadBalancer), []);
  },
};

export const lbFlavors: Collector<"lb_flavors"> = {
  name: "lb_flavors",
  async collect(cx): Promise<LbFlavor[]> {
    if (!cx.cloud.has("load-balancer")) return [];
    const flavors = await cx.optional("load-balancer flavors", () => lbapi.listLbFlavors(cx.cloud.loadBalancer), []);
    return flavors.map((f) => ({ id: f.id, name: f.name, description: f.description, enabled: f.enabled }));
  },
};
