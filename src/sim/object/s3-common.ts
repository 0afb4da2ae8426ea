/**
 * What every simulated S3 handler shares: the request context (bucket, key,
 * decoded query, the verified caller), the reply shape, bucket lookup with
 * ownership, and the object headers read from a request and written to a
 * response.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CloudContext } from "../cloud-context.js";
import type { S3Caller } from "./sigv4.js";
import type { BucketRecord, ObjectHeaders, ObjectRecord, ObjectState } from "./state.js";
import { S3E, httpDate } from "./xml.js";

/** One S3 request as handlers see it. */
export interface S3Ctx {
  readonly cloud: CloudContext;
  readonly state: ObjectState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly query: Record<string, string | string[]>;
  readonly caller: S3Caller;
  readonly requestId: string;
  /** Headers added to every reply (request ids). */
  readonly respHeaders: Record<string, string>;
}

/** A complete S3 reply (XML or empty). */
export interface S3Reply {
  status: number;
  xml?: string;
  headers?: Record<string, string>;
}

/** The first value of a query parameter. */
export function q(ctx: S3Ctx, name: string): string | undefined {
  const v = ctx.query[name];
  return Array.isArray(v) ? v[0] : v;
}

/** True when the query has the parameter (with or without a value). */
export function has(ctx: S3Ctx, name: string): boolean {
  return name in ctx.query;
}

/** A request header as one string. */
export function hdr(ctx: S3Ctx, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** The bucket named in the request, owned by the caller's project; NoSuchBucket or AccessDenied otherwise. */
export function ownBucket(ctx: S3Ctx, name = ctx.bucket ?? ""): BucketRecord {
  const b = ctx.state.buckets.get(name);
  if (!b) throw S3E.noSuchBucket(name);
  if (b.projectId !== ctx.caller.cred.projectId) throw S3E.accessDenied();
  return b;
}

/** Object headers from request headers (`x-amz-meta-*` or `x-object-meta-*`). */
export function headersFrom(headers: IncomingMessage["headers"], metaPrefix: string, encoding: string | undefined): ObjectHeaders {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith(metaPrefix) && v !== undefined) meta[k.slice(metaPrefix.length)] = Array.isArray(v) ? v.join(",") : v;
  }
  const one = (name: string) => {
    const v = headers[name];
    return v === undefined ? undefined : Array.isArray(v) ? v.join(",") : v;
  };
  const out: ObjectHeaders = { contentType: one("content-type") ?? "application/octet-stream", meta };
  if (encoding) out.contentEncoding = encoding;
  const cc = one("cache-control");
  if (cc) out.cacheControl = cc;
  const cd = one("content-disposition");
  if (cd) out.contentDisposition = cd;
  return out;
}

/** Response headers of an object (`x-amz-meta-*` or `X-Object-Meta-*`). */
export function objectResponseHeaders(o: ObjectRecord, metaPrefix: string): Record<string, string> {
  const h: Record<string, string> = {
    "Content-Type": o.contentType,
    ETag: `"${o.etag}"`,
    "Last-Modified": httpDate(o.lastModified),
    "Accept-Ranges": "bytes",
  };
  if (o.contentEncoding) h["Content-Encoding"] = o.contentEncoding;
  if (o.cacheControl) h["Cache-Control"] = o.cacheControl;
  if (o.contentDisposition) h["Content-Disposition"] = o.contentDisposition;
  for (const [k, v] of Object.entries(o.meta)) h[`${metaPrefix}${k}`] = v;
  return h;
}

/** The owner element s3api renders (Keystone project and user ids). */
export function ownerXml(ctx: S3Ctx): string {
  const id = `${ctx.caller.cred.projectId}:${ctx.caller.cred.userId}`;
  return `<Owner><ID>${id}</ID><DisplayName>${id}</DisplayName></Owner>`;
}

/** Reads a small XML request body (configuration documents, part lists), at most 1 MiB. */
export async function readXmlBody(ctx: S3Ctx): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of ctx.req) {
    size += (c as Buffer).length;
    if (size > 1 << 20) throw S3E.malformedXml();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
