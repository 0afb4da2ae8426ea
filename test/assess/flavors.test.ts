import { describe, expect, it } from "vitest";
import { assessPortability } from "../../src/assess/assess.js";
import { suggestScsName } from "../../src/assess/check-flavors.js";
import { MANDATORY_SCS_FLAVORS, RECOMMENDED_SCS_FLAVORS, mandatoryScsFlavors } from "../../src/mapping/scs-standards.js";
import type { Flavor } from "../../src/model/inventory.js";
import { parseScsFlavorName } from "../../src/mapping/scs-flavor-name.js";
import { compliantInventory, serverWithFlavor } from "./builders.js";

type FlavorIn = { name: string; vcpus: number; ramMiB: number; disk: number; ephemeral?: number; swap?: number; extra_specs?: Record<string, string> };

/** The findings about one flavor, as "id:severity", when a server of the compliant project uses it. */
function flavorFindings(flavor: FlavorIn, servers = 1): string[] {
  const inv = compliantInventory();
  for (let i = 0; i < servers; i++) inv.servers.push(serverWithFlavor(`s${i}`, flavor));
  return assessPortability(inv)
    .findings.filter((f) => f.resource === `flavor/${flavor.name}`)
    .map((f) => `${f.id}:${f.severity}`)
    .sort();
}

describe("the mandatory flavor list", () => {
  it("has the 15 names of scs-0103, all valid, registered with their figures", () => {
    const flavors = mandatoryScsFlavors();
    expect(flavors).toHaveLength(15);
    expect(new Set(flavors.map((f) => f.name)).size).toBe(15);
    const byName = new Map(flavors.map((f) => [f.name, f]));
    expect(byName.get("SCS-2V-4-20s")).toMatchObject({ vcpus: 2, ram: 4096, disk: 20, extra_specs: { "scs:disk0-type": "ssd", "scs:cpu-type": "shared-core" } });
    expect(byName.get("SCS-1L-1")).toMatchObject({ vcpus: 1, ram: 1024, disk: 0, extra_specs: { "scs:cpu-type": "crowded-core", "scs:name-v1": "SCS-1L:1" } });
    for (const n of [...MANDATORY_SCS_FLAVORS, ...RECOMMENDED_SCS_FLAVORS]) expect(parseScsFlavorName(n).spec, n).not.toBeNull();
    expect(RECOMMENDED_SCS_FLAVORS.filter((n) => (MANDATORY_SCS_FLAVORS as readonly string[]).includes(n))).toEqual([]);
  });
});

