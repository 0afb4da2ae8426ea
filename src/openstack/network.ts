/**
 * Neutron (network v2.0): networks, subnets, routers, ports, security groups
 * and rules, floating IPs (list/get/create/update/delete for each), router
 * interfaces and gateways, resource tags, quota details, extensions,
 * availability zones, and the optional QoS policies and trunks.
 *
 * API: /v2.0/{networks,subnets,routers,ports,security-groups,security-group-rules,floatingips}[/{id}],
 * /v2.0/routers/{id}/{add,remove}_router_interface, /v2.0/{resource}/{id}/tags,
 * /v2.0/quotas/{project}[/details], /v2.0/extensions, /v2.0/availability_zones,
 * /v2.0/qos/policies, /v2.0/trunks.
 *
 * Quirks (neutron-lib api-ref samples and a live Zed):
 * - The catalog URL has no /v2.0; paths here add it.
 * - `router:external` has a colon; `tenant_id` duplicates `project_id`.
 * - Rules of the auto-created default group have `description: null`; the
 *   `pvlan` attribute is the string "false".
 * - Listing security groups creates the project's `default` group on first
 *   access, so a fresh project lists one group, not zero.
 * - Pagination: `*_links` with rel=next whenever a page is full (the last page
 *   may be empty); `limit` + `marker` also work without links.
 * - Without the qos or trunk extension, /v2.0/qos/policies and /v2.0/trunks
 *   answer 404 (`HTTPNotFound`); those lists are then empty.
 * - Tags are replaced with PUT /{resource}/{id}/tags; tags in a POST body need
 *   the `tag-creation` extension, so they are set after creating.
 * - Quota details name the usage `used`; it is returned here as `in_use`,
 *   as Nova and Cinder name it.
 * Reference: https://docs.openstack.org/api-ref/network/v2/
 */
import { z } from "zod";
import { statusIs } from "../errors.js";
import type { QueryParams } from "./http.js";
import { bool, boolOrNull, id, int, intOrNull, Links, list, str, strList, strOrNull, timestamp } from "./lenient.js";
import { listAll } from "./pagination.js";
import { call } from "./parse.js";
import type { ServiceClient } from "./session.js";

/** A network service client. */
export type NetworkClient = ServiceClient<"network">;

const enc = encodeURIComponent;

/** Fields every Neutron resource with standard attributes has. */
const standard = {
  id: id(),
  name: str(),
  description: str(),
  project_id: strOrNull(),
  tenant_id: strOrNull(),
  tags: strList(),
  created_at: timestamp(),
  updated_at: timestamp(),
  revision_number: intOrNull(),
};

function projectOf(r: { project_id: string | null; tenant_id: string | null }): string | null {
  return r.project_id ?? r.tenant_id;
}

const FixedIp = z.object({ subnet_id: str(), ip_address: str() });
const HostRoute = z.object({ destination: z.string(), nexthop: z.string() });

/** A network. */
export const Network = z
  .object({
    ...standard,
    status: str(),
    admin_state_up: bool(true),
    shared: bool(false),
    "router:external": bool(false),
    is_default: bool(false),
    mtu: intOrNull(),
    port_security_enabled: boolOrNull(),
    availability_zone_hints: strList(),
    availability_zones: strList(),
    subnets: strList(),
    dns_domain: strOrNull(),
    qos_policy_id: strOrNull(),
    "provider:network_type": strOrNull(),
    "provider:physical_network": strOrNull(),
    "provider:segmentation_id": intOrNull(),
  })
  .transform(({ tenant_id: _t, "router:external": external, ...n }) => ({ ...n, project_id: projectOf({ project_id: n.project_id, tenant_id: _t }), external }));
export type Network = z.output<typeof Network>;

/** A subnet. */
export const Subnet = z
  .object({
    ...standard,
    network_id: z.string(),
    ip_version: int(4).refine((v) => v === 4 || v === 6, { error: "ip_version must be 4 or 6" }),
    cidr: z.string(),
    gateway_ip: strOrNull(),
    enable_dhcp: bool(true),
    allocation_pools: list(z.object({ start: z.string(), end: z.string() })),
    dns_nameservers: strList(),
    host_routes: list(HostRoute),
    ipv6_address_mode: strOrNull(),
    ipv6_ra_mode: strOrNull(),
    subnetpool_id: strOrNull(),
    segment_id: strOrNull(),
    service_types: strList(),
    dns_publish_fixed_ip: boolOrNull(),
  })
  .transform(({ tenant_id: _t, ...s }) => ({ ...s, ip_version: s.ip_version as 4 | 6, project_id: projectOf({ project_id: s.project_id, tenant_id: _t }) }));
