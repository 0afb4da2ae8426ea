/**
 * A full disk and an interrupt end a command with their own message and
 * exit code, leave no temporary files and no lock behind. The full disk is a
 * real one: a 256 KiB tmpfs (needs root and mount; skipped with a message
 * otherwise).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { StateStore } from "../../src/executor/state.js";
import { runCli, startCli } from "../helpers/cli.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let e: SimEnv;
let tmpfs: string | undefined;

/** Mounts a small tmpfs, or says why it cannot. */
function mountTmpfs(dir: string, size: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    console.warn("cannot mount a tmpfs here (needs root); the real full-disk cases are skipped");
    return undefined;
  }
}

/** Fills the tmpfs up to `leave` bytes, so the next bigger write fails with ENOSPC. */
function fill(dir: string, leave: number): void {
  const free = Number(execFileSync("df", ["--output=avail", "-B1", dir], { encoding: "utf8" }).trim().split("\n").pop());
  if (free > leave) writeFileSync(join(dir, "filler"), Buffer.alloc(free - leave));
}

const tempsIn = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.tmp/.test(f));

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src", "fixtures/tenants/small.yaml");
  tmpfs = mountTmpfs(join(e.dir, "full"), "256k");
});
afterAll(async () => {
  if (tmpfs) execFileSync("umount", [tmpfs]);
  await e.close();
});

