/**
 * Public types of the embedded SCS cloud simulator: the options a simulated
 * cloud is started with, the fault switches, and the handles callers get back.
 *
 * Quirks: quota names are the services' own keys (Nova `instances`, Cinder
 * `gigabytes`, Neutron `security_group_rule`, Glance unified-limit names), so a
 * test can say exactly which limit it means; -1 means unlimited as in OpenStack.
 */
import type { SimStore } from "./store/store.js";

/** Asynchronous status transition delays in milliseconds. */
export interface SimDelays {
  /** BUILD → ACTIVE (or ERROR). */
  serverBuild: number;
  /** Server DELETE until the server is gone. */
  serverDelete: number;
  /** os-stop / os-start until SHUTOFF / ACTIVE. */
  serverAction: number;
  /** createImage: each of image_snapshot → image_pending_upload → image_uploading. */
  serverImage: number;
  /** Volume creating → available (also snapshot creating → available). */
  volumeCreate: number;
  /** Extra time in `downloading` for volumes created from an image. */
  volumeDownload: number;
  /** Volume / snapshot deleting → gone. */
  volumeDelete: number;
  /** reserved/attaching → in-use, detaching → available. */
  volumeAttach: number;
  /** Glance image queued → saving → active for server snapshots and volume uploads (each step). */
  imageSave: number;
  /** Octavia load balancer PENDING_CREATE → ACTIVE (or ERROR). */
  lbCreate: number;
  /** Octavia PENDING_UPDATE → ACTIVE after any change to a load balancer or a child of it. */
  lbUpdate: number;
  /** Octavia PENDING_DELETE → gone (load balancer, cascade included). */
  lbDelete: number;
}

/** Quota keys understood by `SimCloudOptions.quotas`. */
export type QuotaName =
  // Nova
  | "instances" | "cores" | "ram" | "key_pairs" | "metadata_items" | "server_groups" | "server_group_members"
  // Cinder
  | "volumes" | "snapshots" | "gigabytes" | "backups" | "backup_gigabytes" | "per_volume_gigabytes" | "groups"
  // Neutron
  | "network" | "subnet" | "subnetpool" | "port" | "router" | "floatingip" | "rbac_policy"
  | "security_group" | "security_group_rule"
  // Glance (unified limits; image_size_total is in MiB)
  | "image_count_total" | "image_size_total" | "image_stage_total" | "image_count_uploading";

/** An extra flavor to preload (sizes as the Nova API takes them: RAM MiB, disk GB). */
export interface SimFlavorSpec {
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral?: number;
  swap?: number;
  isPublic?: boolean;
  /** Project ids given access to a private flavor; the cloud's own project when omitted. */
  access?: string[];
  extraSpecs?: Record<string, string>;
  description?: string | null;
  id?: string;
}

/** An extra image to preload; `content` (or `sizeBytes` of deterministic bytes) becomes its data. */
export interface SimImageSpec {
  name: string;
  visibility?: "public" | "private" | "shared" | "community";
  diskFormat?: string;
  containerFormat?: string;
  minDisk?: number;
  minRam?: number;
  properties?: Record<string, string>;
  content?: Buffer | string;
  sizeBytes?: number;
  /** Owned by the cloud's project (true) or by the provider's admin project (false, default for public). */
  ownedByProject?: boolean;
  protected?: boolean;
  tags?: string[];
  id?: string;
}

/** An extra volume type to preload. */
export interface SimVolumeTypeSpec {
  name: string;
  description?: string | null;
  extraSpecs?: Record<string, string>;
  isPublic?: boolean;
  id?: string;
}

/** A load-balancer flavor to offer (Octavia flavors are operator-defined). */
export interface SimLbFlavorSpec {
  name: string;
  description?: string;
  enabled?: boolean;
  id?: string;
}

/** Octavia of one simulated cloud. */
export interface SimLoadBalancerOptions {
  /** Offer the load-balancer service at all (default true). */
  enabled?: boolean;
  /** Provider drivers, first is the default (default ["amphora", "octavia"]; "ovn" is known too). */
  providers?: string[];
  /** LB flavors (default none). */
  flavors?: SimLbFlavorSpec[];
  /** LB availability zones by name (default none). */
  availabilityZones?: string[];
  /** Octavia quotas of the project by Octavia's names; -1 (default) is unlimited. */
  quotas?: Partial<Record<"loadbalancer" | "listener" | "pool" | "member" | "healthmonitor" | "l7policy" | "l7rule", number>>;
}

