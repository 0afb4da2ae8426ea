/**
 * Octavia's state in the simulator: one table per object type, the provider
 * and flavor settings of the cloud, and a log of every provisioning status
 * change, so tests can check the PENDING_* → ACTIVE sequence without
 * polling for short-lived states.
 *
 * Quirks: every child record carries its load balancer's id (Octavia finds
 * it through joins); `updated_at` is null until the first change, and times
 * are rendered naive (`2017-02-28T00:41:44`), as Octavia does.
 */
import { Table } from "../store/table.js";

/** Fields all Octavia objects share. */
export interface OctaviaBase {
  id: string;
  project_id: string;
  /** The load balancer the object belongs to (its own id for a load balancer). */
  loadbalancer_id: string;
  name: string;
  description: string;
  admin_state_up: boolean;
  provisioning_status: string;
  operating_status: string;
  tags: string[];
  created_at: number;
  updated_at: number | null;
}

export interface LbRecord extends OctaviaBase {
  vip_address: string;
  vip_port_id: string;
  vip_subnet_id: string;
  vip_network_id: string;
  vip_qos_policy_id: string | null;
  provider: string;
  flavor_id: string | null;
  availability_zone: string | null;
}

export interface ListenerRecord extends OctaviaBase {
  protocol: string;
  protocol_port: number;
  connection_limit: number;
  default_pool_id: string | null;
  default_tls_container_ref: string | null;
  sni_container_refs: string[];
  insert_headers: Record<string, string>;
  timeout_client_data: number;
  timeout_member_connect: number;
  timeout_member_data: number;
  timeout_tcp_inspect: number;
  allowed_cidrs: string[] | null;
  client_ca_tls_container_ref: string | null;
  client_authentication: string;
  client_crl_container_ref: string | null;
  tls_ciphers: string | null;
  tls_versions: string[] | null;
  alpn_protocols: string[] | null;
}

export interface PoolRecord extends OctaviaBase {
  protocol: string;
  lb_algorithm: string;
  session_persistence: Record<string, unknown> | null;
  /** The listener that has it as default pool when created with listener_id. */
  listener_id: string | null;
  tls_enabled: boolean;
  tls_container_ref: string | null;
  ca_tls_container_ref: string | null;
  crl_container_ref: string | null;
}

export interface MemberRecord extends OctaviaBase {
  pool_id: string;
  address: string;
  protocol_port: number;
  subnet_id: string | null;
  weight: number;
  backup: boolean;
  monitor_address: string | null;
  monitor_port: number | null;
}

export interface MonitorRecord extends OctaviaBase {
  pool_id: string;
  type: string;
  delay: number;
  timeout: number;
  max_retries: number;
  max_retries_down: number;
  http_method: string | null;
  url_path: string | null;
  expected_codes: string | null;
  http_version: number | null;
  domain_name: string | null;
}

export interface L7PolicyRecord extends OctaviaBase {
  listener_id: string;
  action: string;
  position: number;
  redirect_pool_id: string | null;
  redirect_url: string | null;
  redirect_prefix: string | null;
  redirect_http_code: number | null;
}

export interface L7RuleRecord extends OctaviaBase {
  l7policy_id: string;
  type: string;
  compare_type: string;
  key: string | null;
  value: string;
  invert: boolean;
}

/** One provisioning status change, in order. */
export interface LbEvent {
  at: number;
  kind: OctaviaKind;
  id: string;
  status: string;
}

/** The object types, by the names Octavia's URLs use. */
export type OctaviaKind = "loadbalancer" | "listener" | "pool" | "member" | "healthmonitor" | "l7policy" | "l7rule";

/** An LB flavor as offered. */
export interface LbFlavorRecord {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  flavor_profile_id: string;
}

/** All Octavia state of one cloud. */
export class OctaviaState {
  readonly loadBalancers = new Table<LbRecord>();
  readonly listeners = new Table<ListenerRecord>();
  readonly pools = new Table<PoolRecord>();
  readonly members = new Table<MemberRecord>();
  readonly healthMonitors = new Table<MonitorRecord>();
  readonly l7policies = new Table<L7PolicyRecord>();
  readonly l7rules = new Table<L7RuleRecord>();
  /** Every provisioning status change (bounded: the oldest are dropped past 10,000). */
  readonly events: LbEvent[] = [];
  providers: string[] = ["amphora", "octavia"];
  flavors: LbFlavorRecord[] = [];
  availabilityZones: string[] = [];
  quotas: Record<OctaviaKind, number> = { loadbalancer: -1, listener: -1, pool: -1, member: -1, healthmonitor: -1, l7policy: -1, l7rule: -1 };

  /** The table of a kind. */
  table(kind: OctaviaKind): Table<OctaviaBase> {
    const t = {
      loadbalancer: this.loadBalancers, listener: this.listeners, pool: this.pools, member: this.members,
      healthmonitor: this.healthMonitors, l7policy: this.l7policies, l7rule: this.l7rules,
    }[kind];
    return t as unknown as Table<OctaviaBase>;
  }

  /** Sets a provisioning status and records the change. */
  setStatus(kind: OctaviaKind, rec: OctaviaBase, status: string): void {
    if (rec.provisioning_status === status) return;
    rec.provisioning_status = status;
    this.events.push({ at: Date.now(), kind, id: rec.id, status });
    if (this.events.length > 10_000) this.events.splice(0, this.events.length - 10_000);
  }

  /** The statuses one object went through, in order. */
  history(id: string): string[] {
    return this.events.filter((e) => e.id === id).map((e) => e.status);
  }

  /** Every record that belongs to a load balancer, by kind (children first: rules, policies, members, …). */
  childrenOf(lbId: string): Array<[OctaviaKind, OctaviaBase]> {
    const out: Array<[OctaviaKind, OctaviaBase]> = [];
    for (const kind of ["l7rule", "l7policy", "member", "healthmonitor", "pool", "listener"] as const) {
      for (const r of this.table(kind).values()) if (r.loadbalancer_id === lbId) out.push([kind, r]);
    }
    return out;
  }
}

/** Octavia's timestamp: naive UTC with seconds (`2017-02-28T00:41:44`). */
export function octaviaTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().slice(0, 19);
}

/** Octavia's human name of a kind, as its messages use it (data model class name split into words). */
export const KIND_NAME: Record<OctaviaKind, string> = {
  loadbalancer: "Load Balancer", listener: "Listener", pool: "Pool", member: "Member",
  healthmonitor: "Health Monitor", l7policy: "L7 Policy", l7rule: "L7 Rule",
};
