/**
 * Shared ground for the assessment checks: lookups over one inventory, the
 * finding constructor, and the wording helpers that keep messages uniform
 * ("used by 3 servers: a, b, c"). Pure; built once per assessment.
 */
import type { Image, Inventory, Network, Port, Server, Volume, VolumeType } from "../model/inventory.js";
import type { CheckId, Finding, Severity } from "./types.js";
import { CHECKS } from "./types.js";

/** Lookups the checks share. */
export interface AssessContext {
  inv: Inventory;
  projectId: string;
  serverById: Map<string, Server>;
  imageById: Map<string, Image>;
  networkById: Map<string, Network>;
  portById: Map<string, Port>;
  volumeById: Map<string, Volume>;
}

/** Builds the lookups of one inventory. */
export function buildContext(inv: Inventory): AssessContext {
  const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
  return {
    inv,
    projectId: inv.meta.project_id,
    serverById: byId(inv.servers),
    imageById: byId(inv.images),
    networkById: byId(inv.networks),
    portById: byId(inv.ports),
    volumeById: byId(inv.volumes),
  };
}

/** A finding of the given check; the category comes from the check table. */
export function finding(id: CheckId, severity: Severity, resource: string, message: string, fix: string): Finding {
  return { id, severity, category: CHECKS[id].category, resource, message, fix };
}

/** "<kind>/<name>", falling back to the id for unnamed resources. */
export function ref(kind: string, r: { name?: string | null; id: string }): string {
  return `${kind}/${r.name ? r.name : r.id}`;
}

/** A display name: the name, else the id. */
export function nameOf(r: { name?: string | null; id: string }): string {
  return r.name ? r.name : r.id;
}

const LIST_LIMIT = 5;

/** Names joined for a message, the first few only: "a, b, c and 4 more". */
export function listNames(names: string[]): string {
  const sorted = [...names].sort();
  if (sorted.length <= LIST_LIMIT) return sorted.join(", ");
  return `${sorted.slice(0, LIST_LIMIT).join(", ")} and ${sorted.length - LIST_LIMIT} more`;
}

/** "1 server" / "3 servers". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The volume type a volume names (Cinder 3.x gives the name, old volumes may carry the id). */
export function volumeTypeOf(inv: Inventory, v: Volume): VolumeType | undefined {
  if (v.volume_type === null) return undefined;
  return inv.volume_types.find((t) => t.name === v.volume_type) ?? inv.volume_types.find((t) => t.id === v.volume_type);
}

/** The root volume of a boot-from-volume server (boot_index 0), if the inventory has it. */
export function rootVolumeOf(ctx: AssessContext, s: Server): Volume | undefined {
  const root = s.volumes.find((v) => v.boot_index === 0);
  return root ? ctx.volumeById.get(root.volume_id) : undefined;
}
