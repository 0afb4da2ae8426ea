/** plan.txt tells same-named steps apart (source id, description) and leaves every other line as it was. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/model/plan.js";
import { renderPlan } from "../../src/plan/render.js";

const golden = (): Plan => JSON.parse(readFileSync("fixtures/golden/plain-tenant/plan.json", "utf8")) as Plan;

describe("plan.txt with same-named steps", () => {
  it("shows each duplicate's source id and description", () => {
    const plan = golden();
    const [id, step] = Object.entries(plan.steps).find(([, s]) => s.kind === "security-group" && s.action === "create")!;
    const name = id.split("/")[1]!;
    const a = { ...step, source: { ...step.source, id: "04f049b6-1111-4111-8111-000000000001" }, params: { ...step.params, description: "HTTP only" } };
    const b = { ...step, source: { ...step.source, id: "9c2e77d0-2222-4222-8222-000000000002" }, params: { ...step.params, description: "" } };
    const wave = plan.waves.findIndex((w) => w.includes(id));
    plan.steps[`security-group/${name}~04f049b6`] = a;
    plan.steps[`security-group/${name}~9c2e77d0`] = b;
    plan.waves[wave]!.push(`security-group/${name}~04f049b6`, `security-group/${name}~9c2e77d0`);
    const text = renderPlan(plan);
    expect(text).toMatch(new RegExp(`${name}~04f049b6 .*\\(source 04f049b6-1111-4111-8111-000000000001, "HTTP only"\\)`));
    expect(text).toMatch(new RegExp(`${name}~9c2e77d0 .*\\(source 9c2e77d0-2222-4222-8222-000000000002\\)`));
    // The unique step's line is unchanged.
    expect(text.split("\n").find((l) => l.includes(` ${id} `))).not.toMatch(/\(source/);
  });
});
