/**
 * Children of a load balancer: listeners, pools, members, health monitors,
 * L7 policies and L7 rules. Each create/update/delete checks that the load
 * balancer is ACTIVE (else 409 immutable), checks the quota, and locks the
 * load balancer until the change settles (lifecycle.ts).
 *
 * Quirks (Octavia v2 controllers and exceptions): a second listener on a
 * protocol/port is 409 DuplicateListenerEntry; a second default pool 409
 * "This listener already has a default pool"; a second monitor 409 "This
 * pool already has a health monitor"; a member on an address/port already in
 * the pool 409; a pool used by a REDIRECT_TO_POOL policy cannot be deleted
 * (409); deleting a pool deletes its members and monitor; deleting a listener
 * deletes its L7 policies and rules but keeps its default pool; the ovn
 * provider refuses anything but TCP/UDP/SCTP and SOURCE_IP_PORT (501).
 */
import type { CloudContext } from "../cloud-context.js";
import { octaviaError } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { asObject } from "../core/http.js";
import { parseIp } from "../core/ip.js";
import {
  assertChildMutable, baseFields, beginChange, checkQuota, getReferenced, lbState, markDeleting, oneOf, optBool, optInt, optStr,
  required, strList, updateBase,
} from "./lifecycle.js";
import type { L7PolicyRecord, L7RuleRecord, LbRecord, ListenerRecord, MemberRecord, MonitorRecord, OctaviaBase, OctaviaKind, PoolRecord } from "./model.js";
import { listenersOf, membersOf, monitorOf, policiesOf, rulesOf } from "./views.js";

type Body = Record<string, unknown>;

const LISTENER_PROTOCOLS = ["HTTP", "HTTPS", "TCP", "UDP", "TERMINATED_HTTPS", "SCTP", "PROMETHEUS"] as const;
const POOL_PROTOCOLS = ["HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP", "UDP", "SCTP"] as const;
const ALGORITHMS = ["ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT"] as const;
const MONITOR_TYPES = ["HTTP", "HTTPS", "PING", "TCP", "TLS-HELLO", "UDP-CONNECT", "SCTP"] as const;
const HTTP_METHODS = ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"] as const;
const ACTIONS = ["REDIRECT_TO_POOL", "REDIRECT_TO_URL", "REDIRECT_PREFIX", "REJECT"] as const;
const RULE_TYPES = ["HOST_NAME", "PATH", "FILE_TYPE", "HEADER", "COOKIE", "SSL_CONN_HAS_CERT", "SSL_VERIFY_RESULT", "SSL_DN_FIELD"] as const;
const COMPARE_TYPES = ["REGEX", "STARTS_WITH", "ENDS_WITH", "CONTAINS", "EQUAL_TO"] as const;
const DEFAULT_CIPHERS = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

function lbOf(cloud: CloudContext, id: string): LbRecord {
  return lbState(cloud).loadBalancers.get(id)!;
}

function ovnRefuses(cloud: CloudContext, lbId: string, what: string): void {
  if (lbOf(cloud, lbId).provider === "ovn") {
    throw octaviaError(501, `Provider 'ovn' does not support a requested option: OVN provider does not support ${what}`);
  }
}

/** Starts a create: mutable LB, quota; the record is then stored and the LB locked. */
function created<R extends OctaviaBase>(cloud: CloudContext, kind: OctaviaKind, rec: R): R {
  lbState(cloud).table(kind).set(rec.id, rec);
  lbState(cloud).events.push({ at: Date.now(), kind, id: rec.id, status: "PENDING_CREATE" });
  beginChange(cloud, rec.loadbalancer_id, kind, rec, "PENDING_CREATE");
  return rec;
}

/** Marks an object (and what goes with it) for deletion and locks its LB. */
export function deleteChild(cloud: CloudContext, kind: OctaviaKind, rec: OctaviaBase): void {
  assertChildMutable(cloud, rec.loadbalancer_id);
  const s = lbState(cloud);
  const also: Array<[OctaviaKind, OctaviaBase]> = [];
  if (kind === "pool") {
    for (const p of s.l7policies.values()) {
      if (p.redirect_pool_id === rec.id) throw octaviaError(409, `Pool ${rec.id} is in use by L7 policy ${p.id}`);
    }
    for (const m of membersOf(s, rec.id)) also.push(["member", m]);
    const hm = monitorOf(s, rec.id);
    if (hm) also.push(["healthmonitor", hm]);
    for (const l of s.listeners.values()) if (l.default_pool_id === rec.id) l.default_pool_id = null;
  }
  if (kind === "listener") {
    for (const p of policiesOf(s, rec.id)) {
      also.push(["l7policy", p]);
      for (const r of rulesOf(s, p.id)) also.push(["l7rule", r]);
    }
  }
  if (kind === "l7policy") for (const r of rulesOf(s, rec.id)) also.push(["l7rule", r]);
  markDeleting(cloud, also);
  beginChange(cloud, rec.loadbalancer_id, kind, rec, "PENDING_DELETE");
}

