/**
 * The JSON shapes Octavia answers with, built from the records, in the
 * field order of the api-ref samples. Children are `[{"id": …}]` lists.
 *
 * Quirks: `flavor_id` and `vip_qos_policy_id` are null when unset (the
 * samples show "" for flavor_id; live clouds send null); `allowed_cidrs`,
 * `tls_versions` and `alpn_protocols` are null on listeners that do not use
 * them; health monitors of TCP-like types have null HTTP fields.
 */
import type { L7PolicyRecord, L7RuleRecord, LbRecord, ListenerRecord, MemberRecord, MonitorRecord, OctaviaState, PoolRecord } from "./model.js";
import { octaviaTime } from "./model.js";

const ids = (xs: Iterable<{ id: string }>) => [...xs].map((x) => ({ id: x.id }));
const sortedByCreation = <T extends { created_at: number }>(xs: T[]) => [...xs].sort((a, b) => a.created_at - b.created_at);

function times(r: { created_at: number; updated_at: number | null }) {
  return { created_at: octaviaTime(r.created_at), updated_at: octaviaTime(r.updated_at) };
}

/** Listeners of a load balancer, oldest first. */
export function listenersOf(s: OctaviaState, lbId: string): ListenerRecord[] {
  return sortedByCreation([...s.listeners.values()].filter((l) => l.loadbalancer_id === lbId));
}

/** Pools of a load balancer, oldest first. */
export function poolsOf(s: OctaviaState, lbId: string): PoolRecord[] {
  return sortedByCreation([...s.pools.values()].filter((p) => p.loadbalancer_id === lbId));
}

/** Members of a pool, oldest first. */
export function membersOf(s: OctaviaState, poolId: string): MemberRecord[] {
  return sortedByCreation([...s.members.values()].filter((m) => m.pool_id === poolId));
}

/** The health monitor of a pool, if any. */
export function monitorOf(s: OctaviaState, poolId: string): MonitorRecord | undefined {
  for (const m of s.healthMonitors.values()) if (m.pool_id === poolId) return m;
  return undefined;
}

/** L7 policies of a listener, by position. */
export function policiesOf(s: OctaviaState, listenerId: string): L7PolicyRecord[] {
  return [...s.l7policies.values()].filter((p) => p.listener_id === listenerId).sort((a, b) => a.position - b.position);
}

/** Rules of an L7 policy, oldest first. */
export function rulesOf(s: OctaviaState, policyId: string): L7RuleRecord[] {
  return sortedByCreation([...s.l7rules.values()].filter((r) => r.l7policy_id === policyId));
}

/** Listeners that use a pool (as default pool). */
function listenersUsing(s: OctaviaState, poolId: string): ListenerRecord[] {
  return [...s.listeners.values()].filter((l) => l.default_pool_id === poolId);
}

export function lbView(s: OctaviaState, lb: LbRecord): Record<string, unknown> {
  return {
    description: lb.description, admin_state_up: lb.admin_state_up, project_id: lb.project_id,
    provisioning_status: lb.provisioning_status, flavor_id: lb.flavor_id, vip_subnet_id: lb.vip_subnet_id,
    listeners: ids(listenersOf(s, lb.id)), vip_address: lb.vip_address, vip_network_id: lb.vip_network_id,
    vip_port_id: lb.vip_port_id, additional_vips: [], provider: lb.provider, pools: ids(poolsOf(s, lb.id)),
    ...times(lb), id: lb.id, operating_status: lb.operating_status, name: lb.name,
    vip_qos_policy_id: lb.vip_qos_policy_id, availability_zone: lb.availability_zone, tags: [...lb.tags], vip_vnic_type: "normal",
  };
}

export function listenerView(s: OctaviaState, l: ListenerRecord): Record<string, unknown> {
  return {
    description: l.description, admin_state_up: l.admin_state_up, project_id: l.project_id, protocol: l.protocol,
    protocol_port: l.protocol_port, provisioning_status: l.provisioning_status, default_tls_container_ref: l.default_tls_container_ref,
    loadbalancers: [{ id: l.loadbalancer_id }], insert_headers: { ...l.insert_headers }, ...times(l), id: l.id,
    operating_status: l.operating_status, default_pool_id: l.default_pool_id, sni_container_refs: [...l.sni_container_refs],
    l7policies: ids(policiesOf(s, l.id)), name: l.name, connection_limit: l.connection_limit,
    timeout_client_data: l.timeout_client_data, timeout_member_connect: l.timeout_member_connect,
    timeout_member_data: l.timeout_member_data, timeout_tcp_inspect: l.timeout_tcp_inspect, tags: [...l.tags],
    client_ca_tls_container_ref: l.client_ca_tls_container_ref, client_authentication: l.client_authentication,
    client_crl_container_ref: l.client_crl_container_ref, allowed_cidrs: l.allowed_cidrs ? [...l.allowed_cidrs] : null,
    tls_ciphers: l.tls_ciphers, tls_versions: l.tls_versions ? [...l.tls_versions] : null,
    alpn_protocols: l.alpn_protocols ? [...l.alpn_protocols] : null, hsts_include_subdomains: false, hsts_max_age: null, hsts_preload: false,
  };
}

