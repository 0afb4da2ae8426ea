/**
 * Opening a migration leaves nothing behind when it fails: whichever point of
 * the opening fails (plan unreadable, state unopenable, lock held, source or
 * target refusing the password, a cloud giving another project), afterwards
 * no lock row of ours is left, no connected cloud stays open and the state
 * file is not held open by this process (checked in /proc/self/fd, where
 * every SQLite handle shows as an open file). The same holds for apply,
 * verify --deep and rollback, which open through the same routine.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readlinkSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { applyMigration } from "../../src/executor/apply.js";
import { connectCloud } from "../../src/executor/connect.js";
import { openMigration, type Connector, type OpenOptions } from "../../src/executor/open.js";
import { LineProgress } from "../../src/executor/progress.js";
import { rollbackMigration } from "../../src/executor/rollback.js";
import { StateStore } from "../../src/executor/state.js";
import { verifyMigration } from "../../src/executor/verify.js";
import { AuthError, ConfigError, EXIT, LockHeldError, PlanFileError } from "../../src/errors.js";
import { planMigration } from "../../src/journeys/plan-migration.js";
import { emptyMapping } from "../../src/mapping/mapping-file.js";
import { JOURNEY_TIMEOUT_MS } from "../helpers/journey.js";
import { startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let e: SimEnv;
/** A planned migration folder that each case copies. */
let planned: string;
/** A clouds.yaml whose given cloud has a wrong password. */
let badPassword: (cloud: string) => string;
let cases = 0;

beforeAll(async () => {
  e = await startSimEnv();
  planned = join(e.plans, "planned");
  mkdirSync(planned, { recursive: true });
  const [src, dst] = [await e.connect("src"), await e.connect("dst")];
  try {
    await planMigration({ name: "planned", dir: planned, source: src, target: dst, mapping: emptyMapping() });
  } finally {
    src.close();
    dst.close();
  }
  badPassword = (cloud) => {
    const cfg = parse(readFileSync(e.cfg, "utf8")) as { clouds: Record<string, { auth: { password?: string } }> };
    cfg.clouds[cloud]!.auth.password = "not-the-password";
    const path = join(e.dir, `bad-${cloud}.yaml`);
    writeFileSync(path, stringify(cfg), { mode: 0o600 });
    return path;
  };
}, JOURNEY_TIMEOUT_MS);
afterAll(async () => {
  await e?.close();
});

/** A fresh copy of the planned migration. */
function freshMigration(): string {
  const dir = join(e.plans, `case-${++cases}`);
  cpSync(planned, dir, { recursive: true });
  return dir;
}

/** Paths this process holds open under `dir` (Linux: /proc/self/fd). */
function openFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch {
      // the fd closed while listing
    }
  }
  return out;
}

/** A connector that records which clouds it handed out and which were closed again. */
function trackingConnector(inner: Connector): { connect: Connector; open: () => string[] } {
  const live = new Map<number, string>();
  let n = 0;
  const connect: Connector = async (name) => {
    const cloud = await inner(name);
    const id = ++n;
    live.set(id, name);
    const close = cloud.close.bind(cloud);
    cloud.close = () => {
      live.delete(id);
      close();
    };
    return cloud;
  };
  return { connect, open: () => [...live.values()] };
}

const viaConfig = (cfg: string): Connector => (name) => connectCloud(name, { configFile: cfg });

/** The lock row left in a migration's state (opened and closed again just to look). */
function lockLeft(dir: string): string | null {
  const file = join(dir, "state.db");
  if (!existsSync(file)) return null;
  const state = StateStore.open(file);
  try {
    return state.readLock()?.id ?? null;
  } finally {
    state.close();
  }
}

interface FailureCase {
  point: string;
  /** Prepares the folder; returns the connector to use. */
  arrange: (dir: string) => Connector;
  error: new (...args: never[]) => Error;
  exitCode?: number;
}

