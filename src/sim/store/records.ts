/**
 * The records the simulator keeps, one interface per resource. Field names are
 * the APIs' own (snake_case) wherever a field is shown by an API, so a test
 * that tampers with `store.volumes.get(id).status` reads like the API it
 * affects. Times are epoch milliseconds; views format them per service.
 *
 * Quirks: a server keeps a copy of its flavor (Nova embeds the flavor as it was
 * at boot since 2.47); volumes, snapshots and images point at immutable blobs
 * that they may share (copy-on-write by reference).
 */
import type { Blob } from "./blobs.js";

/** A Keystone token. */
export interface TokenRecord {
  token: string;
  userId: string;
  /** Null for an unscoped token. */
  projectId: string | null;
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  auditIds: string[];
  appCred?: { id: string; name: string };
}

/** A Keystone application credential. */
export interface AppCredRecord {
  id: string;
  name: string;
  description: string | null;
  secret: string;
  user_id: string;
  project_id: string;
  expires_at: number | null;
  unrestricted: boolean;
}

export interface FlavorRecord {
  id: string;
  name: string;
  ram: number;
  vcpus: number;
  disk: number;
  ephemeral: number;
  swap: number;
  rxtx_factor: number;
  is_public: boolean;
  disabled: boolean;
  description: string | null;
  extra_specs: Record<string, string>;
  /** Projects with access to a private flavor. */
  access: Set<string>;
}

export interface KeypairRecord {
  id: number;
  name: string;
  user_id: string;
  public_key: string;
  fingerprint: string;
  type: string;
  created_at: number;
}

export interface ServerGroupRecord {
  id: string;
  name: string;
  policy: string;
  rules: Record<string, unknown>;
  members: string[];
  project_id: string;
  user_id: string;
}

/** A volume attached to a server (Nova's block device mapping + Cinder attachment). */
export interface ServerVolume {
  volume_id: string;
  device: string;
  attachment_id: string;
  bdm_uuid: string;
  delete_on_termination: boolean;
  tag: string | null;
  boot_index: number | null;
}

export interface ServerRecord {
  id: string;
  name: string;
  project_id: string;
  user_id: string;
  status: string;
  vm_state: string;
  task_state: string | null;
  power_state: number;
  flavor: FlavorRecord;
  flavor_id: string;
  /** Image booted from; null for boot-from-volume. */
  image_id: string | null;
  key_name: string | null;
  metadata: Record<string, string>;
  tags: string[];
  description: string | null;
  availability_zone: string;
  host_id: string;
  hostname: string;
  created: number;
  updated: number;
  launched_at: number | null;
  /** Ports in attach order. */
  ports: string[];
  /** Ports Nova created itself (deleted with the server). */
  created_ports: Set<string>;
  volumes: ServerVolume[];
  /** Security group names requested at boot (applied to ports Nova creates). */
  security_groups: string[];
  fault: { code: number; created: number; message: string } | null;
  locked: boolean;
  locked_reason: string | null;
  config_drive: string;
  access_ipv4: string;
  access_ipv6: string;
  admin_pass: string;
  server_groups: string[];
  /** The instance's root disk content when booted from an image (snapshots upload it). */
  root_blob: Blob | null;
}

export interface NetworkRecord {
  id: string;
  name: string;
  project_id: string;
  admin_state_up: boolean;
  mtu: number;
  status: string;
  shared: boolean;
  external: boolean;
  is_default: boolean;
  port_security_enabled: boolean;
  description: string;
  availability_zone_hints: string[];
  subnets: string[];
  tags: string[];
  created_at: number;
  updated_at: number;
  revision_number: number;
  provider_network_type: string;
}

export interface AllocationPool {
  start: string;
  end: string;
}

export interface SubnetRecord {
  id: string;
  name: string;
  project_id: string;
  network_id: string;
  ip_version: 4 | 6;
  cidr: string;
  gateway_ip: string | null;
  allocation_pools: AllocationPool[];
  host_routes: Array<{ destination: string; nexthop: string }>;
  dns_nameservers: string[];
  enable_dhcp: boolean;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  subnetpool_id: string | null;
  service_types: string[];
  description: string;
  tags: string[];
  created_at: number;
  updated_at: number;
  revision_number: number;
  /** Allocated addresses (normalised strings) → port id. */
  allocated: Map<string, string>;
  /** Next address to try (allocation cursor). */
  cursor: bigint;
}

