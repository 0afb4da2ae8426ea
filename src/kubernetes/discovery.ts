/**
 * API discovery through the classic endpoints: `/api` (the core group's
 * versions), `/apis` (every other group with its versions and the preferred
 * one) and `/api/v1`, `/apis/G/V` (the resources of one group/version).
 *
 * Why not aggregated discovery (`/apis` with the
 * `application/json;g=apidiscovery.k8s.io;v=v2` Accept type): it arrived in
 * 1.26 (beta) and older servers, such as the 1.20 lab, answer the plain list;
 * the classic endpoints work everywhere.
 *
 * A group/version whose resource list fails (an aggregated API whose backend
 * is down answers 503) does not fail discovery: it is reported in
 * `failed`, as kubectl does with "unable to retrieve the complete list of
 * server APIs". Auth failures and an unreachable server do fail it.
 */
import { z } from "zod";
import { ApiError, UnreachableError } from "../errors.js";
import { log } from "../log.js";
import { KubeAuthError } from "./errors.js";
import type { KubeHttp } from "./http.js";

/** `GET /api`: the core group's versions. */
export const APIVersions = z.object({ kind: z.literal("APIVersions").optional(), versions: z.array(z.string()) }).loose();

const GroupVersionForDiscovery = z.object({ groupVersion: z.string(), version: z.string() }).loose();

/** `GET /apis`: every named group. */
export const APIGroupList = z
  .object({
    kind: z.literal("APIGroupList").optional(),
    groups: z.array(
      z
        .object({
          name: z.string(),
          versions: z.array(GroupVersionForDiscovery),
          preferredVersion: GroupVersionForDiscovery.optional(),
        })
        .loose(),
    ),
  })
  .loose();

/** One entry of an APIResourceList. Subresources appear as "deployments/status". */
export const APIResource = z
  .object({
    name: z.string(),
    singularName: z.string().optional(),
    namespaced: z.boolean(),
    kind: z.string(),
    verbs: z.array(z.string()).nullish(),
    shortNames: z.array(z.string()).optional(),
    categories: z.array(z.string()).optional(),
    // Set only when a subresource belongs to another group/version (e.g. autoscaling/v1 Scale).
    group: z.string().optional(),
    version: z.string().optional(),
  })
  .loose();

/** `GET /api/v1`, `GET /apis/G/V`. */
export const APIResourceList = z
  .object({
    kind: z.literal("APIResourceList").optional(),
    groupVersion: z.string(),
    resources: z.array(APIResource),
  })
  .loose();

/** Where a collection lives: enough to build its URL. */
export interface ResourceRef {
  /** "" for the core group. */
  group: string;
  version: string;
  /** The plural resource name, e.g. "deployments". */
  resource: string;
  namespaced: boolean;
}

/** A served resource (subresources excluded), with what discovery said about it. */
export interface DiscoveredResource extends ResourceRef {
  kind: string;
  singularName: string;
  verbs: string[];
  shortNames: string[];
  categories: string[];
  /** "apps/v1", or "v1" for core. */
  apiVersion: string;
  /** True when `version` is the group's preferred version. */
  preferred: boolean;
  /** Subresource names, e.g. ["status", "scale"]. */
  subresources: string[];
}

export interface DiscoveredGroup {
  /** "" for the core group. */
  name: string;
  versions: string[];
  preferredVersion: string;
}

/** The whole API surface of one server. */
export interface Discovery {
  groups: DiscoveredGroup[];
  /** Every resource of every served group/version (not only the preferred ones). */
  resources: DiscoveredResource[];
  /** Group/versions whose resource list could not be read, with the reason. */
  failed: { groupVersion: string; error: string }[];
}

/** "apps/v1" → {group:"apps", version:"v1"}; "v1" → core. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The URL path of a group/version: /api/v1 or /apis/G/V. */
export function groupVersionPath(group: string, version: string): string {
  return group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function parseOr<T extends z.ZodType>(schema: T, data: unknown, what: string, url: string): z.output<T> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ApiError(`GET ${url}: unexpected ${what} (${issue ? `${issue.path.join(".")}: ${issue.message}` : "schema mismatch"})`, {
    method: "GET",
    url,
    status: 200,
    fault: "server",
    retryable: false,
  });
}

