/**
 * Helpers for verify() and remove(): field comparison that yields findings
 * (never throws for a mismatch), and deletes that accept "already gone".
 */
import { canonicalJson } from "../util/digest.js";
import type { ApplyContext, VerifyFinding } from "./types.js";

/** A finding for one field that differs. */
export function mismatch(ctx: ApplyContext, field: string, expected: unknown, actual: unknown, what?: string): VerifyFinding {
  return {
    step: ctx.stepId,
    severity: "mismatch",
    field,
    expected,
    actual,
    message: `${ctx.stepId}: ${what ?? field} is ${JSON.stringify(actual)} on the target, expected ${JSON.stringify(expected)}`,
  };
}

/** A finding for a resource that is not on the target. */
export function missing(ctx: ApplyContext, message?: string): VerifyFinding {
  return { step: ctx.stepId, severity: "missing", field: "(resource)", message: message ?? `${ctx.stepId}: not found on the target` };
}

/** Compares the listed fields (canonical JSON equality), returning a finding per difference. */
export function compareFields(ctx: ApplyContext, expected: Record<string, unknown>, actual: Record<string, unknown>, fields: string[]): VerifyFinding[] {
  const out: VerifyFinding[] = [];
  for (const f of fields) {
    if (canonicalJson(expected[f] ?? null) !== canonicalJson(actual[f] ?? null)) out.push(mismatch(ctx, f, expected[f] ?? null, actual[f] ?? null));
  }
  return out;
}

export { orNull, deleteIgnoringMissing } from "../openstack/missing.js";

/** Sorted copy, for comparing lists whose order the API does not keep. */
export const sorted = <T>(xs: readonly T[]): T[] => [...xs].sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