describe("flavor checks", () => {
  it.each<[string, FlavorIn, string[]]>([
    ["mandatory name, exact figures", { name: "SCS-2V-4", vcpus: 2, ramMiB: 4096, disk: 0 }, []],
    ["mandatory name in v1 colon form", { name: "SCS-2V:4", vcpus: 2, ramMiB: 4096, disk: 0 }, []],
    ["mandatory name understating (allowed)", { name: "SCS-2V-4", vcpus: 4, ramMiB: 8192, disk: 20 }, []],
    ["name overstates vCPU", { name: "SCS-4V-8", vcpus: 2, ramMiB: 8192, disk: 0 }, ["flavor-scs-overstated:major"]],
    ["name overstates the root disk", { name: "SCS-2V-4-20s", vcpus: 2, ramMiB: 4096, disk: 10 }, ["flavor-scs-overstated:major"]],
    [
      "name says SSD, scs:disk0-type says hdd",
      { name: "SCS-4V-16-100s", vcpus: 4, ramMiB: 16384, disk: 100, extra_specs: { "scs:disk0-type": "hdd" } },
      ["flavor-scs-overstated:major"],
    ],
    ["name says SSD, extra spec says NVMe (better)", { name: "SCS-4V-16-100s", vcpus: 4, ramMiB: 16384, disk: 100, extra_specs: { "scs:disk0-type": "nvme" } }, []],
    ["no SCS name, exact mandatory twin", { name: "m1.small", vcpus: 1, ramMiB: 2048, disk: 0 }, ["flavor-not-scs:minor"]],
    ["no SCS name, RAM a little under a half GiB step", { name: "m1.medium", vcpus: 2, ramMiB: 3840, disk: 0 }, ["flavor-not-scs:minor"]],
    ["no SCS name, root disk becomes a boot volume", { name: "m1.large", vcpus: 4, ramMiB: 8192, disk: 40 }, ["flavor-not-scs:minor"]],
    ["no SCS name, only a bigger mandatory flavor fits", { name: "m1.odd", vcpus: 2, ramMiB: 6144, disk: 0 }, ["flavor-not-scs:major"]],
    ["no SCS name, nothing mandatory fits", { name: "m1.huge", vcpus: 32, ramMiB: 65536, disk: 0 }, ["flavor-not-scs:major"]],
    [
      "no SCS name but dedicated cores (hw:cpu_policy)",
      { name: "m1.pinned", vcpus: 2, ramMiB: 4096, disk: 0, extra_specs: { "hw:cpu_policy": "dedicated", "hw:cpu_thread_policy": "isolate" } },
      ["flavor-not-scs:major"],
    ],
    ["declares a mandatory name", { name: "m1.decl", vcpus: 2, ramMiB: 4096, disk: 0, extra_specs: { "scs:name-v2": "SCS-2V-4" } }, ["flavor-scs-declared-only:info"]],
    [
      "declares a mandatory name it does not live up to",
      { name: "m1.liar", vcpus: 2, ramMiB: 2048, disk: 0, extra_specs: { "scs:name-v2": "SCS-2V-4" } },
      ["flavor-scs-declared-only:info", "flavor-scs-overstated:major"],
    ],
    [
      "declares an invalid name",
      { name: "m1.bad", vcpus: 2, ramMiB: 4096, disk: 0, extra_specs: { "scs:name-v2": "SCS-2Q-4" } },
      ["flavor-not-scs:minor", "flavor-scs-invalid:major"],
    ],
    ["invalid own name", { name: "SCS-2V-12.5", vcpus: 2, ramMiB: 12800, disk: 0 }, ["flavor-not-scs:major", "flavor-scs-invalid:major"]],
    ["recommended, mandatory twin with the same vCPU and RAM", { name: "SCS-2V-8-20", vcpus: 2, ramMiB: 8192, disk: 20 }, ["flavor-scs-recommended:minor"]],
    ["recommended, nothing mandatory that big", { name: "SCS-16V-64", vcpus: 16, ramMiB: 65536, disk: 0 }, ["flavor-scs-recommended:major"]],
    ["other SCS name, dedicated cores", { name: "SCS-2C-4", vcpus: 2, ramMiB: 4096, disk: 0 }, ["flavor-scs-other:major"]],
    ["other SCS name, Arm CPU", { name: "SCS-4V-16_a1", vcpus: 4, ramMiB: 16384, disk: 0 }, ["flavor-scs-other:blocker"]],
    ["other SCS name, Infiniband", { name: "SCS-16V-32_ib", vcpus: 16, ramMiB: 32768, disk: 0 }, ["flavor-scs-other:blocker"]],
    ["ephemeral disk", { name: "SCS-2V-4", vcpus: 2, ramMiB: 4096, disk: 0, ephemeral: 10 }, ["flavor-ephemeral-swap:major"]],
    ["swap only", { name: "SCS-2V-4", vcpus: 2, ramMiB: 4096, disk: 0, swap: 512 }, ["flavor-ephemeral-swap:minor"]],
  ])("%s", (_label, flavor, expected) => {
    expect(flavorFindings(flavor)).toEqual(expected);
  });

  it("gives one finding per flavor, naming its servers, however many use it", () => {
    const inv = compliantInventory();
    for (let i = 0; i < 50; i++) inv.servers.push(serverWithFlavor(`node-${String(i).padStart(2, "0")}`, { name: "m1.odd", vcpus: 2, ramMiB: 6144, disk: 0 }));
    const hits = assessPortability(inv).findings.filter((f) => f.resource === "flavor/m1.odd");
    expect(hits).toHaveLength(1);
    expect(hits[0]!.message).toContain("used by 50 servers: node-00, node-01, node-02, node-03, node-04 and 45 more");
  });

  it("names the matching mandatory flavor and the flavor's own SCS name", () => {
    const inv = compliantInventory();
    inv.servers.push(serverWithFlavor("s1", { name: "m1.large", vcpus: 4, ramMiB: 8192, disk: 40, extra_specs: { "scs:disk0-type": "network" } }));
    const f = assessPortability(inv).findings.find((x) => x.resource === "flavor/m1.large")!;
    expect(f.message).toContain("the mandatory SCS-4V-8 with a 40 GB boot volume matches it");
    expect(f.message).toContain("its SCS name would be SCS-4V-8-40n");
    expect(f.fix).toBe(
      "Use SCS-4V-8 with a 40 GB boot volume in templates and scripts instead of m1.large: every SCS cloud has it. " +
        "Ask the provider to declare scs:name-v2=SCS-4V-8-40n on m1.large, so tools can map it by name.",
    );
  });

  it("reads extra specs from the flavor list when the embedded flavor has none", () => {
    const inv = compliantInventory();
    const listed: Flavor = {
      id: "flv-m1", name: "m1.medium", vcpus: 2, ram: 4096, disk: 0, ephemeral: 0, swap: 0, is_public: true, description: null,
      extra_specs: { "scs:name-v2": "SCS-2V-4" },
    };
    inv.flavors.push(listed);
    inv.servers.push(serverWithFlavor("s1", { name: "m1.medium", vcpus: 2, ramMiB: 4096, disk: 0 }, { flavor_id: "flv-m1" }));
    const ids = assessPortability(inv).findings.map((f) => f.id);
    expect(ids).toEqual(["flavor-scs-declared-only"]);
  });
});

describe("suggestScsName", () => {
  const facts = (vcpus: number, ram: number, disk = 0, extra_specs: Record<string, string> = {}) => ({ name: "x", vcpus, ram, disk, ephemeral: 0, swap: 0, extra_specs });
  it.each<[string, ReturnType<typeof facts>, string | null]>([
    ["whole GiB", facts(1, 2048), "SCS-1V-2"],
    ["RAM rounded down to a half GiB below 10 GiB", facts(2, 3840), "SCS-2V-3.5"],
    ["RAM rounded down to whole GiB from 10 GiB", facts(16, 12800), "SCS-16V-12"],
    ["less than half a GiB has no name", facts(1, 256), null],
    ["CPU class from scs:cpu-type", facts(2, 4096, 0, { "scs:cpu-type": "dedicated-core" }), "SCS-2C-4"],
    ["root disk with its type", facts(2, 4096, 20, { "scs:disk0-type": "ssd" }), "SCS-2V-4-20s"],
    ["root disk of unknown type", facts(2, 4096, 20), "SCS-2V-4-20"],
  ])("%s", (_label, f, expected) => {
    expect(suggestScsName(f)).toBe(expected);
  });
});