/** Starts an update: LB must be ACTIVE; applies the common fields. */
function updating(cloud: CloudContext, rec: OctaviaBase, b: Body, readOnly: string[]): void {
  for (const k of readOnly) {
    if (b[k] !== undefined) throw octaviaError(400, `Invalid input for field/attribute ${k}. Value: '${String(b[k])}'. Cannot update read-only attribute.`);
  }
  assertChildMutable(cloud, rec.loadbalancer_id);
  updateBase(rec, b);
}

function headers(b: Body): Record<string, string> | undefined {
  if (b["insert_headers"] === undefined) return undefined;
  const o = asObject(b["insert_headers"]) ?? {};
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
}

function defaultPool(cloud: CloudContext, b: Body, lbId: string): string | null | undefined {
  if (b["default_pool_id"] === undefined) return undefined;
  const id = optStr(b, "default_pool_id", null);
  if (id === null) return null;
  const pool = getReferenced<PoolRecord>(cloud, "pool", id);
  if (pool.loadbalancer_id !== lbId) throw octaviaError(400, `Validation failure: Pool ${id} is not on the same load balancer as the listener.`);
  return id;
}

function listenerTuning(l: ListenerRecord, b: Body): void {
  l.connection_limit = optInt(b, "connection_limit", l.connection_limit, -1);
  l.timeout_client_data = optInt(b, "timeout_client_data", l.timeout_client_data, 0, 31536000000);
  l.timeout_member_connect = optInt(b, "timeout_member_connect", l.timeout_member_connect, 0, 31536000000);
  l.timeout_member_data = optInt(b, "timeout_member_data", l.timeout_member_data, 0, 31536000000);
  l.timeout_tcp_inspect = optInt(b, "timeout_tcp_inspect", l.timeout_tcp_inspect, 0, 31536000000);
  l.insert_headers = headers(b) ?? l.insert_headers;
  if (b["default_tls_container_ref"] !== undefined) l.default_tls_container_ref = optStr(b, "default_tls_container_ref", null);
  if (b["sni_container_refs"] !== undefined) l.sni_container_refs = strList(b, "sni_container_refs") ?? [];
  if (b["allowed_cidrs"] !== undefined) l.allowed_cidrs = strList(b, "allowed_cidrs");
  if (b["client_ca_tls_container_ref"] !== undefined) l.client_ca_tls_container_ref = optStr(b, "client_ca_tls_container_ref", null);
  if (b["client_authentication"] !== undefined) l.client_authentication = oneOf(b, "client_authentication", ["NONE", "OPTIONAL", "MANDATORY"]);
}

export function createListener(cloud: CloudContext, b: Body): ListenerRecord {
  const lb = getReferenced<LbRecord>(cloud, "loadbalancer", String(required(b, "loadbalancer_id")));
  const protocol = oneOf(b, "protocol", LISTENER_PROTOCOLS);
  const port = optInt(b, "protocol_port", NaN, 1, 65535);
  if (Number.isNaN(port)) required(b, "protocol_port");
  if (!["TCP", "UDP", "SCTP"].includes(protocol)) ovnRefuses(cloud, lb.id, `${protocol} protocol`);
  const clash = listenersOf(lbState(cloud), lb.id).find((l) => l.protocol_port === port && (l.protocol === "UDP") === (protocol === "UDP"));
  if (clash) throw octaviaError(409, `Another Listener on this Load Balancer is already using protocol ${protocol} and protocol_port ${port}`);
  const tls = protocol === "TERMINATED_HTTPS";
  if (tls && !b["default_tls_container_ref"] && !(Array.isArray(b["sni_container_refs"]) && b["sni_container_refs"].length > 0)) {
    throw octaviaError(400, "Validation failure: An SNI or default certificate container reference must be provided for TERMINATED_HTTPS listeners.");
  }
  checkQuota(cloud, "listener");
  assertChildMutable(cloud, lb.id);
  const l: ListenerRecord = {
    ...baseFields(cloud, b, uuid(), lb.id), protocol, protocol_port: port, connection_limit: -1, default_pool_id: null,
    default_tls_container_ref: null, sni_container_refs: [], insert_headers: {}, timeout_client_data: 50000,
    timeout_member_connect: 5000, timeout_member_data: 50000, timeout_tcp_inspect: 0, allowed_cidrs: null,
    client_ca_tls_container_ref: null, client_authentication: "NONE", client_crl_container_ref: null,
    tls_ciphers: tls ? DEFAULT_CIPHERS : null, tls_versions: tls ? ["TLSv1.2", "TLSv1.3"] : null, alpn_protocols: tls ? ["h2", "http/1.1", "http/1.0"] : null,
  };
  listenerTuning(l, b);
  l.default_pool_id = defaultPool(cloud, b, lb.id) ?? null;
  return created(cloud, "listener", l);
}