describe("a full disk", () => {
  it("during plan: exit 15, one line naming the file, no temporary files", async (ctx) => {
    if (!tmpfs) return ctx.skip();
    fill(tmpfs, 8192);
    const r = await runCli(["plan", "--from", "src", "--to", "dst", "--name", "full"], { ...e.env, SCS_MIGRATE_PLANS_DIR: tmpfs });
    expect(r.code, r.stderr).toBe(EXIT.LOCAL_FILE);
    expect(r.stderr).toMatch(/^scs-migrate: .*no space left on the device \(ENOSPC\)/);
    expect(r.stderr).toMatch(/\nhint: Free some space/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(tempsIn(tmpfs)).toEqual([]);
    rmSync(join(tmpfs, "filler"), { force: true });
    rmSync(join(tmpfs, "full"), { recursive: true, force: true });
  });

  it("during report: exit 15, no temporary files", async (ctx) => {
    if (!tmpfs) return ctx.skip();
    const planned = await runCli(["plan", "--from", "src", "--to", "dst", "--name", "rep", "-q"], e.env);
    expect(planned.code, planned.stderr).toBe(0);
    const dir = join(tmpfs, "rep");
    mkdirSync(dir);
    cpSync(join(e.plans, "rep", "plan.json"), join(dir, "plan.json"));
    StateStore.open(join(dir, "state.db")).close();
    fill(tmpfs, 0); // the first report file cannot be written
    const r = await runCli(["report", dir], e.env);
    expect(r.code, r.stderr).toBe(EXIT.LOCAL_FILE);
    expect(r.stderr).toMatch(/no space left|disk I\/O error/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(tempsIn(tmpfs)).toEqual([]);
    rmSync(join(tmpfs, "filler"));
    rmSync(dir, { recursive: true });
  });
});

describe("a full disk during apply", () => {
  it.for([0, 40 * 1024])("with %i bytes free: no internal error, no stack trace, no lock left", async (free, ctx) => {
    if (!tmpfs) return ctx.skip();
    const name = `ap${free}`;
    const planned = await runCli(["plan", "--from", "src", "--to", "dst", "--name", name, "-q"], e.env);
    expect(planned.code, planned.stderr).toBe(0);
    const dir = join(tmpfs, name);
    mkdirSync(dir);
    cpSync(join(e.plans, name, "plan.json"), join(dir, "plan.json"));
    fill(tmpfs, free);
    const r = await runCli(["apply", dir, "--poll-ms", "10"], e.env);
    rmSync(join(tmpfs, "filler"), { force: true });
    expect(r.code, r.stderr).not.toBe(EXIT.INTERNAL);
    expect(r.code, r.stderr).not.toBe(EXIT.OK);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    try {
      const state = StateStore.openReadOnly(join(dir, "state.db"));
      try {
        expect(state.readLock()).toBeUndefined();
      } finally {
        state.close();
      }
    } catch (err) {
      expect(String(err)).toMatch(/state\.db/); // never created: no lock either
    }
    // What the cloud got is rolled back so the next cases start from the same target.
    await runCli(["rollback", dir, "--yes", "--poll-ms", "10"], e.env);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("files go where they should", () => {
  it("--out naming a folder: exit 15 with its own line, not an internal error", async () => {
    const r = await runCli(["inventory", "--cloud", "src", "--out", e.dir], e.env);
    expect(r.code, r.stderr).toBe(EXIT.LOCAL_FILE);
    expect(r.stderr).toMatch(/^scs-migrate: .*is a folder, not a file/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("plan folders and their files are owner-only, and ./NAME in the working directory is left alone", async () => {
    const cwd = join(e.dir, "work");
    mkdirSync(join(cwd, "own"), { recursive: true });
    writeFileSync(join(cwd, "own", "plan.txt"), "mine");
    const r = await runCli(["plan", "--from", "src", "--to", "dst", "--name", "own", "-q"], e.env, cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, "own", "plan.txt"), "utf8")).toBe("mine");
    expect(statSync(join(e.plans, "own")).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(join(e.plans, "own"))) expect(statSync(join(e.plans, "own", f)).mode & 0o077, f).toBe(0);
  });
});

describe("drill output", () => {
  it("--json writes exactly one line when stdout is not a terminal (the cron .jsonl)", async () => {
    const r = await runCli(["drill", "--from", "src", "--to", "dst", "--name", "d1", "--json", "--poll-ms", "10"], e.env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ name: "d1", status: "passed" });
  });

  it("an unknown cloud: exit 3 (configuration, nothing was tried) with the cause named in the summary", async () => {
    const r = await runCli(["drill", "--from", "nosuch", "--to", "dst", "--name", "d2", "--json"], e.env);
    expect(r.code, r.stderr).toBe(EXIT.CONFIG);
    const summary = JSON.parse(r.stdout.trim());
    expect(summary).toMatchObject({ status: "failed", failedPhase: "plan" });
    expect(summary.errors.join(" ")).toMatch(/cloud "nosuch" not found/);
  });
});

describe("interrupts", () => {
  it("Ctrl-C during rollback: a message, exit 130, the lock released, the run marked interrupted", async () => {
    const p = await runCli(["plan", "--from", "src", "--to", "dst", "--name", "rb", "-q"], e.env);
    expect(p.code, p.stderr).toBe(0);
    const a = await runCli(["apply", "rb", "--poll-ms", "10"], e.env);
    expect(a.code, a.stderr).toBe(0);
    // Slow polling keeps the rollback waiting on its first deletions long enough to interrupt it.
    const { child, done } = startCli(["rollback", "rb", "--yes", "--json", "--poll-ms", "3000"], e.env);
    await new Promise<void>((resolve) => child.stdout!.on("data", (d: Buffer) => String(d).includes("run-start") && resolve()));
    child.kill("SIGINT");
    const r = await done;
    expect(r.code, r.stderr).toBe(EXIT.INTERRUPTED);
    expect(r.stderr).toMatch(/Interrupted \(SIGINT\): rollback of rb stopped/);
    const state = StateStore.openReadOnly(join(e.plans, "rb", "state.db"));
    try {
      expect(state.readLock()).toBeUndefined();
      expect(state.listRuns().at(-1)).toMatchObject({ kind: "rollback", status: "interrupted" });
    } finally {
      state.close();
    }
    expect(tempsIn(join(e.plans, "rb"))).toEqual([]);
    // …and running it again finishes the job.
    const again = await runCli(["rollback", "rb", "--yes", "--poll-ms", "10"], e.env);
    expect(again.code, again.stderr).toBe(0);
  });

  it("Ctrl-C during plan: a message, exit 130, no folder left behind", async () => {
    const { child, done } = startCli(["-v", "plan", "--from", "src", "--to", "dst", "--name", "cut"], e.env);
    // The first request logged means the handlers are in place (they are installed before connecting).
    await new Promise<void>((resolve) => child.stderr!.on("data", () => resolve()));
    child.kill("SIGTERM");
    const r = await done;
    expect(r.code, r.stderr).toBe(EXIT.INTERRUPTED);
    expect(r.stderr).toMatch(/Interrupted \(SIGTERM\): planning of cut stopped/);
    expect(readdirSync(e.plans)).not.toContain("cut");
  });
});
