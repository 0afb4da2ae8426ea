/**
 * What a fresh simulated cloud contains: always the project's `default`
 * security group and Cinder's `__DEFAULT__` volume type; with `standard: true`
 * (the default) also the SCS standard content — the 15 mandatory flavors of
 * scs-0103 with their `scs:*` extra specs, a public "Ubuntu 24.04" image with
 * the scs-0102 metadata, a default external network "public" with a
 * floating-IP subnet, and an `ssd` volume type advertising its aspects
 * (scs-0114); plus any extra flavors, images and volume types from the options.
 *
 * Quirks: Cinder names its built-in type `__DEFAULT__` (upper case, as on
 * Zed), the public network and image belong to the provider's admin project
 * like on a real cloud, and the image bytes are deterministic per cloud so
 * two providers' "Ubuntu 24.04" differ as they would in reality.
 */
import type { CloudContext } from "./cloud-context.js";
import { uuid } from "./core/ids.js";
import { deterministicBytes } from "./store/blobs.js";
import type { FlavorRecord, NetworkRecord, SubnetRecord, VolumeTypeRecord } from "./store/records.js";
import { activateImage, createImageRecord } from "./image/model.js";
import { createDefaultGroup } from "./network/security-groups.js";
import type { SimCloudOptions, SimFlavorSpec, SimImageSpec, SimVolumeTypeSpec } from "./types.js";

/** The mandatory flavors of scs-0103 v1. */
export const MANDATORY_FLAVORS = [
  "SCS-1V-2", "SCS-2V-4", "SCS-4V-8", "SCS-8V-16", "SCS-16V-32",
  "SCS-1V-4", "SCS-2V-8", "SCS-4V-16", "SCS-8V-32",
  "SCS-1V-8", "SCS-2V-16", "SCS-4V-32",
  "SCS-1L-1", "SCS-2V-4-20s", "SCS-4V-16-100s",
];

/** Parses a simple SCS name (`SCS-<n><V|L|T|C>-<ram>[-<disk>[s|n|h|p]]`) into a flavor spec. */
export function scsFlavorSpec(name: string): SimFlavorSpec {
  const m = /^SCS-(\d+)([LVTC])-(\d+(?:\.5)?)(?:-(\d+)([snhp]?))?$/.exec(name);
  if (!m) throw new Error(`not a simple SCS flavor name: ${name}`);
  const [, cpus, kind, ram, disk, diskType] = m;
  const cpuType = { V: "shared-core", L: "crowded-core", T: "dedicated-thread", C: "dedicated-core" }[kind!]!;
  const v1 = `SCS-${cpus}${kind}:${ram}${disk ? `:${disk}${diskType ?? ""}` : ""}`;
  const extraSpecs: Record<string, string> = { "scs:cpu-type": cpuType, "scs:name-v1": v1, "scs:name-v2": name };
  const types: Record<string, string> = { s: "ssd", n: "network", h: "hdd", p: "nvme" };
  if (disk && diskType) extraSpecs["scs:disk0-type"] = types[diskType]!;
  return { name, vcpus: Number(cpus), ram: Math.round(Number(ram) * 1024), disk: disk ? Number(disk) : 0, extraSpecs };
}

/** The scs-0102 properties of the standard Ubuntu 24.04 image. */
export const UBUNTU_2404_PROPERTIES: Record<string, string> = {
  os_distro: "ubuntu",
  os_version: "24.04",
  architecture: "x86_64",
  os_purpose: "generic",
  hw_disk_bus: "scsi",
  hw_scsi_model: "virtio-scsi",
  hw_rng_model: "virtio",
  image_build_date: "2025-01-15",
  image_original_user: "ubuntu",
  image_source: "https://cloud-images.ubuntu.com/releases/noble/release-20250115/ubuntu-24.04-server-cloudimg-amd64.img",
  image_description: "https://ubuntu.com/server/docs",
  replace_frequency: "monthly",
  provided_until: "none",
  uuid_validity: "last-3",
  hash_algo: "sha512",
  hotfix_hours: "0",
};

function addFlavor(cloud: CloudContext, spec: SimFlavorSpec): FlavorRecord {
  const f: FlavorRecord = {
    id: spec.id ?? uuid(), name: spec.name, ram: spec.ram, vcpus: spec.vcpus, disk: spec.disk, ephemeral: spec.ephemeral ?? 0,
    swap: spec.swap ?? 0, rxtx_factor: 1.0, is_public: spec.isPublic ?? true, disabled: false, description: spec.description ?? null,
    extra_specs: { ...(spec.extraSpecs ?? {}) }, access: new Set(spec.isPublic === false ? (spec.access ?? [cloud.store.identity.projectId]) : []),
  };
  cloud.store.flavors.set(f.id, f);
  return f;
}