export type Subnet = z.output<typeof Subnet>;

/** A router; `external_gateway_info` is null without a gateway. */
export const Router = z
  .object({
    ...standard,
    status: str(),
    admin_state_up: bool(true),
    // Why: a cleared gateway is null, but some deployments answer {} (the body that cleared it).
    external_gateway_info: z
      .object({
        network_id: z.string().nullish(),
        enable_snat: boolOrNull(),
        external_fixed_ips: list(FixedIp),
      })
      .nullish()
      .transform((g) => (g?.network_id ? { network_id: g.network_id, enable_snat: g.enable_snat, external_fixed_ips: g.external_fixed_ips } : null)),
    routes: list(HostRoute),
    distributed: boolOrNull(),
    ha: boolOrNull(),
    availability_zone_hints: strList(),
    availability_zones: strList(),
    flavor_id: strOrNull(),
  })
  .transform(({ tenant_id: _t, ...r }) => ({ ...r, project_id: projectOf({ project_id: r.project_id, tenant_id: _t }) }));
export type Router = z.output<typeof Router>;

/** A port. */
export const Port = z
  .object({
    ...standard,
    network_id: z.string(),
    mac_address: str(),
    fixed_ips: list(FixedIp),
    security_groups: strList(),
    port_security_enabled: boolOrNull(),
    admin_state_up: bool(true),
    allowed_address_pairs: list(z.object({ ip_address: z.string(), mac_address: z.string().nullish().transform((v) => v ?? undefined) })),
    device_owner: str(),
    device_id: str(),
    status: str(),
    dns_name: strOrNull(),
    qos_policy_id: strOrNull(),
    "binding:vnic_type": strOrNull(),
    "binding:host_id": strOrNull(),
    "binding:vif_type": strOrNull(),
  })
  .transform(({ tenant_id: _t, "binding:vnic_type": vnic, "binding:host_id": host, "binding:vif_type": vif, ...p }) => ({
    ...p,
    project_id: projectOf({ project_id: p.project_id, tenant_id: _t }),
    binding_vnic_type: vnic,
    binding_host_id: host,
    binding_vif_type: vif,
  }));
export type Port = z.output<typeof Port>;

/** A security group rule. */
export const SecurityGroupRule = z
  .object({
    id: id(),
    security_group_id: strOrNull(),
    direction: z.enum(["ingress", "egress"]),
    ethertype: z.enum(["IPv4", "IPv6"]),
    protocol: strOrNull(),
    port_range_min: intOrNull(),
    port_range_max: intOrNull(),
    remote_ip_prefix: strOrNull(),
    remote_group_id: strOrNull(),
    remote_address_group_id: strOrNull(),
    normalized_cidr: strOrNull(),
    description: str(),
    project_id: strOrNull(),
    tenant_id: strOrNull(),
    tags: strList(),
    created_at: timestamp(),
  })
  .transform(({ tenant_id: _t, ...r }) => ({ ...r, project_id: projectOf({ project_id: r.project_id, tenant_id: _t }) }));
export type SecurityGroupRule = z.output<typeof SecurityGroupRule>;

/** A security group with its rules. */
export const SecurityGroup = z
  .object({
    ...standard,
    stateful: bool(true),
    shared: boolOrNull(),
    security_group_rules: list(SecurityGroupRule),
  })
  .transform(({ tenant_id: _t, ...g }) => ({ ...g, project_id: projectOf({ project_id: g.project_id, tenant_id: _t }) }));
export type SecurityGroup = z.output<typeof SecurityGroup>;

/** A floating IP. */
export const FloatingIp = z
  .object({
    ...standard,
    name: str(),
    floating_ip_address: str(),
    floating_network_id: z.string(),
    port_id: strOrNull(),
    fixed_ip_address: strOrNull(),
    router_id: strOrNull(),
    status: str(),
    dns_name: strOrNull(),
    dns_domain: strOrNull(),
    qos_policy_id: strOrNull(),
    port_details: z.record(z.string(), z.unknown()).nullish(),
  })
  .transform(({ tenant_id: _t, name: _n, ...f }) => ({ ...f, project_id: projectOf({ project_id: f.project_id, tenant_id: _t }) }));
