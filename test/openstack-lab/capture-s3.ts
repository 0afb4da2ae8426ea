/**
 * Captures of the S3 API (Swift's s3api + s3token middleware in the lab's
 * Swift proxy) and of Keystone's EC2 credentials that authenticate it: the
 * credential create/list/show/delete bodies, the XML of every common S3
 * error, ListObjectsV2 pagination, multipart ETags, HEAD headers, and what
 * Swift shows of an object that S3 made.
 *
 * API: keystone POST|GET|DELETE /v3/users/{id}/credentials/OS-EC2[/{access}],
 * GET /v3/credentials?type=ec2; S3 (SigV4, region RegionOne, path-style)
 * ListBuckets, CreateBucket, HeadBucket, PutObject, HeadObject, GetObject,
 * ListObjectsV2, CreateMultipartUpload, UploadPart, ListParts,
 * CompleteMultipartUpload, DeleteObject, DeleteBucket; Swift GET|HEAD|DELETE
 * /v1/AUTH_{project}/... for the cross-check and the cleanup.
 *
 * Requests are signed here with @smithy/signature-v4 and sent with fetch, so
 * the recorded bodies are the bytes the proxy sent, not what an SDK parsed.
 * Recorded secrets: the EC2 secret is replaced by [redacted] wherever it
 * appears (also inside /v3/credentials blobs); the Authorization header keeps
 * its shape with the signature replaced.
 */
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { CaptureContext } from "./capture.js";
import { call, expectStatus, registerSecret, type Exchange } from "./capture-http.js";

/** Response headers kept in S3 captures (lower case); values vary only in dates and ids. */
const S3_KEPT = ["content-type", "content-length", "etag", "last-modified", "location", "accept-ranges", "x-amz-meta-purpose", "x-amz-version-id", "x-amz-bucket-region"];
const S3_PRESENCE = ["x-amz-request-id", "x-amz-id-2", "x-trans-id", "x-openstack-request-id", "date"];

/** The region the lab's s3api expects in the SigV4 credential scope. */
export const S3_REGION = "RegionOne";

class NodeSha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: unknown) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: unknown): void {
    this.h.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    throw new Error("not used");
  }
}
function toBuffer(v: unknown): Buffer {
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  throw new Error(`cannot hash ${typeof v}`);
}

/** An S3 request signer and sender that returns the raw exchange. */
export function s3Client(endpoint: string, access: string, secret: string, region = S3_REGION) {
  const u = new URL(endpoint);
  const signer = new SignatureV4({ service: "s3", region, credentials: { accessKeyId: access, secretAccessKey: secret }, sha256: NodeSha256 as never, uriEscapePath: false, applyChecksum: false });
  return async function s3(method: string, path: string, opts: { query?: Record<string, string>; body?: Buffer | string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; text: string; exchange: Exchange }> {
    const body = typeof opts.body === "string" ? Buffer.from(opts.body) : opts.body;
    const headers: Record<string, string> = {
      host: u.host,
      "x-amz-content-sha256": createHash("sha256").update(body ?? Buffer.alloc(0)).digest("hex"),
      ...(opts.headers ?? {}),
    };
    if (body) headers["content-length"] = String(body.length);
    const signed = await signer.sign({ method, protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path, query: opts.query ?? {}, headers, body });
    const qs = new URLSearchParams(opts.query ?? {}).toString();
    const url = `${endpoint}${path}${qs ? `?${qs}` : ""}`;
    const sendHeaders = { ...signed.headers } as Record<string, string>;
    delete sendHeaders.host;
    delete sendHeaders["content-length"];
    const res = await fetch(url, { method, headers: sendHeaders, body, redirect: "manual" });
    const text = method === "HEAD" ? "" : await res.text();
    const reqHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers as Record<string, string>)) {
      if (k === "authorization") reqHeaders[k] = v.replace(/Signature=[0-9a-f]+/, "Signature=[redacted]");
      else if (k === "x-amz-date") reqHeaders[k] = "[date]";
      else reqHeaders[k] = v;
    }
    const kept: Record<string, string | boolean> = {};
    for (const h of S3_KEPT) {
      const v = res.headers.get(h);
      if (v !== null) kept[h] = v;
    }
    for (const h of S3_PRESENCE) kept[h] = res.headers.has(h);
    const exchange: Exchange = {
      request: {
        method,
        url,
        path: `${path}${qs ? `?${qs}` : ""}`,
        headers: reqHeaders,
        ...(body ? { body: body.length > 256 ? `[${body.length} bytes]` : body.toString("utf8") } : {}),
      },
      status: res.status,
      headers: kept,
      body: text === "" ? null : text.length > 4096 && !text.startsWith("<") ? `[${text.length} bytes]` : text,
    };
    return { status: res.status, headers: res.headers, text, exchange };
  };
}

