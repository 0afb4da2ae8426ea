/**
 * Logging and secret redaction. Every secret the tool learns (passwords,
 * application-credential secrets, tokens) is registered here the moment it is
 * read, and every line that leaves the process (stderr, stdout via `out`,
 * state rows, reports) passes through `redact`. That is the single mechanism
 * that keeps secrets out of output: code elsewhere need not remember to.
 */

const secrets = new Set<string>();

/** Remembers a secret so that `redact` replaces it wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  // Why: very short values (e.g. "a") would shred ordinary text; no real secret is that short.
  if (value && value.length >= 4) secrets.add(value);
}

/** Replaces every registered secret and every token-looking header value in text. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join("***");
  }
  // Why: tokens can arrive from a service before we registered them (e.g. in an error body echo).
  return out.replace(/(x-(?:auth|subject)-token["']?\s*[:=]\s*["']?)[A-Za-z0-9_\-.]{8,}/gi, "$1***");
}

/** Recursively redacts every string inside a JSON-able value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

interface LoggerState {
  level: LogLevel;
  json: boolean;
  sink: LogSink;
}

const state: LoggerState = {
  level: (process.env.SCS_MIGRATE_LOG_LEVEL as LogLevel | undefined) ?? "info",
  json: false,
  sink: { write: (line) => process.stderr.write(line) },
};

/** Sets the global log level, JSON mode and sink (tests pass a sink that collects lines). */
export function configureLogging(opts: Partial<LoggerState>): void {
  Object.assign(state, opts);
}

export function logLevelEnabled(level: LogLevel): boolean {
  return LEVELS[level] >= LEVELS[state.level];
}

function emit(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  if (!logLevelEnabled(level)) return;
  if (state.json) {
    const rec = { ts: new Date().toISOString(), level, msg, ...(fields ?? {}) };
    state.sink.write(redact(JSON.stringify(rec)) + "\n");
    return;
  }
  const extra = fields && Object.keys(fields).length > 0
    ? " " + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")
    : "";
  const prefix = level === "info" ? "" : `${level.toUpperCase()}: `;
  state.sink.write(redact(prefix + msg + extra) + "\n");
}

/** The logger. Messages are capitalised sentences; fields are machine-readable extras. */
export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => emit("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => emit("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => emit("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => emit("error", msg, fields),
};

/** Writes command output (tables, JSON) to stdout, redacted. */
export function out(text: string): void {
  process.stdout.write(redact(text.endsWith("\n") ? text : text + "\n"));
}
