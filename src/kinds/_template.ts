/**
 * A template for a new kind: copy this file to `<kind>.ts` (and the planning
 * part to `<kind>.plan.ts` once it grows), rename, fill in, and add one line
 * to KINDS in `index.ts`. It type-checks but is not registered. Everything
 * about the kind lives here: the source listing, the plan (pure), the target
 * side (find / apply / verify / remove), and how it reads in plan.txt, the
 * report, pre-flight and drift. See README.md beside this file.
 *
 * API: name the calls and their paths here (GET/POST /v2/widgets …).
 */
import { z } from "zod";
import { deleteIgnoringMissing } from "../openstack/missing.js";
import { markerMetadata, hasMarkerMetadata, sourceDigest } from "./common.js";
import { excluded, skipFor, stepFor } from "./plan-helpers.js";
import { defineKind, type Collector, type PlanContext, type PlannedStep } from "./types.js";
import { compareFields, missing } from "./verify-helpers.js";

/** The params a step carries: the desired target resource in the API's own field names (editable by a reviewer). */
export const WidgetParams = z
  .object({
    name: z.string(),
    size: z.number().int().positive(),
    metadata: z.record(z.string(), z.string()),
  })
  .strict();
export type WidgetParams = z.infer<typeof WidgetParams>;

/**
 * How the source's resources are listed and normalised. A real kind reads a
 * new inventory collection here (add its item schema to `model/inventory.ts`
 * with `.default([])`, so older inventory files stay valid) through a client
 * call in `src/openstack/<service>.ts` whose zod schema sits next to it.
 */
const widgets: Collector<"keypairs"> = { name: "keypairs", collect: async () => [] };

/** Pure: one step per source resource; skips carry a reason and a note. */
function planWidgets(ctx: PlanContext): PlannedStep[] {
  return ctx.source.keypairs.map((w) => {
    const id = ctx.ids.must("keypairs", w.id);
    const src = { id: w.id, name: w.name };
    if (excluded(ctx, id)) return skipFor("keypair", id, src, w, "skip_excluded_by_user", "excluded by the mapping file");
    const params: WidgetParams = { name: w.name, size: 1, metadata: {} };
    return stepFor("keypair", id, src, w, { params });
  });
}

/** The target's widgets in memory, standing in for the real API calls in this template. */
const TARGET = new Map<string, { id: string; name: string; size: number; metadata: Record<string, string> }>();

export const widgetTemplate = defineKind<WidgetParams>({
  kind: "widget",
  color: "#777777",
  collection: widgets,
  describe: (step) => `${step.params.size} unit(s)`,
  quotaNeeds: () => ({}),
  driftCandidates: (inv) => inv.keypairs,
  lane: () => "api",
  paramsSchema: WidgetParams,
  plan: planWidgets,

  // Find by marker: what an interrupted attempt created is adopted, never duplicated.
  async find(ctx) {
    for (const w of TARGET.values()) if (hasMarkerMetadata(w.metadata, ctx.migration, ctx.step.source.id)) return w.id;
    return null;
  },

  async apply(ctx) {
    const found = await this.find(ctx);
    if (found) return { outcome: "created", targetId: found };
    const id = sourceDigest({ step: ctx.stepId }).slice(0, 12);
    TARGET.set(id, { id, name: ctx.params.name, size: ctx.params.size, metadata: { ...ctx.params.metadata, ...markerMetadata(ctx.migration, ctx.step.source.id) } });
    return { outcome: "created", targetId: id };
  },

  // Compare every attribute the params carry; the README lists them per kind.
  async verify(ctx, targetId) {
    const w = TARGET.get(targetId);
    if (!w) return [missing(ctx)];
    return compareFields(ctx, { name: ctx.params.name, size: ctx.params.size }, { name: w.name, size: w.size }, ["name", "size"]);
  },

  async remove(_ctx, targetId) {
    await deleteIgnoringMissing(Promise.resolve(TARGET.delete(targetId)));
  },
});
