/**
 * A Keystone session for one cloud and the per-service clients built on it.
 *
 * The session holds the current token and renews it shortly before
 * `expires_at` (a margin of 5 minutes, or a quarter of the token's lifetime
 * for short-lived tokens), and again when a service answers 401 (revoked
 * token, Keystone restart with new fernet keys): that request is repeated
 * once with the fresh token. Concurrent callers share one renewal.
 *
 * A `ServiceClient` is the handle the service functions take as their first
 * argument (gophercloud style): endpoint, microversion header, page size, and
 * the token, all applied to every request it sends.
 */
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { ApiError, AuthError, ConfigError } from "../errors.js";
import type { ResolvedCloud } from "../config/clouds.js";
import { registerSecret } from "../log.js";
import { authenticate, type Token } from "./auth.js";
import { chooseEndpoint, type ServiceName } from "./catalog.js";
import { HttpClient, type HttpOptions, type HttpRequest, type HttpResponse, type QueryParams, type TlsOptions } from "./http.js";

/** Options of a session (tests shrink delays and margins). */
export interface SessionOptions {
  http?: HttpOptions;
  /** Renew the token this long before it expires (default: 5 min, or a quarter of a short token's lifetime). */
  expiryMarginMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

function readPem(file: string | null, what: string): Buffer | undefined {
  if (file === null) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}

/**
 * TLS options from a resolved cloud (reads the CA bundle and client cert files). An unreadable
 * cacert of a cloud whose auth_url is plain http is not an error yet: openstacksdk ignores cacert
 * for http, so only an https endpoint of that cloud fails.
 */
export function tlsOptionsOf(cloud: ResolvedCloud): TlsOptions {
  const tls: TlsOptions = { verify: cloud.verify };
  let ca: Buffer | undefined;
  try {
    ca = readPem(cloud.cacert, "cacert");
  } catch (err) {
    if (!/^http:/i.test(cloud.auth.authUrl) || !(err instanceof ConfigError)) throw err;
    tls.caError = err.message;
  }
  const cert = readPem(cloud.cert, "cert");
  const key = readPem(cloud.key, "key");
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  return tls;
}

/** An authenticated session: token, catalog, HTTP client. */
export class Session {
  private current: Token;
  private renewing: Promise<Token> | undefined;
  private readonly now: () => number;
  private readonly marginMs: number | undefined;

  private constructor(
    readonly cloud: ResolvedCloud,
    readonly http: HttpClient,
    token: Token,
    opts: SessionOptions,
  ) {
    this.current = token;
    this.now = opts.now ?? Date.now;
    this.marginMs = opts.expiryMarginMs;
  }

  /** Authenticates against the cloud's Keystone and returns the session. */
  static async connect(cloud: ResolvedCloud, opts: SessionOptions = {}): Promise<Session> {
    // Why: a ResolvedCloud built in code (not by loadCloudConfig) must not leak its secrets either.
    registerSecret(cloud.auth.password);
    registerSecret(cloud.auth.applicationCredentialSecret);
    registerSecret(cloud.auth.token);
    const http = new HttpClient({ label: cloud.name, ...opts.http, tls: opts.http?.tls ?? tlsOptionsOf(cloud) });
    try {
      const token = await authenticate(http, cloud);
      return new Session(cloud, http, token, opts);
    } catch (err) {
      http.close();
      throw err;
    }
  }

  /** The current token's facts (user, project, catalog). */
  get token(): Token {
    return this.current;
  }

  private margin(t: Token): number {
    if (this.marginMs !== undefined) return this.marginMs;
    const lifetime = t.issuedAt ? t.expiresAt.getTime() - t.issuedAt.getTime() : 3600_000;
    return Math.min(5 * 60_000, Math.max(0, lifetime / 4));
  }

  /** A valid token value, renewed first when it is about to expire. */
  async tokenValue(): Promise<string> {
    const t = this.current;
    if (this.now() >= t.expiresAt.getTime() - this.margin(t)) return (await this.renew(t.value)).value;
    return t.value;
  }

  /** Gets a new token unless someone already replaced `stale`; concurrent callers share one request. */
  async renew(stale: string): Promise<Token> {
    if (this.current.value !== stale) return this.current;
    if (!this.renewing) {
      this.renewing = authenticate(this.http, this.cloud)
        .then((t) => {
          this.current = t;
          return t;
        })
        .finally(() => {
          this.renewing = undefined;
        });
    }
    return this.renewing;
  }

  /** The normalised endpoint of a service in this cloud's region and interface. */
  endpoint(service: ServiceName): string {
    return chooseEndpoint(this.current.catalog, service, { region: this.cloud.regionName, interface: this.cloud.interface });
  }

  /** True when the catalog has an endpoint for the service. */
  has(service: ServiceName): boolean {
    try {
      this.endpoint(service);
      return true;
    } catch {
      return false;
    }
  }

