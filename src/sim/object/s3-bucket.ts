/**
 * Simulated S3 service and bucket operations: ListBuckets, Create/Head/
 * DeleteBucket, versioning, ACL, location, the unsupported bucket
 * sub-resources, and ListObjects (v1 and v2).
 *
 * Quirks (Swift s3api as in Zed, the SCS target):
 * - a name taken by another project is 409 BucketAlreadyExists, by the same
 *   project 409 BucketAlreadyOwnedByYou; names follow the DNS-compliant rule;
 * - versioning is stored (Enabled/Suspended) but old versions are not kept:
 *   ListObjectVersions shows each object once, as its latest `null` version;
 * - `?policy`, `?cors` (unless the cloud is set to support it), `?lifecycle`,
 *   `?website`, `?notification`, `?requestPayment`, `?tagging` answer 501
 *   NotImplemented (Zed routes `?lifecycle` to its bucket listing, which no
 *   client can use, so the simulator reports it unsupported as newer Swift does);
 * - listings are in UTF-8 byte order, at most 1000 keys a page.
 */
import type { S3Ctx, S3Reply } from "./s3-common.js";
import { has, ownBucket, ownerXml, q, readXmlBody } from "./s3-common.js";
import { deleteObjects, listUploads } from "./s3-object.js";
import { byteOrder, type BucketRecord } from "./state.js";
import { S3E, S3Fault, S3_NS, XML_DECL, esc, isoMillis, tagValue } from "./xml.js";

const UNSUPPORTED = ["policy", "lifecycle", "website", "notification", "requestPayment", "tagging", "replication", "logging", "object-lock"];

/** GET / */
export function listBuckets(ctx: S3Ctx): S3Reply {
  const mine = [...ctx.state.buckets.values()].filter((b) => b.projectId === ctx.caller.cred.projectId).sort((a, b) => byteOrder(a.name, b.name));
  const items = mine.map((b) => `<Bucket><Name>${esc(b.name)}</Name><CreationDate>${isoMillis(b.createdAt)}</CreationDate></Bucket>`).join("");
  return { status: 200, xml: `${XML_DECL}<ListAllMyBucketsResult xmlns="${S3_NS}">${ownerXml(ctx)}<Buckets>${items}</Buckets></ListAllMyBucketsResult>` };
}

/** s3api's dns_compliant_bucket_names check. */
export function validBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (/\.\.|\.-|-\./.test(name) || /^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  return true;
}

