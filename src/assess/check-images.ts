/**
 * Image checks of the portability assessment. Pure: reads images
 * (`GET /v2/images`), servers and the root volumes of boot-from-volume servers
 * (`volume_image_metadata` says which image a volume came from).
 *
 * Rules:
 * - A server (or its root volume) that came from a public image of the
 *   provider is portable when the image is a standard one: it carries
 *   `os_distro` and `os_version`, the metadata `mapImage` matches on. Without
 *   them no equivalent can be found on another cloud → major. With them, an
 *   image scs-0104 does not make mandatory (only "Ubuntu 24.04" is) is not
 *   guaranteed: info when scs-0104 lists it as recommended or optional,
 *   minor when it does not list it at all.
 * - Missing scs-0102 metadata: images the project owns → minor when a key
 *   that decides booting and mapping is missing (architecture, min_disk,
 *   min_ram, os_distro, os_version, hw_disk_bus), info when only life-cycle
 *   keys are; provider images in use → info (only the provider can fix them).
 * - An image-booted server whose image the project cannot see any more was
 *   rotated out or deleted (providers replace images under new UUIDs,
 *   scs-0102 `uuid_validity`) → info: its root disk is copied anyway.
 * - Owned images with visibility `shared` or `community` are used by other
 *   projects; their access and the image id do not survive the move.
 */
import type { Image, Server } from "../model/inventory.js";
import type { AssessContext } from "./context.js";
import { finding, listNames, nameOf, plural, ref, rootVolumeOf } from "./context.js";
import { SCS_IMAGE_KEYS_V1, SCS_IMAGE_KEYS_V2_ADDED, SCS_IMAGE_TECHNICAL_KEYS, findStandardImage } from "../mapping/scs-standards.js";
import type { Finding } from "./types.js";

/** An image some servers boot from (directly, or through their root volume). */
export interface ImageUse {
  imageId: string;
  image: Image | undefined;
  servers: Server[];
  /** True when at least one server boots from it directly (not from a volume). */
  direct: boolean;
}

function prop(img: Image, key: string): string | null {
  const v = img.properties[key]?.trim();
  return v ? v : null;
}

/** The scs-0102-v1 keys an image lacks, then the keys v2 adds, in the standard's order. */
export function missingImageKeys(img: Image): { v1: string[]; v2: string[] } {
  const has = (key: string): boolean => {
    if (key === "min_disk") return img.min_disk > 0;
    if (key === "min_ram") return img.min_ram > 0;
    return prop(img, key) !== null;
  };
  return { v1: SCS_IMAGE_KEYS_V1.filter((k) => !has(k)), v2: SCS_IMAGE_KEYS_V2_ADDED.filter((k) => !has(k)) };
}

/** Images the project's servers boot from, with those servers, in image-id order. */
export function imagesInUse(ctx: AssessContext): ImageUse[] {
  const uses = new Map<string, ImageUse>();
  const add = (imageId: string, s: Server, direct: boolean) => {
    const u = uses.get(imageId) ?? { imageId, image: ctx.imageById.get(imageId), servers: [], direct: false };
    if (!u.servers.includes(s)) u.servers.push(s);
    u.direct ||= direct;
    uses.set(imageId, u);
  };
  for (const s of ctx.inv.servers) {
    if (s.image_id) add(s.image_id, s, true);
    else {
      const root = rootVolumeOf(ctx, s);
      const id = root?.image_metadata.image_id ?? root?.source_image_id ?? null;
      if (id) add(id, s, false);
    }
  }
  return [...uses.values()].sort((a, b) => (a.imageId < b.imageId ? -1 : 1));
}

function isProviderImage(ctx: AssessContext, img: Image): boolean {
  return img.visibility === "public" && img.owner !== ctx.projectId && img.properties.image_type !== "snapshot";
}

function serversText(servers: Server[]): string {
  return `${plural(servers.length, "server")}: ${listNames(servers.map((s) => nameOf(s)))}`;
}

function setCommand(img: Image, keys: string[]): string {
  const args = keys.map((k) =>
    k === "min_disk" ? "--min-disk <GiB>" : k === "min_ram" ? "--min-ram <MiB>" : `--property ${k}=<value>`,
  );
  return `openstack image set ${args.join(" ")} ${JSON.stringify(nameOf(img))}`;
}

