/**
 * Simulated S3 object operations: Put/Get/Head/Delete/CopyObject,
 * DeleteObjects, and the multipart upload calls.
 *
 * Quirks (Swift s3api, Zed):
 * - DeleteObjects requires Content-MD5 (InvalidRequest without it, BadDigest
 *   when wrong); newer AWS SDKs send only a CRC32 there, so clients must add it;
 * - every part but the last must be at least 5 MiB (EntityTooSmall);
 * - a completed upload's ETag is the MD5 of the concatenated binary part
 *   MD5s followed by "-N"; its bytes are the parts' blobs, not a copy;
 * - DeleteObject of a missing key is 204, as S3 does.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Blob } from "../store/blobs.js";
import { BlobTooLarge } from "../store/blobs.js";
import { objectBody, parseRange, sendObject, storedEncoding } from "./body.js";
import { hdr, has, headersFrom, objectResponseHeaders, ownBucket, ownerXml, q, readXmlBody, type S3Ctx, type S3Reply } from "./s3-common.js";
import { byteOrder, type BucketRecord, type ObjectRecord } from "./state.js";
import { S3E, S3Fault, S3_NS, XML_DECL, esc, isoMillis, tagValue, tagValues, unesc } from "./xml.js";

const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** Room left under the project's byte quota (Number.MAX_SAFE_INTEGER when unlimited). */
function byteRoom(ctx: S3Ctx): number {
  const st = ctx.state;
  // Why: summing usage walks every object; skip it when no quota is set (benchmarks store many objects).
  if (st.quotaBytes < 0 && st.quotaObjects < 0) return Number.MAX_SAFE_INTEGER;
  const used = st.usage(ctx.caller.cred.projectId);
  if (st.quotaObjects >= 0 && used.objects >= st.quotaObjects) throw quotaExceeded();
  return st.quotaBytes < 0 ? Number.MAX_SAFE_INTEGER : Math.max(0, st.quotaBytes - used.bytes);
}

