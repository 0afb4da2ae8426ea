import { describe, expect, it } from "vitest";
import {
  describeScsSpec,
  formatScsFlavorName,
  parseScsFlavorName,
  v1ToV2Name,
  v2ToV1Name,
  type ScsFlavorSpec,
} from "../../../src/mapping/scs-flavor-name.js";
import { MANDATORY_FLAVORS, RECOMMENDED_FLAVORS } from "./builders.js";

// Every valid example name in scs-0100-v3 (CPU, memory, disk, hypervisor, hwv, CPU arch, GPU sections and the
// proposal table), each listed once.
const STANDARD_VALID_EXAMPLES = [
  "SCS-2C-4-10n",
  "SCS-2T-4-10n",
  "SCS-2V-4-10n",
  "SCS-2L-4-10n",
  "SCS-2Li-4-10n",
  "SCS-2C-3.5-10n",
  "SCS-2C-4u-10n",
  "SCS-2C-4o-10n",
  "SCS-2C-4uo-10n",
  "SCS-2C-4-10s",
  "SCS-2C-4-10s_bms_z3",
  "SCS-2C-4-3x10s",
  "SCS-2C-4-3x10s_bms_z3",
  "SCS-2C-4-10",
  "SCS-2C-4-10_bms_z3",
  "SCS-2C-4-n",
  "SCS-2C-4-",
  "SCS-2C-4-_bms_z3",
  "SCS-2C-4-_bms_z3h_GNa-64_ib",
  "SCS-2C-4-_ib",
  "SCS-2C-4",
  "SCS-2C-4_bms_z3",
  "SCS-2C-4-3x10",
  "SCS-2C-4-10n_bms",
  "SCS-2C-4-10n_bms_z3h",
  "SCS-2C-4-10_kvm_hwv",
  "SCS-2C-4-10_hwv",
  "SCS-2C-4-10_bms_hwv",
  "SCS-2C-4-10n_z",
  "SCS-2C-4-10n_z3",
  "SCS-2C-4-10n_z3h",
  "SCS-2C-4-10n_z3hh",
  "SCS-2C-4-10n_bms_z",
  "SCS-2C-4-10n_bms_z3",
  "SCS-2C-4-10n_bms_z3hh",
  "SCS-16V-64-500s_GNa-14h",
  "SCS-8Ti-32-50p_i1",
  "SCS-1L-1u-5",
  "SCS-16T-64-200s_GNa-64_ib",
  "SCS-4C-16-2x200p_a1",
  "SCS-1V-0.5",
];

describe("parseScsFlavorName: valid names", () => {
  it.each([...STANDARD_VALID_EXAMPLES, ...MANDATORY_FLAVORS, ...RECOMMENDED_FLAVORS])(
    "%s parses and prints back unchanged",
    (name) => {
      const r = parseScsFlavorName(name);
      expect(r.spec, "reason" in r ? r.reason : "").not.toBeNull();
      if (!r.spec) return;
      expect(r.canonical).toBe(name);
      expect(r.syntax).toBe("v2");
      expect(formatScsFlavorName(r.spec)).toBe(name);
    },
  );

  const base: ScsFlavorSpec = {
    vcpus: 2,
    cpuType: "C",
    insecure: false,
    ramGiB: 4,
    ramNoEcc: false,
    ramOversub: false,
    disk: null,
    hypervisor: null,
    nestedVirt: false,
    cpuArch: null,
    gpu: null,
    ib: false,
  };
  it.each<[string, Partial<ScsFlavorSpec>]>([
    ["SCS-2C-4", {}],
    ["SCS-2C-4-", { disk: { count: 1, sizeGB: null, type: null } }],
    ["SCS-2C-4-n", { disk: { count: 1, sizeGB: null, type: "n" } }],
    ["SCS-2C-4-10n", { disk: { count: 1, sizeGB: 10, type: "n" } }],
    ["SCS-2C-4-3x10s", { disk: { count: 3, sizeGB: 10, type: "s" } }],
    ["SCS-2Li-4-10n", { cpuType: "L", insecure: true, disk: { count: 1, sizeGB: 10, type: "n" } }],
    ["SCS-2C-3.5-10n", { ramGiB: 3.5, disk: { count: 1, sizeGB: 10, type: "n" } }],
    ["SCS-2C-4uo-10n", { ramNoEcc: true, ramOversub: true, disk: { count: 1, sizeGB: 10, type: "n" } }],
    ["SCS-1V-0.5", { vcpus: 1, cpuType: "V", ramGiB: 0.5 }],
    ["SCS-2C-4-10_kvm_hwv", { disk: { count: 1, sizeGB: 10, type: null }, hypervisor: "kvm", nestedVirt: true }],
    [
      "SCS-8Ti-32-50p_i1",
      { vcpus: 8, cpuType: "T", insecure: true, ramGiB: 32, disk: { count: 1, sizeGB: 50, type: "p" }, cpuArch: { vendor: "i", generation: 1, frequency: 0 } },
    ],
    [
      "SCS-2C-4-10n_bms_z3hh",
      { disk: { count: 1, sizeGB: 10, type: "n" }, hypervisor: "bms", cpuArch: { vendor: "z", generation: 3, frequency: 2 } },
    ],
    [
      "SCS-4C-16-2x200p_a1",
      { vcpus: 4, ramGiB: 16, disk: { count: 2, sizeGB: 200, type: "p" }, cpuArch: { vendor: "a", generation: 1, frequency: 0 } },
    ],
    [
      "SCS-16T-64-200s_GNa-64_ib",
      {
        vcpus: 16,
        cpuType: "T",
        ramGiB: 64,
        disk: { count: 1, sizeGB: 200, type: "s" },
        gpu: { passthrough: true, vendor: "N", generation: "a", computeUnits: 64, computeUnitsPerf: 0, vramGiB: null, vramPerf: 0 },
        ib: true,
      },
    ],
    [
      "SCS-16V-64-500s_GNa-14h",
      {
        vcpus: 16,
        cpuType: "V",
        ramGiB: 64,
        disk: { count: 1, sizeGB: 500, type: "s" },
        gpu: { passthrough: true, vendor: "N", generation: "a", computeUnits: 14, computeUnitsPerf: 1, vramGiB: null, vramPerf: 0 },
      },
    ],
    [
      "SCS-4V-16_gA3.5-24-16hh",
      {
        cpuType: "V",
        vcpus: 4,
        ramGiB: 16,
        gpu: { passthrough: false, vendor: "A", generation: "3.5", computeUnits: 24, computeUnitsPerf: 0, vramGiB: 16, vramPerf: 2 },
      },
    ],
    ["SCS-2C-4_chy", { hypervisor: "chy" }],
  ])("%s decodes to the right spec", (name, expected) => {
    expect(parseScsFlavorName(name).spec).toEqual({ ...base, ...expected });
  });

  it("describes a spec for messages", () => {
    const spec = parseScsFlavorName("SCS-2C-4-10n").spec!;
    expect(describeScsSpec(spec)).toBe("2 dedicated cores, 4 GiB RAM, 10 GB network disk");
    expect(describeScsSpec(parseScsFlavorName("SCS-1V-0.5").spec!)).toBe("1 shared vCPU, 0.5 GiB RAM, no root disk");
  });
});

