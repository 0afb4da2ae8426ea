/**
 * The simulated Cinder v3 under `/volume`.
 *
 * API: GET /volume/ (300), GET /volume/v3/; under /v3/{project}: volumes
 * (list, detail, show, create, update, delete, summary), volumes/{id}/metadata
 * [/{key}], volumes/{id}/action, snapshots (list, detail, show, create,
 * update, delete, metadata), types (list, show, default, extra_specs),
 * os-availability-zone, limits, os-quota-sets/{project}[?usage=True] (PUT for the admin),
 * backups (empty lists).
 *
 * Quirks (Zed): the project id in the URL is not checked against the token
 * (Cinder uses the token's project); delete answers 400 for attached volumes
 * or volumes with snapshots (one long message), and `cascade=true` deletes
 * the snapshots too; volume type lists use the `volume_type_links` key.
 */
import type { CloudContext, SimService } from "../cloud-context.js";
import { cinderError } from "../core/errors.js";
import { Router, asObject, parseBool, readJson, type Ctx, type Reply } from "../core/http.js";
import { negotiateVolume } from "../core/microversion.js";
import type { SnapshotRecord, VolumeRecord } from "../store/records.js";
import { volumeVersions } from "../versions.js";
import { volumeAction } from "./actions.js";
import { cinderList } from "./listing.js";
import { createVolume, deleteVolumeLater, snapshotView, volumeSummary, volumeTypeView, volumeUsage, volumeView } from "./model.js";
import { updateVolumeQuotas } from "./quotas.js";
import { createSnapshot, deleteSnapshot } from "./snapshots.js";

const bad = (m: string) => cinderError(400, m);

function strOrNull(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function metadataOf(v: unknown): Record<string, string> {
  const o = asObject(v);
  if (v !== undefined && v !== null && !o) throw bad("Invalid input for field/attribute metadata.");
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o ?? {})) {
    if (typeof x !== "string") throw bad(`Invalid input for field/attribute metadata. Value: ${JSON.stringify(o)}. ${JSON.stringify(x)} is not of type 'string'`);
    out[k] = x;
  }
  return out;
}

