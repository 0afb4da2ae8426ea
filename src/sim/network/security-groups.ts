/**
 * Neutron security groups and rules.
 *
 * API: /v2.0/security-groups[/{id}], /v2.0/security-group-rules[/{id}].
 *
 * Quirks (as Zed, and required by SCS standard scs-0115): every new group gets
 * two egress rules (IPv4 and IPv6, any protocol); the project's `default`
 * group also allows ingress from itself. A duplicate rule is a 409
 * SecurityGroupRuleExists whose message names the existing rule id, with
 * protocol names and numbers treated as equal; the default group cannot be
 * deleted nor a second one created; rules created by Neutron have a null
 * description, rules created through the API an empty one.
 */
import type { CloudContext } from "../cloud-context.js";
import { neutronError } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { formatCidr, parseCidr } from "../core/ip.js";
import { isoSeconds } from "../core/time.js";
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from "../store/records.js";
import { bool, checkQuota, rejectUnknown, str, touch, type NeutronKind } from "./common.js";

const PROTOCOLS: Record<string, number> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ipip: 4, "ipv6-encap": 41, "ipv6-frag": 44,
  "ipv6-icmp": 58, icmpv6: 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, ospf: 89, pgm: 113, rsvp: 46,
  sctp: 132, tcp: 6, udp: 17, udplite: 136, vrrp: 112,
};
const PORTED = new Set([6, 17, 33, 132, 136]);

function ruleView(r: SecurityGroupRuleRecord, embedded: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = {
    id: r.id, tenant_id: r.project_id, security_group_id: r.security_group_id, ethertype: r.ethertype, direction: r.direction,
    protocol: r.protocol, port_range_min: r.port_range_min, port_range_max: r.port_range_max, remote_ip_prefix: r.remote_ip_prefix,
    remote_address_group_id: r.remote_address_group_id, normalized_cidr: r.normalized_cidr, remote_group_id: r.remote_group_id,
  };
  if (embedded) Object.assign(v, { standard_attr_id: r.standard_attr_id, description: r.description, tags: [] });
  else v["description"] = r.description;
  Object.assign(v, { created_at: isoSeconds(r.created_at), updated_at: isoSeconds(r.updated_at), revision_number: r.revision_number, project_id: r.project_id });
  return v;
}

/** The security groups collection. */
export const SECURITY_GROUP: NeutronKind<SecurityGroupRecord> = {
  singular: "security_group",
  collection: "security_groups",
  urlName: "security-groups",
  errType: "SecurityGroup",
  errName: "Security group",
  notFound: (id) => `Security group ${id} does not exist`,
  table: (c) => c.store.securityGroups,
  visible: (g, c) => g.project_id === c.store.identity.projectId || g.shared,
  view: (g, c) => ({
    id: g.id, name: g.name, stateful: g.stateful, tenant_id: g.project_id, description: g.description, shared: g.shared,
    security_group_rules: g.rules.map((id) => c.store.securityGroupRules.get(id)).filter((r) => r !== undefined).map((r) => ruleView(r, true)),
    tags: [...g.tags], created_at: isoSeconds(g.created_at), updated_at: isoSeconds(g.updated_at), revision_number: g.revision_number,
    project_id: g.project_id,
  }),
};

/** The security group rules collection. */
export const SECURITY_GROUP_RULE: NeutronKind<SecurityGroupRuleRecord> = {
  singular: "security_group_rule",
  collection: "security_group_rules",
  urlName: "security-group-rules",
  errType: "SecurityGroupRule",
  errName: "Security group rule",
  table: (c) => c.store.securityGroupRules,
  visible: (r, c) => r.project_id === c.store.identity.projectId,
  view: (r) => ruleView(r, false),
};

function ruleKey(r: Pick<SecurityGroupRuleRecord, "direction" | "ethertype" | "protocol" | "port_range_min" | "port_range_max" | "normalized_cidr" | "remote_group_id" | "remote_address_group_id">): string {
  const proto = r.protocol === null ? "" : String(PROTOCOLS[r.protocol] ?? r.protocol);
  return [r.direction, r.ethertype, proto, r.port_range_min ?? "", r.port_range_max ?? "", r.normalized_cidr ?? "", r.remote_group_id ?? "", r.remote_address_group_id ?? ""].join("|");
}

function countRules(cloud: CloudContext): number {
  let n = 0;
  const pid = cloud.store.identity.projectId;
  for (const r of cloud.store.securityGroupRules.values()) if (r.project_id === pid) n++;
  return n;
}

