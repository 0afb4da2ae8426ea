/**
 * Neutron routers: external gateway, interfaces and extra routes.
 *
 * API: /v2.0/routers[/{id}], PUT /v2.0/routers/{id}/add_router_interface and
 * /remove_router_interface.
 *
 * Quirks (Zed): the gateway and floating-IP addresses sit on hidden ports
 * owned by no project; an interface on a subnet takes the subnet's gateway
 * address; a second interface on the same subnet is a 400; an interface still
 * needed by an extra route cannot be removed (409 RouterInterfaceInUseByRoute);
 * a router with interfaces or floating IPs cannot be deleted (409 RouterInUse).
 */
import type { CloudContext } from "../cloud-context.js";
import { neutronError } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { cidrContains, formatCidr, parseCidr, parseIp } from "../core/ip.js";
import { isoSeconds } from "../core/time.js";
import type { PortRecord, RouterRecord } from "../store/records.js";
import { bool, checkQuota, rejectUnknown, str, touch, type NeutronKind } from "./common.js";
import { createPort, removePort } from "./ports.js";

/** The routers collection. */
export const ROUTER: NeutronKind<RouterRecord> = {
  singular: "router",
  collection: "routers",
  urlName: "routers",
  errType: "Router",
  errName: "Router",
  table: (c) => c.store.routers,
  visible: (r, c) => r.project_id === c.store.identity.projectId,
  view: (r) => ({
    id: r.id, name: r.name, tenant_id: r.project_id, admin_state_up: r.admin_state_up, status: r.status,
    external_gateway_info: r.external_gateway_info
      ? { network_id: r.external_gateway_info.network_id, external_fixed_ips: r.external_gateway_info.external_fixed_ips.map((f) => ({ ...f })), enable_snat: r.external_gateway_info.enable_snat }
      : null,
    description: r.description, availability_zones: [], availability_zone_hints: r.availability_zone_hints,
    routes: r.routes.map((x) => ({ ...x })), flavor_id: null, tags: [...r.tags], created_at: isoSeconds(r.created_at),
    updated_at: isoSeconds(r.updated_at), revision_number: r.revision_number, project_id: r.project_id,
  }),
};

/** The network by id, or Neutron's 404. */
export function externalNetwork(cloud: CloudContext, id: unknown) {
  const n = typeof id === "string" ? cloud.store.networks.get(id) : undefined;
  if (!n) throw neutronError(404, "NetworkNotFound", `Network ${String(id)} could not be found.`);
  return n;
}

function setGateway(cloud: CloudContext, r: RouterRecord, info: unknown): void {
  const o = info as Record<string, unknown> | null;
  if (r.gw_port_id) {
    const gw = cloud.store.ports.get(r.gw_port_id);
    if (gw) removePort(cloud, gw);
    r.gw_port_id = null;
    r.external_gateway_info = null;
  }
  if (!o || Object.keys(o).length === 0) return;
  const net = externalNetwork(cloud, o["network_id"]);
  if (!net.external) throw neutronError(400, "BadRequest", `Bad router request: Network ${net.id} is not an external network.`);
  const port = createPort(
    cloud,
    { network_id: net.id, device_id: r.id, device_owner: "network:router_gateway", ...(o["external_fixed_ips"] ? { fixed_ips: o["external_fixed_ips"] } : {}) },
    { projectId: "", skipQuota: true, skipSecurityGroups: true },
  );
  port.status = "ACTIVE";
  r.gw_port_id = port.id;
  r.external_gateway_info = { network_id: net.id, enable_snat: o["enable_snat"] === undefined ? true : o["enable_snat"] === true, external_fixed_ips: port.fixed_ips.map((f) => ({ ...f })) };
}

