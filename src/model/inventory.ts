/**
 * The normalized inventory model: every resource of one project, as plain
 * facts, with references between resources kept as source ids. `inventory`
 * never decides anything; the planner reads only this model, so planning is a
 * pure function testable without a network.
 *
 * Field names follow the OpenStack APIs (`network_id`, `fixed_ips`, …) so that
 * a reader can check a value against the API reference. Services disagree on
 * shapes (string booleans, nulls, three timestamp formats); the service
 * clients in `src/openstack/` absorb that, and this model is strict.
 */
import { z } from "zod";
import { LbFlavor, LbProvider, LoadBalancer } from "./load-balancer.js";

export * from "./load-balancer.js";

export const INVENTORY_FORMAT_VERSION = 1;

const Str = z.string();
const OptStr = z.string().nullable();
const Tags = z.array(z.string());
const StrMap = z.record(z.string(), z.string());

export const Keypair = z.object({
  id: Str.describe("keypairs are identified by name"),
  name: Str,
  type: Str,
  public_key: Str,
  fingerprint: Str,
});
export type Keypair = z.infer<typeof Keypair>;

export const Flavor = z.object({
  id: Str,
  name: Str,
  vcpus: z.number().int(),
  ram: z.number().int().describe("MiB"),
  disk: z.number().int().describe("GB root disk; 0 = diskless (boot from volume)"),
  ephemeral: z.number().int(),
  swap: z.number().int().describe("MiB; the API's empty string becomes 0"),
  is_public: z.boolean(),
  description: OptStr,
  extra_specs: StrMap,
});
export type Flavor = z.infer<typeof Flavor>;

export const Network = z.object({
  id: Str,
  name: Str,
  description: Str,
  admin_state_up: z.boolean(),
  shared: z.boolean(),
  external: z.boolean().describe("router:external"),
  is_default: z.boolean(),
  mtu: z.number().int().nullable(),
  port_security_enabled: z.boolean().nullable(),
  project_id: OptStr,
  availability_zone_hints: z.array(z.string()),
  tags: Tags,
});
export type Network = z.infer<typeof Network>;

export const AllocationPool = z.object({ start: Str, end: Str });
export const HostRoute = z.object({ destination: Str, nexthop: Str });

export const Subnet = z.object({
  id: Str,
  name: Str,
  description: Str,
  network_id: Str,
  ip_version: z.union([z.literal(4), z.literal(6)]),
  cidr: Str,
  gateway_ip: OptStr,
  enable_dhcp: z.boolean(),
  allocation_pools: z.array(AllocationPool),
  dns_nameservers: z.array(Str),
  host_routes: z.array(HostRoute),
  ipv6_address_mode: OptStr,
  ipv6_ra_mode: OptStr,
  subnetpool_id: OptStr,
  project_id: OptStr,
  tags: Tags,
});
export type Subnet = z.infer<typeof Subnet>;

export const FixedIp = z.object({ subnet_id: Str, ip_address: Str });
export type FixedIp = z.infer<typeof FixedIp>;

export const RouterInterface = z.object({
  subnet_id: Str,
  port_id: Str,
  ip_address: Str,
});

export const Router = z.object({
  id: Str,
  name: Str,
  description: Str,
  admin_state_up: z.boolean(),
  external_gateway: z
    .object({
      network_id: Str,
      enable_snat: z.boolean().nullable(),
      external_fixed_ips: z.array(FixedIp),
    })
    .nullable(),
  interfaces: z.array(RouterInterface),
  routes: z.array(HostRoute),
  project_id: OptStr,
  tags: Tags,
});
export type Router = z.infer<typeof Router>;

export const SecurityGroupRule = z.object({
  id: Str,
  direction: z.enum(["ingress", "egress"]),
  ethertype: z.enum(["IPv4", "IPv6"]),
  protocol: OptStr,
  port_range_min: z.number().int().nullable(),
  port_range_max: z.number().int().nullable(),
  remote_ip_prefix: OptStr,
  remote_group_id: OptStr,
  description: Str,
});
export type SecurityGroupRule = z.infer<typeof SecurityGroupRule>;

