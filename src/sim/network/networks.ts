/**
 * Neutron networks and subnets: create, update, delete and their views.
 *
 * API: /v2.0/networks[/{id}], /v2.0/subnets[/{id}] (list/show via common.ts).
 *
 * Quirks (Zed, non-admin view): no `provider:*` attributes; `is_default` only
 * on external networks; tenant networks get MTU 1450 (VXLAN); a subnet CIDR
 * with host bits is normalised; an overlapping CIDR on the same network is a
 * 400 InvalidInput; deleting a network with ports is a 409 NetworkInUse and
 * takes its subnets with it; `shared` and `router:external` are admin-only.
 */
import type { CloudContext } from "../cloud-context.js";
import { neutronError } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { cidrOverlaps, formatCidr, normalizeIp, parseCidr, parseIp, cidrContains } from "../core/ip.js";
import { isoSeconds } from "../core/time.js";
import type { NetworkRecord, SubnetRecord } from "../store/records.js";
import { adminOnly, bool, checkQuota, rejectUnknown, str, touch, type NeutronKind } from "./common.js";
import { defaultGateway, defaultPools, validatePools } from "./ipam.js";

const own = (cloud: CloudContext, projectId: string) => projectId === cloud.store.identity.projectId;

/** The networks collection. */
export const NETWORK: NeutronKind<NetworkRecord> = {
  singular: "network",
  collection: "networks",
  urlName: "networks",
  errType: "Network",
  errName: "Network",
  table: (c) => c.store.networks,
  visible: (n, c) => own(c, n.project_id) || n.shared || n.external,
  extraFilters: ["is_default", "router:external", "shared", "status", "mtu"],
  view: (n) => {
    const v: Record<string, unknown> = {
      id: n.id, name: n.name, tenant_id: n.project_id, admin_state_up: n.admin_state_up, mtu: n.mtu, status: n.status,
      subnets: [...n.subnets], shared: n.shared, availability_zone_hints: n.availability_zone_hints, availability_zones: [],
      ipv4_address_scope: null, ipv6_address_scope: null, "router:external": n.external, description: n.description,
      port_security_enabled: n.port_security_enabled,
    };
    // Real Neutron shows is_default on every network (false for ordinary ones).
    v["is_default"] = n.external ? n.is_default : false;
    Object.assign(v, { tags: [...n.tags], created_at: isoSeconds(n.created_at), updated_at: isoSeconds(n.updated_at), revision_number: n.revision_number, project_id: n.project_id });
    return v;
  },
};

/** The subnets collection. */
export const SUBNET: NeutronKind<SubnetRecord> = {
  singular: "subnet",
  collection: "subnets",
  urlName: "subnets",
  errType: "Subnet",
  errName: "Subnet",
  table: (c) => c.store.subnets,
  visible: (s, c) => own(c, s.project_id) || !!c.store.networks.get(s.network_id)?.shared,
  view: (s) => ({
    id: s.id, name: s.name, tenant_id: s.project_id, network_id: s.network_id, ip_version: s.ip_version,
    subnetpool_id: s.subnetpool_id, enable_dhcp: s.enable_dhcp, ipv6_ra_mode: s.ipv6_ra_mode, ipv6_address_mode: s.ipv6_address_mode,
    gateway_ip: s.gateway_ip, cidr: s.cidr, allocation_pools: s.allocation_pools.map((p) => ({ ...p })),
    host_routes: s.host_routes.map((h) => ({ ...h })), dns_nameservers: [...s.dns_nameservers], description: s.description,
    service_types: [...s.service_types], tags: [...s.tags], created_at: isoSeconds(s.created_at), updated_at: isoSeconds(s.updated_at),
    revision_number: s.revision_number, project_id: s.project_id,
  }),
};

const NET_ATTRS = ["name", "admin_state_up", "description", "mtu", "port_security_enabled", "shared", "router:external", "is_default",
  "availability_zone_hints", "tenant_id", "project_id", "dns_domain", "qos_policy_id", "provider:network_type",
  "provider:physical_network", "provider:segmentation_id"];

function checkProject(cloud: CloudContext, body: Record<string, unknown>): void {
  for (const k of ["tenant_id", "project_id"]) {
    if (body[k] !== undefined && body[k] !== cloud.store.identity.projectId) {
      throw neutronError(403, "PolicyNotAuthorized", `(rule:create_network and rule:create_network:${k}) is disallowed by policy`);
    }
  }
}

