/**
 * The simulated Swift API on the same buckets and objects as the S3 API:
 * `/v1/AUTH_<project>` account listing, container GET/HEAD/PUT/POST/DELETE
 * with `X-Container-Meta-*`, `X-Container-Read`/`-Write`, object
 * GET/HEAD/PUT/DELETE with `X-Object-Meta-*`. A bucket is a container.
 *
 * Quirks (Swift proxy): listings are JSON with `format=json` or an
 * `Accept: application/json`, plain names otherwise; `limit` (at most
 * 10,000), `marker`, `end_marker`, `prefix` and `delimiter` (rolled up as
 * `{"subdir": …}`); an empty plain listing is 204; errors are Swift's small
 * HTML pages; object ETags are unquoted; a wrong `ETag` on upload is 422.
 * The container namespace is the cloud's bucket namespace, so a name another
 * project holds answers 409 (a real Swift would scope it per account).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CloudContext } from "../cloud-context.js";
import { validateToken } from "../identity/tokens.js";
import { BlobTooLarge } from "../store/blobs.js";
import { parseRange, sendObject } from "./body.js";
import { listPage } from "./s3-bucket.js";
import { headersFrom, objectResponseHeaders } from "./s3-common.js";
import type { BucketRecord, ObjectState } from "./state.js";
import { transId } from "./xml.js";

const PAGES: Record<number, [string, string]> = {
  400: ["Bad Request", "The server could not comply with the request since it is either malformed or otherwise incorrect."],
  401: ["Unauthorized", "This server could not verify that you are authorized to access the document you requested."],
  403: ["Forbidden", "Access was denied to this resource."],
  404: ["Not Found", "The resource could not be found."],
  405: ["Method Not Allowed", "The method is not allowed for this resource."],
  409: ["Conflict", "There was a conflict when trying to complete your request."],
  413: ["Request Entity Too Large", "The body of your request was too large for this server."],
  412: ["Precondition Failed", "A precondition for this request was not met."],
  416: ["Requested Range Not Satisfiable", "The Range requested is not available."],
  422: ["Unprocessable Entity", "Unable to process the contained instructions"],
  500: ["Internal Error", "An error occurred"],
  503: ["Service Unavailable", "The server is currently unavailable. Please try again at a later time."],
};

/** A Swift error reply. */
export class SwiftFault extends Error {
  constructor(readonly status: number) {
    super(PAGES[status]?.[0] ?? "Error");
  }
}

interface SwiftCtx {
  cloud: CloudContext;
  state: ObjectState;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  query: URLSearchParams;
  base: Record<string, string>;
  projectId: string;
}

function send(ctx: SwiftCtx, status: number, headers: Record<string, string> = {}, body = ""): void {
  if (ctx.res.headersSent) return;
  const payload = ctx.method === "HEAD" ? "" : body;
  ctx.res.writeHead(status, { "Content-Type": "text/html; charset=UTF-8", ...ctx.base, ...headers, "Content-Length": String(Buffer.byteLength(body)) });
  ctx.res.end(payload);
}

/** Sends a Swift error page. */
export function sendSwiftFault(res: ServerResponse, method: string, status: number): void {
  const [title, text] = PAGES[status] ?? ["Error", ""];
  const rid = transId();
  const body = `<html><h1>${title}</h1><p>${text}</p></html>`;
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Type": "text/html; charset=UTF-8", "X-Trans-Id": rid, "X-Openstack-Request-Id": rid, "Content-Length": String(Buffer.byteLength(body)) });
  res.end(method === "HEAD" ? "" : body);
}

function titleCase(k: string): string {
  return k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

function wantsJson(ctx: SwiftCtx): boolean {
  const f = ctx.query.get("format");
  if (f) return f === "json";
  return /application\/json/.test(String(ctx.req.headers["accept"] ?? ""));
}

function swiftTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23) + "000";
}

function timestamp(ms: number): string {
  return (ms / 1000).toFixed(5);
}

function pageParams(ctx: SwiftCtx): { limit: number; marker: string; end: string | null; prefix: string; delimiter: string } {
  const raw = ctx.query.get("limit");
  const limit = raw === null ? 10_000 : Number(raw);
  if (!/^\d+$/.test(raw ?? "0") || limit > 10_000) throw new SwiftFault(412);
  return { limit, marker: ctx.query.get("marker") ?? "", end: ctx.query.get("end_marker"), prefix: ctx.query.get("prefix") ?? "", delimiter: ctx.query.get("delimiter") ?? "" };
}

