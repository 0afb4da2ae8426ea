/**
 * SCS flavor names (scs-0100 v2/v3 grammar): parse a name into a structured
 * spec, and produce names back for messages. No API calls; the planner feeds
 * it flavor names and `scs:name-vN` extra specs from the inventory.
 *
 * Quirks:
 * - v1 names use `:` and `-` where v2+ uses `-` and `_` (`SCS-2V:4:20s`); they
 *   are converted with the same rule as the standard's sed line
 *   (`s/-/_/g; s/:/-/g; s/^SCS_/SCS-/`) and then parsed as v2.
 *   https://github.com/SovereignCloudStack/standards/blob/main/Standards/scs-0100-v3-flavor-naming.md#previous-standard-versions
 * - The regex is the one of `SyntaxV2` in the standard's own checker
 *   (Tests/iaas/scs_0100_flavor_naming/flavor_names.py), joined into one
 *   pattern. It cannot see a few semantic rules, checked afterwards: `.5` GiB
 *   RAM only below 10 GiB, positive counts and sizes, at most `hhh` on a CPU and
 *   `hh` on a GPU figure, and no disk count without a size (the standard
 *   defines `Mx` as a prefix of the size; the checker's regex lets `-3x` pass).
 * - An absent disk part means "no root disk" (boot from volume); `-` alone
 *   means the cloud sizes the root disk from the image's `min_disk`. Both are
 *   kept apart here (`disk: null` vs `sizeGB: null`) because the flavor mapping
 *   treats them differently.
 */

/** CPU class letter: L crowded, V shared, T dedicated thread, C dedicated core. */
export type CpuType = "L" | "V" | "T" | "C";
/** Root disk type letter: n network, h local HDD, s local SSD, p local NVMe. */
export type DiskType = "n" | "h" | "s" | "p";
/** Hypervisor extension values. */
export type Hypervisor = "kvm" | "xen" | "vmw" | "hyv" | "bms" | "chy";
/** CPU vendor/architecture letter: i Intel, z AMD, a ARM, r RISC-V. */
export type CpuVendor = "i" | "z" | "a" | "r";
/** GPU vendor letter: N nVidia, A AMD, I Intel. */
export type GpuVendor = "N" | "A" | "I";

/** The root disk part of an SCS name. */
export interface ScsDisk {
  /** Number of independent disks (`Mx`), 1 when absent. */
  count: number;
  /** Size in GB; null when the cloud sizes it from the image (`-` without a number). */
  sizeGB: number | null;
  /** Disk type; null when unspecified (the cloud decides). */
  type: DiskType | null;
}

/** The CPU architecture extension (`_z3h`). */
export interface ScsCpuArch {
  vendor: CpuVendor;
  /** Vendor-specific generation; null when not given. */
  generation: number | null;
  /** Number of `h` suffixes (0–3): >2.75, >3.25, >3.75 GHz all-core. */
  frequency: number;
}

/** The GPU extension (`_GNa-14h-48`). */
export interface ScsGpu {
  /** True for `G` (pass-through), false for `g` (virtual GPU). */
  passthrough: boolean;
  vendor: GpuVendor;
  /** Vendor-specific generation text (`a` Ampere, `3.5` RDNA3.5, …); null when not given. */
  generation: string | null;
  /** SMs (nVidia), CUs (AMD) or EUs (Intel); null when not given. */
  computeUnits: number | null;
  /** Number of `h` after the compute units (0–2). */
  computeUnitsPerf: number;
  /** GiB of video memory; null when not given. */
  vramGiB: number | null;
  /** Number of `h` after the VRAM figure (0–2), high-bandwidth memory. */
  vramPerf: number;
}

/** Everything an SCS flavor name says. */
export interface ScsFlavorSpec {
  vcpus: number;
  cpuType: CpuType;
  /** `i`: CPU vulnerability mitigations not guaranteed. */
  insecure: boolean;
  ramGiB: number;
  /** `u`: no ECC memory. */
  ramNoEcc: boolean;
  /** `o`: memory oversubscribed. */
  ramOversub: boolean;
  /** null: no root disk (boot from volume). */
  disk: ScsDisk | null;
  hypervisor: Hypervisor | null;
  /** `_hwv`: hardware/nested virtualisation available in the guest. */
  nestedVirt: boolean;
  cpuArch: ScsCpuArch | null;
  gpu: ScsGpu | null;
  /** `_ib`: Infiniband. */
  ib: boolean;
}

/** A parsed SCS name: the spec, the name in canonical v2+ form, and which syntax it was written in. */
export interface ScsNameParsed {
  spec: ScsFlavorSpec;
  canonical: string;
  syntax: "v1" | "v2";
}

/** A rejected name and why. */
export interface ScsNameRejected {
  spec: null;
  reason: string;
}

