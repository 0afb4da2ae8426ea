/**
 * Planning of Cinder volumes. Every volume the project owns is recreated with
 * its size, mapped type and zone, metadata and bootable flag, and its data is
 * copied (upload to image on the source, image copy, volume from image on the
 * target). Attachments are made by the server steps. Volume snapshots are not
 * migrated (they are point-in-time copies inside one backend); they appear as
 * skipped steps so the plan shows them.
 */
import { z } from "zod";
import { mapAvailabilityZone } from "../mapping/availability-zone.js";
import { mapVolumeType } from "../mapping/volume-type.js";
import { NameRefSchema, userMetadata } from "./common.js";
import { excluded, nameClash, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const VolumeParams = z
  .object({
    name: z.string(),
    description: z.string(),
    size: z.number().int().positive(),
    volume_type: NameRefSchema.nullable(),
    availability_zone: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    bootable: z.boolean(),
  })
  .strict();
export type VolumeParams = z.infer<typeof VolumeParams>;

export const VolumeOptions = z
  .object({
    dataCopy: z.boolean().describe("copy the volume's bytes (false creates an empty volume)"),
    consistency: z.enum(["stop-server", "snapshot"]).describe("stop-server: stop attached servers before copying (cold); snapshot: copy a snapshot taken while they run (live)"),
  })
  .strict();
export type VolumeOptions = z.infer<typeof VolumeOptions>;

const GiB = 1024 ** 3;
const COPYABLE = new Set(["available", "in-use"]);

export function planVolumes(ctx: PlanContext): PlannedStep[] {
  const { source, target, mapping } = ctx;
  const out: PlannedStep[] = [];
  for (const v of source.volumes) {
    const id = ctx.ids.must("volumes", v.id);
    const src = { id: v.id, name: v.name };
    const facts = { status: v.status, size: v.size, volume_type: v.volume_type, attached_to: v.attachments.map((a) => a.server_id) };
    if (excluded(ctx, id)) {
      out.push(skipFor("volume", id, src, v, "skip_excluded_by_user", "excluded by the mapping file", facts));
      continue;
    }
    if (!COPYABLE.has(v.status)) {
      ctx.finding({ severity: "warning", code: "volume_not_available", step: id, message: `volume ${id} is ${v.status}; only available or in-use volumes can be copied` });
      out.push(skipFor("volume", id, src, v, "skip_volume_not_available", `status ${v.status}`, facts));
      continue;
    }
    nameClash(ctx, id, "volume", v.name, target.volumes.map((t) => t.name));
    const vt = mapVolumeType(v.volume_type, source.volume_types, target.volume_types, mapping.volumeTypes, {
      targetDefaultType: target.volume_types.find((t) => t.is_default)?.name ?? null,
    });
    let volumeType: VolumeParams["volume_type"] = null;
    if (!vt.ok) {
      ctx.finding({ severity: "error", code: "volume_type_unmapped", step: id, message: vt.reason });
    } else {
      volumeType = { name: vt.targetType.name };
      if (v.volume_type) ctx.mapped("volumeTypes", v.volume_type, vt.targetType.name);
      if (vt.lostAspects.length > 0) {
        ctx.finding({ severity: "warning", code: "volume_type_aspects_lost", step: id, message: `volume ${id}: ${vt.note}` });
      }
    }
    const az = mapAvailabilityZone(v.availability_zone, target.availability_zones, mapping.availabilityZones, "volume");
    let zone: string | null = null;
    if (!az.ok) ctx.finding({ severity: "error", code: "availability_zone_unmapped", step: id, message: az.reason });
    else {
      zone = az.zone;
      if (v.availability_zone && az.zone) ctx.mapped("availabilityZones", v.availability_zone, az.zone);
    }
    if (v.multiattach) {
      ctx.finding({ severity: "warning", code: "volume_multiattach", step: id, message: `volume ${id} is multi-attach; the copy is attached to its first server only` });
    }
    if (v.encrypted) {
      ctx.finding({ severity: "warning", code: "volume_encrypted", step: id, message: `volume ${id} is encrypted; its key stays with the source cloud's key manager and the copy is encrypted only if the target type is` });
    }
    const params: VolumeParams = {
      name: v.name,
      description: v.description,
      size: v.size,
      volume_type: volumeType,
      availability_zone: zone,
      metadata: userMetadata(v.metadata),
      bootable: v.bootable,
    };
    const options: VolumeOptions = { dataCopy: true, consistency: ctx.options.cutover === "cold" ? "stop-server" : "snapshot" };
    out.push(stepFor("volume", id, src, v, { params, options, bytes: v.size * GiB, facts }));
  }
  for (const s of source.volume_snapshots) {
    const id = ctx.ids.must("volume_snapshots", s.id);
    out.push(
      skipFor("volume-snapshot", id, { id: s.id, name: s.name }, s, "skip_volume_snapshot_not_migrated", "snapshots stay on the source; the volume's current data is copied", {
        volume: ctx.ids.of("volumes", s.volume_id) ?? s.volume_id,
        size: s.size,
      }),
    );
  }
  return out;
}