export interface PortRecord {
  id: string;
  name: string;
  network_id: string;
  project_id: string;
  mac_address: string;
  admin_state_up: boolean;
  status: string;
  device_id: string;
  device_owner: string;
  fixed_ips: Array<{ subnet_id: string; ip_address: string }>;
  security_groups: string[];
  port_security_enabled: boolean;
  allowed_address_pairs: Array<{ ip_address: string; mac_address: string }>;
  extra_dhcp_opts: unknown[];
  binding_vnic_type: string;
  description: string;
  tags: string[];
  created_at: number;
  updated_at: number;
  revision_number: number;
}

export interface RouterRecord {
  id: string;
  name: string;
  project_id: string;
  admin_state_up: boolean;
  status: string;
  external_gateway_info: {
    network_id: string;
    enable_snat: boolean;
    external_fixed_ips: Array<{ subnet_id: string; ip_address: string }>;
  } | null;
  /** The hidden gateway port on the external network. */
  gw_port_id: string | null;
  routes: Array<{ destination: string; nexthop: string }>;
  description: string;
  availability_zone_hints: string[];
  tags: string[];
  created_at: number;
  updated_at: number;
  revision_number: number;
}

export interface SecurityGroupRecord {
  id: string;
  name: string;
  description: string;
  project_id: string;
  stateful: boolean;
  shared: boolean;
  /** Rule ids in creation order. */
  rules: string[];
  tags: string[];
  created_at: number;
  updated_at: number;
  revision_number: number;
}

export interface SecurityGroupRuleRecord {
  id: string;
  security_group_id: string;
  project_id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  normalized_cidr: string | null;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
  description: string | null;
  standard_attr_id: number;
  created_at: number;
  updated_at: number;
  revision_number: number;
}

export interface FloatingIpRecord {
  id: string;
  project_id: string;
  floating_ip_address: string;
  floating_network_id: string;
  /** Hidden port holding the address on the external subnet. */
  subnet_id: string;
  router_id: string | null;
  port_id: string | null;
  fixed_ip_address: string | null;
  status: string;
  description: string;
  tags: string[];
  created_at: number;
  updated_at: number;
  revision_number: number;
}

export interface VolumeAttachment {
  id: string;
  attachment_id: string;
  server_id: string;
  device: string;
  attached_at: number;
}

export interface VolumeRecord {
  id: string;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  availability_zone: string;
  volume_type_id: string;
  project_id: string;
  user_id: string;
  bootable: boolean;
  encrypted: boolean;
  multiattach: boolean;
  metadata: Record<string, string>;
  attachments: VolumeAttachment[];
  snapshot_id: string | null;
  source_volid: string | null;
  /** Properties copied from the source image (`volume_image_metadata`). */
  image_metadata: Record<string, string> | null;
  blob: Blob | null;
  created_at: number;
  updated_at: number | null;
  /** Status to return to when an upload or detach finishes. */
  prev_status?: string;
}

export interface SnapshotRecord {
  id: string;
  name: string | null;
  description: string | null;
  volume_id: string;
  status: string;
  size: number;
  metadata: Record<string, string>;
  project_id: string;
  user_id: string;
  blob: Blob | null;
  created_at: number;
  updated_at: number | null;
}

export interface VolumeTypeRecord {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: Record<string, string>;
}

export interface ImageRecord {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  protected: boolean;
  os_hidden: boolean;
  disk_format: string | null;
  container_format: string | null;
  min_disk: number;
  min_ram: number;
  owner: string;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  /** Extra properties, in the order they were set (shown before the core fields). */
  properties: Record<string, string>;
  tags: string[];
  created_at: number;
  updated_at: number;
  blob: Blob | null;
  /** Project → member status for shared images. */
  members: Map<string, { status: string; created_at: number; updated_at: number }>;
}