function addRule(cloud: CloudContext, g: SecurityGroupRecord, fields: Omit<SecurityGroupRuleRecord, "id" | "security_group_id" | "project_id" | "standard_attr_id" | "created_at" | "updated_at" | "revision_number">): SecurityGroupRuleRecord {
  const now = Date.now();
  const r: SecurityGroupRuleRecord = {
    id: uuid(), security_group_id: g.id, project_id: g.project_id, standard_attr_id: cloud.store.nextStandardAttrId(),
    created_at: now, updated_at: now, revision_number: 0, ...fields,
  };
  cloud.store.securityGroupRules.set(r.id, r);
  g.rules.push(r.id);
  return r;
}

const EGRESS = { direction: "egress", protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, normalized_cidr: null, remote_group_id: null, remote_address_group_id: null, description: null };

function newGroup(cloud: CloudContext, name: string, description: string, stateful: boolean, projectId: string): SecurityGroupRecord {
  const now = Date.now();
  const g: SecurityGroupRecord = {
    id: uuid(), name, description, project_id: projectId, stateful, shared: false, rules: [], tags: [],
    created_at: now, updated_at: now, revision_number: 1,
  };
  cloud.store.securityGroups.set(g.id, g);
  return g;
}

/** Creates the project's `default` group with Neutron's four default rules. */
export function createDefaultGroup(cloud: CloudContext): SecurityGroupRecord {
  const g = newGroup(cloud, "default", "Default security group", true, cloud.store.identity.projectId);
  addRule(cloud, g, { ...EGRESS, direction: "ingress", ethertype: "IPv4", remote_group_id: g.id });
  addRule(cloud, g, { ...EGRESS, ethertype: "IPv4" });
  addRule(cloud, g, { ...EGRESS, direction: "ingress", ethertype: "IPv6", remote_group_id: g.id });
  addRule(cloud, g, { ...EGRESS, ethertype: "IPv6" });
  return g;
}

/** POST /security-groups. */
export function createSecurityGroup(cloud: CloudContext, body: Record<string, unknown>): SecurityGroupRecord {
  rejectUnknown(body, ["name", "description", "stateful", "tenant_id", "project_id"]);
  const name = str(body, "name", "");
  if (name === "default") throw neutronError(409, "SecurityGroupDefaultAlreadyExists", "Default security group already exists.");
  const pid = cloud.store.identity.projectId;
  let used = 0;
  for (const g of cloud.store.securityGroups.values()) if (g.project_id === pid) used++;
  checkQuota(cloud, "security_group", used);
  checkQuota(cloud, "security_group_rule", countRules(cloud), 2);
  const g = newGroup(cloud, name, str(body, "description", ""), bool(body, "stateful", true), pid);
  // Why: Neutron (and SCS scs-0115) gives every new group egress to anywhere for both IP versions.
  addRule(cloud, g, { ...EGRESS, ethertype: "IPv4" });
  addRule(cloud, g, { ...EGRESS, ethertype: "IPv6" });
  return g;
}

/** PUT /security-groups/{id}. */
export function updateSecurityGroup(g: SecurityGroupRecord, body: Record<string, unknown>): void {
  rejectUnknown(body, ["name", "description", "stateful"], "PUT");
  if (g.name === "default" && body["name"] !== undefined && body["name"] !== "default") {
    throw neutronError(409, "SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.");
  }
  if (body["name"] !== undefined) g.name = str(body, "name", g.name);
  if (body["description"] !== undefined) g.description = str(body, "description", g.description);
  if (body["stateful"] !== undefined) g.stateful = bool(body, "stateful", g.stateful);
  touch(g);
}

/** DELETE /security-groups/{id}. */
export function deleteSecurityGroup(cloud: CloudContext, g: SecurityGroupRecord): void {
  const store = cloud.store;
  if (g.name === "default") throw neutronError(409, "SecurityGroupCannotRemoveDefault", "Insufficient rights for removing default security group.");
  for (const p of store.ports.values()) {
    if (p.security_groups.includes(g.id)) throw neutronError(409, "SecurityGroupInUse", `Security Group ${g.id} in use.`);
  }
  for (const id of g.rules) store.securityGroupRules.delete(id);
  // Why: rules elsewhere that reference this group as remote go with it (database cascade).
  for (const r of [...store.securityGroupRules.values()]) {
    if (r.remote_group_id === g.id) {
      store.securityGroupRules.delete(r.id);
      const owner = store.securityGroups.get(r.security_group_id);
      if (owner) owner.rules = owner.rules.filter((x) => x !== r.id);
    }
  }
  store.securityGroups.delete(g.id);
}

function portValue(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw neutronError(400, "SecurityGroupInvalidPortValue", `Invalid value for port ${String(v)}.`);
  }
  return n;
}

