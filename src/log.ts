/**
 * Logging and secret redaction. Every secret the tool learns (passwords,
 * application-credential secrets, tokens) is registered here the moment it is
 * read, and every line that leaves the process (stderr, stdout via `out`,
 * state rows, reports) passes through `redact`. That is the single mechanism
 * that keeps secrets out of output: code elsewhere need not remember to.
 */

/** Every form of every registered secret, longest first (so a longer form is replaced before its parts). */
let forms: string[] = [];
const registered = new Set<string>();

// Why: very short values (e.g. "a") would shred ordinary text; no real secret is that short.
const MIN_SECRET = 4;
// Why: a base64 fragment shorter than this could occur in ordinary base64 text by chance.
const MIN_BASE64_CORE = 8;

function hexVariants(text: string): string[] {
  return /%[0-9A-F]{2}|\\u[0-9a-fA-F]{4}/.test(text)
    ? [text, text.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), text.replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => `\\u${h.toUpperCase()}`)]
    : [text];
}

/** The JSON string forms: JSON.stringify's, with "/" escaped, and ASCII-only (\uXXXX, as Python's json.dumps writes). */
function jsonForms(value: string): string[] {
  const plain = JSON.stringify(value).slice(1, -1);
  const ascii = plain.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return [plain, plain.replace(/\//g, "\\/"), ascii, ascii.replace(/\//g, "\\/")];
}

/** The URL-encoded forms: %20 (encodeURIComponent, encodeURI) and form encoding with "+" for spaces. */
function urlForms(value: string): string[] {
  let component: string;
  try {
    component = encodeURIComponent(value);
  } catch {
    // Why: a lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either.
    return [];
  }
  const form = new URLSearchParams({ x: value }).toString().slice(2);
  return [component, encodeURI(value), form, component.replace(/%20/g, "+"), component.replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)];
}

function htmlForm(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * The base64 forms: the whole value encoded (with and without padding), and,
 * for each of the three alignments the value can have inside a longer encoded
 * string (e.g. "user:password" in a basic-auth header), the characters that
 * depend on the value's bytes alone.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const out: string[] = [];
  const whole = bytes.toString("base64");
  out.push(whole, whole.replace(/=+$/, ""));
  for (let o = 0; o < 3; o++) {
    const enc = Buffer.concat([Buffer.alloc(o), bytes]).toString("base64");
    const core = enc.slice(Math.ceil((8 * o) / 6), Math.floor((8 * (o + bytes.length)) / 6));
    if (core.length >= MIN_BASE64_CORE) out.push(core);
  }
  return out.flatMap((b) => [b, b.replace(/\+/g, "-").replace(/\//g, "_")]);
}

/** Every encoding a secret can take on its way into a message: raw, JSON, URL, HTML, base64(url). */
export function secretForms(value: string): string[] {
  // Why: a service may quote our JSON request inside its own JSON error, escaping it twice.
  const base = new Set<string>([value, ...jsonForms(value), ...jsonForms(value).flatMap(jsonForms)]);
  const all = new Set<string>();
  for (const b of base) {
    all.add(b);
    for (const u of urlForms(b)) for (const h of hexVariants(u)) all.add(h);
    for (const h of hexVariants(b)) all.add(h);
  }
  all.add(htmlForm(value));
  for (const b of base64Forms(value)) all.add(b);
  return [...all].filter((f) => f.length >= MIN_SECRET);
}

/** Remembers a secret so that `redact` replaces it, in every encoding, wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET || registered.has(value)) return;
  registered.add(value);
  const next = new Set(forms);
  for (const f of secretForms(value)) next.add(f);
  forms = [...next].sort((a, b) => b.length - a.length);
}

/** Forgets every registered secret (tests). */
export function clearSecretsForTest(): void {
  registered.clear();
  forms = [];
}

// Why: credentials can arrive in text before they were registered (a service echoing a request):
// the values of these keys are hidden whatever they are.
const SECRET_KEY_JSON = /("(?:password|secret|application_credential_secret|token|auth_token|access_token|refresh_token|client_secret)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const TOKEN_ID_JSON = /("token"\s*:\s*\{\s*"id"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const BASIC_AUTH = /(authorization["']?\s*[:=]\s*["']?(?:basic|bearer)\s+)[A-Za-z0-9+/=._~-]+/gi;

/** Replaces every registered secret (in every encoding) and every credential-looking value in text. */
export function redact(text: string): string {
  let out = text;
  for (const f of forms) {
    if (out.includes(f)) out = out.split(f).join("***");
  }
  out = out.replace(SECRET_KEY_JSON, '$1"***"').replace(TOKEN_ID_JSON, '$1"***"').replace(BASIC_AUTH, "$1***");
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
