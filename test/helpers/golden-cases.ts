/**
 * The golden planner cases in fixtures/golden/: one folder per case with the
 * two inventories, the mapping file and what a person expects to see. Cases
 * whose folder name contains "invalid" hold a hand-damaged plan.json that the
 * plan reader must refuse, and the problems it must list.
 *
 * Quirk: the clock and tool version are fixed, so plan.json and plan.txt are
 * byte-stable and can be compared as files.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Inventory } from "../../src/model/inventory.js";
import type { PlanOptions } from "../../src/kinds/types.js";
import { buildPlan } from "../../src/plan/build.js";
import { parseMappingFile, type MappingFile } from "../../src/mapping/mapping-file.js";
import type { Plan } from "../../src/model/plan.js";

/** The folder holding one sub-folder per golden case. */
export const GOLDEN_DIR = resolve(fileURLToPath(new URL("../../fixtures/golden", import.meta.url)));

/** The clock every golden plan is built with. */
export const GOLDEN_NOW = new Date("2026-01-01T00:00:00Z");
/** The tool version every golden plan records. */
export const GOLDEN_TOOL_VERSION = "0.0.0-test";

/** What case.json may say about a case. */
export interface CaseMeta {
  description: string;
  options?: Partial<PlanOptions>;
  /** Lines (or parts of lines) plan.txt must contain: what a reviewer looks for in this scenario. */
  mustShow?: string[];
  /** The plan has a blocking finding that the plan reader also refuses (it names a skipped step in params). */
  refusedByReader?: boolean;
}

/** A golden case folder. */
export interface GoldenCase {
  name: string;
  dir: string;
  invalid: boolean;
}

/** Every case folder, sorted by name. */
export function listCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: d.name, dir: join(GOLDEN_DIR, d.name), invalid: d.name.includes("invalid") }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The inputs of a valid case, checked against the inventory model and the mapping file schema. */
export interface LoadedCase {
  source: Inventory;
  target: Inventory;
  mapping: MappingFile;
  meta: CaseMeta;
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

/** Reads a valid case's inputs; throws (naming the file) when one is missing or malformed. */
export function loadCase(c: GoldenCase): LoadedCase {
  const file = (n: string) => join(c.dir, n);
  const mappingPath = file("mapping.yaml");
  const metaPath = file("case.json");
  return {
    source: Inventory.parse(readJson(file("source.json"))),
    target: Inventory.parse(readJson(file("target.json"))),
    mapping: parseMappingFile(existsSync(mappingPath) ? readFileSync(mappingPath, "utf8") : "", mappingPath),
    meta: existsSync(metaPath) ? (readJson(metaPath) as CaseMeta) : { description: "" },
  };
}

/** Builds a case's plan the way the golden files were made (fixed clock and version). */
export function planCase(c: GoldenCase | LoadedCase, name?: string): Plan {
  const loaded = "dir" in c ? loadCase(c) : c;
  return buildPlan({
    name: name ?? ("name" in c ? c.name : "golden"),
    source: loaded.source,
    target: loaded.target,
    mapping: loaded.mapping,
    options: loaded.meta.options ?? {},
    now: () => GOLDEN_NOW,
    toolVersion: GOLDEN_TOOL_VERSION,
  });
}
