/**
 * The README's exit-code table is the contract: every code in it is one the
 * CLI uses, and every code the CLI uses is in it (15, local file problems, is
 * new: its README row is pending). Each code's cases are exercised where they
 * arise: 2, 6, 8, 14, 15 in input.test.ts and disk-and-signals.test.ts; 3, 4,
 * 5 in errors.test.ts; 7, 9–13 in the journeys and end-to-end tests; 130 in
 * disk-and-signals.test.ts and the kill tests.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { exitCodeOf } from "../../src/commands/apply.js";

/** Codes whose README row is waiting for the README update. */
const PENDING_README = new Set<number>([]);

function readmeTable(): Map<number, string> {
  const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
  const section = readme.slice(readme.indexOf("## Exit codes"), readme.indexOf("\n## ", readme.indexOf("## Exit codes") + 5));
  const rows = new Map<number, string>();
  for (const m of section.matchAll(/^\| (\d+) \| (.+) \|$/gm)) rows.set(Number(m[1]), m[2]!);
  return rows;
}

describe("exit codes", () => {
  it("the README's table and the CLI's codes are the same set", () => {
    const table = readmeTable();
    const used = new Set<number>(Object.values(EXIT));
    for (const code of table.keys()) expect(used, `README code ${code}`).toContain(code);
    for (const code of used) if (!PENDING_README.has(code)) expect(table.has(code), `EXIT code ${code} missing from the README`).toBe(true);
  });

  it("run outcomes map as the table says", () => {
    const table = readmeTable();
    expect(exitCodeOf("completed")).toBe(0);
    expect(table.get(exitCodeOf("partially_failed"))).toMatch(/partially failed/);
    expect(table.get(exitCodeOf("failed"))).toMatch(/apply failed/);
    expect(table.get(exitCodeOf("interrupted"))).toMatch(/interrupted/);
    expect(table.get(EXIT.NOT_FOUND)).toMatch(/not found/);
    expect(table.get(EXIT.USAGE)).toMatch(/usage/);
    expect(table.get(EXIT.DRILL_FAILED)).toMatch(/drill failed/);
  });
});
