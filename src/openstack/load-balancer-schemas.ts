/**
 * Response schemas of Octavia (load-balancer v2): load balancers, listeners,
 * pools, members, health monitors, L7 policies and rules, the status tree,
 * statistics, quotas, providers, LB flavors and availability zones.
 *
 * Quirks (Octavia api-ref samples):
 * - Children are referenced as `[{"id": …}]` lists (`listeners`, `pools`,
 *   `members`, `l7policies`, `rules`, `loadbalancers`); the full-graph create
 *   answer nests whole objects in the same places. Both become id lists.
 * - Timestamps are naive (`2017-02-28T00:41:44`, meaning UTC).
 * - `flavor_id` is "" in the samples and null on live clouds; both become null.
 * - The L7 policy create sample wraps the policy in a one-element list.
 * - Health monitors have `http_version` as a float (1.0, 1.1).
 * - The full-graph create names a listener's pool `default_pool: {id}` instead
 *   of `default_pool_id`.
 * - Quotas use `loadbalancer`/`healthmonitor`, but the quota update sample
 *   (and Octavia before Rocky) spells them `load_balancer`/`health_monitor`;
 *   `null` means "the default" in the quota list.
 * - The status tree shows a pool without monitor as `"healthmonitor": {}`.
 * Reference: https://docs.openstack.org/api-ref/load-balancer/v2/
 */
import { z } from "zod";
import { bool, boolOrNull, id, int, intOrNull, Links, list, str, strList, strMap, strOrNull, timestamp } from "./lenient.js";

/** `[{"id": …}, …]` (or nested full objects) as a list of ids. */
const refs = () =>
  list(z.object({ id: id() }).loose()).transform((l) => l.map((r) => r.id));

/** A number that may be a float (http_version 1.1); null when absent. */
const numOrNull = () =>
  z
    .union([z.number(), z.string(), z.null()])
    .optional()
    .transform((v): number | null => (v === null || v === undefined || v === "" || Number.isNaN(Number(v)) ? null : Number(v)));

/** Accepts one object or a one-element list of it (the L7 policy create sample). */
function oneOrFirst<S extends z.ZodType>(item: S) {
  return z.union([item, z.array(item).min(1).transform((a) => a[0] as z.output<S>)]);
}

/** Fields every Octavia object with a provisioning status has. */
const common = {
  id: id(),
  name: str(),
  description: str(),
  project_id: strOrNull(),
  provisioning_status: str(),
  operating_status: str(),
  admin_state_up: bool(true),
  tags: strList(),
  created_at: timestamp(),
  updated_at: timestamp(),
};

/** A load balancer. */
export const LoadBalancer = z.object({
  ...common,
  vip_address: strOrNull(),
  vip_port_id: strOrNull(),
  vip_subnet_id: strOrNull(),
  vip_network_id: strOrNull(),
  vip_qos_policy_id: strOrNull(),
  vip_vnic_type: strOrNull(),
  additional_vips: list(z.object({ subnet_id: z.string(), ip_address: strOrNull() }).loose()).transform((l) =>
    l.map((v) => ({ subnet_id: v.subnet_id, ip_address: v.ip_address })),
  ),
  listeners: refs(),
  pools: refs(),
  provider: strOrNull(),
  flavor_id: strOrNull(),
  availability_zone: strOrNull(),
});
export type LoadBalancer = z.output<typeof LoadBalancer>;

/** A listener. */
export const Listener = z
  .object({
    ...common,
    protocol: str(),
    protocol_port: int(0),
    connection_limit: int(-1),
    default_pool_id: strOrNull(),
    default_pool: z.object({ id: id() }).loose().nullish(),
    default_tls_container_ref: strOrNull(),
    sni_container_refs: strList(),
    insert_headers: strMap(),
    loadbalancers: refs(),
    l7policies: refs(),
    timeout_client_data: intOrNull(),
    timeout_member_connect: intOrNull(),
    timeout_member_data: intOrNull(),
    timeout_tcp_inspect: intOrNull(),
    allowed_cidrs: strList(),
    client_ca_tls_container_ref: strOrNull(),
    client_authentication: strOrNull(),
    client_crl_container_ref: strOrNull(),
    tls_ciphers: strOrNull(),
    tls_versions: strList(),
    alpn_protocols: strList(),
    hsts_max_age: intOrNull(),
    hsts_include_subdomains: boolOrNull(),
    hsts_preload: boolOrNull(),
  })
  .transform(({ default_pool, ...l }) => ({ ...l, default_pool_id: l.default_pool_id ?? default_pool?.id ?? null }));
