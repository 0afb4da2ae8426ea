/**
 * Golden planner tests: each folder of fixtures/golden/ is built with a fixed
 * clock and compared byte for byte with its plan.json and plan.txt
 * (`vitest -u` rewrites them; review the diff like any code change). Each
 * case also names what plan.txt must show, so a regenerated file that lost
 * the point of its scenario still fails. Folders named "invalid-*" hold a
 * damaged plan.json that the reader must refuse, listing every problem.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PlanFileError } from "../../src/errors.js";
import { checkStepParams } from "../../src/kinds/index.js";
import { parsePlan, serializePlan } from "../../src/plan/io.js";
import { renderPlan } from "../../src/plan/render.js";
import { listCases, loadCase, planCase } from "../helpers/golden-cases.js";
import { MANDATORY_FLAVORS, RECOMMENDED_FLAVORS } from "./mapping/builders.js";

const cases = listCases();
const valid = cases.filter((c) => !c.invalid);
const invalid = cases.filter((c) => c.invalid);

const REQUIRED = ["plain-tenant", "non-scs-flavors", "standard-vs-private-images", "boot-from-volume", "cidr-clash", "quota-shortfall", "remote-group-rules"];

describe("golden cases", () => {
  it("include the required scenarios and at least two invalid plans", () => {
    expect(valid.map((c) => c.name)).toEqual(expect.arrayContaining(REQUIRED));
    expect(invalid.length).toBeGreaterThanOrEqual(2);
  });

  describe.each(valid)("$name", (c) => {
    it("plans exactly as plan.json and plan.txt say", async () => {
      const loaded = loadCase(c);
      expect(loaded.meta.description, "case.json needs a description").toMatch(/\S/);
      const plan = planCase(c);
      const json = serializePlan(plan);
      const text = renderPlan(plan);
      await expect(json).toMatchFileSnapshot(join(c.dir, "plan.json"));
      await expect(text).toMatchFileSnapshot(join(c.dir, "plan.txt"));
      for (const line of loaded.meta.mustShow ?? []) expect(text, `plan.txt of ${c.name} must show this`).toContain(line);
    });

    it("is identical when built again, and reads back unless a blocking finding says why not", () => {
      const plan = planCase(c);
      const json = serializePlan(plan);
      expect(serializePlan(planCase(loadCase(c), c.name))).toBe(json);
      if (loadCase(c).meta.refusedByReader) {
        // The plan already carries the error; the reader refuses it for the same step.
        const blocking = plan.preflight.findings.filter((f) => f.severity === "error" && f.code === "needs_skipped_step");
        expect(blocking.length).toBeGreaterThan(0);
        expect(() => parsePlan(json, `${c.name}/plan.json`, checkStepParams)).toThrow(PlanFileError);
        return;
      }
      const back = parsePlan(json, `${c.name}/plan.json`, checkStepParams);
      expect(serializePlan(back)).toBe(json);
    });
  });

  describe.each(invalid)("$name", (c) => {
    it("is refused with every problem listed in expected-errors.txt", async () => {
      const text = readFileSync(join(c.dir, "plan.json"), "utf8");
      let err: unknown;
      try {
        parsePlan(text, "plan.json", checkStepParams);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PlanFileError);
      const e = err as PlanFileError;
      expect(e.issues.length).toBeGreaterThan(0);
      const report = [e.message, ...e.issues.map((i) => `  ${i}`), ...(e.hint ? [`hint: ${e.hint}`] : [])].join("\n") + "\n";
      await expect(report).toMatchFileSnapshot(join(c.dir, "expected-errors.txt"));
    });
  });
});

/**
 * The flavor-coverage case, as a table a person can check against scs-0103:
 * what each server's flavor becomes on a target with the 15 mandatory flavors
 * plus SCS-16V-64, and the boot volume made when the target flavor has no
 * root disk. null means no flavor fits (a blocking finding).
 */
