import { describe, expect, it } from "vitest";
import { assessPortability } from "../../src/assess/assess.js";
import { CHECKS, type CheckId, type Severity } from "../../src/assess/types.js";
import type { Inventory } from "../../src/model/inventory.js";
import { aFloatingIp, aNetwork, aPort, aServer, aVolumeType } from "../helpers/builders.js";
import { compliantInventory, providerImage, serverOn, serverWithFlavor } from "./builders.js";

describe("assessPortability: a fully SCS-compliant project", () => {
  const a = assessPortability(compliantInventory());

  it("scores 100/A with no findings in any category", () => {
    expect(a.findings).toEqual([]);
    expect(a.score).toBe(100);
    expect(a.grade).toBe("A");
    for (const c of Object.values(a.categories)) expect(c).toEqual({ score: 100, grade: "A", findings: 0 });
    expect(a.deductions).toEqual([]);
  });

  it("counts what it checked", () => {
    expect(a.counts).toEqual({
      servers: 3,
      flavors: 3,
      images: 2,
      volumes: 3,
      volumeTypes: 2,
      volumeSnapshots: 0,
      networks: 2,
      ports: 4,
      floatingIps: 0,
      serverGroups: 1,
      features: 0,
    });
    expect(a.project).toMatchObject({ cloud: "src", project_id: "p-src", region: "RegionOne" });
  });

  it("is plain JSON and deterministic", () => {
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(assessPortability(compliantInventory())).toEqual(a);
  });
});

type Case = [label: string, mutate: (inv: Inventory) => void, id: CheckId, severity: Severity, resource: string, fix: RegExp];

const web = (inv: Inventory) => inv.servers.find((s) => s.name === "web-1")!;
const golden = (inv: Inventory) => inv.images.find((i) => i.name === "app-golden")!;

