/**
 * Mapping-file entries that match nothing. A misspelt flavor, a
 * `statelessServers` entry naming no server or an `exclude` pattern matching no
 * step would otherwise pass silently ("0 errors") while the override the user
 * meant never happens. Each becomes a warning naming the entry and the closest
 * existing names.
 */
import { matchExclude, type MappingFile } from "../mapping/mapping-file.js";
import type { Inventory } from "../model/inventory.js";
import type { PlanFinding } from "../model/plan.js";

/** Levenshtein distance (small strings only: names and step ids). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to three existing names closest to `wanted`, nearest first. */
export function closestNames(wanted: string, existing: Iterable<string>): string[] {
  const limit = Math.max(3, Math.ceil(wanted.length / 3));
  return [...new Set(existing)]
    .map((n) => ({ n, d: distance(wanted, n) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 3)
    .map((x) => x.n);
}

function unmatched(section: string, entry: string, existing: string[]): PlanFinding {
  const near = closestNames(entry.replace(/[*?]/g, ""), existing);
  return {
    severity: "warning",
    code: "mapping_entry_unused",
    message: `mapping file ${section}: "${entry}" matches nothing in the source${near.length ? `; closest: ${near.map((n) => `"${n}"`).join(", ")}` : ""}`,
  };
}

/** Warnings for every mapping-file entry that names no source resource (or, for exclude, no step). */
export function unmatchedMappingEntries(mapping: MappingFile, source: Inventory, stepIds: string[]): PlanFinding[] {
  const out: PlanFinding[] = [];
  const byName = (items: { id: string; name: string }[]) => ({ names: items.map((i) => i.name), known: new Set(items.flatMap((i) => [i.name, i.id])) });
  const sections: [string, Record<string, string>, { names: string[]; known: Set<string> }][] = [
    ["flavors", mapping.flavors, byName(source.flavors)],
    ["images", mapping.images, byName(source.images)],
    ["volumeTypes", mapping.volumeTypes, byName(source.volume_types)],
  ];
  for (const [section, entries, { names, known }] of sections) {
    for (const key of Object.keys(entries).sort()) if (!known.has(key)) out.push(unmatched(section, key, names));
  }
  const servers = byName(source.servers);
  for (const s of mapping.statelessServers) if (!servers.known.has(s)) out.push(unmatched("statelessServers", s, servers.names));
  for (const pattern of mapping.exclude) {
    if (!stepIds.some((id) => matchExclude(id, [pattern]) !== null)) out.push(unmatched("exclude", pattern, stepIds));
  }
  return out;
}
