/**
 * The state store of one migration: `migrations-plans/NAME/state.db`, SQLite
 * through better-sqlite3 (the only file that touches it), WAL mode, file mode
 * 0600. It records runs, the current status of every step, the source→target
 * id map, data transfers, temporary resources (so a crash never leaks a
 * snapshot), the lock, and an append-only event log.
 *
 * Every write is one short transaction, and an intent ("running") is written
 * before each side effect: killing the process at any instant leaves a state
 * from which `apply` converges.
 */
import Database from "better-sqlite3";
import { chmodSync, existsSync, openSync, closeSync } from "node:fs";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { redact, redactDeep } from "../log.js";
import { LocalFileError, localFileError, type LockInfo } from "../errors.js";

export const STATE_SCHEMA_VERSION = 1;

/** "interrupted": a step cut off by Ctrl-C or a killed process; the next apply runs it again. */
export type StepStatus = "pending" | "running" | "done" | "failed" | "blocked" | "skipped" | "interrupted";
export type StepOutcome = "created" | "adopted" | "unchanged" | "skipped";
export type RunStatus = "running" | "completed" | "partially_failed" | "failed" | "interrupted";
export type RunKind = "apply" | "rollback" | "verify" | "drill";

export interface StepRow {
  step_id: string;
  kind: string;
  status: StepStatus;
  outcome: StepOutcome | null;
  attempts: number;
  target_id: string | null;
  error: string | null;
  warnings: string[];
  started_at: string | null;
  finished_at: string | null;
  run_id: number | null;
  data: Record<string, unknown>;
}

export interface RunRow {
  id: number;
  kind: RunKind;
  plan_digest: string;
  tool_version: string;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  options: Record<string, unknown>;
  summary: Record<string, unknown>;
}

export interface TransferRow {
  id: string;
  step_id: string;
  label: string;
  bytes_total: number | null;
  bytes_done: number;
  source_md5: string | null;
  target_md5: string | null;
  source_sha512: string | null;
  target_sha512: string | null;
  status: "running" | "done" | "failed" | "interrupted";
  started_at: string;
  finished_at: string | null;
}

export interface TempRow {
  id: number;
  step_id: string;
  side: "source" | "target";
  kind: string;
  resource_id: string;
  created_at: string;
  deleted_at: string | null;
}

