/**
 * What the user types and the files they hand the tool are checked where they
 * enter: bad values stop with one line, a hint and exit 2; a missing migration
 * is exit 14; a broken, newer or read-only state file and a disk-full write
 * are exit 15 with their own message, never "internal error" (70).
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { StateStore } from "../../src/executor/state.js";
import { acquireLock } from "../../src/executor/lock.js";
import { runCli, type CliResult } from "../helpers/cli.js";

const GOLDEN = new URL("../../fixtures/golden/plain-tenant/plan.json", import.meta.url).pathname;
let root: string;
let plans: string;
const env = () => ({ SCS_MIGRATE_PLANS_DIR: plans, OS_CLIENT_CONFIG_FILE: join(root, "none.yaml") });

/** A migration folder holding the golden plain-tenant plan. */
function migration(name: string): string {
  const dir = join(plans, name);
  mkdirSync(dir, { recursive: true });
  cpSync(GOLDEN, join(dir, "plan.json"));
  return dir;
}

function expectRefusal(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trim().split("\n");
  expect(lines[0]).toMatch(/^scs-migrate: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).toMatch(/\nhint: /);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "smig-input-"));
  plans = join(root, "plans");
  mkdirSync(plans);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("option values", () => {
  const bad: [string[], RegExp][] = [
    [["apply", "x", "--api-concurrency", "abc"], /--api-concurrency.*'abc'/],
    [["apply", "x", "--api-concurrency", "0"], /--api-concurrency.*'0'/],
    [["apply", "x", "--copy-concurrency", "-2"], /--copy-concurrency.*'-2'/],
    [["apply", "x", "--step-attempts", "many"], /--step-attempts/],
    [["apply", "x", "--poll-ms", "1e3x"], /--poll-ms/],
    [["inventory", "--cloud", "c", "--page-size", "0"], /--page-size/],
    [["plan", "--from", "a", "--to", "b", "--throughput", "-5"], /--throughput.*'-5'/],
    [["plan", "--from", "a", "--to", "b", "--throughput", "fast"], /--throughput/],
    [["demo", "--delay", "soon"], /--delay/],
    [["assess", "--cloud", "c", "--min-score", "abc"], /--min-score.*'abc'/],
    [["drill", "--from", "a", "--to", "b", "--api-concurrency", "-1"], /--api-concurrency/],
  ];
  it.each(bad)("%j is refused with exit 2", async (args, pattern) => {
    expectRefusal(await runCli(args, env(), root), EXIT.USAGE, pattern);
  });

  it("plan and drill refuse to migrate a project into itself", async () => {
    expectRefusal(await runCli(["plan", "--from", "a", "--to", "a"], env(), root), EXIT.USAGE, /into itself/);
    expectRefusal(await runCli(["drill", "--from", "a", "--to", "a"], env(), root), EXIT.USAGE, /into itself/);
  });
});

describe("missing migrations: exit 14", () => {
  const cmds = [["status"], ["verify"], ["rollback", "--yes"], ["report"], ["apply"], ["show"], ["validate"], ["force-unlock", "nosuch", "id"]];
  it.each(cmds)("%s of a migration that does not exist", async (cmd, ...rest) => {
    const args = cmd === "force-unlock" ? [cmd, ...rest] : [cmd, "nosuch", ...rest];
    expectRefusal(await runCli(args, env(), root), EXIT.NOT_FOUND, /"nosuch" not found/);
  });

  it("a name is looked up in the plans folder even when ./NAME exists here", async () => {
    mkdirSync(join(root, "bystander"), { recursive: true });
    writeFileSync(join(root, "bystander", "notes.txt"), "mine");
    expectRefusal(await runCli(["status", "bystander"], env(), root), EXIT.NOT_FOUND, /not found/);
    // …and as an explicit path it is a folder (without a plan: still not found, and nothing written there)
    expectRefusal(await runCli(["show", "./bystander"], env(), root), EXIT.NOT_FOUND, /not found/);
    expect(readdirSync(join(root, "bystander"))).toEqual(["notes.txt"]);
  });
});