/** The SCS flavor name prefix; names without it are unconstrained by the standard. */
export const SCS_PREFIX = "SCS-";

// NOTE: keep in step with SyntaxV2 in flavor_names.py; `chy` (Cloud Hypervisor) is from scs-0100-v3.2.
const SCS_V2_REGEX = new RegExp(
  [
    "^SCS-(?<vcpus>\\d+)(?<cpuType>[LVTC])(?<insecure>i?)-(?<ram>\\d+(?:\\.5)?)(?<noEcc>u?)(?<oversub>o?)",
    "(?<disk>-(?:(?<diskCount>\\d+)x)?(?<diskSize>\\d*)(?<diskType>[nhsp]?))?",
    "(?:_(?<hyp>kvm|xen|vmw|hyv|bms|chy))?",
    "(?:_(?<hwv>hwv))?",
    "(?:_(?<cpuVendor>[izar])(?<cpuGen>\\d*)(?<cpuFreq>h*)(?=$|_))?",
    "(?:_(?<gpuType>[gG])(?<gpuVendor>[NAI])(?<gpuGen>[^-_h]*)(?:-(?<gpuCu>\\d+)(?<gpuCuPerf>h*))?(?:-(?<gpuVram>\\d+)(?<gpuVramPerf>h*))?)?",
    "(?:_(?<ib>ib))?$",
  ].join(""),
);

/** True when the name claims to be an SCS name (starts with `SCS-`), valid or not. */
export function hasScsPrefix(name: string): boolean {
  return name.startsWith(SCS_PREFIX);
}

/** The v2+ spelling of a v1 (colon) name, by the standard's sed rule; other names are returned unchanged. */
export function v1ToV2Name(name: string): string {
  if (!name.includes(":")) return name;
  return name.replace(/-/g, "_").replace(/:/g, "-").replace(/^SCS_/, "SCS-");
}

/** The v1 (colon) spelling of a v2+ name, by the standard's reverse sed rule. */
export function v2ToV1Name(name: string): string {
  return name.replace(/-/g, ":").replace(/_/g, "-").replace(/^SCS:/, "SCS-");
}

/**
 * Parses an SCS flavor name (v2+ or v1 colon form) into its spec, or says why it is not a valid one.
 * @example parseScsFlavorName("SCS-2V-4-20s").spec?.disk // { count: 1, sizeGB: 20, type: "s" }
 */
export function parseScsFlavorName(name: string): ScsNameParsed | ScsNameRejected {
  if (!hasScsPrefix(name)) return { spec: null, reason: `${JSON.stringify(name)} is not an SCS name (no ${SCS_PREFIX} prefix)` };
  const syntax = name.includes(":") ? "v1" : "v2";
  const v2 = v1ToV2Name(name);
  const m = SCS_V2_REGEX.exec(v2);
  if (!m?.groups) return { spec: null, reason: `${JSON.stringify(name)} does not follow the scs-0100 name grammar` };
  const g = m.groups;
  const problems: string[] = [];

  const vcpus = Number(g.vcpus);
  if (vcpus < 1) problems.push("vCPU count must be at least 1");
  const ramGiB = Number(g.ram);
  if (ramGiB <= 0) problems.push("RAM must be more than 0 GiB");
  if (!Number.isInteger(ramGiB) && ramGiB >= 10) problems.push("half GiB RAM is only allowed below 10 GiB");

  let disk: ScsDisk | null = null;
  if (g.disk !== undefined) {
    const count = g.diskCount ? Number(g.diskCount) : 1;
    const sizeGB = g.diskSize ? Number(g.diskSize) : null;
    if (count < 1) problems.push("disk count must be at least 1");
    if (sizeGB !== null && sizeGB < 1) problems.push("disk size must be at least 1 GB");
    if (g.diskCount && sizeGB === null) problems.push("a disk count (Mx) needs a disk size");
    disk = { count, sizeGB, type: (g.diskType || null) as DiskType | null };
  }

  let cpuArch: ScsCpuArch | null = null;
  if (g.cpuVendor) {
    const frequency = (g.cpuFreq ?? "").length;
    if (frequency > 3) problems.push("CPU frequency takes at most hhh");
    cpuArch = { vendor: g.cpuVendor as CpuVendor, generation: g.cpuGen ? Number(g.cpuGen) : null, frequency };
  }

  let gpu: ScsGpu | null = null;
  if (g.gpuType) {
    const computeUnitsPerf = (g.gpuCuPerf ?? "").length;
    const vramPerf = (g.gpuVramPerf ?? "").length;
    if (computeUnitsPerf > 2 || vramPerf > 2) problems.push("GPU performance takes at most hh");
    const computeUnits = g.gpuCu ? Number(g.gpuCu) : null;
    const vramGiB = g.gpuVram ? Number(g.gpuVram) : null;
    if (computeUnits === 0 || vramGiB === 0) problems.push("GPU figures must be at least 1");
    gpu = {
      passthrough: g.gpuType === "G",
      vendor: g.gpuVendor as GpuVendor,
      generation: g.gpuGen ? g.gpuGen : null,
      computeUnits,
      computeUnitsPerf,
      vramGiB,
      vramPerf,
    };
  }

  if (problems.length > 0) return { spec: null, reason: `${JSON.stringify(name)}: ${problems.join("; ")}` };
  const spec: ScsFlavorSpec = {
    vcpus,
    cpuType: g.cpuType as CpuType,
    insecure: g.insecure === "i",
    ramGiB,
    ramNoEcc: g.noEcc === "u",
    ramOversub: g.oversub === "o",
    disk,
    hypervisor: (g.hyp ?? null) as Hypervisor | null,
    nestedVirt: g.hwv === "hwv",
    cpuArch,
    gpu,
    ib: g.ib === "ib",
  };
  return { spec, canonical: formatScsFlavorName(spec), syntax };
}

