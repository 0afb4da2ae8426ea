/**
 * Cinder volume, snapshot and volume-type views per microversion, quota
 * checks, and the volume creation flow shared by the volumes API and Nova's
 * boot-from-volume.
 *
 * Quirks (Zed, member view): fields appear by microversion (group_id 3.13,
 * shared_targets and service_uuid 3.48, volume_type_id 3.63, consumes_quota
 * 3.65); `bootable` is the string "true"/"false"; `volume_image_metadata`
 * holds every image property as a string plus image_id, image_name, checksum,
 * container_format, disk_format, min_disk, min_ram, size and
 * `signature_verified: "False"`; quota overruns are 413 `overLimit` with
 * `retryAfter` and a Retry-After header; volume types show only user-visible
 * extra specs to non-admins.
 */
import type { CloudContext } from "../cloud-context.js";
import { ApiFault, cinderError } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { isoMicros } from "../core/time.js";
import type { SnapshotRecord, VolumeRecord, VolumeTypeRecord } from "../store/records.js";

const GIB = 1024 * 1024 * 1024;

/** Self and bookmark links of a volume-service resource. */
export function links(cloud: CloudContext, coll: string, id: string): unknown[] {
  const pid = cloud.store.identity.projectId;
  return [
    { rel: "self", href: `${cloud.baseUrl}/volume/v3/${pid}/${coll}/${id}` },
    { rel: "bookmark", href: `${cloud.baseUrl}/volume/${pid}/${coll}/${id}` },
  ];
}

/** Options of a volume view. */
export interface VolumeViewOpts {
  /** Omit the fields Cinder leaves out of the create response. */
  created?: boolean;
}

/** The detailed volume view at microversion `mv`. */
export function volumeView(cloud: CloudContext, v: VolumeRecord, mv: number, opts: VolumeViewOpts = {}): Record<string, unknown> {
  const type = cloud.store.volumeTypes.get(v.volume_type_id);
  const out: Record<string, unknown> = {
    id: v.id, status: v.status, size: v.size, availability_zone: v.availability_zone, created_at: isoMicros(v.created_at),
    updated_at: v.updated_at === null ? null : isoMicros(v.updated_at), name: v.name, description: v.description,
    volume_type: type?.name ?? null, snapshot_id: v.snapshot_id, source_volid: v.source_volid, metadata: { ...v.metadata },
    links: links(cloud, "volumes", v.id), user_id: v.user_id, bootable: v.bootable ? "true" : "false", encrypted: v.encrypted,
    replication_status: null, consistencygroup_id: null, multiattach: v.multiattach,
    attachments: v.attachments.map((a) => ({
      id: v.id, attachment_id: a.attachment_id, volume_id: v.id, server_id: a.server_id, host_name: null, device: a.device,
      attached_at: isoMicros(a.attached_at),
    })),
  };
  if (mv >= 3013) out["group_id"] = null;
  if (mv >= 3048) {
    out["shared_targets"] = false;
    out["service_uuid"] = opts.created ? null : "6f5b3c2a-7c1e-4e0b-9a43-5b0c8d1f2e90";
  }
  if (mv >= 3063) out["volume_type_id"] = v.volume_type_id;
  if (mv >= 3065) out["consumes_quota"] = true;
  if (!opts.created) {
    out["os-vol-tenant-attr:tenant_id"] = v.project_id;
    if (v.image_metadata) out["volume_image_metadata"] = { ...v.image_metadata };
  }
  return out;
}

/** The summary (non-detail) volume view. */
export function volumeSummary(cloud: CloudContext, v: VolumeRecord): Record<string, unknown> {
  return { id: v.id, name: v.name, links: links(cloud, "volumes", v.id) };
}

/** The snapshot view; `detail` adds the extended attributes. */
export function snapshotView(s: SnapshotRecord, mv: number, detail: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id, created_at: isoMicros(s.created_at), updated_at: s.updated_at === null ? null : isoMicros(s.updated_at), name: s.name,
    description: s.description, volume_id: s.volume_id, status: s.status, size: s.size, metadata: { ...s.metadata },
  };
  if (mv >= 3014) out["group_snapshot_id"] = null;
  if (mv >= 3041) out["user_id"] = s.user_id;
  if (mv >= 3065) out["consumes_quota"] = true;
  if (detail) {
    out["os-extended-snapshot-attributes:project_id"] = s.project_id;
    out["os-extended-snapshot-attributes:progress"] = s.status === "creating" ? "0%" : "100%";
  }
  return out;
}

/** Extra specs a non-admin may see (Cinder's user-visible list). */
const USER_VISIBLE_SPECS = new Set(["multiattach", "RESKEY:availability_zones", "replication_enabled"]);

