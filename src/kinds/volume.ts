/**
 * Cinder volumes with their data. The copy path is the one a tenant has on
 * any OpenStack: the source volume becomes a Glance image (movers/
 * volume-export.ts: directly, or through a snapshot and temporary volume when
 * it is in use), the image is streamed to a temporary image on the target
 * with checksums, and the target volume is made from it with the mapped type
 * and zone. Every temporary snapshot, volume and image on both sides is then
 * deleted. In cold cutover the servers the volume is attached to are stopped
 * first (and started again by their server step, or at the end of the run).
 *
 * The target volume carries the marker metadata from its creation, so a
 * retry finds it; a retry also finds the temporaries by name and reuses the
 * ones that are complete.
 *
 * API: /v3/{project}/volumes, /snapshots, POST /volumes/{id}/action
 * (os-volume_upload_image, os-set_bootable), Glance /v2/images
 */
import * as bs from "../openstack/block-storage.js";
import * as compute from "../openstack/compute.js";
import * as glance from "../openstack/image.js";
import { cleanupExport, exportVolume } from "../movers/volume-export.js";
import { tempName } from "../movers/temp-names.js";
import { WaitError } from "../errors.js";
import { hasMarkerMetadata, markerMetadata, userMetadata } from "./common.js";
import { copyImageTo } from "./image.js";
import { carriedProperties } from "./image.plan.js";
import type { ApplyContext, ResourceKind, VerifyFinding } from "./types.js";
import { planVolumes, VolumeOptions, VolumeParams } from "./volume.plan.js";
import { compareFields, deleteIgnoringMissing, mismatch, missing, orNull } from "./verify-helpers.js";

const GiB = 1024 ** 3;

async function findTargetVolumes(ctx: ApplyContext): Promise<bs.Volume[]> {
  const vols = await bs.listVolumes(ctx.target.blockStorage, { metadata: JSON.stringify({ scs_migrate_source: ctx.step.source.id }) });
  return vols.filter((v) => hasMarkerMetadata(v.metadata, ctx.migration, ctx.step.source.id));
}

function exportCtx(ctx: ApplyContext, side: "source" | "target") {
  return { migration: ctx.migration, stepId: ctx.stepId, recordTemp: (kind: string, id: string) => ctx.recordTemp(side, kind, id), wait: ctx.wait };
}

/** Stops the running source servers a volume is attached to (cold cutover). */
async function stopAttachedServers(ctx: ApplyContext, vol: bs.Volume): Promise<void> {
  for (const a of vol.attachments) {
    if (!a.server_id) continue;
    // Why idle first: another volume of the same server may be stopping it right now.
    const s = await compute.waitForServerIdle(ctx.source.compute, a.server_id, ctx.wait);
    if (s.status !== "ACTIVE") continue;
    ctx.sourceStopped.mark(s.id);
    await compute.stopServerAndWait(ctx.source.compute, s.id, ctx.wait);
  }
}

/** Removes every temporary resource of this step on both clouds. */
async function cleanupTemps(ctx: ApplyContext): Promise<void> {
  await cleanupExport(ctx.source, ctx.migration, ctx.stepId, "src");
  for (const img of await glance.listImages(ctx.target.image, { name: tempName(ctx.migration, ctx.stepId, "dst-img") })) {
    await deleteIgnoringMissing(glance.deleteImage(ctx.target.image, img.id));
  }
  for (const t of ctx.pendingTemps()) t.done();
}

/** Brings an existing target volume to the planned flags; returns it once available. */
async function finish(ctx: ApplyContext, vol: bs.Volume, p: VolumeParams): Promise<bs.Volume> {
  let v = vol;
  if (!["available", "in-use"].includes(v.status)) v = await bs.waitForVolume(ctx.target.blockStorage, v.id, ["available", "in-use"], ctx.wait);
  if (v.bootable !== p.bootable) await bs.setVolumeBootable(ctx.target.blockStorage, v.id, p.bootable);
  return v;
}

