/**
 * Glance images the project owns, copied byte for byte. The target image is
 * created with the marker properties in the same call (Glance takes
 * properties at creation), so it can always be found again; its data is
 * streamed from the source with checksums checked on both ends
 * (movers/image-stream.ts). A target image left `queued` by an interrupted
 * upload gets its data again; one in any other unfinished state is replaced.
 *
 * API: GET/POST /v2/images, PUT/GET /v2/images/{id}/file, DELETE /v2/images/{id}
 */
import { fmtBytes } from "../util/format.js";
import * as glance from "../openstack/image.js";
import { streamImage } from "../movers/image-stream.js";
import { hasMarkerMetadata, markerMetadata, userTags } from "./common.js";
import { ImageOptions, ImageParams, planImages } from "./image.plan.js";
import { defineKind, type ApplyContext, type Collector } from "./types.js";
import { compareFields, deleteIgnoringMissing, mismatch, missing, orNull } from "./verify-helpers.js";

type Ctx = ApplyContext<ImageParams, ImageOptions>;

/** Images of this migration for this source id (by marker properties). */
export async function findMarkedImages(ctx: ApplyContext<unknown, unknown>, client: glance.ImageClient, sourceId: string): Promise<glance.Image[]> {
  const found = await glance.listImages(client, { scs_migrate_source: sourceId });
  return found.filter((i) => hasMarkerMetadata(i.properties, ctx.migration, sourceId));
}

/**
 * Makes sure a target image with the given fields and markers holds the bytes
 * of `source`: reuses a complete one, refills a queued one, replaces a broken
 * one. Returns the target image id.
 */
export async function copyImageTo(
  ctx: ApplyContext<unknown, unknown>,
  source: glance.Image,
  create: glance.CreateImageRequest,
  markerSourceId: string,
  label: string,
  /** Called right after the target image is created, before any byte moves, so a crash cannot lose track of it. */
  onCreated?: (imageId: string) => void,
): Promise<string> {
  const to = ctx.target.image;
  let target: glance.Image | undefined;
  for (const img of await findMarkedImages(ctx, to, markerSourceId)) {
    if (!target && img.status === "active" && img.checksum === source.checksum) target = img;
    else if (!target && img.status === "queued") target = img;
    else await deleteIgnoringMissing(glance.deleteImage(to, img.id));
  }
  if (target?.status === "active") return target.id;
  if (!target) {
    target = await glance.createImage(to, { ...create, properties: { ...create.properties, ...markerMetadata(ctx.migration, markerSourceId) } });
    onCreated?.(target.id);
  }
  const handle = ctx.transfer(label, source.size);
  try {
    const r = await streamImage({ from: ctx.source.image, fromImage: source, to, toImageId: target.id, transfer: handle, signal: ctx.signal, wait: ctx.wait });
    handle.done({ bytes: r.bytes, sourceMd5: source.checksum, targetMd5: r.md5, sourceSha512: source.os_hash_value, targetSha512: r.sha512 });
  } catch (err) {
    handle.failed();
    throw err;
  }
  return target.id;
}

export const images: Collector<"images"> = {
  name: "images",
  async collect(cx) {
    return (await glance.listImages(cx.cloud.image)).map((i) => ({
      id: i.id,
      name: i.name,
      status: i.status,
      visibility: i.visibility,
      owner: i.owner,
      disk_format: i.disk_format,
      container_format: i.container_format,
      size: i.size,
      min_disk: i.min_disk,
      min_ram: i.min_ram,
      checksum: i.checksum,
      os_hash_algo: i.os_hash_algo,
      os_hash_value: i.os_hash_value,
      protected: i.protected,
      tags: [...i.tags].sort(),
      properties: { ...i.properties, ...(i.os_hidden ? { os_hidden: "true" } : {}) },
      created_at: i.created_at,
    }));
  },
};

export const image = defineKind<ImageParams, ImageOptions>({
  kind: "image",
  color: "#d4a017",
  removeTemp: async (cloud, tempKind, id) => {
    if (tempKind !== "image") return false;
    await deleteIgnoringMissing(glance.deleteImage(cloud.image, id));
    return true;
  },
  collection: images,
  describe: (step) => `${fmtBytes(step.bytes ?? 0)} copy, ${step.params.disk_format ?? "?"}`,
  driftCandidates: (inv) => inv.images,
  lane: () => "copy",
  paramsSchema: ImageParams,
  optionsSchema: ImageOptions,
  plan: planImages,

  async find(ctx) {
    const imgs = await findMarkedImages(ctx, ctx.target.image, ctx.step.source.id);
    return imgs.find((i) => i.status === "active")?.id ?? imgs[0]?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const source = await glance.getImage(ctx.source.image, ctx.step.source.id);
    const id = await copyImageTo(
      ctx,
      source,
      {
        name: p.name,
        disk_format: p.disk_format ?? "raw",
        container_format: p.container_format ?? "bare",
        visibility: p.visibility,
        min_disk: p.min_disk,
        min_ram: p.min_ram,
        ...(p.tags.length ? { tags: p.tags } : {}),
        properties: p.properties,
      },
      ctx.step.source.id,
      p.name || ctx.stepId,
    );
    return { outcome: "created", targetId: id, extra: { checksum: source.checksum } };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const t = await orNull(glance.getImage(ctx.target.image, targetId));
    if (!t) return [missing(ctx)];
    const findings = compareFields(ctx, p, { ...t, tags: userTags(t.tags) }, ["name", "disk_format", "container_format", "visibility", "min_disk", "min_ram", "tags"]);
    if (t.status !== "active") findings.push(mismatch(ctx, "status", "active", t.status));
    for (const [k, v] of Object.entries(p.properties)) if (t.properties[k] !== v) findings.push(mismatch(ctx, `properties.${k}`, v, t.properties[k] ?? null));
    const expected = ctx.extraOf(ctx.stepId).checksum ?? (ctx.step.source.facts as { checksum?: string } | undefined)?.checksum;
    if (ctx.stepOptions.verifyChecksum && expected && t.checksum !== expected) findings.push(mismatch(ctx, "checksum", expected, t.checksum, "image checksum (md5)"));
    return findings;
  },

  async remove(ctx, targetId) {
    await deleteIgnoringMissing(glance.deleteImage(ctx.target.image, targetId));
  },
});