/** The volume-type view as a member sees it. */
export function volumeTypeView(t: VolumeTypeRecord, withAccess: boolean): Record<string, unknown> {
  const specs: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.extra_specs)) if (USER_VISIBLE_SPECS.has(k)) specs[k] = v;
  const out: Record<string, unknown> = { id: t.id, name: t.name, is_public: t.is_public, description: t.description, extra_specs: specs };
  if (withAccess) out["os-volume-type-access:is_public"] = t.is_public;
  return out;
}

/** Finds a volume type by id or name; Cinder's 404 otherwise. */
export function findVolumeType(cloud: CloudContext, ref: string): VolumeTypeRecord {
  const byId = cloud.store.volumeTypes.get(ref);
  if (byId) return byId;
  for (const t of cloud.store.volumeTypes.values()) if (t.name === ref) return t;
  throw cinderError(404, `Volume type with name ${ref} could not be found.`);
}

/** Volume usage of the project: count, GiB (volumes + snapshots), snapshot count, per type. */
export function volumeUsage(cloud: CloudContext): { volumes: number; gigabytes: number; snapshots: number; byType: Map<string, { volumes: number; gigabytes: number; snapshots: number }> } {
  const byType = new Map<string, { volumes: number; gigabytes: number; snapshots: number }>();
  const t = (id: string) => byType.get(id) ?? (byType.set(id, { volumes: 0, gigabytes: 0, snapshots: 0 }), byType.get(id)!);
  let volumes = 0;
  let gigabytes = 0;
  let snapshots = 0;
  for (const v of cloud.store.volumes.values()) {
    volumes++;
    gigabytes += v.size;
    t(v.volume_type_id).volumes++;
    t(v.volume_type_id).gigabytes += v.size;
  }
  for (const s of cloud.store.snapshots.values()) {
    snapshots++;
    gigabytes += s.size;
    const vt = cloud.store.volumes.get(s.volume_id)?.volume_type_id;
    if (vt) {
      t(vt).snapshots++;
      t(vt).gigabytes += s.size;
    }
  }
  return { volumes, gigabytes, snapshots, byType };
}

function overLimit(message: string): ApiFault {
  const f = cinderError(413, message, { retryAfter: "0" });
  return new ApiFault(413, f.body, f.contentType, { "Retry-After": "0" });
}

/** Throws Cinder's 413 when adding `volumes`/`snapshots` of `gigabytes` would exceed a quota. */
export function checkVolumeQuota(cloud: CloudContext, add: { volumes?: number; snapshots?: number; gigabytes: number }): void {
  const q = cloud.store.quotas;
  const u = volumeUsage(cloud);
  if (q.per_volume_gigabytes >= 0 && add.gigabytes > q.per_volume_gigabytes) {
    throw overLimit(`VolumeSizeExceedsLimit: Requested volume size ${add.gigabytes}G is larger than maximum allowed limit ${q.per_volume_gigabytes}G.`);
  }
  if (add.volumes && q.volumes >= 0 && u.volumes + add.volumes > q.volumes) {
    throw overLimit(`VolumeLimitExceeded: Maximum number of volumes allowed (${q.volumes}) exceeded for quota 'volumes'.`);
  }
  if (add.snapshots && q.snapshots >= 0 && u.snapshots + add.snapshots > q.snapshots) {
    throw overLimit(`SnapshotLimitExceeded: Maximum number of snapshots allowed (${q.snapshots}) exceeded`);
  }
  if (q.gigabytes >= 0 && u.gigabytes + add.gigabytes > q.gigabytes) {
    throw overLimit(`VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${add.gigabytes}G, quota is ${q.gigabytes}G and ${u.gigabytes}G has been consumed.`);
  }
}

/** What a new volume is made from. */
export interface VolumeSource {
  name: string | null;
  description: string | null;
  size?: number;
  volumeType?: string;
  availabilityZone?: string;
  metadata?: Record<string, string>;
  imageId?: string;
  snapshotId?: string;
  sourceVolid?: string;
  multiattach?: boolean;
}

function encryptedType(t: VolumeTypeRecord): boolean {
  return /^\[scs:[^\]]*\bencrypted\b/.test(t.description ?? "") || t.extra_specs["encrypted"] === "True";
}

