/**
 * P1 tool worker: moves image or volume bytes between two simulated clouds
 * through the tool's own code, in its own process, and reports the time of
 * the data path and its peak RSS.
 *
 * Modes:
 * - `tool-image`: the mover (`streamImage`: download piped into the upload
 *   with md5 + sha512 on the way, both ends checked) for each source image at
 *   once, into fresh target images created before the clock starts;
 * - `tool-volume`: the volume path of the volume kind (`exportVolume` on the
 *   source, `streamImage`, a target volume created from the image and waited
 *   for); temporaries are removed after the clock stops.
 */
import { connectCloud } from "../../src/executor/connect.js";
import { cleanupExport, exportVolume } from "../../src/movers/volume-export.js";
import { streamImage, type TransferHandle } from "../../src/movers/image-stream.js";
import * as bs from "../../src/openstack/block-storage.js";
import type { OpenStackCloud } from "../../src/openstack/cloud.js";
import * as glance from "../../src/openstack/image.js";
import { deleteIgnoringMissing } from "../../src/openstack/missing.js";
import { workerInput, workerMain } from "../lib/child.js";
import type { P1Input, P1Output } from "./p1-types.js";

const quietTransfer: TransferHandle = { progress: () => {}, done: () => {}, failed: () => {} };

async function timed(fn: () => Promise<number[]>): Promise<P1Output> {
  const t0 = performance.now();
  const sizes = await fn();
  return { bytes: sizes.reduce((a, b) => a + b, 0), ms: performance.now() - t0 };
}

async function toolImages(inp: P1Input, src: OpenStackCloud, dst: OpenStackCloud): Promise<P1Output> {
  const wait = { minDelay: inp.pollMs, maxDelay: inp.pollMs * 10, timeoutMs: 30 * 60_000 };
  const sources = await Promise.all(inp.imageIds.map((id) => glance.getImage(src.image, id)));
  const targets = await Promise.all(sources.map((s, i) => glance.createImage(dst.image, { name: `bench-tool-${i}`, disk_format: s.disk_format ?? "raw", container_format: s.container_format ?? "bare", visibility: "private" })));
  try {
    return await timed(() =>
      Promise.all(sources.map(async (s, i) => (await streamImage({ from: src.image, fromImage: s, to: dst.image, toImageId: targets[i]!.id, transfer: quietTransfer, wait })).bytes)),
    );
  } finally {
    for (const t of targets) await deleteIgnoringMissing(glance.deleteImage(dst.image, t.id));
  }
}

async function toolVolume(inp: P1Input, src: OpenStackCloud, dst: OpenStackCloud): Promise<P1Output> {
  const wait = { minDelay: inp.pollMs, maxDelay: inp.pollMs * 10, timeoutMs: 30 * 60_000 };
  const ctx = { migration: "bench", stepId: "volume/bench", recordTemp: () => () => {}, wait };
  let dstImage: string | undefined;
  let dstVolume: string | undefined;
  try {
    return await timed(async () => {
      const img = await exportVolume(src, inp.volumeId!, "direct", "src", ctx);
      dstImage = (await glance.createImage(dst.image, { name: "bench-vol-img", disk_format: img.disk_format ?? "raw", container_format: img.container_format ?? "bare", visibility: "private" })).id;
      const r = await streamImage({ from: src.image, fromImage: img, to: dst.image, toImageId: dstImage, transfer: quietTransfer, wait });
      dstVolume = (await bs.createVolume(dst.blockStorage, { name: "bench-vol", size: inp.volumeSizeGiB!, imageRef: dstImage })).id;
      await bs.waitForVolume(dst.blockStorage, dstVolume, "available", wait);
      return [r.bytes];
    });
  } finally {
    await cleanupExport(src, "bench", "volume/bench", "src");
    if (dstImage) await deleteIgnoringMissing(glance.deleteImage(dst.image, dstImage));
    if (dstVolume) {
      await deleteIgnoringMissing(bs.deleteVolume(dst.blockStorage, dstVolume));
      await bs.waitForVolumeDeleted(dst.blockStorage, dstVolume, wait);
    }
  }
}

workerMain(async (): Promise<P1Output> => {
  const inp = workerInput<P1Input>();
  if (inp.mode !== "tool-image" && inp.mode !== "tool-volume") throw new Error(`p1-tool: unknown mode ${inp.mode}`);
  const src = await connectCloud(inp.src.name, { configFile: inp.cloudsFile });
  const dst = await connectCloud(inp.dst.name, { configFile: inp.cloudsFile });
  try {
    return inp.mode === "tool-image" ? await toolImages(inp, src, dst) : await toolVolume(inp, src, dst);
  } finally {
    src.close();
    dst.close();
  }
});
