import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import {
  createSnapshot,
  createVolume,
  deleteVolume,
  getDefaultVolumeType,
  getQuotaUsage,
  getVolume,
  listVolumeTypes,
  setVolumeMetadata,
  uploadVolumeToImage,
  waitForVolume,
  waitForVolumeDeleted,
} from "../../src/openstack/block-storage.js";
import { FAST_HTTP, FakeOpenStack, fakeCloud, PROJECT_ID } from "../helpers/fake-openstack.js";

let fake: FakeOpenStack;
let cloud: OpenStackCloud;
const V = `/volume/v3/${PROJECT_ID}`;
const fast = { minDelay: 1, maxDelay: 2, timeoutMs: 5000 };

beforeEach(async () => {
  fake = await FakeOpenStack.start();
  cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP });
});
afterEach(async () => {
  cloud.close();
  await fake.close();
});

function volume(extra: Record<string, unknown> = {}) {
  return {
    id: "vol1",
    name: null,
    description: null,
    size: 10,
    status: "available",
    bootable: "true",
    encrypted: false,
    multiattach: false,
    volume_type: "lab",
    availability_zone: "nova",
    metadata: {},
    volume_image_metadata: { image_id: "img1", signature_verified: "False" },
    attachments: [{ server_id: "s1", attachment_id: "a1", device: "/dev/vdb", attached_at: "2024-01-01T00:00:00.000000", volume_id: "vol1", id: "vol1" }],
    "os-vol-tenant-attr:tenant_id": PROJECT_ID,
    created_at: "2018-11-29T06:50:07.770785",
    ...extra,
  };
}

describe("volumes", () => {
  it("parses string booleans, naive timestamps and null names", async () => {
    fake.on("GET", `${V}/volumes/vol1`, { json: { volume: volume() } });
    const v = await getVolume(cloud.blockStorage, "vol1");
    expect(v).toMatchObject({
      id: "vol1",
      name: "",
      description: "",
      bootable: true,
      project_id: PROJECT_ID,
      created_at: "2018-11-29T06:50:07.770Z",
      volume_image_metadata: { image_id: "img1", signature_verified: "False" },
      attachments: [{ server_id: "s1", attachment_id: "a1", device: "/dev/vdb", attached_at: "2024-01-01T00:00:00.000Z", host_name: null }],
    });
  });

  it("creates from an image, sets metadata, deletes with cascade", async () => {
    fake.on("POST", `${V}/volumes`, (req) => ({ status: 202, json: { volume: volume({ status: "creating", ...req.json.volume }) } }));
    fake.on("PUT", `${V}/volumes/vol1/metadata`, (req) => ({ json: { metadata: req.json.metadata } }));
    fake.on("DELETE", `${V}/volumes/vol1`, { status: 202 });
    const v = await createVolume(cloud.blockStorage, { size: 10, name: "data", imageRef: "img1", volume_type: "lab", metadata: { k: "v" } });
    expect(fake.callsTo("POST", `${V}/volumes`)[0]!.json).toEqual({ volume: { size: 10, name: "data", imageRef: "img1", volume_type: "lab", metadata: { k: "v" } } });
    expect(v.status).toBe("creating");
    expect(await setVolumeMetadata(cloud.blockStorage, "vol1", { a: "b" })).toEqual({ a: "b" });
    await deleteVolume(cloud.blockStorage, "vol1", { cascade: true });
    expect(fake.callsTo("DELETE", `${V}/volumes/vol1`)[0]!.query.get("cascade")).toBe("true");
  });

  it("uploads a volume to a private image and returns the image id", async () => {
    fake.on("POST", `${V}/volumes/vol1/action`, {
      status: 202,
      json: { "os-volume_upload_image": { id: "vol1", image_id: "img9", image_name: "copy", status: "uploading", disk_format: "raw", container_format: "bare", visibility: "private", protected: false, size: 10, updated_at: "2017-06-05T08:44:28.000000", volume_type: null, display_description: null } },
    });
    const r = await uploadVolumeToImage(cloud.blockStorage, "vol1", { image_name: "copy", force: true });
    expect(r.image_id).toBe("img9");
    expect(fake.callsTo("POST", `${V}/volumes/vol1/action`)[0]!.json).toEqual({
      "os-volume_upload_image": { image_name: "copy", force: true, disk_format: "raw", container_format: "bare", visibility: "private" },
    });
  });

  it("waits through creating/downloading to available; error_* ends the wait; 404 ends a delete wait", async () => {
    fake.once("GET", `${V}/volumes/vol1`, { json: { volume: volume({ status: "creating" }) } });
    fake.once("GET", `${V}/volumes/vol1`, { json: { volume: volume({ status: "downloading" }) } });
    fake.on("GET", `${V}/volumes/vol1`, { json: { volume: volume() } });
    expect((await waitForVolume(cloud.blockStorage, "vol1", "available", fast)).status).toBe("available");
    expect(fake.callsTo("GET", `${V}/volumes/vol1`)).toHaveLength(3);
    fake.on("GET", `${V}/volumes/vol1`, { json: { volume: volume({ status: "error_deleting" }) } });
    await expect(waitForVolumeDeleted(cloud.blockStorage, "vol1", fast)).rejects.toThrow("volume/vol1 went to error_deleting");
    fake.on("GET", `${V}/volumes/vol1`, { status: 404, json: { itemNotFound: { code: 404, message: "Volume vol1 could not be found." } } });
    await waitForVolumeDeleted(cloud.blockStorage, "vol1", fast);
  });

  it("snapshots with force", async () => {
    fake.on("POST", `${V}/snapshots`, (req) => ({ status: 202, json: { snapshot: { id: "sn1", status: "creating", size: 10, ...req.json.snapshot } } }));
    const s = await createSnapshot(cloud.blockStorage, { volume_id: "vol1", name: "s", force: true });
    expect(s).toMatchObject({ id: "sn1", volume_id: "vol1", name: "s", description: "", metadata: {} });
    expect(fake.callsTo("POST", `${V}/snapshots`)[0]!.json).toEqual({ snapshot: { volume_id: "vol1", name: "s", force: true } });
  });
});

