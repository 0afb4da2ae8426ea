/**
 * Neutron ports: create (fixed IPs from the pools or as requested, MAC,
 * default security group), update, delete, and the binding Nova performs when
 * a server uses a port.
 *
 * API: /v2.0/ports[/{id}] (list/show via common.ts).
 *
 * Quirks (Zed, member view): only `binding:vnic_type` of the binding
 * attributes is shown; an unbound port is DOWN, a port bound to a server
 * ACTIVE; a requested address already in use is a 409
 * IpAddressAlreadyAllocated naming the subnet; ports of routers and floating
 * IPs cannot be deleted through the port API; the gateway and floating-IP
 * ports are owned by no project and so are invisible to the tenant.
 */
import type { CloudContext } from "../cloud-context.js";
import { neutronError } from "../core/errors.js";
import { macAddress, uuid } from "../core/ids.js";
import { parseIp } from "../core/ip.js";
import { isoSeconds } from "../core/time.js";
import type { NetworkRecord, PortRecord } from "../store/records.js";
import { bool, checkQuota, rejectUnknown, str, touch, type NeutronKind } from "./common.js";
import { allocate, inSubnet, release } from "./ipam.js";

/** The ports collection. */
export const PORT: NeutronKind<PortRecord> = {
  singular: "port",
  collection: "ports",
  urlName: "ports",
  errType: "Port",
  errName: "Port",
  table: (c) => c.store.ports,
  visible: (p, c) => p.project_id === c.store.identity.projectId,
  extraFilters: ["binding:host_id", "ip_allocation"],
  customFilters: {
    fixed_ips: (p, values) =>
      values.every((v) => {
        const [k, val = ""] = v.split("=", 2);
        if (k === "ip_address") return p.fixed_ips.some((f) => f.ip_address === val);
        if (k === "subnet_id") return p.fixed_ips.some((f) => f.subnet_id === val);
        if (k === "ip_address_substr") return p.fixed_ips.some((f) => f.ip_address.includes(val));
        return false;
      }),
    security_groups: (p, values) => values.every((v) => p.security_groups.includes(v)),
  },
  view: (p, c) => {
    const v: Record<string, unknown> = {
      id: p.id, name: p.name, network_id: p.network_id, tenant_id: p.project_id, mac_address: p.mac_address,
      admin_state_up: p.admin_state_up, status: p.status, device_id: p.device_id, device_owner: p.device_owner,
      fixed_ips: p.fixed_ips.map((f) => ({ ...f })), allowed_address_pairs: p.allowed_address_pairs.map((a) => ({ ...a })),
      extra_dhcp_opts: [...p.extra_dhcp_opts], security_groups: [...p.security_groups], description: p.description,
      "binding:vnic_type": p.binding_vnic_type, port_security_enabled: p.port_security_enabled,
    };
    if (c.store.networkExtensions.has("qos")) Object.assign(v, { qos_policy_id: null, qos_network_policy_id: null });
    Object.assign(v, { tags: [...p.tags], created_at: isoSeconds(p.created_at), updated_at: isoSeconds(p.updated_at), revision_number: p.revision_number, project_id: p.project_id });
    return v;
  },
};

const PORT_ATTRS = ["name", "network_id", "admin_state_up", "mac_address", "fixed_ips", "device_id", "device_owner", "security_groups",
  "port_security_enabled", "allowed_address_pairs", "description", "binding:vnic_type", "extra_dhcp_opts", "tenant_id", "project_id",
  "qos_policy_id", "dns_name", "propagate_uplink_status", "numa_affinity_policy"];

type FixedIpReq = { subnet_id?: string; ip_address?: string };

/** Options for ports created by the simulator itself (router and floating-IP ports). */
export interface PortInternals {
  /** Owner project; "" for provider-owned hidden ports. */
  projectId?: string;
  skipQuota?: boolean;
  skipSecurityGroups?: boolean;
}