export const SecurityGroup = z.object({
  id: Str,
  name: Str,
  description: Str,
  stateful: z.boolean(),
  project_id: OptStr,
  rules: z.array(SecurityGroupRule),
  tags: Tags,
});
export type SecurityGroup = z.infer<typeof SecurityGroup>;

export const Port = z.object({
  id: Str,
  name: Str,
  description: Str,
  network_id: Str,
  mac_address: Str,
  fixed_ips: z.array(FixedIp),
  security_group_ids: z.array(Str),
  port_security_enabled: z.boolean().nullable(),
  admin_state_up: z.boolean(),
  allowed_address_pairs: z.array(z.object({ ip_address: Str, mac_address: Str.optional() })),
  device_owner: Str,
  device_id: Str,
  status: Str,
  project_id: OptStr,
  tags: Tags,
});
export type Port = z.infer<typeof Port>;

export const FloatingIp = z.object({
  id: Str,
  floating_ip_address: Str,
  floating_network_id: Str,
  port_id: OptStr,
  fixed_ip_address: OptStr,
  description: Str,
  status: Str,
  project_id: OptStr,
  tags: Tags,
});
export type FloatingIp = z.infer<typeof FloatingIp>;

export const ServerGroup = z.object({
  id: Str,
  name: Str,
  policy: Str.describe("affinity, anti-affinity, soft-affinity or soft-anti-affinity"),
  rules: z.record(z.string(), z.unknown()),
  members: z.array(Str),
});
export type ServerGroup = z.infer<typeof ServerGroup>;

export const Image = z.object({
  id: Str,
  name: Str,
  status: Str,
  visibility: z.enum(["public", "private", "shared", "community"]),
  owner: OptStr,
  disk_format: OptStr,
  container_format: OptStr,
  size: z.number().int().nullable(),
  min_disk: z.number().int(),
  min_ram: z.number().int(),
  checksum: OptStr,
  os_hash_algo: OptStr,
  os_hash_value: OptStr,
  protected: z.boolean(),
  tags: Tags,
  properties: z.record(z.string(), z.string()).describe("every other image property, as strings"),
  created_at: OptStr,
});
export type Image = z.infer<typeof Image>;

export const VolumeType = z.object({
  id: Str,
  name: Str,
  description: OptStr,
  is_public: z.boolean(),
  is_default: z.boolean().describe("the type GET /v3/{project_id}/types/default returns"),
  extra_specs: StrMap,
});
export type VolumeType = z.infer<typeof VolumeType>;

export const VolumeAttachment = z.object({
  server_id: Str,
  device: OptStr,
  attachment_id: OptStr,
});

export const Volume = z.object({
  id: Str,
  name: Str,
  description: Str,
  size: z.number().int().describe("GiB"),
  status: Str,
  volume_type: OptStr,
  availability_zone: OptStr,
  bootable: z.boolean(),
  multiattach: z.boolean(),
  encrypted: z.boolean(),
  metadata: StrMap,
  image_metadata: StrMap.describe("volume_image_metadata: where a bootable volume came from"),
  source_image_id: OptStr,
  snapshot_id: OptStr,
  attachments: z.array(VolumeAttachment),
  created_at: OptStr,
});
export type Volume = z.infer<typeof Volume>;

export const VolumeSnapshot = z.object({
  id: Str,
  name: Str,
  description: Str,
  volume_id: Str,
  size: z.number().int(),
  status: Str,
  metadata: StrMap,
  created_at: OptStr,
});
export type VolumeSnapshot = z.infer<typeof VolumeSnapshot>;

export const ServerVolume = z.object({
  volume_id: Str,
  device: OptStr,
  boot_index: z.number().int().nullable().describe("0 for the root disk of a boot-from-volume server"),
  delete_on_termination: z.boolean(),
});

export const Server = z.object({
  id: Str,
  name: Str,
  status: Str,
  flavor_id: OptStr.describe("null from compute 2.47 on, where only the embedded flavor is returned"),
  flavor_name: Str,
  flavor: z.object({
    vcpus: z.number().int(),
    ram: z.number().int(),
    disk: z.number().int(),
    ephemeral: z.number().int(),
    swap: z.number().int(),
    extra_specs: StrMap,
  }),
  image_id: OptStr.describe("null for servers booted from a volume"),
  key_name: OptStr,
  availability_zone: OptStr,
  metadata: StrMap,
  tags: Tags,
  security_groups: z.array(Str).describe("group names as Nova reports them"),
  server_group_id: OptStr,
  port_ids: z.array(Str),
  volumes: z.array(ServerVolume),
  config_drive: z.boolean(),
  user_data_present: z.boolean(),
  locked: z.boolean(),
  created: OptStr,
});
export type Server = z.infer<typeof Server>;

