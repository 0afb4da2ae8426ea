/**
 * A kind lives in its kind module only: the layers that work over every kind
 * (executor, report, plan, inventory) derive their lists from the registry
 * and never name a kind. A kind name written as a string literal there is a
 * place a new kind would have to be added by hand, and forgetting it would be
 * a quiet bug; this test finds such literals.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { COLLECTORS, KINDS } from "../../src/kinds/index.js";
import { Inventory } from "../../src/model/inventory.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));
const LAYERS = ["executor", "report", "plan", "inventory"];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** String literals of a source file, without comments. */
function literals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  return [...code.matchAll(/"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'/g)].map((m) => m[1] ?? m[2] ?? "");
}

describe("a kind lives in one place", () => {
  it("no kind id is a string literal in executor/, report/, plan/ or inventory/", () => {
    const ids = new Set(KINDS.map((k) => k.kind));
    const found: string[] = [];
    for (const layer of LAYERS) {
      for (const file of tsFiles(join(SRC, layer))) {
        for (const lit of literals(readFileSync(file, "utf8"))) if (ids.has(lit)) found.push(`${relative(SRC, file)}: "${lit}"`);
      }
    }
    expect(found).toEqual([]);
  });

  it("the check itself finds a literal kind id", () => {
    expect(literals(`if (s.kind === "server") x(); // "network" in a comment`)).toEqual(["server"]);
  });

  it("every inventory collection has exactly one collector, and every kind's collection is registered", () => {
    const names = COLLECTORS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const modelKeys = Object.keys(Inventory.shape).filter((k) => k !== "meta");
    expect([...names].sort()).toEqual([...modelKeys].sort());
    for (const k of KINDS) expect(COLLECTORS).toContain(k.collection);
  });

  it("kind ids are unique and every kind declares its look and its words", () => {
    const ids = KINDS.map((k) => k.kind);
    expect(new Set(ids).size).toBe(ids.length);
    for (const k of KINDS) {
      expect(k.color, k.kind).toMatch(/^#[0-9a-f]{6}$/i);
      expect(typeof k.describe, k.kind).toBe("function");
    }
  });

  it("an inventory file without some collections reads them as empty", () => {
    const meta = { formatVersion: 1, cloud: "c", region: null, project_id: "p", project_name: null, auth_url: "u", collectedAt: "2026-01-01T00:00:00Z", microversions: {} };
    const inv = Inventory.parse({ meta, networks: [] });
    expect(inv.servers).toEqual([]);
    expect(inv.quotas).toEqual({});
  });
});
