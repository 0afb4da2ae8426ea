/**
 * Neutron quota views: GET /v2.0/quotas/{project} and …/details, with usage
 * counted from the project's own resources; PUT /v2.0/quotas/{project} for
 * the admin.
 *
 * Quirks: key order and the `reserved: 0` entries are Zed's; `rbac_policy`
 * and `subnetpool` are reported although the simulator has no such resources;
 * Zed's quota driver does not compare new limits with usage, so neither does
 * the update here; the update answers the whole quota.
 */
import type { CloudContext } from "../cloud-context.js";
import { neutronError } from "../core/errors.js";
import { asObject } from "../core/http.js";
import { applyQuotaUpdate } from "../core/quota-update.js";
import type { QuotaName } from "../types.js";

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

/** Applies a PUT /quotas/{project} body (`{"quota": {...}}`); returns the whole quota. */
export function updateNetworkQuotas(cloud: CloudContext, target: string, body: unknown): Record<string, number> {
  if (target !== cloud.store.identity.projectId) throw neutronError(400, "HTTPBadRequest", `Project ID ${target} is not a valid project.`);
  const q = asObject(asObject(body)?.["quota"]);
  if (!q) throw neutronError(400, "HTTPBadRequest", "Resource body required");
  applyQuotaUpdate(cloud, q, {
    keys: Object.fromEntries(KEYS.map((k) => [k, k as QuotaName])),
    unknown: (keys) => neutronError(400, "HTTPBadRequest", `Unrecognized attribute(s) '${keys.join(", ")}'`),
    invalid: (k, v) =>
      neutronError(400, "HTTPBadRequest", typeof v === "number" || /^-?\d+$/.test(String(v))
        ? `Invalid input for ${k}. Reason: '${String(v)}' is too small - must be at least '-1'.`
        : `Invalid input for ${k}. Reason: '${String(v)}' is not an integer.`),
  });
  return networkQuotas(cloud);
}
