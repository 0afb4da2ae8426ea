/**
 * Nova servers. A server is created on its pre-made ports (fixed IPs and
 * security groups come with them), with the mapped flavor, keypair, server
 * group hint, zone, metadata and tags, then its volumes are attached and its
 * power state set like the source's. Markers are server metadata, set in the
 * create call itself, so an interrupted attempt's server is always found.
 *
 * Root disks (plan: boot.source):
 * - "root-disk-copy": the source server is snapshotted (createImage) — after
 *   stopping it in cold cutover, and started again as soon as the snapshot is
 *   taken, which bounds its downtime to the snapshot — the snapshot is copied
 *   to a target image that the new server boots from (kept as the server's
 *   image; rollback deletes it);
 * - "image": boot from the mapped standard image or the copied private image;
 * - "volume": boot from the migrated root volume.
 * With `boot_volume_size` the root disk becomes a new volume made from that
 * image (diskless SCS flavors).
 *
 * API: /servers, POST /servers/{id}/action (os-stop, os-start, createImage),
 * /servers/{id}/os-volume_attachments
 */
import { describeError } from "../errors.js";
import type { Flavor, Inventory, Server } from "../model/inventory.js";
import { listFlavorModels, listPortsOnce } from "./provider.js";
import { listServerGroupsOnce } from "./server-group.js";
import { listVolumesOnce, volumeAttachments } from "./volume.js";
import * as bs from "../openstack/block-storage.js";
import * as compute from "../openstack/compute.js";
import * as glance from "../openstack/image.js";
import { NotFoundError } from "../errors.js";
import { compareMicroversions } from "../openstack/microversions.js";
import { tempName } from "../movers/temp-names.js";
import { hasMarkerMetadata, isStepRef, markerMetadata, userMetadata } from "./common.js";
import { copyImageTo } from "./image.js";
import { carriedProperties } from "./image.plan.js";
import { planServers, ServerOptions, ServerParams } from "./server.plan.js";
import { VerifyFinding, defineKind, type ApplyContext, type Collector, type QuotaNeeds, type RunHookContext, type TypedStep } from "./types.js";
import { compareFields, deleteIgnoringMissing, mismatch, missing, orNull } from "./verify-helpers.js";

type Ctx = ApplyContext<ServerParams, ServerOptions>;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function findServers(ctx: Ctx): Promise<compute.Server[]> {
  const p = ctx.params;
  const candidates = await compute.listServers(ctx.target.compute, { name: `^${escapeRegex(p.name)}$` });
  return candidates.filter((s) => hasMarkerMetadata(s.metadata, ctx.migration, ctx.step.source.id));
}

async function flavorId(ctx: Ctx, name: string): Promise<string> {
  const flavors = await ctx.memo("flavors", () => compute.listFlavors(ctx.target.compute, { is_public: "None" }));
  const f = flavors.find((x) => x.name === name);
  if (!f) throw new NotFoundError(`${ctx.stepId}: flavor "${name}" does not exist on the target`, { hint: "Map the flavor in the mapping file and re-plan." });
  return f.id;
}

async function imageIdByName(ctx: Ctx, name: string): Promise<string> {
  return ctx.memo(`image:${name}`, async () => {
    const imgs = (await glance.listImages(ctx.target.image, { name, status: "active" })).sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""));
    if (!imgs[0]) throw new NotFoundError(`${ctx.stepId}: image "${name}" does not exist on the target`);
    return imgs[0].id;
  });
}

/** Copies the source server's root disk into a target image (once) and returns its id. */
async function rootImage(ctx: Ctx): Promise<string> {
  const p = ctx.params;
  const o = ctx.stepOptions;
  const recorded = ctx.data().rootImage as string | undefined;
  if (recorded) {
    const img = await orNull(glance.getImage(ctx.target.image, recorded));
    if (img?.status === "active") {
      // Why: a run killed after the copy but before the source snapshot was removed leaves it behind otherwise.
      await dropSourceSnapshots(ctx);
      return img.id;
    }
  }
  const srcId = ctx.step.source.id;
  const snapName = tempName(ctx.migration, ctx.stepId, "root-snap");
  let snap = (await glance.listImages(ctx.source.image, { name: snapName })).find((i) => i.status === "active");
  if (!snap) {
    for (const old of await glance.listImages(ctx.source.image, { name: snapName })) await deleteIgnoringMissing(glance.deleteImage(ctx.source.image, old.id));
    // Why: after a crash the stop or snapshot asked for earlier may still be under way; asking again is a 409.
    const server = await compute.waitForServerIdle(ctx.source.compute, srcId, ctx.wait);
    if (o.cutover === "cold" && server.status === "ACTIVE") {
      ctx.sourceStopped.mark(srcId);
      await compute.stopServerAndWait(ctx.source.compute, srcId, ctx.wait);
    }
    const id = await compute.createServerImage(ctx.source.compute, srcId, snapName, {});
    ctx.recordTemp("source", "image", id);
    snap = await glance.waitForImage(ctx.source.image, id, "active", ctx.wait);
  }
  await restartSource(ctx);
  const targetId = await copyImageTo(
    ctx,
    snap,
    {
      name: `${p.name}-root`,
      disk_format: snap.disk_format ?? "qcow2",
      container_format: snap.container_format ?? "bare",
      visibility: "private",
      min_disk: snap.min_disk,
      min_ram: snap.min_ram,
      properties: carriedProperties(Object.fromEntries(Object.entries(snap.properties).filter(([k]) => !k.startsWith("scs_migrate")))),
    },
    `${srcId}/root`,
    `${p.name} (root disk)`,
    (id) => {
      // Why: until a server boots from it, the image is a temporary a rollback must find even after a crash.
      ctx.setData({ rootImage: id });
      ctx.recordTemp("target", "image", id);
    },
  );
  ctx.setData({ rootImage: targetId });
  await dropSourceSnapshots(ctx);
  return targetId;
}

