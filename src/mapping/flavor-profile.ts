/**
 * What a flavor offers, read from everything the compute API tells a project
 * about it: the measured figures (vcpus, ram, disk, ephemeral, swap), its name
 * when that is an SCS name, and the `scs:*` extra specs (scs-0103). The flavor
 * mapping compares a source profile with target profiles.
 *
 * Quirks:
 * - Measured figures win over what a name says: scs-0100 lets a provider
 *   understate (an `SCS-2V-4` may really have 4 vCPUs), and the embedded flavor
 *   of a server (compute 2.47+) carries the figures even when the source
 *   flavor object is gone.
 * - Qualities the figures cannot show (CPU class, `i`/`u`/`o`, disk type,
 *   architecture, GPU, Infiniband, nested virtualisation) come from the
 *   flavor's own SCS name, else from its highest `scs:name-vN` extra spec,
 *   else from `scs:cpu-type` / `scs:disk0-type`, else from Nova's
 *   `hw:cpu_policy` (`dedicated` pins vCPUs: a thread, or a whole core with
 *   `hw:cpu_thread_policy=isolate`). With none of these the CPU class is
 *   unknown and counts as V (shared), as the mapping rules say.
 * - Extra specs are only visible to non-admin users from compute 2.61 on;
 *   older clouds yield empty maps and the profile falls back to assumptions.
 */
import type { CpuType, DiskType, ScsFlavorSpec, ScsGpu, Hypervisor } from "./scs-flavor-name.js";
import { hasScsPrefix, parseScsFlavorName } from "./scs-flavor-name.js";

/** The flavor fields the mapping reads: a model `Flavor` or a server's embedded flavor plus its name. */
export interface FlavorFacts {
  name: string;
  vcpus: number;
  /** MiB. */
  ram: number;
  /** GB root disk; 0 = no root disk. */
  disk: number;
  ephemeral: number;
  /** MiB. */
  swap: number;
  extra_specs: Record<string, string>;
}

/** Where a profile's CPU class came from. */
export type CpuTypeSource = "name" | "scs:name-extra-spec" | "scs:cpu-type" | "hw:cpu_policy" | "assumed";

/** CPU architecture family, as the image `architecture` property names it. */
export type ArchFamily = "x86_64" | "aarch64" | "riscv64";

/** What a flavor offers, normalised for comparison. */
export interface FlavorProfile {
  name: string;
  vcpus: number;
  ramMiB: number;
  diskGB: number;
  ephemeralGB: number;
  swapMiB: number;
  cpuType: CpuType;
  cpuTypeSource: CpuTypeSource;
  insecure: boolean;
  ramNoEcc: boolean;
  ramOversub: boolean;
  /** Root disk type; null when unspecified or when there is no root disk. */
  diskType: DiskType | null;
  arch: ArchFamily;
  hypervisor: Hypervisor | null;
  nestedVirt: boolean;
  gpu: ScsGpu | null;
  ib: boolean;
  /** The flavor's own name in canonical v2+ form when it is a valid SCS name. */
  ownScsName: string | null;
  /** Canonical v2+ names from `scs:name-vN` extra specs, highest N first. */
  declaredScsNames: string[];
  /** The spec the qualities were read from (own name, else first valid extra-spec name). */
  spec: ScsFlavorSpec | null;
}

/** Rank of the CPU classes: a target must rank at least as high as the source. */
export const CPU_CLASS_RANK: Record<CpuType, number> = { L: 0, V: 1, T: 2, C: 3 };

/** `scs:cpu-type` extra-spec values (scs-0103) and the CPU class letter each stands for. */
export const CPU_TYPE_SPEC: Record<string, CpuType> = {
  "crowded-core": "L",
  "shared-core": "V",
  "dedicated-thread": "T",
  "dedicated-core": "C",
};
/** `scs:disk0-type` extra-spec values (scs-0103) and the disk letter each stands for. */
export const DISK_TYPE_SPEC: Record<string, DiskType> = { network: "n", hdd: "h", ssd: "s", nvme: "p" };

const SCS_NAME_KEY = /^scs:name-v(\d+)$/;

/** The `scs:name-vN` extra spec values of a flavor, highest N first, as written. */
export function scsNameExtraSpecs(extraSpecs: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(extraSpecs)
    .map(([key, value]) => ({ key, value, n: Number(SCS_NAME_KEY.exec(key)?.[1] ?? -1) }))
    .filter((e) => e.n >= 0)
    .sort((a, b) => b.n - a.n || (a.key < b.key ? -1 : 1))
    .map(({ key, value }) => ({ key, value }));
}

/** Builds the comparable profile of a flavor. */
export function profileFlavor(f: FlavorFacts): FlavorProfile {
  const own = hasScsPrefix(f.name) ? parseScsFlavorName(f.name) : null;
  const ownSpec = own?.spec ?? null;
  const declared: { canonical: string; spec: ScsFlavorSpec }[] = [];
  for (const { value } of scsNameExtraSpecs(f.extra_specs)) {
    const parsed = parseScsFlavorName(value.trim());
    if (parsed.spec && !declared.some((d) => d.canonical === parsed.canonical)) {
      declared.push({ canonical: parsed.canonical, spec: parsed.spec });
    }
  }
  const spec = ownSpec ?? declared[0]?.spec ?? null;

  let cpuType: CpuType = "V";
  let cpuTypeSource: CpuTypeSource = "assumed";
  const specCpu = CPU_TYPE_SPEC[f.extra_specs["scs:cpu-type"] ?? ""];
  if (ownSpec) [cpuType, cpuTypeSource] = [ownSpec.cpuType, "name"];
  else if (spec) [cpuType, cpuTypeSource] = [spec.cpuType, "scs:name-extra-spec"];
  else if (specCpu) [cpuType, cpuTypeSource] = [specCpu, "scs:cpu-type"];
  else if (f.extra_specs["hw:cpu_policy"] === "dedicated") {
    cpuType = f.extra_specs["hw:cpu_thread_policy"] === "isolate" ? "C" : "T";
    cpuTypeSource = "hw:cpu_policy";
  }

  let diskType: DiskType | null = null;
  if (f.disk > 0) {
    diskType = spec?.disk?.type ?? DISK_TYPE_SPEC[f.extra_specs["scs:disk0-type"] ?? ""] ?? null;
  }

  const vendor = spec?.cpuArch?.vendor;
  const arch: ArchFamily = vendor === "a" ? "aarch64" : vendor === "r" ? "riscv64" : "x86_64";

  return {
    name: f.name,
    vcpus: f.vcpus,
    ramMiB: f.ram,
    diskGB: f.disk,
    ephemeralGB: f.ephemeral,
    swapMiB: f.swap,
    cpuType,
    cpuTypeSource,
    insecure: spec?.insecure ?? false,
    ramNoEcc: spec?.ramNoEcc ?? false,
    ramOversub: spec?.ramOversub ?? false,
    diskType,
    arch,
    hypervisor: spec?.hypervisor ?? null,
    nestedVirt: spec?.nestedVirt ?? false,
    gpu: spec?.gpu ?? null,
    ib: spec?.ib ?? false,
    ownScsName: own?.spec ? own.canonical : null,
    declaredScsNames: declared.map((d) => d.canonical),
    spec,
  };
}

/** RAM in MiB as a short human figure: whole or half GiB as GiB, anything else as MiB. */
export function formatRamMiB(mib: number): string {
  if (mib % 512 === 0) {
    const gib = mib / 1024;
    return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
  }
  return `${mib} MiB`;
}
