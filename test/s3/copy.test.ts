/**
 * Streamed object copy between two simulated clouds: single part with its
 * metadata, multipart for a 64 MiB object produced by a generator (never
 * held whole, on either side of the copy), resume that uploads only the
 * missing parts (counted in the target simulator's events), and the checks
 * that turn corrupted or cut transfers into TransferErrors.
 */
import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { ApiError, MigrateError, TransferError } from "../../src/errors.js";
import { abortCopyUpload, copyObject, type DonePart } from "../../src/s3/index.js";
import { useSim } from "../sim/helpers.js";
import { s3For } from "./helpers.js";

const MiB = 1024 * 1024;

/** Deterministic bytes, 1 MiB at a time, with their digests computed on the way. */
function generated(size: number, seed: number): { stream: Readable; digests: () => { md5: string; sha256: string } } {
  const md5 = createHash("md5");
  const sha = createHash("sha256");
  async function* gen() {
    let x = seed >>> 0;
    for (let off = 0; off < size; off += MiB) {
      const n = Math.min(MiB, size - off);
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i + 4 <= n; i += 4) {
        x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
        b.writeUInt32LE(x, i);
      }
      for (let i = n - (n % 4); i < n; i++) b[i] = i & 0xff;
      md5.update(b);
      sha.update(b);
      yield b;
    }
  }
  return { stream: Readable.from(gen()), digests: () => ({ md5: md5.digest("hex"), sha256: sha.digest("hex") }) };
}

async function seed(s3: S3Client, bucket: string, key: string, size: number, n: number, extra: Record<string, unknown> = {}) {
  const g = generated(size, n);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: g.stream, ContentLength: size, ...extra }));
  return g.digests();
}

/**
 * Counts the bytes the copy pulls from each GetObject body (a counting pipe
 * keeps back-pressure), to see how far the reader runs ahead of the writer.
 */
function countPulled(s3: S3Client): { pulled: number } {
  const state = { pulled: 0 };
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const r = await next(args);
      const out = r.output as { Body?: Readable };
      if (context.commandName === "GetObjectCommand" && out.Body) {
        const counter = new Transform({
          transform(chunk: Buffer, _e, cb) {
            state.pulled += chunk.length;
            cb(null, chunk);
          },
        });
        const body = out.Body;
        body.on("error", (e) => counter.destroy(e));
        out.Body = body.pipe(counter);
      }
      return r;
    },
    { step: "initialize", name: "testCountPulled" },
  );
  return state;
}

