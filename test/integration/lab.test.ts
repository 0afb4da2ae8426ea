/**
 * The lab looks like an SCS cloud: what test/openstack-lab/python/scs_setup.py
 * promises, checked from the tenants' side with python-openstackclient.
 *
 * Expected values are written out here rather than imported from the setup
 * script, so a wrong setup cannot agree with itself. Resources a test creates
 * carry a random suffix and are deleted when the test ends.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { ensureLab, osc, oscRun } from "./lab.js";

// name → [vcpus, ram MiB, disk GB, scs:name-v1, scs:cpu-type, scs:disk0-type]
const MANDATORY: Record<string, [number, number, number, string, string, string | undefined]> = {
  "SCS-1V-2": [1, 2048, 0, "SCS-1V:2", "shared-core", undefined],
  "SCS-2V-4": [2, 4096, 0, "SCS-2V:4", "shared-core", undefined],
  "SCS-4V-8": [4, 8192, 0, "SCS-4V:8", "shared-core", undefined],
  "SCS-8V-16": [8, 16384, 0, "SCS-8V:16", "shared-core", undefined],
  "SCS-16V-32": [16, 32768, 0, "SCS-16V:32", "shared-core", undefined],
  "SCS-1V-4": [1, 4096, 0, "SCS-1V:4", "shared-core", undefined],
  "SCS-2V-8": [2, 8192, 0, "SCS-2V:8", "shared-core", undefined],
  "SCS-4V-16": [4, 16384, 0, "SCS-4V:16", "shared-core", undefined],
  "SCS-8V-32": [8, 32768, 0, "SCS-8V:32", "shared-core", undefined],
  "SCS-1V-8": [1, 8192, 0, "SCS-1V:8", "shared-core", undefined],
  "SCS-2V-16": [2, 16384, 0, "SCS-2V:16", "shared-core", undefined],
  "SCS-4V-32": [4, 32768, 0, "SCS-4V:32", "shared-core", undefined],
  "SCS-1L-1": [1, 1024, 0, "SCS-1L:1", "crowded-core", undefined],
  "SCS-2V-4-20s": [2, 4096, 20, "SCS-2V:4:20s", "shared-core", "ssd"],
  "SCS-4V-16-100s": [4, 16384, 100, "SCS-4V:16:100s", "shared-core", "ssd"],
};

interface FlavorRow {
  Name: string;
  VCPUs: number;
  RAM: number;
  Disk: number;
  "Is Public": boolean;
  Properties: Record<string, string> | string;
}

const suffix = () => randomBytes(3).toString("hex");

async function waitVolume(id: string, wanted: string): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  for (let i = 0; i < 90; i++) {
    last = await osc("src", ["volume", "show", id]);
    if (last.status === wanted) return last;
    if (String(last.status).startsWith("error")) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  throw new Error(`volume ${id} ended in ${String(last.status)}, wanted ${wanted}`);
}

describe("the OpenStack lab looks like an SCS cloud", () => {
  beforeAll(async () => {
    await ensureLab();
  });

  it("offers the 15 mandatory SCS flavors with the scs: extra specs of scs-0103", async () => {
    const rows: FlavorRow[] = await osc("dst", ["flavor", "list", "--long"]);
    const byName = new Map(rows.map((r) => [r.Name, r]));
    for (const [name, [vcpus, ram, disk, v1, cpuType, diskType]] of Object.entries(MANDATORY)) {
      const f = byName.get(name);
      expect(f, `flavor ${name}`).toBeDefined();
      expect({ vcpus: f?.VCPUs, ram: f?.RAM, disk: f?.Disk, public: f?.["Is Public"] }, name).toEqual({
        vcpus,
        ram,
        disk,
        public: true,
      });
      const specs: Record<string, string> = {
        "scs:name-v1": v1,
        "scs:name-v2": name,
        "scs:cpu-type": cpuType,
      };
      if (diskType) specs["scs:disk0-type"] = diskType;
      expect(f?.Properties, `${name} extra specs`).toEqual(specs);
    }
  });

  it("shows the non-SCS flavor m1.legacy to src only", async () => {
    const srcRows: FlavorRow[] = await osc("src", ["flavor", "list", "--long"]);
    const legacy = srcRows.find((r) => r.Name === "m1.legacy");
    expect(legacy).toMatchObject({ VCPUs: 2, RAM: 4096, Disk: 20, "Is Public": false });
    const props = legacy?.Properties;
    const keys = typeof props === "string" ? props : Object.keys(props ?? {}).join(",");
    expect(keys).not.toContain("scs:");

    const dstRows: FlavorRow[] = await osc("dst", ["flavor", "list", "--long"]);
    expect(dstRows.map((r) => r.Name)).not.toContain("m1.legacy");
    await expect(oscRun("dst", ["flavor", "show", "m1.legacy"])).rejects.toThrow(/No Flavor found/);
  });

  it("publishes one generic Ubuntu 24.04 image with the scs-0102 metadata", async () => {
    const found: { ID: string; Name: string }[] = await osc("dst", [
      "image", "list", "--public",
      "--property", "os_distro=ubuntu", "--property", "os_version=24.04",
      "--property", "os_purpose=generic", "--property", "architecture=x86_64",
    ]);
    expect(found.map((i) => i.Name)).toEqual(["Ubuntu 24.04"]);
    const img = await osc("dst", ["image", "show", found[0]!.ID]);
    expect(img).toMatchObject({ status: "active", visibility: "public", disk_format: "raw", min_disk: 1, min_ram: 512 });
    expect(img.size).toBeGreaterThan(1024 * 1024);
    expect(img.properties).toMatchObject({
      os_distro: "ubuntu",
      os_version: "24.04",
      architecture: "x86_64",
      os_purpose: "generic",
      hw_disk_bus: "scsi",
      image_original_user: "ubuntu",
      replace_frequency: "monthly",
      provided_until: "none",
      uuid_validity: "last-3",
      os_hash_algo: "sha512",
    });
    expect(img.properties.image_source).toMatch(/^https:\/\/cloud-images\.ubuntu\.com\/releases\/noble\//);
    expect(img.properties.image_build_date).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(img.properties.image_description).toBeTruthy();

    // openstacksdk maps the key hash_algo onto os_hash_algo and drops the property,
    // so the SCS property is read from Glance directly
    const token = await osc("dst", ["token", "issue"]);
    const res = await fetch(`http://127.0.0.1:9292/v2/images/${found[0]!.ID}`, {
      headers: { "X-Auth-Token": token.id },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Record<string, unknown>).hash_algo).toBe("sha512");
  });

  it("marks the external network public as the default one (is_default)", async () => {
    const external: { Name: string }[] = await osc("src", ["network", "list", "--external"]);
    expect(external.map((n) => n.Name)).toContain("public");
    const net = await osc("src", ["network", "show", "public"]);
    expect(net).toMatchObject({ is_default: true, "router:external": true, status: "ACTIVE" });
    expect(net.subnets.length).toBeGreaterThan(0);
  });

  it("gives a new security group only the two egress rules (scs-0115)", async () => {
    const name = `lab-test-sg-${suffix()}`;
    const sg = await osc("src", ["security", "group", "create", name]);
    onTestFinished(async () => {
      await oscRun("src", ["security", "group", "delete", sg.id]);
    });
    const rules = (sg.rules as { direction: string; ethertype: string; remote_ip_prefix: string | null }[])
      .map((r) => `${r.direction} ${r.ethertype} ${r.remote_ip_prefix ?? "any"}`)
      .sort();
    expect(rules).toEqual(["egress IPv4 any", "egress IPv6 any"]);
  });

  it("creates volumes of the SCS-described type ssd", async () => {
    const types: { Name: string; Description: string }[] = await osc("src", ["volume", "type", "list", "--long"]);
    const ssd = types.find((t) => t.Name === "ssd");
    expect(ssd?.Description).toMatch(/^\[scs:[a-z, ]+\]/);

    const vol = await osc("src", ["volume", "create", "--size", "1", "--type", "ssd", `lab-test-vol-${suffix()}`]);
    onTestFinished(async () => {
      await oscRun("src", ["volume", "delete", vol.id]);
    });
    const done = await waitVolume(vol.id, "available");
    expect(done.type).toBe("ssd");
  });

  it("gives src and dst quotas for a medium tenant plus its copy", async () => {
    for (const project of ["src", "dst"]) {
      const q = await osc("admin", ["quota", "show", project]);
      expect(q.instances, `${project} instances`).toBeGreaterThanOrEqual(20);
      expect(q.cores, `${project} cores`).toBeGreaterThanOrEqual(80);
      expect(q.ram, `${project} ram`).toBeGreaterThanOrEqual(160 * 1024);
      expect(q.volumes, `${project} volumes`).toBeGreaterThanOrEqual(20);
      expect(q.gigabytes, `${project} gigabytes`).toBeGreaterThanOrEqual(200);
      expect(q.secgroups, `${project} secgroups`).toBeGreaterThanOrEqual(20);
      expect(q.ports, `${project} ports`).toBeGreaterThanOrEqual(100);
    }
  });
});
