/**
 * Cinder volume actions (POST /v3/{project}/volumes/{id}/action):
 * os-volume_upload_image, os-extend, os-set_bootable, os-update_readonly_flag.
 *
 * Quirks (Zed): upload-to-image needs `force: true` for an in-use volume; the
 * volume is `uploading` until the new Glance image (same cloud) is active with
 * the volume's bytes, and returns to available/in-use only afterwards (one
 * `imageSave` delay later: cinder-volume finishes after Glance); the image
 * holds the bytes the volume holds, so a never-written volume gives a 0-byte
 * image where a real cloud gives one of the full volume size (the simulator
 * stores written bytes only, everywhere; see test/sim/volume.test.ts); below 3.1 the image comes out `shared`, from 3.1 on
 * `private` unless `visibility` says otherwise; the image carries the volume's
 * image properties (including `signature_verified`) but min_disk/min_ram 0;
 * the response echoes the full volume type; admin actions are 403.
 */
import type { CloudContext } from "../cloud-context.js";
import { cinderError } from "../core/errors.js";
import { asObject, parseBool } from "../core/http.js";
import { isoMicros } from "../core/time.js";
import type { VolumeRecord } from "../store/records.js";
import { checkImageCount, checkImageSize, createImageRecord, saveImageLater } from "../image/model.js";
import { checkVolumeQuota } from "./model.js";

const META_SKIP = new Set(["image_id", "image_name", "checksum", "container_format", "disk_format", "min_disk", "min_ram", "size"]);

function truthy(v: unknown): boolean {
  return v === true || (typeof v === "string" && parseBool(v) === true);
}

/** Runs one volume action; returns the reply body (or undefined for 202 without body). */
export function volumeAction(cloud: CloudContext, v: VolumeRecord, body: unknown, mv: number): { status: number; body?: unknown } {
  const o = asObject(body) ?? {};
  const [name] = Object.keys(o);
  const arg = asObject(o[name ?? ""]) ?? {};
  switch (name) {
    case "os-volume_upload_image":
      return { status: 202, body: { "os-volume_upload_image": uploadToImage(cloud, v, arg, mv) } };
    case "os-extend": {
      const newSize = Number(arg["new_size"]);
      if (!Number.isInteger(newSize)) throw cinderError(400, "Invalid input for field/attribute new_size.");
      if (v.status !== "available" && !(v.status === "in-use" && mv >= 3042)) {
        throw cinderError(400, `Invalid volume: Volume ${v.id} status must be available to extend, but current status is: ${v.status}.`);
      }
      if (newSize <= v.size) {
        throw cinderError(400, `Invalid input received: New size for extend must be greater than current size. (current: ${v.size}, extended: ${newSize}).`);
      }
      checkVolumeQuota(cloud, { gigabytes: newSize - v.size });
      const back = v.status;
      v.status = "extending";
      cloud.scheduler.after(cloud.delays.volumeAttach, () => {
        v.size = newSize;
        v.status = back;
        v.updated_at = Date.now();
      });
      return { status: 202 };
    }
    case "os-set_bootable":
      v.bootable = truthy(arg["bootable"]);
      v.updated_at = Date.now();
      return { status: 200 };
    case "os-update_readonly_flag":
      v.metadata["readonly"] = truthy(arg["readonly"]) ? "True" : "False";
      return { status: 202 };
    case "os-reset_status":
    case "os-force_delete":
    case "os-force_detach":
    case "os-migrate_volume":
      throw cinderError(403, `Policy doesn't allow volume_extension:volume_admin_actions:${name.slice(3)} to be performed.`);
    default:
      throw cinderError(400, `There is no such action: ${name ?? "None"}`);
  }
}

function uploadToImage(cloud: CloudContext, v: VolumeRecord, arg: Record<string, unknown>, mv: number): Record<string, unknown> {
  const imageName = arg["image_name"];
  if (typeof imageName !== "string" || imageName === "") throw cinderError(400, "No image_name was specified in request.");
  const force = truthy(arg["force"]);
  if (!(v.status === "available" || (v.status === "in-use" && force))) {
    throw cinderError(400, `Invalid volume: Volume ${v.id} status must be available`);
  }
  const visibility = mv >= 3001 ? (typeof arg["visibility"] === "string" ? arg["visibility"] : "private") : "shared";
  if (!["public", "private", "shared", "community"].includes(visibility)) {
    throw cinderError(400, `Invalid input received: Invalid visibility value: ${visibility}.`);
  }
  const prot = mv >= 3001 ? truthy(arg["protected"]) : false;
  checkImageCount(cloud);
  checkImageSize(cloud, v.blob?.size ?? 0);
  const props: Record<string, string> = {};
  for (const [k, val] of Object.entries(v.image_metadata ?? {})) if (!META_SKIP.has(k)) props[k] = val;
  const diskFormat = typeof arg["disk_format"] === "string" ? arg["disk_format"] : "raw";
  const containerFormat = typeof arg["container_format"] === "string" ? arg["container_format"] : "bare";
  const img = createImageRecord(cloud, {
    name: imageName, visibility, protected: prot, disk_format: diskFormat, container_format: containerFormat, properties: props,
  });
  v.prev_status = v.status;
  v.status = "uploading";
  const blob = cloud.blobs.retain(v.blob);
  saveImageLater(cloud, img, blob, () => {
    cloud.scheduler.after(cloud.delays.imageSave, () => {
      if (cloud.store.volumes.get(v.id) === v && v.status === "uploading") {
        v.status = v.prev_status ?? "available";
        v.updated_at = Date.now();
      }
    });
  });
  const type = cloud.store.volumeTypes.get(v.volume_type_id);
  const out: Record<string, unknown> = {
    id: v.id,
    updated_at: v.updated_at === null ? null : isoMicros(v.updated_at),
    status: "uploading",
    display_description: v.description,
    size: v.size,
    volume_type: type
      ? { id: type.id, name: type.name, description: type.description, is_public: type.is_public, extra_specs: { ...type.extra_specs }, qos_specs_id: null, created_at: isoMicros(v.created_at), updated_at: null, deleted_at: null, deleted: false }
      : null,
    image_id: img.id,
    container_format: containerFormat,
    disk_format: diskFormat,
    image_name: imageName,
  };
  if (mv >= 3001) {
    out["protected"] = prot;
    out["visibility"] = visibility;
  }
  return out;
}
