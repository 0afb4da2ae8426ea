/**
 * The simulated Glance v2 under `/image`.
 *
 * API: GET /image/ (300) and /image/versions; /v2/images (list, create),
 * /v2/images/{id} (show, PATCH, delete), /v2/images/{id}/file (PUT, GET),
 * /v2/images/{id}/tags/{tag}, /v2/images/{id}/members[/{member}],
 * /v2/images/{id}/actions/(de|re)activate, /v2/info/usage|import|stores.
 *
 * Quirks (Zed): errors are webob HTML pages; list pages default to 25 items
 * and carry relative `first`/`next` links (`/v2/images?…`); the default list
 * hides `community` and `os_hidden` images; a bad marker is a 400 "No image
 * found with ID x"; sorting is by created_at desc then id desc unless `sort`
 * or `sort_key`/`sort_dir` say otherwise.
 */
import type { CloudContext, SimService } from "../cloud-context.js";
import { glanceError } from "../core/errors.js";
import { Router, asObject, parseBool, readJson, type Ctx, type Reply } from "../core/http.js";
import { isUuid } from "../core/ids.js";
import { pageArray, pageTable } from "../core/paging.js";
import { parseTime } from "../core/time.js";
import type { ImageRecord } from "../store/records.js";
import { imageVersions } from "../versions.js";
import { downloadData, uploadData } from "./data.js";
import { CORE_KEYS, READ_ONLY, checkImageCount, createImageRecord, imageUsage, imageView, imageVisible, removeImage } from "./model.js";
import { PATCH_TYPES, applyPatch, checkAttribute, schemaError } from "./patch.js";

const bad = (m: string) => glanceError(400, m);