function assignIps(cloud: CloudContext, net: NetworkRecord, portId: string, req: FixedIpReq[] | undefined): PortRecord["fixed_ips"] {
  const store = cloud.store;
  const out: PortRecord["fixed_ips"] = [];
  try {
    if (req === undefined) {
      // Why: Neutron gives one address per IP version when nothing is requested.
      for (const version of [4, 6] as const) {
        const candidates = net.subnets.map((id) => store.subnets.get(id)!).filter((s) => s && s.ip_version === version);
        let lastErr: unknown;
        for (const s of candidates) {
          try {
            out.push({ subnet_id: s.id, ip_address: allocate(s, portId) });
            lastErr = undefined;
            break;
          } catch (e) {
            lastErr = e;
          }
        }
        if (lastErr) throw lastErr;
      }
      return out;
    }
    for (const r of req) {
      let subnet = r.subnet_id ? store.subnets.get(r.subnet_id) : undefined;
      if (r.subnet_id && (!subnet || subnet.network_id !== net.id)) {
        throw neutronError(400, "InvalidInput", `Invalid input for operation: Failed to create port on network ${net.id}, because fixed_ips included invalid subnet ${r.subnet_id}.`);
      }
      if (!subnet && r.ip_address !== undefined) {
        if (!parseIp(r.ip_address)) throw neutronError(400, "HTTPBadRequest", `Invalid input for fixed_ips. Reason: '${r.ip_address}' is not a valid IP address.`);
        subnet = net.subnets.map((id) => store.subnets.get(id)!).find((s) => s && inSubnet(s, r.ip_address!));
        if (!subnet) {
          throw neutronError(400, "InvalidIpForNetwork", `IP address ${r.ip_address} is not a valid IP for any of the subnets on the specified network.`);
        }
      }
      if (!subnet) throw neutronError(400, "HTTPBadRequest", "Invalid input for fixed_ips. Reason: Exactly one of 'subnet_id' or 'ip_address' must be given.");
      out.push({ subnet_id: subnet.id, ip_address: allocate(subnet, portId, r.ip_address) });
    }
    return out;
  } catch (e) {
    for (const f of out) release(store.subnets.get(f.subnet_id), f.ip_address);
    throw e;
  }
}

function parseFixedIps(v: unknown): FixedIpReq[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw neutronError(400, "HTTPBadRequest", "Invalid input for fixed_ips. Reason: Invalid data format for fixed IP.");
  return v.map((x) => {
    const o = (x ?? {}) as Record<string, unknown>;
    return {
      ...(typeof o["subnet_id"] === "string" ? { subnet_id: o["subnet_id"] } : {}),
      ...(typeof o["ip_address"] === "string" ? { ip_address: o["ip_address"] } : {}),
    };
  });
}

function resolveGroups(cloud: CloudContext, v: unknown): string[] {
  if (!Array.isArray(v)) throw neutronError(400, "HTTPBadRequest", "Invalid input for security_groups. Reason: Invalid data format.");
  return v.map((id) => {
    const sg = cloud.store.securityGroups.get(String(id));
    if (!sg || sg.project_id !== cloud.store.identity.projectId) {
      throw neutronError(404, "SecurityGroupNotFound", `Security group ${String(id)} does not exist`);
    }
    return sg.id;
  });
}

/** Creates a port from an API body (also used by Nova and the L3 code). */
export function createPort(cloud: CloudContext, body: Record<string, unknown>, internals: PortInternals = {}): PortRecord {
  rejectUnknown(body, PORT_ATTRS);
  const store = cloud.store;
  const pid = internals.projectId ?? store.identity.projectId;
  if (typeof body["network_id"] !== "string") throw neutronError(400, "HTTPBadRequest", "Failed to parse request. Required attribute 'network_id' not specified");
  const net = store.networks.get(body["network_id"]);
  if (!net || (internals.projectId === undefined && !(net.project_id === pid || net.shared))) {
    throw neutronError(404, "NetworkNotFound", `Network ${body["network_id"]} could not be found.`);
  }
  if (!internals.skipQuota) {
    let used = 0;
    for (const p of store.ports.values()) if (p.project_id === pid) used++;
    checkQuota(cloud, "port", used);
  }
  const portSecurity = bool(body, "port_security_enabled", net.port_security_enabled);
  let groups: string[] = [];
  if (!internals.skipSecurityGroups) {
    if (body["security_groups"] !== undefined) groups = resolveGroups(cloud, body["security_groups"]);
    else if (portSecurity) {
      const d = store.defaultSecurityGroup();
      groups = d ? [d.id] : [];
    }
    if (!portSecurity && groups.length > 0) {
      throw neutronError(400, "PortSecurityAndIPRequiredForSecurityGroups", "Port security must be enabled and port must have an IP address in order to use security groups.");
    }
  }
  let mac = typeof body["mac_address"] === "string" ? body["mac_address"].toLowerCase() : undefined;
  if (mac) {
    for (const p of store.ports.values()) {
      if (p.network_id === net.id && p.mac_address === mac) {
        throw neutronError(409, "MacAddressInUse", `Unable to complete operation for network ${net.id}. The mac address ${mac} is in use.`);
      }
    }
  } else mac = macAddress();
  const id = uuid();
  const fixed = assignIps(cloud, net, id, parseFixedIps(body["fixed_ips"]));
  const now = Date.now();
  const p: PortRecord = {
    id, name: str(body, "name", ""), network_id: net.id, project_id: pid, mac_address: mac,
    admin_state_up: bool(body, "admin_state_up", true), status: "DOWN", device_id: str(body, "device_id", ""),
    device_owner: str(body, "device_owner", ""), fixed_ips: fixed, security_groups: groups, port_security_enabled: portSecurity,
    allowed_address_pairs: Array.isArray(body["allowed_address_pairs"])
      ? (body["allowed_address_pairs"] as Array<Record<string, string>>).map((a) => ({ ip_address: a["ip_address"] ?? "", mac_address: a["mac_address"] ?? mac! }))
      : [],
    extra_dhcp_opts: Array.isArray(body["extra_dhcp_opts"]) ? (body["extra_dhcp_opts"] as unknown[]) : [],
    binding_vnic_type: str(body, "binding:vnic_type", "normal"), description: str(body, "description", ""), tags: [],
    created_at: now, updated_at: now, revision_number: 1,
  };
  store.ports.set(p.id, p);
  return p;
}

