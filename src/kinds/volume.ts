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
import type { Inventory } from "../model/inventory.js";
import { labelOf, shortId } from "./common.js";
import * as bs from "../openstack/block-storage.js";
import * as compute from "../openstack/compute.js";
import * as glance from "../openstack/image.js";
import { cleanupExport, exportVolume } from "../movers/volume-export.js";
import { tempName } from "../movers/temp-names.js";
import { WaitError } from "../errors.js";
import { hasMarkerMetadata, markerMetadata, userMetadata } from "./common.js";
import { copyImageTo } from "./image.js";
import { carriedProperties } from "./image.plan.js";
import { VerifyFinding, defineKind, type ApplyContext, type CollectContext, type Collector } from "./types.js";
import { planVolumes, VolumeOptions, VolumeParams } from "./volume.plan.js";
import { compareFields, deleteIgnoringMissing, mismatch, missing, orNull } from "./verify-helpers.js";

type Ctx = ApplyContext<VolumeParams, VolumeOptions>;

const GiB = 1024 ** 3;

async function findTargetVolumes(ctx: Ctx): Promise<bs.Volume[]> {
  const vols = await bs.listVolumes(ctx.target.blockStorage, { metadata: JSON.stringify({ scs_migrate_source: ctx.step.source.id }) });
  return vols.filter((v) => hasMarkerMetadata(v.metadata, ctx.migration, ctx.step.source.id));
}

function exportCtx(ctx: Ctx, side: "source" | "target") {
  return { migration: ctx.migration, stepId: ctx.stepId, recordTemp: (kind: string, id: string) => ctx.recordTemp(side, kind, id), wait: ctx.wait };
}

/** Stops the running source servers a volume is attached to (cold cutover). */
async function stopAttachedServers(ctx: Ctx, vol: bs.Volume): Promise<void> {
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
async function cleanupTemps(ctx: Ctx): Promise<void> {
  await cleanupExport(ctx.source, ctx.migration, ctx.stepId, "src");
  for (const img of await glance.listImages(ctx.target.image, { name: tempName(ctx.migration, ctx.stepId, "dst-img") })) {
    await deleteIgnoringMissing(glance.deleteImage(ctx.target.image, img.id));
  }
  for (const t of ctx.pendingTemps()) t.done();
}

/** Brings an existing target volume to the planned flags; returns it once available. */
async function finish(ctx: Ctx, vol: bs.Volume, p: VolumeParams): Promise<bs.Volume> {
  let v = vol;
  if (!["available", "in-use"].includes(v.status)) v = await bs.waitForVolume(ctx.target.blockStorage, v.id, ["available", "in-use"], ctx.wait);
  if (v.bootable !== p.bootable) await bs.setVolumeBootable(ctx.target.blockStorage, v.id, p.bootable);
  return v;
}

/** Cinder volumes, listed once for the volumes and the servers' attachments. */
export const listVolumesOnce = (cx: CollectContext) => cx.once("volume.volumes", () => bs.listVolumes(cx.cloud.blockStorage));

export const volumes: Collector<"volumes"> = {
  name: "volumes",
  async collect(cx) {
    return (await listVolumesOnce(cx)).map((v) => ({
      id: v.id,
      name: v.name,
      description: v.description,
      size: v.size,
      status: v.status,
      volume_type: v.volume_type,
      availability_zone: v.availability_zone,
      bootable: v.bootable,
      multiattach: v.multiattach,
      encrypted: v.encrypted,
      metadata: v.metadata,
      image_metadata: v.volume_image_metadata,
      source_image_id: v.volume_image_metadata.image_id ?? null,
      snapshot_id: v.snapshot_id,
      attachments: volumeAttachments(v),
      created_at: v.created_at,
    }));
  },
};

/** A volume's attachments to servers, by device. */
export function volumeAttachments(v: bs.Volume): { server_id: string; device: string | null; attachment_id: string | null }[] {
  return v.attachments
    .filter((a) => a.server_id)
    .map((a) => ({ server_id: a.server_id!, device: a.device, attachment_id: a.attachment_id }))
    .sort((x, y) => (x.device ?? "").localeCompare(y.device ?? ""));
}

export const volumeSnapshots: Collector<"volume_snapshots"> = {
  name: "volume_snapshots",
  async collect(cx) {
    return (await bs.listSnapshots(cx.cloud.blockStorage)).map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      volume_id: s.volume_id,
      size: s.size,
      status: s.status,
      metadata: s.metadata,
      created_at: s.created_at,
    }));
  },
};

/** Unnamed boot volumes are named after their server (`web-1-root`). */
function volumeLabels(inv: Inventory): (v: { id: string; name: string }) => string {
  const bootOf = new Map<string, string>();
  for (const s of inv.servers) for (const v of s.volumes) if (v.boot_index === 0) bootOf.set(v.volume_id, labelOf(s) || shortId(s.id));
  return (v) => {
    if (v.name) return labelOf(v);
    const owner = bootOf.get(v.id);
    return owner ? `${owner}-root` : "";
  };
}

/** How many servers a volume was attached to at planning (0 when the facts do not say). */
function attachedTo(step: { source: { facts?: Record<string, unknown> } }): number {
  const facts = step.source.facts as { attached_to?: unknown[] } | undefined;
  return Array.isArray(facts?.attached_to) ? facts.attached_to.length : 0;
}

export const volume = defineKind<VolumeParams, VolumeOptions>({
  kind: "volume",
  color: "#6a4fa3",
  removeTemp: async (cloud, tempKind, id) => {
    if (tempKind === "volume") await deleteIgnoringMissing(bs.deleteVolume(cloud.blockStorage, id));
    else if (tempKind === "snapshot") await deleteIgnoringMissing(bs.deleteSnapshot(cloud.blockStorage, id));
    else return false;
    return true;
  },
  collection: volumes,
  stepLabels: volumeLabels,
  describe: (step) =>
    `${step.params.size} GiB${step.params.volume_type ? ` ${step.params.volume_type.name}` : ""}, copy${step.options.consistency === "stop-server" && attachedTo(step) > 0 ? " (attached servers stopped)" : ""}`,
  quotaNeeds: (step) => ({ volumes: 1, gigabytes: step.params.size }),
  driftCandidates: (inv) => inv.volumes,
  lane: () => "copy",
  paramsSchema: VolumeParams,
  optionsSchema: VolumeOptions,
  plan: planVolumes,

  async find(ctx) {
    return (await findTargetVolumes(ctx))[0]?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const o = ctx.stepOptions;
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
      (id) => void ctx.recordTemp("target", "image", id),
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
    const p = ctx.params;
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
});

/** Compares the bytes of source and target volume through Glance checksums of fresh exports. */
async function deepCompare(ctx: Ctx, targetId: string): Promise<VerifyFinding[]> {
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
