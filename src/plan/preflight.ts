/**
 * Pre-flight quota checks: what the planned steps will consume on the target,
 * against the target project's limits and current use, before anything is
 * created. Everything here is computed from the plan and the target
 * inventory; nothing is asked of the cloud.
 */
import type { Inventory, QuotaKey } from "../model/inventory.js";
import type { PlannedStep } from "../kinds/types.js";
import { KIND_BY_ID } from "../kinds/index.js";
import type { QuotaCheck } from "../model/plan.js";

/** What the create and adopt steps of a plan need, per quota key: the sum of each kind's needs. */
export function quotaNeeds(steps: PlannedStep[], target: Inventory): Partial<Record<QuotaKey, number>> {
  const need: Partial<Record<QuotaKey, number>> = {};
  for (const s of steps) {
    if (s.action === "skip") continue;
    const kind = KIND_BY_ID.get(s.kind);
    for (const [k, n] of Object.entries(kind?.quotaNeeds?.(s, target) ?? {}) as [QuotaKey, number][]) {
      if (n > 0) need[k] = (need[k] ?? 0) + n;
    }
  }
  return need;
}

/** Compares needs with the target's quotas; unknown quotas are not checked. */
export function checkQuotas(need: Partial<Record<QuotaKey, number>>, target: Inventory): QuotaCheck[] {
  const out: QuotaCheck[] = [];
  for (const key of Object.keys(need).sort() as QuotaKey[]) {
    const q = target.quotas[key];
    if (!q) continue;
    const needed = need[key] ?? 0;
    out.push({ resource: key, needed, in_use: q.in_use, limit: q.limit, ok: q.limit < 0 || q.in_use + needed <= q.limit });
  }
  return out;
}

/** The pre-flight line of a quota that does not fit (plan's finding, apply's refusal). */
export function quotaShortfall(q: QuotaCheck): string {
  return `target quota for ${q.resource}: ${q.needed} needed, ${q.in_use} of ${q.limit} in use (${q.in_use + q.needed - q.limit} short)`;
}
