/**
 * Content-addressed blob storage for image and volume bytes, on disk under the
 * cloud's data directory. Uploads stream to a temp file while md5 and sha512
 * are computed, then the file is renamed to its sha512; identical content is
 * stored once. Blobs are immutable and reference-counted: a volume made from an
 * image and an image uploaded from a volume share the same file (copy-on-write
 * by reference, since nothing in the simulator writes into a volume).
 *
 * Quirks: bytes are never held in memory beyond a few stream chunks (the
 * hashing pool is bounded), so 4 GiB images cost no more RAM than 4 KiB ones.
 */
import { createHash } from "node:crypto";
import { createWriteStream, promises as fsp, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomUUID } from "node:crypto";
import { mulberry32 } from "../core/faults.js";
import { dualHasher, type DualHasher } from "./hashing.js";

/** One immutable stored content. */
export interface Blob {
  /** sha512 hex of the content (also the file name). */
  readonly id: string;
  readonly path: string;
  readonly size: number;
  readonly md5: string;
  readonly sha512: string;
  refs: number;
}

/** Thrown when an upload exceeds the allowed byte count. */
export class BlobTooLarge extends Error {}

class Hasher extends Transform {
  size = 0;
  constructor(private readonly limit: number, readonly hasher: DualHasher) {
    super({ highWaterMark: 1 << 20 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      cb(new BlobTooLarge(`upload exceeds ${this.limit} bytes`));
      return;
    }
    const wait = this.hasher.update(chunk);
    if (wait) wait.then(() => cb(null, chunk), cb);
    else cb(null, chunk);
  }
}

/** The blob store of one cloud. */
export class BlobStore {
  private readonly blobs = new Map<string, Blob>();
  readonly dir: string;
  private readonly owned: boolean;

  constructor(dataDir: string | undefined, label: string) {
    this.owned = !dataDir;
    this.dir = dataDir ?? path.join(tmpdir(), `scs-sim-${label}-${randomUUID().slice(0, 8)}`);
    mkdirSync(path.join(this.dir, "tmp"), { recursive: true });
  }

  /**
   * Streams `source` into a new (or existing identical) blob; the caller owns
   * one reference. `expected` is the announced size (-1 when unknown).
   */
  async ingest(source: Readable, limit = Number.MAX_SAFE_INTEGER, expected = -1): Promise<Blob> {
    const tmp = path.join(this.dir, "tmp", randomUUID());
    const hasher = new Hasher(limit, dualHasher(expected));
    try {
      await pipeline(source, hasher, createWriteStream(tmp, { highWaterMark: 1 << 20 }));
    } catch (err) {
      hasher.hasher.abort();
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    const { md5, sha512 } = await hasher.hasher.digest();
    return this.adopt(tmp, sha512, md5, hasher.size);
  }

  /** Stores an in-memory buffer (small seeded content). */
  fromBuffer(buf: Buffer): Blob {
    const sha512 = createHash("sha512").update(buf).digest("hex");
    const md5 = createHash("md5").update(buf).digest("hex");
    const existing = this.blobs.get(sha512);
    if (existing) {
      existing.refs++;
      return existing;
    }
    const file = path.join(this.dir, sha512);
    writeFileSync(file, buf);
    const blob: Blob = { id: sha512, path: file, size: buf.length, md5, sha512, refs: 1 };
    this.blobs.set(sha512, blob);
    return blob;
  }

  private async adopt(tmp: string, sha512: string, md5: string, size: number): Promise<Blob> {
    const existing = this.blobs.get(sha512);
    if (existing && existsSync(existing.path)) {
      await fsp.rm(tmp, { force: true });
      existing.refs++;
      return existing;
    }
    const file = path.join(this.dir, sha512);
    await fsp.rename(tmp, file);
    const blob: Blob = { id: sha512, path: file, size, md5, sha512, refs: 1 };
    this.blobs.set(sha512, blob);
    return blob;
  }

  /** Takes another reference on a blob (sharing it with another resource). */
  retain(blob: Blob | null): Blob | null {
    if (blob) blob.refs++;
    return blob;
  }

  /** Drops a reference; the file is deleted with the last one. */
  release(blob: Blob | null): void {
    if (!blob) return;
    blob.refs--;
    if (blob.refs <= 0 && this.blobs.get(blob.id) === blob) {
      this.blobs.delete(blob.id);
      rmSync(blob.path, { force: true });
    }
  }

  /** Number of stored blobs (for /_sim/state). */
  get count(): number {
    return this.blobs.size;
  }

  /** Removes the temp area, and the whole directory when it was created here. */
  close(): void {
    rmSync(this.owned ? this.dir : path.join(this.dir, "tmp"), { recursive: true, force: true });
  }
}

/** Deterministic pseudo-random content of `size` bytes for a seed string. */
export function deterministicBytes(seed: string, size: number): Buffer {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  const rand = mulberry32(h >>> 0);
  const buf = Buffer.alloc(size);
  let i = 0;
  for (; i + 4 <= size; i += 4) buf.writeUInt32LE((rand() * 4294967296) >>> 0, i);
  for (; i < size; i++) buf[i] = (rand() * 256) | 0;
  return buf;
}
