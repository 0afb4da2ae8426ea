/**
 * Cinder quota-set update: PUT /v3/{admin project}/os-quota-sets/{project},
 * admin only as in Cinder's default policy.
 *
 * Quirks (Zed): the answer is the whole quota set as plain limits, without
 * `id`; unknown keys are one 400 "Bad key(s) in quota set: …"; a limit below
 * what the project already uses is refused (`_validate_existing_resource`).
 */
import type { CloudContext } from "../cloud-context.js";
import { cinderError } from "../core/errors.js";
import type { Ctx, Reply } from "../core/http.js";
import { asObject } from "../core/http.js";
import { applyQuotaUpdate } from "../core/quota-update.js";
import { isAdmin } from "../identity/admin.js";
import type { QuotaName } from "../types.js";
import { volumeUsage } from "./model.js";

const KEYS: Record<string, QuotaName> = {
  volumes: "volumes", snapshots: "snapshots", gigabytes: "gigabytes", backups: "backups",
  backup_gigabytes: "backup_gigabytes", per_volume_gigabytes: "per_volume_gigabytes", groups: "groups",
};

/** PUT os-quota-sets/{project}; `show` renders the updated set as GET does. */
export function updateVolumeQuotas(cloud: CloudContext, ctx: Ctx, body: unknown, show: () => Reply): Reply {
  if (!isAdmin(cloud, ctx)) throw cinderError(403, "Policy doesn't allow volume_extension:quotas:update to be performed.");
  const target = ctx.params[1]!;
  if (target !== cloud.store.identity.projectId) throw cinderError(400, `Project ID ${target} is not a valid project.`);
  const qs = asObject(asObject(body)?.["quota_set"]);
  if (!qs) throw cinderError(400, "Missing required element 'quota_set' in request body.");
  const u = volumeUsage(cloud);
  applyQuotaUpdate(cloud, qs, {
    keys: KEYS,
    // Why: Cinder's NON_QUOTA_KEYS; cinderclient sends tenant_id.
    ignored: ["tenant_id", "id"],
    unknown: (keys) => cinderError(400, `Bad key(s) in quota set: ${keys.join(",")}`),
    invalid: (k, v) => cinderError(400, typeof v === "number" || /^-?\d+$/.test(String(v)) ? `${k} must be >= -1` : `${k} must be an integer.`),
    usage: { volumes: u.volumes, snapshots: u.snapshots, gigabytes: u.gigabytes },
    belowUsage: (k, limit, used) =>
      cinderError(400, `Quota limit invalid for project '${target}' for resource '${k}': limit of ${limit} is less than in-use value of ${used}`),
  });
  const shown = show().body as { quota_set: Record<string, unknown> };
  delete shown.quota_set["id"];
  return { status: 200, body: shown };
}
