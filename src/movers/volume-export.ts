/**
 * Turning a Cinder volume into a Glance image on the same cloud, the only way
 * the block-storage API lets a tenant read a volume's bytes:
 *
 * - an available volume is uploaded directly (os-volume_upload_image);
 * - an in-use volume (or any volume in "snapshot" consistency) is snapshotted
 *   (force), a temporary volume is made from the snapshot and uploaded. This
 *   needs no `enable_force_upload` on the provider's Cinder and gives a
 *   point-in-time copy while the server runs.
 *
 * Every temporary resource has a derived name (temp-names.ts) and is recorded
 * before it is relied on; `cleanupExport` removes them, also after a crash.
 * A block-storage microversion ≥ 3.1 is sent (the client negotiates 3.60),
 * without which the uploaded image would come out `shared`.
 */
import * as bs from "../openstack/block-storage.js";
import * as glance from "../openstack/image.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import { deleteIgnoringMissing } from "../openstack/missing.js";
import { tempName } from "./temp-names.js";

export interface ExportContext {
  migration: string;
  stepId: string;
  /** Records a temporary resource; returns the function that marks it deleted. */
  recordTemp(kind: string, id: string): () => void;
  wait: { minDelay: number; maxDelay: number; timeoutMs: number; signal?: AbortSignal };
}

/** Names of an export's temporary resources for one side ("src" or "dst", or "verify-…"). */
export function exportNames(migration: string, stepId: string, tag: string) {
  return {
    snapshot: tempName(migration, stepId, `${tag}-snap`),
    volume: tempName(migration, stepId, `${tag}-vol`),
    image: tempName(migration, stepId, `${tag}-img`),
  };
}

/** Exports a volume into an active image and returns it; temporary volume and snapshot are removed once the image is active. */
export async function exportVolume(cloud: OpenStackCloud, volumeId: string, mode: "direct" | "snapshot", tag: string, ctx: ExportContext): Promise<glance.Image> {
  const names = exportNames(ctx.migration, ctx.stepId, tag);
  const b = cloud.blockStorage;
  // A usable image from an earlier attempt saves the whole export; one still being written by Cinder is waited for.
  for (const img of await glance.listImages(cloud.image, { name: names.image })) {
    if (img.status === "active" && img.checksum) return img;
    if (img.status === "queued" || img.status === "saving") {
      // Why bounded: an upload whose Cinder worker died leaves the image queued for ever.
      const done = await glance.waitForImage(cloud.image, img.id, "active", { ...ctx.wait, timeoutMs: Math.min(ctx.wait.timeoutMs, 5 * 60_000) }).catch(() => null);
      if (done?.checksum) return done;
    }
  }
  await cleanupExport(cloud, ctx.migration, ctx.stepId, tag);

  let uploadFrom = volumeId;
  const drop: (() => Promise<void>)[] = [];
  if (mode === "snapshot") {
    const snap = await bs.createSnapshot(b, { volume_id: volumeId, name: names.snapshot, force: true });
    const snapDone = ctx.recordTemp("snapshot", snap.id);
    await bs.waitForSnapshot(b, snap.id, "available", ctx.wait);
    const src = await bs.getVolume(b, volumeId);
    const tmp = await bs.createVolume(b, { name: names.volume, size: src.size, snapshot_id: snap.id, ...(src.volume_type ? { volume_type: src.volume_type } : {}), ...(src.availability_zone ? { availability_zone: src.availability_zone } : {}) });
    const volDone = ctx.recordTemp("volume", tmp.id);
    await bs.waitForVolume(b, tmp.id, "available", ctx.wait);
    uploadFrom = tmp.id;
    drop.push(async () => {
      await bs.waitForVolume(b, tmp.id, "available", ctx.wait);
      await deleteIgnoringMissing(bs.deleteVolume(b, tmp.id));
      await bs.waitForVolumeDeleted(b, tmp.id, ctx.wait);
      volDone();
      await deleteIgnoringMissing(bs.deleteSnapshot(b, snap.id));
      snapDone();
    });
  }
  const up = await bs.uploadVolumeToImage(b, uploadFrom, { image_name: names.image, disk_format: "raw", container_format: "bare", visibility: "private" });
  ctx.recordTemp("image", up.image_id);
  const image = await glance.waitForImage(cloud.image, up.image_id, "active", ctx.wait);
  for (const d of drop) await d();
  if (mode === "direct") await bs.waitForVolume(b, volumeId, ["available", "in-use"], ctx.wait);
  return image;
}

/** Deletes every temporary resource of an export (by name), whether or not the state file knows it. */
export async function cleanupExport(cloud: OpenStackCloud, migration: string, stepId: string, tag: string): Promise<void> {
  const names = exportNames(migration, stepId, tag);
  const b = cloud.blockStorage;
  for (const img of await glance.listImages(cloud.image, { name: names.image })) await deleteIgnoringMissing(glance.deleteImage(cloud.image, img.id));
  // Why skip "deleting": asking Cinder to delete what it is already deleting is a 400, not a no-op.
  for (const v of await bs.listVolumes(b, { name: names.volume })) {
    if (v.status === "deleting") continue;
    if (["creating", "downloading", "uploading"].includes(v.status)) await bs.waitForVolume(b, v.id, ["available", "error"], { minDelay: 500, maxDelay: 5000, timeoutMs: 30 * 60_000 });
    await deleteIgnoringMissing(bs.deleteVolume(b, v.id));
  }
  for (const s of await bs.listSnapshots(b, { name: names.snapshot })) {
    if (s.status === "deleting") continue;
    if (s.status === "creating") await bs.waitForSnapshot(b, s.id, ["available", "error"], { minDelay: 500, maxDelay: 5000, timeoutMs: 30 * 60_000 });
    // The temporary volume made from it must be gone before Cinder lets the snapshot go.
    for (const v of await bs.listVolumes(b, { name: names.volume })) await bs.waitForVolumeDeleted(b, v.id, { minDelay: 500, maxDelay: 5000, timeoutMs: 30 * 60_000 });
    await deleteIgnoringMissing(bs.deleteSnapshot(b, s.id));
  }
}