export function updateListener(cloud: CloudContext, l: ListenerRecord, b: Body): void {
  updating(cloud, l, b, ["protocol", "protocol_port", "loadbalancer_id"]);
  listenerTuning(l, b);
  const pool = defaultPool(cloud, b, l.loadbalancer_id);
  if (pool !== undefined) l.default_pool_id = pool;
  beginChange(cloud, l.loadbalancer_id, "listener", l, "PENDING_UPDATE");
}

function persistence(b: Body): Record<string, unknown> | null | undefined {
  if (b["session_persistence"] === undefined) return undefined;
  const sp = asObject(b["session_persistence"]);
  if (!sp) return null;
  const type = oneOf(sp, "type", ["SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE"]);
  const cookie = optStr(sp, "cookie_name", null);
  if (type === "APP_COOKIE" && !cookie) throw octaviaError(400, "Validation failure: Field 'cookie_name' must be specified when using the 'APP_COOKIE' session persistence type.");
  return { cookie_name: cookie, type };
}

export function createPool(cloud: CloudContext, b: Body): PoolRecord {
  let listener: ListenerRecord | undefined;
  let lbId: string;
  if (b["listener_id"]) {
    listener = getReferenced<ListenerRecord>(cloud, "listener", String(b["listener_id"]));
    lbId = listener.loadbalancer_id;
    if (listener.default_pool_id) throw octaviaError(409, "This listener already has a default pool");
  } else if (b["loadbalancer_id"]) {
    lbId = getReferenced<LbRecord>(cloud, "loadbalancer", String(b["loadbalancer_id"])).id;
  } else {
    throw octaviaError(400, "Validation failure: Must provide at least one of: listener_id, loadbalancer_id");
  }
  const protocol = oneOf(b, "protocol", POOL_PROTOCOLS);
  const algorithm = oneOf(b, "lb_algorithm", ALGORITHMS);
  if (algorithm !== "SOURCE_IP_PORT") ovnRefuses(cloud, lbId, `${algorithm} algorithm`);
  checkQuota(cloud, "pool");
  assertChildMutable(cloud, lbId);
  const p: PoolRecord = {
    ...baseFields(cloud, b, uuid(), lbId), protocol, lb_algorithm: algorithm, session_persistence: persistence(b) ?? null,
    listener_id: listener?.id ?? null, tls_enabled: optBool(b, "tls_enabled", false), tls_container_ref: optStr(b, "tls_container_ref", null),
    ca_tls_container_ref: optStr(b, "ca_tls_container_ref", null), crl_container_ref: optStr(b, "crl_container_ref", null),
  };
  if (listener) listener.default_pool_id = p.id;
  return created(cloud, "pool", p);
}

export function updatePool(cloud: CloudContext, p: PoolRecord, b: Body): void {
  updating(cloud, p, b, ["protocol", "listener_id", "loadbalancer_id"]);
  if (b["lb_algorithm"] !== undefined) p.lb_algorithm = oneOf(b, "lb_algorithm", ALGORITHMS);
  const sp = persistence(b);
  if (sp !== undefined) p.session_persistence = sp;
  p.tls_enabled = optBool(b, "tls_enabled", p.tls_enabled);
  for (const k of ["tls_container_ref", "ca_tls_container_ref", "crl_container_ref"] as const) {
    if (b[k] !== undefined) p[k] = optStr(b, k, null);
  }
  beginChange(cloud, p.loadbalancer_id, "pool", p, "PENDING_UPDATE");
}