const FLAVOR_TABLE: Record<string, [target: string | null, bootVolumeGB: number | null]> = {
  // Mandatory: same name. The diskless ones boot from their migrated volume, so no boot_volume_size.
  ...Object.fromEntries(MANDATORY_FLAVORS.map((n) => [n, [n, null]])),
  // Recommended, with a root disk: diskless of the same vCPU/RAM + boot volume, unless a local disk of the same vCPU/RAM exists.
  "SCS-1V-2-5": ["SCS-1V-2", 5],
  "SCS-1V-4-10": ["SCS-1V-4", 10],
  "SCS-1V-8-20": ["SCS-1V-8", 20],
  "SCS-1L-1-5": ["SCS-1L-1", 5],
  "SCS-2V-4-10": ["SCS-2V-4-20s", null],
  "SCS-2V-8-20": ["SCS-2V-8", 20],
  "SCS-2V-16-50": ["SCS-2V-16", 50],
  "SCS-4V-8-20": ["SCS-4V-8", 20],
  "SCS-4V-16-50": ["SCS-4V-16-100s", null],
  "SCS-4V-32-100": ["SCS-4V-32", 100],
  "SCS-8V-16-50": ["SCS-8V-16", 50],
  "SCS-8V-32-100": ["SCS-8V-32", 100],
  "SCS-16V-32-100": ["SCS-16V-32", 100],
  // Recommended, diskless: same name where the target has it, else the smallest larger one, else none.
  "SCS-16V-64": ["SCS-16V-64", null],
  "SCS-8V-64": ["SCS-16V-64", null],
  "SCS-16V-128": [null, null],
  // Not SCS names.
  "m1.small": ["SCS-1V-2", 20],
  "m1.medium": ["SCS-2V-4", 40],
  "m1.xlarge": ["SCS-8V-16", 160],
  "old.tiny": ["SCS-1V-2", null],
  "b.2c4g": ["SCS-2V-4", null],
  "c1.pinned": [null, null],
};

describe("flavor mapping through the planner (flavor-coverage)", () => {
  const c = valid.find((x) => x.name === "flavor-coverage")!;
  const plan = planCase(c);
  const servers = Object.values(plan.steps).filter((s) => s.kind === "server");
  const byFlavor = new Map(
    servers.filter((s) => s.params.name !== "vm-diskless-from-image").map((s) => [String((s.source.facts as { flavor: string }).flavor), s]),
  );

  it("has one server on each mandatory, recommended and listed non-SCS flavor", () => {
    expect(RECOMMENDED_FLAVORS).toHaveLength(16);
    expect([...byFlavor.keys()].sort()).toEqual(Object.keys(FLAVOR_TABLE).sort());
  });

  it.each(Object.entries(FLAVOR_TABLE))("%s → %j", (flavor, [target, bootGB]) => {
    const step = byFlavor.get(flavor)!;
    const p = step.params as { flavor_ref: { name: string } | null; boot_volume_size: number | null; boot: { source: string } };
    expect(p.flavor_ref).toEqual(target === null ? null : { name: target });
    expect(p.boot_volume_size).toBe(bootGB);
    if (target === null) {
      expect(plan.preflight.findings).toContainEqual(expect.objectContaining({ severity: "error", code: "flavor_unmapped", step: `server/${step.params.name}` }));
    } else {
      expect(plan.mappings.flavors[flavor]).toBe(target);
    }
  });

  it("gives a diskless target flavor booted from an image a boot volume the image fits in", () => {
    const p = plan.steps["server/vm-diskless-from-image"]!;
    expect(p.params).toMatchObject({ flavor_ref: { name: "SCS-2V-4" }, boot: { source: "root-disk-copy" }, boot_volume_size: 1 });
    expect(p.note).toContain("+ 1 GB boot volume");
  });

  it("counts the boot volumes in the target's volume and gigabyte quota", () => {
    const q = Object.fromEntries(plan.preflight.quotas.map((x) => [x.resource, x.needed]));
    const bootVolumes = servers.map((s) => (s.params as { boot_volume_size: number | null }).boot_volume_size).filter((n): n is number => n !== null);
    const plannedVolumes = Object.values(plan.steps).filter((s) => s.kind === "volume" && s.action === "create");
    expect(q.volumes).toBe(plannedVolumes.length + bootVolumes.length);
    expect(q.gigabytes).toBe(plannedVolumes.reduce((n, s) => n + (s.params as { size: number }).size, 0) + bootVolumes.reduce((a, b) => a + b, 0));
  });
});