function addImage(cloud: CloudContext, spec: SimImageSpec): void {
  const store = cloud.store;
  const visibility = spec.visibility ?? "public";
  const owner = spec.ownedByProject ?? visibility !== "public" ? store.identity.projectId : store.identity.adminProjectId;
  const img = createImageRecord(cloud, {
    name: spec.name, visibility, protected: spec.protected ?? false, disk_format: spec.diskFormat ?? "raw",
    container_format: spec.containerFormat ?? "bare", min_disk: spec.minDisk ?? 0, min_ram: spec.minRam ?? 0,
    properties: spec.properties ?? {}, tags: spec.tags ?? [], owner, ...(spec.id ? { id: spec.id } : {}),
  });
  const content = spec.content !== undefined
    ? Buffer.isBuffer(spec.content) ? spec.content : Buffer.from(spec.content)
    : deterministicBytes(`${cloud.name}/${spec.name}`, spec.sizeBytes ?? 1024 * 1024);
  activateImage(img, cloud.blobs.fromBuffer(content));
}

function addVolumeType(cloud: CloudContext, spec: SimVolumeTypeSpec): VolumeTypeRecord {
  const t: VolumeTypeRecord = {
    id: spec.id ?? uuid(), name: spec.name, description: spec.description ?? null, is_public: spec.isPublic ?? true,
    extra_specs: { ...(spec.extraSpecs ?? {}) },
  };
  cloud.store.volumeTypes.set(t.id, t);
  return t;
}

function addPublicNetwork(cloud: CloudContext, cidr = "203.0.113.0/24"): void {
  const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr);
  if (!m) throw new Error(`externalCidr must be a /24 such as 198.51.100.0/24, got ${cidr}`);
  const p = m[1];
  const store = cloud.store;
  const now = Date.now();
  const admin = store.identity.adminProjectId;
  const net: NetworkRecord = {
    id: uuid(), name: "public", project_id: admin, admin_state_up: true, mtu: 1500, status: "ACTIVE", shared: false, external: true,
    is_default: true, port_security_enabled: true, description: "default external network", availability_zone_hints: [], subnets: [],
    tags: [], created_at: now, updated_at: now, revision_number: 2, provider_network_type: "flat",
  };
  const sub: SubnetRecord = {
    id: uuid(), name: "public-subnet", project_id: admin, network_id: net.id, ip_version: 4, cidr,
    gateway_ip: `${p}.1`, allocation_pools: [{ start: `${p}.10`, end: `${p}.250` }], host_routes: [],
    dns_nameservers: [], enable_dhcp: false, ipv6_ra_mode: null, ipv6_address_mode: null, subnetpool_id: null, service_types: [],
    description: "", tags: [], created_at: now, updated_at: now, revision_number: 0, allocated: new Map(), cursor: 0n,
  };
  net.subnets.push(sub.id);
  store.networks.set(net.id, net);
  store.subnets.set(sub.id, sub);
}

/** Seeds a new cloud according to its options. */
export function seedCloud(cloud: CloudContext, opts: SimCloudOptions): void {
  const store = cloud.store;
  createDefaultGroup(cloud);
  const builtin = addVolumeType(cloud, { name: "__DEFAULT__", description: "Default Volume Type" });
  if (opts.standard !== false) {
    for (const name of MANDATORY_FLAVORS) addFlavor(cloud, scsFlavorSpec(name));
    addImage(cloud, { name: "Ubuntu 24.04", visibility: "public", minDisk: 1, minRam: 512, properties: UBUNTU_2404_PROPERTIES });
    addPublicNetwork(cloud, opts.externalCidr);
    addVolumeType(cloud, { name: "ssd", description: "[scs:encrypted, replicated] SSD-backed, encrypted volumes with three replicas" });
  }
  for (const f of opts.extraFlavors ?? []) addFlavor(cloud, f);
  for (const i of opts.extraImages ?? []) addImage(cloud, i);
  for (const t of opts.extraVolumeTypes ?? []) addVolumeType(cloud, t);
  const wanted = opts.defaultVolumeType;
  const def = wanted ? [...store.volumeTypes.values()].find((t) => t.name === wanted) : undefined;
  if (wanted && !def) throw new Error(`defaultVolumeType ${wanted} is not among the cloud's volume types`);
  store.defaultVolumeTypeId = (def ?? builtin).id;
  for (const e of opts.networkExtensions ?? []) store.networkExtensions.add(e);
}