function metadataFinding(img: Image, owned: boolean, use: ImageUse | undefined): Finding | null {
  const { v1, v2 } = missingImageKeys(img);
  if (v1.length === 0 && v2.length === 0) return null;
  const lists = [v1.length ? v1.join(", ") : "", v2.length ? `${v2.join(", ")} (for scs-0102-v2)` : ""].filter(Boolean);
  const usedBy = use ? `; ${serversText(use.servers)} boot from it` : "";
  if (owned) {
    const technical = v1.some((k) => SCS_IMAGE_TECHNICAL_KEYS.includes(k));
    return finding(
      "image-metadata-missing",
      technical ? "minor" : "info",
      ref("image", img),
      `image ${nameOf(img)} (owned by the project) lacks scs-0102 properties: ${lists.join("; ")}${usedBy}`,
      `Set them before the move, so the copy carries them and the target boots it right: ${setCommand(img, [...v1, ...v2])}.`,
    );
  }
  return finding(
    "image-metadata-missing",
    "info",
    ref("image", img),
    `provider image ${nameOf(img)} lacks scs-0102 properties: ${lists.join("; ")}${usedBy}`,
    `Only the provider can set them (scs-0102 compliance); mapping to a target image then relies on what is there${prop(img, "os_distro") && prop(img, "os_version") ? " (os_distro, os_version)" : " (the image name)"}.`,
  );
}

function standardFinding(ctx: AssessContext, use: ImageUse): Finding | null {
  const img = use.image;
  if (!img || !isProviderImage(ctx, img)) return null;
  const distro = prop(img, "os_distro");
  const version = prop(img, "os_version");
  const resource = ref("image", img);
  if (!distro || !version) {
    return finding(
      "image-provider-nonstandard",
      "major",
      resource,
      `${serversText(use.servers)} came from provider image ${nameOf(img)}, which is not a standard image (no os_distro/os_version), so no equivalent can be found on another cloud`,
      `Rebuild these servers on a standard image (e.g. Ubuntu 24.04, on every SCS cloud); until then do not list them in statelessServers, so their root disks are copied (the image itself is copied only when the target has no match).`,
    );
  }
  const std = findStandardImage({ os_distro: distro, os_version: version, os_purpose: prop(img, "os_purpose") });
  if (std?.status === "mandatory") return null;
  const what = `${distro} ${version}`;
  if (std) {
    return finding(
      "image-not-guaranteed",
      "info",
      resource,
      `${serversText(use.servers)} came from ${nameOf(img)} (${what}), which scs-0104 lists as ${std.status} (${std.name}), not mandatory: not every SCS cloud has it`,
      `Check that the target offers ${std.name}; the move copies root disks anyway, but stateless rebuilds need it. Ubuntu 24.04 is the only image every SCS cloud must have.`,
    );
  }
  return finding(
    "image-not-guaranteed",
    "minor",
    resource,
    `${serversText(use.servers)} came from ${nameOf(img)} (${what}), which scs-0104 does not list, so SCS clouds need not offer it`,
    `Check that the target offers ${what} (openstack image list --property os_distro=${distro} --property os_version=${version}); without a match the move copies the image from the source.`,
  );
}

/** Findings about the images the project uses or owns. */
export function checkImages(ctx: AssessContext, uses: ImageUse[] = imagesInUse(ctx)): Finding[] {
  const out: Finding[] = [];
  const useById = new Map(uses.map((u) => [u.imageId, u]));
  for (const use of uses) {
    const standard = standardFinding(ctx, use);
    if (standard) out.push(standard);
    if (!use.image && use.direct) {
      const direct = use.servers.filter((s) => s.image_id === use.imageId);
      out.push(
        finding(
          "image-gone",
          "info",
          `image/${use.imageId}`,
          `${serversText(direct)} booted from image ${use.imageId}, which the project can no longer see (deleted, or rotated out by the provider)`,
          `Nothing blocks the move (root disks are copied), but find the image that replaced it before declaring these servers stateless or rebuilding them.`,
        ),
      );
    }
  }
  for (const img of ctx.inv.images) {
    const owned = img.owner === ctx.projectId;
    const use = useById.get(img.id);
    if (!owned && !use) continue;
    const md = metadataFinding(img, owned, use);
    if (md) out.push(md);
    if (owned && (img.visibility === "shared" || img.visibility === "community")) {
      const how =
        img.visibility === "shared"
          ? "is shared with other projects, whose access refers to this cloud's project ids"
          : "is a community image that other projects may boot by its id";
      out.push(
        finding(
          "image-shared",
          "minor",
          ref("image", img),
          `image ${nameOf(img)} ${how}; the copy on the target gets a new id and no members`,
          img.visibility === "shared"
            ? `After the move, share the copy again (openstack image add project ${JSON.stringify(nameOf(img))} <target project id>) and tell its users the new image id.`
            : `Publish the new image id to its users, and keep the source image until they have moved.`,
        ),
      );
    }
  }
  return out;
}

/** How many images the assessment looked at: those in use plus those the project owns. */
export function countImages(ctx: AssessContext, uses: ImageUse[] = imagesInUse(ctx)): number {
  const ids = new Set(uses.map((u) => u.imageId));
  for (const img of ctx.inv.images) if (img.owner === ctx.projectId) ids.add(img.id);
  return ids.size;
}
