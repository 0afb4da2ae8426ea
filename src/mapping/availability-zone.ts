/**
 * Availability zone mapping for servers and volumes. Pure: reads the target's
 * zones (`GET /os-availability-zone`, `GET /v3/{project_id}/os-availability-zone`,
 * Neutron's `GET /v2.0/availability_zones`) from the inventory.
 *
 * Rules, first match wins: the mapping file's `availabilityZones` entry →
 * a zone of the same name that is available on the target → the target's
 * only available zone → null, which means "let the cloud choose" (Nova's
 * `default_schedule_zone`, Cinder's `default_availability_zone`; neither is
 * visible to a project, so the tool does not guess).
 *
 * Quirks:
 * - AZ names are provider-specific (scs-0121); a same-name hit across two
 *   providers is a coincidence worth noting, not a guarantee of anything.
 * - With several storage AZs, scs-0121 says cross-AZ attach SHOULD NOT work:
 *   the planner must give a volume its server's zone, which is why the
 *   service is a parameter here.
 */
import type { AvailabilityZone } from "../model/inventory.js";

/** AZ overrides from the mapping file: source zone name → target zone name. */
export type AvailabilityZoneOverrides = Record<string, string>;

/** Why a target zone (or none) was chosen. */
export type AvailabilityZoneBasis = "override" | "same-name" | "only-zone" | "cloud-default";

/** The outcome of mapping one availability zone; `zone: null` lets the cloud choose. */
export type AvailabilityZoneMapping =
  | { ok: true; zone: string | null; basis: AvailabilityZoneBasis; note: string }
  | { ok: false; reason: string };

/** Maps a source AZ (null when unknown) to a target AZ of the given service. */
export function mapAvailabilityZone(
  srcZone: string | null,
  targetZones: AvailabilityZone[],
  overrides: AvailabilityZoneOverrides = {},
  service: AvailabilityZone["service"] = "compute",
): AvailabilityZoneMapping {
  const zones = targetZones.filter((z) => z.service === service);
  const available = [...new Set(zones.filter((z) => z.available).map((z) => z.name))].sort();
  const listed = available.length ? available.join(", ") : "none";

  const override = srcZone !== null && Object.hasOwn(overrides, srcZone) ? overrides[srcZone] : undefined;
  if (override !== undefined) {
    if (!zones.some((z) => z.name === override)) {
      return { ok: false, reason: `availability zone ${srcZone}: the mapping file maps it to ${override}, which is not a ${service} zone on the target (zones: ${listed})` };
    }
    const down = available.includes(override) ? "" : " (the target reports it unavailable)";
    return { ok: true, zone: override, basis: "override", note: `mapping file${down}` };
  }
  if (srcZone !== null && available.includes(srcZone)) {
    return { ok: true, zone: srcZone, basis: "same-name", note: "same name on the target" };
  }
  const was = srcZone === null ? "source zone unknown" : `no ${service} zone ${srcZone} on the target`;
  if (available.length === 1) {
    return { ok: true, zone: available[0]!, basis: "only-zone", note: `${was}; the target's only ${service} zone` };
  }
  return { ok: true, zone: null, basis: "cloud-default", note: `${was}; the cloud chooses (zones: ${listed})` };
}
