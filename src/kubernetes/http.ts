/**
 * The transport to one Kubernetes API server: node:https with a keep-alive
 * agent, auth from the kubeconfig, retries, and every failure as a typed
 * error (errors.ts here for Status answers, UnreachableError for a server
 * that cannot be reached).
 *
 * Why a thin transport instead of the generated clients of
 * `@kubernetes/client-node`: those are typed per built-in kind, while the
 * migration handles any group/version/resource found by discovery (CRDs
 * included); their generic `KubernetesObjectApi` lists by kind only, hides
 * `continue` handling and 410 recovery, and needs middleware to send the
 * `application/apply-patch+yaml` content type; and their errors carry the
 * body as an opaque string. The auth, though, is client-node's:
 * `KubeConfig.applyToHTTPSOptions` adds the CA, client certificate and key,
 * bearer token (static, token file or exec plugin, refreshed by client-node)
 * or basic auth, and impersonation, to each request.
 *
 * Secrets: the Authorization value of every request is registered for
 * redaction (an exec plugin's token is new to us), and no request header or
 * body ever goes into an error.
 */
import http from "node:http";
import https from "node:https";
import { createHash } from "node:crypto";
import { ApiError, ConfigError, UnreachableError } from "../errors.js";
import { log, redact, registerSecret } from "../log.js";
import { backoffDelay, parseRetryAfter } from "../openstack/http.js";
import { sleep } from "../openstack/waiters.js";
import { TOOL_VERSION } from "../version.js";
import { statusError } from "./errors.js";
import type { ResolvedKubeConfig } from "./kubeconfig.js";

export type KubeMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type KubeQuery = Record<string, string | number | boolean | undefined | null>;

/** One request. `path` starts at the server root ("/api/v1/namespaces"). */
export interface KubeRequest {
  method: KubeMethod;
  path: string;
  query?: KubeQuery;
  /** Sent as JSON unless it is a string (then as is, e.g. apply YAML/JSON). */
  body?: unknown;
  /** Default application/json when there is a body. */
  contentType?: string;
  /** Overrides the client's retry count. */
  retries?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A 2xx response; `data` is parsed JSON (null for an empty body). */
export interface KubeResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
  url: string;
}

/** Knobs of one client (tests use tiny delays). */
export interface KubeHttpOptions {
  /** Per-request limit in ms up to the whole response body. Default 60 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** First backoff in ms, doubling per retry, with jitter. Default 300. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  random?: () => number;
}

// Why these are retried on any method: the server refused the request before acting on it.
const RETRY_SAFE_STATUS = new Set([429, 503]);
// Why PATCH counts as idempotent here: the layer sends only server-side apply and merge patches, which repeat safely.
const IDEMPOTENT = new Set<KubeMethod>(["GET", "PUT", "PATCH", "DELETE"]);
const UNREACHABLE = new Set(["ECONNREFUSED", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENOTFOUND", "ECONNTIMEOUT"]);
const RESET = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ERR_STREAM_PREMATURE_CLOSE"]);
const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Builds path?query; undefined and null values are dropped. */
export function buildPath(p: string, query?: KubeQuery): string {
  if (!query) return p;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) qs.append(k, String(v));
  const s = qs.toString();
  return s ? `${p}${p.includes("?") ? "&" : "?"}${s}` : p;
}

interface Attempt {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An HTTP client bound to the selected context of a kubeconfig. */
export class KubeHttp {
  readonly server: string;
  readonly options: Required<KubeHttpOptions>;
  private agent: http.Agent | undefined;
  private agentKey = "";

  constructor(readonly config: ResolvedKubeConfig, opts: KubeHttpOptions = {}) {
    this.server = config.server;
    this.options = {
      timeoutMs: opts.timeoutMs ?? 60_000,
      retries: opts.retries ?? 3,
      retryBaseMs: opts.retryBaseMs ?? 300,
      retryMaxMs: opts.retryMaxMs ?? 10_000,
      random: opts.random ?? Math.random,
    };
  }

  /** Sends a request with retries; resolves with a 2xx response or throws a typed error. */
  async request<T = unknown>(req: KubeRequest): Promise<KubeResponse<T>> {
    const url = this.server + buildPath(req.path, req.query);
    const retries = req.retries ?? this.options.retries;
    const idempotent = IDEMPOTENT.has(req.method);
    for (let attempt = 0; ; attempt++) {
      let failure: { error: ApiError | UnreachableError; retry: boolean; afterMs?: number | undefined };
      const t0 = Date.now();
      try {
        const res = await this.once(req, url);
        log.debug("Kubernetes request", { method: req.method, url, status: res.status, ms: Date.now() - t0 });
        if (res.status >= 200 && res.status < 300) {
          return { status: res.status, headers: res.headers, data: parseJson(res, req.method, url) as T, url };
        }
        const afterMs = parseRetryAfter(res.headers["retry-after"]);
        const error = statusError({ method: req.method, url, status: res.status, body: res.body, retryAfterMs: afterMs });
        failure = { error, retry: RETRY_SAFE_STATUS.has(res.status) || (idempotent && error.retryable), afterMs };
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason ?? err;
        failure = this.classify(err, req.method, url, idempotent);
      }
      if (attempt >= retries || !failure.retry) throw failure.error;
      const delay = Math.max(failure.afterMs ?? 0, backoffDelay(attempt, this.options.retryBaseMs, this.options.retryMaxMs, this.options.random));
      log.debug("Retrying Kubernetes request", { method: req.method, url, attempt: attempt + 1, delayMs: delay, reason: failure.error.message });
      await sleep(delay, req.signal);
    }
  }

