/**
 * Object bodies on the way in and out. Uploads stream from the socket through
 * an optional aws-chunked decoder and a SHA-256 check into the blob store
 * (which computes the MD5 on the way); downloads stream a byte range of the
 * object's segments from disk with back-pressure. Nothing is buffered whole.
 *
 * Quirks: aws-chunked bodies (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`, and
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` whose chunk signatures are not
 * checked) are decoded and their trailers dropped, on clouds set up to accept
 * them (s3.ts refuses them otherwise, as Zed's s3api); a declared hex payload
 * hash that does not match the bytes fails the upload with
 * XAmzContentSHA256Mismatch. The truncate fault sends the full
 * Content-Length and then drops the connection, like a dying proxy.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { Blob } from "../store/blobs.js";
import { S3Fault } from "./xml.js";

/** Decodes `Content-Encoding: aws-chunked` framing. */
class AwsChunkedDecoder extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private state: "size" | "data" | "crlf" | "trailer" = "size";

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      this.drain();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  private drain(): void {
    for (;;) {
      if (this.state === "data") {
        if (this.buf.length === 0) return;
        const n = Math.min(this.remaining, this.buf.length);
        this.push(this.buf.subarray(0, n));
        this.buf = this.buf.subarray(n);
        this.remaining -= n;
        if (this.remaining === 0) this.state = "crlf";
        continue;
      }
      if (this.state === "trailer") {
        this.buf = Buffer.alloc(0);
        return;
      }
      const eol = this.buf.indexOf("\r\n");
      if (eol < 0) {
        if (this.buf.length > 4096) throw new S3Fault(400, "IncompleteBody", "The request body terminated unexpectedly");
        return;
      }
      const line = this.buf.subarray(0, eol).toString("latin1");
      this.buf = this.buf.subarray(eol + 2);
      if (this.state === "crlf") {
        this.state = "size";
        continue;
      }
      const size = parseInt(line.split(";")[0]!, 16);
      if (!Number.isFinite(size) || size < 0) throw new S3Fault(400, "IncompleteBody", "The request body terminated unexpectedly");
      if (size === 0) {
        this.state = "trailer";
        continue;
      }
      this.remaining = size;
      this.state = "data";
    }
  }
}

/** Checks the bytes against a declared SHA-256 (hex) at the end of the stream. */
class Sha256Check extends Transform {
  private readonly h = createHash("sha256");
  constructor(private readonly expected: string) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.h.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.h.digest("hex") !== this.expected) {
      cb(new S3Fault(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."));
    } else cb();
  }
}

/** The request body as plain object bytes, plus the decoded length when the client announced it. */
export function objectBody(req: IncomingMessage, payloadHash: string | undefined): { stream: Readable; expected: number } {
  let stream: Readable = req;
  const encoding = String(req.headers["content-encoding"] ?? "");
  const chunked = payloadHash?.startsWith("STREAMING-") || /aws-chunked/.test(encoding);
  let expected = Number(req.headers["content-length"] ?? "-1");
  if (chunked) {
    stream = stream.pipe(new AwsChunkedDecoder());
    req.on("error", (e) => stream.destroy(e));
    expected = Number(req.headers["x-amz-decoded-content-length"] ?? "-1");
  }
  if (payloadHash && /^[0-9a-f]{64}$/.test(payloadHash)) {
    const src = stream;
    stream = src.pipe(new Sha256Check(payloadHash));
    src.on("error", (e) => stream.destroy(e));
  }
  return { stream, expected: Number.isFinite(expected) ? expected : -1 };
}

/** The stored Content-Encoding without the transport's `aws-chunked`. */
export function storedEncoding(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  const parts = String(v).split(",").map((s) => s.trim()).filter((s) => s && s !== "aws-chunked");
  return parts.length ? parts.join(", ") : undefined;
}

async function* segmentBytes(segments: readonly Blob[], start: number, end: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (const seg of segments) {
    const segStart = offset;
    offset += seg.size;
    if (seg.size === 0 || offset <= start || segStart > end) continue;
    const from = Math.max(start, segStart) - segStart;
    const to = Math.min(end, offset - 1) - segStart;
    for await (const c of createReadStream(seg.path, { start: from, end: to, highWaterMark: 1 << 20 })) yield c as Buffer;
  }
}

/**
 * Writes bytes [start, end] of the segments to an already started response;
 * `cut` (bytes) drops the connection after that many bytes.
 */
/**
 * Answers a GET or HEAD of an object's bytes, S3 and Swift alike: the status
 * (206 for a range), Content-Length and Content-Range, then the bytes unless
 * HEAD or empty. `beforeBytes` runs just before bytes go out (to record the
 * read) and returns the cut a fault injects, if any.
 */
export function sendObject(
  req: { method: string; res: ServerResponse },
  headers: Record<string, string>,
  segments: readonly Blob[],
  size: number,
  range: [number, number] | undefined,
  beforeBytes: (length: number) => number | undefined,
): void {
  const [start, end] = range ?? [0, size - 1];
  const length = size === 0 ? 0 : end - start + 1;
  headers["Content-Length"] = String(length);
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
  req.res.writeHead(range ? 206 : 200, headers);
  if (req.method === "HEAD" || length === 0) {
    req.res.end();
    return;
  }
  streamSegments(req.res, segments, start, end, beforeBytes(length));
}

export function streamSegments(res: ServerResponse, segments: readonly Blob[], start: number, end: number, cut: number | undefined): void {
  const last = cut === undefined ? end : Math.min(end, start + Math.max(0, cut - 1));
  const body = Readable.from(segmentBytes(segments, start, last));
  body.on("error", () => res.destroy());
  res.on("close", () => body.destroy());
  if (cut === undefined) {
    body.pipe(res);
    return;
  }
  body.pipe(res, { end: false });
  body.on("end", () => {
    // Why: a cut stream must look like a dropped connection, never like a short complete body.
    res.socket?.destroy();
    res.destroy();
  });
}

/** Parses a single `bytes=` range against a size; undefined for none, "bad" when unsatisfiable. */
export function parseRange(h: string | undefined, size: number): [number, number] | undefined | "bad" {
  if (!h) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  // Why: S3 ignores a Range header it cannot parse (multiple ranges included) and sends the whole object.
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    if (Number(m[2]) === 0) return "bad";
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return "bad";
  return [start, end];
}
