/**
 * Nova flavor management, admin only as in Nova's default policy: create,
 * delete, extra specs, and the access list of private flavors. A member gets
 * the real policy error of each action.
 *
 * API: POST /flavors, DELETE /flavors/{id}, POST /flavors/{id}/os-extra_specs,
 * POST /flavors/{id}/action {addTenantAccess|removeTenantAccess}.
 *
 * Quirks (Zed): a new private flavor has an empty access list (Nova does not
 * add the creating project); creating a flavor answers 200, not 201; a
 * duplicate name or id is 409; access for a public flavor is 409 "Can not add
 * access to a public flavor.".
 */
import type { CloudContext } from "../cloud-context.js";
import { novaError } from "../core/errors.js";
import { asObject, readJson, type Ctx, type Reply } from "../core/http.js";
import { uuid } from "../core/ids.js";
import { isAdmin } from "../identity/admin.js";
import type { FlavorRecord } from "../store/records.js";
import { findFlavor } from "./flavors.js";
import { flavorView } from "./views.js";

const bad = (m: string) => novaError(400, m);

function policy(cloud: CloudContext, ctx: Ctx, rule: string): void {
  if (!isAdmin(cloud, ctx)) throw novaError(403, `Policy doesn't allow os_compute_api:${rule} to be performed.`);
}

function intField(o: Record<string, unknown>, k: string, dflt?: number): number {
  const v = o[k] ?? dflt;
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw bad(`Invalid input for field/attribute ${k}. Value: ${String(v)}.`);
  return n;
}

/** POST /flavors. */
export async function createFlavor(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  policy(cloud, ctx, "os-flavor-manage:create");
  const f = asObject(asObject(await readJson(ctx, bad))?.["flavor"]);
  if (!f || typeof f["name"] !== "string" || !f["name"].trim()) throw bad("Invalid input for field/attribute flavor. Value: None. 'name' is a required property");
  const name = f["name"];
  const id = typeof f["id"] === "string" && f["id"] ? f["id"] : uuid();
  for (const x of cloud.store.flavors.values()) {
    if (x.name === name) throw novaError(409, `Flavor with name ${name} already exists.`);
    if (x.id === id) throw novaError(409, `Flavor with ID ${id} already exists.`);
  }
  const isPublic = f["os-flavor-access:is_public"];
  const rec: FlavorRecord = {
    id, name, ram: intField(f, "ram"), vcpus: intField(f, "vcpus"), disk: intField(f, "disk"),
    ephemeral: intField(f, "OS-FLV-EXT-DATA:ephemeral", 0), swap: typeof f["swap"] === "string" && f["swap"] === "" ? 0 : intField(f, "swap", 0),
    rxtx_factor: typeof f["rxtx_factor"] === "number" ? f["rxtx_factor"] : 1.0, is_public: isPublic === undefined ? true : isPublic === true || isPublic === "true",
    disabled: false, description: typeof f["description"] === "string" ? f["description"] : null, extra_specs: {}, access: new Set(),
  };
  cloud.store.flavors.set(rec.id, rec);
  return { status: 200, body: { flavor: flavorView(cloud, rec, ctx.mv) } };
}

/** DELETE /flavors/{id}. */
export function deleteFlavor(cloud: CloudContext, ctx: Ctx): Reply {
  policy(cloud, ctx, "os-flavor-manage:delete");
  const f = findFlavor(cloud, ctx.params[0]!, ctx);
  cloud.store.flavors.delete(f.id);
  return { status: 202 };
}

/** POST /flavors/{id}/os-extra_specs (merges). */
export async function createExtraSpecs(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  policy(cloud, ctx, "os-flavor-extra-specs:create");
  const f = findFlavor(cloud, ctx.params[0]!, ctx);
  const specs = asObject(asObject(await readJson(ctx, bad))?.["extra_specs"]);
  if (!specs) throw bad("Invalid input for field/attribute extra_specs. Value: None. None is not of type 'object'");
  for (const [k, v] of Object.entries(specs)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw bad(`Invalid input for field/attribute ${k}. Value: ${JSON.stringify(v)}.`);
    f.extra_specs[k] = String(v);
  }
  return { status: 200, body: { extra_specs: specs } };
}

/** POST /flavors/{id}/action: addTenantAccess / removeTenantAccess. */
export async function flavorAction(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  const body = asObject(await readJson(ctx, bad)) ?? {};
  const add = asObject(body["addTenantAccess"]);
  const remove = asObject(body["removeTenantAccess"]);
  if (!add && !remove) throw bad("There is no such action: " + (Object.keys(body)[0] ?? "None"));
  policy(cloud, ctx, add ? "os-flavor-access:add_tenant_access" : "os-flavor-access:remove_tenant_access");
  const f = findFlavor(cloud, ctx.params[0]!, ctx);
  const tenant = (add ?? remove)!["tenant"];
  if (typeof tenant !== "string" || !tenant) throw bad("Invalid input for field/attribute tenant. Value: None. None is not of type 'string'");
  if (add) {
    if (f.is_public) throw novaError(409, "Can not add access to a public flavor.");
    if (f.access.has(tenant)) throw novaError(409, `Flavor access already exists for flavor ${f.id} and project ${tenant} combination.`);
    f.access.add(tenant);
  } else {
    if (!f.access.has(tenant)) throw novaError(404, `Flavor access not found for ${f.id} / ${tenant} combination.`);
    f.access.delete(tenant);
  }
  return { status: 200, body: { flavor_access: [...f.access].map((t) => ({ flavor_id: f.id, tenant_id: t })) } };
}