export type FloatingIp = z.output<typeof FloatingIp>;

/** A QoS policy (only listed, to tell the user it exists). */
export const QosPolicy = z
  .object({ ...standard, shared: bool(false), is_default: bool(false), rules: list(z.record(z.string(), z.unknown())) })
  .transform(({ tenant_id: _t, ...q }) => ({ ...q, project_id: projectOf({ project_id: q.project_id, tenant_id: _t }) }));
export type QosPolicy = z.output<typeof QosPolicy>;

/** A trunk port (only listed, to tell the user it exists). */
export const Trunk = z
  .object({
    ...standard,
    port_id: z.string(),
    status: str(),
    admin_state_up: bool(true),
    sub_ports: list(z.object({ port_id: z.string(), segmentation_type: str(), segmentation_id: intOrNull() })),
  })
  .transform(({ tenant_id: _t, ...t }) => ({ ...t, project_id: projectOf({ project_id: t.project_id, tenant_id: _t }) }));
export type Trunk = z.output<typeof Trunk>;

/** Request body fields for create/update; Neutron's attribute names. */
export type NeutronBody = Record<string, unknown>;

function envelopes<S extends z.ZodType>(one: string, many: string, item: S) {
  return {
    One: z.object({ [one]: item }),
    Many: z.object({ [many]: z.array(item), [`${many}_links`]: Links }),
  };
}

function crud<S extends z.ZodType>(path: string, one: string, many: string, item: S) {
  const { One } = envelopes(one, many, item);
  const pick = (body: unknown) => (body as Record<string, z.output<S>>)[one] as z.output<S>;
  return {
    list: (c: NetworkClient, filters: QueryParams = {}): Promise<z.output<S>[]> =>
      listAll(c, { path: `/v2.0/${path}`, params: filters, key: many, item, style: "links", markerFallback: true }),
    get: async (c: NetworkClient, resourceId: string): Promise<z.output<S>> =>
      pick((await call(c, One, { method: "GET", path: `/v2.0/${path}/${enc(resourceId)}` })).body),
    create: async (c: NetworkClient, body: NeutronBody): Promise<z.output<S>> =>
      pick((await call(c, One, { method: "POST", path: `/v2.0/${path}`, json: { [one]: body } })).body),
    update: async (c: NetworkClient, resourceId: string, body: NeutronBody): Promise<z.output<S>> =>
      pick((await call(c, One, { method: "PUT", path: `/v2.0/${path}/${enc(resourceId)}`, json: { [one]: body } })).body),
    delete: async (c: NetworkClient, resourceId: string): Promise<void> => {
      await c.delete(`/v2.0/${path}/${enc(resourceId)}`);
    },
  };
}

/** The `{network: …}` and `{networks: […]}` bodies, and likewise for each resource. */
export const NetworkResponse = envelopes("network", "networks", Network).One;
export const NetworkListResponse = envelopes("network", "networks", Network).Many;
export const SubnetResponse = envelopes("subnet", "subnets", Subnet).One;
export const SubnetListResponse = envelopes("subnet", "subnets", Subnet).Many;
export const RouterResponse = envelopes("router", "routers", Router).One;
export const RouterListResponse = envelopes("router", "routers", Router).Many;
export const PortResponse = envelopes("port", "ports", Port).One;
export const PortListResponse = envelopes("port", "ports", Port).Many;
export const SecurityGroupResponse = envelopes("security_group", "security_groups", SecurityGroup).One;
export const SecurityGroupListResponse = envelopes("security_group", "security_groups", SecurityGroup).Many;
export const SecurityGroupRuleResponse = envelopes("security_group_rule", "security_group_rules", SecurityGroupRule).One;
export const SecurityGroupRuleListResponse = envelopes("security_group_rule", "security_group_rules", SecurityGroupRule).Many;
export const FloatingIpResponse = envelopes("floatingip", "floatingips", FloatingIp).One;
export const FloatingIpListResponse = envelopes("floatingip", "floatingips", FloatingIp).Many;
/** PUT/GET /{resource}/{id}/tags. */
export const TagsResponse = z.object({ tags: strList() });

