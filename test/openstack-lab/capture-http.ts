/**
 * HTTP plumbing for capture.ts: Keystone v3 password auth, one request helper
 * that returns what a capture file needs, status-sequence polling, and the
 * writer that strips secrets before anything reaches fixtures/real/.
 *
 * API: POST /v3/auth/tokens (token in the X-Subject-Token header, endpoints in
 * token.catalog[].endpoints[] with interface "public"); everything else is
 * whatever URL the caller passes.
 *
 * Quirks: Keystone and Placement run under uWSGI with "Connection: close";
 * Node's fetch copes. Response headers are kept selectively (content-type,
 * microversion headers, location, www-authenticate) and request ids only as
 * presence flags, so re-captures diff on what matters.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Headers copied verbatim from a response into a capture (lower-case names). */
const KEPT_HEADERS = [
  "content-type",
  "openstack-api-version",
  "x-openstack-nova-api-version",
  "location",
  "www-authenticate",
  "retry-after",
  "content-md5",
];

/** Headers recorded only as present/absent (their values change on every call). */
const PRESENCE_HEADERS = ["x-openstack-request-id", "x-compute-request-id"];

/** Keys whose values are secrets wherever they appear in a body. */
const SECRET_KEYS = new Set(["password", "adminPass", "secret", "auth_token"]);

const secrets = new Set<string>();

/** Remembers a secret value so that it is replaced wherever it appears in a capture. */
export function registerSecret(value: string): void {
  if (value) secrets.add(value);
}

/** A response as the capture code sees it. */
export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, the raw text when it is not JSON, or null when empty. */
  body: any;
  ms: number;
}

/** One recorded exchange, as written to a fixture file. */
export interface Exchange {
  request: {
    method: string;
    url: string;
    path: string;
    headers: Record<string, string>;
    body?: unknown;
  };
  status: number;
  headers: Record<string, string | boolean>;
  body: unknown;
}

/** Options of one request. */
export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
  json?: unknown;
  raw?: Buffer;
  contentType?: string;
  /** Read the answer as bytes and record only its length (image downloads). */
  binary?: boolean;
}

function scrub(v: unknown): unknown {
  if (typeof v === "string") {
    let s = v;
    for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join("[redacted]");
    return s;
  }
  if (Array.isArray(v)) return v.map(scrub);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      out[k] = SECRET_KEYS.has(k) && typeof val === "string" && val ? "[redacted]" : scrub(val);
    }
    return out;
  }
  return v;
}

function keptHeaders(h: Headers): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const name of KEPT_HEADERS) {
    const v = h.get(name);
    if (v !== null) out[name] = v;
  }
  for (const name of PRESENCE_HEADERS) out[name] = h.has(name);
  if (h.has("x-subject-token")) out["x-subject-token"] = "[token]";
  return out;
}

/** Performs one request and returns the reply plus the sanitised exchange for a fixture. */
export async function call(
  method: string,
  url: string,
  opts: CallOptions = {},
): Promise<{ reply: Reply; exchange: Exchange }> {
  const headers: Record<string, string> = { Accept: "application/json", ...(opts.headers ?? {}) };
  if (opts.token) headers["X-Auth-Token"] = opts.token;
  let body: string | Buffer | undefined;
  if (opts.json !== undefined) {
    headers["Content-Type"] = opts.contentType ?? "application/json";
    body = JSON.stringify(opts.json);
  } else if (opts.raw) {
    headers["Content-Type"] = opts.contentType ?? "application/octet-stream";
    body = opts.raw;
  }
  const t0 = Date.now();
  const res = await fetch(url, { method, headers, body, redirect: "manual" });
  const text = opts.binary ? `[${(await res.arrayBuffer()).byteLength} bytes]` : await res.text();
  const ms = Date.now() - t0;
  let parsed: unknown = text;
  if (text === "") parsed = null;
  else if (!opts.binary) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const reqHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    reqHeaders[k] = /token/i.test(k) ? "[token]" : v;
  }
  const u = new URL(url);
  const exchange: Exchange = {
    request: {
      method,
      url: scrub(url) as string,
      path: scrub(u.pathname + u.search) as string,
      headers: reqHeaders,
      ...(opts.json !== undefined ? { body: scrub(opts.json) } : {}),
      ...(opts.raw ? { body: `[${opts.raw.length} bytes]` } : {}),
    },
    status: res.status,
    headers: keptHeaders(res.headers),
    body: scrub(parsed),
  };
  return { reply: { status: res.status, headers: res.headers, body: parsed, ms }, exchange };
}

/** A project-scoped session: token, ids and public endpoints by service type. */
export interface Session {
  token: string;
  projectId: string;
  userId: string;
  endpoints: Record<string, string>;
  issue: { reply: Reply; exchange: Exchange };
}