/** Samples the process's buffer memory while `run` works; returns the peak growth in bytes. */
async function peakGrowth<T>(run: () => Promise<T>): Promise<{ result: T; peak: number }> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  }, 5);
  try {
    const result = await run();
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

describe("copyObject between two simulated clouds", async () => {
  const sim = await useSim([{ name: "cpsrc" }, { name: "cpdst" }]);
  const srcCloud = sim.cloud("cpsrc");
  const dstCloud = sim.cloud("cpdst");
  const a = await s3For(srcCloud);
  const b = await s3For(dstCloud);
  afterAll(() => {
    a.session.close();
    b.session.close();
  });
  await a.s3.send(new CreateBucketCommand({ Bucket: "from" }));
  await b.s3.send(new CreateBucketCommand({ Bucket: "into" }));
  const src = { client: a.s3, bucket: "from" };
  const dst = { client: b.s3, bucket: "into" };
  const partEvents = (key: string) => dstCloud.store.objects.events.filter((e) => e.op === "upload-part" && e.key === key).length;

  it("copies a small object in one PutObject with its metadata and digests", async () => {
    const want = await seed(a.s3, "from", "small.bin", 3 * MiB + 17, 1, {
      ContentType: "application/x-demo", CacheControl: "no-cache", ContentDisposition: "inline", ContentEncoding: "identity", Metadata: { origin: "src" },
    });
    const r = await copyObject(src, dst, "small.bin");
    expect(r).toMatchObject({ size: 3 * MiB + 17, md5: want.md5, sha256: want.sha256, etag: want.md5, multipart: false, partsUploaded: 1 });
    const head = await b.s3.send(new HeadObjectCommand({ Bucket: "into", Key: "small.bin" }));
    expect(head).toMatchObject({ ContentType: "application/x-demo", CacheControl: "no-cache", ContentDisposition: "inline", ContentEncoding: "identity", Metadata: { origin: "src" } });
  });

  it("copies an empty object", async () => {
    await a.s3.send(new PutObjectCommand({ Bucket: "from", Key: "empty", Body: "" }));
    const r = await copyObject(src, dst, "empty");
    expect(r).toMatchObject({ size: 0, md5: createHash("md5").digest("hex"), multipart: false });
  });

  it("copies 64 MiB as a multipart upload, part by part, without holding the object", async () => {
    const size = 64 * MiB;
    const want = await seed(a.s3, "from", "big.bin", size, 2);
    const parts: Array<[number, string, number]> = [];
    const second = await s3For(srcCloud);
    const counting = { client: second.s3, bucket: "from" };
    const pulled = countPulled(counting.client);
    const ahead: number[] = [];
    const { result, peak } = await peakGrowth(() =>
      copyObject(counting, dst, "big.bin", {
        partSize: 6 * MiB, multipartThreshold: 16 * MiB,
        onPart: (n, etag, bytes) => {
          parts.push([n, etag, bytes]);
          ahead.push(pulled.pulled - parts.reduce((sum, p) => sum + p[2], 0));
        },
      }),
    );
    // The reader never runs more than about a chunk ahead of the parts written: one part in memory, not the object.
    expect(Math.max(...ahead)).toBeLessThan(2 * MiB);
    expect(result).toMatchObject({ size, md5: want.md5, sha256: want.sha256, multipart: true, partsUploaded: 11, partsReused: 0 });
    expect(parts.map((p) => p[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(parts.map((p) => p[2])).toEqual([...Array(10).fill(6 * MiB), size - 60 * MiB]);
    const expected = createHash("md5").update(Buffer.concat(parts.map((p) => Buffer.from(p[1], "hex")))).digest("hex");
    expect(result.etag).toBe(`${expected}-11`);
    // Both clouds run in this process, so this bounds the client and the simulators together (and GC lag).
    expect(peak).toBeLessThan(size);
    expect(partEvents("big.bin")).toBe(11);
    second.session.close();
  });

  it("resumes an interrupted multipart copy and uploads only the missing parts", async () => {
    const size = 24 * MiB + 5;
    const want = await seed(a.s3, "from", "resume.bin", size, 3);
    const done: DonePart[] = [];
    let uploadId = "";
    const first = await copyObject(src, dst, "resume.bin", {
      partSize: 5 * MiB, multipartThreshold: 8 * MiB,
      onUploadId: (id) => void (uploadId = id),
      onPart: (partNumber, etag, bytes) => {
        done.push({ partNumber, etag, size: bytes });
        if (partNumber === 3) throw new Error("interrupted after part 3");
      },
    }).catch((e: unknown) => e);
    // The callback's own error comes back unchanged: it is not a transfer failure.
    expect((first as Error).message).toBe("interrupted after part 3");
    expect(done.map((d) => d.partNumber)).toEqual([1, 2, 3]);
    expect(partEvents("resume.bin")).toBe(3);

    const again: number[] = [];
    const r = await copyObject(src, dst, "resume.bin", {
      partSize: 5 * MiB, multipartThreshold: 8 * MiB, resumeUploadId: uploadId, doneParts: done, onPart: (n) => void again.push(n),
    });
    expect(again).toEqual([4, 5]);
    expect(r).toMatchObject({ uploadId, partsReused: 3, partsUploaded: 2, md5: want.md5, sha256: want.sha256, size });
    expect(partEvents("resume.bin")).toBe(5);
    const head = await b.s3.send(new HeadObjectCommand({ Bucket: "into", Key: "resume.bin" }));
    expect(head.ETag).toBe(`"${r.etag}"`);
  });

  it("starts over when the upload to resume is gone", async () => {
    await seed(a.s3, "from", "vanished.bin", 11 * MiB, 4);
    let uploadId = "";
    const done: DonePart[] = [];
    await copyObject(src, dst, "vanished.bin", {
      partSize: 5 * MiB, multipartThreshold: 8 * MiB, onUploadId: (id) => void (uploadId = id),
      onPart: (partNumber, etag, bytes) => {
        done.push({ partNumber, etag, size: bytes });
        throw new Error("stop");
      },
    }).catch(() => undefined);
    await abortCopyUpload(dst, "vanished.bin", uploadId);
    const r = await copyObject(src, dst, "vanished.bin", { partSize: 5 * MiB, multipartThreshold: 8 * MiB, resumeUploadId: uploadId, doneParts: done });
    expect(r.uploadId).not.toBe(uploadId);
    expect([r.partsReused, r.partsUploaded]).toEqual([0, 3]);
  });

  it("rides out injected 500/503 answers of the target with the SDK's retries (parts are replayable buffers)", async () => {
    const want = await seed(a.s3, "from", "flaky.bin", 12 * MiB, 8);
    dstCloud.setFaults({ errorRate: 0.3, seed: 11 });
    try {
      const r = await copyObject(src, dst, "flaky.bin", { partSize: 5 * MiB, multipartThreshold: 8 * MiB });
      expect(r).toMatchObject({ md5: want.md5, partsUploaded: 3 });
    } finally {
      dstCloud.setFaults({});
    }
  });

  it("fails with a TransferError when the bytes do not match the source ETag", async () => {
    await seed(a.s3, "from", "tampered.bin", MiB, 5);
    srcCloud.store.objects.buckets.get("from")!.objects.get("tampered.bin")!.etag = "0".repeat(32);
    const err = await copyObject(src, dst, "tampered.bin").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferError);
    expect(String((err as Error).message)).toMatch(/differs from the source ETag/);
  });

  it("fails retryably when the source stream is cut", async () => {
    await seed(a.s3, "from", "cut.bin", 2 * MiB, 6);
    srcCloud.setFaults({ truncateRate: 1, seed: 7 });
    try {
      const err = await copyObject(src, dst, "cut.bin").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrateError);
      expect(err instanceof TransferError || (err instanceof ApiError && err.retryable)).toBe(true);
    } finally {
      srcCloud.setFaults({});
    }
    expect(await copyObject(src, dst, "cut.bin")).toMatchObject({ size: 2 * MiB });
  });
});
