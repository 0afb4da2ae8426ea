/**
 * The HTTP layer: the one place that uses axios and the one place that turns
 * an AxiosError into an `ApiError` (or `UnreachableError`). Everything above
 * it sees typed errors carrying method, URL, status, request id, a redacted
 * body excerpt, the fault side and whether a retry may help.
 *
 * Retries (exponential backoff with jitter, `Retry-After` honoured as seconds
 * or an HTTP date):
 * - 429 and 503 on any method: the service refused the request before acting;
 * - other 5xx (not 501/505), resets, broken pipes and timeouts only on
 *   idempotent requests (GET, HEAD, PUT, DELETE, or a POST the caller marks
 *   idempotent), because a POST that reached the service may have acted;
 * - refused connections and DNS hiccups on any method (nothing was sent);
 * - never when the body is a stream (it cannot be replayed).
 *
 * Quirks:
 * - `maxRedirects: 0`: follow-redirects buffers request bodies for replay,
 *   which would defeat streaming uploads, and a redirect must not carry our
 *   token to another host. A 3xx becomes an error naming the Location.
 * - Query strings are built here, not by axios: OpenStack wants repeated keys
 *   (`tags=a&tags=b`), not axios's `tags[]=`.
 * - axios's `timeout` is a socket idle limit: a server that trickles a byte
 *   now and then keeps it from ever firing. So every attempt also has an
 *   overall deadline (an AbortSignal), new connections have a set-up deadline
 *   (in the agents), and all attempts of one request share a retry budget.
 *   Streamed uploads and downloads are exempt from the overall deadline once
 *   they flow; an idle watchdog guards them, and a failure in the middle of a
 *   stream surfaces as a retryable network ApiError, not a bare socket error.
 * - Timeouts are `TimeoutError`s (exit 5). While a request waits, `onWaiting`
 *   (default: `httpEvents` listeners, else one log line) says what for.
 * - Keystone under uWSGI answers `Connection: close`; eventlet services keep
 *   connections alive. A reset on a reused socket is retried like any reset.
 */
import { EventEmitter } from "node:events";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { PassThrough, Readable } from "node:stream";
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from "axios";
import { ApiError, ConfigError, MigrateError, TimeoutError, UnreachableError, type Fault } from "../errors.js";
import { log, redact } from "../log.js";
import { TOOL_VERSION } from "../version.js";
import { faultMessage } from "./fault-message.js";
import { sleep } from "./waiters.js";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A query value; arrays repeat the key, undefined and null drop it. */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined | null;
export type QueryParams = Record<string, QueryValue>;

/** TLS settings for every https endpoint of one cloud. */
export interface TlsOptions {
  verify: boolean;
  /** PEM text of the CA bundle that replaces the system CAs. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * Why the configured CA bundle could not be read. openstacksdk ignores cacert
   * for http endpoints, so an unreadable one fails only the first https request.
   */
  caError?: string;
}

/** Knobs of one HTTP client (tests use tiny delays). Unset knobs come from the environment, then the defaults. */
export interface HttpOptions {
  /** Idle limit in ms: no byte for this long fails the attempt (streams too). Default 60 s (SCS_MIGRATE_IDLE_TIMEOUT). */
  timeoutMs?: number;
  /** Overall deadline in ms of one attempt up to the complete answer (stream bodies: up to the headers). Default 120 s (SCS_MIGRATE_REQUEST_TIMEOUT). */
  requestTimeoutMs?: number;
  /** Limit in ms for setting up the connection (TCP and TLS). Default 10 s (SCS_MIGRATE_CONNECT_TIMEOUT). */
  connectTimeoutMs?: number;
  /** Time in ms all attempts of one request may take together, backoff included. Default 180 s (SCS_MIGRATE_RETRY_BUDGET); 0 = no limit. */
  retryBudgetMs?: number;
  /** After this many ms without an answer, `onWaiting` is told (then every twice as long). Default 5 s (SCS_MIGRATE_WAIT_NOTICE); 0 = never. */
  waitNoticeMs?: number;
  /** Retries after the first attempt. Default 4. */
  retries?: number;
  /** First backoff delay in ms; doubles each retry, with jitter. Default 500. */
  retryBaseMs?: number;
  /** Largest backoff delay in ms. Default 20 s. */
  retryMaxMs?: number;
  /** Longest `Retry-After` the client waits before giving up. Default 120 s. */
  maxRetryAfterMs?: number;
  tls?: TlsOptions;
  /** The cloud's name, for waiting notices. */
  label?: string;
  /** Called while a request waits for its answer; default: `httpEvents` listeners, else one log line. */
  onWaiting?: (e: WaitingEvent) => void;
  /** Random source for jitter (tests make it deterministic). */
  random?: () => number;
}