async function createBucket(ctx: S3Ctx, name: string): Promise<S3Reply> {
  const body = await readXmlBody(ctx);
  if (!validBucketName(name)) throw new S3Fault(400, "InvalidBucketName", "The specified bucket is not valid.", { BucketName: name });
  const location = body.trim() ? tagValue(body, "LocationConstraint") : undefined;
  if (location !== undefined && location !== "" && location !== ctx.cloud.region && location !== "us-east-1") {
    throw new S3Fault(400, "InvalidLocationConstraint", "The specified location constraint is not valid.", { LocationConstraint: location });
  }
  const existing = ctx.state.buckets.get(name);
  if (existing) {
    if (existing.projectId === ctx.caller.cred.projectId) {
      throw new S3Fault(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", { BucketName: name });
    }
    throw new S3Fault(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", { BucketName: name });
  }
  ctx.state.buckets.set(name, { name, projectId: ctx.caller.cred.projectId, createdAt: Date.now(), meta: {}, objects: new Map() });
  return { status: 200, headers: { Location: `/${name}` } };
}

function deleteBucket(ctx: S3Ctx, b: BucketRecord): S3Reply {
  if (b.objects.size > 0) throw new S3Fault(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", { BucketName: b.name });
  for (const u of [...ctx.state.uploads.values()]) if (u.bucket === b.name) ctx.state.dropUpload(u);
  ctx.state.buckets.delete(b.name);
  return { status: 204 };
}

async function versioning(ctx: S3Ctx, b: BucketRecord): Promise<S3Reply> {
  if (ctx.method === "GET") {
    const status = b.versioning ? `<Status>${b.versioning}</Status>` : "";
    return { status: 200, xml: `${XML_DECL}<VersioningConfiguration xmlns="${S3_NS}">${status}</VersioningConfiguration>` };
  }
  if (ctx.method !== "PUT") throw methodNotAllowed(ctx);
  const status = tagValue(await readXmlBody(ctx), "Status");
  if (status !== "Enabled" && status !== "Suspended") throw S3E.malformedXml();
  b.versioning = status;
  return { status: 200 };
}

async function cors(ctx: S3Ctx, b: BucketRecord): Promise<S3Reply> {
  if (!ctx.state.corsSupported) throw S3E.notImplemented();
  if (ctx.method === "GET") {
    if (!b.cors) throw new S3Fault(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist", { BucketName: b.name });
    return { status: 200, xml: b.cors };
  }
  if (ctx.method === "DELETE") {
    delete b.cors;
    return { status: 204 };
  }
  if (ctx.method !== "PUT") throw methodNotAllowed(ctx);
  const body = await readXmlBody(ctx);
  if (!/<CORSConfiguration[\s>]/.test(body) || !/<CORSRule>/.test(body)) throw S3E.malformedXml();
  b.cors = body;
  return { status: 200 };
}

function acl(ctx: S3Ctx): S3Reply {
  if (ctx.method !== "GET") throw S3E.notImplemented();
  const id = `${ctx.caller.cred.projectId}:${ctx.caller.cred.userId}`;
  const grant = `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${id}</ID><DisplayName>${id}</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>`;
  return { status: 200, xml: `${XML_DECL}<AccessControlPolicy xmlns="${S3_NS}">${ownerXml(ctx)}<AccessControlList>${grant}</AccessControlList></AccessControlPolicy>` };
}

function methodNotAllowed(ctx: S3Ctx): S3Fault {
  return new S3Fault(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", { Method: ctx.method, ResourceType: "BUCKET" });
}

/** Requests on `/bucket` (no key). Object-level multipart and delete are in s3-object.ts. */
export async function bucketRequest(ctx: S3Ctx, name: string): Promise<S3Reply> {
  if (ctx.method === "PUT" && Object.keys(ctx.query).length === 0) return createBucket(ctx, name);
  if (UNSUPPORTED.some((p) => has(ctx, p))) {
    ownBucket(ctx, name);
    throw S3E.notImplemented();
  }
  const b = ownBucket(ctx, name);
  if (has(ctx, "versioning")) return versioning(ctx, b);
  if (has(ctx, "cors")) return cors(ctx, b);
  if (has(ctx, "acl")) return acl(ctx);
  if (has(ctx, "location")) {
    return { status: 200, xml: `${XML_DECL}<LocationConstraint xmlns="${S3_NS}">${esc(ctx.cloud.region)}</LocationConstraint>` };
  }
  if (has(ctx, "uploads") && ctx.method === "GET") return listUploads(ctx, b);
  if (has(ctx, "versions") && ctx.method === "GET") return listVersions(ctx, b);
  if (has(ctx, "delete") && ctx.method === "POST") return deleteObjects(ctx, b);
  switch (ctx.method) {
    case "HEAD":
      return { status: 200 };
    case "GET":
      return listObjects(ctx, b);
    case "DELETE":
      return deleteBucket(ctx, b);
    default:
      throw methodNotAllowed(ctx);
  }
}

/** First index in sorted `keys` whose key is greater than `after` (byte order). */
export function upperBound(keys: readonly string[], after: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byteOrder(keys[mid]!, after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface ListPage {
  keys: string[];
  prefixes: string[];
  truncated: boolean;
  last: string | undefined;
}

/** One page of a listing: keys after `after` under `prefix`, rolled up at `delimiter`. */
export function listPage(all: readonly string[], prefix: string, delimiter: string, after: string, max: number): ListPage {
  const out: ListPage = { keys: [], prefixes: [], truncated: false, last: undefined };
  let i = Math.max(upperBound(all, after), lowerBound(all, prefix));
  // Why: resuming after a common prefix must skip everything under it.
  const skipUnder = delimiter && after.endsWith(delimiter) ? after : undefined;
  for (; i < all.length; i++) {
    const k = all[i]!;
    if (!k.startsWith(prefix)) {
      if (byteOrder(k, prefix) > 0) break;
      continue;
    }
    if (skipUnder && k.startsWith(skipUnder)) continue;
    if (out.keys.length + out.prefixes.length >= max) {
      out.truncated = true;
      break;
    }
    const d = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    if (d >= 0) {
      const cp = k.slice(0, d + delimiter.length);
      out.prefixes.push(cp);
      out.last = cp;
      while (i + 1 < all.length && all[i + 1]!.startsWith(cp)) i++;
      continue;
    }
    out.keys.push(k);
    out.last = k;
  }
  return out;
}

/** First index in sorted `keys` whose key is not less than `from` (byte order). */
function lowerBound(keys: readonly string[], from: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byteOrder(keys[mid]!, from) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function maxKeysOf(ctx: S3Ctx, name: string): number {
  const raw = q(ctx, name);
  if (raw === undefined) return 1000;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw S3E.invalidArgument(name, raw, "Provided max-keys not an integer or within integer range");
  return Math.min(n, 1000);
}

function listObjects(ctx: S3Ctx, b: BucketRecord): S3Reply {
  const v2 = q(ctx, "list-type") === "2";
  const prefix = q(ctx, "prefix") ?? "";
  const delimiter = q(ctx, "delimiter") ?? "";
  const max = maxKeysOf(ctx, "max-keys");
  const urlEnc = q(ctx, "encoding-type") === "url";
  const enc = (s: string) => esc(urlEnc ? encodeURIComponent(s).replace(/%2F/g, "/") : s);
  const token = q(ctx, "continuation-token");
  let after: string;
  if (v2) {
    after = token !== undefined ? decodeToken(token) : (q(ctx, "start-after") ?? "");
  } else after = q(ctx, "marker") ?? "";
  const page = listPage(ctx.state.sortedKeys(b), prefix, delimiter, after, max);
  const parts: string[] = [`<Name>${esc(b.name)}</Name>`, `<Prefix>${enc(prefix)}</Prefix>`];
  if (v2) {
    if (q(ctx, "start-after") !== undefined) parts.push(`<StartAfter>${enc(q(ctx, "start-after")!)}</StartAfter>`);
    if (token !== undefined) parts.push(`<ContinuationToken>${esc(token)}</ContinuationToken>`);
    if (page.truncated && page.last !== undefined) parts.push(`<NextContinuationToken>${encodeToken(page.last)}</NextContinuationToken>`);
    parts.push(`<KeyCount>${page.keys.length + page.prefixes.length}</KeyCount>`);
  } else {
    parts.push(`<Marker>${enc(after)}</Marker>`);
    if (page.truncated && delimiter && page.last !== undefined) parts.push(`<NextMarker>${enc(page.last)}</NextMarker>`);
  }
  parts.push(`<MaxKeys>${max}</MaxKeys>`);
  if (delimiter) parts.push(`<Delimiter>${esc(delimiter)}</Delimiter>`);
  if (urlEnc) parts.push("<EncodingType>url</EncodingType>");
  parts.push(`<IsTruncated>${page.truncated}</IsTruncated>`);
  const fetchOwner = !v2 || q(ctx, "fetch-owner") === "true";
  for (const k of page.keys) {
    const o = b.objects.get(k)!;
    parts.push(
      `<Contents><Key>${enc(k)}</Key><LastModified>${isoMillis(o.lastModified)}</LastModified><ETag>"${o.etag}"</ETag><Size>${o.size}</Size>${fetchOwner ? ownerXml(ctx) : ""}<StorageClass>STANDARD</StorageClass></Contents>`,
    );
  }
  for (const p of page.prefixes) parts.push(`<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`);
  return { status: 200, xml: `${XML_DECL}<ListBucketResult xmlns="${S3_NS}">${parts.join("")}</ListBucketResult>` };
}

function encodeToken(key: string): string {
  return Buffer.from(key, "utf8").toString("base64");
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, "base64").toString("utf8");
  if (encodeToken(key) !== token) throw S3E.invalidArgument("continuation-token", token, "The continuation token provided is incorrect");
  return key;
}

/** GET /bucket?versions: every object as its only (latest, `null`) version. */
function listVersions(ctx: S3Ctx, b: BucketRecord): S3Reply {
  const prefix = q(ctx, "prefix") ?? "";
  const delimiter = q(ctx, "delimiter") ?? "";
  const marker = q(ctx, "key-marker") ?? "";
  const max = maxKeysOf(ctx, "max-keys");
  const page = listPage(ctx.state.sortedKeys(b), prefix, delimiter, marker, max);
  const parts = [`<Name>${esc(b.name)}</Name>`, `<Prefix>${esc(prefix)}</Prefix>`, `<KeyMarker>${esc(marker)}</KeyMarker>`, "<VersionIdMarker></VersionIdMarker>"];
  if (page.truncated && page.last !== undefined) parts.push(`<NextKeyMarker>${esc(page.last)}</NextKeyMarker>`, "<NextVersionIdMarker>null</NextVersionIdMarker>");
  parts.push(`<MaxKeys>${max}</MaxKeys>`);
  if (delimiter) parts.push(`<Delimiter>${esc(delimiter)}</Delimiter>`);
  parts.push(`<IsTruncated>${page.truncated}</IsTruncated>`);
  for (const k of page.keys) {
    const o = b.objects.get(k)!;
    parts.push(
      `<Version><Key>${esc(k)}</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>${isoMillis(o.lastModified)}</LastModified><ETag>"${o.etag}"</ETag><Size>${o.size}</Size>${ownerXml(ctx)}<StorageClass>STANDARD</StorageClass></Version>`,
    );
  }
  for (const p of page.prefixes) parts.push(`<CommonPrefixes><Prefix>${esc(p)}</Prefix></CommonPrefixes>`);
  return { status: 200, xml: `${XML_DECL}<ListVersionsResult xmlns="${S3_NS}">${parts.join("")}</ListVersionsResult>` };
}
