/**
 * A small fake OpenStack on 127.0.0.1:0 for client tests: a node:http server
 * with a route table that records every call. The real client code (auth,
 * catalog, microversion headers, pagination, retries, error mapping) runs
 * against it; nothing in axios is mocked.
 *
 * `FakeOpenStack.start()` installs Keystone (POST /identity/v3/auth/tokens
 * with a catalog pointing back at this server) and version documents shaped
 * like Zed's. Services live under path prefixes: /compute/v2.1,
 * /network, /image, /volume/v3/{project}. Tests add routes for what they
 * exercise; a route may answer once, reset the connection, or stream.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";

/** A request as the fake saw it. */
export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The parsed JSON body (undefined when empty or not JSON). */
  json: any;
  /** Path parameters from `:name` segments of the route. */
  params: Record<string, string>;
}

/** What a handler answers. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string | Buffer | Readable;
  /** Destroys the socket without answering (the client sees ECONNRESET / socket hang up). */
  reset?: boolean;
}

export type FakeHandler = (req: FakeRequest, raw: { req: IncomingMessage; res: ServerResponse }) => FakeReply | Promise<FakeReply> | "handled";

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: FakeHandler;
  times: number;
}

export const PROJECT_ID = "9f1a2b3c4d5e6f708192a3b4c5d6e7f8";
export const USER_ID = "u-1234";
export const PASSWORD = "s3cr3t-Passw0rd!";

