/**
 * A kind for executor tests and benchmarks: it owns no real resource, and the
 * test says what its apply does. Registered under an existing kind id so plans
 * made for it pass the plan reader.
 */
import { z } from "zod";
import type { ApplyOutcome, ApplyContext, ResourceKind } from "../../src/kinds/types.js";

export function fakeKind(apply: (ctx: ApplyContext) => Promise<ApplyOutcome>): ResourceKind {
  return {
    kind: "keypair",
    collection: { name: "keypairs", collect: async () => [] },
    color: "#888888",
    describe: () => "fake",
    lane: () => "api",
    paramsSchema: z.object({}),
    plan: () => [],
    find: async () => null,
    apply,
    verify: async () => [],
    remove: async () => {},
  };
}

/** A fake kind whose apply takes `latencyMs` and creates `t-<step id>`. */
export function timedFakeKind(latencyMs: number): ResourceKind {
  return fakeKind(async (ctx) => {
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    return { outcome: "created", targetId: `t-${ctx.stepId}` };
  });
}
