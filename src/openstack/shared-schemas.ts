/**
 * Response shapes that Nova and Cinder share: absolute limits, quota sets in
 * detail form, and the availability-zone list. Both services inherited them
 * from the same code, so one lenient schema serves both.
 *
 * Quirks: quota detail sets carry an `id` key next to the figures; Cinder adds
 * per-volume-type keys (`volumes_lab`, `gigabytes___DEFAULT__`); the
 * availability-zone list has `hosts: null` for non-admins.
 */
import { z } from "zod";
import { bool, int } from "./lenient.js";

/** GET /limits: absolute limits and usage (maxTotalCores, totalCoresUsed, …). */
export const LimitsResponse = z.object({
  limits: z.object({
    absolute: z.record(z.string(), z.union([z.number(), z.null()])).transform((r) => {
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(r)) if (typeof v === "number") out[k] = v;
      return out;
    }),
    rate: z.array(z.unknown()).nullish(),
  }),
});

/** One quota with its usage; -1 means unlimited. */
export interface QuotaDetail {
  limit: number;
  in_use: number;
  reserved: number;
}

const QuotaDetailSchema = z.object({ limit: int(-1), in_use: int(0), reserved: int(0) });

/** A quota set in detail form (`{key: {limit, in_use, reserved}}`), as Nova and Cinder send it. */
export const QuotaDetailSet = z.record(z.string(), z.unknown()).transform((r, ctx) => {
  const out: Record<string, QuotaDetail> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === "id") continue;
    const p = QuotaDetailSchema.safeParse(v);
    if (p.success) out[k] = p.data;
    else if (typeof v === "number") out[k] = { limit: v, in_use: 0, reserved: 0 };
    else ctx.addIssue({ code: "custom", path: [k], message: "not a quota figure" });
  }
  return out;
});
export const QuotaDetailSetResponse = z.object({ quota_set: QuotaDetailSet });
/** A quota set in plain form (`{key: limit}`), as GET /os-quota-sets/{project} sends it. */
export const QuotaSetResponse = z.object({
  quota_set: z.record(z.string(), z.unknown()).transform((r) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(r)) if (k !== "id" && typeof v === "number") out[k] = v;
    return out;
  }),
});

/** An availability zone of a service. */
export interface AvailabilityZone {
  name: string;
  available: boolean;
}

/** GET /os-availability-zone (Nova) and GET /os-availability-zone (Cinder) share this shape. */
export const AvailabilityZoneListResponse = z.object({
  availabilityZoneInfo: z.array(
    z
      .object({
        zoneName: z.string(),
        zoneState: z.object({ available: bool(false) }).nullish(),
        hosts: z.record(z.string(), z.unknown()).nullish(),
      })
      .transform((z0): AvailabilityZone => ({ name: z0.zoneName, available: z0.zoneState?.available ?? false })),
  ),
});

