/**
 * The simulated S3 API (Swift s3api) entry: splits `/bucket/key` path-style
 * URLs, verifies SigV4, runs the bucket or object handler and renders S3
 * errors as XML with the right status.
 *
 * Quirks: aws-chunked uploads (the AWS SDKs' default checksum trailers) are
 * 501 NotImplemented "Transfering payloads in multiple chunks using
 * aws-chunked is not supported." as in Zed, unless the cloud is set to
 * decode them like newer Swift; HEAD errors carry no body (clients see only the status, as from
 * S3); every reply carries `x-amz-request-id` and `x-trans-id` with the same
 * Swift transaction id; answering before a request body is read drains it so
 * keep-alive clients are not stalled.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { log } from "../../log.js";
import type { CloudContext } from "../cloud-context.js";
import { bucketRequest, listBuckets } from "./s3-bucket.js";
import type { S3Ctx, S3Reply } from "./s3-common.js";
import { objectRequest } from "./s3-object.js";
import { decodeQuery, verifySigV4 } from "./sigv4.js";
import type { ObjectState } from "./state.js";
import { S3E, S3Fault, errorXml, transId } from "./xml.js";

function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3Fault(400, "InvalidURI", "Couldn't parse the specified URI.");
  }
}

/** Sends an S3 reply. */
function sendReply(res: ServerResponse, method: string, base: Record<string, string>, r: S3Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = r.xml !== undefined && method !== "HEAD" ? r.xml : "";
  const headers: Record<string, string> = { ...base, ...r.headers, "Content-Length": String(Buffer.byteLength(body)) };
  if (r.xml !== undefined) headers["Content-Type"] = "application/xml";
  res.writeHead(r.status, headers);
  res.end(body);
}

/** Sends an S3 error document for a fault. */
export function sendS3Fault(res: ServerResponse, method: string, base: Record<string, string>, f: S3Fault, resource: string, rid: string): void {
  sendReply(res, method, { ...base, ...f.headers }, { status: f.status, xml: errorXml(f, resource, rid) });
}

/** s3api's test for an aws-chunked upload (what SDKs send with checksum trailers). */
function isAwsChunked(req: IncomingMessage): boolean {
  return /aws-chunked/.test(String(req.headers["content-encoding"] ?? "")) || String(req.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-") || req.headers["x-amz-decoded-content-length"] !== undefined;
}

function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}

/** Handles one S3 request (already past the fault injector). */
export async function handleS3(cloud: CloudContext, state: ObjectState, req: IncomingMessage, res: ServerResponse, rawPath: string, rawQuery: string): Promise<void> {
  const rid = transId();
  const base = { "x-amz-request-id": rid, "x-trans-id": rid, "x-openstack-request-id": rid };
  const method = req.method ?? "GET";
  let resource = "/";
  try {
    const segs = rawPath.replace(/^\//, "");
    const slash = segs.indexOf("/");
    const bucket = segs === "" ? undefined : decodePath(slash < 0 ? segs : segs.slice(0, slash));
    const keyRaw = slash < 0 ? "" : segs.slice(slash + 1);
    const key = keyRaw === "" ? undefined : decodePath(keyRaw);
    resource = bucket === undefined ? "/" : key === undefined ? `/${bucket}` : `/${bucket}/${key}`;
    const caller = await verifySigV4(state, req, rawPath, rawQuery);
    if (!state.awsChunkedSupported && isAwsChunked(req)) {
      throw new S3Fault(501, "NotImplemented", "Transfering payloads in multiple chunks using aws-chunked is not supported.");
    }
    const ctx: S3Ctx = { cloud, state, req, res, method, bucket, key, query: decodeQuery(rawQuery), caller, requestId: rid, respHeaders: base };
    let reply: S3Reply | void;
    if (bucket === undefined) {
      if (method !== "GET" && method !== "HEAD") throw new S3Fault(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", { Method: method, ResourceType: "SERVICE" });
      reply = listBuckets(ctx);
    } else if (key === undefined) {
      reply = await bucketRequest(ctx, bucket);
    } else {
      reply = await objectRequest(ctx, bucket, key);
    }
    drain(req);
    if (reply) sendReply(res, method, base, reply);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    drain(req);
    if (!(err instanceof S3Fault)) log.debug("Simulated S3 handler failed", { cloud: cloud.name, path: rawPath, error: String(err instanceof Error ? err.stack : err) });
    sendS3Fault(res, method, base, err instanceof S3Fault ? err : S3E.internal(), resource, rid);
  }
}