/** Creates a network owned by the project. */
export function createNetwork(cloud: CloudContext, body: Record<string, unknown>): NetworkRecord {
  rejectUnknown(body, NET_ATTRS);
  adminOnly(body, ["shared", "router:external", "is_default", "provider:network_type", "provider:physical_network", "provider:segmentation_id"], "create_network");
  checkProject(cloud, body);
  const store = cloud.store;
  const pid = store.identity.projectId;
  let used = 0;
  for (const n of store.networks.values()) if (n.project_id === pid) used++;
  checkQuota(cloud, "network", used);
  const now = Date.now();
  const mtu = body["mtu"] === undefined ? 1450 : Number(body["mtu"]);
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 1450) {
    throw neutronError(400, "InvalidInput", `Invalid input for operation: Requested MTU is too big, maximum is 1450.`);
  }
  const n: NetworkRecord = {
    id: uuid(), name: str(body, "name", ""), project_id: pid, admin_state_up: bool(body, "admin_state_up", true), mtu,
    status: "ACTIVE", shared: false, external: false, is_default: false, port_security_enabled: bool(body, "port_security_enabled", true),
    description: str(body, "description", ""), availability_zone_hints: Array.isArray(body["availability_zone_hints"]) ? (body["availability_zone_hints"] as string[]) : [],
    subnets: [], tags: [], created_at: now, updated_at: now, revision_number: 1, provider_network_type: "vxlan",
  };
  store.networks.set(n.id, n);
  return n;
}

/** Updates a network's mutable attributes. */
export function updateNetwork(cloud: CloudContext, n: NetworkRecord, body: Record<string, unknown>): void {
  rejectUnknown(body, NET_ATTRS, "PUT");
  adminOnly(body, ["shared", "router:external", "is_default"], "update_network");
  if (!own(cloud, n.project_id)) throw neutronError(404, "NetworkNotFound", `Network ${n.id} could not be found.`);
  if (body["name"] !== undefined) n.name = str(body, "name", n.name);
  if (body["description"] !== undefined) n.description = str(body, "description", n.description);
  if (body["admin_state_up"] !== undefined) n.admin_state_up = bool(body, "admin_state_up", n.admin_state_up);
  if (body["port_security_enabled"] !== undefined) n.port_security_enabled = bool(body, "port_security_enabled", n.port_security_enabled);
  if (body["mtu"] !== undefined) n.mtu = Number(body["mtu"]);
  touch(n);
}

/** Deletes a network and its subnets; 409 while ports other than DHCP use it. */
export function deleteNetwork(cloud: CloudContext, n: NetworkRecord): void {
  const store = cloud.store;
  if (!own(cloud, n.project_id)) throw neutronError(404, "NetworkNotFound", `Network ${n.id} could not be found.`);
  for (const p of store.ports.values()) {
    if (p.network_id === n.id && p.device_owner !== "network:dhcp") {
      throw neutronError(409, "NetworkInUse", `Unable to complete operation on network ${n.id}. There are one or more ports still in use on the network.`);
    }
  }
  for (const sid of n.subnets) store.subnets.delete(sid);
  store.networks.delete(n.id);
}

const SUBNET_ATTRS = ["name", "network_id", "ip_version", "cidr", "gateway_ip", "allocation_pools", "host_routes", "dns_nameservers",
  "enable_dhcp", "ipv6_ra_mode", "ipv6_address_mode", "description", "tenant_id", "project_id", "subnetpool_id", "service_types",
  "prefixlen", "use_default_subnetpool", "segment_id"];

function parseRoutes(v: unknown, c: { version: 4 | 6 }): Array<{ destination: string; nexthop: string }> {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw neutronError(400, "HTTPBadRequest", "Invalid input for host_routes. Reason: Invalid data format for hostroute.");
  return v.map((h) => {
    const o = h as Record<string, unknown>;
    const d = typeof o?.["destination"] === "string" ? parseCidr(o["destination"]) : undefined;
    const nh = typeof o?.["nexthop"] === "string" ? parseIp(o["nexthop"]) : undefined;
    if (!d || !nh || d.version !== c.version || nh.version !== c.version) {
      throw neutronError(400, "HTTPBadRequest", `Invalid input for host_routes. Reason: Invalid data format for hostroute: '${JSON.stringify(h)}'.`);
    }
    return { destination: formatCidr(d), nexthop: normalizeIp(o["nexthop"] as string) };
  });
}

