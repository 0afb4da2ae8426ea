/**
 * Cinder (block storage v3): volumes, snapshots, volume types, upload of a
 * volume to an image, limits, quota usage and availability zones.
 *
 * API: /volumes[/detail], /volumes/{id}[/metadata|/action], /snapshots[/detail],
 * /snapshots/{id}, /types, /types/default, /limits,
 * /os-quota-sets/{project}?usage=True, /os-availability-zone.
 *
 * Quirks (Cinder api-ref samples and a live Zed):
 * - The catalog URL already ends in /v3/{project_id}; paths are relative to it.
 * - `bootable` is the string "true"/"false"; `name` and `description` may be null.
 * - Timestamps are naive (`2018-11-29T06:50:07.770785`, meaning UTC).
 * - The project is `os-vol-tenant-attr:tenant_id` on volumes and
 *   `os-extended-snapshot-attributes:project_id` on snapshots.
 * - `volume_image_metadata` is present only on volumes made from images.
 * - os-volume_upload_image needs microversion ≥ 3.1 to make a private image;
 *   without `force` it refuses in-use volumes. Zed copies the volume's
 *   `signature_verified` key into the image, which breaks creating a volume
 *   from that image again: callers remove it from the image.
 * - Volume types carry `extra_specs` inline (filtered to user-visible keys for
 *   non-admins) and `is_public` twice (`os-volume-type-access:is_public`).
 * - A project without a default volume type answers 404 on /types/default.
 * Reference: https://docs.openstack.org/api-ref/block-storage/v3/
 */
import { z } from "zod";
import { statusIs } from "../errors.js";
import type { QueryParams } from "./http.js";
import { bool, boolOrNull, id, int, intOrNull, Links, list, str, strMap, strOrNull, timestamp } from "./lenient.js";
import { AvailabilityZoneListResponse, LimitsResponse, QuotaDetailSetResponse, type AvailabilityZone, type QuotaDetail } from "./shared-schemas.js";
import { listAll } from "./pagination.js";
import { call } from "./parse.js";
import type { ServiceClient } from "./session.js";
import { waitFor, waitForDeleted, type WaitOptions } from "./waiters.js";

/** A block-storage service client. */
export type BlockStorageClient = ServiceClient<"block-storage">;

const enc = encodeURIComponent;

const VolumeAttachment = z
  .object({
    id: strOrNull(),
    attachment_id: strOrNull(),
    server_id: strOrNull(),
    volume_id: strOrNull(),
    device: strOrNull(),
    host_name: strOrNull(),
    attached_at: timestamp(),
  })
  .transform((a) => ({
    server_id: a.server_id,
    attachment_id: a.attachment_id,
    device: a.device,
    host_name: a.host_name,
    attached_at: a.attached_at,
  }));

/** A volume as GET /volumes/detail and GET /volumes/{id} return it. */
export const Volume = z
  .object({
    id: id(),
    name: str(),
    description: str(),
    size: int(0),
    status: str(),
    volume_type: strOrNull(),
    volume_type_id: strOrNull(),
    availability_zone: strOrNull(),
    bootable: bool(false),
    multiattach: bool(false),
    encrypted: bool(false),
    metadata: strMap(),
    volume_image_metadata: strMap(),
    snapshot_id: strOrNull(),
    source_volid: strOrNull(),
    attachments: list(VolumeAttachment),
    user_id: strOrNull(),
    "os-vol-tenant-attr:tenant_id": strOrNull(),
    migration_status: strOrNull(),
    replication_status: strOrNull(),
    group_id: strOrNull(),
    shared_targets: boolOrNull(),
    consumes_quota: boolOrNull(),
    created_at: timestamp(),
    updated_at: timestamp(),
    links: Links,
  })
  .transform(({ "os-vol-tenant-attr:tenant_id": project, links: _l, ...v }) => ({ ...v, project_id: project }));
