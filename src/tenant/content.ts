/**
 * Deterministic content for seeded images and volumes: the same seed and size
 * always give the same bytes, so a migrated copy can be checked by checksum
 * against a value computed without the source cloud. AES-128-CTR over zeros is
 * used as the generator because it runs at memory speed and needs no state
 * beyond the key.
 */
import { createCipheriv, createHash } from "node:crypto";
import { Readable } from "node:stream";

const CHUNK = 1 << 20;
const ZEROS = Buffer.alloc(CHUNK);

/** A readable stream of `size` deterministic bytes derived from `seed`. */
export function contentStream(seed: string, size: number): Readable {
  const key = createHash("sha256").update(`scs-migrate-content:${seed}`).digest();
  const cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), key.subarray(16, 32));
  let left = size;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, CHUNK);
      left -= n;
      this.push(cipher.update(n === CHUNK ? ZEROS : ZEROS.subarray(0, n)));
    },
  });
}

/** md5 and sha512 of the content `contentStream(seed, size)` produces. */
export async function contentDigests(seed: string, size: number): Promise<{ md5: string; sha512: string }> {
  const md5 = createHash("md5");
  const sha = createHash("sha512");
  for await (const chunk of contentStream(seed, size)) {
    md5.update(chunk as Buffer);
    sha.update(chunk as Buffer);
  }
  return { md5: md5.digest("hex"), sha512: sha.digest("hex") };
}

/** Bytes of a content spec (size_mb × MiB, rounded down to whole bytes). */
export function contentBytes(sizeMb: number): number {
  return Math.floor(sizeMb * 1024 * 1024);
}