/** The Keystone v3 password-auth request body (project scope by name, domain Default). */
export function passwordAuth(user: string, password: string, project: string): unknown {
  return {
    auth: {
      identity: {
        methods: ["password"],
        password: { user: { name: user, domain: { name: "Default" }, password } },
      },
      scope: { project: { name: project, domain: { name: "Default" } } },
    },
  };
}

/** Logs in with a password and returns the session (throws on anything but 201). */
export async function login(keystone: string, user: string, password: string, project: string): Promise<Session> {
  registerSecret(password);
  const issue = await call("POST", `${keystone}/auth/tokens`, { json: passwordAuth(user, password, project) });
  const token = issue.reply.headers.get("x-subject-token");
  if (issue.reply.status !== 201 || !token) {
    throw new Error(`login ${user}@${project}: HTTP ${issue.reply.status} ${JSON.stringify(issue.reply.body)}`);
  }
  registerSecret(token);
  const t = issue.reply.body.token;
  const endpoints: Record<string, string> = {};
  for (const svc of t.catalog ?? []) {
    const ep = (svc.endpoints as { interface: string; url: string }[]).find((e) => e.interface === "public");
    if (ep) endpoints[svc.type] = ep.url.replace(/\/$/, "");
  }
  return { token, projectId: t.project.id, userId: t.user.id, endpoints, issue };
}

/** Throws unless the reply has one of the expected statuses. */
export function expectStatus(what: string, r: { reply: Reply }, ...ok: number[]): Reply {
  if (!ok.includes(r.reply.status)) {
    throw new Error(`${what}: HTTP ${r.reply.status}, expected ${ok.join("/")}: ${JSON.stringify(r.reply.body).slice(0, 400)}`);
  }
  return r.reply;
}

/** One observed state in a status sequence. */
export interface SequenceStep {
  t_ms: number;
  polls: number;
  state: Record<string, unknown>;
}

/**
 * Polls `probe` until `done` holds and records every distinct state (with the
 * time since the start), so short-lived states show up when they last at least
 * one poll interval.
 */
export async function recordSequence(
  probe: () => Promise<Record<string, unknown>>,
  done: (s: Record<string, unknown>) => boolean,
  opts: { intervalMs?: number; timeoutMs?: number; t0?: number } = {},
): Promise<{ steps: SequenceStep[]; last: Record<string, unknown>; elapsed_ms: number }> {
  const interval = opts.intervalMs ?? 150;
  const timeout = opts.timeoutMs ?? 300_000;
  const t0 = opts.t0 ?? Date.now();
  const steps: SequenceStep[] = [];
  let last: Record<string, unknown> = {};
  for (;;) {
    last = await probe();
    const key = JSON.stringify(last);
    const prev = steps[steps.length - 1];
    if (prev && JSON.stringify(prev.state) === key) prev.polls++;
    else steps.push({ t_ms: Date.now() - t0, polls: 1, state: last });
    if (done(last)) break;
    if (Date.now() - t0 > timeout) throw new Error(`sequence timed out in ${key}`);
    await new Promise((r) => setTimeout(r, interval));
  }
  return { steps, last, elapsed_ms: Date.now() - t0 };
}

/** Writes fixture files under one root and keeps the index of what was written. */
export class FixtureWriter {
  readonly index: { file: string; service: string; description: string; status?: number }[] = [];

  constructor(readonly root: string) {}

  /** Writes one exchange (or any capture object) as `<service>/<name>.json`. */
  write(service: string, name: string, description: string, capture: Record<string, unknown>): void {
    const file = path.join(service, `${name}.json`);
    // project ids in URL-derived descriptions would change the index on every run
    description = description.replace(/[0-9a-f]{32}/g, "{project_id}");
    const content = scrub({ description, ...capture }) as Record<string, unknown>;
    mkdirSync(path.join(this.root, service), { recursive: true });
    writeFileSync(path.join(this.root, file), JSON.stringify(content, null, 2) + "\n");
    const status = typeof capture.status === "number" ? capture.status : undefined;
    this.index.push({ file, service, description, ...(status !== undefined ? { status } : {}) });
    process.stderr.write(`captured ${file}${status !== undefined ? ` (${status})` : ""}\n`);
  }

  /** Writes a single exchange. */
  exchange(service: string, name: string, description: string, r: { exchange: Exchange }): void {
    this.write(service, name, description, { ...r.exchange });
  }

  /** Writes index.json (files sorted by path). */
  finish(meta: Record<string, unknown>): void {
    const files = [...this.index].sort((a, b) => a.file.localeCompare(b.file));
    writeFileSync(path.join(this.root, "index.json"), JSON.stringify({ ...meta, files }, null, 2) + "\n");
  }
}