/** The canonical v2+ name of a spec (a `1x` disk count and the `0` of an unspecified CPU generation are kept only when given). */
export function formatScsFlavorName(spec: ScsFlavorSpec): string {
  let out = `${SCS_PREFIX}${spec.vcpus}${spec.cpuType}${spec.insecure ? "i" : ""}-${formatRam(spec.ramGiB)}`;
  out += `${spec.ramNoEcc ? "u" : ""}${spec.ramOversub ? "o" : ""}`;
  if (spec.disk) {
    const d = spec.disk;
    out += `-${d.count > 1 ? `${d.count}x` : ""}${d.sizeGB ?? ""}${d.type ?? ""}`;
  }
  if (spec.hypervisor) out += `_${spec.hypervisor}`;
  if (spec.nestedVirt) out += "_hwv";
  if (spec.cpuArch) {
    const a = spec.cpuArch;
    out += `_${a.vendor}${a.generation ?? ""}${"h".repeat(a.frequency)}`;
  }
  if (spec.gpu) {
    const gp = spec.gpu;
    out += `_${gp.passthrough ? "G" : "g"}${gp.vendor}${gp.generation ?? ""}`;
    if (gp.computeUnits !== null) {
      out += `-${gp.computeUnits}${"h".repeat(gp.computeUnitsPerf)}`;
      if (gp.vramGiB !== null) out += `-${gp.vramGiB}${"h".repeat(gp.vramPerf)}`;
    }
  }
  if (spec.ib) out += "_ib";
  return out;
}

const CPU_WORDS: Record<CpuType, string> = {
  L: "crowded vCPU",
  V: "shared vCPU",
  T: "dedicated thread",
  C: "dedicated core",
};
const DISK_WORDS: Record<DiskType, string> = { n: "network", h: "local HDD", s: "local SSD", p: "local NVMe" };

/** A short human description of a spec, for notes and messages ("2 dedicated cores, 4 GiB RAM, 10 GB network disk"). */
export function describeScsSpec(spec: ScsFlavorSpec): string {
  const parts = [`${spec.vcpus} ${CPU_WORDS[spec.cpuType]}${spec.vcpus === 1 ? "" : "s"}${spec.insecure ? " (insecure)" : ""}`];
  const ramFlags = [spec.ramNoEcc ? "no ECC" : "", spec.ramOversub ? "oversubscribed" : ""].filter(Boolean);
  parts.push(`${formatRam(spec.ramGiB)} GiB RAM${ramFlags.length ? ` (${ramFlags.join(", ")})` : ""}`);
  if (!spec.disk) parts.push("no root disk");
  else {
    const d = spec.disk;
    const type = d.type ? `${DISK_WORDS[d.type]} ` : "";
    const size = d.sizeGB === null ? "auto-sized" : `${d.sizeGB} GB`;
    parts.push(`${d.count > 1 ? `${d.count}× ` : ""}${size} ${type}disk`);
  }
  if (spec.hypervisor) parts.push(spec.hypervisor === "bms" ? "bare metal" : `hypervisor ${spec.hypervisor}`);
  if (spec.nestedVirt) parts.push("nested virtualisation");
  if (spec.cpuArch) parts.push(`CPU ${spec.cpuArch.vendor}${spec.cpuArch.generation ?? ""}${"h".repeat(spec.cpuArch.frequency)}`);
  if (spec.gpu) parts.push(`${spec.gpu.passthrough ? "pass-through" : "virtual"} GPU ${spec.gpu.vendor}`);
  if (spec.ib) parts.push("Infiniband");
  return parts.join(", ");
}

function formatRam(gib: number): string {
  return Number.isInteger(gib) ? String(gib) : gib.toFixed(1);
}