/** Updates a port from an API body. */
export function updatePort(cloud: CloudContext, p: PortRecord, body: Record<string, unknown>): void {
  rejectUnknown(body, PORT_ATTRS, "PUT");
  if (body["network_id"] !== undefined) throw neutronError(400, "HTTPBadRequest", "Cannot update read-only attribute network_id");
  const store = cloud.store;
  if (body["name"] !== undefined) p.name = str(body, "name", p.name);
  if (body["description"] !== undefined) p.description = str(body, "description", p.description);
  if (body["admin_state_up"] !== undefined) p.admin_state_up = bool(body, "admin_state_up", p.admin_state_up);
  if (body["device_id"] !== undefined) p.device_id = str(body, "device_id", p.device_id);
  if (body["device_owner"] !== undefined) p.device_owner = str(body, "device_owner", p.device_owner);
  if (body["port_security_enabled"] !== undefined) p.port_security_enabled = bool(body, "port_security_enabled", p.port_security_enabled);
  if (body["security_groups"] !== undefined) p.security_groups = body["security_groups"] === null ? [] : resolveGroups(cloud, body["security_groups"]);
  if (!p.port_security_enabled && p.security_groups.length > 0) {
    throw neutronError(409, "PortSecurityPortHasSecurityGroup", "Port has security group associated. Cannot disable port security or ip address until security group is removed");
  }
  if (body["allowed_address_pairs"] !== undefined) {
    p.allowed_address_pairs = ((body["allowed_address_pairs"] ?? []) as Array<Record<string, string>>).map((a) => ({ ip_address: a["ip_address"] ?? "", mac_address: a["mac_address"] ?? p.mac_address }));
  }
  if (body["fixed_ips"] !== undefined) {
    const net = store.networks.get(p.network_id)!;
    const wanted = parseFixedIps(body["fixed_ips"]) ?? [];
    const keep = p.fixed_ips.filter((f) => wanted.some((w) => w.ip_address === f.ip_address && (!w.subnet_id || w.subnet_id === f.subnet_id)));
    const add = wanted.filter((w) => !keep.some((k) => k.ip_address === w.ip_address));
    const added = assignIps(cloud, net, p.id, add);
    for (const f of p.fixed_ips) if (!keep.includes(f)) release(store.subnets.get(f.subnet_id), f.ip_address);
    p.fixed_ips = [...keep, ...added];
  }
  touch(p);
}

/** Frees a port's addresses, floating IPs and server link, and removes it. */
export function removePort(cloud: CloudContext, p: PortRecord): void {
  const store = cloud.store;
  for (const f of p.fixed_ips) release(store.subnets.get(f.subnet_id), f.ip_address);
  for (const fip of store.floatingIps.values()) {
    if (fip.port_id === p.id) {
      fip.port_id = null;
      fip.fixed_ip_address = null;
      fip.router_id = null;
      fip.status = "DOWN";
      touch(fip);
    }
  }
  const server = p.device_id ? store.servers.get(p.device_id) : undefined;
  if (server) server.ports = server.ports.filter((x) => x !== p.id);
  store.ports.delete(p.id);
}

/** DELETE /ports/{id}: refuses router and floating-IP owned ports. */
export function deletePort(cloud: CloudContext, p: PortRecord): void {
  if (p.device_owner.startsWith("network:router_") || p.device_owner === "network:floatingip") {
    throw neutronError(409, "L3PortInUse", `Port ${p.id} cannot be deleted directly via the port API: has device owner ${p.device_owner}.`);
  }
  removePort(cloud, p);
}

/** Binds a port to a server (what Nova does during build). */
export function bindPort(p: PortRecord, serverId: string): void {
  p.device_id = serverId;
  p.device_owner = "compute:nova";
  p.status = "ACTIVE";
  touch(p);
}

/** Unbinds a port from a server that let go of it. */
export function unbindPort(p: PortRecord): void {
  p.device_id = "";
  p.device_owner = "";
  p.status = "DOWN";
  touch(p);
}
