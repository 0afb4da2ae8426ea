/** Mapping-file entries that match nothing become warnings naming the entry and the closest existing names. */
import { describe, expect, it } from "vitest";
import { emptyMapping } from "../../src/mapping/mapping-file.js";
import { closestNames } from "../../src/plan/unmatched-mapping.js";
import { listCases, loadCase, planCase } from "../helpers/golden-cases.js";

const plain = () => loadCase(listCases().find((c) => c.name === "plain-tenant")!);

describe("unused mapping entries", () => {
  it("a misspelt flavor, a stateless server and an exclude that name nothing are warnings with the closest names", () => {
    const mapping = { ...emptyMapping(), flavors: { "SCS-2V-4-20": "SCS-2V-4" }, statelessServers: ["web-2"], exclude: ["volume/web-dta"] };
    const plan = planCase({ ...plain(), mapping }, "typo");
    const unused = plan.preflight.findings.filter((f) => f.code === "mapping_entry_unused");
    expect(unused.map((f) => f.severity)).toEqual(["warning", "warning", "warning"]);
    const text = unused.map((f) => f.message).join("\n");
    expect(text).toMatch(/flavors: "SCS-2V-4-20" matches nothing in the source; closest: "SCS-2V-4-20s"/);
    expect(text).toMatch(/statelessServers: "web-2" matches nothing.*closest: "web-1"/);
    expect(text).toMatch(/exclude: "volume\/web-dta" matches nothing.*closest: "volume\/web-data"/);
    expect(plan.preflight.findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("entries that match say nothing", () => {
    const mapping = { ...emptyMapping(), flavors: { "SCS-2V-4-20s": "SCS-2V-4-20s" }, statelessServers: ["web-1"], exclude: ["volume/*"] };
    const plan = planCase({ ...plain(), mapping }, "fine");
    expect(plan.preflight.findings.filter((f) => f.code === "mapping_entry_unused")).toEqual([]);
  });

  it("closest names are nearest first, at most three, none when nothing is near", () => {
    expect(closestNames("m1.lrage", ["m1.large", "m1.small", "SCS-4V-16", "m1.xlarge"])).toEqual(["m1.large", "m1.xlarge"]);
    expect(closestNames("web", ["web-1", "web-2", "web-3", "web-4"])).toHaveLength(3);
    expect(closestNames("zzzzzzzz", ["a", "b"])).toEqual([]);
  });
});
