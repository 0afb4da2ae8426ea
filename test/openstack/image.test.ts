import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.js";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import {
  createImage,
  downloadImageData,
  getImage,
  normalizeMd5,
  setImageProperties,
  updateImage,
  uploadImageData,
  waitForImage,
} from "../../src/openstack/image.js";
import { FAST_HTTP, FakeOpenStack, fakeCloud } from "../helpers/fake-openstack.js";

let fake: FakeOpenStack;
let cloud: OpenStackCloud;

beforeEach(async () => {
  fake = await FakeOpenStack.start();
  cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP });
});
afterEach(async () => {
  cloud.close();
  await fake.close();
});

const IMG = "1bea47ed-f6a9-463b-b423-14b9cca9ad27";
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

function imageBody(extra: Record<string, unknown> = {}) {
  return {
    id: IMG,
    name: "cirros",
    status: "active",
    visibility: "private",
    owner: "p1",
    disk_format: "qcow2",
    container_format: "bare",
    size: 13167616,
    min_disk: 0,
    min_ram: 0,
    checksum: "64d7c1cd2b6f60c92c14662941cb7913",
    os_hash_algo: "sha512",
    os_hash_value: "073b",
    protected: false,
    tags: ["t1"],
    created_at: "2014-05-05T17:15:10Z",
    updated_at: "2014-05-05T17:15:11Z",
    self: `/v2/images/${IMG}`,
    file: `/v2/images/${IMG}/file`,
    schema: "/v2/schemas/image",
    os_hidden: false,
    virtual_size: null,
    ...extra,
  };
}

