/**
 * Builders for inventory objects, so tests state only what matters to them:
 * `aServer({ status: "SHUTOFF" })`. Defaults describe a plain, healthy
 * resource of project "p-src".
 */
import type {
  Flavor,
  FloatingIp,
  Image,
  Inventory,
  Keypair,
  Network,
  Port,
  Router,
  SecurityGroup,
  SecurityGroupRule,
  Server,
  ServerGroup,
  Subnet,
  Volume,
  VolumeType,
} from "../../src/model/inventory.js";

let counter = 0;
const uid = (prefix: string) => `${prefix}-${String(++counter).padStart(4, "0")}-0000-0000-000000000000`;

export const SRC_PROJECT = "p-src";
export const DST_PROJECT = "p-dst";

export function anInventory(project = SRC_PROJECT, over: Partial<Inventory> = {}): Inventory {
  return {
    meta: {
      formatVersion: 1,
      cloud: project === SRC_PROJECT ? "src" : "dst",
      region: "RegionOne",
      project_id: project,
      project_name: project,
      auth_url: `http://${project}.example/identity/v3`,
      collectedAt: "2026-01-01T00:00:00Z",
      microversions: {},
    },
    keypairs: [],
    flavors: [],
    networks: [],
    subnets: [],
    routers: [],
    security_groups: [],
    ports: [],
    floating_ips: [],
    server_groups: [],
    images: [],
    volume_types: [],
    volumes: [],
    volume_snapshots: [],
    servers: [],
    load_balancers: [],
    lb_providers: [],
    lb_flavors: [],
    availability_zones: [
      { service: "compute", name: "nova", available: true },
      { service: "volume", name: "nova", available: true },
    ],
    quotas: {},
    features: [],
    ...over,
  };
}

export const aKeypair = (o: Partial<Keypair> = {}): Keypair => ({
  id: o.name ?? "key",
  name: "key",
  type: "ssh",
  public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMud2K70d6KGdHId/P2o/5nIDYxNXeGTzOr73GnBoGbN k@x",
  fingerprint: "aa:bb",
  ...o,
});

/** An SCS flavor from its name's figures. */
export function scsFlavor(name: string, vcpus: number, ramGiB: number, disk = 0, extra: Record<string, string> = {}): Flavor {
  return {
    id: `flv-${name}`,
    name,
    vcpus,
    ram: Math.round(ramGiB * 1024),
    disk,
    ephemeral: 0,
    swap: 0,
    is_public: true,
    description: null,
    extra_specs: { "scs:name-v2": name, "scs:cpu-type": name.includes("L") ? "crowded-core" : "shared-core", ...(disk ? { "scs:disk0-type": "ssd" } : {}), ...extra },
  };
}

/** The 15 mandatory SCS flavors (scs-0103). */
export function mandatoryFlavors(): Flavor[] {
  const spec: [string, number, number, number?][] = [
    ["SCS-1V-2", 1, 2], ["SCS-2V-4", 2, 4], ["SCS-4V-8", 4, 8], ["SCS-8V-16", 8, 16], ["SCS-16V-32", 16, 32],
    ["SCS-1V-4", 1, 4], ["SCS-2V-8", 2, 8], ["SCS-4V-16", 4, 16], ["SCS-8V-32", 8, 32],
    ["SCS-1V-8", 1, 8], ["SCS-2V-16", 2, 16], ["SCS-4V-32", 4, 32], ["SCS-1L-1", 1, 1],
    ["SCS-2V-4-20s", 2, 4, 20], ["SCS-4V-16-100s", 4, 16, 100],
  ];
  return spec.map(([n, c, r, d]) => scsFlavor(n, c, r, d ?? 0));
}

export const aNetwork = (o: Partial<Network> = {}): Network => ({
  id: uid("net"),
  name: "net",
  description: "",
  admin_state_up: true,
  shared: false,
  external: false,
  is_default: false,
  mtu: 1450,
  port_security_enabled: true,
  project_id: SRC_PROJECT,
  availability_zone_hints: [],
  tags: [],
  ...o,
});

export const anExternalNetwork = (o: Partial<Network> = {}): Network =>
  aNetwork({ name: "public", external: true, is_default: true, project_id: "p-admin", ...o });

export const aSubnet = (o: Partial<Subnet> & { network_id: string }): Subnet => ({
  id: uid("sub"),
  name: "subnet",
  description: "",
  ip_version: 4,
  cidr: "10.0.0.0/24",
  gateway_ip: "10.0.0.1",
  enable_dhcp: true,
  allocation_pools: [{ start: "10.0.0.2", end: "10.0.0.254" }],
  dns_nameservers: [],
  host_routes: [],
  ipv6_address_mode: null,
  ipv6_ra_mode: null,
  subnetpool_id: null,
  project_id: SRC_PROJECT,
  tags: [],
  ...o,
});

