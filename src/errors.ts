/**
 * Error classes and exit codes. Every error a user can cause or meet has a
 * class here with a stable code; the CLI's single handler maps the class to an
 * exit code and prints one line (plus an optional hint), never a stack trace.
 */

/** Exit codes, documented in README.md ("Exit codes"). Never renumber. */
export const EXIT = {
  OK: 0,
  /** A remote API failed in a way that is not one of the cases below. */
  FAILURE: 1,
  USAGE: 2,
  CONFIG: 3,
  AUTH: 4,
  UNREACHABLE: 5,
  PLAN_FILE: 6,
  PLAN_STALE: 7,
  LOCKED: 8,
  PLAN_BLOCKED: 9,
  PARTIALLY_FAILED: 10,
  RUN_FAILED: 11,
  VERIFY_MISMATCH: 12,
  DRILL_FAILED: 13,
  NOT_FOUND: 14,
  /** A local file or folder the tool must use is unusable: disk full, read-only, corrupt, a folder where a file belongs. */
  LOCAL_FILE: 15,
  INTERNAL: 70,
  INTERRUPTED: 130,
} as const;

/** The base of every error the tool raises on purpose. */
export abstract class MigrateError extends Error {
  abstract readonly code: string;
  readonly exitCode: number = EXIT.FAILURE;
  /** A full sentence telling the user what to do next. */
  hint?: string;
  /** Extra lines printed under the message (e.g. every issue in a plan file). */
  details: string[] = [];

  constructor(message: string, opts: { hint?: string; cause?: unknown; details?: string[] } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.details) this.details = opts.details;
  }
}

export class UsageError extends MigrateError {
  readonly code = "E_USAGE";
  override readonly exitCode = EXIT.USAGE;
}

/** clouds.yaml, secure.yaml, OS_* variables, mapping files, tenant specs. */
export class ConfigError extends MigrateError {
  readonly code = "E_CONFIG";
  override readonly exitCode = EXIT.CONFIG;
}

/** Keystone refused the credentials, or a token could not be renewed. */
export class AuthError extends MigrateError {
  readonly code = "E_AUTH";
  override readonly exitCode = EXIT.AUTH;
}

/** An endpoint could not be reached at all (DNS, refused, TLS, timeouts after retries). */
export class UnreachableError extends MigrateError {
  readonly code = "E_UNREACHABLE";
  override readonly exitCode = EXIT.UNREACHABLE;
}

/** A plan file is unreadable, fails its schema or semantic checks, or has another format version. */
export class PlanFileError extends MigrateError {
  readonly code = "E_PLAN_FILE";
  override readonly exitCode = EXIT.PLAN_FILE;
  constructor(message: string, readonly issues: string[] = [], opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...opts, details: issues });
  }
}

/** The source changed since the plan was made, or a run is resumed with another plan. */
export class StalePlanError extends MigrateError {
  readonly code = "E_PLAN_STALE";
  override readonly exitCode = EXIT.PLAN_STALE;
  constructor(message: string, readonly changes: string[] = [], opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...opts, details: changes });
  }
}

/** Information about who holds a migration's lock. */
export interface LockInfo {
  id: string;
  operation: string;
  who: string;
  pid: number;
  host: string;
  createdAt: string;
  heartbeatAt: string;
}

export class LockHeldError extends MigrateError {
  readonly code = "E_LOCKED";
  override readonly exitCode = EXIT.LOCKED;
  constructor(readonly lock: LockInfo, opts: { hint?: string } = {}) {
    super(
      `migration is locked by ${lock.who} (pid ${lock.pid} on ${lock.host}, ${lock.operation} since ${lock.createdAt}, lock id ${lock.id})`,
      opts,
    );
  }
}

/** Planning found problems that must be fixed before a plan can be applied (no flavor fits, …). */
export class PlanBlockedError extends MigrateError {
  readonly code = "E_PLAN_BLOCKED";
  override readonly exitCode = EXIT.PLAN_BLOCKED;
  constructor(message: string, readonly problems: string[] = [], opts: { hint?: string } = {}) {
    super(message, { ...opts, details: problems });
  }
}

/** Where an API error came from: the request (4xx) or the service (5xx, resets). */
export type Fault = "client" | "server" | "network";

