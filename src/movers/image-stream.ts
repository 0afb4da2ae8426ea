/**
 * Streams one Glance image's bytes into another Glance image, without
 * buffering: the download is piped into the upload with back-pressure, and
 * md5 and sha512 are computed on the way. The copy is accepted only when the
 * byte count matches the source's size, the md5 matches the source's
 * `checksum` (and Content-MD5), and the target's own `checksum` and
 * `os_hash_value` match what was sent. Anything else is a TransferError,
 * which the executor retries.
 */
import { createHash } from "node:crypto";
import { PassThrough, pipeline } from "node:stream";
import * as glance from "../openstack/image.js";
import { TransferError } from "../errors.js";

/** Progress and outcome reporting of one transfer (the executor implements it). */
export interface TransferHandle {
  progress(bytesDone: number): void;
  done(r: { bytes: number; sourceMd5?: string | null; targetMd5?: string | null; sourceSha512?: string | null; targetSha512?: string | null }): void;
  failed(): void;
}

export interface StreamResult {
  bytes: number;
  md5: string;
  sha512: string;
}

export interface StreamImageOptions {
  from: glance.ImageClient;
  fromImage: glance.Image;
  to: glance.ImageClient;
  toImageId: string;
  transfer: TransferHandle;
  signal?: AbortSignal;
  wait: { minDelay: number; maxDelay: number; timeoutMs: number; signal?: AbortSignal };
}

/** Copies the data of `fromImage` into the (queued) target image and checks both ends. */
export async function streamImage(o: StreamImageOptions): Promise<StreamResult> {
  const dl = await glance.downloadImageData(o.from, o.fromImage.id, o.signal ? { signal: o.signal } : {});
  const md5 = createHash("md5");
  const sha = createHash("sha512");
  let bytes = 0;
  const counter = new PassThrough({ highWaterMark: 1 << 20 });
  counter.on("data", (chunk: Buffer) => {
    md5.update(chunk);
    sha.update(chunk);
    bytes += chunk.length;
    o.transfer.progress(bytes);
  });
  // The hashing tap sits between download and upload; the upload reads from `body`.
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const piped = new Promise<void>((resolve, reject) => {
    pipeline(dl.stream, counter, body, (err) => (err ? reject(err) : resolve()));
  });
  const size = dl.contentLength ?? o.fromImage.size ?? undefined;
  const uploaded = glance.uploadImageData(o.to, o.toImageId, body, { ...(size !== undefined ? { size } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  // Why: an upload that dies stops reading `body`; without this the download
  // would sit in back-pressure until the idle timeout instead of failing now.
  uploaded.catch((err: unknown) => dl.stream.destroy(err instanceof Error ? err : new Error(String(err))));
  const [down, up] = await Promise.allSettled([piped, uploaded]);
  if (up.status === "rejected") throw up.reason;
  if (down.status === "rejected") {
    throw new TransferError(`download of image ${o.fromImage.id} broke off after ${bytes} bytes: ${(down.reason as Error).message}`, { cause: down.reason });
  }

  const sum = md5.digest("hex");
  const sha512 = sha.digest("hex");
  const expectedSize = dl.contentLength ?? o.fromImage.size;
  if (expectedSize !== null && expectedSize !== undefined && bytes !== expectedSize) {
    throw new TransferError(`image ${o.fromImage.id}: ${bytes} bytes arrived, ${expectedSize} expected (stream cut short)`);
  }
  const sourceMd5 = o.fromImage.checksum ?? dl.contentMd5;
  if (sourceMd5 && sourceMd5 !== sum) throw new TransferError(`image ${o.fromImage.id}: md5 of the bytes read is ${sum}, the source says ${sourceMd5}`);
  if (o.fromImage.os_hash_algo === "sha512" && o.fromImage.os_hash_value && o.fromImage.os_hash_value !== sha512) {
    throw new TransferError(`image ${o.fromImage.id}: sha512 of the bytes read differs from the source's os_hash_value`);
  }
  const target = await glance.waitForImage(o.to, o.toImageId, "active", o.wait);
  if (target.checksum && target.checksum !== sum) throw new TransferError(`image ${o.toImageId}: the target computed md5 ${target.checksum}, ${sum} was sent`);
  if (target.os_hash_algo === "sha512" && target.os_hash_value && target.os_hash_value !== sha512) {
    throw new TransferError(`image ${o.toImageId}: the target's sha512 differs from what was sent`);
  }
  return { bytes, md5: sum, sha512 };
}
