/**
 * Block storage checks of the portability assessment. Pure: reads volumes,
 * volume types and volume snapshots (`GET /v3/{project_id}/volumes/detail`,
 * `/types`, `/snapshots/detail`) from the inventory.
 *
 * Rules:
 * - A volume type in use without `[scs:…]` aspects in its description
 *   (scs-0114) leaves the target type to a name match or the default type →
 *   minor. Cinder's own `__DEFAULT__` type exists everywhere and is skipped.
 * - Volumes of encrypted types (the volume's `encrypted` flag, or an
 *   `encrypted` aspect) → info per type: encryption keys live in the source's
 *   key manager and do not move.
 * - Multi-attach volumes need a multi-attach type on the target → major.
 * - Volume snapshots are not migrated → minor per volume that has them.
 */
import type { Volume } from "../model/inventory.js";
import { parseScsAspects } from "../mapping/volume-type.js";
import type { AssessContext } from "./context.js";
import { finding, listNames, nameOf, plural, ref, volumeTypeOf } from "./context.js";
import type { Finding } from "./types.js";

const CINDER_DEFAULT = "__default__";

function volumesText(vols: Volume[]): string {
  return `${plural(vols.length, "volume")}: ${listNames(vols.map((v) => nameOf(v)))}`;
}

/** The volume types the project's volumes use: type name (as the volume names it) → volumes. */
export function volumesByType(ctx: AssessContext): Map<string, Volume[]> {
  const out = new Map<string, Volume[]>();
  for (const v of ctx.inv.volumes) {
    if (v.volume_type === null) continue;
    const name = volumeTypeOf(ctx.inv, v)?.name ?? v.volume_type;
    out.set(name, [...(out.get(name) ?? []), v]);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Findings about the project's volumes, their types and snapshots. */
export function checkStorage(ctx: AssessContext, byType: Map<string, Volume[]> = volumesByType(ctx)): Finding[] {
  const out: Finding[] = [];
  for (const [name, vols] of byType) {
    const type = ctx.inv.volume_types.find((t) => t.name === name);
    const aspects = parseScsAspects(type?.description);
    if (aspects === null && name.toLowerCase() !== CINDER_DEFAULT) {
      out.push(
        finding(
          "volume-type-no-aspects",
          "minor",
          `volume-type/${name}`,
          `volume type ${name} (${volumesText(vols)}) has no [scs:…] aspects in its description (scs-0114), so its target type is chosen by name or falls back to the target's default type`,
          `Name its target type in the mapping file (volumeTypes: { ${JSON.stringify(name)}: <target type> }); ask the provider to advertise aspects, e.g. a description starting "[scs:encrypted, replicated]".`,
        ),
      );
    }
    const encrypted = vols.filter((v) => v.encrypted || aspects?.includes("encrypted"));
    if (encrypted.length > 0) {
      out.push(
        finding(
          "volume-encrypted",
          "info",
          `volume-type/${name}`,
          `${volumesText(encrypted)} of type ${name} are encrypted; their keys stay in the source key manager and do not move, the target encrypts with keys of its own`,
          `Map ${name} to an encrypted target type (description "[scs:encrypted…]") in volumeTypes; the target needs a key manager usable by members (scs-0116).`,
        ),
      );
    }
  }
  for (const v of ctx.inv.volumes) {
    if (!v.multiattach) continue;
    const servers = v.attachments.map((a) => {
      const s = ctx.serverById.get(a.server_id);
      return s ? nameOf(s) : a.server_id;
    });
    const to = servers.length ? ` (attached to ${listNames(servers)})` : "";
    out.push(
      finding(
        "volume-multiattach",
        "major",
        ref("volume", v),
        `volume ${nameOf(v)} is multi-attach${to}; the target needs a volume type that allows it, and the servers in the volume's zone`,
        `Map ${v.volume_type ?? "its type"} to a multi-attach type of the target in volumeTypes (ask the provider; SCS does not require one), or give each server its own volume or a shared file system.`,
      ),
    );
  }
  const snapsByVolume = new Map<string, string[]>();
  for (const s of ctx.inv.volume_snapshots) {
    snapsByVolume.set(s.volume_id, [...(snapsByVolume.get(s.volume_id) ?? []), nameOf(s)]);
  }
  for (const [volumeId, snaps] of [...snapsByVolume].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const v = ctx.volumeById.get(volumeId);
    const label = v ? nameOf(v) : volumeId;
    out.push(
      finding(
        "volume-snapshots",
        "minor",
        v ? ref("volume", v) : `volume/${volumeId}`,
        `volume ${label} has ${plural(snaps.length, "snapshot")} (${listNames(snaps)}); snapshots are not migrated`,
        `Keep the source project while you may need them, or turn the ones to keep into volumes (openstack volume create --snapshot <snapshot> <name>) so they move as volumes.`,
      ),
    );
  }
  return out;
}
