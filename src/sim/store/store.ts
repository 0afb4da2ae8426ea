/**
 * The in-memory state of one simulated cloud: identity (one domain, one
 * project, one user), every resource table, quotas and id counters. Exported
 * through `SimCloud.store` so that tests can inspect or tamper with a cloud.
 *
 * Quirks: a provider-side "admin" project owns the shared things a tenant sees
 * but does not own (the public network and its subnet, public images), exactly
 * as on a real cloud, so ownership filters behave realistically.
 */
import { randomBytes } from "node:crypto";
import type { QuotaName } from "../types.js";
import { hexId } from "../core/ids.js";
import type { BlobStore } from "./blobs.js";
import type {
  AppCredRecord, FlavorRecord, FloatingIpRecord, ImageRecord, KeypairRecord, NetworkRecord, PortRecord,
  RouterRecord, SecurityGroupRecord, SecurityGroupRuleRecord, ServerGroupRecord, ServerRecord, SnapshotRecord,
  SubnetRecord, TokenRecord, VolumeRecord, VolumeTypeRecord,
} from "./records.js";
import { Table } from "./table.js";
import { OctaviaState } from "../load-balancer/model.js";
import { ObjectState } from "../object/state.js";
import { TransitionLog } from "./transitions.js";

/** Default quotas of Zed's services (nova.conf, cinder.conf, neutron.conf defaults; Glance unlimited). */
export const DEFAULT_QUOTAS: Record<QuotaName, number> = {
  instances: 10, cores: 20, ram: 51200, key_pairs: 100, metadata_items: 128, server_groups: 10, server_group_members: 10,
  volumes: 10, snapshots: 10, gigabytes: 1000, backups: 10, backup_gigabytes: 1000, per_volume_gigabytes: -1, groups: 10,
  network: 100, subnet: 100, subnetpool: -1, port: 500, router: 10, floatingip: 50, rbac_policy: 10,
  security_group: 10, security_group_rule: 100,
  image_count_total: -1, image_size_total: -1, image_stage_total: -1, image_count_uploading: -1,
};

/** A Keystone role as shown in tokens. */
export interface RoleRef {
  id: string;
  name: string;
}

/** Identity facts of the cloud. */
export interface IdentityState {
  domainId: string;
  domainName: string;
  projectId: string;
  projectName: string;
  userId: string;
  username: string;
  password: string;
  roles: RoleRef[];
  /** The provider's own project (owner of public resources). */
  adminProjectId: string;
}

/**
 * The provider's administrator, as in the lab: user `admin` holding the
 * `admin` role on the provider's `admin` project (which owns the public
 * resources). It manages quotas and flavors; it owns no tenant resources.
 */
export interface AdminIdentity {
  userId: string;
  username: string;
  password: string;
  projectId: string;
  projectName: string;
  roles: RoleRef[];
}

/** All state of one cloud. */
export class SimStore {
  readonly identity: IdentityState;
  readonly admin: AdminIdentity;
  readonly quotas: Record<QuotaName, number>;

  readonly tokens = new Map<string, TokenRecord>();
  readonly appCreds = new Table<AppCredRecord>();

  readonly flavors = new Table<FlavorRecord>();
  /** Keypairs by name (one user per cloud). */
  readonly keypairs = new Table<KeypairRecord>();
  readonly serverGroups = new Table<ServerGroupRecord>();
  readonly servers = new Table<ServerRecord>();

  readonly networks = new Table<NetworkRecord>();
  readonly subnets = new Table<SubnetRecord>();
  readonly ports = new Table<PortRecord>();
  readonly routers = new Table<RouterRecord>();
  readonly securityGroups = new Table<SecurityGroupRecord>();
  readonly securityGroupRules = new Table<SecurityGroupRuleRecord>();
  readonly floatingIps = new Table<FloatingIpRecord>();

  readonly volumes = new Table<VolumeRecord>();
  readonly snapshots = new Table<SnapshotRecord>();
  readonly volumeTypes = new Table<VolumeTypeRecord>();
  defaultVolumeTypeId = "";

  readonly images = new Table<ImageRecord>();

  /** Octavia's load balancers and their children. */
  readonly octavia = new OctaviaState();
  /** EC2 credentials, buckets/containers, objects and multipart uploads (S3 and Swift). */
  readonly objects: ObjectState;
  /** Status changes of servers, volumes, snapshots, images, ports, routers and floating IPs. */
  readonly transitions = new TransitionLog();

  /** Neutron extensions switched on beyond the default set. */
  readonly networkExtensions = new Set<string>();

  private counters = { keypair: 0, standardAttr: 0 };

  constructor(
    identity: Omit<IdentityState, "domainId" | "domainName" | "roles" | "adminProjectId" | "projectId" | "userId">,
    quotas: Partial<Record<QuotaName, number>>,
    readonly blobs: BlobStore,
  ) {
    this.identity = {
      ...identity,
      domainId: "default",
      domainName: "Default",
      projectId: hexId(),
      userId: hexId(),
      roles: [
        { id: hexId(), name: "reader" },
        { id: hexId(), name: "member" },
      ],
      adminProjectId: hexId(),
    };
    this.quotas = { ...DEFAULT_QUOTAS, ...quotas };
    this.objects = new ObjectState(blobs);
    this.servers.trackTransitions(this.transitions, "server", ["status", "task_state"]);
    this.volumes.trackTransitions(this.transitions, "volume");
    this.snapshots.trackTransitions(this.transitions, "snapshot");
    this.images.trackTransitions(this.transitions, "image");
    this.ports.trackTransitions(this.transitions, "port");
    this.routers.trackTransitions(this.transitions, "router");
    this.floatingIps.trackTransitions(this.transitions, "floatingip");
    this.admin = {
      userId: hexId(),
      username: "admin",
      password: randomBytes(18).toString("base64url"),
      projectId: this.identity.adminProjectId,
      projectName: "admin",
      roles: [
        { id: hexId(), name: "admin" },
        { id: this.identity.roles[1]!.id, name: "member" },
        { id: this.identity.roles[0]!.id, name: "reader" },
      ],
    };
  }

  /** Next keypair integer id (Nova shows one in keypair show). */
  nextKeypairId(): number {
    return ++this.counters.keypair;
  }

  /** Next Neutron standard_attr_id. */
  nextStandardAttrId(): number {
    return ++this.counters.standardAttr;
  }

  /** The project's `default` security group (created with the project). */
  defaultSecurityGroup(): SecurityGroupRecord | undefined {
    for (const sg of this.securityGroups.values()) {
      if (sg.name === "default" && sg.project_id === this.identity.projectId) return sg;
    }
    return undefined;
  }
}
