/**
 * Builders for the mapping tests: inventory model objects with sensible
 * defaults, and flavors as a compliant SCS cloud registers them (scs-0103:
 * exact figures plus `scs:name-v1`, `scs:name-v2`, `scs:cpu-type`,
 * `scs:disk0-type`).
 */
import type { AvailabilityZone, Flavor, Image, Network, SecurityGroupRule, VolumeType } from "../../../src/model/inventory.js";
import type { FlavorFacts } from "../../../src/mapping/flavor-profile.js";
import { parseScsFlavorName, v2ToV1Name } from "../../../src/mapping/scs-flavor-name.js";

/** The 15 mandatory flavors of scs-0103-v1. */
export const MANDATORY_FLAVORS = [
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

/** The recommended flavors of scs-0103-v1.2. */
export const RECOMMENDED_FLAVORS = [
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

const CPU_SPEC = { L: "crowded-core", V: "shared-core", T: "dedicated-thread", C: "dedicated-core" } as const;
const DISK_SPEC = { n: "network", h: "hdd", s: "ssd", p: "nvme" } as const;

/** A flavor as a compliant SCS cloud registers it: figures from the name, scs:* extra specs. */
export function scsFlavor(name: string, over: Partial<Flavor> = {}): Flavor {
  const parsed = parseScsFlavorName(name);
  if (!parsed.spec) throw new Error(`builder: ${parsed.reason}`);
  const s = parsed.spec;
  const extra: Record<string, string> = {
    "scs:name-v1": v2ToV1Name(name),
    "scs:name-v2": name,
    "scs:cpu-type": CPU_SPEC[s.cpuType],
  };
  if (s.disk?.type) extra["scs:disk0-type"] = DISK_SPEC[s.disk.type];
  return aFlavor({
    id: `id-${name}`,
    name,
    vcpus: s.vcpus,
    ram: Math.round(s.ramGiB * 1024),
    disk: s.disk?.sizeGB ?? 0,
    extra_specs: extra,
    ...over,
  });
}

/** A flavor with defaults (2 vCPU, 4 GiB, no disk, no extra specs). */
export function aFlavor(over: Partial<Flavor> = {}): Flavor {
  const name = over.name ?? "plain.medium";
  return {
    id: `id-${name}`,
    name,
    vcpus: 2,
    ram: 4096,
    disk: 0,
    ephemeral: 0,
    swap: 0,
    is_public: true,
    description: null,
    extra_specs: {},
    ...over,
  };
}

/** What a server's embedded flavor gives the mapping. */
export function srcFlavor(name: string, vcpus: number, ramMiB: number, diskGB: number, extra: Record<string, string> = {}, more: Partial<FlavorFacts> = {}): FlavorFacts {
  return { name, vcpus, ram: ramMiB, disk: diskGB, ephemeral: 0, swap: 0, extra_specs: extra, ...more };
}

/** The embedded flavor of a server on a compliant source cloud. */
export function srcScsFlavor(name: string): FlavorFacts {
  const f = scsFlavor(name);
  return { name: f.name, vcpus: f.vcpus, ram: f.ram, disk: f.disk, ephemeral: 0, swap: 0, extra_specs: f.extra_specs };
}

/** A target with exactly the 15 mandatory SCS flavors. */
export function mandatoryTarget(): Flavor[] {
  return MANDATORY_FLAVORS.map((n) => scsFlavor(n));
}

/** An image with defaults: public, active, no properties. */
export function anImage(over: Partial<Image> = {}): Image {
  const name = over.name ?? "image";
  return {
    id: `id-${name}-${over.created_at ?? "x"}`,
    name,
    status: "active",
    visibility: "public",
    owner: "provider-project",
    disk_format: "qcow2",
    container_format: "bare",
    size: 1024,
    min_disk: 0,
    min_ram: 0,
    checksum: null,
    os_hash_algo: null,
    os_hash_value: null,
    protected: false,
    tags: [],
    properties: {},
    created_at: "2025-01-01T00:00:00Z",
    ...over,
  };
}

/** A volume type with defaults. */
export function aVolumeType(name: string, description: string | null = null, over: Partial<VolumeType> = {}): VolumeType {
  return { id: `id-${name}`, name, description, is_public: true, is_default: false, extra_specs: {}, ...over };
}

/** A network with defaults: internal, not default. */
export function aNetwork(over: Partial<Network> = {}): Network {
  const name = over.name ?? "net";
  return {
    id: `id-${name}`,
    name,
    description: "",
    admin_state_up: true,
    shared: false,
    external: false,
    is_default: false,
    mtu: 1500,
    port_security_enabled: true,
    project_id: null,
    availability_zone_hints: [],
    tags: [],
    ...over,
  };
}

/** A security group rule with defaults: egress IPv4, any protocol, no remote. */
export function aRule(over: Partial<SecurityGroupRule> = {}): SecurityGroupRule {
  return {
    id: "rule",
    direction: "egress",
    ethertype: "IPv4",
    protocol: null,
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: null,
    remote_group_id: null,
    description: "",
    ...over,
  };
}

/** An availability zone entry. */
export function anAz(name: string, service: AvailabilityZone["service"] = "compute", available = true): AvailabilityZone {
  return { name, service, available };
}
