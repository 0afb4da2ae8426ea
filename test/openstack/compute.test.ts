import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WaitError } from "../../src/errors.js";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import {
  attachVolume,
  createKeypair,
  createServer,
  createServerImage,
  deleteServer,
  detachVolume,
  getFlavorExtraSpecs,
  getQuotaSet,
  getServer,
  listAvailabilityZones,
  listFlavors,
  listKeypairs,
  listServerInterfaces,
  listVolumeAttachments,
  replaceServerTags,
  setServerMetadata,
  startServer,
  stopServer,
  waitForServer,
  waitForServerDeleted,
} from "../../src/openstack/compute.js";
import { FAST_HTTP, FakeOpenStack, fakeCloud, PROJECT_ID } from "../helpers/fake-openstack.js";

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

const SID = "0e44cc9c-e052-415d-afbf-469b0d384170";
const fast = { minDelay: 1, maxDelay: 2, timeoutMs: 5000 };

function server(extra: Record<string, unknown> = {}) {
  return {
    id: SID,
    name: "web-1",
    status: "ACTIVE",
    tenant_id: PROJECT_ID,
    user_id: "u1",
    created: "2013-09-03T04:01:32Z",
    updated: "2013-09-03T04:01:33Z",
    flavor: { disk: 1, ephemeral: 0, extra_specs: { "hw:cpu_policy": "shared" }, original_name: "SCS-1V-2", ram: 2048, swap: 0, vcpus: 1 },
    image: "",
    key_name: "deploy",
    metadata: { role: "web" },
    tags: ["a"],
    security_groups: [{ name: "default" }, { name: "web" }],
    addresses: { net1: [{ addr: "10.0.0.5", version: 4, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01" }] },
    config_drive: "True",
    locked: false,
    "OS-EXT-AZ:availability_zone": "nova",
    "OS-EXT-STS:power_state": 1,
    "OS-EXT-STS:task_state": null,
    "OS-EXT-STS:vm_state": "active",
    "os-extended-volumes:volumes_attached": [{ id: "v1", delete_on_termination: true }],
    server_groups: ["g1"],
    ...extra,
  };
}

describe("servers", () => {
  it("parses a 2.79 server into clean fields", async () => {
    fake.on("GET", `/compute/v2.1/servers/${SID}`, { json: { server: server() } });
    const s = await getServer(cloud.compute, SID);
    expect(s).toMatchObject({
      id: SID,
      name: "web-1",
      project_id: PROJECT_ID,
      image_id: null,
      availability_zone: "nova",
      config_drive: true,
      security_groups: ["default", "web"],
      server_groups: ["g1"],
      volumes_attached: [{ id: "v1", delete_on_termination: true }],
      flavor: { id: null, original_name: "SCS-1V-2", vcpus: 1, ram: 2048, disk: 1, ephemeral: 0, swap: 0, extra_specs: { "hw:cpu_policy": "shared" } },
    });
    expect(s.addresses.net1?.[0]).toEqual({ addr: "10.0.0.5", version: 4, type: "fixed", mac_addr: "fa:16:3e:00:00:01" });
  });

  it("boots a server with ports, block devices, hints, tags and user data", async () => {
    fake.on("POST", "/compute/v2.1/servers", { status: 202, json: { server: { id: SID, adminPass: "generated-pass", links: [], security_groups: [{ name: "default" }] } } });
    const id = await createServer(cloud.compute, {
      name: "web-1",
      flavorRef: "f1",
      networks: [{ port: "p1" }, { uuid: "n2", fixed_ip: "10.0.0.9" }],
      block_device_mapping_v2: [{ boot_index: 0, uuid: "v-root", source_type: "volume", destination_type: "volume", delete_on_termination: false }],
      key_name: "deploy",
      security_groups: ["web"],
      availability_zone: "nova",
      metadata: { role: "web" },
      tags: ["migrated"],
      scheduler_hints: { group: "g1" },
      config_drive: true,
      user_data: Buffer.from("#cloud-config\n").toString("base64"),
    });
    expect(id).toBe(SID);
    expect(fake.callsTo("POST", "/compute/v2.1/servers")[0]!.json).toEqual({
      server: {
        name: "web-1",
        flavorRef: "f1",
        networks: [{ port: "p1" }, { uuid: "n2", fixed_ip: "10.0.0.9" }],
        block_device_mapping_v2: [{ boot_index: 0, uuid: "v-root", source_type: "volume", destination_type: "volume", delete_on_termination: false }],
        key_name: "deploy",
        security_groups: [{ name: "web" }],
        availability_zone: "nova",
        metadata: { role: "web" },
        tags: ["migrated"],
        config_drive: true,
        user_data: "I2Nsb3VkLWNvbmZpZwo=",
      },
      "os:scheduler_hints": { group: "g1" },
    });
  });

  it("sends stop, start and delete", async () => {
    fake.on("POST", `/compute/v2.1/servers/${SID}/action`, { status: 202 });
    fake.on("DELETE", `/compute/v2.1/servers/${SID}`, { status: 204 });
    await stopServer(cloud.compute, SID);
    await startServer(cloud.compute, SID);
    await deleteServer(cloud.compute, SID);
    expect(fake.callsTo("POST", `/compute/v2.1/servers/${SID}/action`).map((c) => c.json)).toEqual([{ "os-stop": null }, { "os-start": null }]);
    expect(fake.callsTo("DELETE", `/compute/v2.1/servers/${SID}`)).toHaveLength(1);
  });

  it("takes the image id from the createImage body (2.45+) or the Location header", async () => {
    fake.once("POST", `/compute/v2.1/servers/${SID}/action`, { status: 202, json: { image_id: "img-from-body" } });
    expect(await createServerImage(cloud.compute, SID, "snap", { k: "v" })).toBe("img-from-body");
    expect(fake.callsTo("POST", `/compute/v2.1/servers/${SID}/action`)[0]!.json).toEqual({ createImage: { name: "snap", metadata: { k: "v" } } });
    fake.once("POST", `/compute/v2.1/servers/${SID}/action`, { status: 202, headers: { location: "http://glance.example/v2/images/img-from-location" } });
    expect(await createServerImage(cloud.compute, SID, "snap")).toBe("img-from-location");
  });

  it("replaces tags and metadata", async () => {
    fake.on("PUT", `/compute/v2.1/servers/${SID}/tags`, (req) => ({ json: { tags: req.json.tags } }));
    fake.on("PUT", `/compute/v2.1/servers/${SID}/metadata`, (req) => ({ json: { metadata: req.json.metadata } }));
    expect(await replaceServerTags(cloud.compute, SID, ["x", "y"])).toEqual(["x", "y"]);
    expect(await setServerMetadata(cloud.compute, SID, { a: "1" })).toEqual({ a: "1" });
  });

  it("waits for ACTIVE through BUILD, and reports the fault on ERROR", async () => {
    fake.once("GET", `/compute/v2.1/servers/${SID}`, { json: { server: server({ status: "BUILD" }) } });
    fake.once("GET", `/compute/v2.1/servers/${SID}`, { status: 503, body: "busy" });
    fake.on("GET", `/compute/v2.1/servers/${SID}`, { json: { server: server() } });
    expect((await waitForServer(cloud.compute, SID, "ACTIVE", fast)).status).toBe("ACTIVE");
    expect(fake.callsTo("GET", `/compute/v2.1/servers/${SID}`)).toHaveLength(3);

    fake.on("GET", `/compute/v2.1/servers/${SID}`, { json: { server: server({ status: "ERROR", fault: { code: 500, message: "No valid host was found.", created: "2024-01-01T00:00:00Z" } }) } });
    const err = await waitForServer(cloud.compute, SID, "ACTIVE", fast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitError);
    expect((err as WaitError).reason).toBe("terminal");
    expect((err as Error).message).toBe(`server/${SID} went to ERROR (waiting for ACTIVE): No valid host was found.`);
  });

  it("treats 404 as success when waiting for deletion", async () => {
    fake.once("GET", `/compute/v2.1/servers/${SID}`, { json: { server: server({ status: "ACTIVE", "OS-EXT-STS:task_state": "deleting" }) } });
    fake.on("GET", `/compute/v2.1/servers/${SID}`, { status: 404, json: { itemNotFound: { code: 404, message: "Instance could not be found." } } });
    await waitForServerDeleted(cloud.compute, SID, fast);
    expect(fake.callsTo("GET", `/compute/v2.1/servers/${SID}`)).toHaveLength(2);
  });
});

describe("attachments", () => {
  it("lists interfaces and volume attachments, attaches and detaches", async () => {
    fake.on("GET", `/compute/v2.1/servers/${SID}/os-interface`, {
      json: { interfaceAttachments: [{ port_id: "p1", net_id: "n1", mac_addr: "fa:16:3e:4c:2c:30", port_state: "ACTIVE", fixed_ips: [{ ip_address: "10.0.0.5", subnet_id: "s1" }] }] },
    });
    fake.on("GET", `/compute/v2.1/servers/${SID}/os-volume_attachments`, {
      json: { volumeAttachments: [{ id: "v1", volumeId: "v1", serverId: SID, device: "/dev/vdb", delete_on_termination: false }] },
    });
    fake.on("POST", `/compute/v2.1/servers/${SID}/os-volume_attachments`, { json: { volumeAttachment: { id: "v2", volumeId: "v2", serverId: SID, device: "/dev/vdc" } } });
    fake.on("DELETE", `/compute/v2.1/servers/${SID}/os-volume_attachments/v2`, { status: 202 });
    expect((await listServerInterfaces(cloud.compute, SID))[0]).toMatchObject({ port_id: "p1", net_id: "n1", fixed_ips: [{ ip_address: "10.0.0.5", subnet_id: "s1" }] });
    expect(await listVolumeAttachments(cloud.compute, SID)).toEqual([
      { volume_id: "v1", server_id: SID, device: "/dev/vdb", tag: null, delete_on_termination: false, attachment_id: null, bdm_uuid: null },
    ]);
    await attachVolume(cloud.compute, SID, "v2", { delete_on_termination: true });
    expect(fake.callsTo("POST", `/compute/v2.1/servers/${SID}/os-volume_attachments`)[0]!.json).toEqual({ volumeAttachment: { volumeId: "v2", delete_on_termination: true } });
    await detachVolume(cloud.compute, SID, "v2");
    expect(fake.callsTo("DELETE", `/compute/v2.1/servers/${SID}/os-volume_attachments/v2`)).toHaveLength(1);
  });
});

describe("flavors, keypairs, quotas, zones", () => {
  it("lists flavors with is_public=None so private flavors with access are seen; swap '' is 0", async () => {
    fake.on("GET", "/compute/v2.1/flavors/detail", {
      json: {
        flavors: [
          { id: "1", name: "m1.tiny", vcpus: 1, ram: 512, disk: 1, swap: "", "OS-FLV-EXT-DATA:ephemeral": 0, "os-flavor-access:is_public": false, extra_specs: { "scs:name-v2": "SCS-1V-2" } },
        ],
      },
    });
    const [f] = await listFlavors(cloud.compute);
    expect(fake.callsTo("GET", "/compute/v2.1/flavors/detail")[0]!.query.get("is_public")).toBe("None");
    expect(f).toEqual({ id: "1", name: "m1.tiny", vcpus: 1, ram: 512, disk: 1, ephemeral: 0, swap: 0, is_public: false, disabled: false, description: null, extra_specs: { "scs:name-v2": "SCS-1V-2" } });
    fake.on("GET", "/compute/v2.1/flavors/1/os-extra_specs", { json: { extra_specs: { "hw:numa_nodes": "1" } } });
    expect(await getFlavorExtraSpecs(cloud.compute, "1")).toEqual({ "hw:numa_nodes": "1" });
  });

  it("unwraps keypair list entries and imports public keys", async () => {
    fake.on("GET", "/compute/v2.1/os-keypairs", { json: { keypairs: [{ keypair: { name: "k1", public_key: "ssh-ed25519 AAA", fingerprint: "fp", type: "ssh" } }] } });
    fake.on("POST", "/compute/v2.1/os-keypairs", (req) => ({ json: { keypair: { ...req.json.keypair, fingerprint: "fp2", user_id: "u1" } } }));
    expect(await listKeypairs(cloud.compute)).toEqual([{ id: "k1", name: "k1", type: "ssh", public_key: "ssh-ed25519 AAA", fingerprint: "fp", user_id: null, created_at: null }]);
    const kp = await createKeypair(cloud.compute, { name: "k2", public_key: "ssh-ed25519 BBB", type: "ssh" });
    expect(fake.callsTo("POST", "/compute/v2.1/os-keypairs")[0]!.json).toEqual({ keypair: { name: "k2", public_key: "ssh-ed25519 BBB", type: "ssh" } });
    expect(kp.fingerprint).toBe("fp2");
  });

  it("reads quota details and availability zones", async () => {
    fake.on("GET", `/compute/v2.1/os-quota-sets/${PROJECT_ID}/detail`, {
      json: { quota_set: { id: PROJECT_ID, cores: { in_use: 2, limit: 20, reserved: 0 }, instances: { in_use: 1, limit: -1, reserved: 0 } } },
    });
    fake.on("GET", "/compute/v2.1/os-availability-zone", { json: { availabilityZoneInfo: [{ zoneName: "nova", zoneState: { available: true }, hosts: null }] } });
    expect(await getQuotaSet(cloud.compute, PROJECT_ID)).toEqual({ cores: { in_use: 2, limit: 20, reserved: 0 }, instances: { in_use: 1, limit: -1, reserved: 0 } });
    expect(await listAvailabilityZones(cloud.compute)).toEqual([{ name: "nova", available: true }]);
  });
});