/** Reads every group, version and resource the server serves. */
export async function discover(httpc: KubeHttp, opts: { concurrency?: number; signal?: AbortSignal } = {}): Promise<Discovery> {
  const sig = opts.signal ? { signal: opts.signal } : {};
  const core = await httpc.request({ method: "GET", path: "/api", ...sig });
  const coreVersions = parseOr(APIVersions, core.data, "APIVersions", core.url).versions;
  const named = await httpc.request({ method: "GET", path: "/apis", ...sig });
  const list = parseOr(APIGroupList, named.data, "APIGroupList", named.url).groups;

  const groups: DiscoveredGroup[] = [
    // Why v1 is preferred for core: /api lists no preference, and v1 is the only core version ever served.
    { name: "", versions: coreVersions, preferredVersion: coreVersions.includes("v1") ? "v1" : (coreVersions[0] ?? "v1") },
    ...list.map((g) => ({
      name: g.name,
      versions: g.versions.map((v) => v.version),
      preferredVersion: g.preferredVersion?.version ?? g.versions[0]?.version ?? "",
    })),
  ];
  const gvs = groups.flatMap((g) => g.versions.map((v) => ({ group: g.name, version: v, preferred: v === g.preferredVersion })));

  const failed: Discovery["failed"] = [];
  const lists = await mapLimit(gvs, opts.concurrency ?? 8, async (gv) => {
    const gvName = gv.group ? `${gv.group}/${gv.version}` : gv.version;
    try {
      const res = await httpc.request({ method: "GET", path: groupVersionPath(gv.group, gv.version), ...sig });
      return { gv, list: parseOr(APIResourceList, res.data, "APIResourceList", res.url) };
    } catch (err) {
      if (err instanceof UnreachableError || err instanceof KubeAuthError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      log.warn(`Discovery could not read ${gvName}; its resources are left out`, { error: msg });
      failed.push({ groupVersion: gvName, error: msg });
      return undefined;
    }
  });

  const resources: DiscoveredResource[] = [];
  for (const entry of lists) {
    if (!entry) continue;
    const { gv, list: rl } = entry;
    const subs = new Map<string, string[]>();
    for (const r of rl.resources) {
      const slash = r.name.indexOf("/");
      if (slash < 0) continue;
      const parent = r.name.slice(0, slash);
      subs.set(parent, [...(subs.get(parent) ?? []), r.name.slice(slash + 1)]);
    }
    for (const r of rl.resources) {
      if (r.name.includes("/")) continue;
      resources.push({
        group: gv.group,
        version: gv.version,
        resource: r.name,
        namespaced: r.namespaced,
        kind: r.kind,
        // Why the fallback: 1.20 sends singularName "" for built-in resources.
        singularName: r.singularName || r.kind.toLowerCase(),
        verbs: r.verbs ?? [],
        shortNames: r.shortNames ?? [],
        categories: r.categories ?? [],
        apiVersion: gv.group ? `${gv.group}/${gv.version}` : gv.version,
        preferred: gv.preferred,
        subresources: subs.get(r.name) ?? [],
      });
    }
  }
  return { groups, resources, failed };
}

/** The resource serving `kind` in `apiVersion` (e.g. "apps/v1", "Deployment"), or undefined. */
export function findByKind(d: Discovery, apiVersion: string, kind: string): DiscoveredResource | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  return d.resources.find((r) => r.group === group && r.version === version && r.kind === kind);
}

/**
 * The resource named `resource` (plural, singular or short name) in `group`,
 * at `version` or else the group's preferred version.
 */
export function findResource(d: Discovery, group: string, resource: string, version?: string): DiscoveredResource | undefined {
  const name = resource.toLowerCase();
  const matches = d.resources.filter(
    (r) => r.group === group && (r.resource === name || r.singularName === name || r.shortNames.includes(name)) && (version === undefined || r.version === version),
  );
  return matches.find((r) => r.preferred) ?? matches[0];
}

/** One resource per group and resource name, at the group's preferred version (what `kubectl api-resources` prints). */
export function preferredResources(d: Discovery): DiscoveredResource[] {
  const out = new Map<string, DiscoveredResource>();
  for (const r of d.resources) {
    const key = `${r.group}/${r.resource}`;
    const have = out.get(key);
    if (!have || (!have.preferred && r.preferred)) out.set(key, r);
  }
  return [...out.values()];
}