const networks = crud("networks", "network", "networks", Network);
const subnets = crud("subnets", "subnet", "subnets", Subnet);
const routers = crud("routers", "router", "routers", Router);
const ports = crud("ports", "port", "ports", Port);
const securityGroups = crud("security-groups", "security_group", "security_groups", SecurityGroup);
const securityGroupRules = crud("security-group-rules", "security_group_rule", "security_group_rules", SecurityGroupRule);
const floatingIps = crud("floatingips", "floatingip", "floatingips", FloatingIp);

/** Lists networks matching the filters (every page). */
export const listNetworks = networks.list;
/** Shows one network. */
export const getNetwork = networks.get;
/** Creates a network. */
export const createNetwork = networks.create;
/** Updates a network. */
export const updateNetwork = networks.update;
/** Deletes a network. */
export const deleteNetwork = networks.delete;

/** Lists subnets matching the filters (every page). */
export const listSubnets = subnets.list;
/** Shows one subnet. */
export const getSubnet = subnets.get;
/** Creates a subnet. */
export const createSubnet = subnets.create;
/** Updates a subnet. */
export const updateSubnet = subnets.update;
/** Deletes a subnet. */
export const deleteSubnet = subnets.delete;

/** Lists routers matching the filters (every page). */
export const listRouters = routers.list;
/** Shows one router. */
export const getRouter = routers.get;
/** Creates a router. */
export const createRouter = routers.create;
/** Updates a router (routes, name, gateway, …). */
export const updateRouter = routers.update;
/** Deletes a router (its interfaces must be removed first). */
export const deleteRouter = routers.delete;

/** Lists ports matching the filters (every page). */
export const listPorts = ports.list;
/** Shows one port. */
export const getPort = ports.get;
/** Creates a port. */
export const createPort = ports.create;
/** Updates a port. */
export const updatePort = ports.update;
/** Deletes a port. */
export const deletePort = ports.delete;

/** Lists security groups with their rules (every page). */
export const listSecurityGroups = securityGroups.list;
/** Shows one security group. */
export const getSecurityGroup = securityGroups.get;
/** Creates a security group (Neutron adds two egress rules to it). */
export const createSecurityGroup = securityGroups.create;
/** Updates a security group. */
export const updateSecurityGroup = securityGroups.update;
/** Deletes a security group. */
export const deleteSecurityGroup = securityGroups.delete;

/** Lists security group rules matching the filters (every page). */
export const listSecurityGroupRules = securityGroupRules.list;
/** Creates a security group rule. */
export const createSecurityGroupRule = securityGroupRules.create;
/** Deletes a security group rule. */
export const deleteSecurityGroupRule = securityGroupRules.delete;

/** Lists floating IPs matching the filters (every page). */
export const listFloatingIps = floatingIps.list;
/** Shows one floating IP. */
export const getFloatingIp = floatingIps.get;
/** Allocates a floating IP from an external network (`floating_network_id`). */
export const createFloatingIp = floatingIps.create;
/** Updates a floating IP. */
export const updateFloatingIp = floatingIps.update;
/** Releases a floating IP. */
export const deleteFloatingIp = floatingIps.delete;

/** Associates a floating IP with a port (optionally one of its fixed IPs). */
export async function associateFloatingIp(c: NetworkClient, floatingIpId: string, portId: string, fixedIp?: string): Promise<FloatingIp> {
  return floatingIps.update(c, floatingIpId, { port_id: portId, ...(fixedIp ? { fixed_ip_address: fixedIp } : {}) });
}

/** Disassociates a floating IP from its port. */
export async function disassociateFloatingIp(c: NetworkClient, floatingIpId: string): Promise<FloatingIp> {
  return floatingIps.update(c, floatingIpId, { port_id: null });
}

/** The answer of add/remove_router_interface. */
export const RouterInterfaceResponse = z.object({
  id: z.string(),
  subnet_id: strOrNull(),
  subnet_ids: strList(),
  port_id: z.string(),
  network_id: strOrNull(),
  project_id: strOrNull(),
  tenant_id: strOrNull(),
  tags: strList(),
});
export type RouterInterface = z.output<typeof RouterInterfaceResponse>;

/** Attaches a subnet (via a new port on its gateway IP) or an existing port to a router. */
export async function addRouterInterface(c: NetworkClient, routerId: string, target: { subnet_id: string } | { port_id: string }): Promise<RouterInterface> {
  return (await call(c, RouterInterfaceResponse, { method: "PUT", path: `/v2.0/routers/${enc(routerId)}/add_router_interface`, json: target })).body;
}