/** Builds the image service of a cloud. */
export function imageService(cloud: CloudContext): SimService {
  const r = new Router();
  const store = cloud.store;
  const pid = () => store.identity.projectId;

  const find = (id: string): ImageRecord => {
    const img = store.images.get(id);
    if (!img || !imageVisible(cloud, img)) throw glanceError(404, `No image found with ID ${id}`);
    return img;
  };
  const owned = (img: ImageRecord, what: string) => {
    if (img.owner !== pid()) throw glanceError(403, `You are not permitted to ${what} this image.`);
  };

  r.add("GET", "", () => imageVersions(cloud.baseUrl, 300), { auth: false });
  r.add("GET", "/versions", () => imageVersions(cloud.baseUrl, 200), { auth: false });
  r.add("GET", "/v2", () => imageVersions(cloud.baseUrl, 300), { auth: false });

  r.add("GET", "/v2/images", (ctx) => listImages(cloud, ctx));

  r.add("POST", "/v2/images", async (ctx): Promise<Reply> => {
    const body = asObject(await readJson(ctx, bad));
    if (!body) throw bad("Body expected in request.");
    const fields: Record<string, unknown> = {};
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) {
      if (READ_ONLY.has(k)) throw glanceError(403, `Attribute '${k}' is read-only.`);
      if (k === "owner" && v !== pid()) throw glanceError(403, `Attribute 'owner' is read-only.`);
      if (k === "id") {
        if (typeof v !== "string" || !isUuid(v)) {
          throw schemaError(`${JSON.stringify(v).replace(/"/g, "'")} does not match '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'`, "pattern", "schema['properties']['id']", "{'description': 'An identifier for the image', 'pattern': '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$', 'type': 'string'}", "instance['id']", v);
        }
        if (store.images.has(v)) throw glanceError(409, "There was a conflict when trying to complete your request.", `Image with identifier ${v} already exists!`);
        fields["id"] = v;
        continue;
      }
      if (CORE_KEYS.has(k) && k !== "owner") fields[k] = checkAttribute(k, v);
      else if (k !== "owner") props[k] = checkAttribute(k, v) as string;
    }
    checkImageCount(cloud);
    const img = createImageRecord(cloud, {
      name: (fields["name"] as string | null | undefined) ?? null,
      ...(fields["id"] ? { id: fields["id"] as string } : {}),
      visibility: (fields["visibility"] as string | undefined) ?? "shared",
      protected: (fields["protected"] as boolean | undefined) ?? false,
      os_hidden: (fields["os_hidden"] as boolean | undefined) ?? false,
      disk_format: (fields["disk_format"] as string | null | undefined) ?? null,
      container_format: (fields["container_format"] as string | null | undefined) ?? null,
      min_disk: (fields["min_disk"] as number | undefined) ?? 0,
      min_ram: (fields["min_ram"] as number | undefined) ?? 0,
      tags: (fields["tags"] as string[] | undefined) ?? [],
      properties: props,
    });
    return {
      status: 201,
      body: imageView(img),
      headers: {
        Location: `${cloud.baseUrl}/image/v2/images/${img.id}`,
        "OpenStack-image-import-methods": "glance-direct,web-download,copy-image",
        "OpenStack-image-store-ids": "fs,os_glance_staging_store,os_glance_tasks_store",
      },
    };
  });

  r.add("GET", "/v2/images/:id", (ctx): Reply => ({ status: 200, body: imageView(find(ctx.params[0]!)) }));

  r.add("PATCH", "/v2/images/:id", async (ctx): Promise<Reply> => {
    const img = find(ctx.params[0]!);
    const ct = (ctx.req.headers["content-type"] ?? "").split(";")[0]!.trim();
    if (!PATCH_TYPES.includes(ct)) {
      throw glanceError(415, `The request media type ${ct || "None"} is not supported by this server.\n`, "", { "Accept-Patch": PATCH_TYPES.join(", ") });
    }
    owned(img, "modify");
    applyPatch(img, await readJson(ctx, bad));
    return { status: 200, body: imageView(img) };
  });

  r.add("DELETE", "/v2/images/:id", (ctx): Reply => {
    const img = find(ctx.params[0]!);
    if (img.protected) throw glanceError(403, `Image ${img.id} is protected and cannot be deleted.`);
    owned(img, "delete");
    removeImage(cloud, img);
    return { status: 204 };
  });

  r.add("PUT", "/v2/images/:id/file", (ctx) => uploadData(cloud, ctx, find(ctx.params[0]!)));
  r.add("GET", "/v2/images/:id/file", (ctx) => downloadData(cloud, ctx, find(ctx.params[0]!)));

  r.add("PUT", "/v2/images/:id/tags/:tag", (ctx): Reply => {
    const img = find(ctx.params[0]!);
    owned(img, "modify");
    if (!img.tags.includes(ctx.params[1]!)) img.tags.push(ctx.params[1]!);
    img.updated_at = Date.now();
    return { status: 204 };
  });
  r.add("DELETE", "/v2/images/:id/tags/:tag", (ctx): Reply => {
    const img = find(ctx.params[0]!);
    owned(img, "modify");
    if (!img.tags.includes(ctx.params[1]!)) throw glanceError(404, `Tag ${ctx.params[1]} not found`);
    img.tags = img.tags.filter((t) => t !== ctx.params[1]);
    img.updated_at = Date.now();
    return { status: 204 };
  });

  const memberView = (img: ImageRecord, member: string) => {
    const m = img.members.get(member)!;
    return {
      status: m.status, created_at: new Date(m.created_at).toISOString().slice(0, 19) + "Z",
      updated_at: new Date(m.updated_at).toISOString().slice(0, 19) + "Z", image_id: img.id, member_id: member, schema: "/v2/schemas/member",
    };
  };
  r.add("GET", "/v2/images/:id/members", (ctx): Reply => {
    const img = find(ctx.params[0]!);
    return { status: 200, body: { members: [...img.members.keys()].map((m) => memberView(img, m)), schema: "/v2/schemas/members" } };
  });
  r.add("POST", "/v2/images/:id/members", async (ctx): Promise<Reply> => {
    const img = find(ctx.params[0]!);
    owned(img, "share");
    if (img.visibility !== "shared") throw glanceError(403, `Only shared images have members.`);
    const member = asObject(await readJson(ctx, bad))?.["member"];
    if (typeof member !== "string") throw bad("Member to be added not specified");
    if (img.members.has(member)) throw glanceError(409, `Member ${member} already exists for image ${img.id}`);
    const now = Date.now();
    img.members.set(member, { status: "pending", created_at: now, updated_at: now });
    return { status: 200, body: memberView(img, member) };
  });
  r.add("PUT", "/v2/images/:id/members/:member", async (ctx): Promise<Reply> => {
    const img = find(ctx.params[0]!);
    const m = img.members.get(ctx.params[1]!);
    if (!m) throw glanceError(404, `${ctx.params[1]} is not a member of image ${img.id}`);
    const status = asObject(await readJson(ctx, bad))?.["status"];
    if (status !== "accepted" && status !== "rejected" && status !== "pending") throw bad(`Invalid status: ${String(status)}`);
    m.status = status;
    m.updated_at = Date.now();
    return { status: 200, body: memberView(img, ctx.params[1]!) };
  });
  r.add("DELETE", "/v2/images/:id/members/:member", (ctx): Reply => {
    const img = find(ctx.params[0]!);
    owned(img, "share");
    if (!img.members.delete(ctx.params[1]!)) throw glanceError(404, `${ctx.params[1]} is not a member of image ${img.id}`);
    return { status: 204 };
  });

  r.add("POST", "/v2/images/:id/actions/deactivate", (ctx): Reply => {
    const img = find(ctx.params[0]!);
    owned(img, "deactivate");
    if (img.status !== "active" && img.status !== "deactivated") throw glanceError(403, `Not allowed to deactivate image in status '${img.status}'`);
    img.status = "deactivated";
    return { status: 204 };
  });
  r.add("POST", "/v2/images/:id/actions/reactivate", (ctx): Reply => {
    const img = find(ctx.params[0]!);
    owned(img, "reactivate");
    if (img.status !== "active" && img.status !== "deactivated") throw glanceError(403, `Not allowed to reactivate image in status '${img.status}'`);
    img.status = "active";
    return { status: 204 };
  });

  r.add("GET", "/v2/info/usage", (): Reply => {
    const q = store.quotas;
    if ([q.image_count_total, q.image_size_total, q.image_stage_total, q.image_count_uploading].every((x) => x < 0)) {
      return { status: 200, body: { usage: {} } };
    }
    const u = imageUsage(cloud);
    return {
      status: 200,
      body: {
        usage: {
          image_size_total: { limit: q.image_size_total, usage: u.mib },
          image_stage_total: { limit: q.image_stage_total, usage: 0 },
          image_count_total: { limit: q.image_count_total, usage: u.count },
          image_count_uploading: { limit: q.image_count_uploading, usage: u.uploading },
        },
      },
    };
  });
  r.add("GET", "/v2/info/import", (): Reply => ({
    status: 200,
    body: { "import-methods": { description: "Import methods available.", type: "array", value: ["glance-direct", "web-download", "copy-image"] } },
  }));
  r.add("GET", "/v2/info/stores", (): Reply => ({ status: 200, body: { stores: [{ id: "fs", default: true }] } }));

  return { kind: "image", prefix: "/image", router: r };
}

