/**
 * What every Neutron collection shares: attribute filters (exact match, several
 * values OR-ed, `tags`/`tags-any`/`not-tags`/`not-tags-any`, `fixed_ips`),
 * `fields` selection, `sort_key`/`sort_dir`, `limit`/`marker` pagination with
 * `*_links` (`next` and `previous`), body parsing and the tag sub-resource.
 *
 * Quirks (as Zed): an unknown filter is a 400 "['x'] is invalid attribute for
 * filtering" (filter-validation extension); a missing marker is the resource's
 * 404; a page holding exactly `limit` items carries a `next` link even when
 * nothing follows; every non-empty page carries a `previous` link.
 */
import type { CloudContext } from "../cloud-context.js";
import { ApiFault, neutronError } from "../core/errors.js";
import { asObject, parseBool, readJson, type Ctx, type Reply } from "../core/http.js";
import { pageArray, pageTable } from "../core/paging.js";
import type { Table } from "../store/table.js";

/** Query parameters that are not attribute filters. */
const SPECIAL = new Set(["fields", "limit", "marker", "page_reverse", "sort_key", "sort_dir", "tags", "tags-any", "not-tags", "not-tags-any"]);

/** A Neutron resource kind: names used in URLs, bodies and errors. */
export interface NeutronKind<R> {
  /** JSON singular key, e.g. `security_group`. */
  singular: string;
  /** JSON and URL collection name, e.g. `security_groups` (URL may differ: `security-groups`). */
  collection: string;
  urlName: string;
  /** Error type prefix and display name, e.g. `SecurityGroup`, "Security group". */
  errType: string;
  errName: string;
  table: (cloud: CloudContext) => Table<R>;
  view: (r: R, cloud: CloudContext) => Record<string, unknown>;
  /** Whether the requesting project may see the record. */
  visible: (r: R, cloud: CloudContext) => boolean;
  /** Extra filter names accepted beyond the view's keys. */
  extraFilters?: string[];
  /** Custom filter implementations (key → predicate on record, given all values). */
  customFilters?: Record<string, (r: R, values: string[], cloud: CloudContext) => boolean>;
  /** Not-found message (default "<errName> <id> could not be found."). */
  notFound?: (id: string) => string;
}

/** The 404 for a missing record of this kind. */
export function notFound<R>(kind: NeutronKind<R>, id: string): ApiFault {
  const msg = kind.notFound ? kind.notFound(id) : `${kind.errName} ${id} could not be found.`;
  return neutronError(404, `${kind.errType}NotFound`, msg);
}

/** Finds a visible record or throws the 404. */
export function getVisible<R>(cloud: CloudContext, kind: NeutronKind<R>, id: string): R {
  const r = kind.table(cloud).get(id);
  if (!r || !kind.visible(r, cloud)) throw notFound(kind, id);
  return r;
}

/** Reads `{ <singular>: {...} }` from the body, or throws Neutron's 400. */
export async function readResource(ctx: Ctx, singular: string): Promise<Record<string, unknown>> {
  const body = await readJson(ctx, (m) => neutronError(400, "BadRequest", m));
  const inner = asObject(asObject(body)?.[singular]);
  if (!inner) throw neutronError(400, "BadRequest", `Bad ${singular} request: Resource body required.`);
  return inner;
}

/** Rejects attributes the caller may not set. */
export function rejectUnknown(body: Record<string, unknown>, allowed: readonly string[], method: "POST" | "PUT" = "POST"): void {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) {
      // Real Neutron (Zed) knows `tags` but does not take it on create (no tag-creation extension).
      if (k === "tags") throw neutronError(400, "HTTPBadRequest", `Attribute 'tags' not allowed in ${method}`);
      throw neutronError(400, "HTTPBadRequest", `Unrecognized attribute(s) '${k}'`);
    }
  }
}

function tagMatch(tags: string[], values: string[], mode: "all" | "any"): boolean {
  const wanted = values.flatMap((v) => v.split(",")).filter(Boolean);
  return mode === "all" ? wanted.every((t) => tags.includes(t)) : wanted.some((t) => tags.includes(t));
}