/** Creates a volume record and schedules creating → (downloading →) available. */
export function createVolume(cloud: CloudContext, src: VolumeSource): VolumeRecord {
  const store = cloud.store;
  const type = src.volumeType ? findVolumeType(cloud, src.volumeType) : store.volumeTypes.get(store.defaultVolumeTypeId)!;
  const az = src.availabilityZone ?? "nova";
  if (az !== "nova") throw cinderError(400, `Invalid input received: Availability zone '${az}' is invalid.`);
  let size = src.size;
  let blob = null;
  let imageMeta: Record<string, string> | null = null;
  let bootable = false;
  let fromImage = false;
  let quirkError = false;
  if (src.imageId) {
    const img = store.images.get(src.imageId);
    if (!img || (img.owner !== store.identity.projectId && img.visibility === "private") || img.status !== "active") {
      throw cinderError(400, "Invalid image identifier or unable to access requested image.");
    }
    if (size === undefined) throw cinderError(400, "Invalid input received: Invalid volume: size must be specified when creating a volume from an image.");
    if (img.min_disk > size) throw cinderError(400, `Invalid input received: Volume size ${size}GB cannot be smaller than the image minDisk size ${img.min_disk}GB.`);
    if ((img.size ?? 0) > size * GIB) throw cinderError(400, `Invalid input received: Size of specified image ${Math.ceil((img.size ?? 0) / GIB)}GB is larger than volume size ${size}GB.`);
    imageMeta = {
      signature_verified: "False",
      ...img.properties,
      image_id: img.id, image_name: img.name ?? "", checksum: img.checksum ?? "", container_format: img.container_format ?? "",
      disk_format: img.disk_format ?? "", min_disk: String(img.min_disk), min_ram: String(img.min_ram), size: String(img.size ?? 0),
    };
    // Why: Cinder 21 (Zed) writes signature_verified once more and fails with GlanceMetadataExists.
    quirkError = cloud.zedSignatureVerifiedQuirk && "signature_verified" in img.properties;
    blob = cloud.blobs.retain(img.blob);
    bootable = true;
    fromImage = true;
  } else if (src.snapshotId) {
    const s = store.snapshots.get(src.snapshotId);
    if (!s) throw cinderError(404, `Snapshot ${src.snapshotId} could not be found.`);
    if (s.status !== "available") throw cinderError(400, `Invalid snapshot: Originating snapshot status must be one of 'available' values`);
    size ??= s.size;
    if (size < s.size) throw cinderError(400, `Invalid input received: Volume size '${size}'GB cannot be smaller than the snapshot size ${s.size}GB. They must be >= original snapshot size.`);
    const origin = store.volumes.get(s.volume_id);
    imageMeta = origin?.image_metadata ? { ...origin.image_metadata } : null;
    bootable = origin?.bootable ?? false;
    blob = cloud.blobs.retain(s.blob);
  } else if (src.sourceVolid) {
    const o = store.volumes.get(src.sourceVolid);
    if (!o) throw cinderError(404, `Volume ${src.sourceVolid} could not be found.`);
    if (o.status !== "available" && o.status !== "in-use") throw cinderError(400, `Invalid volume: Volume ${o.id} status must be available or in-use, but current status is: ${o.status}.`);
    size ??= o.size;
    imageMeta = o.image_metadata ? { ...o.image_metadata } : null;
    bootable = o.bootable;
    blob = cloud.blobs.retain(o.blob);
  }
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    cloud.blobs.release(blob);
    throw cinderError(400, `Invalid input received: Invalid input received: Volume size '${String(src.size)}' must be an integer and greater than 0.`);
  }
  try {
    checkVolumeQuota(cloud, { volumes: 1, gigabytes: size });
  } catch (e) {
    cloud.blobs.release(blob);
    throw e;
  }
  const now = Date.now();
  const v: VolumeRecord = {
    id: uuid(), name: src.name, description: src.description, size, status: "creating", availability_zone: az, volume_type_id: type.id,
    project_id: store.identity.projectId, user_id: store.identity.userId, bootable, encrypted: encryptedType(type),
    multiattach: src.multiattach ?? false, metadata: { ...(src.metadata ?? {}) }, attachments: [], snapshot_id: src.snapshotId ?? null,
    source_volid: src.sourceVolid ?? null, image_metadata: null, blob: null, created_at: now, updated_at: null,
  };
  store.volumes.set(v.id, v);
  const live = () => store.volumes.get(v.id) === v;
  const finish = () => {
    if (!live()) return cloud.blobs.release(blob);
    v.updated_at = Date.now();
    if (quirkError) {
      v.status = "error";
      cloud.blobs.release(blob);
      return;
    }
    v.blob = blob;
    v.image_metadata = imageMeta;
    v.status = "available";
  };
  if (fromImage) {
    cloud.scheduler.chain([
      [cloud.delays.volumeCreate / 2, () => {
        if (live() && v.status === "creating") {
          v.status = "downloading";
          v.updated_at = Date.now();
        }
      }],
      [cloud.delays.volumeDownload + cloud.delays.volumeCreate / 2, finish],
    ]);
  } else {
    cloud.scheduler.after(cloud.delays.volumeCreate, finish);
  }
  return v;
}

/** Removes a volume record now and releases its data. */
export function removeVolume(cloud: CloudContext, v: VolumeRecord): void {
  cloud.store.volumes.delete(v.id);
  cloud.blobs.release(v.blob);
  v.blob = null;
  v.status = "deleted";
}

/** Schedules deleting → gone. */
export function deleteVolumeLater(cloud: CloudContext, v: VolumeRecord): void {
  v.status = "deleting";
  v.updated_at = Date.now();
  cloud.scheduler.after(cloud.delays.volumeDelete, () => {
    if (cloud.store.volumes.get(v.id) === v) removeVolume(cloud, v);
  });
}