export type Volume = z.output<typeof Volume>;

/** GET /volumes (no detail): id, name, links. */
export const VolumeSummary = z.object({ id: id(), name: str(), links: Links });
export const VolumeResponse = z.object({ volume: Volume });
export const VolumeListResponse = z.object({ volumes: z.array(Volume), volumes_links: Links, count: intOrNull() });
export const VolumeSummaryListResponse = z.object({ volumes: z.array(VolumeSummary), volumes_links: Links, count: intOrNull() });
export const MetadataResponse = z.object({ metadata: strMap() });
/** GET/PUT …/metadata/{key}: one item. */
export const MetaItemResponse = z.object({ meta: strMap() });

/** Lists volumes with details, every page. Filters are Cinder's query parameters. */
export async function listVolumes(client: BlockStorageClient, filters: QueryParams = {}): Promise<Volume[]> {
  return listAll(client, { path: "/volumes/detail", params: filters, key: "volumes", item: Volume, style: "links", markerFallback: true });
}

/** Shows one volume. */
export async function getVolume(client: BlockStorageClient, volumeId: string): Promise<Volume> {
  return (await call(client, VolumeResponse, { method: "GET", path: `/volumes/${enc(volumeId)}` })).body.volume;
}

/** What POST /volumes takes; one of size (blank), imageRef, snapshot_id or source_volid says where data comes from. */
export interface CreateVolumeRequest {
  size: number;
  name?: string;
  description?: string;
  volume_type?: string;
  availability_zone?: string;
  imageRef?: string;
  snapshot_id?: string;
  source_volid?: string;
  metadata?: Record<string, string>;
  multiattach?: boolean;
}

/** Creates a volume; it reaches `available` asynchronously (waitForVolume). */
export async function createVolume(client: BlockStorageClient, req: CreateVolumeRequest): Promise<Volume> {
  return (await call(client, VolumeResponse, { method: "POST", path: "/volumes", json: { volume: req } })).body.volume;
}

/** Changes a volume's name, description or metadata. */
export async function updateVolume(
  client: BlockStorageClient,
  volumeId: string,
  changes: { name?: string; description?: string; metadata?: Record<string, string> },
): Promise<Volume> {
  return (await call(client, VolumeResponse, { method: "PUT", path: `/volumes/${enc(volumeId)}`, json: { volume: changes } })).body.volume;
}

/** Deletes a volume (`cascade` also deletes its snapshots). */
export async function deleteVolume(client: BlockStorageClient, volumeId: string, opts: { cascade?: boolean } = {}): Promise<void> {
  await client.delete(`/volumes/${enc(volumeId)}`, opts.cascade ? { params: { cascade: "true" } } : {});
}

/** Replaces all metadata of a volume. */
export async function setVolumeMetadata(client: BlockStorageClient, volumeId: string, metadata: Record<string, string>): Promise<Record<string, string>> {
  return (await call(client, MetadataResponse, { method: "PUT", path: `/volumes/${enc(volumeId)}/metadata`, json: { metadata } })).body.metadata;
}

/** The answer of os-volume_upload_image. */
export const UploadToImageResponse = z.object({
  "os-volume_upload_image": z.object({
    id: strOrNull(),
    image_id: z.string(),
    image_name: str(),
    status: str(),
    disk_format: strOrNull(),
    container_format: strOrNull(),
    visibility: strOrNull(),
    protected: bool(false),
    size: intOrNull(),
    updated_at: timestamp(),
    volume_type: z.unknown().optional(),
    display_description: strOrNull(),
  }),
});
export type UploadToImageResult = z.output<typeof UploadToImageResponse>["os-volume_upload_image"];

/**
 * Copies a volume into a new Glance image (os-volume_upload_image) and returns
 * the answer with the image id; the image becomes active asynchronously.
 */
