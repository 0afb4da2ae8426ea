/**
 * Step ids: `<kind>/<readable name>`, stable across runs of `plan` so that two
 * plans diff line by line. Labels come from the source resources (each kind
 * may name its unnamed ones, e.g. ports after their server and network);
 * where a label is empty or not unique within its kind, a short prefix of the
 * source id is appended (`network/app~1a2b3c4d`), which is deterministic and
 * still readable.
 */
import { KIND_OF_COLLECTION } from "../kinds/index.js";
import { labelOf, shortId } from "../kinds/common.js";
import type { StepIndex } from "../kinds/types.js";
import type { Inventory } from "../model/inventory.js";

function assign(kind: string, items: { id: string; label: string }[], out: Map<string, string>): void {
  const count = new Map<string, number>();
  for (const it of items) count.set(it.label, (count.get(it.label) ?? 0) + 1);
  for (const it of items) {
    const label = it.label === "" ? shortId(it.id) : (count.get(it.label) ?? 0) > 1 ? `${it.label}~${shortId(it.id)}` : it.label;
    out.set(it.id, `${kind}/${label}`);
  }
}

/** Assigns step ids to every resource of the source inventory. */
export function buildStepIndex(inv: Inventory): StepIndex {
  const maps = new Map<string, Map<string, string>>();
  for (const [collection, kind] of KIND_OF_COLLECTION) {
    const items = inv[collection as keyof Inventory] as { id: string; name?: string }[];
    const label = kind.stepLabels ? kind.stepLabels(inv) : (r: { name?: string }) => labelOf({ name: r.name ?? "" });
    const m = new Map<string, string>();
    assign(kind.kind, items.map((r) => ({ id: r.id, label: label(r) })), m);
    maps.set(collection, m);
  }
  return {
    of: (c, id) => maps.get(c)?.get(id),
    must: (c, id) => {
      const s = maps.get(c)?.get(id);
      if (!s) throw new Error(`no step id for ${c} ${id}`);
      return s;
    },
  };
}
