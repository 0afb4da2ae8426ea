import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { api, type Api, json, token, useSim } from "./helpers.js";

const sim = await useSim([{ name: "glancesim", quotas: { image_count_total: 8 } }]);
const c = sim.cloud("glancesim");
const tok = await token(c);
const call: Api = api(c, tok);
const G = "/image/v2/images";

async function upload(id: string, data: Buffer): Promise<Response> {
  return fetch(`${c.baseUrl}${G}/${id}/file`, { method: "PUT", headers: { "x-auth-token": tok, "content-type": "application/octet-stream" }, body: data });
}
async function patch(id: string, ops: unknown, type = "application/openstack-images-v2.1-json-patch") {
  return call("PATCH", `${G}/${id}`, JSON.stringify(ops), { "content-type": type });
}

describe("glance", () => {
  it("creates a queued image, uploads bytes and serves them back with md5 and sha512", async () => {
    const r = await call("POST", G, { name: "custom", disk_format: "qcow2", container_format: "bare", os_distro: "debian", min_disk: 2 });
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe(`${c.baseUrl}/image/v2/images/${r.body.id}`);
    expect(r.body).toMatchObject({ status: "queued", visibility: "shared", size: null, checksum: null, os_distro: "debian", min_disk: 2, owner: c.projectId, file: `/v2/images/${r.body.id}/file` });
    expect(r.body.stores).toBeUndefined();
    const empty = await fetch(`${c.baseUrl}${G}/${r.body.id}/file`, { headers: { "x-auth-token": tok } });
    expect(empty.status).toBe(204);
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const put = await upload(r.body.id, data);
    expect(put.status).toBe(204);
    const md5 = createHash("md5").update(data).digest("hex");
    const sha = createHash("sha512").update(data).digest("hex");
    const img = (await call("GET", `${G}/${r.body.id}`)).body;
    expect(img).toMatchObject({ status: "active", size: data.length, checksum: md5, os_hash_algo: "sha512", os_hash_value: sha, stores: "fs", virtual_size: null });
    const got = await fetch(`${c.baseUrl}${G}/${r.body.id}/file`, { headers: { "x-auth-token": tok } });
    expect(got.headers.get("content-md5")).toBe(md5);
    expect(got.headers.get("content-length")).toBe(String(data.length));
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await got.arrayBuffer()).equals(data)).toBe(true);
    const range = await fetch(`${c.baseUrl}${G}/${r.body.id}/file`, { headers: { "x-auth-token": tok, range: "bytes=10-19" } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(data.subarray(10, 20))).toBe(true);
    const again = await upload(r.body.id, data);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("Image status transition from active to saving is not allowed");
  });

  it("answers a missing image with Glance's HTML 404", async () => {
    const r = await call("GET", `${G}/00000000-0000-0000-0000-000000000000`);
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(r.text).toBe("<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  No image found with ID 00000000-0000-0000-0000-000000000000<br /><br />\n\n\n\n </body>\n</html>");
  });

  it("patches with JSON patch and refuses read-only attributes, bad types and missing properties", async () => {
    const id = (await call("POST", G, { name: "p", disk_format: "raw", container_format: "bare", a: "1" })).body.id;
    const ok = await patch(id, [{ op: "add", path: "/foo", value: "bar" }, { op: "replace", path: "/name", value: "p2" }, { op: "remove", path: "/a" }, { op: "replace", path: "/visibility", value: "private" }]);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ foo: "bar", name: "p2", visibility: "private" });
    expect(ok.body.a).toBeUndefined();
    const wrongType = await patch(id, [{ op: "add", path: "/x", value: "y" }], "application/json");
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get("accept-patch")).toContain("application/openstack-images-v2.1-json-patch");
    const ro = await patch(id, [{ op: "replace", path: "/status", value: "active" }]);
    expect(ro.status).toBe(403);
    expect(ro.text).toContain("Attribute &#x27;status&#x27; is read-only.");
    const missing = await patch(id, [{ op: "remove", path: "/nonexist" }]);
    expect(missing.status).toBe(409);
    expect(missing.text).toContain("There was a conflict when trying to complete your request.<br /><br />\nProperty nonexist does not exist.");
    const num = await patch(id, [{ op: "add", path: "/foo", value: 1 }]);
    expect(num.status).toBe(400);
    expect(num.text).toContain("Provided object does not match schema &#x27;image&#x27;: 1 is not of type &#x27;string&#x27;");
    expect((await call("GET", `${G}/${id}`)).body.foo).toBe("bar");
  });

  it("protects images from deletion and deletes others", async () => {
    const id = (await call("POST", G, { name: "keep", protected: true })).body.id;
    const r = await call("DELETE", `${G}/${id}`);
    expect(r.status).toBe(403);
    expect(r.text).toContain(`Image ${id} is protected and cannot be deleted.`);
    await patch(id, [{ op: "replace", path: "/protected", value: false }]);
    expect((await call("DELETE", `${G}/${id}`)).status).toBe(204);
    expect((await call("GET", `${G}/${id}`)).status).toBe(404);
  });

  it("filters by visibility, properties and status, and pages with next links", async () => {
    for (const n of ["f1", "f2", "f3"]) await call("POST", G, { name: n, os_distro: "alpine", visibility: "private" });
    const alpine = (await call("GET", `${G}?os_distro=alpine`)).body.images.map((i: { name: string }) => i.name);
    expect(alpine).toEqual(["f3", "f2", "f1"]);
    const pub = (await call("GET", `${G}?visibility=public`)).body.images.map((i: { name: string }) => i.name);
    expect(pub).toEqual(["Ubuntu 24.04"]);
    const first = (await call("GET", `${G}?os_distro=alpine&limit=2`)).body;
    expect(first.first).toBe("/v2/images?os_distro=alpine&limit=2");
    expect(first.next).toBe(`/v2/images?os_distro=alpine&limit=2&marker=${first.images[1].id}`);
    const second = (await call("GET", `/image${first.next}`)).body;
    expect(second.images.map((i: { name: string }) => i.name)).toEqual(["f1"]);
    expect(second.next).toBeUndefined();
    const sorted = (await call("GET", `${G}?os_distro=alpine&sort=name:asc`)).body.images.map((i: { name: string }) => i.name);
    expect(sorted).toEqual(["f1", "f2", "f3"]);
    const bad = await call("GET", `${G}?marker=nope`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("No image found with ID nope");
    expect((await call("GET", `${G}?limit=abc`)).text).toContain("limit param must be an integer");
  });

  it("serves the standard image with SCS metadata", async () => {
    const u = (await call("GET", `${G}?name=Ubuntu%2024.04`)).body.images[0];
    expect(u).toMatchObject({
      visibility: "public", os_distro: "ubuntu", os_version: "24.04", architecture: "x86_64", os_purpose: "generic", hw_disk_bus: "scsi",
      image_original_user: "ubuntu", replace_frequency: "monthly", uuid_validity: "last-3", hash_algo: "sha512", min_ram: 512, min_disk: 1,
      status: "active", size: 1024 * 1024, disk_format: "raw",
    });
    expect(u.image_source).toMatch(/^https:\/\/cloud-images\.ubuntu\.com\/releases\/noble\//);
    expect(u.owner).not.toBe(c.projectId);
    expect((await call("DELETE", `${G}/${u.id}`)).status).toBe(403);
  });

  it("enforces image_count_total with a 413", async () => {
    const u = (await call("GET", "/image/v2/info/usage")).body.usage;
    expect(u.image_count_total.limit).toBe(8);
    for (let i = u.image_count_total.usage; i < 8; i++) expect((await call("POST", G, { name: `q${i}` })).status).toBe(201);
    const over = await call("POST", G, { name: "over" });
    expect(over.status).toBe(413);
    expect(over.text).toContain("image_count_total is over limit of 8");
  });

  it("serves the version documents", async () => {
    const root = await fetch(`${c.baseUrl}/image/`);
    expect(root.status).toBe(300);
    const v = (await json(root)).versions;
    expect(v[0]).toEqual({ id: "v2.15", status: "CURRENT", links: [{ rel: "self", href: `${c.baseUrl}/image/v2/` }] });
  });
});
