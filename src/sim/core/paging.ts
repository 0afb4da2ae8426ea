/**
 * limit/marker pagination over a table ordering or an already sorted array.
 * Each service wraps this with its own limit parsing, marker errors and link
 * format (Nova `servers_links`, Neutron `*_links` with `previous`, Cinder
 * `volumes_links`, Glance `next`).
 *
 * Quirks: the marker is located in the unfiltered ordering and the page
 * continues after it, as the SQL-backed services do (a marker need not match
 * the current filters, but it must exist).
 */
import type { Ordering, Table } from "../store/table.js";

/** Result of paging: the page and whether the marker was found. */
export interface Page<T> {
  items: T[];
  markerFound: boolean;
}

/** Pages through a table ordering. */
export function pageTable<T>(
  table: Table<T>,
  order: Ordering,
  keyOf: (t: T) => string,
  filter: (t: T) => boolean,
  limit: number,
  marker: string | undefined,
): Page<T> {
  const all = table.ordered(order);
  let start = 0;
  if (marker !== undefined) {
    const pos = table.positionOf(order, marker, keyOf);
    if (pos < 0) return { items: [], markerFound: false };
    start = pos + 1;
  }
  return { items: collect(all, start, filter, limit), markerFound: true };
}

/** Pages through an array in its given order. */
export function pageArray<T>(
  all: readonly T[],
  keyOf: (t: T) => string,
  filter: (t: T) => boolean,
  limit: number,
  marker: string | undefined,
): Page<T> {
  let start = 0;
  if (marker !== undefined) {
    const pos = all.findIndex((t) => keyOf(t) === marker);
    if (pos < 0) return { items: [], markerFound: false };
    start = pos + 1;
  }
  return { items: collect(all, start, filter, limit), markerFound: true };
}

function collect<T>(all: readonly T[], start: number, filter: (t: T) => boolean, limit: number): T[] {
  const out: T[] = [];
  for (let i = start; i < all.length && out.length < limit; i++) {
    const t = all[i]!;
    if (filter(t)) out.push(t);
  }
  return out;
}

/** Replaces or appends `marker` in a raw query string, keeping the client's parameter order. */
export function withMarker(rawQuery: string, marker: string): string {
  const parts = rawQuery ? rawQuery.split("&").filter((p) => p && !p.startsWith("marker=")) : [];
  parts.push(`marker=${encodeURIComponent(marker)}`);
  return parts.join("&");
}

/** Nova's form: all parameters, marker replaced, sorted by name (urlencode(sorted(params))). */
export function sortedWithMarker(query: URLSearchParams, marker: string): string {
  const entries = [...query.entries()].filter(([k]) => k !== "marker");
  entries.push(["marker", marker]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}
