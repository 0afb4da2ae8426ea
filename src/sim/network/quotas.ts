/**
 * Neutron quota views: GET /v2.0/quotas/{project} and …/details, with usage
 * counted from the project's own resources.
 *
 * Quirks: key order and the `reserved: 0` entries are Zed's; `rbac_policy`
 * and `subnetpool` are reported although the simulator has no such resources.
 */
import type { CloudContext } from "../cloud-context.js";

const KEYS = ["network", "subnet", "subnetpool", "port", "router", "floatingip", "rbac_policy", "security_group", "security_group_rule"] as const;

function usage(cloud: CloudContext): Record<(typeof KEYS)[number], number> {
  const s = cloud.store;
  const pid = s.identity.projectId;
  const count = <T extends { project_id: string }>(it: Iterable<T>) => {
    let n = 0;
    for (const x of it) if (x.project_id === pid) n++;
    return n;
  };
  return {
    network: count(s.networks.values()),
    subnet: count(s.subnets.values()),
    subnetpool: 0,
    port: count(s.ports.values()),
    router: count(s.routers.values()),
    floatingip: count(s.floatingIps.values()),
    rbac_policy: 0,
    security_group: count(s.securityGroups.values()),
    security_group_rule: count(s.securityGroupRules.values()),
  };
}

/** `{network: 100, …}` for GET /quotas/{project}. */
export function networkQuotas(cloud: CloudContext): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of KEYS) out[k] = cloud.store.quotas[k];
  return out;
}

/** `{network: {limit, used, reserved}, …}` for GET /quotas/{project}/details. */
export function networkQuotaDetails(cloud: CloudContext): Record<string, { limit: number; used: number; reserved: number }> {
  const used = usage(cloud);
  const out: Record<string, { limit: number; used: number; reserved: number }> = {};
  for (const k of KEYS) out[k] = { limit: cloud.store.quotas[k], used: used[k], reserved: 0 };
  return out;
}
