/**
 * Volume type mapping. Pure: reads source and target `GET /v3/{project_id}/types`
 * entries from the inventory.
 *
 * Rules, first match wins:
 * 1. Override (`volumeTypes: { "<src type>": "<target type>" }`; an override
 *    naming a type the target lacks is an error).
 * 2. Aspects (scs-0114): the source type's description starts with
 *    `[scs:encrypted, replicated]`; a target type qualifies when it declares
 *    every aspect of the source type. Among qualifying types: the same name,
 *    then the fewest extra aspects, then name.
 * 3. The same name.
 * 4. The target's default type: the one the cloud marks default
 *    (`GET /v3/{project_id}/types/default`, passed in `defaults`), else
 *    `__default__`, else the only type.
 *
 * When the source declares aspects that no target type declares, rules 3–4
 * still decide, and the result lists the aspects that may be lost
 * (`lostAspects`), so the planner can warn instead of blocking: the aspects are
 * only recommended by scs-0114, and many clouds do not advertise them.
 *
 * Quirks:
 * - A volume's `volume_type` is the type name from Cinder 3.x on, but old
 *   volumes may carry the id; both are looked up.
 * - scs-0114 asks for a sorted, duplicate-free aspect list; the parser is
 *   lenient (it trims, lower-cases, sorts and de-duplicates) because a badly
 *   written prefix still states the intent.
 * - `__default__` always exists but has unspecified semantics (scs-0114).
 */
import type { VolumeType } from "../model/inventory.js";

/** Volume type overrides from the mapping file: source type name → target type name. */
export type VolumeTypeOverrides = Record<string, string>;

/** Why a target volume type was chosen. */
export type VolumeTypeBasis = "override" | "scs-aspects" | "same-name" | "target-default";

/** The outcome of mapping one volume type. */
export type VolumeTypeMapping =
  | {
      ok: true;
      targetType: { id: string; name: string };
      basis: VolumeTypeBasis;
      /** Aspects the source type declares and the chosen target type does not. */
      lostAspects: string[];
      note: string;
    }
  | { ok: false; reason: string };

/** Facts about the target that the inventory model does not carry. */
export interface VolumeTypeDefaults {
  /** Name (or id) of the type `GET /v3/{project_id}/types/default` returns, when known. */
  targetDefaultType?: string | null;
}

/** The name Cinder gives the type it always creates. */
export const CINDER_DEFAULT_TYPE = "__default__";

const ASPECT_PREFIX = /^\s*\[scs:([^\]]*)\]/;

/**
 * The scs-0114 aspects a volume type description declares (sorted, unique), or null when it has no `[scs:…]` prefix.
 * @example parseScsAspects("[scs:encrypted, replicated] LUKS on Ceph") // ["encrypted", "replicated"]
 */
export function parseScsAspects(description: string | null | undefined): string[] | null {
  if (!description) return null;
  const m = ASPECT_PREFIX.exec(description);
  if (!m) return null;
  const aspects = (m[1] ?? "")
    .split(",")
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(aspects)].sort();
}

function find(types: VolumeType[], nameOrId: string): VolumeType | undefined {
  return types.find((t) => t.name === nameOrId) ?? types.find((t) => t.id === nameOrId);
}

function byName(a: VolumeType, b: VolumeType): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Maps a source volume type (null: the source default) to a target type by the rules in the module header. */
export function mapVolumeType(
  srcTypeName: string | null,
  srcTypes: VolumeType[],
  targetTypes: VolumeType[],
  overrides: VolumeTypeOverrides = {},
  defaults: VolumeTypeDefaults = {},
): VolumeTypeMapping {
  const srcType = srcTypeName === null ? undefined : find(srcTypes, srcTypeName);
  const srcName = srcType?.name ?? srcTypeName;
  const label = `volume type ${srcName ?? "(none)"}`;
  const srcAspects = parseScsAspects(srcType?.description) ?? [];
  const result = (t: VolumeType, basis: VolumeTypeBasis, note: string): VolumeTypeMapping => {
    const have = parseScsAspects(t.description) ?? [];
    const lostAspects = srcAspects.filter((a) => !have.includes(a));
    const lost = lostAspects.length ? `; ${t.name} does not declare ${lostAspects.join(", ")}` : "";
    return { ok: true, targetType: { id: t.id, name: t.name }, basis, lostAspects, note: note + lost };
  };

  const override = srcName !== null && Object.hasOwn(overrides, srcName) ? overrides[srcName] : undefined;
  if (override !== undefined) {
    const hit = find(targetTypes, override);
    if (!hit) {
      return { ok: false, reason: `${label}: the mapping file maps it to ${override}, which does not exist on the target` };
    }
    return result(hit, "override", "mapping file");
  }

  if (srcAspects.length > 0) {
    const qualifying = targetTypes
      .map((t) => ({ t, aspects: parseScsAspects(t.description) ?? [] }))
      .filter(({ aspects }) => srcAspects.every((a) => aspects.includes(a)))
      .sort(
        (a, b) =>
          Number(b.t.name === srcName) - Number(a.t.name === srcName) ||
          a.aspects.length - b.aspects.length ||
          byName(a.t, b.t),
      );
    const best = qualifying[0];
    if (best) return result(best.t, "scs-aspects", `declares [scs:${srcAspects.join(", ")}]`);
  }

  if (srcName !== null) {
    const same = targetTypes.find((t) => t.name === srcName);
    if (same) return result(same, "same-name", "same name on the target");
  }

  const marked = defaults.targetDefaultType ? find(targetTypes, defaults.targetDefaultType) : undefined;
  if (marked) return result(marked, "target-default", "the target's default type");
  const builtin = targetTypes.find((t) => t.name === CINDER_DEFAULT_TYPE);
  if (builtin) return result(builtin, "target-default", `the target's ${CINDER_DEFAULT_TYPE} type`);
  if (targetTypes.length === 1) return result(targetTypes[0]!, "target-default", "the target's only type");
  const names = targetTypes.map((t) => t.name).sort();
  return {
    ok: false,
    reason: `${label}: no target type matches and the target has no default type (types: ${names.join(", ") || "none"}); set volumeTypes in the mapping file`,
  };
}