export const AvailabilityZone = z.object({
  service: z.enum(["compute", "volume", "network"]),
  name: Str,
  available: z.boolean(),
});
export type AvailabilityZone = z.infer<typeof AvailabilityZone>;

/** One quota figure: limit (-1 = unlimited) and what is in use. */
export const QuotaFigure = z.object({ limit: z.number().int(), in_use: z.number().int() });
export type QuotaFigure = z.infer<typeof QuotaFigure>;

export const QUOTA_KEYS = [
  "instances",
  "cores",
  "ram",
  "key_pairs",
  "server_groups",
  "volumes",
  "gigabytes",
  "snapshots",
  "networks",
  "subnets",
  "ports",
  "routers",
  "floatingips",
  "security_groups",
  "security_group_rules",
  // Octavia's quota (no in-use figures in its API: the collector counts the project's objects).
  "load_balancers",
  "lb_listeners",
  "lb_pools",
  "lb_members",
  "lb_health_monitors",
  "lb_l7_policies",
] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

export const Quotas = z.partialRecord(z.enum(QUOTA_KEYS), QuotaFigure);
export type Quotas = z.infer<typeof Quotas>;

/** Provider-specific features found in the project (QoS policies, trunks, …) for assess and pre-flight. */
export const Feature = z.object({
  kind: Str,
  id: Str,
  name: Str,
  detail: Str,
});
export type Feature = z.infer<typeof Feature>;

export const InventoryMeta = z.object({
  formatVersion: z.literal(INVENTORY_FORMAT_VERSION),
  cloud: Str.describe("the clouds.yaml name"),
  region: OptStr,
  project_id: Str,
  project_name: OptStr,
  auth_url: Str,
  collectedAt: Str,
  microversions: z.record(z.string(), z.string()),
  /**
   * Optional services the catalog offers (`load-balancer`). Absent in files
   * written before it existed: then nothing is known and nothing is assumed missing.
   */
  services: z.array(Str).optional(),
});
export type InventoryMeta = z.infer<typeof InventoryMeta>;

/**
 * Everything one project holds. Public things the project uses but does not
 * own (flavors, public images, external networks, volume types, AZs) are here
 * too, because mapping needs them on both sides. A collection an inventory
 * file lacks (one written before its kind existed) reads as empty.
 */
export const Inventory = z.object({
  meta: InventoryMeta,
  keypairs: z.array(Keypair).default([]),
  flavors: z.array(Flavor).default([]),
  networks: z.array(Network).default([]),
  subnets: z.array(Subnet).default([]),
  routers: z.array(Router).default([]),
  security_groups: z.array(SecurityGroup).default([]),
  ports: z.array(Port).default([]),
  floating_ips: z.array(FloatingIp).default([]),
  server_groups: z.array(ServerGroup).default([]),
  images: z.array(Image).default([]),
  volume_types: z.array(VolumeType).default([]),
  volumes: z.array(Volume).default([]),
  volume_snapshots: z.array(VolumeSnapshot).default([]),
  servers: z.array(Server).default([]),
  load_balancers: z.array(LoadBalancer).default([]),
  lb_providers: z.array(LbProvider).default([]),
  lb_flavors: z.array(LbFlavor).default([]),
  availability_zones: z.array(AvailabilityZone).default([]),
  quotas: Quotas.default({}),
  features: z.array(Feature).default([]),
});
export type Inventory = z.infer<typeof Inventory>;

const NOT_LISTED = new Set(["meta", "quotas", "features", "availability_zones"]);
/** The resource collections of an inventory, in the order a summary table lists them (the model's order). */
export const INVENTORY_COLLECTIONS = Object.keys(Inventory.shape).filter((k) => !NOT_LISTED.has(k)) as InventoryCollection[];
export type InventoryCollection = Exclude<keyof Inventory, "meta" | "quotas" | "features" | "availability_zones">;
