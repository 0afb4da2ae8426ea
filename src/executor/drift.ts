/**
 * Drift: has the source changed since the plan was made? apply re-reads the
 * source and compares each planned resource's digest with the one in the
 * plan (terraform's "saved plan is stale"). Resources that appeared since are
 * drift too, because they would silently be left behind. Resources this tool
 * made itself on the source (temporary snapshots, images and volumes of data
 * copies) are not drift.
 */
import type { Inventory } from "../model/inventory.js";
import { COLLECTION_OF_KIND, sourceDigest } from "../kinds/common.js";
import type { KindId, Plan } from "../model/plan.js";
import { TEMP_PREFIX } from "../movers/temp-names.js";


export interface Drift {
  changed: string[];
  removed: string[];
  added: string[];
}

/** Lines describing drift, empty when none. */
export function describeDrift(d: Drift): string[] {
  return [
    ...d.changed.map((s) => `${s}: changed since the plan was made`),
    ...d.removed.map((s) => `${s}: no longer exists on the source`),
    ...d.added.map((s) => `${s}: new on the source, not in the plan`),
  ];
}

/** Compares a fresh source inventory with the plan's recorded digests. */
export function detectDrift(plan: Plan, fresh: Inventory): Drift {
  const drift: Drift = { changed: [], removed: [], added: [] };
  const byCollection = new Map<string, Map<string, unknown>>();
  const lookup = (kind: KindId, id: string): unknown => {
    const coll = COLLECTION_OF_KIND[kind];
    let m = byCollection.get(coll);
    if (!m) {
      m = new Map((fresh[coll] as { id: string }[]).map((r) => [r.id, r]));
      byCollection.set(coll, m);
    }
    return m.get(id);
  };
  const planned = new Set<string>();
  for (const [id, step] of Object.entries(plan.steps)) {
    planned.add(`${COLLECTION_OF_KIND[step.kind]}/${step.source.id}`);
    const now = lookup(step.kind, step.source.id);
    if (now === undefined) {
      if (step.action !== "skip") drift.removed.push(id);
      continue;
    }
    if (step.action !== "skip" && sourceDigest(now) !== step.source.digest) drift.changed.push(id);
  }
  // New resources of the kinds a plan covers (owned ones only: public resources are never steps).
  const pid = fresh.meta.project_id;
  const ownedBy = (r: { project_id?: string | null; owner?: string | null }) =>
    ("project_id" in r ? r.project_id === pid || r.project_id === null : true) && ("owner" in r ? r.owner === pid : true);
  const candidates: [string, { id: string; name?: string; project_id?: string | null; owner?: string | null }[]][] = [
    ["keypairs", fresh.keypairs],
    ["networks", fresh.networks.filter((n) => !n.external)],
    ["subnets", fresh.subnets],
    ["routers", fresh.routers],
    ["security_groups", fresh.security_groups],
    ["server_groups", fresh.server_groups],
    ["images", fresh.images],
    ["volumes", fresh.volumes],
    ["servers", fresh.servers],
    ["floating_ips", fresh.floating_ips],
  ];
  for (const [coll, items] of candidates) {
    for (const r of items) {
      if (!ownedBy(r)) continue;
      if (r.name?.startsWith(TEMP_PREFIX)) continue;
      if (!planned.has(`${coll}/${r.id}`)) drift.added.push(`${coll}/${r.name || r.id}`);
    }
  }
  // Ports come and go with servers and routers; a new server or router is reported above.
  drift.changed.sort();
  drift.removed.sort();
  drift.added.sort();
  return drift;
}
