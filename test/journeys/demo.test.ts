/**
 * `scs-migrate demo` as a first-time user runs it, in an empty folder: it
 * ends with exit 0, says the migration was verified and where the HTML report
 * is; the report is there (under ./migrations-plans/demo/) and shows each
 * floating IP's old address next to its new one, as the demo printed them.
 * A short status delay keeps the run fast.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOURNEY_TIMEOUT_MS } from "../helpers/journey.js";
import { runCli, type CliResult } from "../helpers/cli.js";

let cwd: string;
let r: CliResult;

beforeAll(async () => {
  cwd = realpathSync(mkdtempSync(join(tmpdir(), "smig-demo-")));
  r = await runCli(["demo", "--delay", "5"], { SCS_MIGRATE_PLANS_DIR: undefined, OS_CLIENT_CONFIG_FILE: undefined }, cwd);
}, JOURNEY_TIMEOUT_MS);
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

const IPV4 = String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`;

describe("demo", () => {
  it("exits 0 and says the migration was verified", () => {
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Migration verified: /m);
    expect(r.stdout).not.toMatch(/NOT verified/);
  });

  it("says where the HTML report is, and the report is there", () => {
    const m = /Report: (\S+\.html)\s*$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const report = m![1]!;
    expect(report).toBe(join(cwd, "migrations-plans", "demo", "report.html"));
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, "utf8")).toMatch(/^<!doctype html>/i);
  });

  it("the report maps each floating IP's old address to its new one", () => {
    const printed = [...r.stdout.matchAll(new RegExp(`floating IP (${IPV4}) → (${IPV4})`, "g"))].map((x) => ({ old: x[1]!, new: x[2]! }));
    expect(printed.length, r.stdout).toBeGreaterThan(0);
    const html = readFileSync(join(cwd, "migrations-plans", "demo", "report.html"), "utf8");
    const rows = [...html.matchAll(/<tr data-step="floating-ip\/[^"]*">(.*?)<\/tr>/gs)].map((x) => x[1]!);
    expect(rows.length).toBe(printed.length);
    for (const f of printed) {
      expect(f.new).not.toBe(f.old);
      const row = rows.find((x) => x.includes(`>${f.old}<`));
      expect(row, `a report row for ${f.old}`).toBeTruthy();
      expect(row).toContain(`>${f.new}<`);
      expect(row!.indexOf(`>${f.old}<`)).toBeLessThan(row!.indexOf(`>${f.new}<`));
    }
  });
});