function valueMatches(v: unknown, wanted: string): boolean {
  if (v === null || v === undefined) return wanted === "" || wanted.toLowerCase() === "none";
  if (typeof v === "boolean") return parseBool(wanted) === v;
  if (typeof v === "number") return String(v) === wanted;
  if (Array.isArray(v)) return v.some((x) => valueMatches(x, wanted));
  return String(v) === wanted;
}

/** Picks `fields` from a view (all fields when none requested). */
export function pickFields(view: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  if (fields.length === 0) return view;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in view) out[f] = view[f];
  return out;
}

/** Serves a list request for a kind. */
export function listResource<R extends object>(ctx: Ctx, cloud: CloudContext, kind: NeutronKind<R>, keyOf: (r: R) => string): Reply {
  const q = ctx.query;
  const table = kind.table(cloud);
  const sample = table.values().next().value as R | undefined;
  const allowed = new Set<string>([...(sample ? Object.keys(kind.view(sample, cloud)) : []), ...(kind.extraFilters ?? []), "id", "name", "tenant_id", "project_id", "description"]);

  const filters: Array<[string, string[]]> = [];
  const unknown: string[] = [];
  for (const key of new Set(q.keys())) {
    if (SPECIAL.has(key)) continue;
    // Why: with no record to derive the attribute set from, nothing can match anyway; accept the filter.
    if (sample && !allowed.has(key) && !kind.customFilters?.[key]) unknown.push(key);
    else filters.push([key, q.getAll(key)]);
  }
  if (unknown.length > 0) {
    throw neutronError(400, "HTTPBadRequest", `[${unknown.map((k) => `'${k}'`).join(", ")}] is invalid attribute for filtering`);
  }
  const tagsAll = q.getAll("tags");
  const tagsAny = q.getAll("tags-any");
  const notAll = q.getAll("not-tags");
  const notAny = q.getAll("not-tags-any");

  const pred = (r: R): boolean => {
    if (!kind.visible(r, cloud)) return false;
    const tags = (r as { tags?: string[] }).tags ?? [];
    if (tagsAll.length && !tagMatch(tags, tagsAll, "all")) return false;
    if (tagsAny.length && !tagMatch(tags, tagsAny, "any")) return false;
    if (notAll.length && tagMatch(tags, notAll, "all")) return false;
    if (notAny.length && tagMatch(tags, notAny, "any")) return false;
    if (filters.length === 0) return true;
    let view: Record<string, unknown> | undefined;
    for (const [key, values] of filters) {
      const custom = kind.customFilters?.[key];
      if (custom) {
        if (!custom(r, values, cloud)) return false;
        continue;
      }
      view ??= kind.view(r, cloud);
      if (!values.some((w) => valueMatches(view![key], w))) return false;
    }
    return true;
  };

  const limitRaw = q.get("limit");
  let limit = Infinity;
  if (limitRaw !== null) {
    if (!/^\d+$/.test(limitRaw)) {
      throw neutronError(400, "BadRequest", `Bad limit request: Limit must be an integer 0 or greater and not '${limitRaw}'.`);
    }
    limit = Number(limitRaw) === 0 ? Infinity : Number(limitRaw);
  }
  const paged = limit !== Infinity || cloud.maxPageSize > 0;
  const effLimit = Math.min(limit, cloud.maxPageSize > 0 ? cloud.maxPageSize : Infinity);
  const marker = q.get("marker") ?? undefined;
  const reverse = parseBool(q.get("page_reverse")) === true;
  const sortKeys = q.getAll("sort_key");

  let page;
  if (sortKeys.length > 0 || reverse) {
    const dirs = q.getAll("sort_dir");
    let arr = [...table.ordered("key")];
    if (sortKeys.length > 0) {
      const views = new Map<R, Record<string, unknown>>();
      const v = (r: R) => views.get(r) ?? (views.set(r, kind.view(r, cloud)), views.get(r)!);
      arr.sort((a, b) => {
        for (let i = 0; i < sortKeys.length; i++) {
          const k = sortKeys[i]!;
          const d = (dirs[i] ?? "asc") === "desc" ? -1 : 1;
          const x = v(a)[k] as string | number;
          const y = v(b)[k] as string | number;
          if (x !== y) return (x < y ? -1 : 1) * d;
        }
        return keyOf(a) < keyOf(b) ? -1 : 1;
      });
    }
    if (reverse) arr = arr.reverse();
    page = pageArray(arr, keyOf, pred, effLimit, marker);
  } else {
    page = pageTable(table, "key", keyOf, pred, effLimit, marker);
  }
  if (!page.markerFound) throw notFound(kind, marker!);
  let items = page.items;
  if (reverse) items = [...items].reverse();

  const fields = q.getAll("fields");
  const body: Record<string, unknown> = { [kind.collection]: items.map((r) => pickFields(kind.view(r, cloud), fields)) };
  if (paged && (limitRaw !== null || items.length >= effLimit)) {
    const links: Array<{ rel: string; href: string }> = [];
    const baseQuery = ctx.rawQuery
      .split("&")
      .filter((p) => p && !p.startsWith("marker=") && !p.startsWith("page_reverse="));
    const href = (extra: string[]) => `${cloud.baseUrl}/network/v2.0/${kind.urlName}?${[...baseQuery, ...extra].join("&")}`;
    if (items.length > 0 && items.length >= effLimit) links.push({ rel: "next", href: href([`marker=${keyOf(items[items.length - 1]!)}`]) });
    if (items.length > 0) links.push({ rel: "previous", href: href([`marker=${keyOf(items[0]!)}`, "page_reverse=True"]) });
    else if (marker !== undefined) links.push({ rel: "previous", href: href(["page_reverse=True"]) });
    if (links.length > 0) body[`${kind.collection}_links`] = links;
  }
  return { status: 200, body };
}