describe("image records", () => {
  it("keeps core fields typed and every other key as a string property", async () => {
    fake.on("GET", `/image/v2/images/${IMG}`, { json: imageBody({ os_distro: "ubuntu", hw_qemu_guest_agent: true, min_vcpus: 2, signature_verified: "False", nothing: null }) });
    const img = await getImage(cloud.image, IMG);
    expect(img.size).toBe(13167616);
    expect(img.tags).toEqual(["t1"]);
    expect(img.properties).toEqual({ os_distro: "ubuntu", hw_qemu_guest_agent: "true", min_vcpus: "2", signature_verified: "False" });
  });

  it("creates an image with properties flattened into the body", async () => {
    fake.on("POST", "/image/v2/images", (req) => ({ status: 201, json: imageBody({ ...req.json, status: "queued", checksum: null, size: null }) }));
    const img = await createImage(cloud.image, {
      name: "copy",
      disk_format: "raw",
      container_format: "bare",
      visibility: "private",
      min_disk: 1,
      tags: ["migrated"],
      properties: { os_distro: "debian", "scs-migrate:source": "abc" },
    });
    expect(fake.callsTo("POST", "/image/v2/images")[0]!.json).toEqual({
      name: "copy",
      disk_format: "raw",
      container_format: "bare",
      visibility: "private",
      min_disk: 1,
      tags: ["migrated"],
      os_distro: "debian",
      "scs-migrate:source": "abc",
    });
    expect(img.status).toBe("queued");
    expect(img.properties["scs-migrate:source"]).toBe("abc");
  });

  it("updates with JSON patch and removes only properties that exist", async () => {
    fake.on("PATCH", `/image/v2/images/${IMG}`, { json: imageBody() });
    fake.once("GET", `/image/v2/images/${IMG}`, { json: imageBody({ signature_verified: "True" }) });
    const current = await getImage(cloud.image, IMG);
    await setImageProperties(cloud.image, current, { "a/b": "1" }, ["signature_verified", "not_there"]);
    const patch = fake.callsTo("PATCH", `/image/v2/images/${IMG}`)[0]!;
    expect(patch.headers["content-type"]).toBe("application/openstack-images-v2.1-json-patch");
    expect(patch.json).toEqual([
      { op: "add", path: "/a~1b", value: "1" },
      { op: "remove", path: "/signature_verified" },
    ]);
    await updateImage(cloud.image, IMG, [{ op: "replace", path: "/name", value: "x" }]);
    expect(fake.callsTo("PATCH", `/image/v2/images/${IMG}`)).toHaveLength(2);
  });

  it("waits for active and stops early on killed", async () => {
    fake.once("GET", `/image/v2/images/${IMG}`, { json: imageBody({ status: "saving" }) });
    fake.on("GET", `/image/v2/images/${IMG}`, { json: imageBody({ status: "killed" }) });
    const err = await waitForImage(cloud.image, IMG, "active", { minDelay: 1, maxDelay: 2, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`image/${IMG} went to killed (waiting for active)`);
  });
});

describe("image data streams", () => {
  it("downloads as a stream with Content-MD5 and Content-Length; bytes and md5 match", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    fake.on("GET", `/image/v2/images/${IMG}/file`, () => ({
      headers: { "content-type": "application/octet-stream", "content-md5": md5(data), "content-length": String(data.length) },
      body: Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]),
    }));
    const dl = await downloadImageData(cloud.image, IMG);
    expect(dl.contentLength).toBe(data.length);
    expect(dl.contentMd5).toBe(md5(data));
    const hash = createHash("md5");
    let n = 0;
    for await (const chunk of dl.stream) {
      hash.update(chunk as Buffer);
      n += (chunk as Buffer).length;
    }
    expect(n).toBe(data.length);
    expect(hash.digest("hex")).toBe(md5(data));
  });

  it("refuses to download an image without data (Glance answers 204)", async () => {
    fake.on("GET", `/image/v2/images/${IMG}/file`, { status: 204 });
    const err = await downloadImageData(cloud.image, IMG).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as Error).message).toMatch(/has no data/);
  });

  it("uploads from a stream as octet-stream without buffering it, bytes and md5 equal", async () => {
    const chunks = Array.from({ length: 8 }, () => randomBytes(512 * 1024));
    const all = Buffer.concat(chunks);
    fake.on("PUT", `/image/v2/images/${IMG}/file`, { status: 204 });
    const before = fake.bytesReceived;
    async function* source() {
      yield chunks[0]!;
      // Why: the rest is produced only once the server has bytes, which a client that buffers the whole body would never allow.
      const deadline = Date.now() + 10_000;
      while (fake.bytesReceived - before === 0) {
        if (Date.now() > deadline) throw new Error("the upload did not start before the source ended: it is being buffered");
        await new Promise((r) => setTimeout(r, 5));
      }
      for (const c of chunks.slice(1)) yield c;
    }
    await uploadImageData(cloud.image, IMG, Readable.from(source()), { size: all.length });
    const put = fake.callsTo("PUT", `/image/v2/images/${IMG}/file`)[0]!;
    expect(put.headers["content-type"]).toBe("application/octet-stream");
    expect(put.headers["content-length"]).toBe(String(all.length));
    expect(put.body.length).toBe(all.length);
    expect(md5(put.body)).toBe(md5(all));
  });

  it("does not retry a streamed upload (the body cannot be replayed)", async () => {
    fake.on("PUT", `/image/v2/images/${IMG}/file`, { status: 503, body: "busy" });
    const err = await uploadImageData(cloud.image, IMG, Readable.from([Buffer.from("abc")])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(fake.callsTo("PUT", `/image/v2/images/${IMG}/file`)).toHaveLength(1);
  });

  it("copies a download straight into an upload (the migration data path)", async () => {
    const data = randomBytes(2 * 1024 * 1024);
    fake.on("GET", `/image/v2/images/${IMG}/file`, () => ({ headers: { "content-md5": md5(data) }, body: Readable.from([data]) }));
    fake.on("PUT", "/image/v2/images/dst/file", { status: 204 });
    const dl = await downloadImageData(cloud.image, IMG);
    await uploadImageData(cloud.image, "dst", dl.stream);
    const received = fake.callsTo("PUT", "/image/v2/images/dst/file")[0]!.body;
    expect(md5(received)).toBe(dl.contentMd5);
  });

  it("surfaces a download cut mid-stream as a retryable network ApiError", async () => {
    fake.on("GET", `/image/v2/images/${IMG}/file`, (_req, raw) => {
      raw.res.writeHead(200, { "content-length": "1000000" });
      raw.res.write(Buffer.alloc(1000));
      setTimeout(() => raw.res.socket?.destroy(), 20);
      return "handled";
    });
    const dl = await downloadImageData(cloud.image, IMG);
    const err = await (async () => {
      for await (const _ of dl.stream) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).retryable).toBe(true);
    expect((err as ApiError).fault).toBe("network");
    expect((err as Error).message).toMatch(/^download from http:\/\/127\.0\.0\.1:\d+\/image\/v2\/images\/[\w-]+\/file: interrupted/);
  });

  it("fails an upload whose source fails, with the source's error", async () => {
    fake.on("PUT", `/image/v2/images/${IMG}/file`, { status: 204 });
    const cut = new ApiError("download from x: interrupted (ECONNRESET)", { method: "GET", url: "x", fault: "network", retryable: true });
    async function* source() {
      yield Buffer.alloc(64 * 1024);
      throw cut;
    }
    const err = await uploadImageData(cloud.image, IMG, Readable.from(source())).catch((e: unknown) => e);
    expect(err).toBe(cut);
  });

  it("limits the wait for the answer once an upload is sent", async () => {
    fake.on("PUT", `/image/v2/images/${IMG}/file`, () => "handled"); // reads the body, never answers
    const err = await uploadImageData(cloud.image, IMG, Readable.from([Buffer.alloc(1024)]), { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as Error).message).toMatch(/: no answer within 200 ms after the upload$/);
  });

  it("reads Content-MD5 in hex (Glance) or base64 (RFC 1864)", () => {
    expect(normalizeMd5("64D7C1CD2B6F60C92C14662941CB7913")).toBe("64d7c1cd2b6f60c92c14662941cb7913");
    expect(normalizeMd5(Buffer.from("64d7c1cd2b6f60c92c14662941cb7913", "hex").toString("base64"))).toBe("64d7c1cd2b6f60c92c14662941cb7913");
    expect(normalizeMd5(undefined)).toBeNull();
  });
});
