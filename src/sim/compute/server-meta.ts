/**
 * Nova server tags (2.26+) and server metadata.
 *
 * API: GET/PUT/DELETE /servers/{id}/tags, GET/PUT/DELETE /servers/{id}/tags/{tag};
 * GET/POST/PUT /servers/{id}/metadata, GET/PUT/DELETE /servers/{id}/metadata/{key}.
 *
 * Quirks (Zed): tags are limited to 50 per server, 60 characters, no "/" or
 * ","; checking a missing tag is a 404 "Server X has no tag 'q'"; adding one
 * tag answers 201 with a Location header and no body; below 2.26 the tag
 * routes do not exist (404); metadata beyond metadata_items is a 403.
 */
import type { CloudContext } from "../cloud-context.js";
import { novaError, unknownRoute } from "../core/errors.js";
import { asObject, readJson, type Ctx, type Reply } from "../core/http.js";
import { findServer } from "./servers.js";

const bad = (m: string) => novaError(400, m);

function checkTag(t: unknown): string {
  if (typeof t !== "string" || t.length < 1 || t.length > 60 || /[/,]/.test(t)) {
    throw bad(`Invalid input for field/attribute tags. Value: ${JSON.stringify(t)}.`);
  }
  return t;
}

function tagServer(cloud: CloudContext, ctx: Ctx) {
  if (ctx.mv < 2026) throw unknownRoute();
  return findServer(cloud, ctx.params[0]!);
}

/** All tag routes, by method and whether a tag is in the path. */
export function serverTags(cloud: CloudContext, ctx: Ctx, one: boolean): Reply | Promise<Reply> {
  const s = tagServer(cloud, ctx);
  const tag = ctx.params[1];
  if (ctx.method === "GET") {
    if (!one) return { status: 200, body: { tags: [...s.tags] } };
    if (!s.tags.includes(tag!)) throw novaError(404, `Server ${s.id} has no tag '${tag}'`);
    return { status: 204 };
  }
  if (ctx.method === "DELETE") {
    if (!one) s.tags = [];
    else {
      if (!s.tags.includes(tag!)) throw novaError(404, `Server ${s.id} has no tag '${tag}'`);
      s.tags = s.tags.filter((t) => t !== tag);
    }
    s.updated = Date.now();
    return { status: 204 };
  }
  if (one) {
    checkTag(tag);
    if (!s.tags.includes(tag!)) {
      if (s.tags.length >= 50) throw bad(`Number of tags on server ${s.id} exceeds the maximum of 50.`);
      s.tags.push(tag!);
    }
    s.updated = Date.now();
    return { status: 201, headers: { Location: `${cloud.baseUrl}/compute/v2.1/servers/${s.id}/tags/${tag}` } };
  }
  return (async (): Promise<Reply> => {
    const tags = asObject(await readJson(ctx, bad))?.["tags"];
    if (!Array.isArray(tags)) throw bad("Invalid input for field/attribute tags. 'tags' is a required property");
    if (tags.length > 50) throw bad(`Number of tags on server ${s.id} exceeds the maximum of 50.`);
    s.tags = [...new Set(tags.map(checkTag))];
    s.updated = Date.now();
    return { status: 200, body: { tags: [...s.tags] } };
  })();
}

function checkMeta(v: unknown): Record<string, string> {
  const o = asObject(v);
  if (!o) throw bad("Invalid input for field/attribute metadata. 'metadata' is a required property");
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== "string" || k.length > 255 || x.length > 255) throw bad(`Invalid input for field/attribute metadata. Value: ${JSON.stringify(o)}.`);
    out[k] = x;
  }
  return out;
}

function quota(cloud: CloudContext, count: number): void {
  const limit = cloud.store.quotas.metadata_items;
  if (limit >= 0 && count > limit) throw novaError(403, `Quota exceeded for metadata_items: Requested ${count}, but already used 0 of ${limit} metadata_items`);
}

/** All metadata routes. */
export async function serverMetadata(cloud: CloudContext, ctx: Ctx, one: boolean): Promise<Reply> {
  const s = findServer(cloud, ctx.params[0]!);
  const key = ctx.params[1];
  switch (ctx.method) {
    case "GET":
      if (!one) return { status: 200, body: { metadata: { ...s.metadata } } };
      if (!(key! in s.metadata)) throw novaError(404, "Metadata item was not found");
      return { status: 200, body: { meta: { [key!]: s.metadata[key!] } } };
    case "DELETE":
      if (!(key! in s.metadata)) throw novaError(404, "Metadata item was not found");
      delete s.metadata[key!];
      return { status: 204 };
    case "POST": {
      const md = checkMeta(asObject(await readJson(ctx, bad))?.["metadata"]);
      const merged = { ...s.metadata, ...md };
      quota(cloud, Object.keys(merged).length);
      s.metadata = merged;
      return { status: 200, body: { metadata: { ...s.metadata } } };
    }
    default: {
      const body = asObject(await readJson(ctx, bad));
      if (one) {
        const meta = checkMeta(body?.["meta"]);
        if (Object.keys(meta).length !== 1 || !(key! in meta)) throw bad("Request body and URI mismatch");
        quota(cloud, Object.keys({ ...s.metadata, ...meta }).length);
        s.metadata[key!] = meta[key!]!;
        return { status: 200, body: { meta } };
      }
      const md = checkMeta(body?.["metadata"]);
      quota(cloud, Object.keys(md).length);
      s.metadata = md;
      return { status: 200, body: { metadata: { ...md } } };
    }
  }
}