export async function uploadVolumeToImage(
  client: BlockStorageClient,
  volumeId: string,
  req: { image_name: string; disk_format?: string; container_format?: string; force?: boolean; visibility?: string; protected?: boolean },
): Promise<UploadToImageResult> {
  const body = {
    "os-volume_upload_image": {
      disk_format: "raw",
      container_format: "bare",
      visibility: "private",
      ...req,
    },
  };
  return (await call(client, UploadToImageResponse, { method: "POST", path: `/volumes/${enc(volumeId)}/action`, json: body })).body["os-volume_upload_image"];
}

/** Waits until a volume has one of the statuses (default available). */
export async function waitForVolume(
  client: BlockStorageClient,
  volumeId: string,
  status: string | readonly string[] = "available",
  opts: Partial<WaitOptions<Volume>> = {},
): Promise<Volume> {
  return waitFor(() => getVolume(client, volumeId), { what: `volume/${volumeId}`, ...opts, success: typeof status === "string" ? [status] : status });
}

/** Waits until a volume is gone. */
export async function waitForVolumeDeleted(client: BlockStorageClient, volumeId: string, opts: Partial<WaitOptions<Volume>> = {}): Promise<void> {
  await waitForDeleted(() => getVolume(client, volumeId), { what: `volume/${volumeId}`, ...opts });
}

// -------------------------------------------------------------- snapshots

/** A volume snapshot. */
export const Snapshot = z
  .object({
    id: id(),
    name: str(),
    description: str(),
    volume_id: z.string(),
    size: int(0),
    status: str(),
    metadata: strMap(),
    created_at: timestamp(),
    updated_at: timestamp(),
    user_id: strOrNull(),
    group_snapshot_id: strOrNull(),
    consumes_quota: boolOrNull(),
    "os-extended-snapshot-attributes:progress": strOrNull(),
    "os-extended-snapshot-attributes:project_id": strOrNull(),
  })
  .transform(({ "os-extended-snapshot-attributes:progress": progress, "os-extended-snapshot-attributes:project_id": project, ...s }) => ({
    ...s,
    progress,
    project_id: project,
  }));
export type Snapshot = z.output<typeof Snapshot>;
export const SnapshotResponse = z.object({ snapshot: Snapshot });
export const SnapshotListResponse = z.object({ snapshots: z.array(Snapshot), snapshots_links: Links, count: intOrNull() });

/** Lists snapshots with details, every page. */
export async function listSnapshots(client: BlockStorageClient, filters: QueryParams = {}): Promise<Snapshot[]> {
  return listAll(client, { path: "/snapshots/detail", params: filters, key: "snapshots", item: Snapshot, style: "links", markerFallback: true });
}

/** Shows one snapshot. */
export async function getSnapshot(client: BlockStorageClient, snapshotId: string): Promise<Snapshot> {
  return (await call(client, SnapshotResponse, { method: "GET", path: `/snapshots/${enc(snapshotId)}` })).body.snapshot;
}

/** Snapshots a volume (`force` for an in-use volume); it reaches `available` asynchronously. */
export async function createSnapshot(
  client: BlockStorageClient,
  req: { volume_id: string; name?: string; description?: string; force?: boolean; metadata?: Record<string, string> },
): Promise<Snapshot> {
  return (await call(client, SnapshotResponse, { method: "POST", path: "/snapshots", json: { snapshot: req } })).body.snapshot;
}

/** Deletes a snapshot. */
export async function deleteSnapshot(client: BlockStorageClient, snapshotId: string): Promise<void> {
  await client.delete(`/snapshots/${enc(snapshotId)}`);
}

/** Waits until a snapshot has one of the statuses (default available). */
export async function waitForSnapshot(
  client: BlockStorageClient,
  snapshotId: string,
  status: string | readonly string[] = "available",
  opts: Partial<WaitOptions<Snapshot>> = {},
): Promise<Snapshot> {
  return waitFor(() => getSnapshot(client, snapshotId), { what: `snapshot/${snapshotId}`, ...opts, success: typeof status === "string" ? [status] : status });
}