function quotaExceeded(): S3Fault {
  // Why: Swift's account quota answers 413; s3api turns that into EntityTooLarge.
  return new S3Fault(413, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
}

/** Streams the request body into one blob, checking Content-MD5 when sent. */
async function ingestBody(ctx: S3Ctx, limit: number): Promise<Blob> {
  const { stream, expected } = objectBody(ctx.req, ctx.caller.payloadHash);
  let blob: Blob;
  try {
    blob = await ctx.cloud.blobs.ingest(stream, limit, expected);
  } catch (err) {
    if (err instanceof BlobTooLarge) throw quotaExceeded();
    if (err instanceof S3Fault) throw err;
    throw new S3Fault(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
  }
  const md5 = hdr(ctx, "content-md5");
  if (md5 !== undefined && Buffer.from(blob.md5, "hex").toString("base64") !== md5) {
    ctx.cloud.blobs.release(blob);
    throw new S3Fault(400, "BadDigest", "The Content-MD5 you specified did not match what we received.", { ExpectedDigest: md5 });
  }
  return blob;
}

async function putObject(ctx: S3Ctx, b: BucketRecord, key: string): Promise<S3Reply> {
  if (hdr(ctx, "x-amz-copy-source") !== undefined) return copyObject(ctx, b, key);
  const meta = headersFrom(ctx.req.headers, "x-amz-meta-", storedEncoding(ctx.req.headers["content-encoding"]));
  const blob = await ingestBody(ctx, byteRoom(ctx));
  const rec: ObjectRecord = { ...meta, key, segments: [blob], size: blob.size, etag: blob.md5, lastModified: Date.now() };
  ctx.state.putObject(b, rec);
  ctx.state.record({ op: "put-object", bucket: b.name, key, bytes: blob.size, api: "s3" });
  return { status: 200, headers: { ETag: `"${rec.etag}"` } };
}

async function copyObject(ctx: S3Ctx, b: BucketRecord, key: string): Promise<S3Reply> {
  const raw = decodeURIComponent(hdr(ctx, "x-amz-copy-source")!.split("?")[0]!).replace(/^\//, "");
  const slash = raw.indexOf("/");
  if (slash <= 0) throw S3E.invalidArgument("x-amz-copy-source", raw, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  const src = ownBucket(ctx, raw.slice(0, slash)).objects.get(raw.slice(slash + 1));
  if (!src) throw S3E.noSuchKey(raw.slice(slash + 1));
  const replace = hdr(ctx, "x-amz-metadata-directive") === "REPLACE";
  if (src === b.objects.get(key) && !replace) {
    throw new S3Fault(400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  if (byteRoom(ctx) < src.size) throw quotaExceeded();
  const meta = replace ? headersFrom(ctx.req.headers, "x-amz-meta-", storedEncoding(ctx.req.headers["content-encoding"])) : { ...src, meta: { ...src.meta } };
  for (const s of src.segments) ctx.cloud.blobs.retain(s);
  const rec: ObjectRecord = {
    contentType: meta.contentType, meta: meta.meta, key, segments: [...src.segments], size: src.size, etag: src.etag, lastModified: Date.now(),
    ...(meta.contentEncoding ? { contentEncoding: meta.contentEncoding } : {}),
    ...(meta.cacheControl ? { cacheControl: meta.cacheControl } : {}),
    ...(meta.contentDisposition ? { contentDisposition: meta.contentDisposition } : {}),
  };
  ctx.state.putObject(b, rec);
  ctx.state.record({ op: "copy-object", bucket: b.name, key, bytes: rec.size, api: "s3" });
  return { status: 200, xml: `${XML_DECL}<CopyObjectResult><LastModified>${isoMillis(rec.lastModified)}</LastModified><ETag>"${rec.etag}"</ETag></CopyObjectResult>` };
}

function getObject(ctx: S3Ctx, b: BucketRecord, key: string): void {
  const o = b.objects.get(key);
  if (!o) throw S3E.noSuchKey(key);
  const headers = { ...ctx.respHeaders, ...objectResponseHeaders(o, "x-amz-meta-") };
  const inm = hdr(ctx, "if-none-match");
  if (inm !== undefined && (inm === "*" || inm.split(",").map((s) => s.trim()).includes(`"${o.etag}"`))) {
    ctx.res.writeHead(304, headers);
    ctx.res.end();
    return;
  }
  const range = parseRange(hdr(ctx, "range"), o.size);
  if (range === "bad") {
    throw new S3Fault(416, "InvalidRange", "The requested range is not satisfiable", { RangeRequested: hdr(ctx, "range") ?? "", ActualObjectSize: String(o.size) });
  }
  sendObject(ctx, headers, o.segments, o.size, range, (length) => {
    ctx.state.record({ op: "get-object", bucket: b.name, key, bytes: length, api: "s3" });
    return ctx.cloud.faults.drawTruncate(length);
  });
}

/** POST /bucket?delete */
export async function deleteObjects(ctx: S3Ctx, b: BucketRecord): Promise<S3Reply> {
  const body = await readXmlBody(ctx);
  const md5 = hdr(ctx, "content-md5");
  if (md5 === undefined) throw new S3Fault(400, "InvalidRequest", "Missing required header for this request: Content-MD5");
  if (createHash("md5").update(body).digest("base64") !== md5) {
    throw new S3Fault(400, "BadDigest", "The Content-MD5 you specified did not match what we received.", { ExpectedDigest: md5 });
  }
  const objects = tagValues(body, "Object");
  if (!/<Delete[\s>]/.test(body) || objects.length > 1000) throw S3E.malformedXml();
  const quiet = tagValue(body, "Quiet") === "true";
  const out: string[] = [];
  for (const o of objects) {
    const key = tagValue(o, "Key");
    if (key === undefined) throw S3E.malformedXml();
    if (ctx.state.deleteObject(b, key)) ctx.state.record({ op: "delete-object", bucket: b.name, key, api: "s3" });
    if (!quiet) out.push(`<Deleted><Key>${esc(key)}</Key></Deleted>`);
  }
  return { status: 200, xml: `${XML_DECL}<DeleteResult xmlns="${S3_NS}">${out.join("")}</DeleteResult>` };
}

function upload(ctx: S3Ctx, b: BucketRecord, key: string) {
  const id = q(ctx, "uploadId") ?? "";
  const u = ctx.state.uploads.get(id);
  if (!u || u.bucket !== b.name || u.key !== key) throw S3E.noSuchUpload(id);
  return u;
}

function createUpload(ctx: S3Ctx, b: BucketRecord, key: string): S3Reply {
  const id = randomUUID().replace(/-/g, "");
  const meta = headersFrom(ctx.req.headers, "x-amz-meta-", storedEncoding(ctx.req.headers["content-encoding"]));
  ctx.state.uploads.set(id, { ...meta, id, bucket: b.name, key, initiated: Date.now(), parts: new Map() });
  return {
    status: 200,
    xml: `${XML_DECL}<InitiateMultipartUploadResult xmlns="${S3_NS}"><Bucket>${esc(b.name)}</Bucket><Key>${esc(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
  };
}

async function uploadPart(ctx: S3Ctx, b: BucketRecord, key: string): Promise<S3Reply> {
  const u = upload(ctx, b, key);
  const raw = q(ctx, "partNumber") ?? "";
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PARTS) throw S3E.invalidArgument("partNumber", raw, `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive`);
  const blob = await ingestBody(ctx, byteRoom(ctx));
  if (ctx.state.uploads.get(u.id) !== u) {
    ctx.cloud.blobs.release(blob);
    throw S3E.noSuchUpload(u.id);
  }
  const old = u.parts.get(n);
  u.parts.set(n, { partNumber: n, blob, etag: blob.md5, size: blob.size, lastModified: Date.now() });
  if (old) ctx.cloud.blobs.release(old.blob);
  ctx.state.record({ op: "upload-part", bucket: b.name, key, partNumber: n, bytes: blob.size, api: "s3" });
  return { status: 200, headers: { ETag: `"${blob.md5}"` } };
}

function listParts(ctx: S3Ctx, b: BucketRecord, key: string): S3Reply {
  const u = upload(ctx, b, key);
  const max = Math.min(Number(q(ctx, "max-parts") ?? "1000") || 1000, 1000);
  const marker = Number(q(ctx, "part-number-marker") ?? "0") || 0;
  const all = [...u.parts.values()].filter((p) => p.partNumber > marker).sort((x, y) => x.partNumber - y.partNumber);
  const page = all.slice(0, max);
  const truncated = all.length > max;
  const parts = page.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${isoMillis(p.lastModified)}</LastModified><ETag>"${p.etag}"</ETag><Size>${p.size}</Size></Part>`);
  const next = page.length ? page[page.length - 1]!.partNumber : marker;
  return {
    status: 200,
    xml: `${XML_DECL}<ListPartsResult xmlns="${S3_NS}"><Bucket>${esc(b.name)}</Bucket><Key>${esc(key)}</Key><UploadId>${u.id}</UploadId><Initiator><ID>${ctx.caller.cred.projectId}:${ctx.caller.cred.userId}</ID><DisplayName>${ctx.caller.cred.projectId}:${ctx.caller.cred.userId}</DisplayName></Initiator>${ownerXml(ctx)}<StorageClass>STANDARD</StorageClass><PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${next}</NextPartNumberMarker><MaxParts>${max}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts.join("")}</ListPartsResult>`,
  };
}

async function completeUpload(ctx: S3Ctx, b: BucketRecord, key: string): Promise<S3Reply> {
  const u = upload(ctx, b, key);
  const body = await readXmlBody(ctx);
  const wanted = tagValues(body, "Part").map((p) => ({ n: Number(tagValue(p, "PartNumber")), etag: unesc(tagValue(p, "ETag") ?? "").replace(/"/g, "") }));
  if (wanted.length === 0 || wanted.some((w) => !Number.isInteger(w.n))) throw S3E.malformedXml();
  // Why: s3api checks the whole list's order and parts before any size, so the order error wins.
  const chosen = wanted.map((w, i) => {
    if (i > 0 && w.n <= wanted[i - 1]!.n) throw new S3Fault(400, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.", { UploadId: u.id });
    const p = u.parts.get(w.n);
    if (!p || p.etag !== w.etag) {
      throw new S3Fault(400, "InvalidPart", "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.", { UploadId: u.id, PartNumber: String(w.n), ETag: w.etag });
    }
    return p;
  });
  chosen.forEach((p, i) => {
    if (i < chosen.length - 1 && p.size < MIN_PART) {
      throw new S3Fault(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", { ProposedSize: String(p.size), MinSizeAllowed: String(MIN_PART), PartNumber: String(p.partNumber), ETag: p.etag });
    }
  });
  const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.etag, "hex")));
  const etag = `${createHash("md5").update(md5s).digest("hex")}-${chosen.length}`;
  const segments = chosen.map((p) => p.blob);
  const rec: ObjectRecord = {
    contentType: u.contentType, meta: u.meta, key, segments, size: chosen.reduce((s, p) => s + p.size, 0), etag, lastModified: Date.now(),
    ...(u.contentEncoding ? { contentEncoding: u.contentEncoding } : {}),
    ...(u.cacheControl ? { cacheControl: u.cacheControl } : {}),
    ...(u.contentDisposition ? { contentDisposition: u.contentDisposition } : {}),
  };
  ctx.state.dropUpload(u, new Set(segments));
  ctx.state.putObject(b, rec);
  ctx.state.record({ op: "complete-upload", bucket: b.name, key, bytes: rec.size, api: "s3" });
  return {
    status: 200,
    xml: `${XML_DECL}<CompleteMultipartUploadResult xmlns="${S3_NS}"><Location>/${esc(b.name)}/${esc(key)}</Location><Bucket>${esc(b.name)}</Bucket><Key>${esc(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`,
  };
}

/** GET /bucket?uploads */
export function listUploads(ctx: S3Ctx, b: BucketRecord): S3Reply {
  const prefix = q(ctx, "prefix") ?? "";
  const keyMarker = q(ctx, "key-marker") ?? "";
  const max = Math.min(Number(q(ctx, "max-uploads") ?? "1000") || 1000, 1000);
  const all = [...ctx.state.uploads.values()]
    .filter((u) => u.bucket === b.name && u.key.startsWith(prefix) && byteOrder(u.key, keyMarker) > 0)
    .sort((x, y) => byteOrder(x.key, y.key) || x.initiated - y.initiated);
  const page = all.slice(0, max);
  const items = page.map((u) => `<Upload><Key>${esc(u.key)}</Key><UploadId>${u.id}</UploadId>${ownerXml(ctx)}<StorageClass>STANDARD</StorageClass><Initiated>${isoMillis(u.initiated)}</Initiated></Upload>`);
  const last = page[page.length - 1];
  return {
    status: 200,
    xml: `${XML_DECL}<ListMultipartUploadsResult xmlns="${S3_NS}"><Bucket>${esc(b.name)}</Bucket><KeyMarker>${esc(keyMarker)}</KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker>${esc(last?.key ?? "")}</NextKeyMarker><NextUploadIdMarker>${last?.id ?? ""}</NextUploadIdMarker><Prefix>${esc(prefix)}</Prefix><MaxUploads>${max}</MaxUploads><IsTruncated>${all.length > max}</IsTruncated>${items.join("")}</ListMultipartUploadsResult>`,
  };
}

/** Requests on `/bucket/key`. */
export async function objectRequest(ctx: S3Ctx, bucket: string, key: string): Promise<S3Reply | void> {
  const b = ownBucket(ctx, bucket);
  if (["acl", "tagging", "retention", "legal-hold", "torrent", "restore"].some((p) => has(ctx, p))) throw S3E.notImplemented();
  if (has(ctx, "uploads")) {
    if (ctx.method !== "POST") throw new S3Fault(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", { Method: ctx.method, ResourceType: "OBJECT" });
    return createUpload(ctx, b, key);
  }
  if (has(ctx, "uploadId")) {
    switch (ctx.method) {
      case "PUT":
        return uploadPart(ctx, b, key);
      case "GET":
        return listParts(ctx, b, key);
      case "POST":
        return completeUpload(ctx, b, key);
      case "DELETE":
        ctx.state.dropUpload(upload(ctx, b, key));
        ctx.state.record({ op: "abort-upload", bucket: b.name, key, api: "s3" });
        return { status: 204 };
    }
  }
  switch (ctx.method) {
    case "PUT":
      return putObject(ctx, b, key);
    case "GET":
    case "HEAD":
      return getObject(ctx, b, key);
    case "DELETE":
      if (ctx.state.deleteObject(b, key)) ctx.state.record({ op: "delete-object", bucket: b.name, key, api: "s3" });
      return { status: 204 };
    default:
      throw new S3Fault(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", { Method: ctx.method, ResourceType: "OBJECT" });
  }
}
