/**
 * Microversion negotiation for Nova and Cinder: one GET of the service's
 * version document, then min(wanted, newest supported). The chosen versions
 * are recorded (inventory meta shows them).
 *
 * Why these versions:
 * - compute 2.79: 2.2 keypair `type`; 2.26 server tags; 2.45 createImage
 *   returns `{"image_id"}`; 2.47 the server embeds its flavor with
 *   `extra_specs` (so flavors need no extra lookups); 2.52 tags at create;
 *   2.61 flavor `extra_specs` inline in flavor lists; 2.64 server group
 *   `policy` + `rules`; 2.67 `volume_type` in block_device_mapping_v2; 2.71
 *   `server_groups` in server show; 2.73 `locked_reason`; 2.79
 *   `delete_on_termination` in volume attachments. Zed supports up to 2.93;
 *   2.79 is reached by every release since Train.
 * - volume 3.60: 3.1 makes os-volume_upload_image honour `visibility`
 *   (without it the image comes out `shared`, seen on Zed); 3.60 adds
 *   `created_at`/`updated_at` filters on volume lists. Below 3.66 a
 *   snapshot of an in-use volume needs `force: true`, which createSnapshot
 *   sends when asked (from 3.66 on `force: false` is rejected). Zed supports up
 *   to 3.70.
 *
 * Quirks: Nova's versioned endpoint (`…/v2.1`) answers `{"version": …}`;
 * Cinder's (`…/v3/`) answers `{"versions": […]}` and its root answers 300
 * Multiple Choices. A service without microversions sends `version: ""`.
 */
import { z } from "zod";
import { ApiError } from "../errors.js";
import { log } from "../log.js";
import type { ServiceClient } from "./session.js";

/** The microversions the tool asks for, per service; see the module comment for why. */
export const WANTED_MICROVERSIONS = {
  compute: "2.79",
  "block-storage": "3.60",
} as const;

const VersionEntry = z.object({
  id: z.string(),
  links: z.array(z.object({ href: z.string(), rel: z.string().optional() }).loose()).optional(),
  status: z.string().optional(),
  version: z.string().nullish(),
  min_version: z.string().nullish(),
});
/** A version document: Nova's `{version}`, Cinder's `{versions: […]}`, Keystone's `{versions: {values}}`. */
export const VersionDocument = z.union([
  z.object({ version: VersionEntry }),
  z.object({ versions: z.array(VersionEntry) }),
  z.object({ versions: z.object({ values: z.array(VersionEntry) }) }),
]);

/** The microversion range one API version supports (null when it has none). */
export interface MicroversionRange {
  min: string | null;
  max: string | null;
}

/** Compares "2.79" and "2.100" numerically. */
export function compareMicroversions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split(".").map(Number);
  const [bm = 0, bn = 0] = b.split(".").map(Number);
  return am !== bm ? am - bm : an - bn;
}

/** The microversion to send: min(wanted, max); undefined when the service has no microversions. */
export function chooseMicroversion(wanted: string, range: MicroversionRange): string | undefined {
  if (!range.max) return undefined;
  return compareMicroversions(wanted, range.max) <= 0 ? wanted : range.max;
}

/** Picks the entry for API major version `major` ("2" for Nova v2.1, "3" for Cinder v3) from a version document. */
export function rangeFromDocument(doc: unknown, major: string): MicroversionRange | undefined {
  const parsed = VersionDocument.safeParse(doc);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  const entries = "version" in d ? [d.version] : Array.isArray(d.versions) ? d.versions : d.versions.values;
  const candidates = entries.filter((e) => e.id.replace(/^v/, "").split(".")[0] === major && e.version);
  const best = candidates.find((e) => e.status?.toUpperCase() === "CURRENT") ?? candidates[0];
  if (!best) return entries.length > 0 ? { min: null, max: null } : undefined;
  return { min: best.min_version || null, max: best.version || null };
}

/** The URL of the version document for an endpoint: everything up to the /vN(.M) segment. */
export function versionDocumentUrl(endpoint: string): string {
  const u = new URL(endpoint);
  const m = /^(.*?\/v\d+(\.\d+)?)(\/|$)/.exec(u.pathname);
  u.pathname = m ? `${m[1]}/` : "/";
  u.search = "";
  return u.toString();
}

/**
 * Reads the service's version document and sets `client.microversion` to the
 * best version not above `wanted`; returns it (undefined when the service has none).
 */
export async function negotiateMicroversion(client: ServiceClient, wanted: string): Promise<string | undefined> {
  const major = wanted.split(".")[0] ?? "";
  const url = versionDocumentUrl(client.endpoint);
  let range: MicroversionRange | undefined;
  try {
    const doc = await client.get<unknown>(url, undefined, { okStatuses: [300], microversion: "" });
    range = rangeFromDocument(doc, major);
    if (!range && url !== new URL("/", url).toString()) {
      const root = await client.get<unknown>(new URL("/", url).toString(), undefined, { okStatuses: [300], microversion: "" });
      range = rangeFromDocument(root, major);
    }
  } catch (err) {
    if (!(err instanceof ApiError) || err.fault === "network") throw err;
    log.warn(`Cannot read the ${client.service} version document; sending no microversion`, { url, error: err.message });
    client.microversion = undefined;
    return undefined;
  }
  if (!range) {
    log.warn(`The ${client.service} version document has no v${major} entry; sending no microversion`, { url });
    client.microversion = undefined;
    return undefined;
  }
  const chosen = chooseMicroversion(wanted, range);
  if (chosen && chosen !== wanted) {
    log.warn(`${client.service} supports microversions up to ${range.max}; using ${chosen} instead of ${wanted}`);
  }
  if (chosen && range.min && compareMicroversions(chosen, range.min) < 0) {
    client.microversion = range.min;
    return range.min;
  }
  client.microversion = chosen;
  return chosen;
}