export interface ApiErrorInit {
  method: string;
  url: string;
  status?: number | undefined;
  requestId?: string | undefined;
  body?: string | undefined;
  fault: Fault;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * A failed OpenStack API call, with what an operator needs to ask the provider.
 * A call that never got an HTTP answer (resets, timeouts, after every retry)
 * or got 502/503/504 (the service behind the gateway is down) exits 5 like an
 * unreachable cloud; one the service answered with another error exits 1.
 */
export class ApiError extends MigrateError {
  readonly code: string = "E_API";
  override readonly exitCode: number;
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly body: string | undefined;
  readonly fault: Fault;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: ApiErrorInit) {
    super(message, init.cause === undefined ? {} : { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
    this.status = init.status;
    this.requestId = init.requestId;
    this.body = init.body;
    this.fault = init.fault;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    // Why: no answer at all, or a gateway saying the service behind it is down, is an unreachable cloud to the user.
    const unreachable = (init.fault === "network" && init.status === undefined) || init.status === 502 || init.status === 503 || init.status === 504;
    this.exitCode = unreachable ? EXIT.UNREACHABLE : EXIT.FAILURE;
  }
}

/** Which limit a request ran into. */
export type TimeoutPhase = "connect" | "answer" | "idle" | "budget";

/**
 * A request ran out of time: no connection within the connect limit, no
 * complete answer within the request deadline, no data within the idle limit
 * of a stream, or the retry budget spent. Retryable like any network fault;
 * exits 5 (the cloud is, for practical purposes, unreachable).
 */
export class TimeoutError extends ApiError {
  override readonly code: string = "E_TIMEOUT";
  constructor(
    message: string,
    readonly phase: TimeoutPhase,
    readonly limitMs: number,
    init: Omit<ApiErrorInit, "fault" | "retryable"> & { retryable?: boolean },
  ) {
    super(message, { ...init, fault: "network", retryable: init.retryable ?? true });
  }
}

export class NotFoundError extends MigrateError {
  readonly code = "E_NOT_FOUND";
  override readonly exitCode = EXIT.NOT_FOUND;
}

/** A waiter gave up: the resource reached a terminal error status or the time ran out. */
export class WaitError extends MigrateError {
  readonly code = "E_WAIT";
  constructor(
    message: string,
    readonly resource: string,
    readonly lastStatus: string | undefined,
    readonly reason: "terminal" | "timeout",
  ) {
    super(message);
  }
}

/** The target holds something that conflicts with the plan in a way the tool will not overwrite. */
export class CannotConvergeError extends MigrateError {
  readonly code = "E_CANNOT_CONVERGE";
}

/** A bug in the tool. */
export class InternalError extends MigrateError {
  readonly code = "E_INTERNAL";
  override readonly exitCode = EXIT.INTERNAL;
}

/** True when err is an ApiError with one of the given HTTP statuses. */
export function statusIs(err: unknown, ...statuses: number[]): boolean {
  return err instanceof ApiError && err.status !== undefined && statuses.includes(err.status);
}

/** True when retrying the same request may succeed (5xx, 429, resets, timeouts). */
export function isRetryable(err: unknown): boolean {
  return err instanceof ApiError && err.retryable;
}

/** A one-line description of any thrown value, for logs and state rows. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A data copy that did not arrive whole (cut stream, size or checksum mismatch). A new attempt may succeed. */
export class TransferError extends MigrateError {
  readonly code = "E_TRANSFER";
}

/**
 * A local file problem the user can fix (disk full, read-only or corrupt
 * state file, a folder where a file belongs). Its own exit code, so scripts can
 * tell "free some space" from "the cloud said no".
 */
export class LocalFileError extends MigrateError {
  readonly code: string;
  override readonly exitCode = EXIT.LOCAL_FILE;
  constructor(code: string, message: string, opts: { hint?: string; cause?: unknown; details?: string[] } = {}) {
    super(message, opts);
    this.code = code;
  }
}

/** Errno and SQLite codes a user can cause, with the message and hint each deserves. */
const LOCAL_CAUSES: Record<string, { code: string; what: string; hint: string }> = {
  ENOSPC: { code: "E_DISK_FULL", what: "no space left on the device", hint: "Free some space (or point SCS_MIGRATE_PLANS_DIR elsewhere) and run the command again; a resumed apply continues where it stopped." },
  EDQUOT: { code: "E_DISK_FULL", what: "disk quota exceeded", hint: "Free some space within your quota and run the command again." },
  SQLITE_FULL: { code: "E_DISK_FULL", what: "no space left for the state file", hint: "Free some space and run the command again; a resumed apply continues where it stopped." },
  EISDIR: { code: "E_IS_A_FOLDER", what: "is a folder, not a file", hint: "Name a file path (e.g. add a file name to the folder)." },
  ENOTDIR: { code: "E_NOT_A_FOLDER", what: "a part of the path is a file, not a folder", hint: "Check the path." },
  EACCES: { code: "E_READ_ONLY", what: "permission denied", hint: "Check the owner and mode of the file and its folder." },
  EPERM: { code: "E_READ_ONLY", what: "operation not permitted", hint: "Check the owner and mode of the file and its folder." },
  EROFS: { code: "E_READ_ONLY", what: "read-only file system", hint: "Work on a writable file system (e.g. set SCS_MIGRATE_PLANS_DIR)." },
  SQLITE_READONLY: { code: "E_READ_ONLY", what: "the state file is read-only", hint: "Make state.db and its folder writable by you (chmod u+w), then run the command again." },
  SQLITE_CORRUPT: { code: "E_STATE_CORRUPT", what: "the state file is corrupt", hint: "Restore state.db from a backup; without one, move it aside and run `scs-migrate apply` again: markers on the target let it adopt what was already created." },
  SQLITE_NOTADB: { code: "E_STATE_CORRUPT", what: "the state file is not a database (truncated or overwritten)", hint: "Restore state.db from a backup; without one, move it aside and run `scs-migrate apply` again: markers on the target let it adopt what was already created." },
  SQLITE_IOERR: { code: "E_DISK_IO", what: "disk I/O error on the state file (often a full disk)", hint: "Check free space and the file system of the migration folder, then run the command again." },
  SQLITE_CANTOPEN: { code: "E_READ_ONLY", what: "the state file cannot be opened", hint: "Check that the migration folder exists and is readable and writable by you." },
};

/**
 * The user-facing error for a file-system or SQLite failure, or undefined when
 * err is not one (those stay internal errors: they are bugs).
 */
export function localFileError(err: unknown, where?: string): LocalFileError | undefined {
  if (err instanceof MigrateError || !(err instanceof Error)) return undefined;
  const e = err as NodeJS.ErrnoException;
  const raw = typeof e.code === "string" ? e.code : "";
  // SQLite extended codes (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE on ENOSPC, …) fold onto their primary code.
  const key = Object.keys(LOCAL_CAUSES).find((k) => raw === k || raw.startsWith(`${k}_`));
  if (!key) return undefined;
  const c = LOCAL_CAUSES[key]!;
  const path = where ?? e.path;
  return new LocalFileError(c.code, `${path ? `${path}: ` : ""}${c.what} (${raw})`, { hint: c.hint, cause: err });
}