describe("--json errors", () => {
  it("an error is one JSON object on stderr", async () => {
    const r = await runCli(["status", "nosuch", "--json"], env(), root);
    expect(r.code).toBe(EXIT.NOT_FOUND);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    const e = JSON.parse(lines[0]!).error;
    expect(e).toMatchObject({ code: "E_NOT_FOUND", exitCode: 14 });
    expect(e.message).toMatch(/nosuch/);
    expect(typeof e.hint).toBe("string");
    expect(Array.isArray(e.details)).toBe(true);
  });

  it("validate and show print their result as JSON on stdout", async () => {
    migration("js");
    const v = await runCli(["validate", "js", "--json"], env(), root);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, steps: 11 });
    const s = await runCli(["show", "js", "--json", "--no-write"], env(), root);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ name: "plain-tenant", formatVersion: 1 });
  });

  it("usage errors too", async () => {
    const r = await runCli(["apply", "x", "--api-concurrency", "abc", "--json"], env(), root);
    expect(r.code).toBe(EXIT.USAGE);
    expect(JSON.parse(r.stderr.trim()).error).toMatchObject({ code: "E_USAGE", exitCode: 2 });
  });
});

describe("state files the user damaged", () => {
  it("a corrupt or truncated state.db: exit 15 naming the file", async () => {
    const dir = migration("corrupt");
    writeFileSync(join(dir, "state.db"), "this is not a database\n".repeat(200));
    for (const cmd of [["status", "corrupt"], ["report", "corrupt"], ["rollback", "corrupt", "--yes"], ["apply", "corrupt"]]) {
      expectRefusal(await runCli(cmd, env(), root), EXIT.LOCAL_FILE, /state\.db.*(corrupt|not a database)/);
    }
    const ok = migration("truncated");
    StateStore.open(join(ok, "state.db")).close();
    const db = new Database(join(ok, "state.db"));
    db.pragma("journal_mode = DELETE");
    db.close();
    const bytes = statSync(join(ok, "state.db")).size;
    writeFileSync(join(ok, "state.db"), Buffer.alloc(Math.floor(bytes / 3), 7));
    expectRefusal(await runCli(["status", "truncated"], env(), root), EXIT.LOCAL_FILE, /state\.db/);
  });

  it("a state.db of a newer schema: exit 15, and the file is left as it was", async () => {
    const dir = migration("newer");
    const s = StateStore.open(join(dir, "state.db"));
    s.setMeta("schema_version", "99");
    s.close();
    for (const cmd of ["status", "report", "apply"]) {
      expectRefusal(await runCli([cmd, "newer"], env(), root), EXIT.LOCAL_FILE, /newer version.*schema 99/);
    }
  });

  it("status opens the state read-only: no chmod, no journal-mode switch", async () => {
    const dir = migration("readonly");
    StateStore.open(join(dir, "state.db")).close();
    const db = new Database(join(dir, "state.db"));
    db.pragma("journal_mode = DELETE");
    db.close();
    chmodSync(join(dir, "state.db"), 0o400);
    const r = await runCli(["status", "readonly"], env(), root);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(dir, "state.db")).mode & 0o777).toBe(0o400);
    const check = new Database(join(dir, "state.db"), { readonly: true });
    expect(check.pragma("journal_mode", { simple: true })).toBe("delete");
    check.close();
    expect(existsSync(join(dir, "state.db-wal"))).toBe(false);
  });

  it("a lock held by another process is exit 8 and is left in place", async () => {
    const dir = migration("locked");
    const s = StateStore.open(join(dir, "state.db"));
    acquireLock(s, "apply", "plain-tenant");
    s.close();
    const r = await runCli(["rollback", "locked", "--yes"], env(), root);
    expect(r.code, r.stderr).toBe(EXIT.LOCKED);
  });
});

describe("plan files the user damaged", () => {
  it("20,000-deep nesting in params: exit 6 with a depth message", async () => {
    const dir = migration("deep");
    const plan = JSON.parse(readFileSync(GOLDEN, "utf8"));
    const first = Object.keys(plan.steps)[0]!;
    const deep = "[".repeat(20_000) + "]".repeat(20_000);
    const text = JSON.stringify(plan, null, 2).replace(`"params": {`, `"params": {\n"deep": ${deep},`);
    writeFileSync(join(dir, "plan.json"), text);
    expect(first).toBeTruthy();
    expectRefusal(await runCli(["validate", "deep"], env(), root), EXIT.PLAN_FILE, /nested more than \d+ levels/);
  });
});
