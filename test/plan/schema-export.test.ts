/**
 * The JSON Schemas of plan.json and of the mapping file, generated from the
 * zod schemas and kept in fixtures/ for editors (`vitest -u` rewrites them
 * when a schema changes; review the diff). Besides the file comparison, the
 * generated schemas are checked for what an editor relies on: the closed sets
 * (actions, skip reasons, kinds), descriptions, and optional mapping keys.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mappingJsonSchema } from "../../src/mapping/mapping-file.js";
import { KINDS } from "../../src/kinds/index.js";
import { ACTIONS, FORMAT_VERSION, SKIP_REASONS } from "../../src/model/plan.js";
import { planJsonSchema } from "../../src/plan/json-schema.js";

const fixture = (name: string) => resolve(fileURLToPath(new URL("../../fixtures", import.meta.url)), name);
const asFile = (schema: unknown) => JSON.stringify(schema, null, 2) + "\n";

type Json = Record<string, any>;

describe("JSON Schema export", () => {
  it("fixtures/plan.schema.json is the schema of the current plan format", async () => {
    await expect(asFile(planJsonSchema())).toMatchFileSnapshot(fixture("plan.schema.json"));
  });

  it("fixtures/mapping.schema.json is the schema of the current mapping file", async () => {
    await expect(asFile(mappingJsonSchema())).toMatchFileSnapshot(fixture("mapping.schema.json"));
  });

  it("gives editors the format version, the closed sets and the field descriptions of a plan", () => {
    const s = planJsonSchema() as Json;
    expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(s.properties.formatVersion.const).toBe(FORMAT_VERSION);
    expect(s.additionalProperties).toBe(false);
    const step = s.properties.steps.additionalProperties;
    expect(step.properties.action.enum).toEqual([...ACTIONS]);
    expect(step.properties.reason.enum).toEqual([...SKIP_REASONS]);
    expect(step.properties.kind.enum).toEqual(KINDS.map((k) => k.kind));
    expect(step.properties.params.description).toMatch(/editable/);
    expect(step.required).toEqual(expect.arrayContaining(["kind", "action", "dependsOn", "params", "options", "source"]));
    expect(step.required).not.toContain("reason");
  });

  it("lets a mapping file leave out every key, and names the keys it accepts", () => {
    const s = mappingJsonSchema() as Json;
    expect(s.required ?? []).toEqual([]);
    expect(s.additionalProperties).toBe(false);
    expect(Object.keys(s.properties).sort()).toEqual(
      ["availabilityZones", "exclude", "externalNetwork", "flavors", "images", "loadBalancerFlavors", "loadBalancerProviders", "statelessServers", "throughputMBps", "volumeTypes"].sort(),
    );
    expect(s.properties.flavors.description).toMatch(/source flavor name/);
  });

  it("describes exactly the top-level keys a real plan has, all of them required", () => {
    // No JSON Schema validator is installed; this compares the shape of a golden plan with the schema's properties.
    const s = planJsonSchema() as Json;
    const plan = JSON.parse(readFileSync(fixture("golden/plain-tenant/plan.json"), "utf8")) as Json;
    expect(Object.keys(plan).sort()).toEqual(Object.keys(s.properties).sort());
    expect(s.required.sort()).toEqual(Object.keys(plan).sort());
  });
});
