/**
 * What the SCS standards guarantee on every compliant cloud, and what they
 * require of images: the lists the portability assessment measures a project
 * against. Data only, taken from the standards; no API calls.
 *
 * Sources:
 * - scs-0103-v1 (v1.2): 15 mandatory and 16 recommended flavors; only the
 *   mandatory ones are tested for, so only they are guaranteed.
 *   https://github.com/SovereignCloudStack/standards/blob/main/Standards/scs-0103-v1-standard-flavors.md
 * - scs-0102-v1: the mandatory image properties, and v2's `os_purpose`. The
 *   standard's checker (`Tests/iaas/scs_0102_image_metadata/image_metadata.py`)
 *   treats `min_disk`/`min_ram` of 0 as "not set", which is why they count as
 *   missing here too: Glance reports 0 when nobody set them.
 * - scs-0104-v1 with `scs-0104-v1-images-v5.yaml` (IaaS v5.1): "Ubuntu 24.04"
 *   mandatory; "Debian 12" and `ubuntu-capi-image-v*` recommended; older
 *   Ubuntu/Debian releases optional. Matched by `os_distro`/`os_version`
 *   (the planner maps images by metadata first, see `mapping/image.ts`).
 */
import type { Flavor } from "../model/inventory.js";
import { CPU_TYPE_SPEC, DISK_TYPE_SPEC } from "./flavor-profile.js";
import { parseScsFlavorName, v2ToV1Name, type CpuType, type DiskType } from "./scs-flavor-name.js";

/** The 15 mandatory flavors of scs-0103-v1: present on every compliant x86-64 cloud. */
export const MANDATORY_SCS_FLAVORS = [
  "SCS-1V-2",
  "SCS-2V-4",
  "SCS-4V-8",
  "SCS-8V-16",
  "SCS-16V-32",
  "SCS-1V-4",
  "SCS-2V-8",
  "SCS-4V-16",
  "SCS-8V-32",
  "SCS-1V-8",
  "SCS-2V-16",
  "SCS-4V-32",
  "SCS-1L-1",
  "SCS-2V-4-20s",
  "SCS-4V-16-100s",
] as const;

/** The recommended flavors of scs-0103-v1.2: common, but not guaranteed. */
export const RECOMMENDED_SCS_FLAVORS = [
  "SCS-1V-4-10",
  "SCS-2V-8-20",
  "SCS-4V-16-50",
  "SCS-8V-32-100",
  "SCS-1V-2-5",
  "SCS-2V-4-10",
  "SCS-4V-8-20",
  "SCS-8V-16-50",
  "SCS-16V-32-100",
  "SCS-1V-8-20",
  "SCS-2V-16-50",
  "SCS-4V-32-100",
  "SCS-1L-1-5",
  "SCS-16V-64",
  "SCS-8V-64",
  "SCS-16V-128",
] as const;

/** Extra-spec values by CPU class and disk letter: the inverse of the tables the flavor profile reads. */
const CPU_SPEC = Object.fromEntries(Object.entries(CPU_TYPE_SPEC).map(([spec, t]) => [t, spec])) as Record<CpuType, string>;
const DISK_SPEC = Object.fromEntries(Object.entries(DISK_TYPE_SPEC).map(([spec, d]) => [d, spec])) as Record<DiskType, string>;

/** A flavor exactly as scs-0103 asks a compliant cloud to register it (figures from the name, `scs:*` extra specs). */
export function standardScsFlavor(name: string): Flavor {
  const parsed = parseScsFlavorName(name);
  if (!parsed.spec) throw new Error(`not an SCS flavor name: ${parsed.reason}`);
  const s = parsed.spec;
  const extra: Record<string, string> = {
    "scs:name-v1": v2ToV1Name(name),
    "scs:name-v2": name,
    "scs:cpu-type": CPU_SPEC[s.cpuType],
  };
  if (s.disk?.type) extra["scs:disk0-type"] = DISK_SPEC[s.disk.type];
  return {
    id: `scs-standard:${name}`,
    name,
    vcpus: s.vcpus,
    ram: Math.round(s.ramGiB * 1024),
    disk: s.disk?.sizeGB ?? 0,
    ephemeral: 0,
    swap: 0,
    is_public: true,
    description: null,
    extra_specs: extra,
  };
}

/** The 15 mandatory flavors as a compliant cloud lists them: the flavor set every SCS target is sure to have. */
export function mandatoryScsFlavors(): Flavor[] {
  return MANDATORY_SCS_FLAVORS.map(standardScsFlavor);
}

/** Image properties scs-0102-v1 makes mandatory (`min_disk`/`min_ram` are Glance's own fields). */
export const SCS_IMAGE_KEYS_V1 = [
  "architecture",
  "min_disk",
  "min_ram",
  "os_distro",
  "os_version",
  "hw_disk_bus",
  "image_build_date",
  "image_original_user",
  "image_source",
  "image_description",
  "replace_frequency",
  "provided_until",
  "uuid_validity",
] as const;

/** Properties scs-0102-v2 adds to the mandatory list. */
export const SCS_IMAGE_KEYS_V2_ADDED = ["os_purpose"] as const;

/** The mandatory keys that decide how an image boots and maps; the rest describe its life cycle. */
export const SCS_IMAGE_TECHNICAL_KEYS: readonly string[] = [
  "architecture",
  "min_disk",
  "min_ram",
  "os_distro",
  "os_version",
  "hw_disk_bus",
];

/** How scs-0104 lists a standard image. */
export type StandardImageStatus = "mandatory" | "recommended" | "optional";

/** One standard image of scs-0104 (images-v5), by the metadata that identifies it. */
export interface StandardImage {
  name: string;
  os_distro: string;
  /** null: any version (the CAPI images are versioned by Kubernetes release). */
  os_version: string | null;
  /** Set for images identified by purpose rather than release. */
  os_purpose?: string;
  status: StandardImageStatus;
}

/** The standard images of scs-0104-v1 (`scs-0104-v1-images-v5.yaml`). */
export const SCS_STANDARD_IMAGES: readonly StandardImage[] = [
  { name: "Ubuntu 24.04", os_distro: "ubuntu", os_version: "24.04", status: "mandatory" },
  { name: "Debian 12", os_distro: "debian", os_version: "12", status: "recommended" },
  { name: "ubuntu-capi-image-v*", os_distro: "ubuntu", os_version: null, os_purpose: "k8snode", status: "recommended" },
  { name: "Ubuntu 22.04", os_distro: "ubuntu", os_version: "22.04", status: "optional" },
  { name: "Ubuntu 20.04", os_distro: "ubuntu", os_version: "20.04", status: "optional" },
  { name: "Debian 11", os_distro: "debian", os_version: "11", status: "optional" },
  { name: "Debian 10", os_distro: "debian", os_version: "10", status: "optional" },
];

/** The scs-0104 entry an image's metadata identifies (exact release first, then purpose), or null. */
export function findStandardImage(props: { os_distro?: string | null; os_version?: string | null; os_purpose?: string | null }): StandardImage | null {
  const distro = props.os_distro?.trim().toLowerCase();
  const version = props.os_version?.trim();
  if (!distro) return null;
  const exact = SCS_STANDARD_IMAGES.find((s) => s.os_version !== null && s.os_distro === distro && s.os_version === version);
  if (exact && (props.os_purpose ?? "generic") !== "k8snode") return exact;
  const byPurpose = SCS_STANDARD_IMAGES.find((s) => s.os_purpose !== undefined && s.os_distro === distro && s.os_purpose === props.os_purpose);
  return byPurpose ?? exact ?? null;
}