/** POST /security-group-rules. */
export function createRule(cloud: CloudContext, body: Record<string, unknown>): SecurityGroupRuleRecord {
  rejectUnknown(body, ["security_group_id", "direction", "ethertype", "protocol", "port_range_min", "port_range_max", "remote_ip_prefix",
    "remote_group_id", "remote_address_group_id", "description", "tenant_id", "project_id"]);
  const store = cloud.store;
  const gid = body["security_group_id"];
  if (typeof gid !== "string") throw neutronError(400, "HTTPBadRequest", "Failed to parse request. Required attribute 'security_group_id' not specified");
  const g = store.securityGroups.get(gid);
  if (!g || g.project_id !== store.identity.projectId) throw neutronError(404, "SecurityGroupNotFound", `Security group ${gid} does not exist`);
  const direction = body["direction"];
  if (direction !== "ingress" && direction !== "egress") {
    throw neutronError(400, "HTTPBadRequest", `Invalid input for direction. Reason: ${String(direction)} is not in valid_values.`);
  }
  const ethertype = str(body, "ethertype", "IPv4");
  if (ethertype !== "IPv4" && ethertype !== "IPv6") throw neutronError(400, "HTTPBadRequest", `Invalid input for ethertype. Reason: ${ethertype} is not in valid_values.`);
  let protocol: string | null = body["protocol"] === undefined || body["protocol"] === null || body["protocol"] === "any" ? null : String(body["protocol"]).toLowerCase();
  if (protocol !== null && !(protocol in PROTOCOLS) && !(/^\d+$/.test(protocol) && Number(protocol) <= 255)) {
    throw neutronError(400, "SecurityGroupRuleInvalidProtocol", `Security group rule protocol ${protocol} not supported. Only protocol values [None, ${Object.keys(PROTOCOLS).map((p) => `'${p}'`).join(", ")}] and integer representations [0 to 255] are supported.`);
  }
  if (protocol === "icmp" && ethertype === "IPv6") protocol = "ipv6-icmp";
  const pmin = portValue(body["port_range_min"]);
  const pmax = portValue(body["port_range_max"]);
  if (protocol === null && (pmin !== null || pmax !== null)) {
    throw neutronError(400, "SecurityGroupProtocolRequiredWithPorts", "Must also specify protocol if port range is given.");
  }
  const pnum = protocol === null ? null : (PROTOCOLS[protocol] ?? Number(protocol));
  if (pnum !== null && PORTED.has(pnum) && pmin !== null && pmax !== null && pmin > pmax) {
    throw neutronError(400, "SecurityGroupInvalidPortRange", "For TCP/UDP protocols, port_range_min must be <= port_range_max");
  }
  const prefix = body["remote_ip_prefix"] === undefined || body["remote_ip_prefix"] === null ? null : String(body["remote_ip_prefix"]);
  const remoteGroup = body["remote_group_id"] === undefined || body["remote_group_id"] === null ? null : String(body["remote_group_id"]);
  if (prefix !== null && remoteGroup !== null) {
    throw neutronError(400, "SecurityGroupRemoteGroupAndRemoteIpPrefix", "Only remote_ip_prefix or remote_group_id may be provided.");
  }
  let normalized: string | null = null;
  if (prefix !== null) {
    const c = parseCidr(prefix);
    if (!c) throw neutronError(400, "HTTPBadRequest", `Invalid input for remote_ip_prefix. Reason: '${prefix}' is not a valid IP subnet.`);
    if ((c.version === 4) !== (ethertype === "IPv4")) {
      throw neutronError(400, "SecurityGroupRuleParameterConflict", `Conflicting value ethertype ${ethertype} for CIDR ${prefix}`);
    }
    normalized = formatCidr(c);
  }
  if (remoteGroup !== null) {
    const rg = store.securityGroups.get(remoteGroup);
    if (!rg || rg.project_id !== store.identity.projectId) throw neutronError(404, "SecurityGroupNotFound", `Security group ${remoteGroup} does not exist`);
  }
  const fields = {
    direction, ethertype, protocol, port_range_min: pmin, port_range_max: pmax, remote_ip_prefix: prefix, normalized_cidr: normalized,
    remote_group_id: remoteGroup, remote_address_group_id: null, description: str(body, "description", ""),
  };
  const key = ruleKey(fields);
  for (const rid of g.rules) {
    const existing = store.securityGroupRules.get(rid);
    if (existing && ruleKey(existing) === key) {
      throw neutronError(409, "SecurityGroupRuleExists", `Security group rule already exists. Rule id is ${existing.id}.`);
    }
  }
  checkQuota(cloud, "security_group_rule", countRules(cloud));
  const r = addRule(cloud, g, fields);
  touch(g);
  return r;
}

/** DELETE /security-group-rules/{id}. */
export function deleteRule(cloud: CloudContext, r: SecurityGroupRuleRecord): void {
  const g = cloud.store.securityGroups.get(r.security_group_id);
  if (g) {
    g.rules = g.rules.filter((x) => x !== r.id);
    touch(g);
  }
  cloud.store.securityGroupRules.delete(r.id);
}
