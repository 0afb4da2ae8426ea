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
import type { Image, Server } from "../model/inventory.js";
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
  const { source, target, mapping } = ctx;
  const out: PlannedStep[] = [];
  const stateless = new Set(mapping.statelessServers);
  const portSteps = new Map<string, string>();
  for (const p of source.ports) {
    const s = ctx.ids.of("ports", p.id);
    if (s) portSteps.set(p.id, s);
  }
  for (const s of source.servers) {
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
    nameClash(ctx, id, "server", s.name, target.servers.map((t) => t.name));
    const deps: string[] = [];

    // Flavor.
    const fm = mapFlavor({ name: s.flavor_name, ...s.flavor }, target.flavors, mapping.flavors);
    let flavorRef: ServerParams["flavor_ref"] = null;
    let bootVolumeSize: number | null = null;
    let flavorNote = "";
    if (!fm.ok) {
      ctx.finding({ severity: "error", code: "flavor_unmapped", step: id, message: `server "${s.name}": ${fm.reason}` });
    } else {
      flavorRef = { name: fm.target.name };
      bootVolumeSize = fm.bootVolumeGB;
      ctx.mapped("flavors", s.flavor_name, fm.target.name);
      flavorNote = fm.target.name === s.flavor_name ? s.flavor_name : `${s.flavor_name} → ${fm.target.name}`;
      if (fm.bootVolumeGB) flavorNote += ` + ${fm.bootVolumeGB} GB boot volume`;
    }
    const targetFlavor = fm.ok ? target.flavors.find((f) => f.id === fm.target.id) : undefined;

    // Root disk.
    let boot: ServerBoot;
    let bytes = 0;
    const rootVolume = s.volumes.find((v) => v.boot_index === 0);
    const img = imageOf(ctx, s);
    if (!s.image_id && rootVolume) {
      const vstep = ctx.ids.of("volumes", rootVolume.volume_id);
      if (!vstep) {
        ctx.finding({ severity: "error", code: "root_volume_missing", step: id, message: `server "${s.name}" boots from volume ${rootVolume.volume_id}, which is not in the inventory` });
        boot = { source: "root-disk-copy" };
      } else {
        boot = { source: "volume", volume: ref(vstep) };
        deps.push(vstep);
      }
      bootVolumeSize = null;
    } else if (stateless.has(s.name)) {
      const imgStep = s.image_id ? ctx.ids.of("images", s.image_id) : undefined;
      if (imgStep && img && img.owner === source.meta.project_id) {
        boot = { source: "image", image: ref(imgStep) };
        deps.push(imgStep);
      } else if (img) {
        const im = mapImage(img, target.images, mapping.images, { sourceProjectId: source.meta.project_id });
        if (im.action === "use-target") {
          boot = { source: "image", image: { name: im.targetImage.name } };
          ctx.mapped("images", img.name, im.targetImage.name);
        } else {
          ctx.finding({
            severity: "error",
            code: "stateless_image_unmapped",
            step: id,
            message: `server "${s.name}" is marked stateless but its image "${img.name}" has no match on the target (${im.action === "copy" ? im.reason : im.reason})`,
          });
          boot = { source: "root-disk-copy" };
        }
      } else {
        ctx.finding({ severity: "error", code: "stateless_image_unknown", step: id, message: `server "${s.name}" is marked stateless but its image ${s.image_id ?? "(none)"} is gone from the source` });
        boot = { source: "root-disk-copy" };
      }
    } else {
      boot = { source: "root-disk-copy" };
    }
    if (boot.source === "root-disk-copy") {
      bytes = img?.size ?? s.flavor.disk * GiB;
      if (img && img.visibility === "public" && img.owner !== source.meta.project_id) {
        const im = mapImage(img, target.images, mapping.images, { sourceProjectId: source.meta.project_id });
        if (im.action === "use-target") ctx.mapped("images", img.name, im.targetImage.name);
      }
    }
    if (boot.source !== "volume" && targetFlavor && targetFlavor.disk === 0 && bootVolumeSize === null) {
      // Why: non-admins may not boot a zero-disk flavor from an image; it needs a volume of the root disk's size.
      bootVolumeSize = Math.max(1, s.flavor.disk, img?.min_disk ?? 0, Math.ceil((img?.size ?? 0) / GiB));
      flavorNote += ` + ${bootVolumeSize} GB boot volume`;
    }

    // Keypair, ports, group, zone, volumes.
    let keyRef: ServerParams["key_name"] = null;
    if (s.key_name) {
      const kp = source.keypairs.find((k) => k.name === s.key_name);
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
      const pstep = portSteps.get(pid);
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
    if (s.server_group_id) {
      const g = ctx.ids.of("server_groups", s.server_group_id);
      if (g) {
        groupRef = ref(g);
        deps.push(g);
      }
    }
    const az = mapAvailabilityZone(s.availability_zone, target.availability_zones, mapping.availabilityZones, "compute");
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
    if (s.user_data_present) {
      ctx.finding({ severity: "warning", code: "user_data_not_readable", step: id, message: `server "${s.name}" was created with user data, which the API does not return to non-admins; the copy has none` });
    }
    const params: ServerParams = {
      name: s.name,
      flavor_ref: flavorRef,
      boot,
      boot_volume_size: bootVolumeSize,
      key_name: keyRef,
      networks,
      server_group: groupRef,
      availability_zone: zone,
      metadata: userMetadata(s.metadata),
      tags: userTags(s.tags),
      volumes,
      config_drive: s.config_drive,
    };
    const options: ServerOptions = {
      cutover: ctx.options.cutover,
      powerState: s.status === "SHUTOFF" || s.status.startsWith("SHELVED") ? "SHUTOFF" : "ACTIVE",
    };
    out.push(
      stepFor("server", id, src, s, {
        dependsOn: deps,
        params,
        options,
        ...(bytes > 0 ? { bytes } : {}),
        note: [flavorNote, boot.source === "volume" ? "boot from migrated volume" : boot.source === "image" ? "boot from image (stateless)" : "root disk copied"]
          .filter(Boolean)
          .join("; "),
        facts,
      }),
    );
  }
  return out;
}
