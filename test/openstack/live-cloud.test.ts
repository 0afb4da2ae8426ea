/**
 * Live check of the access layer against a real cloud (e.g. the OpenStack lab
 * on this machine). Skipped unless MIGRATE_LIVE_SRC names a cloud of the
 * clouds.yaml found the usual way (OS_CLIENT_CONFIG_FILE, …):
 *
 *   OS_CLIENT_CONFIG_FILE=/var/lib/oslab/out/clouds.yaml MIGRATE_LIVE_SRC=src \
 *     npx vitest run test/openstack/live-cloud.test.ts
 *
 * It reads every collection (with a page size of 2, so pagination runs),
 * creates a few cheap resources, and deletes them again.
 */
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { loadCloudConfig } from "../../src/config/clouds.js";
import { statusIs } from "../../src/errors.js";
import * as B from "../../src/openstack/block-storage.js";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import * as C from "../../src/openstack/compute.js";
import * as I from "../../src/openstack/image.js";
import * as N from "../../src/openstack/network.js";

const cloudName = process.env.MIGRATE_LIVE_SRC;
const prefix = `scs-migrate-live-${Date.now().toString(36)}`;
const wait = { minDelay: 300, maxDelay: 2000, timeoutMs: 120_000 };

describe.skipIf(!cloudName)(`live cloud ${cloudName ?? "(MIGRATE_LIVE_SRC not set)"}`, () => {
  let cloud: OpenStackCloud;

  beforeAll(async () => {
    cloud = await OpenStackCloud.connect(loadCloudConfig(cloudName), { pageSize: 2 });
  });
  afterAll(() => cloud?.close());

  it("connects with a project-scoped token and negotiated microversions", () => {
    expect(cloud.projectId).toMatch(/\S/);
    expect(cloud.microversions.compute).toMatch(/^2\.\d+$/);
    expect(cloud.microversions.volume).toMatch(/^3\.\d+$/);
  });

  it("lists every collection the inventory reads, identically with small and large pages", async () => {
    const big = await OpenStackCloud.connect(loadCloudConfig(cloudName), { pageSize: 1000 });
    try {
      const lists: Record<string, (c: OpenStackCloud) => Promise<{ id: string }[]>> = {
        servers: (c) => C.listServers(c.compute),
        flavors: (c) => C.listFlavors(c.compute),
        keypairs: (c) => C.listKeypairs(c.compute),
        serverGroups: (c) => C.listServerGroups(c.compute),
        networks: (c) => N.listNetworks(c.network),
        subnets: (c) => N.listSubnets(c.network),
        routers: (c) => N.listRouters(c.network),
        ports: (c) => N.listPorts(c.network),
        securityGroups: (c) => N.listSecurityGroups(c.network),
        floatingIps: (c) => N.listFloatingIps(c.network),
        volumes: (c) => B.listVolumes(c.blockStorage),
        snapshots: (c) => B.listSnapshots(c.blockStorage),
        volumeTypes: (c) => B.listVolumeTypes(c.blockStorage),
        images: (c) => I.listImages(c.image),
      };
      const counts: Record<string, number> = {};
      for (const [name, list] of Object.entries(lists)) {
        const small = (await list(cloud)).map((x) => x.id).sort();
        const large = (await list(big)).map((x) => x.id).sort();
        expect(small, name).toEqual(large);
        counts[name] = small.length;
      }
      console.log(`${cloudName}: ${JSON.stringify(counts)}`);
      expect(Object.keys(await C.getQuotaSet(cloud.compute, cloud.projectId))).toContain("instances");
      expect(Object.keys(await N.getQuotaDetails(cloud.network, cloud.projectId))).toContain("network");
      expect(Object.keys(await B.getQuotaUsage(cloud.blockStorage, cloud.projectId))).toContain("gigabytes");
      expect((await C.listAvailabilityZones(cloud.compute)).length).toBeGreaterThan(0);
      expect((await N.listExtensions(cloud.network)).map((e) => e.alias)).toContain("router");
    } finally {
      big.close();
    }
  });

  it("creates, tags and deletes network resources and a keypair", async () => {
    const net = await N.createNetwork(cloud.network, { name: `${prefix}-net` });
    onTestFinished(() => N.deleteNetwork(cloud.network, net.id));
    expect(await N.replaceTags(cloud.network, "networks", net.id, ["scs-migrate"])).toEqual(["scs-migrate"]);
    const sub = await N.createSubnet(cloud.network, { name: `${prefix}-sub`, network_id: net.id, ip_version: 4, cidr: "10.199.0.0/24" });
    onTestFinished(() => N.deleteSubnet(cloud.network, sub.id));
    const sg = await N.createSecurityGroup(cloud.network, { name: `${prefix}-sg` });
    onTestFinished(() => N.deleteSecurityGroup(cloud.network, sg.id));
    const rule = await N.createSecurityGroupRule(cloud.network, { security_group_id: sg.id, direction: "ingress", ethertype: "IPv4", protocol: "tcp", port_range_min: 22, port_range_max: 22 });
    expect(rule.port_range_min).toBe(22);
    const port = await N.createPort(cloud.network, { name: `${prefix}-port`, network_id: net.id, security_groups: [sg.id] });
    onTestFinished(() => N.deletePort(cloud.network, port.id));
    expect(port.fixed_ips[0]?.subnet_id).toBe(sub.id);
    const kp = await C.createKeypair(cloud.compute, { name: `${prefix}-kp`, public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl live@test" });
    onTestFinished(() => C.deleteKeypair(cloud.compute, kp.name));
    expect((await C.getKeypair(cloud.compute, kp.name)).fingerprint).toBe(kp.fingerprint);
  });

  it("streams image data up and down with equal md5", async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    const img = await I.createImage(cloud.image, { name: `${prefix}-img`, disk_format: "raw", container_format: "bare", visibility: "private", properties: { "scs-migrate:live": "1" } });
    onTestFinished(() => I.deleteImage(cloud.image, img.id));
    await I.uploadImageData(cloud.image, img.id, Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]), { size: data.length });
    const active = await I.waitForImage(cloud.image, img.id, "active", wait);
    const md5 = createHash("md5").update(data).digest("hex");
    expect(active.checksum).toBe(md5);
    expect(active.properties["scs-migrate:live"]).toBe("1");
    const dl = await I.downloadImageData(cloud.image, img.id);
    const h = createHash("md5");
    for await (const chunk of dl.stream) h.update(chunk as Buffer);
    expect(h.digest("hex")).toBe(md5);
    expect(dl.contentMd5).toBe(md5);
  });

  it("creates a volume and a snapshot and waits for both, then deletes them", async () => {
    const vol = await B.createVolume(cloud.blockStorage, { size: 1, name: `${prefix}-vol` });
    onTestFinished(async () => {
      await B.deleteVolume(cloud.blockStorage, vol.id, { cascade: true }).catch((e: unknown) => (statusIs(e, 404) ? undefined : Promise.reject(e)));
      await B.waitForVolumeDeleted(cloud.blockStorage, vol.id, wait);
    });
    await B.waitForVolume(cloud.blockStorage, vol.id, "available", wait);
    const snap = await B.createSnapshot(cloud.blockStorage, { volume_id: vol.id, name: `${prefix}-snap` });
    await B.waitForSnapshot(cloud.blockStorage, snap.id, "available", wait);
    await B.deleteSnapshot(cloud.blockStorage, snap.id);
    await B.waitForSnapshotDeleted(cloud.blockStorage, snap.id, wait);
  });
});