function checkRoutes(cloud: CloudContext, r: RouterRecord, routes: unknown): Array<{ destination: string; nexthop: string }> {
  if (!Array.isArray(routes)) throw neutronError(400, "HTTPBadRequest", "Invalid input for routes. Reason: Invalid data format for hostroute.");
  const connected = interfacePorts(cloud, r).flatMap((p) => p.fixed_ips.map((f) => parseCidr(cloud.store.subnets.get(f.subnet_id)?.cidr ?? "")!).filter(Boolean));
  return routes.map((x) => {
    const o = x as Record<string, string>;
    const d = parseCidr(o?.["destination"] ?? "");
    const nh = parseIp(o?.["nexthop"] ?? "");
    if (!d || !nh) throw neutronError(400, "HTTPBadRequest", `Invalid input for routes. Reason: Invalid data format for hostroute: '${JSON.stringify(x)}'.`);
    if (!connected.some((c) => cidrContains(c, nh))) {
      throw neutronError(400, "InvalidRoutes", `Invalid format for routes: ${JSON.stringify([x])}, the nexthop is not connected with router`);
    }
    return { destination: formatCidr(d), nexthop: o["nexthop"]! };
  });
}

/** The router's interface ports. */
export function interfacePorts(cloud: CloudContext, r: RouterRecord): PortRecord[] {
  const out: PortRecord[] = [];
  for (const p of cloud.store.ports.values()) if (p.device_id === r.id && p.device_owner === "network:router_interface") out.push(p);
  return out;
}

/** POST /routers. */
export function createRouter(cloud: CloudContext, body: Record<string, unknown>): RouterRecord {
  rejectUnknown(body, ["name", "admin_state_up", "description", "external_gateway_info", "availability_zone_hints", "tenant_id", "project_id", "distributed", "ha", "flavor_id"]);
  const pid = cloud.store.identity.projectId;
  let used = 0;
  for (const x of cloud.store.routers.values()) if (x.project_id === pid) used++;
  checkQuota(cloud, "router", used);
  const now = Date.now();
  const r: RouterRecord = {
    id: uuid(), name: str(body, "name", ""), project_id: pid, admin_state_up: bool(body, "admin_state_up", true), status: "ACTIVE",
    external_gateway_info: null, gw_port_id: null, routes: [], description: str(body, "description", ""),
    availability_zone_hints: Array.isArray(body["availability_zone_hints"]) ? (body["availability_zone_hints"] as string[]) : [],
    tags: [], created_at: now, updated_at: now, revision_number: 0,
  };
  if (body["external_gateway_info"]) setGateway(cloud, r, body["external_gateway_info"]);
  cloud.store.routers.set(r.id, r);
  r.revision_number = r.external_gateway_info ? 3 : 1;
  return r;
}

/** PUT /routers/{id}. */
export function updateRouter(cloud: CloudContext, r: RouterRecord, body: Record<string, unknown>): void {
  rejectUnknown(body, ["name", "admin_state_up", "description", "external_gateway_info", "routes"], "PUT");
  if (body["name"] !== undefined) r.name = str(body, "name", r.name);
  if (body["description"] !== undefined) r.description = str(body, "description", r.description);
  if (body["admin_state_up"] !== undefined) r.admin_state_up = bool(body, "admin_state_up", r.admin_state_up);
  if (body["external_gateway_info"] !== undefined) setGateway(cloud, r, body["external_gateway_info"]);
  if (body["routes"] !== undefined) r.routes = body["routes"] === null ? [] : checkRoutes(cloud, r, body["routes"]);
  touch(r);
}

/** DELETE /routers/{id}. */
export function deleteRouter(cloud: CloudContext, r: RouterRecord): void {
  if (interfacePorts(cloud, r).length > 0) throw neutronError(409, "RouterInUse", `Router ${r.id} still has ports`);
  for (const f of cloud.store.floatingIps.values()) {
    if (f.router_id === r.id) throw neutronError(409, "RouterInUse", `Router ${r.id} still has ports`);
  }
  setGateway(cloud, r, null);
  cloud.store.routers.delete(r.id);
}