export function poolView(s: OctaviaState, p: PoolRecord): Record<string, unknown> {
  return {
    lb_algorithm: p.lb_algorithm, protocol: p.protocol, description: p.description, admin_state_up: p.admin_state_up,
    loadbalancers: [{ id: p.loadbalancer_id }], ...times(p), provisioning_status: p.provisioning_status,
    session_persistence: p.session_persistence ? { ...p.session_persistence } : null, listeners: ids(listenersUsing(s, p.id)),
    members: ids(membersOf(s, p.id)), healthmonitor_id: monitorOf(s, p.id)?.id ?? null, project_id: p.project_id, id: p.id,
    operating_status: p.operating_status, name: p.name, tags: [...p.tags], tls_container_ref: p.tls_container_ref,
    ca_tls_container_ref: p.ca_tls_container_ref, crl_container_ref: p.crl_container_ref, tls_enabled: p.tls_enabled,
    tls_ciphers: null, tls_versions: null, alpn_protocols: null,
  };
}

export function memberView(m: MemberRecord): Record<string, unknown> {
  return {
    monitor_port: m.monitor_port, project_id: m.project_id, name: m.name, weight: m.weight, backup: m.backup,
    admin_state_up: m.admin_state_up, subnet_id: m.subnet_id, ...times(m), provisioning_status: m.provisioning_status,
    monitor_address: m.monitor_address, address: m.address, protocol_port: m.protocol_port, id: m.id,
    operating_status: m.operating_status, tags: [...m.tags], vnic_type: "normal",
  };
}

export function monitorView(h: MonitorRecord): Record<string, unknown> {
  return {
    project_id: h.project_id, name: h.name, admin_state_up: h.admin_state_up, pools: [{ id: h.pool_id }], ...times(h),
    provisioning_status: h.provisioning_status, delay: h.delay, expected_codes: h.expected_codes, max_retries: h.max_retries,
    http_method: h.http_method, timeout: h.timeout, max_retries_down: h.max_retries_down, url_path: h.url_path, type: h.type,
    id: h.id, operating_status: h.operating_status, tags: [...h.tags], http_version: h.http_version, domain_name: h.domain_name,
  };
}

export function policyView(s: OctaviaState, p: L7PolicyRecord): Record<string, unknown> {
  return {
    listener_id: p.listener_id, description: p.description, admin_state_up: p.admin_state_up, rules: ids(rulesOf(s, p.id)),
    ...times(p), provisioning_status: p.provisioning_status, redirect_http_code: p.redirect_http_code,
    redirect_pool_id: p.redirect_pool_id, redirect_prefix: p.redirect_prefix, redirect_url: p.redirect_url, action: p.action,
    position: p.position, project_id: p.project_id, id: p.id, operating_status: p.operating_status, name: p.name, tags: [...p.tags],
  };
}

export function ruleView(r: L7RuleRecord): Record<string, unknown> {
  return {
    created_at: octaviaTime(r.created_at), compare_type: r.compare_type, provisioning_status: r.provisioning_status,
    invert: r.invert, admin_state_up: r.admin_state_up, updated_at: octaviaTime(r.updated_at), value: r.value, key: r.key,
    project_id: r.project_id, type: r.type, id: r.id, operating_status: r.operating_status, tags: [...r.tags],
  };
}

function poolStatus(s: OctaviaState, p: PoolRecord): Record<string, unknown> {
  const hm = monitorOf(s, p.id);
  return {
    name: p.name, provisioning_status: p.provisioning_status,
    healthmonitor: hm ? { type: hm.type, id: hm.id, name: hm.name, provisioning_status: hm.provisioning_status } : {},
    members: membersOf(s, p.id).map((m) => ({
      name: m.name, provisioning_status: m.provisioning_status, address: m.address, protocol_port: m.protocol_port, id: m.id, operating_status: m.operating_status,
    })),
    id: p.id, operating_status: p.operating_status,
  };
}

/** GET /loadbalancers/{id}/status. */
export function statusTree(s: OctaviaState, lb: LbRecord): Record<string, unknown> {
  const listeners = listenersOf(s, lb.id).map((l) => {
    const pool = l.default_pool_id ? s.pools.get(l.default_pool_id) : undefined;
    return {
      name: l.name, provisioning_status: l.provisioning_status, pools: pool ? [poolStatus(s, pool)] : [],
      l7policies: policiesOf(s, l.id).map((p) => ({
        action: p.action, rules: rulesOf(s, p.id).map((r) => ({ type: r.type, id: r.id, provisioning_status: r.provisioning_status })),
        id: p.id, name: p.name, provisioning_status: p.provisioning_status,
      })),
      id: l.id, operating_status: l.operating_status,
    };
  });
  return {
    statuses: {
      loadbalancer: {
        name: lb.name, provisioning_status: lb.provisioning_status, listeners, pools: poolsOf(s, lb.id).map((p) => poolStatus(s, p)),
        id: lb.id, operating_status: lb.operating_status,
      },
    },
  };
}
