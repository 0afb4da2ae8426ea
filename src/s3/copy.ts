/**
 * Streaming object copy between two S3 endpoints (two clouds): GetObject's
 * body is piped into PutObject (single part) or cut into parts for a
 * multipart upload, while MD5 and SHA-256 of the whole object are computed
 * on the way. Memory use is one part, never the object.
 *
 * Why manual UploadPart calls and not lib-storage's `Upload`: each finished
 * part is reported to `onPart` (the caller persists it), and a resumed copy
 * continues an existing upload (`resumeUploadId` + `doneParts`). A resume
 * reads the source again from the start, because the whole-object hashes
 * need every byte, but uploads only the parts that are missing: a part is
 * reused when the target lists it with the same size and an ETag equal to
 * the MD5 of the bytes just read.
 *
 * Checks: the byte count must equal the source's Content-Length; for a
 * single-part source the MD5 must equal its ETag; the target's ETag must be
 * the MD5 (single) or the multipart rule's md5-of-part-md5s-N. A failure is
 * a TransferError (a new attempt may succeed); an error thrown by `onPart`
 * or `onUploadId` is rethrown unchanged; an unfinished multipart upload is
 * left for resuming (`abortCopyUpload` drops it).
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand,
  ListPartsCommand, PutObjectCommand, UploadPartCommand, type GetObjectCommandOutput, type S3Client,
} from "@aws-sdk/client-s3";
import { MigrateError, TransferError } from "../errors.js";
import { endpointOf, mapS3Error, noRetryTwin, s3Code } from "./client.js";
import { unquote } from "./objects.js";

/** A bucket on one endpoint. */
export interface S3Location {
  client: S3Client;
  bucket: string;
}

/** A part already in the target upload (as `onPart` reported it). */
export interface DonePart {
  partNumber: number;
  etag: string;
  size: number;
}

/** Options of one copy. */
export interface CopyOptions {
  /** Key on the target (default: the source key). */
  dstKey?: string;
  /** Part size of multipart copies (default 16 MiB; at least 5 MiB except the last part). */
  partSize?: number;
  /** Objects larger than this are copied with a multipart upload (default 32 MiB). */
  multipartThreshold?: number;
  /** Continue this multipart upload on the target. */
  resumeUploadId?: string;
  /** Parts of `resumeUploadId` already uploaded. */
  doneParts?: readonly DonePart[];
  /** Called once a multipart upload exists (new or resumed), before any part. */
  onUploadId?: (uploadId: string) => void | Promise<void>;
  /** Called after each part is uploaded (not for reused parts). */
  onPart?: (partNumber: number, etag: string, bytes: number) => void | Promise<void>;
  signal?: AbortSignal;
}

/** What a copy did. */
export interface CopyResult {
  key: string;
  size: number;
  /** Hex digests of the object's bytes. */
  md5: string;
  sha256: string;
  /** The target's ETag (unquoted). */
  etag: string;
  multipart: boolean;
  uploadId?: string;
  partsUploaded: number;
  partsReused: number;
}

const MiB = 1024 * 1024;

/** Carries an error thrown by the caller's callback, which is rethrown as it was (it is not a transfer failure). */
class CallbackFailure extends Error {
  constructor(readonly original: unknown) {
    super("callback failed");
  }
}

async function callback(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    throw new CallbackFailure(err);
  }
}