export interface EventRow {
  id: number;
  ts: string;
  run_id: number | null;
  step_id: string | null;
  type: string;
  data: Record<string, unknown>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  plan_digest TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  options_json TEXT NOT NULL DEFAULT '{}',
  summary_json TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS steps (
  step_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  outcome TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  target_id TEXT,
  error TEXT,
  warnings_json TEXT NOT NULL DEFAULT '[]',
  data_json TEXT NOT NULL DEFAULT '{}',
  started_at TEXT,
  finished_at TEXT,
  run_id INTEGER
);
CREATE TABLE IF NOT EXISTS id_map (
  step_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  source_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  extra_json TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS transfers (
  id TEXT PRIMARY KEY,
  step_id TEXT NOT NULL,
  label TEXT NOT NULL,
  bytes_total INTEGER,
  bytes_done INTEGER NOT NULL DEFAULT 0,
  source_md5 TEXT, target_md5 TEXT, source_sha512 TEXT, target_sha512 TEXT,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE TABLE IF NOT EXISTS temps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  step_id TEXT NOT NULL,
  side TEXT NOT NULL,
  kind TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts TEXT NOT NULL,
  run_id INTEGER,
  step_id TEXT,
  type TEXT NOT NULL,
  data_json TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS lock (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  lock_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  who TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  created_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run ON events(run_id);
CREATE INDEX IF NOT EXISTS temps_step ON temps(step_id);
`;

/** Refuses a state file written by a newer version of the tool (its schema may mean other things). */
function checkSchemaVersion(db: Database.Database, path: string): void {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  if (row && Number(row.value) > STATE_SCHEMA_VERSION) {
    throw new LocalFileError("E_STATE_NEWER", `${path} was written by a newer version of scs-migrate (state schema ${row.value}; this version reads ${STATE_SCHEMA_VERSION})`, {
      hint: "Use the scs-migrate version that applied this migration (or a newer one).",
    });
  }
}

/** The user-facing error for a state file that cannot be opened (corrupt, truncated, read-only, disk full). */
function stateOpenError(err: unknown, path: string): unknown {
  if (err instanceof LocalFileError) return err;
  return localFileError(err, path) ?? err;
}

const now = () => new Date().toISOString();
const parse = <T>(s: string | null | undefined, dflt: T): T => (s ? (JSON.parse(s) as T) : dflt);

/** The state of one migration, backed by SQLite. */
export class StateStore {
  private readonly db: Database.Database;

  private readonly stmts = new Map<string, Database.Statement>();

  private constructor(db: Database.Database, readonly path: string) {
    this.db = db;
  }

  /** A cached prepared statement (preparing per call would dominate small writes). */
  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Opens (creating if needed) the state file with mode 0600, WAL and the current schema. */
  static open(path: string): StateStore {
    let db: Database.Database | undefined;
    try {
      if (!existsSync(path)) {
        // Why: create the file with 0600 before SQLite does, so no other user can ever read it.
        closeSync(openSync(path, "a", 0o600));
      }
      chmodSync(path, 0o600);
      db = new Database(path);
      StateStore.initialise(db, path);
      for (const suffix of ["-wal", "-shm"]) {
        if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
      }
      return new StateStore(db, path);
    } catch (err) {
      // Why: a file that is not a database (or of a newer schema) must not stay open behind the error.
      db?.close();
      throw stateOpenError(err, path);
    }
  }

  /**
   * Opens an existing state file for reading only (status): no chmod, no
   * journal-mode switch, no schema writes, so it works on a read-only copy and
   * never changes the file under a running apply.
   */
  static openReadOnly(path: string): StateStore {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma("busy_timeout = 5000");
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'meta'").get()) {
        throw new LocalFileError("E_STATE_CORRUPT", `${path} holds no scs-migrate state (empty, or another database)`, {
          hint: "If an apply died before writing anything, remove the file and run `scs-migrate apply` again.",
        });
      }
      checkSchemaVersion(db, path);
      return new StateStore(db, path);
    } catch (err) {
      db?.close();
      throw stateOpenError(err, path);
    }
  }

  /** WAL, timeouts and the current schema on a freshly opened database. */
  private static initialise(db: Database.Database, path: string): void {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    // Why first: a newer tool's state must be refused before this one adds its tables to it.
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'meta'").get()) checkSchemaVersion(db, path);
    db.exec(SCHEMA);
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
    if (!row) db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(STATE_SCHEMA_VERSION));
  }

  close(): void {
    this.db.close();
  }

  /** Runs fn in one IMMEDIATE transaction. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  getMeta(key: string): string | undefined {
    const r = this.stmt("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return r?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  deleteMeta(key: string): void {
    this.stmt("DELETE FROM meta WHERE key = ?").run(key);
  }

  /** Meta entries whose key starts with prefix. */
  metaWithPrefix(prefix: string): { key: string; value: string }[] {
    return this.stmt("SELECT key, value FROM meta WHERE key LIKE ? ORDER BY key").all(prefix.replace(/[%_]/g, "") + "%") as { key: string; value: string }[];
  }

  // ---------------------------------------------------------------- runs ---

  startRun(kind: RunKind, planDigest: string, toolVersion: string, options: Record<string, unknown>): number {
    const info = this.stmt("INSERT INTO runs (kind, plan_digest, tool_version, started_at, status, options_json) VALUES (?, ?, ?, ?, 'running', ?)")
      .run(kind, planDigest, toolVersion, now(), JSON.stringify(redactDeep(options)));
    return Number(info.lastInsertRowid);
  }

  finishRun(id: number, status: RunStatus, summary: Record<string, unknown>): void {
    this.stmt("UPDATE runs SET status = ?, finished_at = ?, summary_json = ? WHERE id = ?")
      .run(status, now(), JSON.stringify(redactDeep(summary)), id);
  }

  /**
   * Marks runs left "running" by a process that died as interrupted, with
   * their steps and transfers (no run is live while the caller holds the lock).
   */
  markInterruptedRuns(): number {
    return this.tx(() => {
      const t = now();
      const n = this.stmt("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'").run(t).changes;
      this.markInterruptedWork();
      return n;
    });
  }

  /**
   * Steps and transfers still "running" once their run is over were cut off:
   * they become interrupted. No finish time: when they really stopped is not
   * known, and the report's timeline takes a run's end from its last trace.
   */
  markInterruptedWork(): void {
    this.stmt("UPDATE steps SET status = 'interrupted' WHERE status = 'running'").run();
    this.stmt("UPDATE transfers SET status = 'interrupted' WHERE status = 'running'").run();
  }

  listRuns(): RunRow[] {
    return (this.stmt("SELECT * FROM runs ORDER BY id").all() as Record<string, any>[]).map((r) => ({
      id: r.id,
      kind: r.kind,
      plan_digest: r.plan_digest,
      tool_version: r.tool_version,
      started_at: r.started_at,
      finished_at: r.finished_at,
      status: r.status,
      options: parse(r.options_json, {}),
      summary: parse(r.summary_json, {}),
    }));
  }

  /**
   * The plan digest the first apply run of the current generation recorded;
   * resuming with another plan is refused. A completed rollback ends a
   * generation: what the earlier plan made is gone, so the next plan starts
   * afresh (and an interrupted apply of it resumes with it).
   */
  firstPlanDigest(): string | undefined {
    const r = this.stmt(
      "SELECT plan_digest FROM runs WHERE kind = 'apply' AND id > COALESCE((SELECT MAX(id) FROM runs WHERE kind = 'rollback' AND status = 'completed'), 0) ORDER BY id LIMIT 1",
    ).get() as { plan_digest: string } | undefined;
    return r?.plan_digest;
  }

  // --------------------------------------------------------------- steps ---

  /** Adds rows for steps not yet known (status pending); existing rows are kept. */
  ensureSteps(steps: { id: string; kind: string }[]): void {
    const ins = this.stmt("INSERT OR IGNORE INTO steps (step_id, kind, status) VALUES (?, ?, 'pending')");
    this.tx(() => {
      for (const s of steps) ins.run(s.id, s.kind);
    });
  }

  getStep(id: string): StepRow | undefined {
    const r = this.stmt("SELECT * FROM steps WHERE step_id = ?").get(id) as Record<string, any> | undefined;
    return r ? toStepRow(r) : undefined;
  }

  listSteps(): StepRow[] {
    return (this.stmt("SELECT * FROM steps ORDER BY step_id").all() as Record<string, any>[]).map(toStepRow);
  }

  /** Intent: the step is about to act on a cloud. Written before any side effect. */
  markRunning(id: string, runId: number): void {
    this.stmt(
        "UPDATE steps SET status = 'running', attempts = attempts + 1, run_id = ?, started_at = COALESCE(started_at, ?), error = NULL WHERE step_id = ?",
      )
      .run(runId, now(), id);
  }

  markDone(id: string, outcome: StepOutcome, targetId: string | null, warnings: string[] = []): void {
    this.stmt("UPDATE steps SET status = 'done', outcome = ?, target_id = ?, warnings_json = ?, finished_at = ?, error = NULL WHERE step_id = ?")
      .run(outcome, targetId, JSON.stringify(warnings.map(redact)), now(), id);
  }

  markFailed(id: string, error: string): void {
    this.stmt("UPDATE steps SET status = 'failed', error = ?, finished_at = ? WHERE step_id = ?").run(redact(error), now(), id);
  }

  markBlocked(id: string, because: string): void {
    this.stmt("UPDATE steps SET status = 'blocked', error = ?, finished_at = NULL WHERE step_id = ?").run(redact(because), id);
  }

  markSkipped(id: string, reason: string): void {
    this.stmt("UPDATE steps SET status = 'skipped', outcome = 'skipped', error = NULL, warnings_json = ?, finished_at = COALESCE(finished_at, ?) WHERE step_id = ?")
      .run(JSON.stringify([reason]), now(), id);
  }

  /** Sets a step back to pending (rollback of its resource, or retry of a failed/blocked step). */
  resetStep(id: string): void {
    this.stmt("UPDATE steps SET status = 'pending', outcome = NULL, target_id = NULL, error = NULL, started_at = NULL, finished_at = NULL WHERE step_id = ?")
      .run(id);
  }

  /** Forgets a step's scratch data (after rollback removed what the step made). */
  clearStepData(id: string): void {
    this.stmt("UPDATE steps SET data_json = '{}' WHERE step_id = ?").run(id);
  }

  /** Per-step scratch data that must survive a crash (e.g. "source server was stopped by us"). */
  setStepData(id: string, patch: Record<string, unknown>): void {
    this.tx(() => {
      const row = this.stmt("SELECT data_json FROM steps WHERE step_id = ?").get(id) as { data_json: string } | undefined;
      const data = { ...parse<Record<string, unknown>>(row?.data_json, {}), ...redactDeep(patch) };
      this.stmt("UPDATE steps SET data_json = ? WHERE step_id = ?").run(JSON.stringify(data), id);
    });
  }

  // -------------------------------------------------------------- id map ---

  mapId(stepId: string, kind: string, sourceId: string, targetId: string, extra: Record<string, unknown> = {}): void {
    this.stmt(
        "INSERT INTO id_map (step_id, kind, source_id, target_id, extra_json) VALUES (?, ?, ?, ?, ?) ON CONFLICT(step_id) DO UPDATE SET target_id = excluded.target_id, extra_json = excluded.extra_json",
      )
      .run(stepId, kind, sourceId, targetId, JSON.stringify(redactDeep(extra)));
  }

  unmapId(stepId: string): void {
    this.stmt("DELETE FROM id_map WHERE step_id = ?").run(stepId);
  }

  /** The id map entry of one step. */
  mapped(stepId: string): { kind: string; source_id: string; target_id: string; extra: Record<string, unknown> } | undefined {
    const r = this.stmt("SELECT * FROM id_map WHERE step_id = ?").get(stepId) as Record<string, any> | undefined;
    return r ? { kind: r.kind, source_id: r.source_id, target_id: r.target_id, extra: parse(r.extra_json, {}) } : undefined;
  }

  idMap(): Map<string, { kind: string; source_id: string; target_id: string; extra: Record<string, unknown> }> {
    const out = new Map<string, { kind: string; source_id: string; target_id: string; extra: Record<string, unknown> }>();
    for (const r of this.stmt("SELECT * FROM id_map").all() as Record<string, any>[]) {
      out.set(r.step_id, { kind: r.kind, source_id: r.source_id, target_id: r.target_id, extra: parse(r.extra_json, {}) });
    }
    return out;
  }

  // ----------------------------------------------------------- transfers ---

  startTransfer(stepId: string, label: string, bytesTotal: number | null): string {
    const id = randomUUID();
    this.stmt("INSERT INTO transfers (id, step_id, label, bytes_total, bytes_done, status, started_at) VALUES (?, ?, ?, ?, 0, 'running', ?)")
      .run(id, stepId, label, bytesTotal, now());
    return id;
  }

  updateTransfer(id: string, bytesDone: number): void {
    this.stmt("UPDATE transfers SET bytes_done = ? WHERE id = ?").run(bytesDone, id);
  }

  finishTransfer(
    id: string,
    r: { status: "done" | "failed"; bytesDone: number; sourceMd5?: string | null; targetMd5?: string | null; sourceSha512?: string | null; targetSha512?: string | null },
  ): void {
    this.stmt(
        "UPDATE transfers SET status = ?, bytes_done = ?, source_md5 = ?, target_md5 = ?, source_sha512 = ?, target_sha512 = ?, finished_at = ? WHERE id = ?",
      )
      .run(r.status, r.bytesDone, r.sourceMd5 ?? null, r.targetMd5 ?? null, r.sourceSha512 ?? null, r.targetSha512 ?? null, now(), id);
  }

  listTransfers(): TransferRow[] {
    return this.stmt("SELECT * FROM transfers ORDER BY started_at").all() as TransferRow[];
  }

  // --------------------------------------------------------------- temps ---

  /** Records a temporary resource BEFORE relying on it, so cleanup finds it after a crash. */
  addTemp(stepId: string, side: "source" | "target", kind: string, resourceId: string): number {
    const info = this.stmt("INSERT INTO temps (step_id, side, kind, resource_id, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(stepId, side, kind, resourceId, now());
    return Number(info.lastInsertRowid);
  }

  markTempDeleted(id: number): void {
    this.stmt("UPDATE temps SET deleted_at = ? WHERE id = ?").run(now(), id);
  }

  liveTemps(stepId?: string): TempRow[] {
    const sql = stepId
      ? "SELECT * FROM temps WHERE deleted_at IS NULL AND step_id = ? ORDER BY id DESC"
      : "SELECT * FROM temps WHERE deleted_at IS NULL ORDER BY id DESC";
    return (stepId ? this.stmt(sql).all(stepId) : this.stmt(sql).all()) as TempRow[];
  }

  // -------------------------------------------------------------- events ---

  event(runId: number | null, stepId: string | null, type: string, data: Record<string, unknown> = {}): void {
    this.stmt("INSERT INTO events (ts, run_id, step_id, type, data_json) VALUES (?, ?, ?, ?, ?)")
      .run(now(), runId, stepId, type, JSON.stringify(redactDeep(data)));
  }

  listEvents(runId?: number): EventRow[] {
    const rows = (runId === undefined
      ? this.stmt("SELECT * FROM events ORDER BY id").all()
      : this.stmt("SELECT * FROM events WHERE run_id = ? ORDER BY id").all(runId)) as Record<string, any>[];
    return rows.map((r) => ({ id: r.id, ts: r.ts, run_id: r.run_id, step_id: r.step_id, type: r.type, data: parse(r.data_json, {}) }));
  }

  // ---------------------------------------------------------------- lock ---

  readLock(): LockInfo | undefined {
    const r = this.stmt("SELECT * FROM lock WHERE singleton = 1").get() as Record<string, any> | undefined;
    return r
      ? { id: r.lock_id, operation: r.operation, who: r.who, pid: r.pid, host: r.host, createdAt: r.created_at, heartbeatAt: r.heartbeat_at }
      : undefined;
  }

  /**
   * Takes the lock when it is free or when `isStale(current)` says so, in one
   * transaction. Returns the new lock and the one it replaced (if any), or the
   * holder when the lock is live.
   */
  tryLock(
    operation: string,
    isStale: (l: LockInfo) => boolean,
  ): { ok: true; lock: LockInfo; replaced?: LockInfo } | { ok: false; holder: LockInfo } {
    return this.tx(() => {
      const cur = this.readLock();
      if (cur && !isStale(cur)) return { ok: false as const, holder: cur };
      const t = now();
      const lock: LockInfo = {
        id: randomUUID(),
        operation,
        who: `${process.env.USER ?? process.env.LOGNAME ?? "unknown"}@${hostname()}`,
        pid: process.pid,
        host: hostname(),
        createdAt: t,
        heartbeatAt: t,
      };
      this.stmt("DELETE FROM lock").run();
      this.stmt("INSERT INTO lock (singleton, lock_id, operation, who, pid, host, created_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)")
        .run(lock.id, lock.operation, lock.who, lock.pid, lock.host, lock.createdAt, lock.heartbeatAt);
      return cur ? { ok: true as const, lock, replaced: cur } : { ok: true as const, lock };
    });
  }

  heartbeat(lockId: string): boolean {
    return this.stmt("UPDATE lock SET heartbeat_at = ? WHERE lock_id = ?").run(now(), lockId).changes === 1;
  }

  releaseLock(lockId: string): boolean {
    return this.stmt("DELETE FROM lock WHERE lock_id = ?").run(lockId).changes === 1;
  }
}

function toStepRow(r: Record<string, any>): StepRow {
  return {
    step_id: r.step_id,
    kind: r.kind,
    status: r.status,
    outcome: r.outcome,
    attempts: r.attempts,
    target_id: r.target_id,
    error: r.error,
    warnings: parse(r.warnings_json, []),
    started_at: r.started_at,
    finished_at: r.finished_at,
    run_id: r.run_id,
    data: parse(r.data_json, {}),
  };
}