/** A request that has been waiting for its answer for `waitedMs`. */
export interface WaitingEvent {
  /** The cloud's name (clouds.yaml), when the client knows it. */
  cloud: string | undefined;
  /** The service ("compute", "identity") or, without one, the host. */
  service: string;
  method: HttpMethod;
  /** The path relative to the service endpoint, without the query. */
  path: string;
  waitedMs: number;
  /** 1-based attempt in progress (or about to start after a backoff). */
  attempt: number;
}

/**
 * Events of the HTTP layer for whoever wants to show them (a progress
 * display): `waiting` (WaitingEvent). While nobody listens, waiting notices
 * are logged as one line each.
 */
export const httpEvents = new EventEmitter();

/** The line a waiting notice prints: `waiting for compute (GET /servers/detail) on cloud src: 10 s…`. */
export function waitingLine(e: WaitingEvent): string {
  return `waiting for ${e.service} (${e.method} ${e.path})${e.cloud ? ` on cloud ${e.cloud}` : ""}: ${duration(e.waitedMs)}…`;
}

function defaultOnWaiting(e: WaitingEvent): void {
  if (httpEvents.listenerCount("waiting") > 0) httpEvents.emit("waiting", e);
  else log.info(waitingLine(e));
}

/** The defaults of the time limits, in ms. */
export const HTTP_DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  timeoutMs: 60_000,
  retryBudgetMs: 180_000,
  waitNoticeMs: 5_000,
} as const;

/** The environment variables (in seconds, decimals allowed) that set the time limits. */
export const HTTP_ENV = {
  connectTimeoutMs: "SCS_MIGRATE_CONNECT_TIMEOUT",
  requestTimeoutMs: "SCS_MIGRATE_REQUEST_TIMEOUT",
  timeoutMs: "SCS_MIGRATE_IDLE_TIMEOUT",
  retryBudgetMs: "SCS_MIGRATE_RETRY_BUDGET",
  waitNoticeMs: "SCS_MIGRATE_WAIT_NOTICE",
} as const;

