/**
 * Drift: has the source changed since the plan was made? apply re-reads the
 * source and compares each planned resource's digest with the one in the
 * plan (terraform's "saved plan is stale"). Resources that appeared since are
 * drift too, because they would silently be left behind; each kind says which
 * of its resources would be migrated (`driftCandidates`). Resources this tool
 * made itself on the source (temporary snapshots, images and volumes of data
 * copies) are not drift.
 *
 * A changed resource is named with what changed, field by field, when the
 * source inventory the plan was made from is at hand (plan keeps it beside
 * plan.json): "the plan is stale" alone leaves a reviewer guessing whether to
 * re-plan or to undo a change on the source.
 */
import { KIND_BY_ID, KINDS } from "../kinds/index.js";
import { sourceDigest } from "../kinds/common.js";
import type { Inventory } from "../model/inventory.js";
import type { Plan } from "../model/plan.js";
import { TEMP_PREFIX } from "../movers/temp-names.js";
import { describeChange } from "./change.js";

export interface Drift {
  changed: string[];
  removed: string[];
  added: string[];
  /** What changed, per changed step, where the plan's own inventory was at hand. */
  details: Record<string, string[]>;
}

/** Lines describing drift, empty when none. */
export function describeDrift(d: Drift): string[] {
  return [
    ...d.changed.map((s) => (d.details[s]?.length ? `${s}: ${d.details[s]!.join("; ")}` : `${s}: changed since the plan was made`)),
    ...d.removed.map((s) => `${s}: no longer exists on the source`),
    ...d.added.map((s) => `${s}: new on the source, not in the plan`),
  ];
}

/** A lookup of resources by collection and id in one inventory. */
function indexOf(inv: Inventory): (collection: string, id: string) => unknown {
  const byCollection = new Map<string, Map<string, unknown>>();
  return (collection, id) => {
    let m = byCollection.get(collection);
    if (!m) {
      m = new Map(((inv[collection as keyof Inventory] ?? []) as { id: string }[]).map((r) => [r.id, r]));
      byCollection.set(collection, m);
    }
    return m.get(id);
  };
}

/**
 * Compares a fresh source inventory with the plan's recorded digests;
 * `stored` is the source inventory the plan was made from, for details.
 */
export function detectDrift(plan: Plan, fresh: Inventory, stored?: Inventory): Drift {
  const drift: Drift = { changed: [], removed: [], added: [], details: {} };
  const lookup = indexOf(fresh);
  const before = stored ? indexOf(stored) : undefined;
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
    if (step.action !== "skip" && sourceDigest(now) !== step.source.digest) {
      drift.changed.push(id);
      const was = before?.(collection, step.source.id);
      // Only an inventory entry with the plan's digest tells what the plan saw.
      if (was !== undefined && sourceDigest(was) === step.source.digest) drift.details[id] = describeChange(KIND_BY_ID.get(step.kind), was, now);
    }
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