export function createMember(cloud: CloudContext, pool: PoolRecord, b: Body): MemberRecord {
  const address = String(required(b, "address"));
  if (!parseIp(address)) throw octaviaError(400, `Invalid input for field/attribute address. Value: '${address}'. Value should be IPv4 or IPv6 format`);
  const port = optInt(b, "protocol_port", NaN, 1, 65535);
  if (Number.isNaN(port)) required(b, "protocol_port");
  const subnetId = optStr(b, "subnet_id", null);
  if (subnetId && !cloud.store.subnets.has(subnetId)) throw octaviaError(400, `Subnet ${subnetId} not found.`);
  if (membersOf(lbState(cloud), pool.id).some((m) => m.address === address && m.protocol_port === port)) {
    throw octaviaError(409, `Another member on this pool is already using ip ${address} on protocol_port ${port}`);
  }
  checkQuota(cloud, "member");
  assertChildMutable(cloud, pool.loadbalancer_id);
  const m: MemberRecord = {
    ...baseFields(cloud, b, uuid(), pool.loadbalancer_id), pool_id: pool.id, address, protocol_port: port, subnet_id: subnetId,
    weight: optInt(b, "weight", 1, 0, 256), backup: optBool(b, "backup", false), monitor_address: optStr(b, "monitor_address", null),
    monitor_port: b["monitor_port"] === undefined || b["monitor_port"] === null ? null : optInt(b, "monitor_port", 0, 1, 65535),
  };
  return created(cloud, "member", m);
}

export function updateMember(cloud: CloudContext, m: MemberRecord, b: Body): void {
  updating(cloud, m, b, ["address", "protocol_port", "subnet_id"]);
  m.weight = optInt(b, "weight", m.weight, 0, 256);
  m.backup = optBool(b, "backup", m.backup);
  if (b["monitor_address"] !== undefined) m.monitor_address = optStr(b, "monitor_address", null);
  if (b["monitor_port"] !== undefined) m.monitor_port = b["monitor_port"] === null ? null : optInt(b, "monitor_port", 0, 1, 65535);
  beginChange(cloud, m.loadbalancer_id, "member", m, "PENDING_UPDATE");
}

function httpFields(h: MonitorRecord, b: Body, creating: boolean): void {
  const http = h.type === "HTTP" || h.type === "HTTPS";
  if (!http) {
    if (["http_method", "url_path", "expected_codes"].some((k) => b[k] !== undefined && b[k] !== null)) {
      throw octaviaError(400, `Validation failure: http_method, url_path, expected_codes are only valid for HTTP and HTTPS health monitors.`);
    }
    return;
  }
  h.http_method = b["http_method"] !== undefined ? oneOf(b, "http_method", HTTP_METHODS) : creating ? "GET" : h.http_method;
  h.url_path = optStr(b, "url_path", creating ? "/" : h.url_path);
  h.expected_codes = optStr(b, "expected_codes", creating ? "200" : h.expected_codes);
  if (b["http_version"] !== undefined) h.http_version = b["http_version"] === null ? null : Number(b["http_version"]);
  if (b["domain_name"] !== undefined) h.domain_name = optStr(b, "domain_name", null);
}

export function createMonitor(cloud: CloudContext, b: Body): MonitorRecord {
  const pool = getReferenced<PoolRecord>(cloud, "pool", String(required(b, "pool_id")));
  if (monitorOf(lbState(cloud), pool.id)) throw octaviaError(409, "This pool already has a health monitor");
  const type = oneOf(b, "type", MONITOR_TYPES);
  for (const k of ["delay", "timeout", "max_retries"]) required(b, k);
  checkQuota(cloud, "healthmonitor");
  assertChildMutable(cloud, pool.loadbalancer_id);
  const h: MonitorRecord = {
    ...baseFields(cloud, b, uuid(), pool.loadbalancer_id), pool_id: pool.id, type, delay: optInt(b, "delay", 0, 0, 2147483647),
    timeout: optInt(b, "timeout", 0, 0, 2147483647), max_retries: optInt(b, "max_retries", 3, 1, 10),
    max_retries_down: optInt(b, "max_retries_down", 3, 1, 10), http_method: null, url_path: null, expected_codes: null,
    http_version: null, domain_name: null,
  };
  httpFields(h, b, true);
  return created(cloud, "healthmonitor", h);
}

export function updateMonitor(cloud: CloudContext, h: MonitorRecord, b: Body): void {
  updating(cloud, h, b, ["type", "pool_id"]);
  h.delay = optInt(b, "delay", h.delay, 0, 2147483647);
  h.timeout = optInt(b, "timeout", h.timeout, 0, 2147483647);
  h.max_retries = optInt(b, "max_retries", h.max_retries, 1, 10);
  h.max_retries_down = optInt(b, "max_retries_down", h.max_retries_down, 1, 10);
  httpFields(h, b, false);
  beginChange(cloud, h.loadbalancer_id, "healthmonitor", h, "PENDING_UPDATE");
}