/** The time limits from the environment (ms); a malformed value is a ConfigError naming the variable. */
export function httpLimitsFromEnv(env: Record<string, string | undefined> = process.env): Partial<Record<keyof typeof HTTP_ENV, number>> {
  const out: Partial<Record<keyof typeof HTTP_ENV, number>> = {};
  for (const [key, name] of Object.entries(HTTP_ENV) as [keyof typeof HTTP_ENV, string][]) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") continue;
    const v = Number(raw.trim());
    if (!Number.isFinite(v) || v < 0 || !/^\d+(\.\d+)?$/.test(raw.trim())) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a number of seconds`, { hint: `Set ${name} to e.g. 30 or 0.5, or unset it for the default.` });
    }
    out[key] = Math.round(v * 1000);
  }
  return out;
}

/** One request. `json` and `body` are exclusive. */
export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  params?: QueryParams;
  json?: unknown;
  /** A raw body; a Readable is streamed with back-pressure and never retried. */
  body?: Readable | Buffer | string;
  /** "json" (default) parses the body (empty → null); "stream" returns a Readable. */
  responseType?: "json" | "text" | "stream";
  /** Marks a POST as safe to repeat (e.g. a search); GET/HEAD/PUT/DELETE always are. */
  idempotent?: boolean;
  /** Non-2xx statuses that count as success (e.g. 300 for version documents). */
  okStatuses?: readonly number[];
  /** Overrides the client's idle limit (ms) for this request. */
  timeoutMs?: number;
  /** Overrides the client's overall deadline (ms) of one attempt. */
  requestTimeoutMs?: number;
  /** What waiting notices call this request: the service and the path under its endpoint. */
  describe?: { service: string; path: string };
  /** Overrides the client's retry count for this request. */
  retries?: number;
  signal?: AbortSignal;
}

/** A response with lower-case header names. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
  url: string;
  requestId: string | undefined;
}

const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(["GET", "HEAD", "PUT", "DELETE"]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "ESOCKETTIMEDOUT", "ERR_STREAM_PREMATURE_CLOSE"]);
const UNREACHABLE_RETRY = new Set(["ECONNREFUSED", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ECONNTIMEOUT"]);
const UNREACHABLE_FINAL = new Set(["ENOTFOUND"]);
const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH|ERR_OSSL)/;
const BODY_EXCERPT = 500;

/** Builds url?query with repeated keys for arrays; existing query parameters are kept. */
export function buildUrl(url: string, params?: QueryParams): string {
  if (!params) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v as readonly (string | number)[]) u.searchParams.append(k, String(item));
    else u.searchParams.append(k, String(v));
  }
  return u.toString();
}

/** Milliseconds to wait from a Retry-After value (seconds or HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The backoff before retry number `attempt` (0-based): base·2^attempt capped, with ±50 % jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(raw / 2 + random() * (raw / 2));
}

function lowerHeaders(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h || typeof h !== "object") return out;
  const plain = typeof (h as { toJSON?: unknown }).toJSON === "function" ? (h as { toJSON(): object }).toJSON() : h;
  for (const [k, v] of Object.entries(plain as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

/** The request id an operator quotes to the provider (`x-openstack-request-id`, else Nova's `x-compute-request-id`). */
export function requestIdOf(headers: Record<string, string>): string | undefined {
  return headers["x-openstack-request-id"] || headers["x-compute-request-id"] || undefined;
}

async function readSome(stream: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(b);
      size += b.length;
      if (size >= max) break;
    }
  } catch {
    // a body cut short still tells something
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, max);
}

/** Why a failed attempt failed, and whether another attempt may help. */
interface Classified {
  error: ApiError | UnreachableError;
  /** Retrying cannot repeat a side effect (nothing was processed). */
  retrySafe: boolean;
  /** Retrying may help but could repeat a side effect. */
  retryIfIdempotent: boolean;
  retryAfterMs: number | undefined;
}

function displayUrl(url: string): string {
  return redact(url);
}

/**
 * Removes what must never travel with an error: the request headers (token),
 * the request body (passwords in auth requests) and the raw request objects.
 * The AxiosError stays useful as `cause` (code, status, response headers).
 */
function scrub(err: unknown): void {
  if (!(err instanceof AxiosError)) return;
  const cfg = err.config as { headers?: unknown; data?: unknown } | undefined;
  if (cfg) {
    cfg.headers = undefined;
    cfg.data = undefined;
  }
  err.request = undefined;
  if (err.response) {
    (err.response as { config?: unknown }).config = undefined;
    (err.response as { request?: unknown }).request = undefined;
  }
}

/** Turns whatever axios threw into a typed error. The only such place in the tool. */
async function classify(err: unknown, method: HttpMethod, url: string, limits: { idleMs: number; connectMs: number }): Promise<Classified> {
  // Why: a timeout before the TCP connection exists means the host is unreachable (nothing was sent).
  const sock = err instanceof AxiosError ? (err.request as { socket?: { connecting?: boolean } | null } | undefined)?.socket : undefined;
  const neverConnected = err instanceof AxiosError && !err.response && err.request !== undefined && (!sock || sock.connecting === true);
  scrub(err);
  const shownUrl = displayUrl(url);
  // Why: a 2xx whose body was cut off is a network failure, not an answer (axios attaches the response).
  const bodyCut = err instanceof AxiosError && err.response !== undefined && err.response.status >= 200 && err.response.status < 300;
  if (err instanceof AxiosError && err.response && !bodyCut) {
    const res = err.response;
    const headers = lowerHeaders(res.headers);
    const status = res.status;
    let body: string | undefined;
    if (res.data instanceof Readable) body = await readSome(res.data, 4096);
    else if (typeof res.data === "string") body = res.data;
    else if (Buffer.isBuffer(res.data)) body = res.data.toString("utf8");
    else if (res.data !== undefined && res.data !== null) body = JSON.stringify(res.data);
    // Why: the raw body may echo the request (credentials); only its redacted form travels on.
    (res as { data?: unknown }).data = undefined;
    const redacted = body ? redact(body) : undefined;
    const excerpt = redacted?.slice(0, BODY_EXCERPT);
    const requestId = requestIdOf(headers);
    const retryAfterMs = parseRetryAfter(headers["retry-after"]);
    const fault: Fault = status >= 500 ? "server" : "client";
    const retryable = status === 429 || (status >= 500 && status !== 501 && status !== 505);
    let detail = faultMessage(redacted) ?? res.statusText ?? "";
    if (status >= 300 && status < 400 && headers.location) detail = `redirected to ${redact(headers.location)}`;
    const msg = `${method} ${shownUrl}: ${status}${res.statusText ? " " + res.statusText : ""}${detail ? `: ${redact(detail)}` : ""}${requestId ? ` (request ${requestId})` : ""}`;
    return {
      error: new ApiError(msg, { method, url: shownUrl, status, requestId, body: excerpt, fault, retryable, retryAfterMs, cause: err }),
      retrySafe: status === 429 || status === 503,
      retryIfIdempotent: retryable,
      retryAfterMs,
    };
  }
  let code = (err as { code?: string } | null)?.code ?? "";
  const message = err instanceof Error ? err.message : String(err);
  const connectLimit = code === "ECONNTIMEOUT" ? limits.connectMs : limits.idleMs;
  if (neverConnected && (code === "ETIMEDOUT" || code === "ECONNABORTED")) code = "ECONNTIMEOUT";
  if (UNREACHABLE_RETRY.has(code) || UNREACHABLE_FINAL.has(code) || TLS_CODES.test(code)) {
    const tls = TLS_CODES.test(code);
    const what =
      code === "ECONNREFUSED"
        ? "connection refused"
        : code === "ECONNTIMEOUT"
          ? `no connection within ${duration(connectLimit)}`
          : code === "ENOTFOUND" || code === "EAI_AGAIN"
            ? "host name not found"
            : tls
              ? "TLS error"
              : "host unreachable";
    return {
      error: new UnreachableError(`cannot reach ${shownUrl}: ${what} (${code}${tls ? ": " + redact(message) : ""})`, {
        cause: err,
        hint: tls
          ? "Check the cloud's CA: set cacert in clouds.yaml (or verify: false for a test cloud)."
          : "Check the URL in clouds.yaml or the service catalog, and that the service is running and reachable from here.",
      }),
      retrySafe: UNREACHABLE_RETRY.has(code),
      retryIfIdempotent: UNREACHABLE_RETRY.has(code),
      retryAfterMs: undefined,
    };
  }
  if (code.startsWith("HPE_")) {
    // Why: an answer that is not HTTP (oversized headers, garbage) will be the same next time.
    return {
      error: new ApiError(`${method} ${shownUrl}: the answer is not valid HTTP (${code})`, { method, url: shownUrl, fault: "server", retryable: false, cause: err }),
      retrySafe: false,
      retryIfIdempotent: false,
      retryAfterMs: undefined,
    };
  }
  if (code === "ETIMEDOUT" || code === "ECONNABORTED") {
    return {
      error: new TimeoutError(`${method} ${shownUrl}: no data for ${duration(limits.idleMs)} (idle timeout)`, "idle", limits.idleMs, { method, url: shownUrl, cause: err }),
      retrySafe: false,
      retryIfIdempotent: true,
      retryAfterMs: undefined,
    };
  }
  const isReset = RESET_CODES.has(code) || bodyCut || /socket hang up|ECONNRESET|EPIPE|timeout|aborted/i.test(message);
  const what = code === "ETIMEDOUT" || code === "ECONNABORTED" ? "timed out" : isReset ? "connection reset" : "request failed";
  return {
    error: new ApiError(`${method} ${shownUrl}: ${what} (${code || redact(message)})`, {
      method,
      url: shownUrl,
      fault: "network",
      retryable: isReset,
      cause: err,
    }),
    retrySafe: false,
    retryIfIdempotent: isReset,
    retryAfterMs: undefined,
  };
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (err instanceof AxiosError && err.code === "ERR_CANCELED");
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/**
 * Wraps a body stream: `idleMs` without data fails it (a stalled transfer),
 * and any failure of the underlying socket reaches the consumer as a
 * retryable network ApiError naming the transfer (so a caller can restart a
 * copy with `isRetryable`).
 */
export function guardStream(source: Readable, opts: { idleMs: number; method: HttpMethod; url: string; what: string }): Readable {
  const out = new PassThrough({ highWaterMark: source.readableHighWaterMark });
  let timer: NodeJS.Timeout | undefined;
  const fail = (cause: unknown, code: string) => {
    const what = `${opts.what} ${displayUrl(opts.url)}`;
    const init = { method: opts.method, url: displayUrl(opts.url), cause };
    out.destroy(
      code === "ETIMEDOUT"
        ? new TimeoutError(`${what}: no data for ${duration(opts.idleMs)}`, "idle", opts.idleMs, init)
        : new ApiError(`${what}: interrupted (${code})`, { ...init, fault: "network", retryable: true }),
    );
  };
  const disarm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const arm = () => {
    if (opts.idleMs <= 0) return;
    disarm();
    timer = setTimeout(() => {
      const e = Object.assign(new Error("idle timeout"), { code: "ETIMEDOUT" });
      source.destroy(e);
      fail(e, "ETIMEDOUT");
    }, opts.idleMs);
  };
  arm();
  source.on("data", arm);
  source.once("end", disarm);
  source.once("error", (e: NodeJS.ErrnoException) => {
    disarm();
    if (e instanceof ApiError) out.destroy(e);
    else if ((e as { code?: string }).code !== "ETIMEDOUT") fail(e, e.code ?? e.message);
  });
  source.once("close", () => {
    // Why: a socket cut after the headers closes the response without 'end' or 'error' on some Node versions.
    if (!source.readableEnded && !out.destroyed) {
      disarm();
      fail(new Error("premature close"), "ERR_STREAM_PREMATURE_CLOSE");
    }
  });
  out.once("close", () => {
    disarm();
    if (!source.readableEnded) source.destroy();
  });
  source.pipe(out);
  return out;
}

/**
 * Gives every new connection of an agent a set-up deadline: a socket that is
 * not connected (and, for TLS, past the handshake) within `ms` is destroyed
 * with code ECONNTIMEOUT, which the classifier reports as unreachable.
 */
function withConnectDeadline<A extends http.Agent>(agent: A, ms: number, secure: boolean): A {
  if (ms <= 0) return agent;
  const a = agent as unknown as { createConnection: (...args: unknown[]) => Socket | undefined };
  const create = a.createConnection;
  a.createConnection = function (this: unknown, ...args: unknown[]) {
    const socket = create.apply(this, args);
    if (socket) {
      const timer = setTimeout(() => {
        socket.destroy(Object.assign(new Error(`no connection within ${duration(ms)}`), { code: "ECONNTIMEOUT" }));
      }, ms);
      const clear = () => clearTimeout(timer);
      socket.once(secure ? "secureConnect" : "connect", clear);
      socket.once("close", clear);
    }
    return socket;
  };
  return agent;
}

/** The smallest time an attempt is given; a retry that could not have it is not started. */
const MIN_ATTEMPT_MS = 1000;

type ResolvedHttpOptions = Required<Omit<HttpOptions, "tls" | "label" | "onWaiting">> & {
  tls: TlsOptions | undefined;
  label: string | undefined;
  onWaiting: (e: WaitingEvent) => void;
};

/** An HTTP client for one cloud: keep-alive agents, TLS, deadlines, retries, typed errors, request log. */
export class HttpClient {
  readonly options: ResolvedHttpOptions;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly axios: AxiosInstance;

  constructor(opts: HttpOptions = {}) {
    const env = httpLimitsFromEnv();
    this.options = {
      timeoutMs: opts.timeoutMs ?? env.timeoutMs ?? HTTP_DEFAULTS.timeoutMs,
      requestTimeoutMs: opts.requestTimeoutMs ?? env.requestTimeoutMs ?? HTTP_DEFAULTS.requestTimeoutMs,
      connectTimeoutMs: opts.connectTimeoutMs ?? env.connectTimeoutMs ?? HTTP_DEFAULTS.connectTimeoutMs,
      retryBudgetMs: opts.retryBudgetMs ?? env.retryBudgetMs ?? HTTP_DEFAULTS.retryBudgetMs,
      waitNoticeMs: opts.waitNoticeMs ?? env.waitNoticeMs ?? HTTP_DEFAULTS.waitNoticeMs,
      retries: opts.retries ?? 4,
      retryBaseMs: opts.retryBaseMs ?? 500,
      retryMaxMs: opts.retryMaxMs ?? 20_000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 120_000,
      random: opts.random ?? Math.random,
      tls: opts.tls,
      label: opts.label,
      onWaiting: opts.onWaiting ?? defaultOnWaiting,
    };
    const connectMs = this.options.connectTimeoutMs;
    this.httpAgent = withConnectDeadline(new http.Agent({ keepAlive: true, maxSockets: 64 }), connectMs, false);
    const tls = opts.tls;
    this.httpsAgent = withConnectDeadline(
      new https.Agent({
        keepAlive: true,
        maxSockets: 64,
        rejectUnauthorized: tls ? tls.verify : true,
        ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
        ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls?.key !== undefined ? { key: tls.key } : {}),
      }),
      connectMs,
      true,
    );
    this.axios = axios.create({
      adapter: "http",
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      decompress: true,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
      transformResponse: [(d: unknown) => d],
    });
  }

  /** Tells `onWaiting` about a request still waiting, first after waitNoticeMs, then every twice as long. */
  private waitNotices(req: HttpRequest, started: number, attempt: () => number): () => void {
    const first = this.options.waitNoticeMs;
    if (first <= 0) return () => {};
    let timer: NodeJS.Timeout | undefined;
    let describe = req.describe;
    if (!describe) {
      try {
        const u = new URL(req.url);
        describe = { service: u.host, path: u.pathname };
      } catch {
        describe = { service: "endpoint", path: req.url };
      }
    }
    const d = describe;
    const schedule = (ms: number) => {
      timer = setTimeout(() => {
        try {
          this.options.onWaiting({ cloud: this.options.label, service: d.service, method: req.method, path: d.path, waitedMs: Date.now() - started, attempt: attempt() });
        } catch {
          // a listener's failure must not break the request
        }
        schedule(2 * first);
      }, ms);
      timer.unref?.();
    };
    schedule(first);
    return () => {
      if (timer) clearTimeout(timer);
    };
  }

  /** Sends a request with retries; resolves with the response or throws ApiError/UnreachableError. */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const streamBody = req.body instanceof Readable;
    const idempotent = req.idempotent ?? IDEMPOTENT.has(req.method);
    const retries = streamBody ? 0 : (req.retries ?? this.options.retries);
    const started = Date.now();
    const budget = this.options.retryBudgetMs;
    const budgetEnd = budget > 0 ? started + budget : Infinity;
    const requestTimeout = req.requestTimeoutMs ?? this.options.requestTimeoutMs;
    const limits = { idleMs: req.timeoutMs ?? this.options.timeoutMs, connectMs: this.options.connectTimeoutMs };
    let attempt = 0;
    // Why: an upload may legitimately take hours; notices would cry wolf.
    const stopNotices = streamBody ? () => {} : this.waitNotices(req, started, () => attempt + 1);
    try {
      for (; ; attempt++) {
        try {
          // Why: the last attempt gets only what is left of the budget, so the whole request ends in time.
          const deadline = Math.max(1, Math.min(requestTimeout > 0 ? requestTimeout : Infinity, budgetEnd - Date.now()));
          return await this.once<T>(req, Number.isFinite(deadline) ? deadline : 0);
        } catch (err) {
          if (isAbort(err, req.signal)) throw req.signal?.reason ?? err;
          // Why: the tool's own errors are final (a timeout is the one kind worth another attempt).
          if (err instanceof MigrateError && !(err instanceof TimeoutError)) throw err;
          const c: Classified =
            err instanceof TimeoutError
              ? { error: err, retrySafe: false, retryIfIdempotent: true, retryAfterMs: undefined }
              : await classify(err, req.method, buildUrl(req.url, req.params), limits);
          const mayRetry = c.retrySafe || (idempotent && c.retryIfIdempotent);
          const tried = () => (attempt > 0 ? `; gave up after ${attempt + 1} attempts in ${duration(Date.now() - started)}` : "");
          if (attempt >= retries || !mayRetry) throw withSuffix(c.error, tried());
          if (c.retryAfterMs !== undefined && c.retryAfterMs > this.options.maxRetryAfterMs) throw c.error;
          const delay = Math.max(c.retryAfterMs ?? 0, backoffDelay(attempt, this.options.retryBaseMs, this.options.retryMaxMs, this.options.random));
          if (Date.now() + delay + Math.min(MIN_ATTEMPT_MS, requestTimeout > 0 ? requestTimeout : MIN_ATTEMPT_MS) > budgetEnd) {
            throw withSuffix(c.error, `; gave up after ${attempt + 1} attempt${attempt ? "s" : ""} in ${duration(Date.now() - started)} (retry budget ${duration(budget)})`);
          }
          log.debug("Retrying request", { method: req.method, url: displayUrl(req.url), attempt: attempt + 1, delayMs: delay, reason: c.error.message });
          await sleep(delay, req.signal);
        }
      }
    } finally {
      stopNotices();
    }
  }

  private async once<T>(req: HttpRequest, deadlineMs: number): Promise<HttpResponse<T>> {
    const url = buildUrl(req.url, req.params);
    if (this.options.tls?.caError && /^https:/i.test(url)) {
      throw new ConfigError(`${this.options.tls.caError} (needed for ${displayUrl(url)})`, { hint: "Fix cacert in clouds.yaml (or OS_CACERT)." });
    }
    const headers: Record<string, string> = {
      "User-Agent": `scs-migrate/${TOOL_VERSION}`,
      Accept: "application/json",
      ...(req.json !== undefined ? { "Content-Type": "application/json" } : {}),
      ...req.headers,
    };
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs;
    let data: unknown = req.json !== undefined ? JSON.stringify(req.json) : req.body;
    // Why: a streamed upload has no wall-clock limit (it may take hours); stalls are caught by the idle
    // guard on the body, and once the body is sent the answer must come within timeoutMs.
    const upload = req.body instanceof Readable ? req.body : undefined;
    const answerLimit = new AbortController();
    let answerTimer: NodeJS.Timeout | undefined;
    if (upload) {
      data = guardStream(upload, { idleMs: timeoutMs, method: req.method, url, what: "upload to" });
      (data as Readable).once("end", () => {
        if (timeoutMs > 0) answerTimer = setTimeout(() => answerLimit.abort(), timeoutMs);
      });
    }
    // Why: axios's `timeout` resets whenever a byte arrives, so a server trickling bytes would hold the
    // request for ever; this deadline covers the whole exchange (for a stream response, up to the headers).
    const deadline = new AbortController();
    const deadlineTimer = !upload && deadlineMs > 0 ? setTimeout(() => deadline.abort(), deadlineMs) : undefined;
    const signals = [req.signal, upload ? answerLimit.signal : undefined, deadlineTimer ? deadline.signal : undefined].filter((x): x is AbortSignal => x !== undefined);
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    const ok = req.okStatuses ?? [];
    const started = Date.now();
    let res: AxiosResponse;
    try {
      res = await this.axios.request({
        method: req.method,
        url,
        headers,
        data,
        timeout: upload ? 0 : timeoutMs,
        responseType: req.responseType === "stream" ? "stream" : "text",
        validateStatus: (s) => (s >= 200 && s < 300) || ok.includes(s),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      const r = err instanceof AxiosError ? err.response : undefined;
      log.debug("HTTP", {
        method: req.method,
        url: displayUrl(url),
        status: r?.status ?? (err as { code?: string }).code ?? "error",
        ms: Date.now() - started,
        requestId: r ? requestIdOf(lowerHeaders(r.headers)) : undefined,
      });
      if (deadline.signal.aborted && !req.signal?.aborted) {
        scrub(err);
        throw new TimeoutError(`${req.method} ${displayUrl(url)}: no complete answer within ${duration(deadlineMs)}`, "answer", deadlineMs, {
          method: req.method,
          url: displayUrl(url),
          cause: err,
        });
      }
      if (answerLimit.signal.aborted && !req.signal?.aborted) {
        scrub(err);
        throw new TimeoutError(`${req.method} ${displayUrl(url)}: no answer within ${duration(timeoutMs)} after the upload`, "answer", timeoutMs, {
          method: req.method,
          url: displayUrl(url),
          cause: err,
        });
      }
      const streamFailure = (err as { cause?: unknown }).cause;
      if (upload && streamFailure instanceof ApiError) throw streamFailure;
      throw err;
    } finally {
      if (answerTimer) clearTimeout(answerTimer);
      if (deadlineTimer) clearTimeout(deadlineTimer);
    }
    const resHeaders = lowerHeaders(res.headers);
    const requestId = requestIdOf(resHeaders);
    log.debug("HTTP", { method: req.method, url: displayUrl(url), status: res.status, ms: Date.now() - started, requestId });
    let body: unknown = res.data;
    if (req.responseType === "stream") {
      body = guardStream(res.data as Readable, { idleMs: timeoutMs, method: req.method, url, what: "download from" });
    } else if (req.responseType !== "text") {
      body = parseJson(res.data as string, req.method, url, res.status, requestId);
    }
    return { status: res.status, headers: resHeaders, data: body as T, url, requestId };
  }

  /** Closes every socket of this client (in-flight requests fail); call when done with the cloud. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Appends how long the client tried to a final error's message. */
function withSuffix<E extends Error>(err: E, suffix: string): E {
  if (suffix) err.message += suffix;
  return err;
}

function parseJson(text: string | undefined, method: HttpMethod, url: string, status: number, requestId: string | undefined): unknown {
  if (text === undefined || text === null || text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const excerpt = redact(text).slice(0, BODY_EXCERPT);
    throw new ApiError(`${method} ${displayUrl(url)}: ${status} with a body that is not JSON${requestId ? ` (request ${requestId})` : ""}`, {
      method,
      url: displayUrl(url),
      status,
      requestId,
      body: excerpt,
      fault: "server",
      retryable: false,
      cause: err,
    });
  }
}
