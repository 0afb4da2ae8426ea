/**
 * Planning of Nova servers. A server is recreated with the mapped flavor, its
 * pre-created ports (which carry fixed IPs and security groups), keypair,
 * server group, zone, metadata and tags, and its volumes attached. Its root
 * disk decides the boot source:
 *
 * - boot from volume: the migrated root volume (the volume step copies it);
 * - booted from an image: the root disk is copied by snapshotting the server
 *   at apply time (cold: stopped first; live: while running), because a
 *   running server's disk has diverged from its image, and provider images
 *   rotate (scs-0102). Servers the user marks stateless boot from the mapped
 *   standard image (or the copied private image) instead;
 * - a target flavor without a root disk (SCS diskless flavors) boots from a
 *   new volume made from the copied disk or image (`boot_volume_size`).
 */
import { z } from "zod";
import type { Flavor, Image, Server } from "../model/inventory.js";
import { mapAvailabilityZone } from "../mapping/availability-zone.js";
import { mapFlavor } from "../mapping/flavor.js";
import { mapImage } from "../mapping/image.js";
import { NameRefSchema, ref, StepRefSchema, userMetadata, userTags } from "./common.js";
import { excluded, nameClash, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const ServerBoot = z.discriminatedUnion("source", [
  z.object({ source: z.literal("image"), image: z.union([StepRefSchema, NameRefSchema]) }).strict(),
  z.object({ source: z.literal("root-disk-copy") }).strict(),
  z.object({ source: z.literal("volume"), volume: StepRefSchema }).strict(),
]);
export type ServerBoot = z.infer<typeof ServerBoot>;

export const ServerParams = z
  .object({
    name: z.string(),
    flavor_ref: NameRefSchema.nullable(),
    boot: ServerBoot,
    boot_volume_size: z.number().int().positive().nullable().describe("GB; boot from a new volume of this size made from the image or copied disk"),
    key_name: StepRefSchema.nullable(),
    networks: z.array(z.object({ port: StepRefSchema }).strict()),
    server_group: StepRefSchema.nullable(),
    availability_zone: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    tags: z.array(z.string()),
    volumes: z.array(z.object({ volume: StepRefSchema, device: z.string().nullable() }).strict()),
    config_drive: z.boolean(),
  })
  .strict();
export type ServerParams = z.infer<typeof ServerParams>;

export const ServerOptions = z
  .object({
    cutover: z.enum(["cold", "live"]).describe("cold: stop the source server before copying its root disk; live: snapshot it running"),
    powerState: z.enum(["ACTIVE", "SHUTOFF"]).describe("the state the target server is left in (the source's state at planning)"),
  })
  .strict();
export type ServerOptions = z.infer<typeof ServerOptions>;

const GiB = 1024 ** 3;
const MIGRATABLE = new Set(["ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED"]);

/** A stand-in for an image the server refers to but that is gone from the source (only its metadata is known). */
function imageOf(ctx: PlanContext, s: Server): Image | undefined {
  return ctx.source.images.find((i) => i.id === s.image_id);
}

export function planServers(ctx: PlanContext): PlannedStep[] {
  const out: PlannedStep[] = [];
  const stateless = new Set(ctx.mapping.statelessServers);
  for (const s of ctx.source.servers) {
    const id = ctx.ids.must("servers", s.id);
    const src = { id: s.id, name: s.name };
    const facts = { status: s.status, flavor: s.flavor_name, image: s.image_id };
    if (excluded(ctx, id)) {
      out.push(skipFor("server", id, src, s, "skip_excluded_by_user", "excluded by the mapping file", facts));
      continue;
    }
    if (!MIGRATABLE.has(s.status)) {
      ctx.finding({ severity: "warning", code: "server_not_running", step: id, message: `server "${s.name}" is ${s.status}; it is not migrated` });
      out.push(skipFor("server", id, src, s, "skip_server_not_running", `status ${s.status}`, facts));
      continue;
    }
    nameClash(ctx, id, "server", s.name, ctx.target.servers.map((t) => t.name));
    const deps: string[] = [];
    const flavor = planFlavor(ctx, s, id);
    const root = planRootDisk(ctx, s, id, stateless.has(s.name), deps);
    // Why: a server that boots from a volume keeps booting from (its copy of) that volume, whatever the flavor.
    let bootVolumeSize = !s.image_id && s.volumes.some((v) => v.boot_index === 0) ? null : flavor.bootVolumeSize;
    let flavorNote = flavor.note;
    const img = imageOf(ctx, s);
    if (root.boot.source !== "volume" && flavor.target && flavor.target.disk === 0 && bootVolumeSize === null) {
      // Why: non-admins may not boot a zero-disk flavor from an image; it needs a volume of the root disk's size.
      bootVolumeSize = Math.max(1, s.flavor.disk, img?.min_disk ?? 0, Math.ceil((img?.size ?? 0) / GiB));
      flavorNote += ` + ${bootVolumeSize} GB boot volume`;
    }
    const a = planAttachments(ctx, s, id, deps);
    // Why: the key order is the plan file's order; keep it stable so plans diff cleanly.
    const params: ServerParams = {
      name: s.name,
      flavor_ref: flavor.ref,
      boot: root.boot,
      boot_volume_size: bootVolumeSize,
      key_name: a.key_name,
      networks: a.networks,
      server_group: a.server_group,
      availability_zone: a.availability_zone,
      metadata: userMetadata(s.metadata),
      tags: userTags(s.tags),
      volumes: a.volumes,
      config_drive: s.config_drive,
    };
    if (s.user_data_present) {
      ctx.finding({ severity: "warning", code: "user_data_not_readable", step: id, message: `server "${s.name}" was created with user data, which the API does not return to non-admins; the copy has none` });
    }
    const options: ServerOptions = {
      cutover: ctx.options.cutover,
      powerState: s.status === "SHUTOFF" || s.status.startsWith("SHELVED") ? "SHUTOFF" : "ACTIVE",
    };
    const bootNote = root.boot.source === "volume" ? "boot from migrated volume" : root.boot.source === "image" ? "boot from image (stateless)" : "root disk copied";
    out.push(
      stepFor("server", id, src, s, {
        dependsOn: deps,
        params,
        options,
        ...(root.bytes > 0 ? { bytes: root.bytes } : {}),
        note: [flavorNote, bootNote].filter(Boolean).join("; "),
        facts,
      }),
    );
  }
  return out;
}

/** The target flavor (same SCS name, else the smallest that is not smaller), and a boot volume where it lacks a disk. */
function planFlavor(ctx: PlanContext, s: Server, id: string): { ref: ServerParams["flavor_ref"]; bootVolumeSize: number | null; note: string; target: Flavor | undefined } {
  const fm = mapFlavor({ name: s.flavor_name, ...s.flavor }, ctx.target.flavors, ctx.mapping.flavors);
  if (!fm.ok) {
    ctx.finding({ severity: "error", code: "flavor_unmapped", step: id, message: `server "${s.name}": ${fm.reason}` });
    return { ref: null, bootVolumeSize: null, note: "", target: undefined };
  }
  ctx.mapped("flavors", s.flavor_name, fm.target.name);
  let note = fm.target.name === s.flavor_name ? s.flavor_name : `${s.flavor_name} → ${fm.target.name}`;
  if (fm.bootVolumeGB) note += ` + ${fm.bootVolumeGB} GB boot volume`;
  return { ref: { name: fm.target.name }, bootVolumeSize: fm.bootVolumeGB, note, target: ctx.target.flavors.find((f) => f.id === fm.target.id) };
}

/** How the copy boots: from its migrated root volume, from an image (stateless servers), or from a copy of its root disk. */
function planRootDisk(ctx: PlanContext, s: Server, id: string, stateless: boolean, deps: string[]): { boot: ServerBoot; bytes: number } {
  const { source, target, mapping } = ctx;
  const rootVolume = s.volumes.find((v) => v.boot_index === 0);
  const img = imageOf(ctx, s);
  const copy = (): { boot: ServerBoot; bytes: number } => {
    if (img && img.visibility === "public" && img.owner !== source.meta.project_id) {
      const im = mapImage(img, target.images, mapping.images, { sourceProjectId: source.meta.project_id });
      if (im.action === "use-target") ctx.mapped("images", img.name, im.targetImage.name);
    }
    return { boot: { source: "root-disk-copy" }, bytes: img?.size ?? s.flavor.disk * GiB };
  };
  if (!s.image_id && rootVolume) {
    const vstep = ctx.ids.of("volumes", rootVolume.volume_id);
    if (!vstep) {
      ctx.finding({ severity: "error", code: "root_volume_missing", step: id, message: `server "${s.name}" boots from volume ${rootVolume.volume_id}, which is not in the inventory` });
      return copy();
    }
    deps.push(vstep);
    return { boot: { source: "volume", volume: ref(vstep) }, bytes: 0 };
  }
  if (!stateless) return copy();
  const imgStep = s.image_id ? ctx.ids.of("images", s.image_id) : undefined;
  if (imgStep && img && img.owner === source.meta.project_id) {
    deps.push(imgStep);
    return { boot: { source: "image", image: ref(imgStep) }, bytes: 0 };
  }
  if (!img) {
    ctx.finding({ severity: "error", code: "stateless_image_unknown", step: id, message: `server "${s.name}" is marked stateless but its image ${s.image_id ?? "(none)"} is gone from the source` });
    return copy();
  }
  const im = mapImage(img, target.images, mapping.images, { sourceProjectId: source.meta.project_id });
  if (im.action === "use-target") {
    ctx.mapped("images", img.name, im.targetImage.name);
    return { boot: { source: "image", image: { name: im.targetImage.name } }, bytes: 0 };
  }
  ctx.finding({
    severity: "error",
    code: "stateless_image_unmapped",
    step: id,
    message: `server "${s.name}" is marked stateless but its image "${img.name}" has no match on the target (${im.reason})`,
  });
  return copy();
}

/** Keypair, ports, server group, zone and data volumes of the copy, each a dependency where it is a step. */
function planAttachments(
  ctx: PlanContext,
  s: Server,
  id: string,
  deps: string[],
): Pick<ServerParams, "key_name" | "networks" | "server_group" | "availability_zone" | "volumes"> {
  let keyRef: ServerParams["key_name"] = null;
  if (s.key_name) {
    const kp = ctx.source.keypairs.find((k) => k.name === s.key_name);
    const kstep = kp ? ctx.ids.of("keypairs", kp.id) : undefined;
    if (kstep) {
      keyRef = ref(kstep);
      deps.push(kstep);
    } else {
      ctx.finding({ severity: "warning", code: "keypair_not_found", step: id, message: `server "${s.name}" uses keypair "${s.key_name}", which the source user cannot see; the copy gets no keypair` });
    }
  }
  const networks: ServerParams["networks"] = [];
  for (const pid of s.port_ids) {
    const pstep = ctx.ids.of("ports", pid);
    if (!pstep) {
      ctx.finding({ severity: "error", code: "server_port_missing", step: id, message: `server "${s.name}" has port ${pid}, which is not in the inventory` });
      continue;
    }
    networks.push({ port: ref(pstep) });
    deps.push(pstep);
  }
  if (networks.length === 0) {
    ctx.finding({ severity: "warning", code: "server_without_ports", step: id, message: `server "${s.name}" has no ports; the copy is created without networks` });
  }
  let groupRef: ServerParams["server_group"] = null;
  const g = s.server_group_id ? ctx.ids.of("server_groups", s.server_group_id) : undefined;
  if (g) {
    groupRef = ref(g);
    deps.push(g);
  }
  const az = mapAvailabilityZone(s.availability_zone, ctx.target.availability_zones, ctx.mapping.availabilityZones, "compute");
  let zone: string | null = null;
  if (!az.ok) ctx.finding({ severity: "error", code: "availability_zone_unmapped", step: id, message: az.reason });
  else {
    zone = az.zone;
    if (s.availability_zone && az.zone) ctx.mapped("availabilityZones", s.availability_zone, az.zone);
  }
  const volumes: ServerParams["volumes"] = [];
  for (const v of s.volumes) {
    if (v.boot_index === 0) continue;
    const vstep = ctx.ids.of("volumes", v.volume_id);
    if (!vstep) continue;
    volumes.push({ volume: ref(vstep), device: v.device });
    deps.push(vstep);
  }
  volumes.sort((a, b) => (a.device ?? "").localeCompare(b.device ?? "") || a.volume.$step.localeCompare(b.volume.$step));
  return { key_name: keyRef, networks, server_group: groupRef, availability_zone: zone, volumes };
}