const SORT_KEYS = new Set(["name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at", "min_disk", "min_ram", "visibility", "owner"]);

function listImages(cloud: CloudContext, ctx: Ctx): Reply {
  const q = ctx.query;
  const pid = cloud.store.identity.projectId;
  const limitRaw = q.get("limit");
  let limit = 25;
  if (limitRaw !== null) {
    if (!/^-?\d+$/.test(limitRaw)) throw bad("limit param must be an integer");
    limit = Number(limitRaw);
    if (limit < 0) throw bad("limit param must be positive");
  }
  limit = Math.min(limit, cloud.maxPageSize);
  const visibility = q.get("visibility");
  if (visibility !== null && ![...["public", "private", "shared", "community", "all"]].includes(visibility)) {
    throw bad(`Invalid visibility value: ${visibility}`);
  }
  const memberStatus = q.get("member_status") ?? "accepted";
  const hidden = parseBool(q.get("os_hidden"));
  const special = new Set(["limit", "marker", "sort", "sort_key", "sort_dir", "visibility", "member_status", "os_hidden", "tag", "name", "id", "status", "owner", "size_min", "size_max", "created_at", "updated_at", "protected"]);
  const props: Array<[string, string]> = [];
  for (const [k, v] of q.entries()) if (!special.has(k)) props.push([k, v]);
  const tags = q.getAll("tag");
  const inList = (v: string | null): Set<string> | undefined => (v === null ? undefined : new Set(v.startsWith("in:") ? v.slice(3).split(",") : [v]));
  const names = inList(q.get("name"));
  const ids = inList(q.get("id"));
  const statuses = inList(q.get("status"));
  const owner = q.get("owner");
  const sizeMin = q.get("size_min") === null ? undefined : Number(q.get("size_min"));
  const sizeMax = q.get("size_max") === null ? undefined : Number(q.get("size_max"));
  const prot = parseBool(q.get("protected"));
  const timeFilter = (key: "created_at" | "updated_at") => {
    const v = q.get(key);
    if (v === null) return undefined;
    const m = /^(gt|gte|lt|lte|eq|neq):(.+)$/.exec(v);
    if (!m) throw bad(`Unable to filter on a range with a nonsensical value: ${v}`);
    const t = parseTime(m[2]!);
    if (Number.isNaN(t)) throw bad(`Unable to filter on a range with a nonsensical value: ${v}`);
    const op = m[1]!;
    return (x: number) => {
      const s = Math.floor(x / 1000) * 1000;
      return op === "gt" ? s > t : op === "gte" ? s >= t : op === "lt" ? s < t : op === "lte" ? s <= t : op === "eq" ? s === t : s !== t;
    };
  };
  const created = timeFilter("created_at");
  const updated = timeFilter("updated_at");

  const pred = (i: ImageRecord): boolean => {
    if (!imageVisible(cloud, i)) return false;
    if (visibility === null) {
      if (i.visibility === "community" && i.owner !== pid) return false;
      if (i.visibility === "shared" && i.owner !== pid) {
        const m = i.members.get(pid);
        if (!m || (memberStatus !== "all" && m.status !== memberStatus)) return false;
      }
    } else if (visibility !== "all" && i.visibility !== visibility) return false;
    if (hidden === undefined ? i.os_hidden : i.os_hidden !== hidden) return false;
    if (names && !names.has(i.name ?? "")) return false;
    if (ids && !ids.has(i.id)) return false;
    if (statuses && !statuses.has(i.status)) return false;
    if (owner !== null && i.owner !== owner) return false;
    if (prot !== undefined && i.protected !== prot) return false;
    if (sizeMin !== undefined && (i.size ?? 0) < sizeMin) return false;
    if (sizeMax !== undefined && (i.size ?? 0) > sizeMax) return false;
    if (created && !created(i.created_at)) return false;
    if (updated && !updated(i.updated_at)) return false;
    for (const t of tags) if (!i.tags.includes(t)) return false;
    for (const [k, v] of props) {
      const actual = k in i.properties ? i.properties[k] : (imageView(i)[k] as unknown);
      if (actual === undefined || String(actual) !== v) return false;
    }
    return true;
  };

  const sorts: Array<[string, string]> = [];
  const sortParam = q.get("sort");
  if (sortParam !== null) {
    for (const part of sortParam.split(",")) {
      const [k = "", d = "desc"] = part.split(":");
      sorts.push([k.trim(), d.trim()]);
    }
  } else {
    const keys = q.getAll("sort_key");
    const dirs = q.getAll("sort_dir");
    keys.forEach((k, i) => sorts.push([k, dirs[i] ?? dirs[0] ?? "desc"]));
  }
  for (const [k, d] of sorts) {
    if (!SORT_KEYS.has(k) && !k.startsWith("os_")) throw bad(`Invalid sort key: ${k}. It must be one of the following: ${[...SORT_KEYS].join(", ")}.`);
    if (d !== "asc" && d !== "desc") throw bad(`Invalid sort direction: ${d}`);
  }
  const marker = q.get("marker") ?? undefined;
  let page;
  if (sorts.length === 0) {
    page = pageTable(cloud.store.images, "newest", (i) => i.id, pred, limit, marker);
  } else {
    const val = (i: ImageRecord, k: string): string | number => {
      const v = (imageView(i)[k] ?? i.properties[k] ?? "") as string | number;
      return typeof v === "string" ? v.toLowerCase() : v;
    };
    const arr = [...cloud.store.images.ordered("newest")].sort((a, b) => {
      for (const [k, d] of sorts) {
        const x = k === "created_at" ? a.created_at : val(a, k);
        const y = k === "created_at" ? b.created_at : val(b, k);
        if (x !== y) return (x < y ? -1 : 1) * (d === "asc" ? 1 : -1);
      }
      return 0;
    });
    page = pageArray(arr, (i) => i.id, pred, limit, marker);
  }
  if (!page.markerFound) throw bad(`No image found with ID ${marker}`);
  const params = ctx.rawQuery.split("&").filter((p) => p && !p.startsWith("marker="));
  const body: Record<string, unknown> = {
    images: page.items.map(imageView),
    first: params.length ? `/v2/images?${params.join("&")}` : "/v2/images",
    schema: "/v2/schemas/images",
  };
  if (page.items.length > 0 && page.items.length === limit) {
    body["next"] = `/v2/images?${[...params, `marker=${page.items[page.items.length - 1]!.id}`].join("&")}`;
  }
  return { status: 200, body };
}