function listing(ctx: SwiftCtx, items: Array<{ name: string; json: Record<string, unknown> }>, headers: Record<string, string>): void {
  if (wantsJson(ctx)) {
    send(ctx, 200, { ...headers, "Content-Type": "application/json; charset=utf-8" }, JSON.stringify(items.map((i) => i.json)));
  } else if (items.length === 0) {
    send(ctx, 204, { ...headers, "Content-Type": "text/plain; charset=utf-8" });
  } else {
    send(ctx, 200, { ...headers, "Content-Type": "text/plain; charset=utf-8" }, items.map((i) => `${i.name}\n`).join(""));
  }
}

function account(ctx: SwiftCtx): void {
  const use = ctx.state.usage(ctx.projectId);
  const headers = {
    "X-Account-Container-Count": String(use.containers), "X-Account-Object-Count": String(use.objects),
    "X-Account-Bytes-Used": String(use.bytes), "X-Timestamp": timestamp(Date.now()), "Accept-Ranges": "bytes",
  };
  if (ctx.method === "HEAD") return send(ctx, 204, headers);
  if (ctx.method !== "GET") throw new SwiftFault(405);
  const p = pageParams(ctx);
  const mine = [...ctx.state.buckets.values()].filter((b) => b.projectId === ctx.projectId).map((b) => b.name).sort();
  const page = listPage(mine, p.prefix, "", p.marker, p.limit).keys.filter((n) => p.end === null || n < p.end);
  listing(ctx, page.map((name) => {
    const b = ctx.state.buckets.get(name)!;
    const bytes = [...b.objects.values()].reduce((s, o) => s + o.size, 0);
    return { name, json: { count: b.objects.size, bytes, name, last_modified: swiftTime(b.createdAt) } };
  }), headers);
}

function containerHeaders(b: BucketRecord): Record<string, string> {
  const h: Record<string, string> = {
    "X-Container-Object-Count": String(b.objects.size),
    "X-Container-Bytes-Used": String([...b.objects.values()].reduce((s, o) => s + o.size, 0)),
    "X-Timestamp": timestamp(b.createdAt), "Accept-Ranges": "bytes", "X-Storage-Policy": "Policy-0",
  };
  for (const [k, v] of Object.entries(b.meta)) h[`X-Container-Meta-${titleCase(k)}`] = v;
  if (b.read) h["X-Container-Read"] = b.read;
  if (b.write) h["X-Container-Write"] = b.write;
  return h;
}

function applyContainerHeaders(b: BucketRecord, headers: IncomingMessage["headers"]): void {
  for (const [k, v] of Object.entries(headers)) {
    const val = Array.isArray(v) ? v.join(",") : (v ?? "");
    if (k.startsWith("x-container-meta-")) {
      const name = k.slice("x-container-meta-".length);
      if (val === "") delete b.meta[name];
      else b.meta[name] = val;
    } else if (k.startsWith("x-remove-container-meta-")) delete b.meta[k.slice("x-remove-container-meta-".length)];
    else if (k === "x-container-read") val ? (b.read = val) : delete b.read;
    else if (k === "x-container-write") val ? (b.write = val) : delete b.write;
  }
}

function container(ctx: SwiftCtx, name: string): void {
  let b = ctx.state.buckets.get(name);
  if (b && b.projectId !== ctx.projectId) throw new SwiftFault(ctx.method === "PUT" ? 409 : 403);
  if (ctx.method === "PUT") {
    const created = !b;
    if (!b) {
      if (name.length > 256 || name.includes("/")) throw new SwiftFault(400);
      b = { name, projectId: ctx.projectId, createdAt: Date.now(), meta: {}, objects: new Map() };
      ctx.state.buckets.set(name, b);
    }
    applyContainerHeaders(b, ctx.req.headers);
    return send(ctx, created ? 201 : 202);
  }
  if (!b) throw new SwiftFault(404);
  switch (ctx.method) {
    case "POST":
      applyContainerHeaders(b, ctx.req.headers);
      return send(ctx, 204);
    case "HEAD":
      return send(ctx, 204, containerHeaders(b));
    case "DELETE":
      if (b.objects.size > 0) throw new SwiftFault(409);
      ctx.state.buckets.delete(name);
      return send(ctx, 204);
    case "GET": {
      const p = pageParams(ctx);
      const page = listPage(ctx.state.sortedKeys(b), p.prefix, p.delimiter, p.marker, p.limit);
      const items = [
        ...page.keys.map((k) => {
          const o = b.objects.get(k)!;
          return { name: k, json: { hash: o.etag, last_modified: swiftTime(o.lastModified), bytes: o.size, name: k, content_type: o.contentType } as Record<string, unknown> };
        }),
        ...page.prefixes.map((s) => ({ name: s, json: { subdir: s } as Record<string, unknown> })),
      ].filter((i) => p.end === null || i.name < p.end);
      items.sort((x, y) => (x.name < y.name ? -1 : 1));
      return listing(ctx, items, containerHeaders(b));
    }
    default:
      throw new SwiftFault(405);
  }
}

