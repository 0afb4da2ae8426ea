/**
 * Glance (image v2): images, their properties and tags, JSON-patch updates,
 * and streamed data upload and download.
 *
 * API: /v2/images[?filters], /v2/images/{id}, /v2/images/{id}/file.
 *
 * Quirks (Glance api-ref samples and a live Zed):
 * - The catalog URL has no version; paths here add /v2.
 * - Pagination: the body's `next` is relative to the endpoint root
 *   (`/v2/images?marker=…`), not to /v2.
 * - An image is a flat object: core fields and free-form properties side by
 *   side. Everything that is not a core field is a property, kept as a string.
 * - Updates are JSON patch with the content type
 *   `application/openstack-images-v2.1-json-patch`; removing a property that
 *   does not exist is a 409, so removal patches only keys that exist.
 * - Errors are HTML pages, not JSON.
 * - GET …/file streams the bytes with `Content-MD5` (the md5 `checksum`) and
 *   answers 204 when the image has no data. PUT …/file takes
 *   `application/octet-stream` and answers 204.
 * - `checksum` is md5; `os_hash_algo`/`os_hash_value` (sha512 by default)
 *   are the strong hash. Both stay null until data is uploaded.
 * Reference: https://docs.openstack.org/api-ref/image/v2/
 */
import type { Readable } from "node:stream";
import { z } from "zod";
import { ApiError } from "../errors.js";
import type { QueryParams } from "./http.js";
import { bool, id, int, intOrNull, str, strList, strOrNull, timestamp } from "./lenient.js";
import { listAll } from "./pagination.js";
import { call } from "./parse.js";
import type { ServiceClient } from "./session.js";
import { waitFor, waitForDeleted, type WaitOptions } from "./waiters.js";

/** An image service client. */
export type ImageClient = ServiceClient<"image">;

const enc = encodeURIComponent;

/** Fields Glance itself defines; every other key of an image is a property. */
export const IMAGE_CORE_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "name",
  "status",
  "visibility",
  "owner",
  "disk_format",
  "container_format",
  "size",
  "virtual_size",
  "min_disk",
  "min_ram",
  "checksum",
  "os_hash_algo",
  "os_hash_value",
  "protected",
  "tags",
  "created_at",
  "updated_at",
  "file",
  "schema",
  "self",
  "direct_url",
  "locations",
  "os_hidden",
  "stores",
]);

const ImageCore = z.object({
  id: id(),
  name: str(),
  status: str(),
  visibility: z
    .string()
    .nullish()
    .transform((v) => (v ?? "private") as "public" | "private" | "shared" | "community")
    .refine((v) => ["public", "private", "shared", "community"].includes(v), { error: "unknown visibility" }),
  owner: strOrNull(),
  disk_format: strOrNull(),
  container_format: strOrNull(),
  size: intOrNull(),
  virtual_size: intOrNull(),
  min_disk: int(0),
  min_ram: int(0),
  checksum: strOrNull(),
  os_hash_algo: strOrNull(),
  os_hash_value: strOrNull(),
  protected: bool(false),
  os_hidden: bool(false),
  tags: strList(),
  created_at: timestamp(),
  updated_at: timestamp(),
  file: strOrNull(),
  direct_url: strOrNull(),
  stores: strOrNull(),
});

function propertyString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** An image: core fields typed, every other key in `properties` as a string. */
export const Image = ImageCore.loose().transform((all) => {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (IMAGE_CORE_FIELDS.has(k)) continue;
    const s = propertyString(v);
    if (s !== undefined) properties[k] = s;
  }
  const core = Object.fromEntries(Object.keys(ImageCore.shape).map((k) => [k, all[k]])) as z.output<typeof ImageCore>;
  return { ...core, properties };
});
export type Image = z.output<typeof Image>;

export const ImageListResponse = z.object({
  images: z.array(Image),
  next: z.string().nullish(),
  first: z.string().nullish(),
  schema: z.string().nullish(),
});

/** Lists images, every page. Filters: visibility, owner, status, name, tag (array), member_status, or any property (os_distro=…). */
export async function listImages(client: ImageClient, filters: QueryParams = {}): Promise<Image[]> {
  return listAll(client, { path: "/v2/images", params: filters, key: "images", item: Image, style: "glance" });
}

/** Shows one image. */
export async function getImage(client: ImageClient, imageId: string): Promise<Image> {
  return (await call(client, Image, { method: "GET", path: `/v2/images/${enc(imageId)}` })).body;
}

/** What POST /v2/images takes; `properties` become top-level keys, as Glance wants them. */
export interface CreateImageRequest {
  name: string;
  disk_format: string;
  container_format: string;
  visibility?: "public" | "private" | "shared" | "community";
  min_disk?: number;
  min_ram?: number;
  tags?: string[];
  protected?: boolean;
  /** Lets the caller choose the id (Glance accepts a UUID). */
  id?: string;
  properties?: Record<string, string>;
}

