/**
 * Glance image records: the API view, creation (also used by Nova's
 * createImage and Cinder's upload-to-image), quota checks and the asynchronous
 * queued → saving → active sequence for images whose bytes come from another
 * service.
 *
 * Quirks (Zed): extra properties are top-level string fields shown before the
 * core fields; `stores` appears only once data exists; `virtual_size` equals
 * `size` for raw images and is null for others (no image inspection); a new
 * image defaults to `shared` visibility (Image API ≥ 2.5).
 */
import type { CloudContext } from "../cloud-context.js";
import { ApiFault, webobPlain } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { isoSeconds } from "../core/time.js";
import type { Blob } from "../store/blobs.js";
import type { ImageRecord } from "../store/records.js";

/** Core attributes (not extra properties). */
export const CORE_KEYS = new Set([
  "id", "name", "status", "visibility", "protected", "os_hidden", "disk_format", "container_format", "min_disk", "min_ram", "owner",
  "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "tags", "created_at", "updated_at", "self", "file", "schema",
  "stores", "locations", "direct_url",
]);

/** Attributes clients may never set. */
export const READ_ONLY = new Set(["status", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "created_at", "updated_at", "self", "file", "schema", "stores", "locations", "direct_url"]);

export const DISK_FORMATS = [null, "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"];
export const CONTAINER_FORMATS = [null, "ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"];
export const VISIBILITIES = ["public", "private", "shared", "community"];

/** The API view of an image. */
export function imageView(img: ImageRecord): Record<string, unknown> {
  const v: Record<string, unknown> = { ...img.properties };
  Object.assign(v, {
    name: img.name, disk_format: img.disk_format, container_format: img.container_format, visibility: img.visibility,
    size: img.size, virtual_size: img.virtual_size, status: img.status, checksum: img.checksum, protected: img.protected,
    min_ram: img.min_ram, min_disk: img.min_disk, owner: img.owner, os_hidden: img.os_hidden, os_hash_algo: img.os_hash_algo,
    os_hash_value: img.os_hash_value, id: img.id, created_at: isoSeconds(img.created_at), updated_at: isoSeconds(img.updated_at),
    tags: [...img.tags], self: `/v2/images/${img.id}`, file: `/v2/images/${img.id}/file`, schema: "/v2/schemas/image",
  });
  if (img.blob) v["stores"] = "fs";
  return v;
}

/** True when the project may see the image. */
export function imageVisible(cloud: CloudContext, img: ImageRecord): boolean {
  const pid = cloud.store.identity.projectId;
  return img.owner === pid || img.visibility === "public" || img.visibility === "community" || (img.visibility === "shared" && img.members.has(pid));
}

/** Fields for a new image record. */
export interface NewImage {
  name: string | null;
  visibility?: string;
  protected?: boolean;
  os_hidden?: boolean;
  disk_format?: string | null;
  container_format?: string | null;
  min_disk?: number;
  min_ram?: number;
  properties?: Record<string, string>;
  tags?: string[];
  owner?: string;
  id?: string;
}

/** Glance's 413 for a unified-limit overrun (plain text, as Glance renders it). */
export function overLimit(cloud: CloudContext, resource: string, limit: number, usage: number, delta: number): ApiFault {
  const pid = cloud.store.identity.projectId;
  const body = `Project ${pid} is over a limit for [Resource ${resource} is over limit of ${limit} due to current usage ${usage} and delta ${delta}]`;
  return new ApiFault(
    413,
    webobPlain(413, "The request returned a 413 Request Entity Too Large. This generally means that rate limiting or a quota threshold was breached.\n\nThe response body:\n" + body),
    "text/plain; charset=UTF-8",
  );
}