function interfaceInfo(r: RouterRecord, p: PortRecord) {
  const subnets = p.fixed_ips.map((f) => f.subnet_id);
  return { id: r.id, tenant_id: r.project_id, port_id: p.id, network_id: p.network_id, subnet_id: subnets[0], subnet_ids: subnets };
}

/** PUT /routers/{id}/add_router_interface with subnet_id or port_id. */
export function addInterface(cloud: CloudContext, r: RouterRecord, body: Record<string, unknown>): Record<string, unknown> {
  const store = cloud.store;
  const existing = interfacePorts(cloud, r);
  if (typeof body["port_id"] === "string") {
    const p = store.ports.get(body["port_id"]);
    if (!p || p.project_id !== store.identity.projectId) throw neutronError(404, "PortNotFound", `Port ${body["port_id"]} could not be found.`);
    if (p.device_id) throw neutronError(409, "PortInUse", `Unable to complete operation on port ${p.id} for network ${p.network_id}. Port already has an attached device ${p.device_id}.`);
    p.device_id = r.id;
    p.device_owner = "network:router_interface";
    p.security_groups = [];
    p.port_security_enabled = false;
    touch(p);
    touch(r);
    return interfaceInfo(r, p);
  }
  const sid = body["subnet_id"];
  if (typeof sid !== "string") throw neutronError(400, "BadRequest", "Bad router request: Either subnet_id or port_id must be specified.");
  const s = store.subnets.get(sid);
  if (!s || s.project_id !== store.identity.projectId) throw neutronError(404, "SubnetNotFound", `Subnet ${sid} could not be found.`);
  if (existing.some((p) => p.fixed_ips.some((f) => f.subnet_id === sid))) {
    throw neutronError(400, "BadRequest", `Bad router request: Router already has a port on subnet ${sid}.`);
  }
  if (!s.gateway_ip) throw neutronError(400, "BadRequest", "Bad router request: Subnet for router interface must have a gateway IP.");
  const p = createPort(
    cloud,
    { network_id: s.network_id, device_id: r.id, device_owner: "network:router_interface", fixed_ips: [{ subnet_id: sid, ip_address: s.gateway_ip }], port_security_enabled: false },
    { skipSecurityGroups: true },
  );
  p.revision_number = 2;
  touch(r);
  return interfaceInfo(r, p);
}

/** PUT /routers/{id}/remove_router_interface with subnet_id or port_id. */
export function removeInterface(cloud: CloudContext, r: RouterRecord, body: Record<string, unknown>): Record<string, unknown> {
  const store = cloud.store;
  const ports = interfacePorts(cloud, r);
  let p: PortRecord | undefined;
  if (typeof body["port_id"] === "string") {
    p = ports.find((x) => x.id === body["port_id"]);
    if (!p) throw neutronError(404, "RouterInterfaceNotFound", `Router ${r.id} does not have an interface with id ${body["port_id"]}`);
  } else if (typeof body["subnet_id"] === "string") {
    p = ports.find((x) => x.fixed_ips.some((f) => f.subnet_id === body["subnet_id"]));
    if (!p) throw neutronError(404, "RouterInterfaceNotFoundForSubnet", `Router ${r.id} has no interface on subnet ${body["subnet_id"]}`);
  } else {
    throw neutronError(400, "BadRequest", "Bad router request: Either subnet_id or port_id must be specified.");
  }
  for (const f of p.fixed_ips) {
    const c = parseCidr(store.subnets.get(f.subnet_id)?.cidr ?? "");
    if (c && r.routes.some((rt) => { const nh = parseIp(rt.nexthop); return !!nh && cidrContains(c, nh); })) {
      throw neutronError(409, "RouterInterfaceInUseByRoute", `Router interface for subnet ${f.subnet_id} on router ${r.id} cannot be deleted, as it is required by one or more routes.`);
    }
  }
  const info = interfaceInfo(r, p);
  removePort(cloud, p);
  touch(r);
  return info;
}

