/**
 * Nova flavors as a project member sees them: list (summary and detail),
 * show, extra specs, flavor access.
 *
 * API: GET /flavors, /flavors/detail, /flavors/{id}, /flavors/{id}/os-extra_specs
 * [/{key}], /flavors/{id}/os-flavor-access; admin only: POST /flavors,
 * DELETE /flavors/{id}, POST /flavors/{id}/os-extra_specs, POST
 * /flavors/{id}/action (addTenantAccess, removeTenantAccess).
 *
 * Quirks (Zed): a member always gets public flavors plus the private ones
 * shared with the project, whatever `is_public` says (`is_public=None` is
 * what openstackclient sends); the list is ordered by flavor id; a private
 * flavor without access is a 404; the access list of a public flavor is a 404
 * "Access list not available for public flavors."; the admin sees every flavor.
 */
import type { CloudContext } from "../cloud-context.js";
import { novaError } from "../core/errors.js";
import type { Ctx, Reply } from "../core/http.js";
import { pageTable, sortedWithMarker } from "../core/paging.js";
import type { FlavorRecord } from "../store/records.js";
import { isAdmin } from "../identity/admin.js";
import { flavorSummary, flavorView, flavorVisible } from "./views.js";

const bad = (m: string) => novaError(400, m);

/** GET /flavors and /flavors/detail. */
export function listFlavors(cloud: CloudContext, ctx: Ctx, detail: boolean): Reply {
  const q = ctx.query;
  const minDisk = q.get("minDisk");
  const minRam = q.get("minRam");
  for (const [k, v] of [["minDisk", minDisk], ["minRam", minRam]] as const) {
    if (v !== null && !/^\d+$/.test(v)) throw bad(`Invalid input for query parameters ${k}. Value: ${v}. '${v}' does not match '^[0-9]+$'`);
  }
  const isPublic = (q.get("is_public") ?? "true").toLowerCase();
  const admin = isAdmin(cloud, ctx);
  const pred = (f: FlavorRecord) =>
    (admin || flavorVisible(cloud, f)) &&
    !f.disabled &&
    (minDisk === null || f.disk >= Number(minDisk)) &&
    (minRam === null || f.ram >= Number(minRam)) &&
    // Why: for non-admins Nova ignores is_public except that "false" hides public flavors.
    !(["false", "0", "f", "no"].includes(isPublic) && f.is_public);
  const limitRaw = q.get("limit");
  let limit = cloud.maxPageSize;
  if (limitRaw !== null) {
    if (!/^\d+$/.test(limitRaw)) throw bad(`Invalid input for query parameters limit. Value: ${limitRaw}. '${limitRaw}' does not match '^[0-9]*$'`);
    limit = Math.min(Number(limitRaw), cloud.maxPageSize);
  }
  const marker = q.get("marker") ?? undefined;
  let items: FlavorRecord[];
  const sortKey = q.get("sort_key") ?? "flavorid";
  const sortDir = q.get("sort_dir") ?? "asc";
  if (sortKey === "flavorid" && sortDir === "asc") {
    const page = pageTable(cloud.store.flavors, "key", (f) => f.id, pred, limit, marker);
    if (!page.markerFound) throw bad(`marker [${marker}] not found`);
    items = page.items;
  } else {
    const key: Record<string, (f: FlavorRecord) => string | number> = {
      flavorid: (f) => f.id, name: (f) => f.name, memory_mb: (f) => f.ram, vcpus: (f) => f.vcpus, root_gb: (f) => f.disk,
      ephemeral_gb: (f) => f.ephemeral, swap: (f) => f.swap, id: (f) => f.id, created_at: (f) => f.id,
    };
    const get = key[sortKey];
    if (!get) throw bad(`Invalid input for query parameters sort_key. Value: ${sortKey}.`);
    const d = sortDir === "desc" ? -1 : 1;
    const all = [...cloud.store.flavors.values()].filter(pred).sort((a, b) => (get(a) < get(b) ? -d : get(a) > get(b) ? d : a.id < b.id ? -1 : 1));
    let start = 0;
    if (marker !== undefined) {
      start = all.findIndex((f) => f.id === marker) + 1;
      if (start === 0) throw bad(`marker [${marker}] not found`);
    }
    items = all.slice(start, start + limit);
  }
  const body: Record<string, unknown> = { flavors: items.map((f) => (detail ? flavorView(cloud, f, ctx.mv) : flavorSummary(cloud, f, ctx.mv))) };
  if (items.length > 0 && items.length === limit) {
    body["flavors_links"] = [{ rel: "next", href: `${cloud.baseUrl}/compute/v2.1/flavors${detail ? "/detail" : ""}?${sortedWithMarker(q, items[items.length - 1]!.id)}` }];
  }
  return { status: 200, body };
}

/** A flavor the project (or the admin, with `ctx`) can see, or Nova's 404. */
export function findFlavor(cloud: CloudContext, id: string, ctx?: Ctx): FlavorRecord {
  const f = cloud.store.flavors.get(id);
  if (!f || !(flavorVisible(cloud, f) || (ctx && isAdmin(cloud, ctx)))) throw novaError(404, `Flavor ${id} could not be found.`);
  return f;
}

/** GET /flavors/{id}. */
export function showFlavor(cloud: CloudContext, ctx: Ctx): Reply {
  return { status: 200, body: { flavor: flavorView(cloud, findFlavor(cloud, ctx.params[0]!, ctx), ctx.mv) } };
}

/** GET /flavors/{id}/os-extra_specs[/{key}]. */
export function flavorExtraSpecs(cloud: CloudContext, ctx: Ctx): Reply {
  const f = findFlavor(cloud, ctx.params[0]!, ctx);
  const key = ctx.params[1];
  if (key === undefined) return { status: 200, body: { extra_specs: { ...f.extra_specs } } };
  if (!(key in f.extra_specs)) throw novaError(404, `Flavor ${f.id} has no extra specs with key ${key}.`);
  return { status: 200, body: { [key]: f.extra_specs[key] } };
}

/** GET /flavors/{id}/os-flavor-access. */
export function flavorAccess(cloud: CloudContext, ctx: Ctx): Reply {
  const f = findFlavor(cloud, ctx.params[0]!, ctx);
  if (f.is_public) throw novaError(404, "Access list not available for public flavors.");
  return { status: 200, body: { flavor_access: [...f.access].map((t) => ({ flavor_id: f.id, tenant_id: t })) } };
}