/** Removes this step's temporary root-disk snapshots on the source and marks them done. */
async function dropSourceSnapshots(ctx: Ctx): Promise<void> {
  const snapName = tempName(ctx.migration, ctx.stepId, "root-snap");
  for (const img of await glance.listImages(ctx.source.image, { name: snapName })) await deleteIgnoringMissing(glance.deleteImage(ctx.source.image, img.id));
  for (const t of ctx.pendingTemps()) if (t.side === "source" && t.kind === "image") t.done();
}

/** Starts the source server again if this migration stopped it and it was running at planning. */
async function restartSource(ctx: Ctx): Promise<void> {
  const srcId = ctx.step.source.id;
  if (!ctx.sourceStopped.has(srcId)) return;
  await compute.startServerIfStopped(ctx.source.compute, srcId, ctx.wait);
  ctx.sourceStopped.clear(srcId);
}

async function create(ctx: Ctx): Promise<string> {
  const p = ctx.params;
  if (!p.flavor_ref) throw new NotFoundError(`${ctx.stepId}: the plan has no target flavor for this server`, { hint: "Map the flavor in the mapping file and re-plan." });
  let imageRef: string | undefined;
  let bdm: compute.BlockDeviceMapping[] | undefined;
  if (p.boot.source === "volume") {
    bdm = [{ boot_index: 0, uuid: ctx.targetIdOf(p.boot.volume), source_type: "volume", destination_type: "volume", delete_on_termination: false }];
  } else {
    const image = p.boot.source === "root-disk-copy" ? await rootImage(ctx) : isStepRef(p.boot.image) ? ctx.targetIdOf(p.boot.image) : await imageIdByName(ctx, p.boot.image.name);
    if (p.boot_volume_size) {
      bdm = [{ boot_index: 0, uuid: image, source_type: "image", destination_type: "volume", volume_size: p.boot_volume_size, delete_on_termination: true }];
    } else imageRef = image;
  }
  const mv = ctx.target.compute.microversion;
  const modernTags = mv !== undefined && compareMicroversions(mv, "2.52") >= 0;
  const id = await compute.createServer(ctx.target.compute, {
    name: p.name,
    flavorRef: await flavorId(ctx, p.flavor_ref.name),
    ...(imageRef ? { imageRef } : {}),
    ...(bdm ? { block_device_mapping_v2: bdm } : {}),
    networks: p.networks.length ? p.networks.map((n) => ({ port: ctx.targetIdOf(n.port) })) : "none",
    ...(p.key_name ? { key_name: ctx.targetIdOf(p.key_name) } : {}),
    ...(p.availability_zone ? { availability_zone: p.availability_zone } : {}),
    ...(p.server_group ? { scheduler_hints: { group: ctx.targetIdOf(p.server_group) } } : {}),
    metadata: { ...p.metadata, ...markerMetadata(ctx.migration, ctx.step.source.id) },
    ...(p.tags.length && modernTags ? { tags: p.tags } : {}),
    ...(p.config_drive ? { config_drive: true } : {}),
  });
  if (p.tags.length && !modernTags) await compute.replaceServerTags(ctx.target.compute, id, p.tags);
  return id;
}

const ROOT_DEVICE = /^\/dev\/(x?vd|sd|hd)a$/;

/**
 * Servers, with their relations from the other lists (no per-server calls):
 * ports by device_id, volumes from Cinder's attachments, the server group
 * from the groups' member lists, flavor figures from the embedded flavor.
 */
