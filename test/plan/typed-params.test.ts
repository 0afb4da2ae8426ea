/**
 * Hand-edited params are typed: addresses, CIDRs, ports and protocols are
 * checked when the plan is read (validate, apply), so a typo is refused before
 * anything is created; the exported JSON Schema carries the same types for
 * editors, and every golden plan satisfies it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PlanFileError } from "../../src/errors.js";
import { checkStepParams } from "../../src/kinds/index.js";
import { parsePlan } from "../../src/plan/io.js";
import { listCases } from "../helpers/golden-cases.js";

const fixture = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const golden = () => JSON.parse(readFileSync(fixture("golden/plain-tenant/plan.json"), "utf8")) as Record<string, any>;

/** The plain-tenant plan with params edited by hand (params are outside the integrity digest). */
function edited(edit: (steps: Record<string, any>) => void): Record<string, any> {
  const plan = golden();
  edit(plan.steps);
  return plan;
}

function problemsOf(plan: unknown): string[] {
  try {
    parsePlan(JSON.stringify(plan), "plan.json", checkStepParams);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(PlanFileError);
    return (err as PlanFileError).issues;
  }
}

/** Ajv (a dependency of the dependency cruiser) when it can be loaded; formats are enforced through the schema's patterns. */
function ajvValidator(): ((v: unknown) => boolean) | undefined {
  try {
    const Ajv2020 = createRequire(import.meta.url)("ajv/dist/2020").default;
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    return ajv.compile(JSON.parse(readFileSync(fixture("plan.schema.json"), "utf8")));
  } catch {
    return undefined;
  }
}

describe("typed params", () => {
  it("the golden plan as written is valid", () => {
    expect(problemsOf(golden())).toEqual([]);
  });

  it("refuses a fixed IP of 999.1.1.1, a CIDR 'banana', port 70000 and an unknown protocol, listing each", () => {
    const plan = edited((s) => {
      s["port/web-1-port-0"].params.fixed_ips[0].ip_address = "999.1.1.1";
      s["subnet/web-subnet"].params.cidr = "banana";
      const rule = s["security-group/web"].params.rules[0];
      rule.port_range_max = 70000;
      rule.protocol = "tcpp";
    });
    const problems = problemsOf(plan).join("\n");
    expect(problems).toMatch(/port\/web-1-port-0\.params\.fixed_ips\.0\.ip_address/);
    expect(problems).toMatch(/subnet\/web-subnet\.params\.cidr/);
    expect(problems).toMatch(/security-group\/web\.params\.rules\.0\.port_range_max/);
    expect(problems).toMatch(/security-group\/web\.params\.rules\.0\.protocol/);
  });

  it("refuses TCP port 0 and a range upside down", () => {
    const plan = edited((s) => {
      const rule = s["security-group/web"].params.rules.find((r: any) => r.protocol === "tcp");
      rule.port_range_min = 443;
      rule.port_range_max = 80;
    });
    expect(problemsOf(plan).join("\n")).toMatch(/port_range_min is above port_range_max/);
  });

  it("the exported JSON Schema accepts every golden plan and rejects the typo", () => {
    const validate = ajvValidator();
    if (!validate) {
      console.warn("ajv not loadable here; JSON Schema check skipped");
      return;
    }
    for (const c of listCases().filter((g) => !g.name.includes("invalid"))) {
      const plan = JSON.parse(readFileSync(`${c.dir}/plan.json`, "utf8"));
      expect(validate(plan), `${c.name}: ${JSON.stringify((validate as any).errors?.slice(0, 3))}`).toBe(true);
    }
    expect(validate(edited((s) => (s["subnet/web-subnet"].params.cidr = "banana")))).toBe(false);
    expect(validate(edited((s) => (s["port/web-1-port-0"].params.fixed_ips[0].ip_address = "999.1.1.1")))).toBe(false);
  });
});