  /** Closes idle keep-alive sockets (call when done, so the process can exit). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private classify(err: unknown, method: KubeMethod, url: string, idempotent: boolean): { error: ApiError | UnreachableError; retry: boolean } {
    if (err instanceof ApiError || err instanceof UnreachableError) return { error: err, retry: false };
    const code = (err as { code?: string } | null)?.code ?? "";
    const message = redact(err instanceof Error ? err.message : String(err));
    const ctx = this.config.contextName;
    if (UNREACHABLE.has(code) || TLS_CODES.test(code)) {
      const tls = TLS_CODES.test(code);
      const what = code === "ECONNREFUSED" ? "connection refused" : code === "ECONNTIMEOUT" ? "connection timed out" : tls ? `TLS error: ${message}` : "host unreachable";
      return {
        error: new UnreachableError(`cannot reach the Kubernetes API server ${this.server} (context "${ctx}"): ${what} (${code})`, {
          cause: err,
          hint: tls
            ? "Check certificate-authority(-data) of the cluster in the kubeconfig."
            : "Check the server URL of the context in the kubeconfig and that the cluster is running and reachable from here.",
        }),
        retry: code !== "ENOTFOUND" && !tls,
      };
    }
    const reset = RESET.has(code) || /socket hang up|timeout/i.test(message);
    return {
      error: new ApiError(`${method} ${url}: ${code === "ETIMEDOUT" ? "timed out" : reset ? "connection reset" : "request failed"} (${code || message})`, {
        method,
        url,
        fault: "network",
        retryable: reset,
        cause: err,
      }),
      retry: reset && idempotent,
    };
  }

  /** TLS and auth for one request, from client-node; the agent is ours and kept alive. */
  private async prepare(): Promise<{ headers: Record<string, string>; agent: http.Agent; auth?: string }> {
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.config.kc.applyToHTTPSOptions(opts);
    } catch (err) {
      // Why: an exec plugin or token file can fail; its message never holds the token itself.
      throw new ConfigError(`cannot get credentials for context "${this.config.contextName}": ${redact(err instanceof Error ? err.message : String(err))}`, { cause: err });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (typeof v === "string" || typeof v === "number") headers[k] = String(v);
    }
    const authz = headers.Authorization ?? headers.authorization;
    if (authz) registerSecret(authz.replace(/^Bearer\s+/i, ""));
    if (opts.auth) registerSecret(opts.auth.split(":").slice(1).join(":"));
    (opts.agent as http.Agent | undefined)?.destroy?.();
    const key = createHash("sha256")
      .update(String(opts.ca ?? ""))
      .update(String(opts.cert ?? ""))
      .update(String(opts.key ?? ""))
      .update(String(opts.rejectUnauthorized))
      .update(String(opts.servername ?? ""))
      .digest("hex");
    if (!this.agent || key !== this.agentKey) {
      this.agent?.destroy();
      this.agent = this.server.startsWith("http:")
        ? new http.Agent({ keepAlive: true, maxSockets: 32 })
        : new https.Agent({
            keepAlive: true,
            maxSockets: 32,
            ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
            ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
            ...(opts.key !== undefined ? { key: opts.key } : {}),
            ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
            ...(opts.servername !== undefined && opts.servername !== null ? { servername: opts.servername } : {}),
          });
      this.agentKey = key;
    }
    return { headers, agent: this.agent, ...(opts.auth ? { auth: opts.auth } : {}) };
  }

  private async once(req: KubeRequest, url: string): Promise<Attempt> {
    const prep = await this.prepare();
    const body = req.body === undefined ? undefined : typeof req.body === "string" ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string> = {
      ...prep.headers,
      "User-Agent": `scs-migrate/${TOOL_VERSION}`,
      Accept: "application/json",
      ...(body !== undefined ? { "Content-Type": req.contentType ?? "application/json", "Content-Length": String(Buffer.byteLength(body)) } : {}),
    };
    const mod = url.startsWith("http:") ? http : https;
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs;
    return await new Promise<Attempt>((resolve, reject) => {
      const r = mod.request(url, { method: req.method, headers, agent: prep.agent, ...(prep.auth ? { auth: prep.auth } : {}), ...(req.signal ? { signal: req.signal } : {}) });
      let connected = false;
      const timer = setTimeout(() => {
        r.destroy(Object.assign(new Error(`no complete response within ${timeoutMs} ms`), { code: connected ? "ETIMEDOUT" : "ECONNTIMEOUT" }));
      }, timeoutMs);
      r.on("socket", (s) => {
        if (!s.connecting) connected = true;
        else s.once("connect", () => (connected = true));
      });
      r.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      r.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
        res.on("end", () => {
          clearTimeout(timer);
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(", ") : v;
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString("utf8") });
        });
      });
      r.end(body);
    });
  }
}

function parseJson(res: Attempt, method: string, url: string): unknown {
  if (res.body.trim() === "") return null;
  try {
    return JSON.parse(res.body) as unknown;
  } catch (err) {
    throw new ApiError(`${method} ${url}: ${res.status} with a body that is not JSON`, {
      method,
      url,
      status: res.status,
      body: redact(res.body).slice(0, 500),
      fault: "server",
      retryable: false,
      cause: err,
    });
  }
}
