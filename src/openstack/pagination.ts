/**
 * Listing every page of a collection, in the four ways OpenStack services
 * paginate:
 * - `links`: Nova (`servers_links`, `flavors_links`, `keypairs_links`),
 *   Cinder (`volumes_links`, `snapshots_links`) and Neutron
 *   (`networks_links`, …) return a rel=next link with an absolute URL;
 * - `glance`: Glance returns `next` as a URL relative to its endpoint root
 *   (`/v2/images?marker=…&limit=…`);
 * - `marker`: when a service returns a full page but no link (Neutron with
 *   link generation off, Cinder resources without links), the next page is
 *   requested with `marker=<last id>`;
 * - `offset`: Nova server groups take `limit` and `offset` and return no links.
 *
 * Quirks: Neutron returns a next link whenever a page is full, so the last
 * page is often empty. Next links carry the host the service believes it has
 * (behind a TLS proxy often plain http); a link to another origin is rebased
 * onto the endpoint's origin. A server that repeats a next link or a marker
 * would loop forever: that stops the listing with a warning. Items already
 * seen (same id) are dropped.
 */
import { z } from "zod";
import { log } from "../log.js";
import { buildUrl, type QueryParams } from "./http.js";
import { Links, nextHref } from "./lenient.js";
import { parseBody } from "./parse.js";
import type { ServiceClient } from "./session.js";

/** How a collection paginates. */
export type PageStyle = "links" | "glance" | "marker" | "offset";

/** What to list and how. */
export interface ListSpec<S extends z.ZodType> {
  path: string;
  params?: QueryParams;
  /** The key of the item array in the body (`servers`, `images`, …). */
  key: string;
  /** The key of the links array (`servers_links`); defaults to `${key}_links`. */
  linksKey?: string;
  /** Schema of one item. */
  item: S;
  style: PageStyle;
  /** Also follow `marker=<last id>` when a full page comes without a next link. */
  markerFallback?: boolean;
  /** Page size; defaults to the client's `pageSize`. 0 sends no limit. */
  pageSize?: number;
  /** The id of an item, for markers and de-duplication (default: its `id`, else its `name`). */
  idOf?: (item: z.output<S>) => string | undefined;
  /** Safety net against servers that invent new next links forever. */
  maxPages?: number;
  signal?: AbortSignal;
}

function defaultId(item: unknown): string | undefined {
  if (item && typeof item === "object") {
    const o = item as { id?: unknown; name?: unknown };
    if (typeof o.id === "string" || typeof o.id === "number") return String(o.id);
    if (typeof o.name === "string") return o.name;
  }
  return undefined;
}

/** Rebases an absolute next link onto the endpoint's origin when the service names another host. */
export function resolveNextLink(endpoint: string, href: string): string {
  const base = new URL(endpoint);
  const u = new URL(href, base.origin + "/");
  if (u.origin !== base.origin) {
    log.debug("Next link names another origin; using the endpoint's", { link: href, endpoint: base.origin });
    return base.origin + u.pathname + u.search;
  }
  return u.toString();
}

/** The URL of Glance's relative `next` under its endpoint (which may have a path prefix). */
export function resolveGlanceNext(endpoint: string, next: string): string {
  if (/^https?:\/\//i.test(next)) return resolveNextLink(endpoint, next);
  return endpoint.replace(/\/+$/, "") + (next.startsWith("/") ? next : `/${next}`);
}

function withQuery(url: string, params: Record<string, string | number>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u.toString();
}

/** Fetches every page and returns all items, parsed. */
export async function listAll<S extends z.ZodType>(client: ServiceClient, spec: ListSpec<S>): Promise<z.output<S>[]> {
  const pageSize = spec.pageSize ?? client.pageSize;
  const linksKey = spec.linksKey ?? `${spec.key}_links`;
  const idOf = spec.idOf ?? defaultId;
  const maxPages = spec.maxPages ?? 10_000;
  const PageSchema = z.object({ [spec.key]: z.array(spec.item).nullish() }).loose();

  const items: z.output<S>[] = [];
  const seenIds = new Set<string>();
  const visited = new Set<string>();
  const firstParams: QueryParams = { ...spec.params, ...(pageSize > 0 ? { limit: pageSize } : {}) };
  let url: string | undefined = client.url(spec.path);
  let params: QueryParams | undefined = firstParams;
  let offset = 0;
  let lastMarker: string | undefined;

  for (let page = 0; url !== undefined; page++) {
    if (page >= maxPages) {
      log.warn(`Stopped listing ${spec.key} after ${maxPages} pages`, { url });
      break;
    }
    const res = await client.request<unknown>({ method: "GET", path: url, ...(params ? { params } : {}), ...(spec.signal ? { signal: spec.signal } : {}) });
    visited.add(res.url);
    const body = parseBody(PageSchema, res.data, { method: "GET", url: res.url, status: res.status, requestId: res.requestId }) as Record<string, unknown>;
    const pageItems = (body[spec.key] ?? []) as z.output<S>[];
    for (const it of pageItems) {
      const id = idOf(it);
      if (id !== undefined) {
        if (seenIds.has(id)) continue;
        seenIds.add(id);
      }
      items.push(it);
    }
    if (pageItems.length === 0) break;

    let next: string | undefined;
    if (spec.style === "links") {
      const links = Links.safeParse(body[linksKey]);
      const href = links.success ? nextHref(links.data) : undefined;
      if (href) next = resolveNextLink(client.endpoint, href);
    } else if (spec.style === "glance") {
      const n = body.next;
      if (typeof n === "string" && n) next = resolveGlanceNext(client.endpoint, n);
    } else if (spec.style === "offset") {
      if (pageSize > 0 && pageItems.length >= pageSize) {
        offset += pageItems.length;
        next = withQuery(buildFirst(client, spec.path, firstParams), { offset });
      }
    }
    if (next === undefined && (spec.style === "marker" || spec.markerFallback) && pageSize > 0 && pageItems.length >= pageSize) {
      const marker = idOf(pageItems[pageItems.length - 1] as z.output<S>);
      if (marker !== undefined) {
        if (marker === lastMarker) {
          log.warn(`The service repeated marker ${marker} while listing ${spec.key}; stopping`, { url: res.url });
          break;
        }
        lastMarker = marker;
        next = withQuery(buildFirst(client, spec.path, firstParams), { marker });
      }
    }
    if (next !== undefined && visited.has(next)) {
      log.warn(`The service repeated a next link while listing ${spec.key}; stopping`, { url: next });
      break;
    }
    url = next;
    params = undefined;
  }
  return items;
}

function buildFirst(client: ServiceClient, path: string, params: QueryParams): string {
  return buildUrl(client.url(path), params);
}
