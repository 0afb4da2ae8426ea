/**
 * Nova limits, quota sets and availability zones.
 *
 * API: GET /limits, /os-quota-sets/{project}[/detail], /os-quota-sets/{project}/defaults,
 * PUT /os-quota-sets/{project} (admin), /os-availability-zone (detail is admin-only).
 *
 * Quirks (Zed): keys disappear by microversion — network quotas at 2.36
 * (maxTotalFloatingIps, maxSecurityGroups…, and fixed_ips/floating_ips/
 * security_group* in quota sets), maxImageMeta at 2.39, personality and
 * injected-file quotas at 2.57; `hosts` is null in the member's AZ list.
 */
import type { CloudContext } from "../cloud-context.js";
import { novaError } from "../core/errors.js";
import { asObject, type Ctx, type Reply } from "../core/http.js";
import { applyQuotaUpdate } from "../core/quota-update.js";
import { isAdmin } from "../identity/admin.js";
import type { QuotaName } from "../types.js";

function usage(cloud: CloudContext): { instances: number; cores: number; ram: number; serverGroups: number } {
  const pid = cloud.store.identity.projectId;
  let instances = 0;
  let cores = 0;
  let ram = 0;
  for (const s of cloud.store.servers.values()) {
    if (s.project_id !== pid) continue;
    instances++;
    cores += s.flavor.vcpus;
    ram += s.flavor.ram;
  }
  let serverGroups = 0;
  for (const g of cloud.store.serverGroups.values()) if (g.project_id === pid) serverGroups++;
  return { instances, cores, ram, serverGroups };
}

/** GET /limits. */
export function limits(cloud: CloudContext, ctx: Ctx): Reply {
  const q = cloud.store.quotas;
  const u = usage(cloud);
  const mv = ctx.mv;
  const a: Record<string, number> = { maxTotalInstances: q.instances, maxTotalCores: q.cores, maxTotalRAMSize: q.ram, maxServerMeta: q.metadata_items };
  if (mv < 2039) a["maxImageMeta"] = 128;
  if (mv < 2057) Object.assign(a, { maxPersonality: 5, maxPersonalitySize: 10240 });
  Object.assign(a, { maxTotalKeypairs: q.key_pairs, maxServerGroups: q.server_groups, maxServerGroupMembers: q.server_group_members });
  if (mv < 2036) Object.assign(a, { maxTotalFloatingIps: -1, maxSecurityGroups: -1, maxSecurityGroupRules: -1 });
  Object.assign(a, { totalRAMUsed: u.ram, totalCoresUsed: u.cores, totalInstancesUsed: u.instances });
  if (mv < 2036) Object.assign(a, { totalFloatingIpsUsed: 0, totalSecurityGroupsUsed: 0 });
  a["totalServerGroupsUsed"] = u.serverGroups;
  return { status: 200, body: { limits: { rate: [], absolute: a } } };
}

/** GET /os-quota-sets/{project}[/detail|/defaults]. */
export function quotaSet(cloud: CloudContext, ctx: Ctx, mode: "show" | "detail" | "defaults"): Reply {
  const target = ctx.params[0]!;
  if (target !== cloud.store.identity.projectId) {
    throw novaError(403, "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.");
  }
  const q = cloud.store.quotas;
  const u = usage(cloud);
  const mv = ctx.mv;
  const rows: Array<[string, number, number]> = [
    ["cores", q.cores, u.cores],
    ...(mv < 2036 ? ([["fixed_ips", -1, 0], ["floating_ips", -1, 0]] as Array<[string, number, number]>) : []),
    ...(mv < 2057 ? ([["injected_file_content_bytes", 10240, 0], ["injected_file_path_bytes", 255, 0], ["injected_files", 5, 0]] as Array<[string, number, number]>) : []),
    ["instances", q.instances, u.instances],
    ["key_pairs", q.key_pairs, cloud.store.keypairs.size],
    ["metadata_items", q.metadata_items, 0],
    ["ram", q.ram, u.ram],
    ...(mv < 2036 ? ([["security_group_rules", -1, 0], ["security_groups", -1, 0]] as Array<[string, number, number]>) : []),
    ["server_group_members", q.server_group_members, 0],
    ["server_groups", q.server_groups, u.serverGroups],
  ];
  const qs: Record<string, unknown> = { id: target };
  for (const [k, limit, inUse] of rows) qs[k] = mode === "detail" ? { limit, in_use: inUse, reserved: 0 } : limit;
  return { status: 200, body: { quota_set: qs } };
}

/** GET /os-availability-zone. */
export function availabilityZones(): Reply {
  return { status: 200, body: { availabilityZoneInfo: [{ zoneName: "nova", zoneState: { available: true }, hosts: null }] } };
}

/** GET /os-availability-zone/detail (admin-only in Zed). */
export function availabilityZonesDetail(): Reply {
  throw novaError(403, "Policy doesn't allow os_compute_api:os-availability-zone:detail to be performed.");
}

const NOVA_QUOTA_KEYS: Record<string, QuotaName> = {
  cores: "cores", instances: "instances", key_pairs: "key_pairs", metadata_items: "metadata_items", ram: "ram",
  server_groups: "server_groups", server_group_members: "server_group_members",
};
// Why: accepted by the schema of older microversions and by `force`; they change nothing here.
const NOVA_IGNORED = ["force", "fixed_ips", "floating_ips", "security_groups", "security_group_rules", "networks",
  "injected_file_content_bytes", "injected_file_path_bytes", "injected_files"];

/** PUT /os-quota-sets/{project}: admin only, as Nova's default policy. */
export function updateQuotaSet(cloud: CloudContext, ctx: Ctx, body: unknown): Reply {
  if (!isAdmin(cloud, ctx)) throw novaError(403, "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.");
  const target = ctx.params[0]!;
  if (target !== cloud.store.identity.projectId) throw novaError(400, `Project ID ${target} is not a valid project.`);
  const qs = asObject(asObject(body)?.["quota_set"]);
  if (!qs) throw novaError(400, "Invalid input for field/attribute quota_set. Value: None. None is not of type 'object'");
  const u = usage(cloud);
  applyQuotaUpdate(cloud, qs, {
    keys: NOVA_QUOTA_KEYS,
    ignored: NOVA_IGNORED,
    unknown: (keys) => novaError(400, `Invalid input for field/attribute quota_set. Value: ${JSON.stringify(qs)}. Additional properties are not allowed ('${keys[0]}' was unexpected)`),
    invalid: (k, v) => novaError(400, `Invalid input for field/attribute ${k}. Value: ${String(v)}. ${JSON.stringify(v)} is not valid under any of the given schemas`),
    usage: { instances: u.instances, cores: u.cores, ram: u.ram, key_pairs: cloud.store.keypairs.size, server_groups: u.serverGroups },
    belowUsage: (k, limit, used) => novaError(400, `Quota limit ${limit} for ${k} must be greater than or equal to already used and reserved ${used}.`),
  });
  const shown = quotaSet(cloud, ctx, "show").body as { quota_set: Record<string, unknown> };
  delete shown.quota_set["id"];
  return { status: 200, body: shown };
}
