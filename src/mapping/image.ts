/**
 * Image mapping: does a source image already exist on the target as a
 * provider (public) image, or must it be copied? Pure: reads source and
 * target `GET /v2/images` entries from the inventory.
 *
 * Rules, first match wins:
 * 1. Override (`images: { "<src name>": "<target name>" | "copy" }`).
 * 2. Snapshots (`image_type=snapshot`), images owned by the source project,
 *    private, shared and community images are copied: the target cannot have
 *    them.
 * 3. Standard images (scs-0102 metadata): the target's active public image
 *    with the same `os_distro` + `os_version` + `architecture`, and the same
 *    `os_purpose` when both sides set it. Preference: exact purpose, then
 *    `generic` (or unset) over other purposes, then not `os_hidden`, then
 *    newest `created_at`, then name. This follows the SCS "find image"
 *    recipe (`--property os_distro=… --sort name:desc,created_at:desc`),
 *    except that the newest wins before the name, because providers rotate
 *    images under new UUIDs (scs-0102 `replace_frequency`).
 * 4. The same name among the target's active public images (newest first),
 *    unless a metadata field both sides set disagrees (an "Ubuntu 24.04"
 *    built for aarch64 is no match for an x86_64 one).
 * 5. Otherwise copy.
 *
 * Quirks:
 * - `architecture` is mandatory on SCS clouds but often missing elsewhere; a
 *   missing value counts as x86_64 (the result says so), and the Debian-style
 *   `amd64`/`arm64` spellings are normalised to Glance's `x86_64`/`aarch64`.
 * - `os_distro` compares case-insensitively (libosinfo ids are lower case, but
 *   hand-set values like "Ubuntu" occur); `os_version` compares as text, so
 *   "24.04" ≠ "24.04.1".
 */
import type { Image } from "../model/inventory.js";

/** Image overrides from the mapping file: source image name → target image name, or "copy". */
export type ImageOverrides = Record<string, string>;

/** The override value that forces a copy. */
export const IMAGE_COPY = "copy";

/** Why a target image was chosen. */
export type ImageUseBasis = "override" | "scs-metadata" | "same-name";
/** Why an image is copied. */
export type ImageCopyBasis = "override" | "snapshot" | "owned-by-project" | "not-public" | "no-match";

/** The outcome of mapping one image. */
export type ImageMapping =
  | { action: "use-target"; targetImage: { id: string; name: string }; basis: ImageUseBasis; note: string }
  | { action: "copy"; basis: ImageCopyBasis; reason: string }
  | { action: "error"; reason: string };

/** Facts about the source side that the image rules need. */
export interface ImageContext {
  /** The source project id; images it owns are copied. */
  sourceProjectId?: string | null;
}

const ARCH_ALIASES: Record<string, string> = { amd64: "x86_64", x64: "x86_64", arm64: "aarch64", armv8: "aarch64" };

function arch(img: Image): { value: string; assumed: boolean } {
  const raw = img.properties.architecture?.trim().toLowerCase();
  if (!raw) return { value: "x86_64", assumed: true };
  return { value: ARCH_ALIASES[raw] ?? raw, assumed: false };
}

function prop(img: Image, key: string): string | null {
  const v = img.properties[key]?.trim();
  return v ? v : null;
}

function isSnapshot(img: Image): boolean {
  return img.properties.image_type === "snapshot";
}

function isHidden(img: Image): boolean {
  return img.properties.os_hidden === "true" || img.properties.os_hidden === "True";
}

function usablePublic(img: Image): boolean {
  return img.visibility === "public" && img.status === "active" && !isSnapshot(img);
}

