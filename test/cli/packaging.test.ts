/**
 * What `npm publish` would ship: the compiled CLI and what it reads at run
 * time, and nothing else (no sources, tests, local migrations, or a clouds.yaml
 * of the simulator with its passwords). Needs `npm run build` first, as every
 * CLI test does.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseMappingFile } from "../../src/mapping/mapping-file.js";
import { blockingFindings } from "../../src/plan/build.js";
import { listCases, loadCase, planCase } from "../helpers/golden-cases.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("the npm package", () => {
  it("holds dist/, bin/ and the runtime fixtures, and no sources, tests, state or clouds files", () => {
    // --ignore-scripts: the file list is what is checked; prepack builds on a real `npm pack`.
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain("bin/scs-migrate.js");
    expect(files).toContain("dist/cli.js");
    expect(files).toContain("fixtures/tenants/medium.yaml"); // the demo's default tenant
    expect(files).toContain("fixtures/mapping.example.yaml");
    const unwanted = files.filter((f) => /^(src|test|bench|migrations-plans|\.ci)\//.test(f) || /(^|\/)(sim|clouds|secure)\.ya?ml$/.test(f) || /state\.db/.test(f));
    expect(unwanted).toEqual([]);
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepack).toMatch(/build/);
  });
});

describe("fixtures/mapping.example.yaml", () => {
  it("parses and plans the small sample tenant without blocking findings", () => {
    const path = `${ROOT}/fixtures/mapping.example.yaml`;
    const mapping = parseMappingFile(readFileSync(path, "utf8"), path);
    expect(mapping.throughputMBps).toBe(80);
    const c = listCases().find((g) => g.name === "plain-tenant")!;
    const plan = planCase({ ...loadCase(c), mapping }, "example");
    expect(blockingFindings(plan)).toEqual([]);
    expect(plan.preflight.findings.filter((f) => f.code === "mapping_entry_unused")).toEqual([]);
    expect(plan.mappings.flavors["SCS-2V-4-20s"]).toBe("SCS-2V-4-20s");
  });
});