describe("parseScsFlavorName: invalid names", () => {
  it.each<[string, RegExp]>([
    // Struck-through examples of scs-0100-v3.
    ["SCS-2-4-10n", /grammar/], // CPU suffix missing
    ["SCS-2iT-4-10n", /grammar/], // forbidden order
    ["SCS-2C-4ou-10n", /grammar/], // forbidden order
    ["SCS-2C-4-1.5n", /grammar/], // disk size not whole GB
    ["SCS-2C-4-10_hwv_xen", /grammar/], // extension order
    // Listed as valid in scs-0100-v3, but `_3` is no extension (a misprint of `_z3`); the standard's regex rejects it too.
    ["SCS-2C-4-n_bms_3", /grammar/],
    // Semantic rules the regex cannot see.
    ["SCS-2C-10.5", /half GiB RAM is only allowed below 10 GiB/],
    ["SCS-0V-4", /vCPU count must be at least 1/],
    ["SCS-2V-0", /RAM must be more than 0 GiB/],
    ["SCS-2V-4-0", /disk size must be at least 1 GB/],
    ["SCS-2V-4-0x10", /disk count must be at least 1/],
    ["SCS-2V-4_z3hhhh", /at most hhh/],
    ["SCS-2V-4_GNa-14hhh", /at most hh/],
    // Other malformed names.
    ["SCS-2V-4-10x", /a disk count \(Mx\) needs a disk size/],
    ["SCS-2V-4_kvm_bms", /grammar/],
    ["SCS-2V-4_ib_z3", /grammar/],
    ["SCS-2v-4", /grammar/],
    ["SCS-2V-4 ", /grammar/],
    ["SCS-2V-4.25", /grammar/],
    ["scs-2V-4", /no SCS- prefix/],
    ["m1.small", /no SCS- prefix/],
    ["", /no SCS- prefix/],
  ])("%s is rejected", (name, reason) => {
    const r = parseScsFlavorName(name);
    expect(r.spec).toBeNull();
    if (r.spec === null) expect(r.reason).toMatch(reason);
  });
});

describe("v1 (colon) names", () => {
  it.each([
    ["SCS-2V:4:20s", "SCS-2V-4-20s"],
    ["SCS-1V:2", "SCS-1V-2"],
    ["SCS-1L:1u:5", "SCS-1L-1u-5"],
    ["SCS-2C:4:10n-bms-z3h", "SCS-2C-4-10n_bms_z3h"],
    ["SCS-16T:64:200s-GNa:64-ib", "SCS-16T-64-200s_GNa-64_ib"],
    ["SCS-4C:16:2x200p-a1", "SCS-4C-16-2x200p_a1"],
    ["SCS-2C:4:", "SCS-2C-4-"],
  ])("%s is read as %s", (v1, v2) => {
    expect(v1ToV2Name(v1)).toBe(v2);
    const r = parseScsFlavorName(v1);
    expect(r.spec).not.toBeNull();
    if (!r.spec) return;
    expect(r.syntax).toBe("v1");
    expect(r.canonical).toBe(v2);
    expect(v2ToV1Name(v2)).toBe(v1);
  });

  it("rejects a v1 name that breaks the grammar", () => {
    expect(parseScsFlavorName("SCS-2:4:10n").spec).toBeNull();
    expect(parseScsFlavorName("SCS-2C:10.5").spec).toBeNull();
  });

  it("leaves names without colons alone", () => {
    expect(v1ToV2Name("SCS-2V-4-20s")).toBe("SCS-2V-4-20s");
    expect(v1ToV2Name("m1.small")).toBe("m1.small");
  });
});
