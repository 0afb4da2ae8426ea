/**
 * What changed in one source resource between the inventory kept with the
 * plan and a fresh one, in lines a reviewer can act on
 * ("allocation_pools[0].end changed from 10.0.0.200 to 10.0.0.150"). A
 * structural diff covers every kind; a kind's `describeChange` words the
 * fields a diff would only number (security-group rules). Bounded, because
 * one resource rewritten from scratch must not bury the others.
 */
import type { ResourceKind } from "../kinds/types.js";
import { stripVolatile } from "../kinds/common.js";
import { canonicalJson } from "../util/digest.js";

/** At most this many lines per resource; the rest is counted. */
export const MAX_CHANGE_LINES = 6;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** A value as it appears in a line: strings bare, the rest as short JSON. */
function show(v: unknown): string {
  const s = typeof v === "string" ? (v === "" ? '""' : v) : JSON.stringify(v) ?? "nothing";
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Structural differences between two values, one line per changed leaf, added or removed item. */
export function diffValues(before: unknown, after: unknown, path: string, out: string[]): void {
  if (canonicalJson(before ?? null) === canonicalJson(after ?? null)) return;
  const at = path || "(value)";
  if (Array.isArray(before) && Array.isArray(after)) {
    if ([...before, ...after].every((x) => !isObject(x) && !Array.isArray(x))) {
      // Lists of plain values (tags, DNS servers) read best as members removed and added.
      const was = new Set(before.map((x) => canonicalJson(x)));
      const now = new Set(after.map((x) => canonicalJson(x)));
      for (const x of before) if (!now.has(canonicalJson(x))) out.push(`${at}: ${show(x)} removed`);
      for (const x of after) if (!was.has(canonicalJson(x))) out.push(`${at}: ${show(x)} added`);
      if (was.size === now.size && [...was].every((x) => now.has(x))) out.push(`${at}: order changed`);
      return;
    }
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) {
      if (i >= after.length) out.push(`${at}[${i}] removed (${show(before[i])})`);
      else if (i >= before.length) out.push(`${at}[${i}] added (${show(after[i])})`);
      else diffValues(before[i], after[i], `${at}[${i}]`, out);
    }
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      diffValues(before[k], after[k], path ? `${path}.${k}` : k, out);
    }
    return;
  }
  out.push(`${at} changed from ${show(before)} to ${show(after)}`);
}

/** The lines for one changed resource, the kind's own words first, at most `max` plus a count of the rest. */
export function describeChange(kind: ResourceKind | undefined, before: unknown, after: unknown, max = MAX_CHANGE_LINES): string[] {
  const b = stripVolatile(before) as Record<string, unknown>;
  const a = stripVolatile(after) as Record<string, unknown>;
  const lines: string[] = [];
  const covered = new Set<string>();
  if (kind?.describeChange && isObject(b) && isObject(a)) {
    const own = kind.describeChange(b, a);
    lines.push(...own.lines);
    for (const f of own.fields) covered.add(f);
  }
  const strip = (o: Record<string, unknown>) => (isObject(o) ? Object.fromEntries(Object.entries(o).filter(([k]) => !covered.has(k))) : o);
  diffValues(strip(b), strip(a), "", lines);
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max), `… and ${lines.length - max} more`];
}