/** Creates a subnet on a visible network the project owns. */
export function createSubnet(cloud: CloudContext, body: Record<string, unknown>, network: NetworkRecord | undefined): SubnetRecord {
  rejectUnknown(body, SUBNET_ATTRS);
  const store = cloud.store;
  if (typeof body["network_id"] !== "string") throw neutronError(400, "HTTPBadRequest", "Failed to parse request. Required attribute 'network_id' not specified");
  if (!network || !own(cloud, network.project_id)) throw neutronError(404, "NetworkNotFound", `Network ${body["network_id"]} could not be found.`);
  const ipVersion = body["ip_version"] === undefined ? 4 : Number(body["ip_version"]);
  if (ipVersion !== 4 && ipVersion !== 6) throw neutronError(400, "HTTPBadRequest", `Invalid input for ip_version. Reason: ${String(body["ip_version"])} is not in [4, 6].`);
  if (typeof body["cidr"] !== "string") {
    throw neutronError(400, "BadRequest", "Bad subnets request: a subnetpool must be specified in the absence of a cidr.");
  }
  const c = parseCidr(body["cidr"]);
  if (!c || !body["cidr"].includes("/")) throw neutronError(400, "InvalidInput", `Invalid input for operation: ${body["cidr"]} is not in a CIDR format.`);
  if (c.version !== ipVersion) throw neutronError(400, "InvalidInput", "Invalid input for operation: Cidr and ip_version mismatch.");
  const cidr = formatCidr(c);
  for (const sid of network.subnets) {
    const other = store.subnets.get(sid);
    const oc = other && parseCidr(other.cidr);
    if (oc && cidrOverlaps(oc, c)) {
      throw neutronError(400, "InvalidInput", `Invalid input for operation: Requested subnet with cidr: ${cidr} for network: ${network.id} overlaps with another subnet.`);
    }
  }
  let used = 0;
  for (const s of store.subnets.values()) if (s.project_id === store.identity.projectId) used++;
  checkQuota(cloud, "subnet", used);
  let gateway: string | null;
  if (body["gateway_ip"] === null) gateway = null;
  else if (typeof body["gateway_ip"] === "string") {
    const g = parseIp(body["gateway_ip"]);
    if (!g || !cidrContains(c, g)) throw neutronError(400, "InvalidInput", `Invalid input for operation: Gateway IP outside of the subnet CIDR ${cidr}.`);
    gateway = normalizeIp(body["gateway_ip"]);
  } else gateway = defaultGateway(c);
  const pools = body["allocation_pools"] === undefined ? defaultPools(c, gateway) : validatePools(c, body["allocation_pools"], gateway);
  const now = Date.now();
  const dns = body["dns_nameservers"];
  const s: SubnetRecord = {
    id: uuid(), name: str(body, "name", ""), project_id: store.identity.projectId, network_id: network.id, ip_version: ipVersion,
    cidr, gateway_ip: gateway, allocation_pools: pools, host_routes: parseRoutes(body["host_routes"], c),
    dns_nameservers: Array.isArray(dns) ? dns.map((d) => normalizeIp(String(d))) : [], enable_dhcp: bool(body, "enable_dhcp", true),
    ipv6_ra_mode: (body["ipv6_ra_mode"] as string | undefined) ?? null, ipv6_address_mode: (body["ipv6_address_mode"] as string | undefined) ?? null,
    subnetpool_id: null, service_types: Array.isArray(body["service_types"]) ? (body["service_types"] as string[]) : [],
    description: str(body, "description", ""), tags: [], created_at: now, updated_at: now, revision_number: 0,
    allocated: new Map(), cursor: 0n,
  };
  store.subnets.set(s.id, s);
  network.subnets.push(s.id);
  touch(network);
  return s;
}

/** Updates a subnet's mutable attributes. */
export function updateSubnet(s: SubnetRecord, body: Record<string, unknown>): void {
  rejectUnknown(body, SUBNET_ATTRS, "PUT");
  for (const k of ["cidr", "network_id", "ip_version"]) {
    if (body[k] !== undefined) throw neutronError(400, "HTTPBadRequest", `Cannot update read-only attribute ${k}`);
  }
  const c = parseCidr(s.cidr)!;
  if (body["name"] !== undefined) s.name = str(body, "name", s.name);
  if (body["description"] !== undefined) s.description = str(body, "description", s.description);
  if (body["enable_dhcp"] !== undefined) s.enable_dhcp = bool(body, "enable_dhcp", s.enable_dhcp);
  if (body["dns_nameservers"] !== undefined) s.dns_nameservers = (body["dns_nameservers"] as string[]).map(normalizeIp);
  if (body["host_routes"] !== undefined) s.host_routes = parseRoutes(body["host_routes"], c);
  if (body["gateway_ip"] !== undefined) s.gateway_ip = body["gateway_ip"] === null ? null : normalizeIp(String(body["gateway_ip"]));
  if (body["allocation_pools"] !== undefined) s.allocation_pools = validatePools(c, body["allocation_pools"], s.gateway_ip);
  touch(s);
}

/** Deletes a subnet; 409 while a port holds one of its addresses. */
export function deleteSubnet(cloud: CloudContext, s: SubnetRecord): void {
  const store = cloud.store;
  if (!own(cloud, s.project_id)) throw neutronError(404, "SubnetNotFound", `Subnet ${s.id} could not be found.`);
  for (const portId of s.allocated.values()) {
    const p = store.ports.get(portId);
    if (p && p.device_owner !== "network:dhcp") {
      throw neutronError(409, "SubnetInUse", `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`);
    }
  }
  store.subnets.delete(s.id);
  const n = store.networks.get(s.network_id);
  if (n) {
    n.subnets = n.subnets.filter((x) => x !== s.id);
    touch(n);
  }
}
