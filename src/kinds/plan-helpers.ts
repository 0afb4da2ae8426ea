/**
 * Planning helpers shared by kinds: ownership (only what the source project
 * owns becomes a step; provider things such as external networks and public
 * images are mapped instead) and the common shape of a planned step.
 */
import type { Inventory } from "../model/inventory.js";
import { matchExclude } from "../mapping/mapping-file.js";
import type { KindId, SkipReason } from "../model/plan.js";
import { sourceDigest } from "./common.js";
import type { PlanContext, PlannedStep } from "./types.js";

/** Whether a resource with this project_id belongs to the source project. */
export function owned(inv: Inventory, projectId: string | null | undefined): boolean {
  // Why: some services omit project_id on resources the caller owns (older Neutron, samples).
  return projectId === null || projectId === undefined || projectId === inv.meta.project_id;
}

/** A step skeleton for a source resource. */
export function stepFor(
  kind: KindId,
  id: string,
  src: { id: string; name?: string },
  resource: unknown,
  rest: Partial<Omit<PlannedStep, "id" | "kind" | "source">> & { facts?: Record<string, unknown> },
): PlannedStep {
  const { facts, ...fields } = rest;
  const step: PlannedStep = {
    id,
    kind,
    action: fields.action ?? "create",
    dependsOn: [...new Set(fields.dependsOn ?? [])].sort(),
    params: fields.params ?? {},
    options: fields.options ?? {},
    source: { id: src.id, ...(src.name !== undefined ? { name: src.name } : {}), digest: sourceDigest(resource), ...(facts ? { facts } : {}) },
  };
  if (fields.reason !== undefined) step.reason = fields.reason;
  if (fields.note !== undefined) step.note = fields.note;
  if (fields.bytes !== undefined) step.bytes = fields.bytes;
  return step;
}

/** A skip step for a source resource. */
export function skipFor(
  kind: KindId,
  id: string,
  src: { id: string; name?: string },
  resource: unknown,
  reason: SkipReason,
  note: string,
  facts?: Record<string, unknown>,
): PlannedStep {
  return stepFor(kind, id, src, resource, { action: "skip", reason, note, ...(facts ? { facts } : {}) });
}

/** Whether the mapping file's `exclude` list leaves this step out (it becomes a skip). */
export function excluded(ctx: PlanContext, stepId: string): boolean {
  return matchExclude(stepId, ctx.mapping.exclude) !== null;
}

/** Reports a name that already exists on the target (a warning: a second resource of that name will exist). */
export function nameClash(ctx: PlanContext, stepId: string, what: string, name: string, targetNames: Iterable<string>): void {
  if (!name) return;
  for (const n of targetNames) {
    if (n === name) {
      ctx.finding({ severity: "warning", code: "name_clash", step: stepId, message: `a ${what} named "${name}" already exists on the target; another one will be created` });
      return;
    }
  }
}