function newestFirst(a: Image, b: Image): number {
  const ca = a.created_at ?? "";
  const cb = b.created_at ?? "";
  if (ca !== cb) return ca < cb ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function contradicts(a: Image, b: Image): boolean {
  for (const key of ["os_distro", "os_version"]) {
    const va = prop(a, key)?.toLowerCase();
    const vb = prop(b, key)?.toLowerCase();
    if (va && vb && va !== vb) return true;
  }
  const aa = arch(a);
  const ab = arch(b);
  return !aa.assumed && !ab.assumed && aa.value !== ab.value;
}

/** Maps a source image to a target public image, or decides to copy it, by the rules in the module header. */
export function mapImage(
  srcImage: Image,
  targetImages: Image[],
  overrides: ImageOverrides = {},
  context: ImageContext = {},
): ImageMapping {
  const label = `image ${srcImage.name || srcImage.id}`;
  const override = Object.hasOwn(overrides, srcImage.name) ? overrides[srcImage.name] : undefined;
  if (override === IMAGE_COPY) return { action: "copy", basis: "override", reason: "the mapping file says copy" };
  if (override !== undefined) {
    const hits = targetImages.filter((i) => i.name === override && i.status === "active").sort(newestFirst);
    const hit = hits[0] ?? targetImages.find((i) => i.id === override && i.status === "active");
    if (!hit) {
      return { action: "error", reason: `${label}: the mapping file maps it to ${override}, which is not an active image on the target` };
    }
    const more = hits.length > 1 ? ` (newest of ${hits.length} with that name)` : "";
    return { action: "use-target", targetImage: { id: hit.id, name: hit.name }, basis: "override", note: `mapping file${more}` };
  }

  if (isSnapshot(srcImage)) return { action: "copy", basis: "snapshot", reason: "a snapshot exists only on the source" };
  if (context.sourceProjectId && srcImage.owner === context.sourceProjectId) {
    return { action: "copy", basis: "owned-by-project", reason: "the project owns this image" };
  }
  if (srcImage.visibility !== "public") {
    return { action: "copy", basis: "not-public", reason: `a ${srcImage.visibility} image exists only on the source` };
  }

  const publicTargets = targetImages.filter(usablePublic);
  const distro = prop(srcImage, "os_distro")?.toLowerCase() ?? null;
  const version = prop(srcImage, "os_version");
  const srcArch = arch(srcImage);
  if (distro && version) {
    const srcPurpose = prop(srcImage, "os_purpose");
    const matches = publicTargets.filter((t) => {
      if (prop(t, "os_distro")?.toLowerCase() !== distro || prop(t, "os_version") !== version) return false;
      if (arch(t).value !== srcArch.value) return false;
      const tp = prop(t, "os_purpose");
      return srcPurpose === null || tp === null || tp === srcPurpose;
    });
    const rank = (t: Image): number => {
      const tp = prop(t, "os_purpose");
      if (srcPurpose !== null && tp === srcPurpose) return 0;
      if (tp === null || tp === "generic") return 1;
      return 2;
    };
    const best = matches.sort(
      (a, b) => rank(a) - rank(b) || Number(isHidden(a)) - Number(isHidden(b)) || newestFirst(a, b),
    )[0];
    if (best) {
      const what = `${distro} ${version} ${srcArch.value}${srcPurpose ? ` ${srcPurpose}` : ""}`;
      const assumed = srcArch.assumed ? " (source has no architecture property, x86_64 assumed)" : "";
      const of = matches.length > 1 ? `, newest of ${matches.length} matches` : "";
      return {
        action: "use-target",
        targetImage: { id: best.id, name: best.name },
        basis: "scs-metadata",
        note: `public image with the same metadata (${what})${of}${assumed}`,
      };
    }
  }

  const byName = publicTargets
    .filter((t) => t.name === srcImage.name && !contradicts(srcImage, t))
    .sort(newestFirst)[0];
  if (byName) {
    return {
      action: "use-target",
      targetImage: { id: byName.id, name: byName.name },
      basis: "same-name",
      note: distro && version ? "public image of the same name (no metadata match)" : "public image of the same name",
    };
  }

  const looked = distro && version ? `${distro} ${version} ${srcArch.value} or ` : "";
  return {
    action: "copy",
    basis: "no-match",
    reason: `no public target image matches ${looked}the name ${JSON.stringify(srcImage.name)}`,
  };
}