/** Serves GET /{res}/{id} with `fields`. */
export function showResource<R>(ctx: Ctx, cloud: CloudContext, kind: NeutronKind<R>, id: string): Reply {
  const r = getVisible(cloud, kind, id);
  return { status: 200, body: { [kind.singular]: pickFields(kind.view(r, cloud), ctx.query.getAll("fields")) } };
}

/** A string attribute or the default; 400 when of the wrong type. */
export function str(body: Record<string, unknown>, key: string, dflt: string): string {
  const v = body[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string") throw neutronError(400, "HTTPBadRequest", `Invalid input for ${key}. Reason: '${String(v)}' is not a valid string.`);
  return v;
}

/** A boolean attribute or the default (accepts "true"/"false" strings as Neutron does). */
export function bool(body: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = body[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v === "boolean") return v;
  const b = typeof v === "string" ? parseBool(v) : undefined;
  if (b === undefined) throw neutronError(400, "HTTPBadRequest", `Invalid input for ${key}. Reason: '${String(v)}' is not a valid boolean value.`);
  return b;
}

/** Rejects admin-only attributes with Neutron's policy error. */
export function adminOnly(body: Record<string, unknown>, keys: string[], action: string): void {
  for (const k of keys) {
    if (body[k] !== undefined) {
      throw neutronError(403, "PolicyNotAuthorized", `(rule:${action}:${k}) is disallowed by policy`);
    }
  }
}

/** Bumps revision and updated_at of a standard-attribute record. */
export function touch(r: { revision_number: number; updated_at: number }): void {
  r.revision_number++;
  r.updated_at = Date.now();
}

/** Neutron's 409 OverQuota when `used + 1` exceeds the quota. */
export function checkQuota(cloud: CloudContext, name: "network" | "subnet" | "port" | "router" | "floatingip" | "security_group" | "security_group_rule", used: number, adding = 1): void {
  const limit = cloud.store.quotas[name];
  if (limit >= 0 && used + adding > limit) {
    throw neutronError(409, "OverQuota", `Quota exceeded for resources: ['${name}'].`);
  }
}
