/**
 * Glance image data: PUT /v2/images/{id}/file (streamed to disk while md5 and
 * sha512 are computed) and GET /v2/images/{id}/file (streamed from disk with
 * Content-Length and Content-MD5, single byte ranges answered with 206).
 *
 * Quirks (Zed): the image is `saving` while the upload runs and goes back to
 * `queued` if the client aborts; uploading into a non-queued image is a 409
 * "Image status transition from active to saving is not allowed"; a 204 with
 * an empty text/html body answers a finished upload and a download of an image
 * without data. The truncate fault sends the full Content-Length and then
 * destroys the socket mid-body, exactly what a dying proxy does.
 */
import { createReadStream } from "node:fs";
import type { CloudContext } from "../cloud-context.js";
import { glanceError } from "../core/errors.js";
import type { Ctx, Reply } from "../core/http.js";
import { BlobTooLarge } from "../store/blobs.js";
import type { ImageRecord } from "../store/records.js";
import { activateImage, checkImageSize, overLimit, imageUsage } from "./model.js";

/** Handles PUT /v2/images/{id}/file. */
export async function uploadData(cloud: CloudContext, ctx: Ctx, img: ImageRecord): Promise<Reply> {
  const pid = cloud.store.identity.projectId;
  if (img.owner !== pid) throw glanceError(403, "You are not permitted to upload data to this image.");
  const ct = (ctx.req.headers["content-type"] ?? "application/octet-stream").split(";")[0]!.trim();
  if (ct !== "application/octet-stream") {
    throw glanceError(415, `The request media type ${ct} is not supported by this server.`);
  }
  if (img.status !== "queued") {
    throw glanceError(409, `Image status transition from ${img.status} to saving is not allowed`, "", { Connection: "close" });
  }
  const declared = Number(ctx.req.headers["content-length"] ?? "0");
  checkImageSize(cloud, Number.isFinite(declared) ? declared : 0);
  const uploading = cloud.store.quotas.image_count_uploading;
  if (uploading >= 0) {
    const u = imageUsage(cloud).uploading;
    if (u + 1 > uploading) throw overLimit(cloud, "image_count_uploading", uploading, u, 1);
  }
  const sizeLimit = cloud.store.quotas.image_size_total;
  const byteLimit = sizeLimit < 0 ? Number.MAX_SAFE_INTEGER : Math.max(0, sizeLimit * 1024 * 1024 - imageUsage(cloud).mib * 1024 * 1024);
  img.status = "saving";
  img.updated_at = Date.now();
  let blob;
  try {
    blob = await cloud.blobs.ingest(ctx.req, byteLimit, Number.isFinite(declared) && ctx.req.headers["content-length"] !== undefined ? declared : -1);
  } catch (err) {
    if (cloud.store.images.get(img.id) === img && img.status === "saving") img.status = "queued";
    if (err instanceof BlobTooLarge) throw overLimit(cloud, "image_size_total", sizeLimit, imageUsage(cloud).mib, Math.ceil(byteLimit / 1048576) + 1);
    throw err;
  }
  if (cloud.store.images.get(img.id) !== img) {
    // Deleted while uploading: Glance answers 410 and drops the data.
    cloud.blobs.release(blob);
    throw glanceError(410, "Image has been deleted during the upload.");
  }
  activateImage(img, blob);
  return { status: 204, contentType: "text/html; charset=UTF-8" };
}

function parseRange(h: string | undefined, size: number): [number, number] | undefined | "bad" {
  if (!h) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "bad";
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return "bad";
  return [start, end];
}

/** Handles GET /v2/images/{id}/file; writes the response itself. */
export function downloadData(cloud: CloudContext, ctx: Ctx, img: ImageRecord): Reply | void {
  if (img.status === "deactivated") {
    throw glanceError(403, "The requested image has been deactivated. Image data download is forbidden.");
  }
  const blob = img.blob;
  if (img.status !== "active") return { status: 204, headers: {} };
  if (!blob) {
    // Why: Glance answers 200 with an empty body for an active 0-byte image (an
    // empty volume uploaded by Cinder); 204 is only for images that have no data yet.
    ctx.res.writeHead(200, { ...ctx.respHeaders, "Content-Type": "application/octet-stream", "Content-Length": "0", ...(img.checksum ? { "Content-MD5": img.checksum } : {}) });
    ctx.res.end();
    return;
  }
  const range = parseRange(ctx.req.headers["range"], blob.size);
  if (range === "bad") {
    throw glanceError(416, "Requested range not satisfiable", "", { "Content-Range": `bytes */${blob.size}` });
  }
  const [start, end] = range ?? [0, blob.size - 1];
  const length = blob.size === 0 ? 0 : end - start + 1;
  const headers: Record<string, string> = {
    ...ctx.respHeaders,
    "Content-Type": "application/octet-stream",
    "Content-Length": String(length),
  };
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${blob.size}`;
  else headers["Content-MD5"] = blob.md5;
  const res = ctx.res;
  res.writeHead(range ? 206 : 200, headers);
  if (ctx.method === "HEAD" || length === 0) {
    res.end();
    return;
  }
  const cut = cloud.faults.drawTruncate(length);
  const stream = createReadStream(blob.path, {
    start,
    end: cut === undefined ? end : start + Math.max(0, cut - 1),
    highWaterMark: 1 << 20,
  });
  stream.on("error", () => res.destroy());
  res.on("close", () => stream.destroy());
  if (cut === undefined) {
    stream.pipe(res);
    return;
  }
  stream.pipe(res, { end: false });
  stream.on("end", () => {
    // Why: a cut stream must look like a dropped connection, never like a short complete body.
    res.socket?.destroy();
    res.destroy();
  });
}