const CASES: Case[] = [
  [
    "a flavor without an SCS name and an exact mandatory twin",
    (inv) => inv.servers.push(serverWithFlavor("s1", { name: "m1.small", vcpus: 1, ramMiB: 2048, disk: 0 })),
    "flavor-not-scs",
    "minor",
    "flavor/m1.small",
    /Use SCS-1V-2 .*scs:name-v2=SCS-1V-2 /,
  ],
  [
    "a flavor without an SCS name that only a bigger mandatory flavor holds",
    (inv) => inv.servers.push(serverWithFlavor("s1", { name: "m1.odd", vcpus: 2, ramMiB: 6144, disk: 0 })),
    "flavor-not-scs",
    "major",
    "flavor/m1.odd",
    /SCS-2V-8/,
  ],
  [
    "a recommended SCS flavor",
    (inv) => inv.servers.push(serverWithFlavor("s1", { name: "SCS-4V-16-50", vcpus: 4, ramMiB: 16384, disk: 50 })),
    "flavor-scs-recommended",
    "minor",
    "flavor/SCS-4V-16-50",
    /offers SCS-4V-16-50, or use the mandatory SCS-4V-16/,
  ],
  [
    "an SCS flavor outside both lists",
    (inv) => inv.servers.push(serverWithFlavor("s1", { name: "SCS-2V-4-50", vcpus: 2, ramMiB: 4096, disk: 50 })),
    "flavor-scs-other",
    "minor",
    "flavor/SCS-2V-4-50",
    /mandatory SCS-2V-4 with a 50 GB boot volume/,
  ],
  [
    "a GPU flavor no mandatory flavor can replace",
    (inv) => inv.servers.push(serverWithFlavor("g1", { name: "SCS-8V-32_GNa-14-48", vcpus: 8, ramMiB: 32768, disk: 0 })),
    "flavor-scs-other",
    "blocker",
    "flavor/SCS-8V-32_GNa-14-48",
    /Check that the target offers SCS-8V-32_GNa-14-48/,
  ],
  [
    "a name with the SCS- prefix that breaks the grammar",
    (inv) => inv.servers.push(serverWithFlavor("s1", { name: "SCS-2X-4", vcpus: 2, ramMiB: 4096, disk: 0 })),
    "flavor-scs-invalid",
    "major",
    "flavor/SCS-2X-4",
    /Report it to the provider/,
  ],
  [
    "an SCS name that promises more RAM than the flavor has",
    (inv) => inv.servers.push(serverWithFlavor("s1", { name: "SCS-2V-8", vcpus: 2, ramMiB: 4096, disk: 0 })),
    "flavor-scs-overstated",
    "major",
    "flavor/SCS-2V-8",
    /Size the target by what the servers really had \(2 vCPU, 4 GiB RAM/,
  ],
  [
    "a provider flavor that declares a mandatory name in an extra spec",
    (inv) =>
      inv.servers.push(serverWithFlavor("s1", { name: "m1.medium", vcpus: 2, ramMiB: 4096, disk: 0, extra_specs: { "scs:name-v2": "SCS-2V-4" } })),
    "flavor-scs-declared-only",
    "info",
    "flavor/m1.medium",
    /Use SCS-2V-4 in templates/,
  ],
  [
    "a flavor with an ephemeral disk",
    (inv) => inv.servers.push(serverWithFlavor("s1", { name: "SCS-2V-4", vcpus: 2, ramMiB: 4096, disk: 0, ephemeral: 10 })),
    "flavor-ephemeral-swap",
    "major",
    "flavor/SCS-2V-4",
    /ephemeral disk .* onto a volume/,
  ],
  [
    "an image-booted server on a diskless flavor",
    (inv) => inv.servers.push(serverOn(inv, "SCS-2V-4", { id: "srv-x", name: "x", image_id: "img-ubuntu-24-04" })),
    "server-diskless-image-boot",
    "minor",
    "server/x",
    /block_device_mapping_v2/,
  ],
  ["a server created with user data", (inv) => (web(inv).user_data_present = true), "server-user-data", "minor", "server/web-1", /user data in your deployment code/],
  ["a server with a config drive", (inv) => (web(inv).config_drive = true), "server-config-drive", "info", "server/web-1", /config_drive=true/],
  ["a hard-affinity server group", (inv) => (inv.server_groups[0]!.policy = "affinity"), "server-group-affinity", "minor", "server-group/web", /soft-affinity/],
  [
    "a hard anti-affinity server group",
    (inv) => (inv.server_groups[0]!.policy = "anti-affinity"),
    "server-group-anti-affinity",
    "info",
    "server-group/web",
    /soft-anti-affinity/,
  ],
  [
    "an owned image without os_distro",
    (inv) => delete golden(inv).properties.os_distro,
    "image-metadata-missing",
    "minor",
    "image/app-golden",
    /openstack image set --property os_distro=<value> "app-golden"/,
  ],
  [
    "a server from a provider image without standard metadata",
    (inv) => {
      inv.images.push(providerImage("Custom Linux", "x", "y", { id: "img-custom", properties: {} }));
      web(inv).image_id = "img-custom";
    },
    "image-provider-nonstandard",
    "major",
    "image/Custom Linux",
    /Rebuild these servers on a standard image/,
  ],
  [
    "a server from a recommended, not mandatory, standard image",
    (inv) => {
      inv.images.push(providerImage("Debian 12", "debian", "12", { id: "img-debian" }));
      web(inv).image_id = "img-debian";
    },
    "image-not-guaranteed",
    "info",
    "image/Debian 12",
    /Check that the target offers Debian 12/,
  ],
  ["a server whose image is gone", (inv) => (web(inv).image_id = "img-rotated-out"), "image-gone", "info", "image/img-rotated-out", /image that replaced it/],
  ["an owned image shared with other projects", (inv) => (golden(inv).visibility = "shared"), "image-shared", "minor", "image/app-golden", /openstack image add project/],
  [
    "a volume type without scs-0114 aspects",
    (inv) => {
      inv.volume_types.push(aVolumeType({ id: "vt-ssd", name: "ssd", description: "fast local", is_default: false }));
      inv.volumes.find((v) => v.name === "scratch")!.volume_type = "ssd";
    },
    "volume-type-no-aspects",
    "minor",
    "volume-type/ssd",
    /volumeTypes: \{ "ssd": <target type> \}/,
  ],
  [
    "an encrypted volume",
    (inv) => (inv.volumes.find((v) => v.name === "db-data")!.encrypted = true),
    "volume-encrypted",
    "info",
    "volume-type/rbd",
    /encrypted target type/,
  ],
  [
    "a multi-attach volume",
    (inv) => (inv.volumes.find((v) => v.name === "db-data")!.multiattach = true),
    "volume-multiattach",
    "major",
    "volume/db-data",
    /multi-attach type of the target/,
  ],
  [
    "a volume snapshot",
    (inv) =>
      inv.volume_snapshots.push({ id: "snap-1", name: "before-upgrade", description: "", volume_id: "vol-db-data", size: 100, status: "available", metadata: {}, created_at: null }),
    "volume-snapshots",
    "minor",
    "volume/db-data",
    /openstack volume create --snapshot/,
  ],
  [
    "a port on a network another project shares",
    (inv) => {
      inv.networks.push(aNetwork({ id: "net-shared", name: "provider-lan", shared: true, project_id: "p-other" }));
      inv.ports.push(aPort({ network_id: "net-shared", device_owner: "compute:nova", device_id: "srv-web-1" }));
    },
    "network-shared-foreign",
    "major",
    "network/provider-lan",
    /Recreate it as a network of the project/,
  ],
  ["a project network shared with others", (inv) => (inv.networks.find((n) => n.name === "app-net")!.shared = true), "network-shared-own", "minor", "network/app-net", /network rbac create/],
  [
    "a server port directly on the external network",
    (inv) =>
      inv.ports.push(aPort({ network_id: "net-public", device_owner: "compute:nova", device_id: "srv-web-1", fixed_ips: [{ subnet_id: "sub-pub", ip_address: "203.0.113.50" }] })),
    "port-on-provider-network",
    "major",
    "network/public",
    /project network behind a router/,
  ],
  [
    "a floating IP",
    (inv) => inv.floating_ips.push(aFloatingIp({ floating_network_id: "net-public", floating_ip_address: "203.0.113.10", port_id: "port-web", fixed_ip_address: "10.0.0.10" })),
    "floating-ip",
    "minor",
    "floating-ip/203.0.113.10",
    /DNS records pointing at 203\.0\.113\.10/,
  ],
  [
    "a trunk reported by the collector",
    (inv) => inv.features.push({ kind: "trunk", id: "trunk-1", name: "vlan-trunk", detail: "3 subports" }),
    "provider-feature",
    "major",
    "trunk/vlan-trunk",
    /openstack extension show trunk/,
  ],
  [
    "servers in a zone of a multi-zone cloud",
    (inv) => inv.availability_zones.push({ service: "compute", name: "az2", available: true }),
    "availability-zone",
    "minor",
    "availability-zone/nova",
    /availabilityZones: \{ "nova": <target zone> \}/,
  ],
];

describe("assessPortability: each check, by the smallest example", () => {
  it.each(CASES)("%s → %s", (_label, mutate, id, severity, resource, fix) => {
    const inv = compliantInventory();
    mutate(inv);
    const a = assessPortability(inv);
    const hit = a.findings.filter((f) => f.id === id && f.resource === resource);
    expect(hit, JSON.stringify(a.findings, null, 2)).toHaveLength(1);
    expect(hit[0]!.severity).toBe(severity);
    expect(hit[0]!.category).toBe(CHECKS[id].category);
    expect(hit[0]!.fix).toMatch(fix);
    expect(a.score).toBeLessThanOrEqual(100);
    if (severity !== "info") {
      expect(a.score).toBeLessThan(100);
      expect(a.categories[CHECKS[id].category].score).toBeLessThan(100);
    }
  });

  it("covers every check code", () => {
    expect(new Set(CASES.map((c) => c[2]))).toEqual(new Set(Object.keys(CHECKS)));
  });

  it("puts findings worst first, then by category", () => {
    const inv = compliantInventory();
    for (const [, mutate] of CASES) mutate(inv);
    const a = assessPortability(inv);
    const rank = { blocker: 0, major: 1, minor: 2, info: 3 };
    const ranks = a.findings.map((f) => rank[f.severity]);
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(a.findings[0]!.severity).toBe("blocker");
    expect(a.grade).toBe("E");
  });

  it("does not flag router gateways on the external network, nor servers on a single-zone cloud", () => {
    const inv = compliantInventory();
    inv.servers.push(aServer({ id: "srv-z", name: "z", flavor_name: "SCS-2V-4-20s", image_id: "img-ubuntu-24-04", availability_zone: "nova" }));
    expect(assessPortability(inv).findings).toEqual([]);
  });
});