/** Creates an EC2 credential for the session's user and project; returns access and secret. */
export async function createEc2(keystone: string, token: string, userId: string, projectId: string): Promise<{ access: string; secret: string; exchange: Exchange }> {
  const r = await call("POST", `${keystone}/users/${userId}/credentials/OS-EC2`, { token, json: { tenant_id: projectId } });
  const c = expectStatus("create EC2 credential", r, 201).body.credential;
  registerSecret(c.secret);
  return { access: c.access, secret: c.secret, exchange: r.exchange };
}

/** Runs the S3 and EC2 captures in the main capture project; deletes what it made. */
export async function captureS3(ctx: CaptureContext): Promise<void> {
  const { user, quotaUser, out, keystone } = ctx;
  const endpoint = user.endpoints.s3;
  const swift = user.endpoints["object-store"];
  if (!endpoint || !swift) {
    process.stderr.write("capture: no s3/object-store endpoint in the catalog, S3 skipped\n");
    return;
  }
  const tok = { token: user.token };
  const ec2Base = `${keystone}/users/${user.userId}/credentials/OS-EC2`;

  // -------------------------------------------------- keystone EC2 credentials
  const cred = await createEc2(keystone, user.token, user.userId, user.projectId);
  out.write("keystone", "ec2-credential-create", "POST /v3/users/{id}/credentials/OS-EC2 {tenant_id}: 201, access and secret (secret redacted here)", { ...cred.exchange });
  out.exchange("keystone", "ec2-credentials-list", "GET /v3/users/{id}/credentials/OS-EC2: every EC2 credential of the user, with secrets", await call("GET", ec2Base, tok));
  out.exchange("keystone", "ec2-credential-show", "GET /v3/users/{id}/credentials/OS-EC2/{access}", await call("GET", `${ec2Base}/${cred.access}`, tok));
  out.exchange("keystone", "credentials-list-type-ec2", "GET /v3/credentials?type=ec2: the same credential in the generic API, the secret inside a JSON string blob", await call("GET", `${keystone}/credentials?type=ec2&user_id=${user.userId}`, tok));
  out.exchange("keystone", "404-ec2-credential-not-found", "GET /v3/users/{id}/credentials/OS-EC2/{unknown access}", await call("GET", `${ec2Base}/00000000000000000000000000000000`, tok));

  const s3 = s3Client(endpoint, cred.access, cred.secret);
  const bucket = "cap-bucket";
  const made: string[] = [];
  try {
    // ----------------------------------------------------------- buckets
    out.exchange("s3", "list-buckets-empty", "GET / (ListBuckets) in a project without containers", (await s3("GET", "/")));
    const create = await s3("PUT", `/${bucket}`);
    if (create.status !== 200) throw new Error(`CreateBucket: HTTP ${create.status} ${create.text}`);
    made.push(bucket);
    out.exchange("s3", "bucket-create", "PUT /{bucket} (CreateBucket, no body): 200 with Location", create);
    out.exchange("s3", "409-bucket-create-again", "PUT /{bucket} of a bucket this project already has", (await s3("PUT", `/${bucket}`)));
    out.exchange("s3", "bucket-head", "HEAD /{bucket}", (await s3("HEAD", `/${bucket}`)));
    out.exchange("s3", "404-bucket-head-missing", "HEAD /{missing bucket}: 404 without a body", (await s3("HEAD", "/cap-no-such-bucket")));
    out.exchange("s3", "404-no-such-bucket", "GET /{missing bucket}?list-type=2: NoSuchBucket", (await s3("GET", "/cap-no-such-bucket", { query: { "list-type": "2" } })));
    out.exchange("s3", "400-invalid-bucket-name", "PUT /{bucket name with upper case}: InvalidBucketName", (await s3("PUT", "/Cap_Bad")));

    // ----------------------------------------------------------- objects
    const put = await s3("PUT", `/${bucket}/hello.txt`, { body: "hello, s3\n", headers: { "content-type": "text/plain", "x-amz-meta-purpose": "capture" } });
    out.exchange("s3", "object-put", "PUT /{bucket}/{key} with x-amz-meta-purpose: 200, ETag = quoted MD5", put);
    out.exchange("s3", "object-head", "HEAD /{bucket}/{key}: ETag, Content-Length, Last-Modified, x-amz-meta-*", (await s3("HEAD", `/${bucket}/hello.txt`)));
    out.exchange("s3", "object-get", "GET /{bucket}/{key}", (await s3("GET", `/${bucket}/hello.txt`)));
    out.exchange("s3", "404-no-such-key", "GET /{bucket}/{missing key}: NoSuchKey", (await s3("GET", `/${bucket}/no-such-key`)));
    out.exchange("s3", "404-object-head-missing", "HEAD /{bucket}/{missing key}: 404 without a body", (await s3("HEAD", `/${bucket}/no-such-key`)));

    // ListObjectsV2 pagination: 5 keys (plus hello.txt), 2 per page
    for (const k of ["logs/a.log", "logs/b.log", "logs/c.log", "data/1.bin", "data/2.bin"]) await s3("PUT", `/${bucket}/${k}`, { body: k });
    let token: string | undefined;
    for (let page = 1; page <= 5; page++) {
      const query: Record<string, string> = { "list-type": "2", "max-keys": "2", ...(token ? { "continuation-token": token } : {}) };
      const r = await s3("GET", `/${bucket}`, { query });
      out.exchange("s3", `list-objects-v2-max2-page${page}`, page === 1 ? "GET /{bucket}?list-type=2&max-keys=2: IsTruncated and NextContinuationToken" : `GET with the NextContinuationToken of page ${page - 1}`, r);
      token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(r.text)?.[1];
      if (!token) break;
    }
    out.exchange("s3", "list-objects-v2-delimiter", "GET /{bucket}?list-type=2&delimiter=/: CommonPrefixes", (await s3("GET", `/${bucket}`, { query: { "list-type": "2", delimiter: "/" } })));
    out.exchange("s3", "list-objects-v2-prefix", "GET /{bucket}?list-type=2&prefix=logs/&start-after=logs/a.log", (await s3("GET", `/${bucket}`, { query: { "list-type": "2", prefix: "logs/", "start-after": "logs/a.log" } })));
    out.exchange("s3", "list-buckets", "GET / (ListBuckets) with one bucket", (await s3("GET", "/")));

    // --------------------------------------------------------- multipart
    const key = "big/multipart.bin";
    const init = await s3("POST", `/${bucket}/${key}`, { query: { uploads: "" } });
    out.exchange("s3", "multipart-create", "POST /{bucket}/{key}?uploads (CreateMultipartUpload)", init);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)?.[1];
    if (!uploadId) throw new Error(`CreateMultipartUpload: ${init.text}`);
    const part1 = Buffer.alloc(5 * 1024 * 1024, 0x61);
    const part2 = Buffer.alloc(1024 * 1024, 0x62);
    const etags: string[] = [];
    for (const [i, data] of [part1, part2].entries()) {
      const r = await s3("PUT", `/${bucket}/${key}`, { query: { partNumber: String(i + 1), uploadId }, body: data });
      if (i === 0) out.exchange("s3", "multipart-upload-part", "PUT /{bucket}/{key}?partNumber=1&uploadId= (5 MiB): ETag = quoted MD5 of the part", r);
      etags.push(r.headers.get("etag") ?? "");
    }
    out.exchange("s3", "multipart-list-parts", "GET /{bucket}/{key}?uploadId= (ListParts)", (await s3("GET", `/${bucket}/${key}`, { query: { uploadId } })));
    const completeXml = (parts: string[]) =>
      `<CompleteMultipartUpload>${parts.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
    const done = await s3("POST", `/${bucket}/${key}`, { query: { uploadId }, body: completeXml(etags), headers: { "content-type": "application/xml" } });
    out.exchange("s3", "multipart-complete", "POST /{bucket}/{key}?uploadId= (CompleteMultipartUpload): ETag = quoted md5(concatenated part MD5s)-2", done);
    out.exchange("s3", "multipart-object-head", "HEAD of the completed multipart object: the -N ETag, full Content-Length", (await s3("HEAD", `/${bucket}/${key}`)));

    // a part below 5 MiB that is not the last one
    const small = await s3("POST", `/${bucket}/small-parts.bin`, { query: { uploads: "" } });
    const smallId = /<UploadId>([^<]+)<\/UploadId>/.exec(small.text)?.[1] ?? "";
    const smallEtags: string[] = [];
    for (const n of [1, 2]) {
      const r = await s3("PUT", `/${bucket}/small-parts.bin`, { query: { partNumber: String(n), uploadId: smallId }, body: Buffer.alloc(1024, 0x63) });
      smallEtags.push(r.headers.get("etag") ?? "");
    }
    out.exchange("s3", "400-multipart-entity-too-small", "CompleteMultipartUpload whose first part is 1 KiB: EntityTooSmall", (await s3("POST", `/${bucket}/small-parts.bin`, { query: { uploadId: smallId }, body: completeXml(smallEtags), headers: { "content-type": "application/xml" } })));
    out.exchange("s3", "multipart-abort", "DELETE /{bucket}/{key}?uploadId= (AbortMultipartUpload)", (await s3("DELETE", `/${bucket}/small-parts.bin`, { query: { uploadId: smallId } })));

    // ------------------------------------------------- the Swift side of it
    out.exchange("swift", "container-list-after-s3", "GET /v1/AUTH_{project}?format=json: S3 buckets are Swift containers; multipart segments live in {bucket}+segments", await call("GET", `${swift}?format=json`, tok));
    out.exchange("swift", "object-head-s3-multipart", "HEAD /v1/AUTH_{project}/{bucket}/{multipart key}: a static large object", withSwiftHeaders(await call("HEAD", `${swift}/${bucket}/${key}`, tok)));
    out.exchange("swift", "object-list-after-s3", "GET /v1/AUTH_{project}/{bucket}?format=json: the S3 keys as Swift objects (hash = MD5, or the SLO's ETag)", withSwiftHeaders(await call("GET", `${swift}/${bucket}?format=json`, tok)));

    // ------------------------------------------------------------ errors
    const badSecret = s3Client(endpoint, cred.access, "not-the-secret-not-the-secret-xx");
    out.exchange("s3", "403-signature-does-not-match", "GET /{bucket} signed with a wrong secret", (await badSecret("GET", `/${bucket}`, { query: { "list-type": "2" } })));
    const badAccess = s3Client(endpoint, "00000000000000000000000000000000", cred.secret);
    out.exchange("s3", "403-invalid-access-key", "GET /{bucket} with an access key Keystone does not know", (await badAccess("GET", `/${bucket}`, { query: { "list-type": "2" } })));
    const wrongRegion = s3Client(endpoint, cred.access, cred.secret, "us-east-1");
    out.exchange("s3", "400-wrong-region", "GET /{bucket} signed for us-east-1 instead of RegionOne", (await wrongRegion("GET", `/${bucket}`, { query: { "list-type": "2" } })));
    out.exchange("s3", "409-bucket-not-empty", "DELETE /{bucket} with objects in it: BucketNotEmpty", (await s3("DELETE", `/${bucket}`)));

    // Swift's namespace is per project: another project may take the same bucket name
    const other = await createEc2(keystone, quotaUser.token, quotaUser.userId, quotaUser.projectId);
    const s3other = s3Client(endpoint, other.access, other.secret);
    const otherCreate = await s3other("PUT", `/${bucket}`);
    out.exchange("s3", "bucket-create-same-name-other-project", "PUT /{bucket} with a name another project already uses: 200 (buckets are per project here, not global)", otherCreate);
    if (otherCreate.status === 200) await s3other("DELETE", `/${bucket}`);

    // ----------------------------------------------------------- deletes
    out.exchange("s3", "object-delete", "DELETE /{bucket}/{key}: 204", (await s3("DELETE", `/${bucket}/hello.txt`)));
    out.exchange("s3", "object-delete-missing", "DELETE /{bucket}/{missing key}: 204 all the same", (await s3("DELETE", `/${bucket}/hello.txt`)));
  } finally {
    // the cleanup goes through Swift: it also removes the +segments container
    await emptyAccount(swift, user.token);
  }
  out.exchange("keystone", "ec2-credential-delete", "DELETE /v3/users/{id}/credentials/OS-EC2/{access}: 204", await call("DELETE", `${ec2Base}/${cred.access}`, tok));
  out.exchange("s3", "403-deleted-credential", "ListBuckets with the access key of a deleted EC2 credential", (await s3("GET", "/")));
}

/** Swift headers worth recording, which capture-http's generic list leaves out. */
const SWIFT_KEPT = ["etag", "content-length", "x-static-large-object", "x-container-object-count", "x-container-bytes-used"];

/** Adds the Swift headers of SWIFT_KEPT to a generic capture. */
function withSwiftHeaders(r: { reply: { headers: Headers }; exchange: Exchange }): { exchange: Exchange } {
  const headers = { ...r.exchange.headers };
  for (const h of SWIFT_KEPT) {
    const v = r.reply.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  return { exchange: { ...r.exchange, headers } };
}

/** Deletes every object and container of a Swift account (the capture project's). */
export async function emptyAccount(swift: string, token: string): Promise<void> {
  const containers = await call("GET", `${swift}?format=json`, { token });
  for (const c of (containers.reply.body ?? []) as { name: string }[]) {
    const objs = await call("GET", `${swift}/${encodeURIComponent(c.name)}?format=json`, { token });
    for (const o of (objs.reply.body ?? []) as { name: string }[]) {
      await call("DELETE", `${swift}/${encodeURIComponent(c.name)}/${o.name.split("/").map(encodeURIComponent).join("/")}`, { token });
    }
    await call("DELETE", `${swift}/${encodeURIComponent(c.name)}`, { token });
  }
}