/** Builds the volume service of a cloud. */
export function volumeService(cloud: CloudContext): SimService {
  const r = new Router();
  const store = cloud.store;
  const P = "/v3/:pid";

  const volume = (ctx: Ctx, i = 1): VolumeRecord => {
    const v = store.volumes.get(ctx.params[i]!);
    if (!v) throw cinderError(404, `Volume ${ctx.params[i]} could not be found.`);
    return v;
  };
  const snapshot = (ctx: Ctx): SnapshotRecord => {
    const s = store.snapshots.get(ctx.params[1]!);
    if (!s) throw cinderError(404, `Snapshot ${ctx.params[1]} could not be found.`);
    return s;
  };

  r.add("GET", "", () => volumeVersions(cloud.baseUrl, 300), { auth: false });
  r.add("GET", "/v3", () => volumeVersions(cloud.baseUrl, 200));

  const volumeFilters = {
    name: (v: VolumeRecord) => v.name, status: (v: VolumeRecord) => v.status, bootable: (v: VolumeRecord) => v.bootable,
    availability_zone: (v: VolumeRecord) => v.availability_zone, size: (v: VolumeRecord) => v.size,
    group_id: () => null, migration_status: () => null,
  };
  const listVolumes = (detail: boolean) => (ctx: Ctx): Reply => {
    const res = cinderList(ctx, cloud, {
      table: store.volumes, coll: detail ? "volumes/detail" : "volumes", notFound: (id) => `Volume ${id} could not be found.`,
      allowed: volumeFilters, metadata: (v) => v.metadata
    });
    const body: Record<string, unknown> = { volumes: res.items.map((v) => (detail ? volumeView(cloud, v, ctx.mv) : volumeSummary(cloud, v))) };
    if (res.links) body["volumes_links"] = res.links;
    if (ctx.query.get("with_count") !== null && ctx.mv >= 3045) body["count"] = res.count;
    return { status: 200, body };
  };
  r.add("GET", `${P}/volumes`, listVolumes(false));
  r.add("GET", `${P}/volumes/detail`, listVolumes(true));
  r.add("GET", `${P}/volumes/summary`, (ctx): Reply => {
    if (ctx.mv < 3012) throw cinderError(404, "Volume summary could not be found.");
    const u = volumeUsage(cloud);
    const body: Record<string, unknown> = { total_count: u.volumes, total_size: [...store.volumes.values()].reduce((a, v) => a + v.size, 0) };
    if (ctx.mv >= 3036) body["metadata"] = {};
    return { status: 200, body: { "volume-summary": body } };
  });

  r.add("POST", `${P}/volumes`, async (ctx): Promise<Reply> => {
    const body = asObject(asObject(await readJson(ctx, bad))?.["volume"]);
    if (!body) throw bad("Missing required element 'volume' in request body.");
    const size = body["size"] === undefined || body["size"] === null ? undefined : typeof body["size"] === "string" && /^\d+$/.test(body["size"]) ? Number(body["size"]) : body["size"];
    if (size !== undefined && (typeof size !== "number" || !Number.isInteger(size) || size < 1)) {
      throw bad(`Invalid input for field/attribute size. Value: ${JSON.stringify(body["size"])}. ${JSON.stringify(body["size"])} is not of type 'integer', 'string'`);
    }
    if (size === undefined && !body["snapshot_id"] && !body["source_volid"]) {
      throw bad("Invalid input for field/attribute size. Value: None. None is not of type 'integer', 'string'");
    }
    const imageRef = strOrNull(body["imageRef"]) ?? strOrNull(body["image_id"]);
    const v = createVolume(cloud, {
      name: strOrNull(body["name"]) ?? strOrNull(body["display_name"]),
      description: strOrNull(body["description"]) ?? strOrNull(body["display_description"]),
      ...(size !== undefined ? { size: size as number } : {}),
      ...(typeof body["volume_type"] === "string" ? { volumeType: body["volume_type"] } : {}),
      ...(typeof body["availability_zone"] === "string" ? { availabilityZone: body["availability_zone"] } : {}),
      metadata: metadataOf(body["metadata"]),
      ...(imageRef ? { imageId: imageRef } : {}),
      ...(typeof body["snapshot_id"] === "string" ? { snapshotId: body["snapshot_id"] } : {}),
      ...(typeof body["source_volid"] === "string" ? { sourceVolid: body["source_volid"] } : {}),
      multiattach: body["multiattach"] === true,
    });
    return { status: 202, body: { volume: volumeView(cloud, v, ctx.mv, { created: true }) } };
  });

  r.add("GET", `${P}/volumes/:id`, (ctx): Reply => ({ status: 200, body: { volume: volumeView(cloud, volume(ctx), ctx.mv) } }));

  r.add("PUT", `${P}/volumes/:id`, async (ctx): Promise<Reply> => {
    const v = volume(ctx);
    const body = asObject(asObject(await readJson(ctx, bad))?.["volume"]);
    if (!body) throw bad("Missing required element 'volume' in request body.");
    if ("name" in body || "display_name" in body) v.name = strOrNull(body["name"] ?? body["display_name"]);
    if ("description" in body || "display_description" in body) v.description = strOrNull(body["description"] ?? body["display_description"]);
    if ("metadata" in body) v.metadata = metadataOf(body["metadata"]);
    v.updated_at = Date.now();
    return { status: 200, body: { volume: volumeView(cloud, v, ctx.mv) } };
  });

  r.add("DELETE", `${P}/volumes/:id`, (ctx): Reply => {
    const v = volume(ctx);
    const cascade = parseBool(ctx.query.get("cascade")) === true;
    const snaps = [...store.snapshots.values()].filter((s) => s.volume_id === v.id);
    const okStatus = ["available", "error", "error_restoring", "error_extending", "error_managing"].includes(v.status);
    if (!okStatus || v.attachments.length > 0 || (snaps.length > 0 && !cascade)) {
      throw bad("Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.");
    }
    for (const s of snaps) {
      s.status = "deleting";
      cloud.scheduler.after(cloud.delays.volumeDelete, () => {
        store.snapshots.delete(s.id);
        cloud.blobs.release(s.blob);
      });
    }
    deleteVolumeLater(cloud, v);
    return { status: 202 };
  });

  // Volume metadata.
  r.add("GET", `${P}/volumes/:id/metadata`, (ctx): Reply => ({ status: 200, body: { metadata: { ...volume(ctx).metadata } } }));
  const setMeta = (replace: boolean) => async (ctx: Ctx): Promise<Reply> => {
    const v = volume(ctx);
    const md = metadataOf(asObject(await readJson(ctx, bad))?.["metadata"]);
    v.metadata = replace ? md : { ...v.metadata, ...md };
    return { status: 200, body: { metadata: replace ? { ...md } : { ...v.metadata } } };
  };
  r.add("POST", `${P}/volumes/:id/metadata`, setMeta(false));
  r.add("PUT", `${P}/volumes/:id/metadata`, setMeta(true));
  r.add("GET", `${P}/volumes/:id/metadata/:key`, (ctx): Reply => {
    const v = volume(ctx);
    const k = ctx.params[2]!;
    if (!(k in v.metadata)) throw cinderError(404, `Metadata item was not found`);
    return { status: 200, body: { meta: { [k]: v.metadata[k] } } };
  });
  r.add("PUT", `${P}/volumes/:id/metadata/:key`, async (ctx): Promise<Reply> => {
    const v = volume(ctx);
    const meta = metadataOf(asObject(await readJson(ctx, bad))?.["meta"]);
    Object.assign(v.metadata, meta);
    return { status: 200, body: { meta } };
  });
  r.add("DELETE", `${P}/volumes/:id/metadata/:key`, (ctx): Reply => {
    const v = volume(ctx);
    if (!(ctx.params[2]! in v.metadata)) throw cinderError(404, `Metadata item was not found`);
    delete v.metadata[ctx.params[2]!];
    return { status: 200 };
  });

  r.add("POST", `${P}/volumes/:id/action`, async (ctx): Promise<Reply> => {
    const v = volume(ctx);
    const res = volumeAction(cloud, v, await readJson(ctx, bad), ctx.mv);
    return res.body === undefined ? { status: res.status } : { status: res.status, body: res.body };
  });

  // Snapshots.
  const listSnapshots = (detail: boolean) => (ctx: Ctx): Reply => {
    const res = cinderList(ctx, cloud, {
      table: store.snapshots, coll: detail ? "snapshots/detail" : "snapshots", notFound: (id) => `Snapshot ${id} could not be found.`,
      allowed: { name: (s: SnapshotRecord) => s.name, status: (s: SnapshotRecord) => s.status, volume_id: (s: SnapshotRecord) => s.volume_id },
      metadata: (s) => s.metadata
    });
    const body: Record<string, unknown> = { snapshots: res.items.map((s) => snapshotView(s, ctx.mv, detail)) };
    if (res.links) body["snapshots_links"] = res.links;
    return { status: 200, body };
  };
  r.add("GET", `${P}/snapshots`, listSnapshots(false));
  r.add("GET", `${P}/snapshots/detail`, listSnapshots(true));
  r.add("POST", `${P}/snapshots`, async (ctx): Promise<Reply> => {
    const body = asObject(asObject(await readJson(ctx, bad))?.["snapshot"]);
    if (!body) throw bad("Missing required element 'snapshot' in request body.");
    if (typeof body["volume_id"] !== "string") throw bad("Invalid input for field/attribute volume_id.");
    const v = store.volumes.get(body["volume_id"]);
    if (!v) throw cinderError(404, `Volume ${body["volume_id"]} could not be found.`);
    const s = createSnapshot(cloud, v, {
      name: strOrNull(body["name"]) ?? strOrNull(body["display_name"]),
      description: strOrNull(body["description"]) ?? strOrNull(body["display_description"]),
      force: body["force"],
      metadata: metadataOf(body["metadata"]),
    }, ctx.mv);
    return { status: 202, body: { snapshot: snapshotView(s, ctx.mv, false) } };
  });
  r.add("GET", `${P}/snapshots/:id`, (ctx): Reply => ({ status: 200, body: { snapshot: snapshotView(snapshot(ctx), ctx.mv, true) } }));
  r.add("PUT", `${P}/snapshots/:id`, async (ctx): Promise<Reply> => {
    const s = snapshot(ctx);
    const body = asObject(asObject(await readJson(ctx, bad))?.["snapshot"]) ?? {};
    if ("name" in body) s.name = strOrNull(body["name"]);
    if ("description" in body) s.description = strOrNull(body["description"]);
    s.updated_at = Date.now();
    return { status: 200, body: { snapshot: snapshotView(s, ctx.mv, false) } };
  });
  r.add("DELETE", `${P}/snapshots/:id`, (ctx): Reply => {
    deleteSnapshot(cloud, snapshot(ctx));
    return { status: 202 };
  });
  r.add("GET", `${P}/snapshots/:id/metadata`, (ctx): Reply => ({ status: 200, body: { metadata: { ...snapshot(ctx).metadata } } }));
  r.add("POST", `${P}/snapshots/:id/metadata`, async (ctx): Promise<Reply> => {
    const s = snapshot(ctx);
    Object.assign(s.metadata, metadataOf(asObject(await readJson(ctx, bad))?.["metadata"]));
    return { status: 200, body: { metadata: { ...s.metadata } } };
  });

  // Volume types.
  r.add("GET", `${P}/types`, (ctx): Reply => {
    const all = [...store.volumeTypes.values()].filter((t) => t.is_public);
    const limitRaw = ctx.query.get("limit");
    const marker = ctx.query.get("marker");
    let start = 0;
    if (marker !== null) {
      start = all.findIndex((t) => t.id === marker) + 1;
      if (start === 0) throw cinderError(404, `Volume type ${marker} could not be found.`);
    }
    const limit = limitRaw === null ? cloud.maxPageSize : Math.min(Number(limitRaw), cloud.maxPageSize);
    const items = all.slice(start, start + limit);
    const body: Record<string, unknown> = { volume_types: items.map((t) => volumeTypeView(t, true)) };
    if (items.length > 0 && items.length === limit) {
      body["volume_type_links"] = [{ rel: "next", href: `${cloud.baseUrl}/volume/v3/${store.identity.projectId}/types?limit=${limit}&marker=${items[items.length - 1]!.id}` }];
    }
    return { status: 200, body };
  });
  r.add("GET", `${P}/types/default`, (): Reply => ({ status: 200, body: { volume_type: volumeTypeView(store.volumeTypes.get(store.defaultVolumeTypeId)!, false) } }));
  const typeOf = (ctx: Ctx) => {
    const t = store.volumeTypes.get(ctx.params[1]!);
    if (!t || !t.is_public) throw cinderError(404, `Volume type ${ctx.params[1]} could not be found.`);
    return t;
  };
  r.add("GET", `${P}/types/:id`, (ctx): Reply => ({ status: 200, body: { volume_type: volumeTypeView(typeOf(ctx), true) } }));
  r.add("GET", `${P}/types/:id/extra_specs`, (ctx): Reply => ({ status: 200, body: { extra_specs: volumeTypeView(typeOf(ctx), false)["extra_specs"] } }));

  r.add("GET", `${P}/os-availability-zone`, (): Reply => ({
    status: 200,
    body: { availabilityZoneInfo: [{ zoneName: "nova", zoneState: { available: true } }] },
  }));

  r.add("GET", `${P}/limits`, (): Reply => {
    const q = store.quotas;
    const u = volumeUsage(cloud);
    return {
      status: 200,
      body: {
        limits: {
          rate: [],
          absolute: {
            maxTotalVolumes: q.volumes, maxTotalSnapshots: q.snapshots, maxTotalVolumeGigabytes: q.gigabytes, maxTotalBackups: q.backups,
            maxTotalBackupGigabytes: q.backup_gigabytes, totalVolumesUsed: u.volumes, totalGigabytesUsed: u.gigabytes,
            totalSnapshotsUsed: u.snapshots, totalBackupsUsed: 0, totalBackupGigabytesUsed: 0,
          },
        },
      },
    };
  });

  const showQuotas = (ctx: Ctx): Reply => {
    const target = ctx.params[1]!;
    if (target !== store.identity.projectId) throw cinderError(403, "Policy doesn't allow volume_extension:quotas:show to be performed.");
    const usage = parseBool(ctx.query.get("usage")) === true;
    const q = store.quotas;
    const u = volumeUsage(cloud);
    const entry = (limit: number, inUse: number) => (usage ? { limit, in_use: inUse, reserved: 0 } : limit);
    const qs: Record<string, unknown> = {
      volumes: entry(q.volumes, u.volumes), per_volume_gigabytes: entry(q.per_volume_gigabytes, 0), snapshots: entry(q.snapshots, u.snapshots),
      gigabytes: entry(q.gigabytes, u.gigabytes), backups: entry(q.backups, 0), backup_gigabytes: entry(q.backup_gigabytes, 0),
    };
    for (const t of store.volumeTypes.values()) {
      const tu = u.byType.get(t.id) ?? { volumes: 0, gigabytes: 0, snapshots: 0 };
      qs[`volumes_${t.name}`] = entry(-1, tu.volumes);
      qs[`gigabytes_${t.name}`] = entry(-1, tu.gigabytes);
      qs[`snapshots_${t.name}`] = entry(-1, tu.snapshots);
    }
    qs["groups"] = entry(q.groups, 0);
    qs["id"] = target;
    return { status: 200, body: { quota_set: qs } };
  };
  r.add("GET", `${P}/os-quota-sets/:target`, showQuotas);
  r.add("PUT", `${P}/os-quota-sets/:target`, async (ctx) => updateVolumeQuotas(cloud, ctx, await readJson(ctx, bad), () => showQuotas(ctx)));

  r.add("GET", `${P}/backups`, (): Reply => ({ status: 200, body: { backups: [] } }));
  r.add("GET", `${P}/backups/detail`, (): Reply => ({ status: 200, body: { backups: [] } }));

  return {
    kind: "volume",
    prefix: "/volume",
    router: r,
    decorate: (ctx) => {
      ctx.respHeaders["X-Compute-Request-Id"] = ctx.requestId;
    },
    prepare: negotiateVolume,
  };
}