/** Counts and hashes the bytes flowing through. */
class Digest extends Transform {
  readonly md5: Hash = createHash("md5");
  readonly sha256: Hash = createHash("sha256");
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.md5.update(chunk);
    this.sha256.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

/** The object metadata a copy carries over. */
function carried(src: GetObjectCommandOutput) {
  return {
    ...(src.ContentType ? { ContentType: src.ContentType } : {}),
    ...(src.ContentEncoding ? { ContentEncoding: src.ContentEncoding } : {}),
    ...(src.CacheControl ? { CacheControl: src.CacheControl } : {}),
    ...(src.ContentDisposition ? { ContentDisposition: src.ContentDisposition } : {}),
    Metadata: src.Metadata ?? {},
  };
}

/** Copies `key` from `src` to `dst`, streaming; see the module comment. */
export async function copyObject(src: S3Location, dst: S3Location, key: string, opts: CopyOptions = {}): Promise<CopyResult> {
  const dstKey = opts.dstKey ?? key;
  const partSize = opts.partSize ?? 16 * MiB;
  if (partSize < 5 * MiB) throw new TransferError(`part size ${partSize} is below S3's 5 MiB minimum`);
  // Why: a cut source must abort the upload at once; the target would otherwise wait for the missing bytes until the idle timeout.
  const abort = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
  let got: GetObjectCommandOutput;
  try {
    got = await src.client.send(new GetObjectCommand({ Bucket: src.bucket, Key: key }), { abortSignal: signal });
  } catch (err) {
    throw mapS3Error(err, `GetObject ${src.bucket}/${key}`, endpointOf(src.client));
  }
  const body = got.Body as Readable | undefined;
  const size = got.ContentLength ?? 0;
  const digest = new Digest();
  let srcError: Error | undefined;
  // Why: the source's error is reported below as a TransferError; this listener keeps it from being unhandled.
  digest.on("error", () => undefined);
  if (body) {
    body.on("error", (e) => {
      srcError = e;
      digest.destroy(e);
      abort.abort(e);
    });
    body.pipe(digest);
  } else digest.end();
  const run = { ...opts, signal };
  try {
    const multipart = size > 0 && (size > (opts.multipartThreshold ?? 32 * MiB) || opts.resumeUploadId !== undefined);
    const r = multipart
      ? await copyMultipart(dst, dstKey, got, digest, partSize, run)
      : await copySingle(dst, dstKey, got, digest, size, run);
    finish(digest, size, key, got, r);
    return { key: dstKey, size, md5: r.md5, sha256: r.sha256, etag: r.etag, multipart, partsUploaded: r.uploaded, partsReused: r.reused, ...(r.uploadId ? { uploadId: r.uploadId } : {}) };
  } catch (err) {
    body?.destroy();
    digest.destroy();
    if (err instanceof CallbackFailure) throw err.original;
    if (srcError) {
      throw new TransferError(`copy of ${src.bucket}/${key}: the source stream failed after ${digest.bytes} of ${size} bytes (${srcError.message})`, { cause: srcError });
    }
    if (err instanceof MigrateError) throw err;
    throw new TransferError(`copy of ${src.bucket}/${key} to ${dst.bucket}/${dstKey} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

interface Outcome {
  etag: string;
  md5: string;
  sha256: string;
  uploaded: number;
  reused: number;
  uploadId?: string;
  /** The ETag the target must show, by the single- or multipart rule. */
  expected: string;
}

/** The size and MD5 checks of a finished copy. */
function finish(digest: Digest, size: number, key: string, got: GetObjectCommandOutput, r: Outcome): void {
  if (digest.bytes !== size) throw new TransferError(`${key}: read ${digest.bytes} bytes, the source announced ${size}`);
  const srcEtag = unquote(got.ETag);
  if (srcEtag && !srcEtag.includes("-") && srcEtag !== r.md5) {
    throw new TransferError(`${key}: MD5 of the bytes read (${r.md5}) differs from the source ETag ${srcEtag}`);
  }
  if (r.etag !== r.expected) throw new TransferError(`${key}: the target's ETag ${r.etag} is not the expected ${r.expected}`);
}

async function copySingle(dst: S3Location, key: string, got: GetObjectCommandOutput, digest: Digest, size: number, opts: CopyOptions): Promise<Outcome> {
  let etag: string;
  try {
    const put = await noRetryTwin(dst.client).send(
      new PutObjectCommand({ Bucket: dst.bucket, Key: key, Body: digest, ContentLength: size, ...carried(got) }),
      opts.signal ? { abortSignal: opts.signal } : {},
    );
    etag = unquote(put.ETag);
  } catch (err) {
    throw mapS3Error(err, `PutObject ${dst.bucket}/${key}`, endpointOf(dst.client));
  }
  const md5 = digest.md5.digest("hex");
  return { etag, md5, sha256: digest.sha256.digest("hex"), uploaded: 1, reused: 0, expected: md5 };
}

/** Parts the target really has for an upload (null when the upload is gone). */
async function listedParts(dst: S3Location, key: string, uploadId: string): Promise<Map<number, DonePart> | null> {
  const out = new Map<number, DonePart>();
  let marker: string | undefined;
  for (;;) {
    try {
      const r = await dst.client.send(new ListPartsCommand({ Bucket: dst.bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }));
      for (const p of r.Parts ?? []) out.set(p.PartNumber ?? 0, { partNumber: p.PartNumber ?? 0, etag: unquote(p.ETag), size: p.Size ?? 0 });
      if (!r.IsTruncated) return out;
      marker = r.NextPartNumberMarker;
    } catch (err) {
      if (s3Code(err) === "NoSuchUpload") return null;
      throw mapS3Error(err, `ListParts ${dst.bucket}/${key}`, endpointOf(dst.client));
    }
  }
}

/** Starts or resumes the target upload; returns its id and the reusable parts. */
async function openUpload(dst: S3Location, key: string, got: GetObjectCommandOutput, opts: CopyOptions): Promise<{ uploadId: string; reusable: Map<number, DonePart> }> {
  if (opts.resumeUploadId) {
    const listed = await listedParts(dst, key, opts.resumeUploadId);
    if (listed) {
      const reusable = new Map<number, DonePart>();
      for (const d of opts.doneParts ?? []) {
        const l = listed.get(d.partNumber);
        if (l && unquote(d.etag) === l.etag && d.size === l.size) reusable.set(d.partNumber, l);
      }
      await callback(() => opts.onUploadId?.(opts.resumeUploadId!));
      return { uploadId: opts.resumeUploadId, reusable };
    }
  }
  let uploadId: string | undefined;
  try {
    uploadId = (await dst.client.send(new CreateMultipartUploadCommand({ Bucket: dst.bucket, Key: key, ...carried(got) }), opts.signal ? { abortSignal: opts.signal } : {})).UploadId;
  } catch (err) {
    throw mapS3Error(err, `CreateMultipartUpload ${dst.bucket}/${key}`, endpointOf(dst.client));
  }
  if (!uploadId) throw new TransferError(`CreateMultipartUpload ${dst.bucket}/${key}: no UploadId in the answer`);
  const id = uploadId;
  await callback(() => opts.onUploadId?.(id));
  return { uploadId, reusable: new Map() };
}

/** Reads the stream in parts of exactly `partSize` bytes (the last may be shorter). */
async function* parts(stream: Readable, partSize: number): AsyncGenerator<Buffer> {
  let chunks: Buffer[] = [];
  let have = 0;
  for await (const c of stream) {
    let chunk = c as Buffer;
    while (have + chunk.length >= partSize) {
      const take = partSize - have;
      chunks.push(chunk.subarray(0, take));
      yield Buffer.concat(chunks, partSize);
      chunks = [];
      have = 0;
      chunk = chunk.subarray(take);
    }
    if (chunk.length) {
      chunks.push(chunk);
      have += chunk.length;
    }
  }
  if (have > 0 || chunks.length) yield Buffer.concat(chunks, have);
}

async function copyMultipart(dst: S3Location, key: string, got: GetObjectCommandOutput, digest: Digest, partSize: number, opts: CopyOptions): Promise<Outcome> {
  const { uploadId, reusable } = await openUpload(dst, key, got, opts);
  const done: DonePart[] = [];
  let uploaded = 0;
  let reused = 0;
  let n = 0;
  for await (const buf of parts(digest, partSize)) {
    n++;
    const md5 = createHash("md5").update(buf).digest();
    const hex = md5.toString("hex");
    const prior = reusable.get(n);
    if (prior && prior.etag === hex && prior.size === buf.length) {
      done.push(prior);
      reused++;
      continue;
    }
    let etag: string;
    try {
      const r = await dst.client.send(
        new UploadPartCommand({ Bucket: dst.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: buf, ContentLength: buf.length, ContentMD5: md5.toString("base64") }),
        opts.signal ? { abortSignal: opts.signal } : {},
      );
      etag = unquote(r.ETag);
    } catch (err) {
      throw mapS3Error(err, `UploadPart ${dst.bucket}/${key} #${n}`, endpointOf(dst.client));
    }
    if (etag !== hex) throw new TransferError(`${key} part ${n}: the target's ETag ${etag} is not the part's MD5 ${hex}`);
    done.push({ partNumber: n, etag, size: buf.length });
    uploaded++;
    await callback(() => opts.onPart?.(n, etag, buf.length));
  }
  if (done.length === 0) {
    // Why: S3 cannot complete an upload without parts; an empty object is one empty part.
    throw new TransferError(`${key}: empty objects are copied single-part, not multipart`);
  }
  let etag: string;
  try {
    const r = await dst.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: dst.bucket, Key: key, UploadId: uploadId,
        MultipartUpload: { Parts: done.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag}"` })) },
      }),
    );
    etag = unquote(r.ETag);
  } catch (err) {
    throw mapS3Error(err, `CompleteMultipartUpload ${dst.bucket}/${key}`, endpointOf(dst.client));
  }
  const expected = `${createHash("md5").update(Buffer.concat(done.map((p) => Buffer.from(p.etag, "hex")))).digest("hex")}-${done.length}`;
  return { etag, md5: digest.md5.digest("hex"), sha256: digest.sha256.digest("hex"), uploaded, reused, uploadId, expected };
}

/** Drops an unfinished multipart upload on the target (a copy that will not be resumed). */
export async function abortCopyUpload(dst: S3Location, key: string, uploadId: string): Promise<void> {
  try {
    await dst.client.send(new AbortMultipartUploadCommand({ Bucket: dst.bucket, Key: key, UploadId: uploadId }));
  } catch (err) {
    if (s3Code(err) === "NoSuchUpload") return;
    throw mapS3Error(err, `AbortMultipartUpload ${dst.bucket}/${key}`, endpointOf(dst.client));
  }
}