/** Options of one simulated cloud. */
export interface SimCloudOptions {
  /** Cloud name, e.g. "simsrc"; used in clouds.yaml. */
  name: string;
  /** Region name; default "RegionOne". */
  region?: string;
  /** Project name; default the cloud name. One project and one user per cloud. */
  projectName?: string;
  username?: string;
  /** Password; random when not given. */
  password?: string;
  /** Asynchronous status transition delays (ms); defaults are small, 0 is allowed. */
  delays?: Partial<SimDelays>;
  /** Quotas; -1 is unlimited. Unset names keep the services' defaults. */
  quotas?: Partial<Record<QuotaName, number>>;
  /** Server-side maximum page size, like Nova's max_limit (default 1000). */
  maxPageSize?: number;
  /** Preload SCS standard content (default true). */
  standard?: boolean;
  /** Where image and volume bytes live; default a temp dir removed on close. */
  dataDir?: string;
  /** Keystone token lifetime in ms (default 24 h). */
  tokenTtlMs?: number;
  /** Neutron extensions that are off by default ("qos", "trunk") to switch on. */
  networkExtensions?: string[];
  /** Extra flavors, images and volume types, e.g. to build a non-SCS cloud with `standard: false`. */
  extraFlavors?: SimFlavorSpec[];
  extraImages?: SimImageSpec[];
  extraVolumeTypes?: SimVolumeTypeSpec[];
  /**
   * CIDR of the default external network (a /24, default "203.0.113.0/24"), so
   * that two simulated clouds hand out different floating IPs.
   */
  externalCidr?: string;
  /** Name of the default volume type (default `__DEFAULT__`). */
  defaultVolumeType?: string;
  /**
   * Reproduce Cinder Zed's `signature_verified` duplicate-key failure when a
   * volume is created from an image that already carries that property (default true).
   */
  zedSignatureVerifiedQuirk?: boolean;
  /** Octavia (load-balancer v2): providers, LB flavors, quotas. */
  loadBalancer?: SimLoadBalancerOptions;
  /** Object storage (S3 via s3api, and Swift) knobs. */
  objectStorage?: SimObjectStorageOptions;
}

/** Knobs of the simulated object storage. */
export interface SimObjectStorageOptions {
  /** Answer Get/Put/DeleteBucketCors (newer Swift) instead of 501 NotImplemented as Zed's s3api (default false). */
  corsSupported?: boolean;
  /** Decode aws-chunked uploads (SDK checksum trailers) like newer Swift instead of 501 NotImplemented as Zed's s3api (default false). */
  awsChunked?: boolean;
  /** Byte quota of the project (-1 unlimited, default), like Swift's account quota. */
  quotaBytes?: number;
  /** Object-count quota of the project (-1 unlimited, default). */
  quotaObjects?: number;
}

/** Faults, switchable at runtime; all rates are fractions in [0, 1]. */
export interface SimFaults {
  /** Added to every request. */
  latencyMs?: number;
  /** Fraction of API requests answered with a real 500/503 error body. */
  errorRate?: number;
  /** Fraction of requests whose socket is destroyed before answering. */
  resetRate?: number;
  /** Fraction of image data downloads cut off mid-stream. */
  truncateRate?: number;
  /** Server names that go to ERROR ("No valid host was found…"). */
  failServerBuild?: string[];
  /** Load balancer names whose creation ends in provisioning_status ERROR. */
  failLoadBalancerCreate?: string[];
  /** Seed for a deterministic fault sequence. */
  seed?: number;
}

/** One running simulated cloud. */
export interface SimCloud {
  readonly name: string;
  readonly authUrl: string;
  readonly region: string;
  readonly projectId: string;
  readonly projectName: string;
  readonly username: string;
  readonly password: string;
  readonly userDomain: string;
  readonly projectDomain: string;
  /** Base URL of the cloud's listener, e.g. http://127.0.0.1:41234. */
  readonly baseUrl: string;
  /** Object-storage endpoint: S3 path-style at its root, Swift under `/v1/AUTH_<project>`. */
  readonly objectStorageUrl: string;
  /** Directory holding the cloud's image and volume bytes. */
  readonly dataDir: string;
  /** The provider's admin user (`admin`, admin role on project `admin`): manages quotas and flavors. */
  readonly adminUsername: string;
  readonly adminPassword: string;
  readonly adminProjectName: string;
  readonly adminProjectId: string;
  /** Switches faults at runtime (replaces the previous set). */
  setFaults(f: SimFaults): void;
  /** In-memory state, exported for tests that tamper with the cloud. */
  readonly store: SimStore;
}

/** A set of running simulated clouds. */
export interface SimServer {
  clouds: SimCloud[];
  cloud(name: string): SimCloud;
  close(): Promise<void>;
  /** clouds.yaml content (openstacksdk format) for all clouds; `admin` adds a `<name>-admin` entry per cloud. */
  cloudsYaml(opts?: { admin?: boolean }): string;
}