describe("types and quotas", () => {
  it("lists volume types with extra specs and finds the default (null when there is none)", async () => {
    fake.on("GET", `${V}/types`, {
      json: { volume_types: [{ id: "t1", name: "ssd", description: null, "os-volume-type-access:is_public": true, extra_specs: { "scs:replicated": "true" }, qos_specs_id: null }] },
    });
    expect(await listVolumeTypes(cloud.blockStorage)).toEqual([{ id: "t1", name: "ssd", description: null, is_public: true, extra_specs: { "scs:replicated": "true" }, qos_specs_id: null }]);
    expect(await getDefaultVolumeType(cloud.blockStorage)).toBeNull();
    fake.on("GET", `${V}/types/default`, { json: { volume_type: { id: "t1", name: "ssd", is_public: true, extra_specs: {} } } });
    expect((await getDefaultVolumeType(cloud.blockStorage))?.name).toBe("ssd");
  });

  it("reads quota usage with usage=True, per-type keys included", async () => {
    fake.on("GET", `${V}/os-quota-sets/${PROJECT_ID}`, {
      json: { quota_set: { id: PROJECT_ID, volumes: { in_use: 1, limit: 10, reserved: 0 }, gigabytes_lab: { in_use: 10, limit: -1, reserved: 0 } } },
    });
    expect(await getQuotaUsage(cloud.blockStorage, PROJECT_ID)).toEqual({ volumes: { in_use: 1, limit: 10, reserved: 0 }, gigabytes_lab: { in_use: 10, limit: -1, reserved: 0 } });
    expect(fake.callsTo("GET", `${V}/os-quota-sets/${PROJECT_ID}`)[0]!.query.get("usage")).toBe("True");
  });
});