export const volume: ResourceKind = {
  kind: "volume",
  lane: () => "copy",
  paramsSchema: VolumeParams,
  optionsSchema: VolumeOptions,
  plan: planVolumes,

  async find(ctx) {
    return (await findTargetVolumes(ctx))[0]?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.step.params as VolumeParams;
    const o = ctx.step.options as VolumeOptions;
    const b = ctx.target.blockStorage;
    const meta = { ...p.metadata, ...markerMetadata(ctx.migration, ctx.step.source.id) };
    const create = (imageRef?: string) =>
      bs.createVolume(b, {
        name: p.name,
        description: p.description,
        size: p.size,
        metadata: meta,
        ...(p.volume_type ? { volume_type: p.volume_type.name } : {}),
        ...(p.availability_zone ? { availability_zone: p.availability_zone } : {}),
        ...(imageRef ? { imageRef } : {}),
      });

    for (const v of await findTargetVolumes(ctx)) {
      if (v.status.startsWith("error")) {
        ctx.warn(`target volume ${v.id} of an earlier attempt is ${v.status}; replacing it`);
        await deleteIgnoringMissing(bs.deleteVolume(b, v.id));
        continue;
      }
      const done = await finish(ctx, v, p);
      await cleanupTemps(ctx);
      return { outcome: "created", targetId: done.id };
    }

    if (!o.dataCopy) {
      const v = await finish(ctx, await create(), p);
      return { outcome: "created", targetId: v.id };
    }

    const src = await bs.getVolume(ctx.source.blockStorage, ctx.step.source.id);
    if (o.consistency === "stop-server") await stopAttachedServers(ctx, src);
    const mode = src.status === "available" && o.consistency !== "snapshot" ? "direct" : "snapshot";
    const srcImage = await exportVolume(ctx.source, src.id, mode, "src", exportCtx(ctx, "source"));
    const dstImageId = await copyImageTo(
      ctx,
      srcImage,
      {
        name: tempName(ctx.migration, ctx.stepId, "dst-img"),
        disk_format: srcImage.disk_format ?? "raw",
        container_format: srcImage.container_format ?? "bare",
        visibility: "private",
        min_disk: Math.min(srcImage.min_disk, p.size),
        // Why: the volume's image metadata (os_distro, hw_disk_bus, …) travels as image properties into the new volume.
        properties: carriedProperties(Object.fromEntries(Object.entries(srcImage.properties).filter(([k]) => !k.startsWith("scs_migrate")))),
      },
      `${ctx.step.source.id}/data`,
      `${p.name || ctx.stepId} (volume)`,
    );
    let vol: bs.Volume;
    try {
      vol = await create(dstImageId);
      vol = await bs.waitForVolume(b, vol.id, "available", ctx.wait);
    } catch (err) {
      if (err instanceof WaitError) ctx.warn(`target volume did not become available: ${err.message}`);
      throw err;
    }
    vol = await finish(ctx, vol, p);
    await cleanupTemps(ctx);
    return { outcome: "created", targetId: vol.id, extra: { bytes: (srcImage.size ?? p.size * GiB) } };
  },

  cleanup: cleanupTemps,

  async verify(ctx, targetId, opts) {
    const p = ctx.step.params as VolumeParams;
    const v = await orNull(bs.getVolume(ctx.target.blockStorage, targetId));
    if (!v) return [missing(ctx)];
    const findings: VerifyFinding[] = compareFields(ctx, p, { ...v, metadata: userMetadata(v.metadata) }, ["name", "description", "size", "bootable", "metadata"]);
    if (p.volume_type && v.volume_type !== p.volume_type.name) findings.push(mismatch(ctx, "volume_type", p.volume_type.name, v.volume_type));
    if (!["available", "in-use"].includes(v.status)) findings.push(mismatch(ctx, "status", "available or in-use", v.status));
    if (opts.deep) findings.push(...(await deepCompare(ctx, targetId)));
    return findings;
  },

  async remove(ctx, targetId) {
    const b = ctx.target.blockStorage;
    const v = await orNull(bs.getVolume(b, targetId));
    if (!v) return;
    for (const a of v.attachments) {
      if (!a.server_id) continue;
      await deleteIgnoringMissing(compute.detachVolume(ctx.target.compute, a.server_id, targetId));
    }
    if (v.attachments.length) await bs.waitForVolume(b, targetId, "available", ctx.wait);
    await deleteIgnoringMissing(bs.deleteVolume(b, targetId));
    await bs.waitForVolumeDeleted(b, targetId, ctx.wait);
    await cleanupTemps(ctx);
  },
};

/** Compares the bytes of source and target volume through Glance checksums of fresh exports. */
async function deepCompare(ctx: ApplyContext, targetId: string): Promise<VerifyFinding[]> {
  const src = await bs.getVolume(ctx.source.blockStorage, ctx.step.source.id);
  const dst = await bs.getVolume(ctx.target.blockStorage, targetId);
  const srcImg = await exportVolume(ctx.source, src.id, src.status === "available" ? "direct" : "snapshot", "verify-src", exportCtx(ctx, "source"));
  const dstImg = await exportVolume(ctx.target, dst.id, dst.status === "available" ? "direct" : "snapshot", "verify-dst", exportCtx(ctx, "target"));
  try {
    // Why: a raw export is the volume's full size; Glance's md5 of it is the volume's content digest.
    if (srcImg.checksum !== dstImg.checksum) return [mismatch(ctx, "data (md5)", srcImg.checksum, dstImg.checksum, "volume data")];
    return [];
  } finally {
    await cleanupExport(ctx.source, ctx.migration, ctx.stepId, "verify-src");
    await cleanupExport(ctx.target, ctx.migration, ctx.stepId, "verify-dst");
  }
}