/** Creates an image record (status queued); upload data with uploadImageData. */
export async function createImage(client: ImageClient, req: CreateImageRequest): Promise<Image> {
  const { properties, ...core } = req;
  for (const k of Object.keys(properties ?? {})) {
    if (IMAGE_CORE_FIELDS.has(k)) throw new ApiError(`image property "${k}" is a core field and cannot be set as a property`, { method: "POST", url: client.url("/v2/images"), fault: "client", retryable: false });
  }
  return (await call(client, Image, { method: "POST", path: "/v2/images", json: { ...properties, ...core } })).body;
}

/** One JSON-patch operation of an image update. */
export type ImagePatchOp =
  | { op: "add" | "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

/** Applies JSON-patch operations (`/name`, `/tags`, `/<property>`) to an image. */
export async function updateImage(client: ImageClient, imageId: string, ops: ImagePatchOp[]): Promise<Image> {
  return (
    await call(client, Image, {
      method: "PATCH",
      path: `/v2/images/${enc(imageId)}`,
      json: ops,
      headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
    })
  ).body;
}

/** JSON-pointer path of an image property (escapes `~` and `/`). */
export function imagePropertyPath(key: string): string {
  return "/" + key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Sets properties and removes others (only those the image has, since removing a missing one is a 409). */
export async function setImageProperties(
  client: ImageClient,
  image: Image,
  set: Record<string, string>,
  remove: readonly string[] = [],
): Promise<Image> {
  const ops: ImagePatchOp[] = [
    ...Object.entries(set).map(([k, v]) => ({ op: "add" as const, path: imagePropertyPath(k), value: v })),
    ...remove.filter((k) => k in image.properties && !(k in set)).map((k) => ({ op: "remove" as const, path: imagePropertyPath(k) })),
  ];
  if (ops.length === 0) return image;
  return updateImage(client, image.id, ops);
}

/** Deletes an image. */
export async function deleteImage(client: ImageClient, imageId: string): Promise<void> {
  await client.delete(`/v2/images/${enc(imageId)}`);
}

/** Uploads image data from a stream (back-pressure, never buffered); `size` sets Content-Length when known. */
export async function uploadImageData(
  client: ImageClient,
  imageId: string,
  data: Readable,
  opts: { size?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  await client.request({
    method: "PUT",
    path: `/v2/images/${enc(imageId)}/file`,
    body: data,
    headers: {
      "Content-Type": "application/octet-stream",
      ...(opts.size !== undefined ? { "Content-Length": String(opts.size) } : {}),
    },
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/** A running image download: the bytes and what the headers say about them. */
export interface ImageDownload {
  stream: Readable;
  contentLength: number | null;
  /** Hex md5 from Content-MD5 (Glance sends the image checksum there). */
  contentMd5: string | null;
  contentType: string | null;
  headers: Record<string, string>;
}

/** Starts downloading image data; the caller must consume or destroy the stream. */
export async function downloadImageData(client: ImageClient, imageId: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ImageDownload> {
  const res = await client.request<Readable>({
    method: "GET",
    path: `/v2/images/${enc(imageId)}/file`,
    responseType: "stream",
    headers: { Accept: "application/octet-stream" },
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (res.status === 204) {
    res.data.destroy();
    throw new ApiError(`GET ${res.url}: image ${imageId} has no data`, {
      method: "GET",
      url: res.url,
      status: 204,
      requestId: res.requestId,
      fault: "client",
      retryable: false,
    });
  }
  const len = res.headers["content-length"];
  return {
    stream: res.data,
    contentLength: len !== undefined && /^\d+$/.test(len) ? Number(len) : null,
    contentMd5: normalizeMd5(res.headers["content-md5"]),
    contentType: res.headers["content-type"] ?? null,
    headers: res.headers,
  };
}

/** Content-MD5 as hex: Glance sends hex, RFC 1864 says base64; both are accepted. */
export function normalizeMd5(v: string | undefined): string | null {
  if (!v) return null;
  const s = v.trim();
  if (/^[0-9a-f]{32}$/i.test(s)) return s.toLowerCase();
  const b = Buffer.from(s, "base64");
  return b.length === 16 ? b.toString("hex") : null;
}

/** Waits until an image has one of the statuses (default active); killed ends the wait. */
export async function waitForImage(
  client: ImageClient,
  imageId: string,
  status: string | readonly string[] = "active",
  opts: Partial<WaitOptions<Image>> = {},
): Promise<Image> {
  return waitFor(() => getImage(client, imageId), {
    what: `image/${imageId}`,
    failure: ["killed", "deleted", "pending_delete", "deactivated"],
    ...opts,
    success: typeof status === "string" ? [status] : status,
  });
}

