import { describe, expect, it } from "vitest";
import type { Flavor } from "../../../src/model/inventory.js";
import { diskTypeAcceptable, mapFlavor, type FlavorBasis, type FlavorMapping } from "../../../src/mapping/flavor.js";
import type { FlavorFacts } from "../../../src/mapping/flavor-profile.js";
import { profileFlavor } from "../../../src/mapping/flavor-profile.js";
import {
  aFlavor,
  MANDATORY_FLAVORS,
  mandatoryTarget,
  RECOMMENDED_FLAVORS,
  scsFlavor,
  srcFlavor,
  srcScsFlavor,
} from "./builders.js";

type Expect = { target: string; basis: FlavorBasis; bootVolumeGB: number | null } | { reason: RegExp };

function check(result: FlavorMapping, want: Expect): void {
  if ("reason" in want) {
    expect(result.ok, JSON.stringify(result)).toBe(false);
    if (!result.ok) {
      expect(result.basis).toBe("no-fit");
      expect(result.reason).toMatch(want.reason);
    }
    return;
  }
  expect(result.ok, JSON.stringify(result)).toBe(true);
  if (!result.ok) return;
  expect({ target: result.target.name, basis: result.basis, bootVolumeGB: result.bootVolumeGB }).toEqual(want);
}

/** Maps with the targets in the given order and reversed: the answer must not depend on list order. */
function mapBothWays(src: FlavorFacts, targets: Flavor[], overrides = {}): FlavorMapping {
  const a = mapFlavor(src, targets, overrides);
  const b = mapFlavor(src, [...targets].reverse(), overrides);
  expect(b).toEqual(a);
  return a;
}