export const aRouter = (o: Partial<Router> = {}): Router => ({
  id: uid("rtr"),
  name: "router",
  description: "",
  admin_state_up: true,
  external_gateway: null,
  interfaces: [],
  routes: [],
  project_id: SRC_PROJECT,
  tags: [],
  ...o,
});

export const aRule = (o: Partial<SecurityGroupRule> = {}): SecurityGroupRule => ({
  id: uid("rule"),
  direction: "ingress",
  ethertype: "IPv4",
  protocol: "tcp",
  port_range_min: 22,
  port_range_max: 22,
  remote_ip_prefix: "0.0.0.0/0",
  remote_group_id: null,
  description: "",
  ...o,
});

/** The two egress rules Neutron gives every new group. */
export const defaultEgress = (): SecurityGroupRule[] => [
  aRule({ direction: "egress", ethertype: "IPv4", protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null }),
  aRule({ direction: "egress", ethertype: "IPv6", protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null }),
];

export const aSecurityGroup = (o: Partial<SecurityGroup> = {}): SecurityGroup => ({
  id: uid("sg"),
  name: "sg",
  description: "",
  stateful: true,
  project_id: SRC_PROJECT,
  rules: defaultEgress(),
  tags: [],
  ...o,
});

export const aPort = (o: Partial<Port> & { network_id: string }): Port => ({
  id: uid("port"),
  name: "",
  description: "",
  mac_address: "fa:16:3e:00:00:01",
  fixed_ips: [],
  security_group_ids: [],
  port_security_enabled: true,
  admin_state_up: true,
  allowed_address_pairs: [],
  device_owner: "",
  device_id: "",
  status: "ACTIVE",
  project_id: SRC_PROJECT,
  tags: [],
  ...o,
});

export const aFloatingIp = (o: Partial<FloatingIp> & { floating_network_id: string }): FloatingIp => ({
  id: uid("fip"),
  floating_ip_address: "203.0.113.10",
  port_id: null,
  fixed_ip_address: null,
  description: "",
  status: "ACTIVE",
  project_id: SRC_PROJECT,
  tags: [],
  ...o,
});

export const aServerGroup = (o: Partial<ServerGroup> = {}): ServerGroup => ({
  id: uid("sgrp"),
  name: "group",
  policy: "soft-anti-affinity",
  rules: {},
  members: [],
  ...o,
});

export const anImage = (o: Partial<Image> = {}): Image => ({
  id: uid("img"),
  name: "image",
  status: "active",
  visibility: "private",
  owner: SRC_PROJECT,
  disk_format: "raw",
  container_format: "bare",
  size: 1048576,
  min_disk: 0,
  min_ram: 0,
  checksum: "0".repeat(32),
  os_hash_algo: "sha512",
  os_hash_value: "0".repeat(128),
  protected: false,
  tags: [],
  properties: {},
  created_at: "2026-01-01T00:00:00Z",
  ...o,
});

/** The public "Ubuntu 24.04" standard image with SCS metadata, owned by the provider. */
export const ubuntuImage = (o: Partial<Image> = {}): Image =>
  anImage({
    name: "Ubuntu 24.04",
    visibility: "public",
    owner: "p-admin",
    min_disk: 5,
    size: 4194304,
    properties: { os_distro: "ubuntu", os_version: "24.04", architecture: "x86_64", os_purpose: "generic" },
    ...o,
  });

export const aVolumeType = (o: Partial<VolumeType> = {}): VolumeType => ({
  id: uid("vt"),
  name: "__DEFAULT__",
  description: "Default Volume Type",
  is_public: true,
  is_default: true,
  extra_specs: {},
  ...o,
});

export const aVolume = (o: Partial<Volume> = {}): Volume => ({
  id: uid("vol"),
  name: "vol",
  description: "",
  size: 1,
  status: "available",
  volume_type: "__DEFAULT__",
  availability_zone: "nova",
  bootable: false,
  multiattach: false,
  encrypted: false,
  metadata: {},
  image_metadata: {},
  source_image_id: null,
  snapshot_id: null,
  attachments: [],
  created_at: "2026-01-01T00:00:00Z",
  ...o,
});

export const aServer = (o: Partial<Server> = {}): Server => ({
  id: uid("srv"),
  name: "server",
  status: "ACTIVE",
  flavor_id: null,
  flavor_name: "SCS-2V-4-20s",
  flavor: { vcpus: 2, ram: 4096, disk: 20, ephemeral: 0, swap: 0, extra_specs: {} },
  image_id: null,
  key_name: null,
  availability_zone: "nova",
  metadata: {},
  tags: [],
  security_groups: [],
  server_group_id: null,
  port_ids: [],
  volumes: [],
  config_drive: false,
  user_data_present: false,
  locked: false,
  created: "2026-01-01T00:00:00Z",
  ...o,
});