/** Waits until a snapshot is gone. */
export async function waitForSnapshotDeleted(client: BlockStorageClient, snapshotId: string, opts: Partial<WaitOptions<Snapshot>> = {}): Promise<void> {
  await waitForDeleted(() => getSnapshot(client, snapshotId), { what: `snapshot/${snapshotId}`, ...opts });
}

// ----------------------------------------------------------- volume types

/** A volume type with its (visible) extra specs. */
export const VolumeType = z
  .object({
    id: id(),
    name: str(),
    description: strOrNull(),
    is_public: boolOrNull(),
    "os-volume-type-access:is_public": boolOrNull(),
    extra_specs: strMap(),
    qos_specs_id: strOrNull(),
  })
  .transform((t) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    is_public: t.is_public ?? t["os-volume-type-access:is_public"] ?? true,
    extra_specs: t.extra_specs,
    qos_specs_id: t.qos_specs_id,
  }));
export type VolumeType = z.output<typeof VolumeType>;
export const VolumeTypeResponse = z.object({ volume_type: VolumeType });
export const VolumeTypeListResponse = z.object({ volume_types: z.array(VolumeType), volume_types_links: Links });
/** GET /types/{id}/extra_specs. */
export const VolumeTypeExtraSpecsResponse = z.object({ extra_specs: strMap() });
/** GET /types/{id}/extra_specs/{key}: the one key at top level. */
export const VolumeTypeExtraSpecResponse = strMap();
/** GET /default-types/{project} (3.62+, admin): which type is a project's default. */
const DefaultType = z.object({ project_id: z.string(), volume_type_id: z.string() });
export const DefaultTypeResponse = z.object({ default_type: DefaultType });
/** GET /default-types (3.62+, admin). */
export const DefaultTypeListResponse = z.object({ default_types: z.array(DefaultType) });

/** Lists the volume types the project can use, with extra specs. */
export async function listVolumeTypes(client: BlockStorageClient): Promise<VolumeType[]> {
  return listAll(client, { path: "/types", key: "volume_types", item: VolumeType, style: "links", pageSize: 0 });
}

/** The project's default volume type, or null when the cloud has none. */
export async function getDefaultVolumeType(client: BlockStorageClient): Promise<VolumeType | null> {
  try {
    return (await call(client, VolumeTypeResponse, { method: "GET", path: "/types/default" })).body.volume_type;
  } catch (err) {
    if (statusIs(err, 404)) return null;
    throw err;
  }
}

// ------------------------------------------------- limits, quotas, zones

/** Reads the project's absolute block-storage limits and usage (maxTotalVolumes, totalGigabytesUsed, …). */
export async function getLimits(client: BlockStorageClient): Promise<Record<string, number>> {
  return (await call(client, LimitsResponse, { method: "GET", path: "/limits" })).body.limits.absolute;
}

/** Reads the project's block-storage quotas with usage (per-type keys like `volumes_lab` included). */
export async function getQuotaUsage(client: BlockStorageClient, projectId: string): Promise<Record<string, QuotaDetail>> {
  return (await call(client, QuotaDetailSetResponse, { method: "GET", path: `/os-quota-sets/${enc(projectId)}`, params: { usage: "True" } })).body.quota_set;
}

/** Lists the block-storage availability zones. */
export async function listAvailabilityZones(client: BlockStorageClient): Promise<AvailabilityZone[]> {
  return (await call(client, AvailabilityZoneListResponse, { method: "GET", path: "/os-availability-zone" })).body.availabilityZoneInfo;
}

/** Sets or clears a volume's bootable flag (os-set_bootable). */
export async function setVolumeBootable(client: BlockStorageClient, volumeId: string, bootable: boolean): Promise<void> {
  await client.post(`/volumes/${enc(volumeId)}/action`, { "os-set_bootable": { bootable } });
}
