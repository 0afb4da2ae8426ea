/**
 * The Keystone service catalog: picking the endpoint of a service by type
 * (with the aliases services are registered under), region and interface,
 * and normalising its URL to the base the service clients append paths to.
 *
 * Quirks (service-types-authority and live catalogs):
 * - Cinder is registered as `block-storage`, `volumev3`, `volumev2`, `volume`
 *   or `block-store`; old `volumev2` entries (…/v2/…) are used only when no
 *   v3 entry exists.
 * - Neutron's catalog URL has no `/v2.0` (some clouds add it): the base is
 *   stored without it and paths start with `/v2.0/`.
 * - Glance's URL has no version (some clouds add `/v2`): the base is stored
 *   without it and paths start with `/v2/`. Octavia likewise with `/v2`.
 * - Nova's URL includes `/v2.1` (sometimes `/v2.1/{project_id}`) and Cinder's
 *   `/v3/{project_id}`, already substituted by Keystone; they stay as they are.
 * - Keystone's own entry often ends in `/v3/`; the trailing slash is dropped.
 */
import { z } from "zod";
import { ConfigError, NotFoundError } from "../errors.js";

/** The services the tool talks to, by their official service type. */
export type ServiceName = "compute" | "network" | "image" | "block-storage" | "identity" | "object-store" | "load-balancer";

/** Catalog types each service may be registered under, most preferred first. */
export const SERVICE_TYPE_ALIASES: Record<ServiceName, readonly string[]> = {
  compute: ["compute"],
  network: ["network"],
  image: ["image"],
  "block-storage": ["block-storage", "volumev3", "block-store", "volume", "volumev2"],
  identity: ["identity"],
  "object-store": ["object-store"],
  "load-balancer": ["load-balancer"],
};

/** One endpoint of a catalog entry. */
export const CatalogEndpoint = z.object({
  id: z.string().optional(),
  interface: z.string(),
  region: z.string().nullish(),
  region_id: z.string().nullish(),
  url: z.string(),
});
export type CatalogEndpoint = z.infer<typeof CatalogEndpoint>;

/** One service of the catalog. */
export const CatalogEntry = z.object({
  id: z.string().optional(),
  type: z.string(),
  name: z.string().nullish(),
  endpoints: z
    .array(CatalogEndpoint)
    .nullish()
    .transform((v) => v ?? []),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

/** GET /v3/auth/catalog: the catalog on its own. */
export const CatalogResponse = z.object({ catalog: z.array(CatalogEntry) });

function regionOf(e: CatalogEndpoint): string | null {
  return e.region_id ?? e.region ?? null;
}

function looksOldVolume(url: string): boolean {
  return /\/v[12](\/|$)/.test(new URL(url).pathname);
}

/** The endpoint URL of a service, normalised to the base the service clients expect. */
export function chooseEndpoint(
  catalog: readonly CatalogEntry[],
  service: ServiceName,
  opts: { region: string | null; interface: "public" | "internal" | "admin" },
): string {
  const aliases = SERVICE_TYPE_ALIASES[service];
  const matches: { alias: number; ep: CatalogEndpoint }[] = [];
  for (const entry of catalog) {
    const alias = aliases.indexOf(entry.type);
    if (alias < 0) continue;
    for (const ep of entry.endpoints) {
      if (ep.interface.replace(/URL$/, "") !== opts.interface) continue;
      if (opts.region !== null && regionOf(ep) !== opts.region) continue;
      matches.push({ alias, ep });
    }
  }
  if (matches.length === 0 && opts.region !== null) {
    const elsewhere = catalog
      .filter((e) => aliases.includes(e.type))
      .flatMap((e) => e.endpoints.filter((ep) => ep.interface.replace(/URL$/, "") === opts.interface).map(regionOf))
      .filter((r): r is string => r !== null);
    if (elsewhere.length > 0) {
      throw new ConfigError(`region ${opts.region} has no ${service} endpoint; the catalog's regions for it: ${[...new Set(elsewhere)].join(", ")}`, {
        hint: "Set region_name in clouds.yaml to one of these regions.",
      });
    }
  }
  if (matches.length === 0) {
    const types = catalog.map((e) => e.type).join(", ") || "nothing";
    const regions = [...new Set(catalog.flatMap((e) => e.endpoints.map(regionOf)).filter((r) => r !== null))];
    throw new NotFoundError(
      `no ${opts.interface} endpoint for service ${service} (${aliases.join("/")})${opts.region ? ` in region ${opts.region}` : ""}; the catalog has: ${types}${regions.length ? `; regions: ${regions.join(", ")}` : ""}`,
    );
  }
  if (opts.region === null) {
    const regions = [...new Set(matches.map((m) => regionOf(m.ep)))];
    if (regions.length > 1) {
      throw new ConfigError(`the catalog has ${service} endpoints in several regions (${regions.join(", ")}); set region_name in clouds.yaml`);
    }
  }
  matches.sort((a, b) => a.alias - b.alias);
  let chosen = matches[0]!.ep;
  if (service === "block-storage") {
    const modern = matches.find((m) => !looksOldVolume(m.ep.url));
    if (modern) chosen = modern.ep;
  }
  return normalizeEndpoint(service, chosen.url);
}

/** Strips version suffixes where the service clients add the version themselves. */
export function normalizeEndpoint(service: ServiceName, url: string): string {
  let u = url.trim().replace(/\/+$/, "");
  switch (service) {
    case "network":
      u = u.replace(/\/v2\.0$/, "");
      break;
    case "image":
      u = u.replace(/\/v[12](\.\d+)?$/, "");
      break;
    case "load-balancer":
      u = u.replace(/\/v2(\.0)?$/, "");
      break;
    default:
      break;
  }
  return u;
}
