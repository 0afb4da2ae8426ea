/**
 * The simulated S3 API with the real AWS SDK (configured by the tool's
 * makeS3Client): bucket lifecycle, objects with metadata and ranges,
 * ListObjectsV2 paging, multipart ETags, S3 XML errors, SigV4 failures,
 * unsupported bucket features as s3api answers them, Swift ↔ S3 on the same
 * objects, and faults.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketAclCommand, GetBucketPolicyCommand, GetObjectCommand,
  HeadBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, ListObjectsV2Command, ListPartsCommand, PutBucketVersioningCommand,
  PutBucketCorsCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { ApiError, AuthError } from "../../src/errors.js";
import { bucketExists, bucketFacts, headObject, listBuckets, listObjectPages, makeS3Client, s3Code, s3Status } from "../../src/s3/index.js";
import { s3For } from "../s3/helpers.js";
import { NodeSha256 } from "../../src/sim/object/sigv4.js";
import { token, useSim } from "./helpers.js";

async function fails(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

/** A GET signed with smithy's signer (as the SDK would), to read raw error bodies the SDK parses away. */
async function signedGet(url: string, region: string, accessKeyId: string, secretAccessKey: string): Promise<Response> {
  const u = new URL(url);
  const signer = new SignatureV4({ service: "s3", region, credentials: { accessKeyId, secretAccessKey }, sha256: NodeSha256, uriEscapePath: false });
  const req = await signer.sign({
    method: "GET", protocol: "http:", hostname: u.hostname, port: Number(u.port), path: u.pathname, query: {},
    headers: { host: u.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  return fetch(url, { headers: req.headers });
}

describe("simulated S3 (s3api) with the AWS SDK", async () => {
  const sim = await useSim([{ name: "s3sim" }, { name: "s3cors", objectStorage: { corsSupported: true, awsChunked: true, quotaBytes: 1000, quotaObjects: 2 } }]);
  const c = sim.cloud("s3sim");
  const { s3, access, secret, session } = await s3For(c);

  it("finds the endpoint in the catalog and runs a bucket's lifecycle", async () => {
    expect(session.token.catalog.map((e) => e.type)).toEqual(expect.arrayContaining(["s3", "object-store"]));
    await s3.send(new CreateBucketCommand({ Bucket: "life" }));
    expect(await bucketExists(s3, "life")).toBe(true);
    expect((await listBuckets(s3)).map((b) => b.name)).toContain("life");
    const again = await fails(s3.send(new CreateBucketCommand({ Bucket: "life" })));
    expect([s3Code(again), s3Status(again)]).toEqual(["BucketAlreadyOwnedByYou", 409]);
    await s3.send(new PutObjectCommand({ Bucket: "life", Key: "k", Body: "x" }));
    const notEmpty = await fails(s3.send(new DeleteBucketCommand({ Bucket: "life" })));
    expect([s3Code(notEmpty), s3Status(notEmpty)]).toEqual(["BucketNotEmpty", 409]);
    await s3.send(new DeleteObjectCommand({ Bucket: "life", Key: "k" }));
    await s3.send(new DeleteBucketCommand({ Bucket: "life" }));
    expect(await bucketExists(s3, "life")).toBe(false);
    const head = await fails(s3.send(new HeadBucketCommand({ Bucket: "life" })));
    expect(s3Status(head)).toBe(404);
  });

  it("refuses a name another project holds with BucketAlreadyExists", async () => {
    c.store.objects.buckets.set("taken", { name: "taken", projectId: c.store.identity.adminProjectId, createdAt: Date.now(), meta: {}, objects: new Map() });
    const err = await fails(s3.send(new CreateBucketCommand({ Bucket: "taken" })));
    expect([s3Code(err), s3Status(err)]).toEqual(["BucketAlreadyExists", 409]);
    expect(s3Status(await fails(s3.send(new HeadBucketCommand({ Bucket: "taken" }))))).toBe(403);
    const bad = await fails(s3.send(new CreateBucketCommand({ Bucket: "Bad_Name" })));
    expect(s3Code(bad)).toBe("InvalidBucketName");
  });

  it("stores objects with their headers and metadata, serves ranges and answers NoSuchKey as XML", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "objs" }));
    const body = Buffer.from("0123456789abcdefghij");
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: "objs", Key: "dir/ä b+c.txt", Body: body, ContentType: "text/plain", ContentEncoding: "identity", CacheControl: "max-age=60",
        ContentDisposition: 'attachment; filename="x.txt"', Metadata: { owner: "team-a", "Mixed-Case": "v" },
      }),
    );
    expect(put.ETag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: "objs", Key: "dir/ä b+c.txt" }));
    expect(await got.Body!.transformToString()).toBe(body.toString());
    expect(got).toMatchObject({ ContentType: "text/plain", ContentEncoding: "identity", CacheControl: "max-age=60", ContentDisposition: 'attachment; filename="x.txt"', Metadata: { owner: "team-a", "mixed-case": "v" } });
    const range = await s3.send(new GetObjectCommand({ Bucket: "objs", Key: "dir/ä b+c.txt", Range: "bytes=5-9" }));
    expect(range.ContentRange).toBe("bytes 5-9/20");
    expect(await range.Body!.transformToString()).toBe("56789");
    const tail = await s3.send(new GetObjectCommand({ Bucket: "objs", Key: "dir/ä b+c.txt", Range: "bytes=-3" }));
    expect(await tail.Body!.transformToString()).toBe("hij");
    expect(await headObject(s3, "objs", "dir/ä b+c.txt")).toMatchObject({ size: 20, contentType: "text/plain", metadata: { owner: "team-a" } });
    expect(await headObject(s3, "objs", "missing")).toBeNull();

    const err = await fails(s3.send(new GetObjectCommand({ Bucket: "objs", Key: "missing" })));
    expect([s3Code(err), s3Status(err)]).toEqual(["NoSuchKey", 404]);
    const res = await fetch(`${c.objectStorageUrl}/objs/missing`);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/^<\?xml version='1.0' encoding='UTF-8'\?>\n<Error><Code>AccessDenied<\/Code><Message>Access Denied.<\/Message><Resource>\/objs\/missing<\/Resource><RequestId>tx[0-9a-f]{21}-[0-9a-f]{10}<\/RequestId><\/Error>$/);
    const raw = await signedGet(`${c.objectStorageUrl}/objs/missing`, c.region, access, secret);
    expect(raw.status).toBe(404);
    expect(raw.headers.get("content-type")).toBe("application/xml");
    expect(await raw.text()).toMatch(/^<\?xml version='1.0' encoding='UTF-8'\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>missing<\/Key><Resource>\/objs\/missing<\/Resource><RequestId>(tx[0-9a-f-]+)<\/RequestId><\/Error>$/);

    const copy = await s3.send(new CopyObjectCommand({ Bucket: "objs", Key: "copy", CopySource: `objs/${encodeURIComponent("dir/ä b+c.txt")}` }));
    expect(copy.CopyObjectResult?.ETag).toBe(put.ETag);
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: "objs", Delete: { Objects: [{ Key: "copy" }, { Key: "never-there" }] } }));
    expect(del.Deleted?.map((d) => d.Key).sort()).toEqual(["copy", "never-there"]);
    expect(await headObject(s3, "objs", "copy")).toBeNull();
  });

  it("pages ListObjectsV2 over 2,500 keys with max-keys, start-after, prefix and delimiter", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "many" }));
    const keys = Array.from({ length: 2500 }, (_, i) => `k/${String(i).padStart(5, "0")}`);
    // Why: 2,497 keys go straight into the store (uploading each would only time the disk); three over the API.
    const bucket = c.store.objects.buckets.get("many")!;
    for (const k of keys.slice(3)) {
      const blob = c.store.blobs.fromBuffer(Buffer.from("same"));
      c.store.objects.putObject(bucket, { key: k, contentType: "text/plain", meta: {}, segments: [blob], size: 4, etag: blob.md5, lastModified: Date.now() });
    }
    for (const k of keys.slice(0, 3)) await s3.send(new PutObjectCommand({ Bucket: "many", Key: k, Body: k }));
    await s3.send(new PutObjectCommand({ Bucket: "many", Key: "top.txt", Body: "t" }));
    await s3.send(new PutObjectCommand({ Bucket: "many", Key: "z/deep/one", Body: "1" }));

    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const page of listObjectPages(s3, "many", { prefix: "k/", pageSize: 1000 })) {
      sizes.push(page.objects.length);
      seen.push(...page.objects.map((o) => o.key));
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(seen).toEqual(keys);

    const first = await s3.send(new ListObjectsV2Command({ Bucket: "many", MaxKeys: 1000 }));
    expect(first).toMatchObject({ IsTruncated: true, KeyCount: 1000 });
    expect(first.NextContinuationToken).toBeTruthy();
    const after = await s3.send(new ListObjectsV2Command({ Bucket: "many", StartAfter: "k/02497" }));
    expect(after.Contents?.map((o) => o.Key)).toEqual(["k/02498", "k/02499", "top.txt", "z/deep/one"]);
    const rolled = await s3.send(new ListObjectsV2Command({ Bucket: "many", Delimiter: "/" }));
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["k/", "z/"]);
    expect(rolled.Contents?.map((o) => o.Key)).toEqual(["top.txt"]);
    const p1 = await s3.send(new ListObjectsV2Command({ Bucket: "many", Delimiter: "/", MaxKeys: 1 }));
    const p2 = await s3.send(new ListObjectsV2Command({ Bucket: "many", Delimiter: "/", MaxKeys: 1, ContinuationToken: p1.NextContinuationToken }));
    expect([p1.CommonPrefixes?.[0]?.Prefix, p2.Contents?.[0]?.Key]).toEqual(["k/", "top.txt"]);
    const badMax = await fails(s3.send(new ListObjectsV2Command({ Bucket: "many", ContinuationToken: "!!" })));
    expect(s3Code(badMax)).toBe("InvalidArgument");
  });

  it("completes multipart uploads with the md5-of-md5s-N ETag and lists uploads and parts", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "mpu" }));
    const p1 = Buffer.alloc(5 * 1024 * 1024, 1);
    const p2 = Buffer.from("tail");
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "mpu", Key: "big", ContentType: "application/x-test", Metadata: { a: "b" } }));
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: "mpu" }))).Uploads?.map((u) => u.UploadId)).toEqual([UploadId]);
    const e1 = (await s3.send(new UploadPartCommand({ Bucket: "mpu", Key: "big", UploadId, PartNumber: 1, Body: p1 }))).ETag!;
    const e2 = (await s3.send(new UploadPartCommand({ Bucket: "mpu", Key: "big", UploadId, PartNumber: 2, Body: p2 }))).ETag!;
    expect((await s3.send(new ListPartsCommand({ Bucket: "mpu", Key: "big", UploadId }))).Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[1, p1.length], [2, 4]]);
    const order = await fails(s3.send(new CompleteMultipartUploadCommand({ Bucket: "mpu", Key: "big", UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: e2 }, { PartNumber: 1, ETag: e1 }] } })));
    expect(s3Code(order)).toBe("InvalidPartOrder");
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: "mpu", Key: "big", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } }));
    const md5 = (b: Buffer) => createHash("md5").update(b).digest();
    expect(done.ETag).toBe(`"${createHash("md5").update(Buffer.concat([md5(p1), md5(p2)])).digest("hex")}-2"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "mpu", Key: "big" }));
    expect(head).toMatchObject({ ContentLength: p1.length + 4, ETag: done.ETag, ContentType: "application/x-test", Metadata: { a: "b" } });
    const end = await s3.send(new GetObjectCommand({ Bucket: "mpu", Key: "big", Range: `bytes=${p1.length - 2}-` }));
    expect([...(await end.Body!.transformToByteArray())]).toEqual([1, 1, ...Buffer.from("tail")]);

    const small = await s3.send(new CreateMultipartUploadCommand({ Bucket: "mpu", Key: "small" }));
    const s1 = (await s3.send(new UploadPartCommand({ Bucket: "mpu", Key: "small", UploadId: small.UploadId, PartNumber: 1, Body: "a" }))).ETag!;
    const s2 = (await s3.send(new UploadPartCommand({ Bucket: "mpu", Key: "small", UploadId: small.UploadId, PartNumber: 2, Body: "b" }))).ETag!;
    const tooSmall = await fails(s3.send(new CompleteMultipartUploadCommand({ Bucket: "mpu", Key: "small", UploadId: small.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: s1 }, { PartNumber: 2, ETag: s2 }] } })));
    expect(s3Code(tooSmall)).toBe("EntityTooSmall");
    await s3.send(new AbortMultipartUploadCommand({ Bucket: "mpu", Key: "small", UploadId: small.UploadId }));
    const gone = await fails(s3.send(new ListPartsCommand({ Bucket: "mpu", Key: "small", UploadId: small.UploadId })));
    expect([s3Code(gone), s3Status(gone)]).toEqual(["NoSuchUpload", 404]);
  });

  it("rejects a bad signature and an unknown key, mapped to AuthError by the client layer", async () => {
    const secretless = makeS3Client({ endpoint: c.objectStorageUrl, region: c.region, accessKeyId: access, secretAccessKey: "wrong-secret-value" });
    const sig = await fails(secretless.send(new HeadBucketCommand({ Bucket: "objs" })));
    expect(s3Status(sig)).toBe(403);
    const sig2 = await fails(secretless.send(new GetObjectCommand({ Bucket: "objs", Key: "x" })));
    expect([s3Code(sig2), s3Status(sig2)]).toEqual(["SignatureDoesNotMatch", 403]);
    const unknown = makeS3Client({ endpoint: c.objectStorageUrl, region: c.region, accessKeyId: "0123456789abcdef0123456789abcdef", secretAccessKey: "whatever-secret" });
    const key = await fails(unknown.send(new GetObjectCommand({ Bucket: "objs", Key: "x" })));
    expect([s3Code(key), s3Status(key)]).toEqual(["InvalidAccessKeyId", 403]);
    expect(await fails(listBuckets(unknown))).toBeInstanceOf(AuthError);
  });

  it("reports versioning, and CORS, lifecycle and policy as s3api does (NotImplemented as a typed result)", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "facts" }));
    expect((await bucketFacts(s3, "facts")).versioning).toEqual({ supported: true, value: "Disabled" });
    await s3.send(new PutBucketVersioningCommand({ Bucket: "facts", VersioningConfiguration: { Status: "Enabled" } }));
    const f = await bucketFacts(s3, "facts");
    expect(f.versioning).toEqual({ supported: true, value: "Enabled" });
    await s3.send(new PutObjectCommand({ Bucket: "facts", Key: "v", Body: "1" }));
    await s3.send(new PutObjectCommand({ Bucket: "facts", Key: "v", Body: "2" }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "facts" }));
    expect(versions.Versions?.map((x) => [x.Key, x.VersionId, x.IsLatest, x.Size])).toEqual([["v", "null", true, 1]]);
    expect(f.cors.supported).toBe(false);
    expect(f.lifecycle.supported).toBe(false);
    expect(f.policy.supported).toBe(false);
    const pol = await fails(s3.send(new GetBucketPolicyCommand({ Bucket: "facts" })));
    expect([s3Code(pol), s3Status(pol)]).toEqual(["NotImplemented", 501]);
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: "facts" }));
    expect(acl.Grants?.[0]?.Permission).toBe("FULL_CONTROL");

    const other = await s3For(sim.cloud("s3cors"));
    await other.s3.send(new CreateBucketCommand({ Bucket: "facts" }));
    expect((await bucketFacts(other.s3, "facts")).cors).toEqual({ supported: true, value: null });
    await other.s3.send(new PutBucketCorsCommand({ Bucket: "facts", CORSConfiguration: { CORSRules: [{ AllowedMethods: ["GET"], AllowedOrigins: ["https://example.com"] }] } }));
    const cors = (await bucketFacts(other.s3, "facts")).cors;
    expect(cors.supported && cors.value?.[0]?.AllowedOrigins).toEqual(["https://example.com"]);

    // The same cloud has quotas of 1000 bytes and 2 objects.
    const big = await fails(other.s3.send(new PutObjectCommand({ Bucket: "facts", Key: "big", Body: Buffer.alloc(1001) })));
    expect([s3Code(big), s3Status(big)]).toEqual(["EntityTooLarge", 413]);
    await other.s3.send(new PutObjectCommand({ Bucket: "facts", Key: "one", Body: "1" }));
    await other.s3.send(new PutObjectCommand({ Bucket: "facts", Key: "two", Body: "2" }));
    expect(s3Status(await fails(other.s3.send(new PutObjectCommand({ Bucket: "facts", Key: "three", Body: "3" }))))).toBe(413);
    await other.s3.send(new DeleteObjectsCommand({ Bucket: "facts", Delete: { Objects: [{ Key: "one" }, { Key: "two" }] } }));
    other.session.close();
  });

  it("serves the same objects over Swift", async () => {
    const tok = await token(c);
    const swift = `${c.objectStorageUrl}/v1/AUTH_${c.projectId}`;
    const h = { "x-auth-token": tok };
    expect((await fetch(`${swift}/shared`, { method: "PUT", headers: { ...h, "x-container-meta-team": "blue", "x-container-read": ".r:*" } })).status).toBe(201);
    expect(await bucketExists(s3, "shared")).toBe(true);
    const put = await fetch(`${swift}/shared/from-swift.txt`, { method: "PUT", headers: { ...h, "content-type": "text/plain", "x-object-meta-color": "red" }, body: "via swift" });
    expect(put.status).toBe(201);
    const got = await s3.send(new GetObjectCommand({ Bucket: "shared", Key: "from-swift.txt" }));
    expect([await got.Body!.transformToString(), got.ContentType, got.Metadata?.["color"]]).toEqual(["via swift", "text/plain", "red"]);

    await s3.send(new PutObjectCommand({ Bucket: "shared", Key: "from-s3.txt", Body: "via s3", Metadata: { shape: "round" } }));
    const sget = await fetch(`${swift}/shared/from-s3.txt`, { headers: h });
    expect([sget.status, await sget.text(), sget.headers.get("x-object-meta-shape")]).toEqual([200, "via s3", "round"]);
    expect(sget.headers.get("etag")).toBe(createHash("md5").update("via s3").digest("hex"));

    const list = (await (await fetch(`${swift}/shared?format=json&limit=1`, { headers: h })).json()) as Array<{ name: string }>;
    expect(list.map((o: { name: string }) => o.name)).toEqual(["from-s3.txt"]);
    const next = (await (await fetch(`${swift}/shared?format=json&marker=from-s3.txt`, { headers: h })).json()) as Array<Record<string, unknown>>;
    expect(Object.keys(next[0]!).sort()).toEqual(["bytes", "content_type", "hash", "last_modified", "name"]);
    const head = await fetch(`${swift}/shared`, { method: "HEAD", headers: h });
    expect([head.status, head.headers.get("x-container-object-count"), head.headers.get("x-container-meta-team"), head.headers.get("x-container-read")]).toEqual([204, "2", "blue", ".r:*"]);
    const account = (await (await fetch(`${swift}?format=json`, { headers: h })).json()) as Array<{ name: string }>;
    expect(account.find((x: { name: string }) => x.name === "shared")).toMatchObject({ count: 2, bytes: 15 });
    expect((await fetch(`${swift}/shared`, { method: "DELETE", headers: h })).status).toBe(409);
    const noTok = await fetch(`${swift}/shared`);
    expect([noTok.status, await noTok.text()]).toEqual([401, "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>"]);
  });

  it("rejects the SDK's default aws-chunked trailers as Zed does, and decodes them where set up like newer Swift", async () => {
    const zed = new S3Client({ endpoint: c.objectStorageUrl, region: c.region, forcePathStyle: true, credentials: { accessKeyId: access, secretAccessKey: secret } });
    await s3.send(new CreateBucketCommand({ Bucket: "chunked" }));
    const refused = await fails(zed.send(new PutObjectCommand({ Bucket: "chunked", Key: "k", Body: Readable.from([Buffer.alloc(10)]), ContentLength: 10 })));
    expect([s3Code(refused), s3Status(refused), (refused as Error).message]).toEqual(["NotImplemented", 501, "Transfering payloads in multiple chunks using aws-chunked is not supported."]);

    const newer = await s3For(sim.cloud("s3cors"));
    const creds = await newer.s3.config.credentials();
    const defaults = new S3Client({ endpoint: sim.cloud("s3cors").objectStorageUrl, region: c.region, forcePathStyle: true, credentials: creds });
    await newer.s3.send(new CreateBucketCommand({ Bucket: "chunked" }));
    const data = Buffer.alloc(900, 9);
    const seen: string[] = [];
    defaults.middlewareStack.add(
      (next) => async (args) => {
        const h = (args.request as { headers: Record<string, string> }).headers;
        seen.push(h["x-amz-content-sha256"] ?? "", h["content-encoding"] ?? "");
        return next(args);
      },
      { step: "finalizeRequest", name: "testSeeHeaders", priority: "low" },
    );
    await defaults.send(new PutObjectCommand({ Bucket: "chunked", Key: "k", Body: Readable.from([data.subarray(0, 300), data.subarray(300)]), ContentLength: data.length }));
    expect(seen[0]).toBe("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    const got = await newer.s3.send(new GetObjectCommand({ Bucket: "chunked", Key: "k" }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    expect(got.ContentEncoding).toBeUndefined();
    newer.session.close();
  });

  it("injects 5xx as S3 XML and cuts downloads mid-stream", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "faulty" }));
    await s3.send(new PutObjectCommand({ Bucket: "faulty", Key: "blob", Body: Buffer.alloc(256 * 1024, 7) }));
    const once = makeS3Client({ endpoint: c.objectStorageUrl, region: c.region, accessKeyId: access, secretAccessKey: secret, maxAttempts: 1 });
    c.setFaults({ errorRate: 1, seed: 1 });
    try {
      const err = await fails(listBuckets(once));
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).retryable).toBe(true);
      expect([500, 503]).toContain((err as ApiError).status);
    } finally {
      c.setFaults({});
    }
    c.setFaults({ truncateRate: 1, seed: 2 });
    try {
      const got = await once.send(new GetObjectCommand({ Bucket: "faulty", Key: "blob" }));
      await expect(got.Body!.transformToByteArray()).rejects.toThrow();
    } finally {
      c.setFaults({});
    }
    const events = c.store.objects.events.filter((e) => e.bucket === "faulty" && e.op === "put-object");
    expect(events).toHaveLength(1);
  });
});
