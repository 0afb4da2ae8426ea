import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { api, type Api, json, MV, token, useSim, waitFor } from "./helpers.js";

const sim = await useSim([
  { name: "novasim", delays: { serverBuild: 60, serverDelete: 30, serverAction: 30, serverImage: 10, volumeCreate: 30, volumeDownload: 30, imageSave: 10, volumeAttach: 20 }, quotas: { instances: 6 } },
]);
const c = sim.cloud("novasim");
const call: Api = api(c, await token(c), MV);

const flavors = (await call("GET", "/compute/v2.1/flavors/detail")).body.flavors as Array<{ id: string; name: string; disk: number }>;
const flavor = (name: string) => flavors.find((f) => f.name === name)!.id;
const image = (await call("GET", "/image/v2/images?name=Ubuntu%2024.04")).body.images[0];
const net = (await call("POST", "/network/v2.0/networks", { network: { name: "n1" } })).body.network;
await call("POST", "/network/v2.0/subnets", { subnet: { network_id: net.id, cidr: "10.9.0.0/24", ip_version: 4 } });

async function boot(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call("POST", "/compute/v2.1/servers", { server: { name, flavorRef: flavor("SCS-2V-4-20s"), imageRef: image.id, networks: [{ uuid: net.id }], ...extra } });
  expect(r.status).toBe(202);
  return r.body.server.id;
}
const status = (id: string) => async () => (await call("GET", `/compute/v2.1/servers/${id}`)).body.server?.status ?? "GONE";