  /** Closes keep-alive sockets. */
  close(): void {
    this.http.close();
  }
}

/** A request relative to a service endpoint (`path` may also be an absolute URL, e.g. a next link). */
export interface ServiceRequest extends Omit<HttpRequest, "url"> {
  path: string;
  /** Overrides the negotiated microversion for this request ("" sends none). */
  microversion?: string;
}

/** Options of one service client. */
export interface ServiceClientOptions {
  microversion?: string | undefined;
  pageSize?: number;
}

/** The microversion headers of a service ("compute 2.79" plus Nova's legacy header). */
export function microversionHeaders(service: ServiceName, version: string | undefined): Record<string, string> {
  if (!version) return {};
  if (service === "compute") return { "OpenStack-API-Version": `compute ${version}`, "X-OpenStack-Nova-API-Version": version };
  if (service === "block-storage") return { "OpenStack-API-Version": `volume ${version}` };
  if (service === "load-balancer") return {};
  return { "OpenStack-API-Version": `${service} ${version}` };
}

/** A handle on one service of one cloud: what the service functions take as their first argument. */
export class ServiceClient<S extends ServiceName = ServiceName> {
  readonly endpoint: string;
  microversion: string | undefined;
  readonly pageSize: number;

  constructor(
    readonly session: Session,
    readonly service: S,
    opts: ServiceClientOptions & { endpoint?: string } = {},
  ) {
    this.endpoint = opts.endpoint ?? session.endpoint(service);
    this.microversion = opts.microversion;
    this.pageSize = opts.pageSize ?? 1000;
  }

  /** The absolute URL of a path under this service's endpoint (absolute URLs pass through). */
  url(path: string): string {
    if (/^https?:\/\//i.test(path)) return path;
    return this.endpoint + (path.startsWith("/") ? path : `/${path}`);
  }

  /** The path under this service's endpoint, without the query: what waiting notices show. */
  private shownPath(path: string): string {
    const url = this.url(path);
    const rel = url.startsWith(this.endpoint) ? url.slice(this.endpoint.length) : url.replace(/^https?:\/\/[^/]+/i, "");
    return (rel.split("?")[0] || "/").replace(/^(?!\/)/, "/");
  }

  /**
   * Sends an authenticated request; a 401 renews the token and repeats the request once. A 401 to
   * the fresh token is an AuthError (exit 4): renewing again would not help.
   */
  async request<T = unknown>(req: ServiceRequest): Promise<HttpResponse<T>> {
    const { path, microversion, ...rest } = req;
    const mv = microversion === undefined ? this.microversion : microversion || undefined;
    const send = async (token: string) =>
      this.session.http.request<T>({
        describe: { service: this.service, path: this.shownPath(path) },
        ...rest,
        url: this.url(path),
        headers: { ...microversionHeaders(this.service, mv), ...req.headers, "X-Auth-Token": token },
      });
    const token = await this.session.tokenValue();
    try {
      return await send(token);
    } catch (err) {
      const replayable = !(req.body && typeof (req.body as Readable).pipe === "function");
      if (err instanceof ApiError && err.status === 401 && replayable) {
        const fresh = await this.session.renew(token);
        try {
          return await send(fresh.value);
        } catch (again) {
          if (again instanceof ApiError && again.status === 401) throw this.refusedFreshToken(again);
          throw again;
        }
      }
      throw err;
    }
  }

  private refusedFreshToken(err: ApiError): AuthError {
    const cloud = this.session.cloud.name;
    return new AuthError(
      `${this.service} on cloud ${cloud} refused a fresh token (${err.method} ${err.url}: 401${err.requestId ? `, request ${err.requestId}` : ""})`,
      {
        cause: err,
        hint: `Keystone accepted the credentials but the ${this.service} service does not accept its token: the project may lack a role this service needs, or the service's Keystone settings are broken. Ask the provider, quoting the request id.`,
      },
    );
  }

  /** GET path?params, parsed as JSON. */
  async get<T = unknown>(path: string, params?: QueryParams, opts: Partial<ServiceRequest> = {}): Promise<T> {
    return (await this.request<T>({ ...opts, method: "GET", path, ...(params ? { params } : {}) })).data;
  }

  /** POST a JSON body; returns the whole response (some APIs answer in headers). */
  async post<T = unknown>(path: string, json?: unknown, opts: Partial<ServiceRequest> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...opts, method: "POST", path, ...(json !== undefined ? { json } : {}) });
  }

  /** PUT a JSON body. */
  async put<T = unknown>(path: string, json?: unknown, opts: Partial<ServiceRequest> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...opts, method: "PUT", path, ...(json !== undefined ? { json } : {}) });
  }

  /** PATCH with a body and content type given by the caller. */
  async patch<T = unknown>(path: string, json: unknown, opts: Partial<ServiceRequest> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...opts, method: "PATCH", path, json });
  }

  /** DELETE path. */
  async delete(path: string, opts: Partial<ServiceRequest> = {}): Promise<HttpResponse<unknown>> {
    return this.request({ ...opts, method: "DELETE", path });
  }
}
