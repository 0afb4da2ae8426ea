/**
 * The request context, replies and the route table shared by every simulated
 * service. Handlers return a `Reply` (JSON or text), or write the response
 * themselves (image data streams) and return nothing.
 *
 * Quirks: every reply carries `x-openstack-request-id` (services add their own
 * extra ids, e.g. Nova's `x-compute-request-id`); JSON request bodies are read
 * whole (they are small), while image uploads are streamed by their handler and
 * never pass through `readJson`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiFault } from "./errors.js";
import type { TokenRecord } from "../store/records.js";

/** What a handler sees of one request. */
export interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** Path below the service prefix, e.g. `/v2.1/servers/abc`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The raw query string without `?` (pagination links keep the client's order). */
  readonly rawQuery: string;
  readonly requestId: string;
  /** `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /** Captures of the matched route pattern. */
  params: string[];
  /** The validated token, on authenticated routes. */
  auth?: TokenRecord;
  /** Negotiated microversion as major*1000+minor (0 when the service has none). */
  mv: number;
  /** Headers added to every reply of this request (request ids, microversion echo). */
  readonly respHeaders: Record<string, string>;
}

/** A complete response. */
export interface Reply {
  status: number;
  /** A JSON-able body; `null` is sent as the literal `null` (Neutron does that). */
  body?: unknown;
  /** A raw body, sent as is. */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A route handler. */
export type Handler = (ctx: Ctx) => Reply | void | Promise<Reply | void>;

interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
  auth: boolean;
  bare: boolean;
}

/** The result of matching a path: a handler, or the methods the path allows. */
export type RouteMatch =
  | { kind: "ok"; handler: Handler; params: string[]; auth: boolean; bare: boolean }
  | { kind: "method"; allowed: string[] }
  | { kind: "none" };

/** A small method + path-pattern router (`/servers/:id/action`). */
export class Router {
  private readonly routes: Route[] = [];

  /**
   * Registers a route; `:name` segments capture one path segment. `auth:
   * false` serves without a token; `bare` skips the service's per-request
   * preparation (e.g. Nova's root version list has no microversion headers).
   */
  add(method: string, pattern: string, handler: Handler, opts: { auth?: boolean; bare?: boolean } = {}): this {
    const src = pattern.replace(/[.]/g, "\\.").replace(/:[a-zA-Z_]+/g, "([^/]+)");
    this.routes.push({ method, re: new RegExp(`^${src}/?$`), handler, auth: opts.auth ?? true, bare: opts.bare ?? false });
    return this;
  }

  /** Finds the route for a request. */
  match(method: string, path: string): RouteMatch {
    let allowed: string[] | undefined;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      if (r.method === method || (method === "HEAD" && r.method === "GET")) {
        return { kind: "ok", handler: r.handler, params: m.slice(1).map(safeDecode), auth: r.auth, bare: r.bare };
      }
      (allowed ??= []).push(r.method);
    }
    return allowed ? { kind: "method", allowed } : { kind: "none" };
  }
}

function safeDecode(s: string | undefined): string {
  if (s === undefined) return "";
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Sends a reply, merging the per-request headers. */
export function send(ctx: Ctx, reply: Reply): void {
  const res = ctx.res;
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...ctx.respHeaders, ...reply.headers };
  let payload = "";
  if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers["Content-Type"] = reply.contentType ?? "application/json";
  } else if (reply.text !== undefined) {
    payload = reply.text;
    headers["Content-Type"] = reply.contentType ?? "text/plain; charset=UTF-8";
  } else if (reply.contentType) {
    headers["Content-Type"] = reply.contentType;
  }
  headers["Content-Length"] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(ctx.method === "HEAD" ? undefined : payload);
}

/** Sends an ApiFault as its reply. */
export function sendFault(ctx: Ctx, f: ApiFault): void {
  if (f.jsonBody && /application\/json/.test(String(ctx.req.headers["accept"] ?? ""))) {
    send(ctx, { status: f.status, body: f.jsonBody, contentType: "application/json", headers: f.headers });
    return;
  }
  if (typeof f.body === "string") send(ctx, { status: f.status, text: f.body, contentType: f.contentType, headers: f.headers });
  else send(ctx, { status: f.status, body: f.body, contentType: f.contentType, headers: f.headers });
}

const MAX_JSON = 16 * 1024 * 1024;

/** Reads the whole request body as a string (JSON requests only). */
export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_JSON) throw new ApiFault(413, "Request body too large", "text/plain");
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads and parses a JSON body; `bad` builds the service's 400 for malformed
 * JSON. An empty body parses as undefined.
 */
export async function readJson(ctx: Ctx, bad: (msg: string) => ApiFault): Promise<unknown> {
  const text = await readText(ctx.req);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw bad("Malformed request body");
  }
}

/** Narrows an unknown JSON value to a plain object (or undefined). */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The full URL of this request's service prefix + path, used in links. */
export function selfUrl(ctx: Ctx, servicePrefix: string, path: string): string {
  return `${ctx.baseUrl}${servicePrefix}${path}`;
}

/**
 * Parses OpenStack boolean query values the way oslo's `bool_from_string`
 * does (True/true/1/yes/on); undefined for absent or unrecognised values.
 */
export function parseBool(v: string | null | undefined): boolean | undefined {
  if (v === null || v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (["1", "t", "true", "on", "y", "yes"].includes(s)) return true;
  if (["0", "f", "false", "off", "n", "no"].includes(s)) return false;
  return undefined;
}