describe("nova servers", () => {
  it("builds BUILD → ACTIVE and binds a port Nova created", async () => {
    const id = await boot("web-1");
    await waitFor(status(id), (s) => s === "ACTIVE");
    // Why from the log: a loaded machine can miss a short BUILD between two polls.
    expect(c.store.transitions.path("server", id)).toEqual(["BUILD", "ACTIVE"]);
    const s = (await call("GET", `/compute/v2.1/servers/${id}`)).body.server;
    expect(s.flavor).toMatchObject({ original_name: "SCS-2V-4-20s", vcpus: 2, ram: 4096, disk: 20, extra_specs: { "scs:name-v1": "SCS-2V:4:20s" } });
    expect(s["OS-EXT-AZ:availability_zone"]).toBe("nova");
    expect(s.addresses.n1[0]).toMatchObject({ version: 4, "OS-EXT-IPS:type": "fixed" });
    const ports = (await call("GET", `/network/v2.0/ports?device_id=${id}`)).body.ports;
    expect(ports).toHaveLength(1);
    expect(ports[0]).toMatchObject({ device_owner: "compute:nova", status: "ACTIVE", network_id: net.id });
    const ifaces = (await call("GET", `/compute/v2.1/servers/${id}/os-interface`)).body.interfaceAttachments;
    expect(ifaces[0]).toMatchObject({ port_id: ports[0].id, port_state: "ACTIVE", net_id: net.id });
  });

  it("stops, starts and refuses a second stop with Nova's 409", async () => {
    const id = await boot("web-2");
    await waitFor(status(id), (s) => s === "ACTIVE");
    expect((await call("POST", `/compute/v2.1/servers/${id}/action`, { "os-stop": null })).status).toBe(202);
    await waitFor(status(id), (s) => s === "SHUTOFF");
    const again = await call("POST", `/compute/v2.1/servers/${id}/action`, { "os-stop": null });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${id} while it is in vm_state stopped` } });
    await call("POST", `/compute/v2.1/servers/${id}/action`, { "os-start": null });
    const s = await waitFor(status(id), (x) => x === "ACTIVE");
    expect(s.value).toBe("ACTIVE");
  });

  it("snapshots an image-booted server into an active image with the base image's bytes", async () => {
    const id = await boot("web-3");
    await waitFor(status(id), (s) => s === "ACTIVE");
    const r = await call("POST", `/compute/v2.1/servers/${id}/action`, { createImage: { name: "web-3-snap", metadata: { purpose: "backup" } } });
    expect(r.status).toBe(202);
    const imageId = r.body.image_id;
    await waitFor(async () => (await call("GET", `/image/v2/images/${imageId}`)).body.status, (s) => s === "active");
    expect(c.store.transitions.path("image", imageId)).toEqual(["queued", "saving", "active"]);
    expect(c.store.transitions.path("server", id, "task_state").slice(-4)).toEqual(["image_snapshot", "image_pending_upload", "image_uploading", null]);
    const img = (await call("GET", `/image/v2/images/${imageId}`)).body;
    expect(img).toMatchObject({ checksum: image.checksum, size: image.size, instance_uuid: id, image_type: "snapshot", purpose: "backup", os_distro: "ubuntu", visibility: "private" });
    const data = Buffer.from(await (await fetch(`${c.baseUrl}/image/v2/images/${imageId}/file`, { headers: { "x-auth-token": await token(c) } })).arrayBuffer());
    expect(createHash("md5").update(data).digest("hex")).toBe(image.checksum);
    await waitFor(async () => (await call("GET", `/compute/v2.1/servers/${id}`)).body.server["OS-EXT-STS:task_state"], (t) => t === null);
    const legacy = await call("POST", `/compute/v2.1/servers/${id}/action`, { createImage: { name: "old" } }, { "OpenStack-API-Version": "compute 2.1" });
    expect(legacy.status).toBe(202);
    expect(legacy.text).toBe("");
    expect(legacy.headers.get("location")).toMatch(new RegExp(`^${c.baseUrl}/image/v2/images/[0-9a-f-]{36}$`));
  });

  it("boots from a volume created from an image and deletes it with the server", async () => {
    const r = await call("POST", "/compute/v2.1/servers", {
      server: {
        name: "bfv", flavorRef: flavor("SCS-2V-4"), networks: [{ uuid: net.id }],
        block_device_mapping_v2: [{ boot_index: 0, uuid: image.id, source_type: "image", destination_type: "volume", volume_size: 2, delete_on_termination: true }],
      },
    });
    expect(r.status).toBe(202);
    const id = r.body.server.id;
    await waitFor(status(id), (s) => s === "ACTIVE");
    const s = (await call("GET", `/compute/v2.1/servers/${id}`)).body.server;
    expect(s.image).toBe("");
    const volId = s["os-extended-volumes:volumes_attached"][0].id;
    const vol = (await call("GET", `/volume/v3/{project}/volumes/${volId}`)).body.volume;
    expect(vol).toMatchObject({ status: "in-use", bootable: "true", size: 2 });
    expect(vol.attachments[0]).toMatchObject({ server_id: id, device: "/dev/vda" });
    expect(vol.volume_image_metadata).toMatchObject({ image_id: image.id, os_distro: "ubuntu" });
    expect((await call("DELETE", `/compute/v2.1/servers/${id}`)).status).toBe(204);
    await waitFor(status(id), (x) => x === "GONE");
    await waitFor(async () => (await call("GET", `/volume/v3/{project}/volumes/${volId}`)).status, (x) => x === 404);
  });

  it("refuses image boot on a zero-disk flavor with Nova's 403", async () => {
    const r = await call("POST", "/compute/v2.1/servers", { server: { name: "x", flavorRef: flavor("SCS-1V-2"), imageRef: image.id, networks: "none" } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ forbidden: { code: 403, message: "Only volume-backed servers are allowed for flavors with zero disk." } });
  });

  it("attaches and detaches a volume (reserved → in-use → available)", async () => {
    const id = await boot("web-4");
    await waitFor(status(id), (s) => s === "ACTIVE");
    const vol = (await call("POST", "/volume/v3/{project}/volumes", { volume: { size: 1, name: "data" } })).body.volume;
    await waitFor(async () => (await call("GET", `/volume/v3/{project}/volumes/${vol.id}`)).body.volume.status, (s) => s === "available");
    const att = await call("POST", `/compute/v2.1/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: vol.id } });
    expect(att.status).toBe(200);
    expect(att.body.volumeAttachment).toMatchObject({ volumeId: vol.id, serverId: id, device: "/dev/vdb", delete_on_termination: false });
    const { seen } = await waitFor(async () => (await call("GET", `/volume/v3/{project}/volumes/${vol.id}`)).body.volume.status, (s) => s === "in-use");
    expect(seen[seen.length - 1]).toBe("in-use");
    const list = (await call("GET", `/compute/v2.1/servers/${id}/os-volume_attachments`)).body.volumeAttachments;
    expect(list).toEqual([{ id: vol.id, volumeId: vol.id, serverId: id, device: "/dev/vdb", tag: null, delete_on_termination: false }]);
    const twice = await call("POST", `/compute/v2.1/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: vol.id } });
    expect(twice.status).toBe(400);
    expect(twice.body.badRequest.message).toBe(`Invalid volume: volume ${vol.id} is already attached to instances: ${id}`);
    const del = await call("DELETE", `/volume/v3/{project}/volumes/${vol.id}`);
    expect(del.status).toBe(400);
    expect((await call("DELETE", `/compute/v2.1/servers/${id}/os-volume_attachments/${vol.id}`)).status).toBe(202);
    await waitFor(async () => (await call("GET", `/volume/v3/{project}/volumes/${vol.id}`)).body.volume.status, (s) => s === "available");
  });

  it("enforces the instances quota with Nova's message", async () => {
    const used = (await call("GET", `/compute/v2.1/os-quota-sets/${c.projectId}/detail`)).body.quota_set.instances.in_use;
    for (let i = used; i < 6; i++) await boot(`fill-${i}`);
    const r = await call("POST", "/compute/v2.1/servers", { server: { name: "over", flavorRef: flavor("SCS-2V-4-20s"), imageRef: image.id, networks: "none" } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ forbidden: { code: 403, message: "Quota exceeded for instances: Requested 1, but already used 6 of 6 instances" } });
    const limits = (await call("GET", "/compute/v2.1/limits")).body.limits.absolute;
    expect(limits).toMatchObject({ maxTotalInstances: 6, totalInstancesUsed: 6 });
    c.store.quotas.instances = -1;
  });

  it("answers unknown servers and flavors with itemNotFound", async () => {
    const r = await call("GET", "/compute/v2.1/servers/00000000-0000-0000-0000-000000000000");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ itemNotFound: { code: 404, message: "Instance 00000000-0000-0000-0000-000000000000 could not be found." } });
    expect(r.headers.get("x-compute-request-id")).toBe(r.headers.get("x-openstack-request-id"));
    expect((await call("GET", "/compute/v2.1/flavors/nope")).body).toEqual({ itemNotFound: { code: 404, message: "Flavor nope could not be found." } });
  });

  it("negotiates microversions and rejects unsupported ones with 406", async () => {
    const ok = await call("GET", "/compute/v2.1/servers", undefined, { "OpenStack-API-Version": "compute 2.90" });
    expect(ok.headers.get("openstack-api-version")).toBe("compute 2.90");
    expect(ok.headers.get("x-openstack-nova-api-version")).toBe("2.90");
    const legacy = await call("GET", "/compute/v2.1/servers", undefined, { "OpenStack-API-Version": "", "X-OpenStack-Nova-API-Version": "2.53" });
    expect(legacy.headers.get("openstack-api-version")).toBe("compute 2.53");
    const latest = await call("GET", "/compute/v2.1/servers", undefined, { "OpenStack-API-Version": "compute latest" });
    expect(latest.headers.get("openstack-api-version")).toBe("compute 2.96");
    const tooNew = await call("GET", "/compute/v2.1/servers", undefined, { "OpenStack-API-Version": "compute 2.200" });
    expect(tooNew.status).toBe(406);
    expect(tooNew.body).toEqual({ computeFault: { code: 406, message: "Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.96." } });
    const junk = await call("GET", "/compute/v2.1/servers", undefined, { "OpenStack-API-Version": "compute abc" });
    expect(junk.status).toBe(400);
    const doc = await fetch(`${c.baseUrl}/compute/v2.1`);
    expect((await json(doc)).version).toMatchObject({ id: "v2.1", version: "2.96", min_version: "2.1" });
  });

  it("shows flavor shapes per microversion", async () => {
    const id = flavor("SCS-4V-16-100s");
    const old = (await call("GET", `/compute/v2.1/flavors/${id}`, undefined, { "OpenStack-API-Version": "compute 2.1" })).body.flavor;
    expect(old.swap).toBe("");
    expect(old.extra_specs).toBeUndefined();
    const now = (await call("GET", `/compute/v2.1/flavors/${id}`, undefined, { "OpenStack-API-Version": "compute 2.79" })).body.flavor;
    expect(now).toMatchObject({ swap: 0, disk: 100, ram: 16384, extra_specs: { "scs:disk0-type": "ssd", "scs:cpu-type": "shared-core", "scs:name-v2": "SCS-4V-16-100s" } });
    const specs = (await call("GET", `/compute/v2.1/flavors/${id}/os-extra_specs`)).body.extra_specs;
    expect(specs["scs:name-v1"]).toBe("SCS-4V:16:100s");
  });

  it("hides private flavors from projects without access", async () => {
    const other = await useSim([{ name: "priv", extraFlavors: [
      { name: "hidden", vcpus: 1, ram: 512, disk: 1, isPublic: false, access: ["someone-else"] },
      { name: "mine", vcpus: 1, ram: 512, disk: 1, isPublic: false },
    ] }]);
    const p = other.cloud("priv");
    const pc = api(p, await token(p));
    const names = (await pc("GET", "/compute/v2.1/flavors?is_public=None")).body.flavors.map((f: { name: string }) => f.name);
    expect(names).toContain("mine");
    expect(names).not.toContain("hidden");
    const hidden = [...p.store.flavors.values()].find((f) => f.name === "hidden")!;
    expect((await pc("GET", `/compute/v2.1/flavors/${hidden.id}`)).status).toBe(404);
    const mine = [...p.store.flavors.values()].find((f) => f.name === "mine")!;
    expect((await pc("GET", `/compute/v2.1/flavors/${mine.id}/os-flavor-access`)).body).toEqual({ flavor_access: [{ flavor_id: mine.id, tenant_id: p.projectId }] });
  });

  it("imports keypairs, rejects duplicates and lists them with keypairs_links", async () => {
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGkgKNl1YO6l7eaGZbISkezSxxQVa1zdEW1AjWH4Fbj root@vm";
    for (const name of ["ka", "kb", "kc"]) {
      const r = await call("POST", "/compute/v2.1/os-keypairs", { keypair: { name, public_key: key } });
      expect(r.status).toBe(201);
      expect(r.body.keypair).toMatchObject({ name, type: "ssh", fingerprint: "2d:4d:71:ff:ad:3b:8b:19:97:6e:b4:7d:86:2a:77:fe" });
    }
    const dup = await call("POST", "/compute/v2.1/os-keypairs", { keypair: { name: "ka", public_key: key } });
    expect(dup.body).toEqual({ conflictingRequest: { code: 409, message: "Key pair 'ka' already exists." } });
    const page = await call("GET", "/compute/v2.1/os-keypairs?limit=2", undefined, { "OpenStack-API-Version": "compute 2.35" });
    expect(page.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)).toEqual(["ka", "kb"]);
    expect(page.body.keypairs_links[0].href).toBe(`${c.baseUrl}/compute/v2.1/os-keypairs?limit=2&marker=kb`);
    const show = (await call("GET", "/compute/v2.1/os-keypairs/kb")).body.keypair;
    expect(show).toMatchObject({ name: "kb", deleted: false, id: 2 });
    expect((await call("GET", "/compute/v2.1/os-keypairs/zz")).status).toBe(404);
  });

  it("creates server groups with policy and rules at 2.64", async () => {
    const r = await call("POST", "/compute/v2.1/os-server-groups", { server_group: { name: "g", policy: "anti-affinity", rules: { max_server_per_host: 1 } } }, { "OpenStack-API-Version": "compute 2.64" });
    expect(r.status).toBe(200);
    expect(r.body.server_group).toMatchObject({ name: "g", policy: "anti-affinity", rules: { max_server_per_host: 1 }, members: [], project_id: c.projectId });
    const old = (await call("GET", `/compute/v2.1/os-server-groups/${r.body.server_group.id}`, undefined, { "OpenStack-API-Version": "compute 2.1" })).body.server_group;
    expect(old).toEqual({ id: r.body.server_group.id, name: "g", policies: ["anti-affinity"], members: [], metadata: {} });
  });

  it("keeps tags and metadata", async () => {
    const id = await boot("tagged", { tags: ["a"], metadata: { k: "v" } });
    const tags = await call("PUT", `/compute/v2.1/servers/${id}/tags`, { tags: ["x", "y"] });
    expect(tags.body).toEqual({ tags: ["x", "y"] });
    expect((await call("PUT", `/compute/v2.1/servers/${id}/tags/z`)).status).toBe(201);
    expect((await call("GET", `/compute/v2.1/servers/${id}/tags/q`)).body).toEqual({ itemNotFound: { code: 404, message: `Server ${id} has no tag 'q'` } });
    const filtered = (await call("GET", "/compute/v2.1/servers/detail?tags=x,z")).body.servers.map((s: { id: string }) => s.id);
    expect(filtered).toEqual([id]);
    expect((await call("POST", `/compute/v2.1/servers/${id}/metadata`, { metadata: { m: "1" } })).body).toEqual({ metadata: { k: "v", m: "1" } });
  });
});

describe("nova lookups of unknown servers", () => {
  it("answers a show with 'could not be found' and an action with Zed's cell-mapping message", async () => {
    const id = "3c9b4d52-6c8e-4cf7-9d3e-7b1b8f0c2a11";
    const show = await call("GET", `/compute/v2.1/servers/${id}`);
    expect(show.status).toBe(404);
    expect(show.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
    const act = await call("POST", `/compute/v2.1/servers/${id}/action`, { "os-stop": null });
    expect(act.status).toBe(404);
    expect(act.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${id} has no mapping to a cell.` } });
  });
});