const FAILURES: FailureCase[] = [
  {
    point: "plan unreadable",
    arrange: (dir) => {
      writeFileSync(join(dir, "plan.json"), "{ not json");
      return e.connect;
    },
    error: PlanFileError,
    exitCode: EXIT.PLAN_FILE,
  },
  {
    point: "state unopenable (not a database)",
    arrange: (dir) => {
      writeFileSync(join(dir, "state.db"), "this is not an SQLite file ".repeat(200));
      return e.connect;
    },
    error: Error,
  },
  {
    point: "state unopenable (written by a newer version)",
    arrange: (dir) => {
      const state = StateStore.open(join(dir, "state.db"));
      state.setMeta("schema_version", "999");
      state.close();
      return e.connect;
    },
    error: Error,
  },
  { point: "source refuses the password", arrange: () => viaConfig(badPassword("src")), error: AuthError, exitCode: EXIT.AUTH },
  { point: "target refuses the password", arrange: () => viaConfig(badPassword("dst")), error: AuthError, exitCode: EXIT.AUTH },
  {
    point: "target gives another project",
    arrange: () => (name) => e.connect(name === "dst" ? "src" : name),
    error: ConfigError,
    exitCode: EXIT.CONFIG,
  },
];

describe("openMigration releases everything when the opening fails", () => {
  it.each(FAILURES)("$point", async (c) => {
    const dir = freshMigration();
    const tracked = trackingConnector(c.arrange(dir));
    const err = await openMigration(dir, { lock: "apply", connect: tracked.connect }).then(
      () => null,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(c.error);
    if (c.exitCode !== undefined) expect((err as { exitCode: number }).exitCode).toBe(c.exitCode);
    expect(tracked.open(), "clouds left connected").toEqual([]);
    expect(openFilesUnder(dir), "files left open").toEqual([]);
    if (!c.point.startsWith("state")) expect(lockLeft(dir), "lock row left").toBeNull();
  }, JOURNEY_TIMEOUT_MS);

  it("lock held by another run: refused, that run's lock untouched, nothing of ours left", async () => {
    const dir = freshMigration();
    const other = StateStore.open(join(dir, "state.db"));
    const taken = other.tryLock("apply", () => false);
    other.close();
    expect(taken.ok).toBe(true);
    const tracked = trackingConnector(e.connect);
    const err = await openMigration(dir, { lock: "rollback", connect: tracked.connect }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).exitCode).toBe(EXIT.LOCKED);
    expect(tracked.open()).toEqual([]);
    expect(openFilesUnder(dir)).toEqual([]);
    expect(lockLeft(dir)).toBe(taken.ok ? taken.lock.id : "?");
  });

  it("a check of the caller failing after the lock was taken releases it too", async () => {
    const dir = freshMigration();
    const opts: OpenOptions = {
      lock: "apply",
      checkState: () => {
        throw new ConfigError("refused by the caller");
      },
    };
    await expect(openMigration(dir, opts)).rejects.toThrow("refused by the caller");
    expect(openFilesUnder(dir)).toEqual([]);
    expect(lockLeft(dir)).toBeNull();
  });

  it("opens, holds the lock until close(), and close() twice is harmless", async () => {
    const dir = freshMigration();
    const tracked = trackingConnector(e.connect);
    const m = await openMigration(dir, { lock: "apply", connect: tracked.connect });
    expect(m.state.readLock()?.id).toBe(m.lock!.info.id);
    expect(m.source.projectId).toBe(m.plan.source.project_id);
    expect(tracked.open().sort()).toEqual(["dst", "src"]);
    expect(openFilesUnder(dir).length).toBeGreaterThan(0);
    m.close();
    m.close();
    expect(tracked.open()).toEqual([]);
    expect(openFilesUnder(dir)).toEqual([]);
    expect(lockLeft(dir)).toBeNull();
  });
});

describe("apply, verify --deep and rollback leave no lock and no open state when a cloud refuses them", () => {
  const quiet = new LineProgress(() => {});
  const runs: [string, (dir: string, connect: Connector) => Promise<unknown>][] = [
    ["apply", (dir, connect) => applyMigration(dir, { connect, reporter: quiet, pollMs: 10 })],
    ["verify --deep", (dir, connect) => verifyMigration(dir, { connect, reporter: quiet, deep: true, pollMs: 10 })],
    ["rollback", (dir, connect) => rollbackMigration(dir, { connect, reporter: quiet, pollMs: 10 })],
  ];
  it.each(runs)("%s", async (_name, run) => {
    const dir = freshMigration();
    StateStore.open(join(dir, "state.db")).close();
    for (const cloud of ["src", "dst"]) {
      const tracked = trackingConnector(viaConfig(badPassword(cloud)));
      await expect(run(dir, tracked.connect)).rejects.toBeInstanceOf(AuthError);
      expect(tracked.open()).toEqual([]);
      expect(openFilesUnder(dir)).toEqual([]);
      expect(lockLeft(dir)).toBeNull();
    }
  }, JOURNEY_TIMEOUT_MS);
});
