/**
 * Planning of Glance images. Images the project owns (uploads and server
 * snapshots) are copied byte for byte; public images of the provider are not
 * steps: servers and volumes that use them are mapped to the target's
 * standard image by SCS metadata (see mapping/image.ts).
 *
 * Properties are copied except those that describe the source cloud or that
 * Glance computes itself. `signature_verified` in particular must never be
 * carried: Cinder (Zed) then writes it twice when it makes a volume from the
 * image and the volume goes to error after its data was copied.
 */
import { z } from "zod";
import type { Image } from "../model/inventory.js";
import { userTags } from "./common.js";
import { excluded, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const ImageParams = z
  .object({
    name: z.string(),
    disk_format: z.string().nullable(),
    container_format: z.string().nullable(),
    visibility: z.enum(["private", "shared", "community"]),
    min_disk: z.number().int(),
    min_ram: z.number().int(),
    tags: z.array(z.string()),
    properties: z.record(z.string(), z.string()),
  })
  .strict();
export type ImageParams = z.infer<typeof ImageParams>;

export const ImageOptions = z
  .object({
    verifyChecksum: z.boolean().describe("verify compares the target image's md5 with the source's (the copy itself always checks it)"),
  })
  .strict();
export type ImageOptions = z.infer<typeof ImageOptions>;

/** Properties that describe the source cloud, or that Glance or Cinder set themselves. */
const DROPPED_PROPERTIES = new Set([
  "signature_verified",
  "os_hash_algo",
  "os_hash_value",
  "stores",
  "direct_url",
  "locations",
  "instance_uuid",
  "base_image_ref",
  "user_id",
  "owner_id",
  "owner_project_name",
  "owner_user_name",
  "boot_roles",
  "image_location",
  "image_state",
  "scs_migrate",
  "scs_migrate_source",
]);

/** The properties of a source image that go to its copy. */
export function carriedProperties(props: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(props).sort()) {
    if (DROPPED_PROPERTIES.has(k) || k.startsWith("os_glance")) continue;
    out[k] = props[k]!;
  }
  return out;
}

/** Whether an image is a snapshot of a boot-from-volume server (no data in Glance, only a block device mapping). */
export function isVolumeSnapshotImage(img: Image): boolean {
  return "block_device_mapping" in img.properties || img.properties.bdm_v2 === "True" || img.properties.bdm_v2 === "true";
}

export function planImages(ctx: PlanContext): PlannedStep[] {
  const { source } = ctx;
  const out: PlannedStep[] = [];
  for (const img of source.images) {
    if (img.owner !== source.meta.project_id) continue;
    const id = ctx.ids.must("images", img.id);
    const src = { id: img.id, name: img.name };
    const facts = { status: img.status, size: img.size, checksum: img.checksum, visibility: img.visibility };
    if (excluded(ctx, id)) {
      out.push(skipFor("image", id, src, img, "skip_excluded_by_user", "excluded by the mapping file", facts));
      continue;
    }
    if (img.status !== "active") {
      ctx.finding({ severity: "warning", code: "image_not_active", step: id, message: `image "${img.name}" is ${img.status}; it has no data to copy` });
      out.push(skipFor("image", id, src, img, "skip_image_not_active", `status ${img.status}`, facts));
      continue;
    }
    if (isVolumeSnapshotImage(img)) {
      ctx.finding({
        severity: "warning",
        code: "volume_backed_snapshot",
        step: id,
        message: `image "${img.name}" is a snapshot of a boot-from-volume server (its data lives in Cinder snapshots); it is not copied`,
      });
      out.push(skipFor("image", id, src, img, "skip_unsupported", "snapshot of a boot-from-volume server", facts));
      continue;
    }
    let visibility: ImageParams["visibility"] = img.visibility === "public" ? "private" : img.visibility;
    if (img.visibility === "public") {
      ctx.finding({ severity: "info", code: "image_visibility", step: id, message: `image "${img.name}" is public on the source; its copy is private (publishing needs provider rights)` });
    }
    if (img.visibility === "shared") {
      ctx.finding({ severity: "info", code: "image_members", step: id, message: `image "${img.name}" is shared; its members are not copied (project ids differ between clouds)` });
      visibility = "shared";
    }
    const params: ImageParams = {
      name: img.name,
      disk_format: img.disk_format,
      container_format: img.container_format,
      visibility,
      min_disk: img.min_disk,
      min_ram: img.min_ram,
      tags: userTags(img.tags),
      properties: carriedProperties(img.properties),
    };
    out.push(
      stepFor("image", id, src, img, {
        params,
        options: { verifyChecksum: true },
        bytes: img.size ?? 0,
        facts,
      }),
    );
  }
  return out;
}
