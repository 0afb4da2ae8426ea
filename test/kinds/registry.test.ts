/**
 * The kind registry agrees with the plan format: every kind id a plan file may
 * name has a kind module, every kind module's id is one a plan file may name,
 * and each kind's schemas accept what the kind itself plans for the contract
 * tenant (a hand-edit check that refuses the planner's own output would make
 * every plan invalid).
 */
import { afterAll, describe, expect, it } from "vitest";
import { KindId } from "../../src/model/plan.js";
import { startSourceFixture } from "./fixture.js";
import { registeredKinds } from "./harness.js";

const kinds = registeredKinds();

describe("the kind registry", () => {
  it("registers each kind once", () => {
    const ids = kinds.map((k) => k.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), "registered twice").toEqual([]);
  });

  it("gives every kind an id the plan format accepts", () => {
    expect(kinds.map((k) => k.id).filter((id) => !KindId.safeParse(id).success)).toEqual([]);
  });
});

describe("each kind's schemas accept what it plans for the contract tenant", async () => {
  const fx = await startSourceFixture("registry");
  afterAll(() => fx.close());
  const steps = Object.entries(fx.plan.steps);

  it("every step of the plan is of a registered kind", () => {
    const registered = new Set<string>(kinds.map((k) => k.id));
    expect(steps.filter(([, s]) => !registered.has(s.kind)).map(([id]) => id)).toEqual([]);
  });

  for (const k of kinds) {
    it(`${k.id}`, () => {
      const problems: string[] = [];
      for (const [id, s] of steps) {
        if (s.kind !== k.id || s.action === "skip") continue;
        const p = k.paramsSchema.safeParse(s.params);
        if (!p.success) for (const i of p.error.issues) problems.push(`${id} params.${i.path.join(".")}: ${i.message}`);
        if (!k.optionsSchema) continue;
        const o = k.optionsSchema.safeParse(s.options);
        if (!o.success) for (const i of o.error.issues) problems.push(`${id} options.${i.path.join(".")}: ${i.message}`);
      }
      expect(problems).toEqual([]);
    });
  }

  // Why: without a schema, options are neither checked after a hand edit nor documented in the plan's JSON Schema.
  for (const k of kinds) {
    it(`${k.id} plans options only with an options schema`, () => {
      const withOptions = steps.filter(([, s]) => s.kind === k.id && s.action !== "skip" && Object.keys(s.options).length > 0);
      if (withOptions.length === 0 || k.optionsSchema) return;
      const [id, s] = withOptions[0]!;
      expect.fail(`${id} has options ${JSON.stringify(s.options)}, but kind ${k.id} has no optionsSchema`);
    });
  }
});