/** Usage of the project's images: count and total MiB of data. */
export function imageUsage(cloud: CloudContext): { count: number; mib: number; uploading: number } {
  const pid = cloud.store.identity.projectId;
  let count = 0;
  let bytes = 0;
  let uploading = 0;
  for (const i of cloud.store.images.values()) {
    if (i.owner !== pid) continue;
    count++;
    bytes += i.size ?? 0;
    if (i.status === "saving") uploading++;
  }
  return { count, mib: Math.ceil(bytes / (1024 * 1024)), uploading };
}

/** Checks image_count_total before creating an image. */
export function checkImageCount(cloud: CloudContext): void {
  const limit = cloud.store.quotas.image_count_total;
  if (limit < 0) return;
  const u = imageUsage(cloud).count;
  if (u + 1 > limit) throw overLimit(cloud, "image_count_total", limit, u, 1);
}

/** Checks image_size_total (MiB) before storing data. */
export function checkImageSize(cloud: CloudContext, addBytes: number): void {
  const limit = cloud.store.quotas.image_size_total;
  if (limit < 0) return;
  const u = imageUsage(cloud).mib;
  const delta = Math.ceil(addBytes / (1024 * 1024));
  if (u + delta > limit || (addBytes === 0 && u >= limit)) throw overLimit(cloud, "image_size_total", limit, u, delta);
}

/** Creates a queued image record (no quota check). */
export function createImageRecord(cloud: CloudContext, f: NewImage): ImageRecord {
  const now = Date.now();
  const img: ImageRecord = {
    id: f.id ?? uuid(), name: f.name, status: "queued", visibility: f.visibility ?? "shared", protected: f.protected ?? false,
    os_hidden: f.os_hidden ?? false, disk_format: f.disk_format ?? null, container_format: f.container_format ?? null,
    min_disk: f.min_disk ?? 0, min_ram: f.min_ram ?? 0, owner: f.owner ?? cloud.store.identity.projectId, size: null, virtual_size: null,
    checksum: null, os_hash_algo: null, os_hash_value: null, properties: { ...(f.properties ?? {}) }, tags: [...(f.tags ?? [])],
    created_at: now, updated_at: now, blob: null, members: new Map(),
  };
  cloud.store.images.set(img.id, img);
  return img;
}

/** Attaches data to an image and makes it active (the blob reference passes to the image). */
export function activateImage(img: ImageRecord, blob: Blob): void {
  img.blob = blob;
  img.size = blob.size;
  img.virtual_size = img.disk_format === "raw" ? blob.size : null;
  img.checksum = blob.md5;
  img.os_hash_algo = "sha512";
  img.os_hash_value = blob.sha512;
  img.status = "active";
  img.updated_at = Date.now();
}

/**
 * Moves an image through saving to active with `blob` (already retained for
 * the image), as Glance shows it while Nova or Cinder upload data; calls
 * `done` when active. If the image was deleted meanwhile, the blob is released.
 */
export function saveImageLater(cloud: CloudContext, img: ImageRecord, blob: Blob | null, done?: () => void): void {
  const d = cloud.delays.imageSave;
  cloud.scheduler.chain([
    [d, () => {
      if (cloud.store.images.get(img.id) === img && img.status === "queued") {
        img.status = "saving";
        img.updated_at = Date.now();
      }
    }],
    [d, () => {
      const live = cloud.store.images.get(img.id) === img;
      if (!live) {
        cloud.blobs.release(blob);
        done?.();
        return;
      }
      if (blob) activateImage(img, blob);
      else {
        img.status = "active";
        img.size = 0;
        img.checksum = "d41d8cd98f00b204e9800998ecf8427e";
        img.os_hash_algo = "sha512";
        img.os_hash_value = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
        img.updated_at = Date.now();
      }
      done?.();
    }],
  ]);
}

/** Removes an image and releases its data. */
export function removeImage(cloud: CloudContext, img: ImageRecord): void {
  cloud.store.images.delete(img.id);
  cloud.blobs.release(img.blob);
  img.blob = null;
  img.status = "deleted";
}
