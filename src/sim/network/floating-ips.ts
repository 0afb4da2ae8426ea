/**
 * Neutron floating IPs: allocation from the external network's subnet,
 * association with a port (and a fixed IP), disassociation, release.
 *
 * API: /v2.0/floatingips[/{id}].
 *
 * Quirks (Zed): the address sits on a hidden port owned by no project; a
 * floating IP can only be associated with a port whose subnet a router
 * connects to the floating network (404 ExternalGatewayForFloatingIPNotFound);
 * a fixed IP can carry one floating IP per external network (409
 * FloatingIPPortAlreadyAssociated); `port_details` mirrors the port.
 * Associated floating IPs report ACTIVE (a lab without L3 agents shows DOWN).
 */
import type { CloudContext } from "../cloud-context.js";
import { neutronError } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { isoSeconds } from "../core/time.js";
import type { FloatingIpRecord, PortRecord, RouterRecord } from "../store/records.js";
import { checkQuota, rejectUnknown, str, touch, type NeutronKind } from "./common.js";
import { createPort, removePort } from "./ports.js";
import { externalNetwork, interfacePorts } from "./routers.js";

/** The floating IPs collection. */
export const FLOATING_IP: NeutronKind<FloatingIpRecord> = {
  singular: "floatingip",
  collection: "floatingips",
  urlName: "floatingips",
  errType: "FloatingIP",
  errName: "Floating IP",
  notFound: (id) => `Floating IP ${id} could not be found`,
  table: (c) => c.store.floatingIps,
  visible: (f, c) => f.project_id === c.store.identity.projectId,
  view: (f, c) => {
    const p = f.port_id ? c.store.ports.get(f.port_id) : undefined;
    return {
      id: f.id, tenant_id: f.project_id, floating_ip_address: f.floating_ip_address, floating_network_id: f.floating_network_id,
      router_id: f.router_id, port_id: f.port_id, fixed_ip_address: f.fixed_ip_address, status: f.status, description: f.description,
      port_details: p
        ? { name: p.name, network_id: p.network_id, mac_address: p.mac_address, admin_state_up: p.admin_state_up, status: p.status, device_id: p.device_id, device_owner: p.device_owner }
        : null,
      tags: [...f.tags], created_at: isoSeconds(f.created_at), updated_at: isoSeconds(f.updated_at), revision_number: f.revision_number,
      project_id: f.project_id,
    };
  },
};

function routerFor(cloud: CloudContext, port: PortRecord, extNetId: string): RouterRecord | undefined {
  const subnets = new Set(port.fixed_ips.map((f) => f.subnet_id));
  for (const r of cloud.store.routers.values()) {
    if (r.external_gateway_info?.network_id !== extNetId) continue;
    if (interfacePorts(cloud, r).some((p) => p.fixed_ips.some((f) => subnets.has(f.subnet_id)))) return r;
  }
  return undefined;
}

function associate(cloud: CloudContext, f: FloatingIpRecord, portId: unknown, fixedIp: unknown): void {
  if (portId === null || portId === undefined) {
    f.port_id = null;
    f.fixed_ip_address = null;
    f.router_id = null;
    f.status = "DOWN";
    return;
  }
  const store = cloud.store;
  const p = store.ports.get(String(portId));
  if (!p || p.project_id !== store.identity.projectId) throw neutronError(404, "PortNotFound", `Port ${String(portId)} could not be found.`);
  const fixed = typeof fixedIp === "string" ? p.fixed_ips.find((x) => x.ip_address === fixedIp) : p.fixed_ips.find((x) => !x.ip_address.includes(":"));
  if (!fixed) {
    throw neutronError(400, "BadRequest", `Bad floatingip request: Port ${p.id} does not have fixed ip ${String(fixedIp ?? "")}.`);
  }
  for (const other of store.floatingIps.values()) {
    if (other !== f && other.port_id === p.id && other.fixed_ip_address === fixed.ip_address) {
      throw neutronError(409, "FloatingIPPortAlreadyAssociated", `Cannot associate floating IP ${f.floating_ip_address} (${f.id}) with port ${p.id} using fixed IP ${fixed.ip_address}, as that fixed IP already has a floating IP on external network ${f.floating_network_id}.`);
    }
  }
  const router = routerFor(cloud, p, f.floating_network_id);
  if (!router) {
    throw neutronError(404, "ExternalGatewayForFloatingIPNotFound", `External network ${f.floating_network_id} is not reachable from subnet ${fixed.subnet_id}.  Therefore, cannot associate Port ${p.id} with a Floating IP.`);
  }
  f.port_id = p.id;
  f.fixed_ip_address = fixed.ip_address;
  f.router_id = router.id;
  f.status = "ACTIVE";
}

