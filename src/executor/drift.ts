/**
 * Drift: has the source changed since the plan was made? apply re-reads the
 * source and compares each planned resource's digest with the one in the
 * plan (terraform's "saved plan is stale"). Resources that appeared since are
 * drift too, because they would silently be left behind; each kind says which
 * of its resources would be migrated (`driftCandidates`). Resources this tool
 * made itself on the source (temporary snapshots, images and volumes of data
 * copies) are not drift.
 */
import { KIND_BY_ID, KINDS } from "../kinds/index.js";
import { sourceDigest } from "../kinds/common.js";
import type { Inventory } from "../model/inventory.js";
import type { Plan } from "../model/plan.js";
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
  const lookup = (collection: string, id: string): unknown => {
    let m = byCollection.get(collection);
    if (!m) {
      m = new Map((fresh[collection as keyof Inventory] as { id: string }[]).map((r) => [r.id, r]));
      byCollection.set(collection, m);
    }
    return m.get(id);
  };
  const planned = new Set<string>();
  for (const [id, step] of Object.entries(plan.steps)) {
    const collection = KIND_BY_ID.get(step.kind)?.collection.name;
    if (!collection) continue; // the plan reader refuses unknown kinds; nothing to compare
    planned.add(`${collection}/${step.source.id}`);
    const now = lookup(collection, step.source.id);
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
  for (const kind of KINDS) {
    if (!kind.driftCandidates) continue;
    const coll = kind.collection.name;
    for (const r of kind.driftCandidates(fresh)) {
      if (!ownedBy(r)) continue;
      if (r.name?.startsWith(TEMP_PREFIX)) continue;
      if (!planned.has(`${coll}/${r.id}`)) drift.added.push(`${coll}/${r.name || r.id}`);
    }
  }
  drift.changed.sort();
  drift.removed.sort();
  drift.added.sort();
  return drift;
}