export type Listener = z.output<typeof Listener>;

/** A pool's session persistence; null when the pool has none. */
export const SessionPersistence = z
  .object({
    type: z.string(),
    cookie_name: strOrNull(),
    persistence_timeout: intOrNull(),
    persistence_granularity: strOrNull(),
  })
  .nullish()
  .transform((s) => s ?? null);
export type SessionPersistence = z.output<typeof SessionPersistence>;

/** A pool. */
export const Pool = z.object({
  ...common,
  protocol: str(),
  lb_algorithm: str(),
  session_persistence: SessionPersistence,
  listeners: refs(),
  loadbalancers: refs(),
  members: refs(),
  healthmonitor_id: strOrNull(),
  tls_enabled: bool(false),
  tls_container_ref: strOrNull(),
  ca_tls_container_ref: strOrNull(),
  crl_container_ref: strOrNull(),
  tls_ciphers: strOrNull(),
  tls_versions: strList(),
  alpn_protocols: strList(),
});
export type Pool = z.output<typeof Pool>;

/** A pool member. */
export const Member = z.object({
  ...common,
  address: z.string(),
  protocol_port: int(0),
  subnet_id: strOrNull(),
  weight: int(1),
  backup: bool(false),
  monitor_address: strOrNull(),
  monitor_port: intOrNull(),
  vnic_type: strOrNull(),
});
export type Member = z.output<typeof Member>;

/** A health monitor. */
export const HealthMonitor = z.object({
  ...common,
  type: str(),
  delay: int(0),
  timeout: int(0),
  max_retries: int(0),
  max_retries_down: intOrNull(),
  http_method: strOrNull(),
  url_path: strOrNull(),
  expected_codes: strOrNull(),
  http_version: numOrNull(),
  domain_name: strOrNull(),
  pools: refs(),
});
export type HealthMonitor = z.output<typeof HealthMonitor>;

/** An L7 policy. */
export const L7Policy = z.object({
  ...common,
  listener_id: strOrNull(),
  action: str(),
  position: int(1),
  redirect_pool_id: strOrNull(),
  redirect_url: strOrNull(),
  redirect_prefix: strOrNull(),
  redirect_http_code: intOrNull(),
  rules: refs(),
});
export type L7Policy = z.output<typeof L7Policy>;