/** POST /floatingips. */
export function createFloatingIp(cloud: CloudContext, body: Record<string, unknown>): FloatingIpRecord {
  rejectUnknown(body, ["floating_network_id", "floating_ip_address", "subnet_id", "port_id", "fixed_ip_address", "description", "tenant_id", "project_id", "dns_name", "dns_domain", "qos_policy_id"]);
  const net = externalNetwork(cloud, body["floating_network_id"]);
  if (!net.external) throw neutronError(400, "BadRequest", `Bad floatingip request: Network ${net.id} is not a valid external network.`);
  const pid = cloud.store.identity.projectId;
  let used = 0;
  for (const x of cloud.store.floatingIps.values()) if (x.project_id === pid) used++;
  checkQuota(cloud, "floatingip", used);
  const fixedReq = typeof body["floating_ip_address"] === "string" ? [{ ip_address: body["floating_ip_address"], ...(typeof body["subnet_id"] === "string" ? { subnet_id: body["subnet_id"] } : {}) }]
    : typeof body["subnet_id"] === "string" ? [{ subnet_id: body["subnet_id"] }] : undefined;
  const id = uuid();
  const port = createPort(
    cloud,
    { network_id: net.id, device_id: id, device_owner: "network:floatingip", ...(fixedReq ? { fixed_ips: fixedReq } : {}) },
    { projectId: "", skipQuota: true, skipSecurityGroups: true },
  );
  const ip = port.fixed_ips[0];
  if (!ip) {
    removePort(cloud, port);
    throw neutronError(409, "IpAddressGenerationFailure", `No more IP addresses available on network ${net.id}.`);
  }
  const now = Date.now();
  const f: FloatingIpRecord = {
    id, project_id: pid, floating_ip_address: ip.ip_address, floating_network_id: net.id, subnet_id: ip.subnet_id, router_id: null,
    port_id: null, fixed_ip_address: null, status: "DOWN", description: str(body, "description", ""), tags: [], created_at: now,
    updated_at: now, revision_number: 0,
  };
  try {
    if (body["port_id"] !== undefined) associate(cloud, f, body["port_id"], body["fixed_ip_address"]);
  } catch (e) {
    removePort(cloud, port);
    throw e;
  }
  cloud.store.floatingIps.set(f.id, f);
  return f;
}

/** PUT /floatingips/{id} (associate / disassociate / description). */
export function updateFloatingIp(cloud: CloudContext, f: FloatingIpRecord, body: Record<string, unknown>): void {
  rejectUnknown(body, ["port_id", "fixed_ip_address", "description"], "PUT");
  if (body["description"] !== undefined) f.description = str(body, "description", f.description);
  if ("port_id" in body) associate(cloud, f, body["port_id"], body["fixed_ip_address"]);
  touch(f);
}

/** DELETE /floatingips/{id}. */
export function deleteFloatingIp(cloud: CloudContext, f: FloatingIpRecord): void {
  for (const p of cloud.store.ports.values()) {
    if (p.device_owner === "network:floatingip" && p.device_id === f.id) {
      removePort(cloud, p);
      break;
    }
  }
  cloud.store.floatingIps.delete(f.id);
}