export const servers: Collector<"servers"> = {
  name: "servers",
  async collect(cx) {
    const [list, flavorList, groups, ports, volumes] = await Promise.all([
      compute.listServers(cx.cloud.compute),
      listFlavorModels(cx),
      listServerGroupsOnce(cx),
      listPortsOnce(cx),
      listVolumesOnce(cx),
    ]);
    const flavorById = new Map(flavorList.map((f) => [f.id, f]));
    const groupOf = new Map<string, string>();
    for (const sg of groups) for (const m of sg.members) groupOf.set(m, sg.id);
    const portsOf = new Map<string, string[]>();
    for (const p of ports) if (p.device_id && p.device_owner.startsWith("compute:")) (portsOf.get(p.device_id) ?? portsOf.set(p.device_id, []).get(p.device_id)!).push(p.id);
    const attachmentsOf = new Map<string, { volume: bs.Volume; device: string | null }[]>();
    for (const v of volumes) for (const a of volumeAttachments(v)) (attachmentsOf.get(a.server_id) ?? attachmentsOf.set(a.server_id, []).get(a.server_id)!).push({ volume: v, device: a.device });
    return list.map((s) => serverModel(s, flavorById.get(s.flavor?.id ?? ""), groupOf.get(s.id) ?? null, portsOf.get(s.id) ?? [], attachmentsOf.get(s.id) ?? []));
  },
};

function serverModel(s: compute.Server, known: Flavor | undefined, group: string | null, portIds: string[], attachments: { volume: bs.Volume; device: string | null }[]): Server {
  const embedded = s.flavor;
  const atts = attachments.sort((a, b2) => (a.device ?? "").localeCompare(b2.device ?? ""));
  const bootFromVolume = !s.image_id;
  // Why: the API names no root volume; it is the one on the first disk device (or the first bootable one).
  const root = bootFromVolume ? (atts.find((a) => a.device && ROOT_DEVICE.test(a.device)) ?? atts.find((a) => a.volume.bootable) ?? atts[0]) : undefined;
  const dot = new Map(s.volumes_attached.map((v) => [v.id, v.delete_on_termination]));
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    flavor_id: embedded?.id ?? null,
    flavor_name: embedded?.original_name ?? known?.name ?? "",
    flavor: {
      vcpus: embedded?.vcpus ?? known?.vcpus ?? 0,
      ram: embedded?.ram ?? known?.ram ?? 0,
      disk: embedded?.disk ?? known?.disk ?? 0,
      ephemeral: embedded?.ephemeral ?? known?.ephemeral ?? 0,
      swap: embedded?.swap ?? known?.swap ?? 0,
      extra_specs: embedded?.extra_specs ?? known?.extra_specs ?? {},
    },
    image_id: s.image_id,
    key_name: s.key_name,
    availability_zone: s.availability_zone,
    metadata: s.metadata,
    tags: s.tags,
    security_groups: [...new Set(s.security_groups)].sort(),
    server_group_id: group,
    port_ids: [...portIds].sort(),
    volumes: atts.map((a) => ({
      volume_id: a.volume.id,
      device: a.device,
      boot_index: root && a.volume.id === root.volume.id ? 0 : null,
      delete_on_termination: dot.get(a.volume.id) ?? false,
    })),
    config_drive: s.config_drive,
    user_data_present: !!s.user_data,
    locked: s.locked,
    created: s.created,
  };
}

/** Starts every source server the cutover stopped and nothing restarted yet; returns their ids. */
async function restartStoppedSources(h: RunHookContext): Promise<string[]> {
  const out: string[] = [];
  const wait = { minDelay: h.options.pollMs, maxDelay: Math.max(5000, h.options.pollMs), timeoutMs: 10 * 60_000 };
  for (const id of h.sourceStopped.list()) {
    try {
      if (await compute.startServerIfStopped(h.source.compute, id, wait)) out.push(id);
      h.sourceStopped.clear(id);
    } catch (err) {
      h.warn(`could not start source server ${id} again: ${describeError(err)}; start it by hand`);
    }
  }
  return out;
}

/** A server takes an instance, its flavor's cores and RAM, and a boot volume where it gets one. */
function serverQuotaNeeds(step: TypedStep<ServerParams, ServerOptions>, target: Inventory): QuotaNeeds {
  const p = step.params;
  const need: QuotaNeeds = { instances: 1 };
  const ref = p.flavor_ref;
  const flavor = ref ? target.flavors.find((f) => f.name === ref.name) : undefined;
  if (flavor) {
    need.cores = flavor.vcpus;
    need.ram = flavor.ram;
  }
  if (typeof p.boot_volume_size === "number") {
    need.volumes = 1;
    need.gigabytes = p.boot_volume_size;
  }
  return need;
}