async function object(ctx: SwiftCtx, name: string, key: string): Promise<void> {
  const b = ctx.state.buckets.get(name);
  if (b && b.projectId !== ctx.projectId) throw new SwiftFault(403);
  if (!b) throw new SwiftFault(404);
  if (ctx.method === "PUT") {
    const st = ctx.state;
    const use = st.quotaBytes < 0 && st.quotaObjects < 0 ? { bytes: 0, objects: 0 } : st.usage(ctx.projectId);
    if (st.quotaObjects >= 0 && use.objects >= st.quotaObjects) throw new SwiftFault(413);
    const room = st.quotaBytes < 0 ? Number.MAX_SAFE_INTEGER : Math.max(0, st.quotaBytes - use.bytes);
    const meta = headersFrom(ctx.req.headers, "x-object-meta-", typeof ctx.req.headers["content-encoding"] === "string" ? ctx.req.headers["content-encoding"] : undefined);
    const declared = ctx.req.headers["content-length"] !== undefined ? Number(ctx.req.headers["content-length"]) : -1;
    const blob = await ctx.cloud.blobs.ingest(ctx.req, room, declared).catch((err: unknown) => {
      throw new SwiftFault(err instanceof BlobTooLarge ? 413 : 499);
    });
    const want = ctx.req.headers["etag"];
    if (typeof want === "string" && want.replace(/"/g, "") !== blob.md5) {
      ctx.cloud.blobs.release(blob);
      throw new SwiftFault(422);
    }
    const now = Date.now();
    ctx.state.putObject(b, { ...meta, key, segments: [blob], size: blob.size, etag: blob.md5, lastModified: now });
    ctx.state.record({ op: "put-object", bucket: name, key, bytes: blob.size, api: "swift" });
    return send(ctx, 201, { Etag: blob.md5, "Last-Modified": new Date(Math.floor(now / 1000) * 1000).toUTCString() });
  }
  const o = b.objects.get(key);
  if (!o) throw new SwiftFault(404);
  if (ctx.method === "DELETE") {
    ctx.state.deleteObject(b, key);
    ctx.state.record({ op: "delete-object", bucket: name, key, api: "swift" });
    return send(ctx, 204);
  }
  if (ctx.method !== "GET" && ctx.method !== "HEAD") throw new SwiftFault(405);
  const headers: Record<string, string> = { ...ctx.base, ...objectResponseHeaders(o, "X-Object-Meta-"), Etag: o.etag, "X-Timestamp": timestamp(o.lastModified) };
  delete headers["ETag"];
  const range = parseRange(typeof ctx.req.headers["range"] === "string" ? ctx.req.headers["range"] : undefined, o.size);
  if (range === "bad") throw new SwiftFault(416);
  sendObject(ctx, headers, o.segments, o.size, range, (length) => {
    ctx.state.record({ op: "get-object", bucket: name, key, bytes: length, api: "swift" });
    return ctx.cloud.faults.drawTruncate(length);
  });
}

/** Handles one Swift request under `/v1/`. */
export async function handleSwift(cloud: CloudContext, state: ObjectState, req: IncomingMessage, res: ServerResponse, rawPath: string, rawQuery: string): Promise<void> {
  const rid = transId();
  const method = req.method ?? "GET";
  const m = /^\/v1\/AUTH_([^/]+)(?:\/([^/]+)(?:\/(.+))?)?\/?$/.exec(rawPath);
  if (!m) return sendSwiftFault(res, method, 404);
  const tok = req.headers["x-auth-token"];
  const rec = validateToken(cloud, typeof tok === "string" ? tok : undefined, Date.now());
  if (!rec) return sendSwiftFault(res, method, 401);
  if (rec.projectId !== decodeURIComponent(m[1]!)) return sendSwiftFault(res, method, 403);
  const ctx: SwiftCtx = { cloud, state, req, res, method, query: new URLSearchParams(rawQuery), base: { "X-Trans-Id": rid, "X-Openstack-Request-Id": rid }, projectId: rec.projectId };
  if (m[2] === undefined) return account(ctx);
  const name = decodeURIComponent(m[2]);
  if (m[3] === undefined) return container(ctx, name);
  return object(ctx, name, decodeURIComponent(m[3]));
}