function compile(path: string | RegExp): { pattern: RegExp; keys: string[] } {
  if (path instanceof RegExp) return { pattern: path, keys: [] };
  const keys: string[] = [];
  const src = path
    .split("/")
    .map((seg) => {
      if (seg.startsWith(":")) {
        keys.push(seg.slice(1));
        return "([^/]+)";
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { pattern: new RegExp(`^${src}/?$`), keys };
}

export interface FakeOptions {
  /** Token lifetime in seconds (default 3600). */
  tokenTtl?: number;
  /** Nova's maximum microversion ("" for none). */
  computeMax?: string;
  /** Cinder's maximum microversion. */
  volumeMax?: string;
  /** Extra catalog entries or replacements (tests of endpoint choice). */
  catalog?: (base: string) => unknown[];
  /** Skip the default identity and version routes, and accept requests without a token. */
  bare?: boolean;
}

/** The fake server; create with `FakeOpenStack.start()`, stop with `close()`. */
export class FakeOpenStack {
  readonly calls: FakeRequest[] = [];
  private routes: Route[] = [];
  private validTokens = new Set<string>();
  private tokenCount = 0;
  /** Request body bytes received so far, over all requests (grows while a body streams in). */
  bytesReceived = 0;
  /** Every token issued, in order. */
  readonly issued: string[] = [];
  url = "";

  private constructor(
    private readonly server: Server,
    private readonly opts: FakeOptions,
  ) {}

  static async start(opts: FakeOptions = {}): Promise<FakeOpenStack> {
    let fake!: FakeOpenStack;
    const server = createServer((req, res) => void fake.handle(req, res));
    fake = new FakeOpenStack(server, opts);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (!opts.bare) fake.installDefaults();
    return fake;
  }

  get authUrl(): string {
    return `${this.url}/identity/v3`;
  }
  get computeUrl(): string {
    return `${this.url}/compute/v2.1`;
  }
  get volumeUrl(): string {
    return `${this.url}/volume/v3/${PROJECT_ID}`;
  }

  /**
   * Adds a route. One-shot routes (`once`) answer first, in the order they
   * were added; among permanent routes the one added last wins, so a test can
   * override a default.
   */
  on(method: string, path: string | RegExp, handler: FakeHandler | FakeReply, times = Infinity): this {
    const { pattern, keys } = compile(path);
    const h: FakeHandler = typeof handler === "function" ? handler : () => handler;
    const route = { method: method.toUpperCase(), pattern, keys, handler: h, times };
    // Why: inserting at the boundary keeps one-shot routes in FIFO order and puts the newest permanent route first.
    const firstPermanent = this.routes.findIndex((r) => !Number.isFinite(r.times));
    this.routes.splice(firstPermanent < 0 ? this.routes.length : firstPermanent, 0, route);
    return this;
  }

  /** Adds a route that answers only once (queued before every permanent route). */
  once(method: string, path: string | RegExp, handler: FakeHandler | FakeReply): this {
    return this.on(method, path, handler, 1);
  }

  /** Calls whose method and path match. */
  callsTo(method: string, path: string | RegExp): FakeRequest[] {
    const { pattern } = compile(path);
    return this.calls.filter((c) => c.method === method.toUpperCase() && pattern.test(c.path));
  }

  /** Invalidates every issued token (the next service call gets 401). */
  revokeTokens(): void {
    this.validTokens.clear();
  }

  catalog(): unknown[] {
    const base = this.url;
    const ep = (url: string, region = "RegionOne") =>
      ["public", "internal", "admin"].map((i) => ({ id: `${i}-${url}`, interface: i, region, region_id: region, url }));
    const defaults = [
      { type: "identity", name: "keystone", endpoints: ep(`${base}/identity/v3/`) },
      { type: "compute", name: "nova", endpoints: ep(`${base}/compute/v2.1`) },
      { type: "network", name: "neutron", endpoints: ep(`${base}/network`) },
      { type: "image", name: "glance", endpoints: ep(`${base}/image`) },
      { type: "volumev3", name: "cinderv3", endpoints: ep(`${base}/volume/v3/${PROJECT_ID}`) },
    ];
    return this.opts.catalog ? this.opts.catalog(base) : defaults;
  }

  private issueToken(): { value: string; body: unknown } {
    const value = `tok-${++this.tokenCount}-${"x".repeat(24)}`;
    this.validTokens.add(value);
    this.issued.push(value);
    const now = Date.now();
    const ttl = (this.opts.tokenTtl ?? 3600) * 1000;
    return {
      value,
      body: {
        token: {
          methods: ["password"],
          expires_at: new Date(now + ttl).toISOString().replace("Z", "000Z"),
          issued_at: new Date(now).toISOString().replace("Z", "000Z"),
          user: { id: USER_ID, name: "alice", domain: { id: "default", name: "Default" }, password_expires_at: null },
          project: { id: PROJECT_ID, name: "demo", domain: { id: "default", name: "Default" } },
          roles: [{ id: "r1", name: "member" }],
          catalog: this.catalog(),
          is_domain: false,
          audit_ids: ["a1"],
        },
      },
    };
  }

  private installDefaults(): void {
    this.on("POST", "/identity/v3/auth/tokens", (req) => {
      const pw = req.json?.auth?.identity?.password?.user?.password;
      const appSecret = req.json?.auth?.identity?.application_credential?.secret;
      const tokenId = req.json?.auth?.identity?.token?.id;
      if (pw !== undefined && pw !== PASSWORD) {
        return { status: 401, json: { error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" } } };
      }
      if (pw === undefined && appSecret === undefined && tokenId === undefined) return { status: 400, json: { error: { code: 400, message: "bad auth body", title: "Bad Request" } } };
      const t = this.issueToken();
      return { status: 201, headers: { "X-Subject-Token": t.value }, json: t.body };
    });
    const computeMax = this.opts.computeMax ?? "2.93";
    this.on("GET", "/compute/v2.1", {
      json: { version: { id: "v2.1", status: "CURRENT", version: computeMax, min_version: computeMax ? "2.1" : "", links: [] } },
    });
    this.on("GET", "/volume/v3", {
      json: { versions: [{ id: "v3.0", status: "CURRENT", version: this.opts.volumeMax ?? "3.70", min_version: "3.0", links: [] }] },
    });
  }

  private needsToken(path: string): boolean {
    if (this.opts.bare) return false;
    return !path.startsWith("/identity/") && !/^\/(compute\/v2\.1|volume\/v3)\/?$/.test(path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) {
      chunks.push(c as Buffer);
      this.bytesReceived += (c as Buffer).length;
    }
    const body = Buffer.concat(chunks);
    const u = new URL(req.url ?? "/", this.url);
    let json: unknown;
    try {
      json = body.length ? JSON.parse(body.toString("utf8")) : undefined;
    } catch {
      json = undefined;
    }
    const fr: FakeRequest = { method: req.method ?? "GET", path: u.pathname, query: u.searchParams, headers: req.headers, body, json, params: {} };
    this.calls.push(fr);
    if (this.needsToken(fr.path)) {
      const tok = req.headers["x-auth-token"];
      if (typeof tok !== "string" || !this.validTokens.has(tok)) {
        return this.send(res, { status: 401, json: { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } } });
      }
    }
    for (const route of this.routes) {
      if (route.method !== fr.method || route.times <= 0) continue;
      const m = route.pattern.exec(fr.path);
      if (!m) continue;
      route.times--;
      route.keys.forEach((k, i) => (fr.params[k] = decodeURIComponent(m[i + 1] ?? "")));
      const reply = await route.handler(fr, { req, res });
      if (reply === "handled") return;
      return this.send(res, reply);
    }
    this.send(res, { status: 404, json: { itemNotFound: { code: 404, message: `no fake route for ${fr.method} ${fr.path}` } } });
  }

  private send(res: ServerResponse, reply: FakeReply): void {
    if (reply.reset) {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = { "x-openstack-request-id": `req-${this.calls.length}`, ...reply.headers };
    if (reply.json !== undefined) headers["content-type"] ??= "application/json";
    res.writeHead(reply.status ?? 200, headers);
    if (reply.body instanceof Readable) {
      reply.body.pipe(res);
      return;
    }
    res.end(reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? ""));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A resolved cloud pointing at a fake (password auth). */
export function fakeCloud(fake: { authUrl: string }, over: Partial<import("../../src/config/clouds.js").ResolvedCloud> = {}) {
  return {
    name: "fake",
    source: "test",
    authType: "password" as const,
    auth: {
      authUrl: fake.authUrl,
      username: "alice",
      password: PASSWORD,
      userDomainName: "Default",
      projectName: "demo",
      projectDomainName: "Default",
    },
    regionName: null,
    interface: "public" as const,
    verify: true,
    cacert: null,
    cert: null,
    key: null,
    identityApiVersion: "3" as const,
    ...over,
  };
}

/** HTTP options that make retries instant in tests. */
export const FAST_HTTP = { retries: 3, retryBaseMs: 1, retryMaxMs: 5, timeoutMs: 5000 };
