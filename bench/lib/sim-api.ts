/**
 * Plain HTTP helpers the benchmarks use to set up simulated clouds (tokens,
 * JSON calls, seeding image data) without the tool's client layer, so that
 * setup cost and setup bugs never mix with what is measured.
 *
 * API: POST /identity/v3/auth/tokens, Glance /image/v2/images and …/file,
 * any JSON endpoint under the cloud's base URL.
 *
 * Quirk: image bytes are an AES-128-CTR keystream over zeros (fixed key), so
 * they are deterministic, incompressible and produced at several GB/s; the
 * simulator's own `extraImages.sizeBytes` generator builds the whole image in
 * memory first, which costs about 20 s and 1 GiB of RAM per GiB.
 */
import { createCipheriv } from "node:crypto";
import http from "node:http";
import { Readable } from "node:stream";
import type { SimCloud } from "../../src/sim/index.js";

/** A project-scoped password token for a simulated cloud. */
export async function simToken(c: SimCloud): Promise<string> {
  const r = await fetch(`${c.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: c.username, domain: { name: c.userDomain }, password: c.password } } },
        scope: { project: { name: c.projectName, domain: { name: c.projectDomain } } },
      },
    }),
  });
  if (r.status !== 201) throw new Error(`auth on ${c.name} failed: ${r.status} ${await r.text()}`);
  return r.headers.get("x-subject-token")!;
}

/** A JSON API caller bound to a cloud and token; `{project}` in paths is the project id. Throws on non-2xx. */
export type SimCall = (method: string, path: string, body?: unknown) => Promise<any>;

/** Builds a JSON caller with the microversions most clients send. */
export function simCall(c: SimCloud, token: string): SimCall {
  return async (method, p, body) => {
    const r = await fetch(c.baseUrl + p.replace("{project}", c.projectId), {
      method,
      headers: {
        "x-auth-token": token,
        "OpenStack-API-Version": "compute 2.79, volume 3.60",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${p} on ${c.name}: ${r.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** `size` deterministic, incompressible bytes as a stream. */
export function deterministicStream(size: number, seed = "scs-bench"): Readable {
  const key = Buffer.alloc(16);
  key.write(seed.slice(0, 16));
  const cipher = createCipheriv("aes-128-ctr", key, Buffer.alloc(16));
  const zeros = Buffer.alloc(1 << 20);
  let left = size;
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, zeros.length);
      left -= n;
      this.push(cipher.update(n === zeros.length ? zeros : zeros.subarray(0, n)));
    },
  });
}

/** PUTs a stream as an image's data (Content-Length `size`) and resolves when the cloud answered 204. */
export function putImageData(c: SimCloud, token: string, imageId: string, data: Readable, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${c.baseUrl}/image/v2/images/${imageId}/file`, {
      method: "PUT",
      headers: { "x-auth-token": token, "content-type": "application/octet-stream", "content-length": String(size) },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 204 ? resolve() : reject(new Error(`upload to ${imageId}: ${res.statusCode}`))));
    });
    req.on("error", reject);
    data.on("error", reject);
    data.pipe(req);
  });
}

/** Creates a private raw image and uploads `size` deterministic bytes into it; returns its id. */
export async function seedImage(c: SimCloud, token: string, name: string, size: number): Promise<string> {
  const img = await simCall(c, token)("POST", "/image/v2/images", { name, disk_format: "raw", container_format: "bare", visibility: "private" });
  await putImageData(c, token, img.id, deterministicStream(size, name), size);
  return img.id as string;
}

/** Polls a volume until it has `status` (error statuses fail at once). */
export async function waitVolume(call: SimCall, id: string, status: string, timeoutMs = 600_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const v = (await call("GET", `/volume/v3/{project}/volumes/${id}`)).volume;
    if (v.status === status) return;
    if (String(v.status).startsWith("error")) throw new Error(`volume ${id} went ${v.status}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`volume ${id} still ${v.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `fn(i)` for i in [0, n) with at most `width` in flight. */
export async function inParallel(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}