describe("mapFlavor onto a target with exactly the 15 mandatory SCS flavors", () => {
  const target = mandatoryTarget();

  it.each(MANDATORY_FLAVORS)("mandatory %s maps to itself by name", (name) => {
    const r = mapBothWays(srcScsFlavor(name), target);
    check(r, { target: name, basis: "same-name", bootVolumeGB: null });
  });

  it("maps a mandatory name written in v1 colon form to the v2 flavor", () => {
    const r = mapFlavor(srcFlavor("SCS-2V:4:20s", 2, 4096, 20), target);
    check(r, { target: "SCS-2V-4-20s", basis: "same-name", bootVolumeGB: null });
  });

  // Diskless + volume wins when it is smaller by vCPU then RAM; on a tie the local-disk flavor wins.
  const recommended: [string, Expect][] = [
    ["SCS-1V-4-10", { target: "SCS-1V-4", basis: "diskless-plus-boot-volume", bootVolumeGB: 10 }],
    ["SCS-2V-8-20", { target: "SCS-2V-8", basis: "diskless-plus-boot-volume", bootVolumeGB: 20 }],
    ["SCS-4V-16-50", { target: "SCS-4V-16-100s", basis: "smallest-dominating", bootVolumeGB: null }],
    ["SCS-8V-32-100", { target: "SCS-8V-32", basis: "diskless-plus-boot-volume", bootVolumeGB: 100 }],
    ["SCS-1V-2-5", { target: "SCS-1V-2", basis: "diskless-plus-boot-volume", bootVolumeGB: 5 }],
    ["SCS-2V-4-10", { target: "SCS-2V-4-20s", basis: "smallest-dominating", bootVolumeGB: null }],
    ["SCS-4V-8-20", { target: "SCS-4V-8", basis: "diskless-plus-boot-volume", bootVolumeGB: 20 }],
    ["SCS-8V-16-50", { target: "SCS-8V-16", basis: "diskless-plus-boot-volume", bootVolumeGB: 50 }],
    ["SCS-16V-32-100", { target: "SCS-16V-32", basis: "diskless-plus-boot-volume", bootVolumeGB: 100 }],
    ["SCS-1V-8-20", { target: "SCS-1V-8", basis: "diskless-plus-boot-volume", bootVolumeGB: 20 }],
    ["SCS-2V-16-50", { target: "SCS-2V-16", basis: "diskless-plus-boot-volume", bootVolumeGB: 50 }],
    ["SCS-4V-32-100", { target: "SCS-4V-32", basis: "diskless-plus-boot-volume", bootVolumeGB: 100 }],
    ["SCS-1L-1-5", { target: "SCS-1L-1", basis: "diskless-plus-boot-volume", bootVolumeGB: 5 }],
    ["SCS-16V-64", { reason: /^flavor SCS-16V-64: no target flavor has ≥ 64 GiB RAM \(largest: 32 GiB\)/ }],
    ["SCS-8V-64", { reason: /^flavor SCS-8V-64: no target flavor has ≥ 64 GiB RAM \(largest: 32 GiB\)/ }],
    ["SCS-16V-128", { reason: /^flavor SCS-16V-128: no target flavor has ≥ 128 GiB RAM \(largest: 32 GiB\)/ }],
  ];

  it("covers every recommended flavor", () => {
    expect(recommended.map(([n]) => n).sort()).toEqual([...RECOMMENDED_FLAVORS].sort());
  });

  it.each(recommended)("recommended %s", (name, want) => {
    check(mapBothWays(srcScsFlavor(name), target), want);
  });

  it("explains a tie between a local disk and a boot volume", () => {
    const r = mapFlavor(srcScsFlavor("SCS-4V-16-50"), target);
    expect(r.ok && r.note).toContain("preferred over SCS-4V-16 + 50 GB boot volume");
  });

  const classic: [string, FlavorFacts, Expect][] = [
    ["m1.tiny", srcFlavor("m1.tiny", 1, 512, 1), { target: "SCS-1V-2", basis: "diskless-plus-boot-volume", bootVolumeGB: 1 }],
    ["m1.small", srcFlavor("m1.small", 1, 2048, 20), { target: "SCS-1V-2", basis: "diskless-plus-boot-volume", bootVolumeGB: 20 }],
    ["m1.medium", srcFlavor("m1.medium", 2, 4096, 40), { target: "SCS-2V-4", basis: "diskless-plus-boot-volume", bootVolumeGB: 40 }],
    ["m1.large", srcFlavor("m1.large", 4, 8192, 80), { target: "SCS-4V-8", basis: "diskless-plus-boot-volume", bootVolumeGB: 80 }],
    ["m1.xlarge", srcFlavor("m1.xlarge", 8, 16384, 160), { target: "SCS-8V-16", basis: "diskless-plus-boot-volume", bootVolumeGB: 160 }],
    [
      "provider flavor declaring scs:name-v2",
      srcFlavor("s1.medium", 2, 8192, 0, { "scs:name-v2": "SCS-2V-8" }),
      { target: "SCS-2V-8", basis: "scs-name-extra-spec", bootVolumeGB: null },
    ],
    [
      "provider flavor declaring only a v1 colon name",
      srcFlavor("c1.ssd", 2, 4096, 20, { "scs:name-v1": "SCS-2V:4:20s" }),
      { target: "SCS-2V-4-20s", basis: "scs-name-extra-spec", bootVolumeGB: null },
    ],
    [
      "provider flavor declaring a name the target lacks (parsed, then fitted)",
      srcFlavor("g1.big", 4, 16384, 50, { "scs:name-v2": "SCS-4V-16-50", "scs:name-v1": "SCS-4V:16:50" }),
      { target: "SCS-4V-16-100s", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "provider flavor with a crowded CPU declared by scs:cpu-type",
      srcFlavor("tiny.crowded", 1, 1024, 0, { "scs:cpu-type": "crowded-core" }),
      { target: "SCS-1L-1", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "dedicated-core flavor",
      srcFlavor("d1.large", 4, 16384, 0, { "scs:cpu-type": "dedicated-core" }),
      { reason: /^flavor d1\.large: no target flavor has CPU class C \(dedicated core\) or better \(best: V\)/ },
    ],
    [
      "dedicated-thread flavor by hw:cpu_policy",
      srcFlavor("pinned.large", 4, 16384, 0, { "hw:cpu_policy": "dedicated" }),
      { reason: /no target flavor has CPU class T \(dedicated thread\) or better/ },
    ],
    ["flavor with 0 disk", srcFlavor("bfv.medium", 2, 4096, 0), { target: "SCS-2V-4", basis: "smallest-dominating", bootVolumeGB: null }],
    [
      "huge flavor",
      srcFlavor("x1.huge", 64, 262144, 200),
      { reason: /^flavor x1\.huge: no target flavor has ≥ 64 vCPU \(largest: 16 vCPU\); none has ≥ 256 GiB RAM \(largest: 32 GiB\)/ },
    ],
    [
      "ARM flavor",
      srcFlavor("SCS-2V-4_a1", 2, 4096, 0),
      { reason: /no target flavor has a CPU of architecture aarch64/ },
    ],
    [
      "GPU flavor",
      srcFlavor("SCS-4V-16_GNa-14", 4, 16384, 0),
      { reason: /no target flavor has a pass-through GPU of vendor N with ≥ 14 compute units/ },
    ],
    [
      "NVMe flavor that is not on the target lands on the SSD flavor of the same size",
      srcFlavor("SCS-2V-4-20p", 2, 4096, 20, { "scs:disk0-type": "nvme" }),
      { target: "SCS-2V-4-20s", basis: "smallest-dominating", bootVolumeGB: null },
    ],
  ];

  it.each(classic)("%s", (_label, src, want) => {
    check(mapBothWays(src, target), want);
  });

  it("says when a source without class info is counted as V", () => {
    const r = mapFlavor(srcFlavor("m1.small", 1, 2048, 20), target);
    expect(r.ok && r.note).toContain("source has no class info, counted as V");
  });

  it("notes that a declared name understates the source", () => {
    const r = mapFlavor(srcFlavor("big.named.small", 4, 8192, 0, { "scs:name-v2": "SCS-2V-4" }), target);
    check(r, { target: "SCS-2V-4", basis: "scs-name-extra-spec", bootVolumeGB: null });
    expect(r.ok && r.note).toContain("the source has 4 vCPU, the target 2");
    expect(r.ok && r.note).toContain("the source has 8 GiB RAM, the target 4 GiB");
  });

  it("notes ephemeral disk and swap the target does not have", () => {
    const r = mapFlavor(srcFlavor("eph", 2, 4096, 0, {}, { ephemeral: 10, swap: 1024 }), target);
    check(r, { target: "SCS-2V-4", basis: "smallest-dominating", bootVolumeGB: null });
    expect(r.ok && r.note).toContain("ephemeral disk 10 GB → 0 GB");
    expect(r.ok && r.note).toContain("swap 1024 MiB → 0 MiB");
  });
});

describe("mapFlavor overrides", () => {
  const target = mandatoryTarget();

  it.each<[string, FlavorFacts, Record<string, string>, Expect]>([
    ["names a target flavor", srcFlavor("m1.large", 4, 8192, 0), { "m1.large": "SCS-4V-16" }, { target: "SCS-4V-16", basis: "override", bootVolumeGB: null }],
    ["beats the same-name rule", srcScsFlavor("SCS-2V-4"), { "SCS-2V-4": "SCS-4V-8" }, { target: "SCS-4V-8", basis: "override", bootVolumeGB: null }],
    ["may name a target flavor by id", srcFlavor("m1.large", 4, 8192, 0), { "m1.large": "id-SCS-4V-8" }, { target: "SCS-4V-8", basis: "override", bootVolumeGB: null }],
    ["onto a diskless flavor adds a boot volume", srcFlavor("m1.large", 4, 8192, 80), { "m1.large": "SCS-4V-16" }, { target: "SCS-4V-16", basis: "override", bootVolumeGB: 80 }],
    ["onto a too small local disk adds a boot volume", srcFlavor("m1.large", 4, 8192, 80), { "m1.large": "SCS-2V-4-20s" }, { target: "SCS-2V-4-20s", basis: "override", bootVolumeGB: 80 }],
    ["for another flavor is ignored", srcFlavor("m1.small", 1, 2048, 0), { "m1.large": "SCS-4V-16" }, { target: "SCS-1V-2", basis: "smallest-dominating", bootVolumeGB: null }],
  ])("an override %s", (_label, src, overrides, want) => {
    check(mapFlavor(src, target, overrides), want);
  });

  it("warns when the override target is smaller than the source", () => {
    const r = mapFlavor(srcFlavor("m1.large", 4, 8192, 0), target, { "m1.large": "SCS-1V-2" });
    expect(r.ok).toBe(true);
    expect(r.ok && r.note).toBe("mapping file maps m1.large to SCS-1V-2; it lacks ≥ 4 vCPU, ≥ 8 GiB RAM");
  });

  it("naming a flavor the target lacks is an error, not a fall-through", () => {
    const r = mapFlavor(srcFlavor("m1.large", 4, 8192, 0), target, { "m1.large": "SCS-4V-16-50" });
    expect(r).toEqual({
      ok: false,
      basis: "override-missing",
      reason: "flavor m1.large: the mapping file maps it to SCS-4V-16-50, which does not exist on the target",
    });
  });

  it("does not treat inherited object keys as overrides", () => {
    const r = mapFlavor(srcFlavor("constructor", 2, 4096, 0), target, {});
    check(r, { target: "SCS-2V-4", basis: "smallest-dominating", bootVolumeGB: null });
  });
});

describe("mapFlavor on other targets", () => {
  it.each<[string, FlavorFacts, Flavor[], Expect]>([
    [
      "a shared flavor prefers a V target over an equally sized C target",
      srcFlavor("m1.medium", 2, 4096, 0),
      [scsFlavor("SCS-2C-4"), scsFlavor("SCS-2V-4")],
      { target: "SCS-2V-4", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "a dedicated-core source takes a C target",
      srcFlavor("d1.large", 4, 16384, 0, { "scs:cpu-type": "dedicated-core" }),
      [...mandatoryTarget(), scsFlavor("SCS-4C-16"), scsFlavor("SCS-8C-32")],
      { target: "SCS-4C-16", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "a dedicated-thread source (hw:cpu_policy) takes a C target",
      srcFlavor("pinned.large", 4, 16384, 0, { "hw:cpu_policy": "dedicated" }),
      [...mandatoryTarget(), scsFlavor("SCS-4C-16")],
      { target: "SCS-4C-16", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "an insecure target is skipped for a secure source",
      srcFlavor("m1.medium", 2, 4096, 0),
      [scsFlavor("SCS-2Vi-4"), scsFlavor("SCS-4V-8")],
      { target: "SCS-4V-8", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "an insecure target is fine for an insecure source",
      srcScsFlavor("SCS-2Vi-4-10"),
      [scsFlavor("SCS-2Vi-4"), scsFlavor("SCS-4V-8")],
      { target: "SCS-2Vi-4", basis: "diskless-plus-boot-volume", bootVolumeGB: 10 },
    ],
    [
      "an oversubscribed-RAM target is skipped for a source without o",
      srcFlavor("m1.medium", 2, 4096, 0),
      [scsFlavor("SCS-2V-4o"), scsFlavor("SCS-2V-8")],
      { target: "SCS-2V-8", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "a no-ECC target is skipped for a source without u",
      srcFlavor("m1.medium", 2, 4096, 0),
      [scsFlavor("SCS-2V-4u"), scsFlavor("SCS-2V-8")],
      { target: "SCS-2V-8", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "a target flavor declaring the source's SCS name",
      srcScsFlavor("SCS-2V-4"),
      [aFlavor({ name: "prov.small", vcpus: 2, ram: 4096, extra_specs: { "scs:name-v2": "SCS-2V-4" } }), scsFlavor("SCS-4V-8")],
      { target: "prov.small", basis: "scs-name-extra-spec", bootVolumeGB: null },
    ],
    [
      "an SSD source skips a local HDD target",
      srcScsFlavor("SCS-2V-4-20s"),
      [aFlavor({ name: "hdd.medium", vcpus: 2, ram: 4096, disk: 50, extra_specs: { "scs:disk0-type": "hdd" } }), scsFlavor("SCS-2V-4")],
      { target: "SCS-2V-4", basis: "diskless-plus-boot-volume", bootVolumeGB: 20 },
    ],
    [
      "an SSD source skips a target of unspecified disk type",
      srcScsFlavor("SCS-2V-4-20s"),
      [aFlavor({ name: "any.medium", vcpus: 2, ram: 4096, disk: 50 }), scsFlavor("SCS-2V-4")],
      { target: "SCS-2V-4", basis: "diskless-plus-boot-volume", bootVolumeGB: 20 },
    ],
    [
      "an NVMe source takes a local SSD target",
      srcScsFlavor("SCS-2V-4-20p"),
      [scsFlavor("SCS-2V-4-50s"), scsFlavor("SCS-4V-8")],
      { target: "SCS-2V-4-50s", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "an SSD source takes a network-disk target",
      srcScsFlavor("SCS-2V-4-20s"),
      [scsFlavor("SCS-2V-4-20n")],
      { target: "SCS-2V-4-20n", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "a source of unspecified disk type takes a local HDD target on a tie",
      srcFlavor("m1.medium", 2, 4096, 40),
      [aFlavor({ name: "hdd.medium", vcpus: 2, ram: 4096, disk: 50, extra_specs: { "scs:disk0-type": "hdd" } }), scsFlavor("SCS-2V-4")],
      { target: "hdd.medium", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "an SSD source with only an HDD target has no fit",
      srcScsFlavor("SCS-2V-4-20s"),
      [aFlavor({ name: "hdd.medium", vcpus: 2, ram: 4096, disk: 50, extra_specs: { "scs:disk0-type": "hdd" } })],
      { reason: /no target flavor has a root disk of ≥ 20 GB fit for type s or no root disk/ },
    ],
    [
      "a local disk that is too small does not count",
      srcFlavor("m1.large", 4, 8192, 80),
      [scsFlavor("SCS-4V-8-50s"), scsFlavor("SCS-8V-16-100s")],
      { target: "SCS-8V-16-100s", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "an equal name on a non-SCS flavor is not a same-name match",
      srcFlavor("m1.small", 1, 2048, 0),
      [aFlavor({ name: "m1.small", vcpus: 1, ram: 1024 }), scsFlavor("SCS-1V-2")],
      { target: "SCS-1V-2", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "a GPU source takes a GPU target of the same vendor with enough units",
      srcFlavor("SCS-4V-16_GNa-14", 4, 16384, 0),
      [scsFlavor("SCS-4V-16"), scsFlavor("SCS-8V-32_GNa-28"), scsFlavor("SCS-4V-16_GNa-7"), scsFlavor("SCS-4V-16_GAa-20")],
      { target: "SCS-8V-32_GNa-28", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "an Infiniband source needs an Infiniband target",
      srcFlavor("SCS-4V-16_ib", 4, 16384, 0),
      [scsFlavor("SCS-4V-16"), scsFlavor("SCS-8V-32_ib")],
      { target: "SCS-8V-32_ib", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "a nested-virtualisation source takes a bare-metal target",
      srcFlavor("SCS-4V-16_hwv", 4, 16384, 0),
      [scsFlavor("SCS-4V-16"), scsFlavor("SCS-8C-32_bms")],
      { target: "SCS-8C-32_bms", basis: "smallest-dominating", bootVolumeGB: null },
    ],
    [
      "a target that lacks every dimension at once but none alone",
      srcFlavor("m1.odd", 4, 16384, 0),
      [scsFlavor("SCS-4V-8"), scsFlavor("SCS-2V-16")],
      { reason: /^flavor m1\.odd: no single target flavor combines ≥ 4 vCPU, ≥ 16 GiB RAM/ },
    ],
    ["an empty target", srcFlavor("m1.small", 1, 2048, 0), [], { reason: /^flavor m1\.small: the target has no flavors$/ }],
  ])("%s", (_label, src, targets, want) => {
    check(mapBothWays(src, targets), want);
  });

  it("says when a target flavor has no CPU class info", () => {
    const r = mapFlavor(srcFlavor("m1.medium", 2, 4096, 0), [aFlavor({ name: "plain.medium" })]);
    check(r, { target: "plain.medium", basis: "smallest-dominating", bootVolumeGB: null });
    expect(r.ok && r.note).toContain("plain.medium has no CPU class info, counted as V");
  });

  it("notes that a network root disk moves to local storage", () => {
    const r = mapFlavor(srcScsFlavor("SCS-2V-4-20n"), [scsFlavor("SCS-2V-4-20s")]);
    expect(r.ok && r.note).toContain("moves from network to local storage");
  });
});

describe("flavor profiles and disk types", () => {
  it.each<[string | null, string | null, boolean]>([
    ["s", "h", false],
    ["p", "h", false],
    ["s", null, false],
    ["s", "n", true],
    ["p", "s", true],
    ["s", "p", true],
    ["n", "h", true],
    ["h", "h", true],
    [null, "h", true],
    [null, null, true],
  ])("source disk %s on target disk %s → %s", (src, tgt, ok) => {
    expect(diskTypeAcceptable(src as never, tgt as never)).toBe(ok);
  });

  it.each<[string, Flavor, { cpuType: string; cpuTypeSource: string; diskType: string | null }]>([
    ["own SCS name", scsFlavor("SCS-2C-4-20s"), { cpuType: "C", cpuTypeSource: "name", diskType: "s" }],
    ["scs:name-v3 beats scs:name-v2", aFlavor({ extra_specs: { "scs:name-v2": "SCS-2V-4", "scs:name-v3": "SCS-2T-4" } }), { cpuType: "T", cpuTypeSource: "scs:name-extra-spec", diskType: null }],
    ["scs:cpu-type and scs:disk0-type", aFlavor({ disk: 20, extra_specs: { "scs:cpu-type": "dedicated-thread", "scs:disk0-type": "nvme" } }), { cpuType: "T", cpuTypeSource: "scs:cpu-type", diskType: "p" }],
    ["hw:cpu_thread_policy isolate", aFlavor({ extra_specs: { "hw:cpu_policy": "dedicated", "hw:cpu_thread_policy": "isolate" } }), { cpuType: "C", cpuTypeSource: "hw:cpu_policy", diskType: null }],
    ["nothing known", aFlavor({ disk: 20 }), { cpuType: "V", cpuTypeSource: "assumed", diskType: null }],
    ["an invalid SCS name falls back to extra specs", aFlavor({ name: "SCS-2X-4", extra_specs: { "scs:cpu-type": "crowded-core" } }), { cpuType: "L", cpuTypeSource: "scs:cpu-type", diskType: null }],
  ])("profile from %s", (_label, flavor, want) => {
    const p = profileFlavor(flavor);
    expect({ cpuType: p.cpuType, cpuTypeSource: p.cpuTypeSource, diskType: p.diskType }).toEqual(want);
  });
});
