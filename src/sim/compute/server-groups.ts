/**
 * Nova server groups.
 *
 * API: GET/POST /os-server-groups, GET/DELETE /os-server-groups/{id}.
 *
 * Quirks (Zed): below 2.64 a group has `policies` (one-element list) and
 * `metadata`; from 2.64 a single `policy` plus `rules` (only
 * `max_server_per_host`, only for anti-affinity); project_id and user_id
 * appear from 2.13; the list supports limit/offset, not markers.
 */
import type { CloudContext } from "../cloud-context.js";
import { novaError } from "../core/errors.js";
import { asObject, readJson, type Ctx, type Reply } from "../core/http.js";
import { uuid } from "../core/ids.js";
import type { ServerGroupRecord } from "../store/records.js";

const bad = (m: string) => novaError(400, m);
const POLICIES = ["affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"];

function view(g: ServerGroupRecord, mv: number): Record<string, unknown> {
  if (mv >= 2064) {
    return { id: g.id, name: g.name, policy: g.policy, rules: { ...g.rules }, members: [...g.members], project_id: g.project_id, user_id: g.user_id };
  }
  const v: Record<string, unknown> = { id: g.id, name: g.name, policies: [g.policy], members: [...g.members], metadata: {} };
  if (mv >= 2013) Object.assign(v, { project_id: g.project_id, user_id: g.user_id });
  return v;
}

function find(cloud: CloudContext, id: string): ServerGroupRecord {
  const g = cloud.store.serverGroups.get(id);
  if (!g || g.project_id !== cloud.store.identity.projectId) throw novaError(404, `Server group ${id} could not be found.`);
  return g;
}

/** GET /os-server-groups. */
export function listServerGroups(cloud: CloudContext, ctx: Ctx): Reply {
  const limit = Number(ctx.query.get("limit") ?? cloud.maxPageSize);
  const offset = Number(ctx.query.get("offset") ?? 0);
  if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) throw bad("Invalid input for query parameters limit or offset.");
  const all = cloud.store.serverGroups.ordered("oldest").filter((g) => g.project_id === cloud.store.identity.projectId);
  return { status: 200, body: { server_groups: all.slice(offset, offset + Math.min(limit, cloud.maxPageSize)).map((g) => view(g, ctx.mv)) } };
}

/** GET /os-server-groups/{id}. */
export function showServerGroup(cloud: CloudContext, ctx: Ctx): Reply {
  return { status: 200, body: { server_group: view(find(cloud, ctx.params[0]!), ctx.mv) } };
}

/** DELETE /os-server-groups/{id}. */
export function deleteServerGroup(cloud: CloudContext, ctx: Ctx): Reply {
  const g = find(cloud, ctx.params[0]!);
  cloud.store.serverGroups.delete(g.id);
  for (const m of g.members) {
    const s = cloud.store.servers.get(m);
    if (s) s.server_groups = s.server_groups.filter((x) => x !== g.id);
  }
  return { status: 204 };
}

/** POST /os-server-groups. */
export async function createServerGroup(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  const store = cloud.store;
  const body = asObject(asObject(await readJson(ctx, bad))?.["server_group"]);
  if (!body) throw bad("Invalid input for field/attribute server_group. 'server_group' is a required property");
  const name = body["name"];
  if (typeof name !== "string" || name.trim() === "" || name.length > 255) throw bad(`Invalid input for field/attribute name. Value: ${JSON.stringify(name ?? null)}.`);
  let policy: string;
  let rules: Record<string, unknown> = {};
  if (ctx.mv >= 2064) {
    if (typeof body["policy"] !== "string") throw bad("Invalid input for field/attribute server_group. 'policy' is a required property");
    policy = body["policy"];
    if (!POLICIES.includes(policy)) throw bad(`Invalid input for field/attribute policy. Value: ${policy}. '${policy}' is not one of ${JSON.stringify(POLICIES)}`);
    rules = asObject(body["rules"]) ?? {};
    for (const [k, v] of Object.entries(rules)) {
      if (k !== "max_server_per_host" || !Number.isInteger(v) || (v as number) < 1) throw bad(`Invalid input for field/attribute rules. Value: ${JSON.stringify(rules)}.`);
      if (policy !== "anti-affinity") throw bad("Only anti-affinity policy supports rules.");
    }
  } else {
    const p = body["policies"];
    if (!Array.isArray(p) || p.length !== 1 || typeof p[0] !== "string" || !POLICIES.includes(p[0])) {
      throw bad(`Invalid input for field/attribute policies. Value: ${JSON.stringify(p ?? null)}.`);
    }
    policy = p[0];
  }
  const limit = store.quotas.server_groups;
  let used = 0;
  for (const g of store.serverGroups.values()) if (g.project_id === store.identity.projectId) used++;
  if (limit >= 0 && used + 1 > limit) throw novaError(403, "Quota exceeded, too many server groups.");
  const g: ServerGroupRecord = { id: uuid(), name, policy, rules, members: [], project_id: store.identity.projectId, user_id: store.identity.userId };
  store.serverGroups.set(g.id, g);
  return { status: 200, body: { server_group: view(g, ctx.mv) } };
}