/** An L7 rule. */
export const L7Rule = z.object({
  id: id(),
  project_id: strOrNull(),
  provisioning_status: str(),
  operating_status: str(),
  admin_state_up: bool(true),
  type: str(),
  compare_type: str(),
  key: strOrNull(),
  value: str(),
  invert: bool(false),
  tags: strList(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type L7Rule = z.output<typeof L7Rule>;

/** `{"loadbalancer": …}`, `{"loadbalancers": […], "loadbalancers_links": […]}` and likewise. */
export const LoadBalancerResponse = z.object({ loadbalancer: LoadBalancer });
export const LoadBalancerListResponse = z.object({ loadbalancers: z.array(LoadBalancer), loadbalancers_links: Links });
export const ListenerResponse = z.object({ listener: Listener });
export const ListenerListResponse = z.object({ listeners: z.array(Listener), listeners_links: Links });
export const PoolResponse = z.object({ pool: Pool });
export const PoolListResponse = z.object({ pools: z.array(Pool), pools_links: Links });
export const MemberResponse = z.object({ member: Member });
export const MemberListResponse = z.object({ members: z.array(Member), members_links: Links });
export const HealthMonitorResponse = z.object({ healthmonitor: HealthMonitor });
export const HealthMonitorListResponse = z.object({ healthmonitors: z.array(HealthMonitor), healthmonitors_links: Links });
export const L7PolicyResponse = z.object({ l7policy: oneOrFirst(L7Policy) });
export const L7PolicyListResponse = z.object({ l7policies: z.array(L7Policy), l7policies_links: Links });
export const L7RuleResponse = z.object({ rule: L7Rule });
export const L7RuleListResponse = z.object({ rules: z.array(L7Rule), rules_links: Links });

/** One node of the status tree (name, statuses, and its children where it has some). */
const statusFields = {
  id: id(),
  name: str(),
  provisioning_status: str(),
  operating_status: strOrNull(),
};
const MemberStatus = z.object({ ...statusFields, address: strOrNull(), protocol_port: intOrNull() });
const MonitorStatus = z
  .object({ id: id().optional(), name: str(), type: strOrNull(), provisioning_status: strOrNull() })
  .nullish()
  .transform((m) => (m?.id ? { id: m.id, name: m.name, type: m.type, provisioning_status: m.provisioning_status } : null));
const PoolStatus = z.object({ ...statusFields, healthmonitor: MonitorStatus, members: list(MemberStatus) });
const RuleStatus = z.object({ id: id(), type: strOrNull(), provisioning_status: str() });
const PolicyStatus = z.object({ id: id(), name: str(), action: strOrNull(), provisioning_status: str(), rules: list(RuleStatus) });
const ListenerStatus = z.object({ ...statusFields, pools: list(PoolStatus), l7policies: list(PolicyStatus) });

/** GET /v2/lbaas/loadbalancers/{id}/status: the LB and every child with their statuses. */
export const StatusTreeResponse = z.object({
  statuses: z.object({
    loadbalancer: z.object({ ...statusFields, listeners: list(ListenerStatus), pools: list(PoolStatus) }),
  }),
});
export type StatusTree = z.output<typeof StatusTreeResponse>["statuses"]["loadbalancer"];

/** GET …/loadbalancers/{id}/stats and …/listeners/{id}/stats. */
export const StatsResponse = z.object({
  stats: z.object({
    bytes_in: int(0),
    bytes_out: int(0),
    active_connections: int(0),
    total_connections: int(0),
    request_errors: int(0),
  }),
});

/** Octavia quota names, as the current API spells them. */
export const OCTAVIA_QUOTA_KEYS = ["loadbalancer", "listener", "pool", "member", "healthmonitor", "l7policy", "l7rule"] as const;
export type OctaviaQuotaKey = (typeof OCTAVIA_QUOTA_KEYS)[number];
/** Limits by quota name; -1 is unlimited, null "the default" (quota list only). */
export type OctaviaQuota = Record<OctaviaQuotaKey, number | null>;

const QuotaBody = z.record(z.string(), z.unknown()).transform((r): OctaviaQuota => {
  const num = (v: unknown): number | null => (typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : null);
  return {
    loadbalancer: num(r["loadbalancer"] ?? r["load_balancer"]),
    listener: num(r["listener"]),
    pool: num(r["pool"]),
    member: num(r["member"]),
    healthmonitor: num(r["healthmonitor"] ?? r["health_monitor"]),
    l7policy: num(r["l7policy"]),
    l7rule: num(r["l7rule"]),
  };
});
/** GET /v2/lbaas/quotas/{project} and …/default; PUT answers the same. */
export const QuotaResponse = z.object({ quota: QuotaBody });
/** GET /v2/lbaas/quotas: projects with quotas set, each with its `project_id`. */
export const QuotaListResponse = z.object({
  quotas: z.array(
    z
      .object({ project_id: z.string() })
      .loose()
      .transform((q) => ({ project_id: q.project_id, quota: QuotaBody.parse(q) })),
  ),
});

/** A provider driver (amphora, ovn, …). */
export const Provider = z.object({ name: z.string(), description: str() });
export type Provider = z.output<typeof Provider>;
export const ProviderListResponse = z.object({ providers: z.array(Provider) });
/** GET /v2/lbaas/providers/{provider}/flavor_capabilities and …/availability_zone_capabilities. */
export const ProviderCapabilitiesResponse = z.union([
  z.object({ flavor_capabilities: z.array(Provider) }).transform((r) => r.flavor_capabilities),
  z.object({ availability_zone_capabilities: z.array(Provider) }).transform((r) => r.availability_zone_capabilities),
]);

/** A load-balancer flavor (not a Nova flavor). */
export const LbFlavor = z.object({ id: id(), name: str(), description: str(), enabled: bool(true), flavor_profile_id: strOrNull() });
export type LbFlavor = z.output<typeof LbFlavor>;
export const LbFlavorResponse = z.object({ flavor: LbFlavor });
export const LbFlavorListResponse = z.object({ flavors: z.array(LbFlavor), flavors_links: Links });

/** A load-balancer availability zone. */
export const LbAvailabilityZone = z.object({ name: z.string(), description: str(), enabled: bool(true), availability_zone_profile_id: strOrNull() });
export type LbAvailabilityZone = z.output<typeof LbAvailabilityZone>;
export const LbAvailabilityZoneResponse = z.object({ availability_zone: LbAvailabilityZone });
export const LbAvailabilityZoneListResponse = z.object({ availability_zones: z.array(LbAvailabilityZone), availability_zones_links: Links });
