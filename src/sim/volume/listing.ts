/**
 * Cinder list handling shared by volumes and snapshots: the filters a
 * non-admin may use (Cinder's resource_filters.json), `sort`/`sort_key`,
 * `limit`/`marker`/`offset` and the `*_links` next link.
 *
 * Quirks: filters outside the allowed set are dropped silently (Cinder logs
 * and ignores them); `name~` (3.34) is a substring match; `metadata` is a
 * JSON or Python-dict literal; a missing marker is the resource's 404; the
 * next link appears when the page is full (limit or max page size).
 */
import type { CloudContext } from "../cloud-context.js";
import { cinderError } from "../core/errors.js";
import { parseBool, type Ctx } from "../core/http.js";
import { pageArray, pageTable, withMarker } from "../core/paging.js";
import type { Table } from "../store/table.js";

/** How to read filterable fields from a record. */
export interface ListSpec<R> {
  table: Table<R>;
  coll: string;
  notFound: (id: string) => string;
  allowed: Record<string, (r: R) => unknown>;
  metadata?: (r: R) => Record<string, string>;
}

function parseMetadataFilter(s: string): Record<string, string> {
  try {
    return JSON.parse(s) as Record<string, string>;
  } catch {
    try {
      return JSON.parse(s.replace(/'/g, '"').replace(/\bu"/g, '"')) as Record<string, string>;
    } catch {
      throw cinderError(400, `Invalid input received: Invalid filter metadata: ${s}`);
    }
  }
}

/** Filters, sorts and pages a Cinder collection; returns the page and its links. */
export function cinderList<R extends { id: string; created_at: number }>(ctx: Ctx, cloud: CloudContext, spec: ListSpec<R>): { items: R[]; links?: unknown[]; count: number } {
  const q = ctx.query;
  const checks: Array<(r: R) => boolean> = [];
  for (const [key, value] of q.entries()) {
    if (key === "metadata" && spec.metadata) {
      const want = parseMetadataFilter(value);
      checks.push((r) => Object.entries(want).every(([k, v]) => spec.metadata!(r)[k] === v));
      continue;
    }
    if (key.endsWith("~") && ctx.mv >= 3034) {
      const get = spec.allowed[key.slice(0, -1)];
      if (get) checks.push((r) => String(get(r) ?? "").includes(value));
      continue;
    }
    const get = spec.allowed[key];
    if (!get) continue;
    if (key === "bootable") {
      const b = parseBool(value);
      checks.push((r) => get(r) === b);
    } else {
      checks.push((r) => String(get(r)) === value);
    }
  }
  const pred = (r: R) => checks.every((c) => c(r));

  const limitRaw = q.get("limit");
  let limit = cloud.maxPageSize;
  if (limitRaw !== null) {
    if (!/^\d+$/.test(limitRaw)) throw cinderError(400, "limit param must be an integer");
    limit = Math.min(Number(limitRaw), cloud.maxPageSize);
  }
  const offsetRaw = q.get("offset");
  const offset = offsetRaw === null ? 0 : Number(offsetRaw);
  if (!Number.isInteger(offset) || offset < 0) throw cinderError(400, "offset param must be positive");
  const marker = q.get("marker") ?? undefined;

  const sorts: Array<[string, number]> = [];
  const sortParam = q.get("sort");
  if (sortParam) {
    for (const part of sortParam.split(",")) {
      const [k = "", d = "desc"] = part.split(":");
      sorts.push([k.trim(), d.trim() === "asc" ? 1 : -1]);
    }
  } else if (q.get("sort_key")) {
    sorts.push([q.get("sort_key")!, q.get("sort_dir") === "asc" ? 1 : -1]);
  }
  const defaultOrder = sorts.length === 0 || (sorts.length === 1 && sorts[0]![0] === "created_at" && sorts[0]![1] === -1);
  let page;
  const wanted = limit + offset;
  if (defaultOrder) {
    page = pageTable(spec.table, "newest", (r) => r.id, pred, wanted, marker);
  } else {
    const val = (r: R, k: string) => (k === "created_at" ? r.created_at : k === "id" ? r.id : (spec.allowed[k]?.(r) as string | number | undefined) ?? "");
    const arr = [...spec.table.ordered("newest")].sort((a, b) => {
      for (const [k, d] of sorts) {
        const x = val(a, k);
        const y = val(b, k);
        if (x !== y) return (x < y ? -1 : 1) * d;
      }
      return 0;
    });
    page = pageArray(arr, (r) => r.id, pred, wanted, marker);
  }
  if (!page.markerFound) throw cinderError(404, spec.notFound(marker!));
  const items = page.items.slice(offset);
  let count = 0;
  if (q.get("with_count") !== null && ctx.mv >= 3045) for (const r of spec.table.values()) if (pred(r)) count++;
  const out: { items: R[]; links?: unknown[]; count: number } = { items, count };
  if (items.length > 0 && items.length === limit) {
    const pid = cloud.store.identity.projectId;
    out.links = [{ rel: "next", href: `${cloud.baseUrl}/volume/v3/${pid}/${spec.coll}?${withMarker(ctx.rawQuery, items[items.length - 1]!.id)}` }];
  }
  return out;
}