function redirect(cloud: CloudContext, p: L7PolicyRecord, b: Body): void {
  p.redirect_pool_id = p.redirect_url = p.redirect_prefix = null;
  p.redirect_http_code = null;
  if (p.action === "REDIRECT_TO_POOL") {
    const id = optStr(b, "redirect_pool_id", null);
    if (!id) throw octaviaError(400, "Invalid L7 Policy arguments: redirect_pool_id must not be None for action REDIRECT_TO_POOL");
    const pool = getReferenced<PoolRecord>(cloud, "pool", id);
    if (pool.loadbalancer_id !== p.loadbalancer_id) throw octaviaError(400, `Pool ${id} not found.`);
    p.redirect_pool_id = id;
  } else if (p.action === "REDIRECT_TO_URL" || p.action === "REDIRECT_PREFIX") {
    const key = p.action === "REDIRECT_TO_URL" ? "redirect_url" : "redirect_prefix";
    const v = optStr(b, key, null);
    if (!v) throw octaviaError(400, `Invalid L7 Policy arguments: ${key} must not be None for action ${p.action}`);
    p[key] = v;
    p.redirect_http_code = optInt(b, "redirect_http_code", 302);
  }
}

function reposition(cloud: CloudContext, p: L7PolicyRecord, wanted: number | undefined): void {
  const others = policiesOf(lbState(cloud), p.listener_id).filter((x) => x.id !== p.id);
  const at = Math.max(1, Math.min(wanted ?? others.length + 1, others.length + 1));
  others.splice(at - 1, 0, p);
  others.forEach((x, i) => (x.position = i + 1));
}

export function createPolicy(cloud: CloudContext, b: Body): L7PolicyRecord {
  const listener = getReferenced<ListenerRecord>(cloud, "listener", String(required(b, "listener_id")));
  const action = oneOf(b, "action", ACTIONS);
  checkQuota(cloud, "l7policy");
  assertChildMutable(cloud, listener.loadbalancer_id);
  const p: L7PolicyRecord = {
    ...baseFields(cloud, b, uuid(), listener.loadbalancer_id), listener_id: listener.id, action, position: 0,
    redirect_pool_id: null, redirect_url: null, redirect_prefix: null, redirect_http_code: null,
  };
  redirect(cloud, p, b);
  reposition(cloud, p, b["position"] === undefined ? undefined : optInt(b, "position", 1, 1, 2147483647));
  return created(cloud, "l7policy", p);
}

export function updatePolicy(cloud: CloudContext, p: L7PolicyRecord, b: Body): void {
  updating(cloud, p, b, ["listener_id"]);
  if (b["action"] !== undefined || ["redirect_pool_id", "redirect_url", "redirect_prefix", "redirect_http_code"].some((k) => b[k] !== undefined)) {
    p.action = oneOf(b, "action", ACTIONS, p.action);
    redirect(cloud, p, { redirect_pool_id: p.redirect_pool_id, redirect_url: p.redirect_url, redirect_prefix: p.redirect_prefix, redirect_http_code: p.redirect_http_code, ...b });
  }
  if (b["position"] !== undefined) reposition(cloud, p, optInt(b, "position", p.position, 1, 2147483647));
  beginChange(cloud, p.loadbalancer_id, "l7policy", p, "PENDING_UPDATE");
}

function ruleFields(r: L7RuleRecord, b: Body): void {
  r.type = oneOf(b, "type", RULE_TYPES, r.type || undefined);
  r.compare_type = oneOf(b, "compare_type", COMPARE_TYPES, r.compare_type || undefined);
  r.value = optStr(b, "value", r.value) ?? "";
  if (!r.value) required(b, "value");
  if (b["key"] !== undefined) r.key = optStr(b, "key", null);
  if ((r.type === "HEADER" || r.type === "COOKIE") && !r.key) {
    throw octaviaError(400, `Error parsing L7Rule: key must be set for ${r.type} rules`);
  }
  r.invert = optBool(b, "invert", r.invert);
}

export function createRule(cloud: CloudContext, policy: L7PolicyRecord, b: Body): L7RuleRecord {
  checkQuota(cloud, "l7rule");
  const r: L7RuleRecord = { ...baseFields(cloud, b, uuid(), policy.loadbalancer_id), l7policy_id: policy.id, type: "", compare_type: "", key: null, value: "", invert: false };
  ruleFields(r, b);
  assertChildMutable(cloud, policy.loadbalancer_id);
  return created(cloud, "l7rule", r);
}

export function updateRule(cloud: CloudContext, r: L7RuleRecord, b: Body): void {
  updating(cloud, r, b, []);
  ruleFields(r, b);
  beginChange(cloud, r.loadbalancer_id, "l7rule", r, "PENDING_UPDATE");
}