/** Detaches a subnet or port from a router. */
export async function removeRouterInterface(c: NetworkClient, routerId: string, target: { subnet_id: string } | { port_id: string }): Promise<RouterInterface> {
  return (await call(c, RouterInterfaceResponse, { method: "PUT", path: `/v2.0/routers/${enc(routerId)}/remove_router_interface`, json: target })).body;
}

/** Sets (or with null clears) a router's external gateway. */
export async function setRouterGateway(
  c: NetworkClient,
  routerId: string,
  gateway: { network_id: string; enable_snat?: boolean; external_fixed_ips?: { subnet_id?: string; ip_address?: string }[] } | null,
): Promise<Router> {
  return routers.update(c, routerId, { external_gateway_info: gateway ?? {} });
}

/** Resource collections that carry tags. */
export type TaggableResource = "networks" | "subnets" | "routers" | "ports" | "security-groups" | "floatingips" | "subnetpools" | "qos/policies" | "trunks";

/** Replaces all tags of a resource. */
export async function replaceTags(c: NetworkClient, resource: TaggableResource, resourceId: string, tags: string[]): Promise<string[]> {
  return (await call(c, TagsResponse, { method: "PUT", path: `/v2.0/${resource}/${enc(resourceId)}/tags`, json: { tags } })).body.tags;
}

/** One Neutron quota with usage, named as Nova and Cinder name it. */
export interface NetworkQuotaDetail {
  limit: number;
  in_use: number;
  reserved: number;
}

/** GET /v2.0/quotas/{project}/details. */
export const QuotaDetailsResponse = z.object({
  quota: z.record(
    z.string(),
    z.object({ limit: int(-1), used: int(0), reserved: int(0) }).transform((q): NetworkQuotaDetail => ({ limit: q.limit, in_use: q.used, reserved: q.reserved })),
  ),
});

/** GET /v2.0/quotas/{project}: plain limits. */
export const QuotaResponse = z.object({ quota: z.record(z.string(), z.union([z.number(), z.string()]).transform(Number)) });
/** GET /v2.0/quotas (admin): the projects with non-default quotas. */
export const QuotaListResponse = z.object({ quotas: z.array(z.record(z.string(), z.unknown())) });

/** Reads the project's network quotas with usage. */
export async function getQuotaDetails(c: NetworkClient, projectId: string): Promise<Record<string, NetworkQuotaDetail>> {
  return (await call(c, QuotaDetailsResponse, { method: "GET", path: `/v2.0/quotas/${enc(projectId)}/details` })).body.quota;
}

/** A Neutron API extension (capability discovery). */
export const Extension = z.object({
  alias: z.string(),
  name: str(),
  description: str(),
  updated: timestamp(),
  links: list(z.unknown()),
});
export type Extension = z.output<typeof Extension>;
export const ExtensionListResponse = z.object({ extensions: z.array(Extension) });
export const ExtensionResponse = z.object({ extension: Extension });

/** Lists the API extensions the Neutron server has. */
export async function listExtensions(c: NetworkClient): Promise<Extension[]> {
  return (await call(c, ExtensionListResponse, { method: "GET", path: "/v2.0/extensions" })).body.extensions;
}

/** A network availability zone. */
export const NetworkAvailabilityZone = z
  .object({ name: z.string(), resource: str(), state: str() })
  .transform((a) => ({ name: a.name, resource: a.resource, available: a.state.toLowerCase() === "available" }));
export const NetworkAvailabilityZoneListResponse = z.object({ availability_zones: z.array(NetworkAvailabilityZone) });

/** Lists QoS policies; empty when the qos extension is missing. */
export async function listQosPolicies(c: NetworkClient, filters: QueryParams = {}): Promise<QosPolicy[]> {
  try {
    return await listAll(c, { path: "/v2.0/qos/policies", params: filters, key: "policies", item: QosPolicy, style: "links", markerFallback: true });
  } catch (err) {
    if (statusIs(err, 404)) return [];
    throw err;
  }
}

/** Lists trunks; empty when the trunk extension is missing. */
export async function listTrunks(c: NetworkClient, filters: QueryParams = {}): Promise<Trunk[]> {
  try {
    return await listAll(c, { path: "/v2.0/trunks", params: filters, key: "trunks", item: Trunk, style: "links", markerFallback: true });
  } catch (err) {
    if (statusIs(err, 404)) return [];
    throw err;
  }
}