export const server = defineKind<ServerParams, ServerOptions>({
  kind: "server",
  color: "#127c8a",
  collection: servers,
  apiSeconds: 30,
  afterRun: restartStoppedSources,
  describe: (step) => step.note ?? "",
  quotaNeeds: serverQuotaNeeds,
  driftCandidates: (inv) => inv.servers,
  lane: (step) => ((step.params as ServerParams).boot?.source === "root-disk-copy" ? "copy" : "api"),
  paramsSchema: ServerParams,
  optionsSchema: ServerOptions,
  plan: planServers,

  async find(ctx) {
    return (await findServers(ctx))[0]?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const o = ctx.stepOptions;
    const c = ctx.target.compute;
    let id: string | undefined;
    for (const s of await findServers(ctx)) {
      if (s.status === "ERROR" || id) {
        ctx.warn(`server ${s.id} of an earlier attempt is ${s.status}; replacing it`);
        await deleteIgnoringMissing(compute.deleteServer(c, s.id));
        await compute.waitForServerDeleted(c, s.id, ctx.wait);
        continue;
      }
      id = s.id;
    }
    id ??= await create(ctx);
    await compute.waitForServer(c, id, ["ACTIVE", "SHUTOFF"], ctx.wait);
    // The root image belongs to the server from now on; remove() deletes it with the server.
    for (const t of ctx.pendingTemps()) if (t.side === "target" && t.kind === "image") t.done();
    const attached = new Set((await compute.listVolumeAttachments(c, id)).map((a) => a.volume_id));
    for (const v of p.volumes) {
      const vid = ctx.targetIdOf(v.volume);
      if (attached.has(vid)) continue;
      await compute.attachVolume(c, id, vid);
      await bs.waitForVolume(ctx.target.blockStorage, vid, "in-use", ctx.wait);
    }
    const now = await compute.getServer(c, id);
    if (o.powerState === "SHUTOFF" && now.status === "ACTIVE") {
      await compute.stopServerAndWait(c, id, ctx.wait);
    }
    await restartSource(ctx);
    const rootImageId = ctx.data().rootImage as string | undefined;
    return { outcome: "created", targetId: id, ...(rootImageId ? { extra: { rootImage: rootImageId } } : {}) };
  },

  async cleanup(ctx) {
    const snapName = tempName(ctx.migration, ctx.stepId, "root-snap");
    for (const img of await glance.listImages(ctx.source.image, { name: snapName })) await deleteIgnoringMissing(glance.deleteImage(ctx.source.image, img.id));
    for (const t of ctx.pendingTemps()) if (t.side === "source" && t.kind === "image") t.done();
    await restartSource(ctx);
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const o = ctx.stepOptions;
    const c = ctx.target.compute;
    const s = await orNull(compute.getServer(c, targetId));
    if (!s) return [missing(ctx)];
    const out: VerifyFinding[] = compareFields(ctx, { name: p.name, metadata: p.metadata }, { name: s.name, metadata: userMetadata(s.metadata) }, ["name", "metadata"]);
    if (s.status !== o.powerState) out.push(mismatch(ctx, "status", o.powerState, s.status));
    if (p.flavor_ref && s.flavor?.original_name && s.flavor.original_name !== p.flavor_ref.name) out.push(mismatch(ctx, "flavor", p.flavor_ref.name, s.flavor.original_name));
    if (p.key_name && s.key_name !== ctx.targetIdOf(p.key_name)) out.push(mismatch(ctx, "key_name", ctx.targetIdOf(p.key_name), s.key_name));
    const ports = new Set((await compute.listServerInterfaces(c, targetId)).map((i) => i.port_id));
    for (const n of p.networks) {
      const pid = ctx.targetIdOf(n.port);
      if (!ports.has(pid)) out.push(mismatch(ctx, `ports[${n.port.$step}]`, pid, null, `port ${n.port.$step}`));
    }
    const vols = new Set((await compute.listVolumeAttachments(c, targetId)).map((a) => a.volume_id));
    const wantVols = [...p.volumes.map((v) => v.volume), ...(p.boot.source === "volume" ? [p.boot.volume] : [])];
    for (const v of wantVols) {
      const vid = ctx.targetIdOf(v);
      if (!vols.has(vid)) out.push(mismatch(ctx, `volumes[${v.$step}]`, vid, null, `volume ${v.$step} attached`));
    }
    if (p.server_group) {
      const g = await orNull(compute.getServerGroup(c, ctx.targetIdOf(p.server_group)));
      if (g && !g.members.includes(targetId)) out.push(mismatch(ctx, "server_group", p.server_group.$step, null, "server group membership"));
    }
    return out;
  },

  async remove(ctx, targetId) {
    const c = ctx.target.compute;
    await deleteIgnoringMissing(compute.deleteServer(c, targetId));
    await compute.waitForServerDeleted(c, targetId, ctx.wait);
    const root = ctx.data().rootImage as string | undefined;
    if (root) await deleteIgnoringMissing(glance.deleteImage(ctx.target.image, root));
  },
});
