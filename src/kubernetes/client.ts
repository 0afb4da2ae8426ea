/**
 * The Kubernetes API client the migration's Kubernetes kinds build on: any
 * group/version/resource (built-in or CRD), addressed by a `ResourceRef` from
 * discovery. It knows nothing of migration logic.
 *
 * - `list`: every item, page by page (`limit`/`continue`); a 410 Gone on a
 *   continue token (the snapshot it points at was compacted away) restarts
 *   the list from the beginning, as client-go's pager does, a few times.
 * - `apply`: server-side apply, `PATCH` with `application/apply-patch+yaml`
 *   (a JSON body is valid YAML), a required field manager, `force` to take
 *   over fields other managers own, `dryRun=All` to validate and default
 *   without storing.
 * - `get` / `getOrNull`, `create`, `delete` with a propagation policy,
 *   `waitUntilGone`, `ensureNamespace`.
 *
 * Failures arrive as the typed errors of errors.ts (404 → KubeNotFoundError,
 * 409 → KubeConflictError, 422 → KubeInvalidError, …).
 */
import { z } from "zod";
import { ApiError, WaitError } from "../errors.js";
import { log } from "../log.js";
import { sleep } from "../openstack/waiters.js";
import { discover, findByKind, findResource, groupVersionPath, type Discovery, type DiscoveredResource, type ResourceRef } from "./discovery.js";
import { KubeGoneError, KubeNotFoundError, KubeConflictError } from "./errors.js";
import { KubeHttp, type KubeHttpOptions } from "./http.js";
import { loadKubeConfig, type KubeConfigLookup, type KubeConfigSelection, type ResolvedKubeConfig } from "./kubeconfig.js";

/** `metadata` of any object; only what the layer reads is typed, the rest passes through. */
export const ObjectMeta = z
  .object({
    name: z.string().optional(),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
    creationTimestamp: z.string().nullish(),
    deletionTimestamp: z.string().nullish(),
    labels: z.record(z.string(), z.string()).nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
    finalizers: z.array(z.string()).nullish(),
    ownerReferences: z.array(z.object({ apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string() }).loose()).nullish(),
    managedFields: z.array(z.object({ manager: z.string().optional(), operation: z.string().optional() }).loose()).nullish(),
  })
  .loose();

/** Any Kubernetes object. */
export const KubeObject = z
  .object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: ObjectMeta,
  })
  .loose();
export type KubeObject = z.infer<typeof KubeObject>;

/** A list response (`FooList`): items plus the list's resourceVersion and continue token. */
export const KubeList = z
  .object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: z
      .object({ resourceVersion: z.string().optional(), continue: z.string().optional(), remainingItemCount: z.number().optional() })
      .loose()
      .optional(),
    items: z.array(KubeObject).nullable(),
  })
  .loose();
export type KubeList = z.infer<typeof KubeList>;

/** An object as it goes to `apply`: apiVersion, kind and name are required. */
export interface ApplyObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ListOptions {
  /** Namespace of a namespaced resource; omitted = all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size. Default 500 (kubectl's). */
  limit?: number;
  /** How often a 410 on a continue token may restart the list. Default 3. */
  maxRestarts?: number;
  signal?: AbortSignal;
}

export interface ListResult {
  items: KubeObject[];
  /** The resourceVersion of the last page (a watch could start there). */
  resourceVersion: string | undefined;
  pages: number;
  /** How often an expired continue token restarted the list. */
  restarts: number;
}

export interface ApplyOptions {
  /** Who owns the applied fields (SSA's field manager). Required: there is no sensible default. */
  fieldManager: string;
  /** Take over fields another manager owns instead of failing with 409 Conflict. */
  force?: boolean;
  /** Validate, default and admit, but store nothing (`dryRun=All`). */
  dryRun?: boolean;
  /** The resource, when the caller has it; otherwise found by discovery from apiVersion/kind. */
  ref?: ResourceRef;
  signal?: AbortSignal;
}

export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

export interface DeleteOptions {
  namespace?: string;
  /** Foreground: children first, the object last; Background (the server default for most kinds): the object now, children later. */
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  dryRun?: boolean;
  /** Delete only this incarnation of the object (a recreated one with the same name is left alone). */
  uid?: string;
  signal?: AbortSignal;
}

export interface WaitGoneOptions {
  namespace?: string;
  /** Stop waiting also when an object with another uid holds the name (it was recreated). */
  uid?: string;
  timeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** The collection path of a resource: /api/v1/namespaces/NS/pods, /apis/G/V/R. */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(ref.group, ref.version);
  if (ref.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** A description of what an object is, for messages: "deployments.apps default/web". */
function describe(ref: ResourceRef, name: string, namespace?: string): string {
  return `${ref.resource}${ref.group ? `.${ref.group}` : ""} ${ref.namespaced && namespace ? `${namespace}/` : ""}${name}`;
}

function parseObject<T extends z.ZodType>(schema: T, data: unknown, method: string, url: string): z.output<T> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ApiError(`${method} ${url}: unexpected response (${issue ? `${issue.path.join(".")}: ${issue.message}` : "schema mismatch"})`, {
    method,
    url,
    status: 200,
    fault: "server",
    retryable: false,
  });
}

/** A client for the API server of one kubeconfig context. */
export class KubeClient {
  readonly http: KubeHttp;
  private discovery: Discovery | undefined;

  constructor(readonly config: ResolvedKubeConfig, opts: KubeHttpOptions = {}) {
    this.http = new KubeHttp(config, opts);
  }

  /** Loads the kubeconfig (kubectl's rules) and returns a client for the selected context. */
  static fromKubeconfig(sel: KubeConfigSelection = {}, opts: KubeHttpOptions & { lookup?: KubeConfigLookup } = {}): KubeClient {
    const { lookup, ...httpOpts } = opts;
    return new KubeClient(loadKubeConfig(sel, lookup), httpOpts);
  }

  /** The context's default namespace. */
  get namespace(): string {
    return this.config.namespace;
  }

  /** Discovery, cached for the client's lifetime unless `refresh`. */
  async discover(opts: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<Discovery> {
    if (!this.discovery || opts.refresh) this.discovery = await discover(this.http, opts.signal ? { signal: opts.signal } : {});
    return this.discovery;
  }

  /**
   * The resource serving apiVersion/kind. A miss refreshes discovery once,
   * because a CRD may have been created since discovery was cached.
   */
  async resourceFor(apiVersion: string, kind: string): Promise<DiscoveredResource> {
    let d = await this.discover();
    let r = findByKind(d, apiVersion, kind);
    if (!r) {
      d = await this.discover({ refresh: true });
      r = findByKind(d, apiVersion, kind);
    }
    if (!r) {
      throw new KubeNotFoundError(`the server ${this.config.server} does not serve kind ${kind} in ${apiVersion}`, {
        method: "GET",
        url: this.config.server + groupVersionPath(...splitGV(apiVersion)),
        status: 404,
        fault: "client",
        retryable: false,
        reason: "NotFound",
      });
    }
    return r;
  }

  /** The resource named `resource` (plural, singular or short name) in `group`, preferred version unless given. */
  async resource(group: string, resource: string, version?: string): Promise<DiscoveredResource> {
    let r = findResource(await this.discover(), group, resource, version);
    if (!r) r = findResource(await this.discover({ refresh: true }), group, resource, version);
    if (!r) {
      throw new KubeNotFoundError(`the server ${this.config.server} does not serve ${resource}${group ? `.${group}` : ""}${version ? ` in version ${version}` : ""}`, {
        method: "GET",
        url: this.config.server + "/apis",
        status: 404,
        fault: "client",
        retryable: false,
        reason: "NotFound",
      });
    }
    return r;
  }

  /** One page of a list, as the server sent it. */
  async listPage(ref: ResourceRef, opts: ListOptions & { continueToken?: string } = {}): Promise<KubeList> {
    const res = await this.http.request({
      method: "GET",
      path: resourcePath(ref, opts.namespace),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit ?? 500,
        continue: opts.continueToken,
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return parseObject(KubeList, res.data, "GET", res.url);
  }

  /** Every item of a collection, following `continue`; restarts on an expired token. */
  async list(ref: ResourceRef, opts: ListOptions = {}): Promise<ListResult> {
    const maxRestarts = opts.maxRestarts ?? 3;
    let items: KubeObject[] = [];
    let token: string | undefined;
    let pages = 0;
    let restarts = 0;
    for (;;) {
      let page: KubeList;
      try {
        page = await this.listPage(ref, { ...opts, ...(token !== undefined ? { continueToken: token } : {}) });
      } catch (err) {
        if (err instanceof KubeGoneError && token !== undefined && restarts < maxRestarts) {
          // Why restart rather than follow the inconsistent-list token the 410 carries: a consistent
          // snapshot matters more to a migration inventory than the pages already read.
          restarts++;
          log.warn(`The continue token of the ${ref.resource} list expired; listing again from the start`, { restart: restarts });
          items = [];
          token = undefined;
          continue;
        }
        throw err;
      }
      pages++;
      items.push(...(page.items ?? []));
      const next = page.metadata?.continue;
      if (!next) return { items, resourceVersion: page.metadata?.resourceVersion, pages, restarts };
      token = next;
    }
  }

  async get(ref: ResourceRef, name: string, opts: { namespace?: string; signal?: AbortSignal } = {}): Promise<KubeObject> {
    const ns = ref.namespaced ? (opts.namespace ?? this.namespace) : undefined;
    const res = await this.http.request({ method: "GET", path: resourcePath(ref, ns, name), ...(opts.signal ? { signal: opts.signal } : {}) });
    return parseObject(KubeObject, res.data, "GET", res.url);
  }

  /** Like get, but null when the object does not exist. */
  async getOrNull(ref: ResourceRef, name: string, opts: { namespace?: string; signal?: AbortSignal } = {}): Promise<KubeObject | null> {
    try {
      return await this.get(ref, name, opts);
    } catch (err) {
      if (err instanceof KubeNotFoundError) return null;
      throw err;
    }
  }

  /** POST: creates the object; 409 AlreadyExists when the name is taken. */
  async create(obj: ApplyObject, opts: { fieldManager?: string; dryRun?: boolean; ref?: ResourceRef; signal?: AbortSignal } = {}): Promise<KubeObject> {
    const ref = opts.ref ?? (await this.resourceFor(obj.apiVersion, obj.kind));
    const ns = ref.namespaced ? (obj.metadata.namespace ?? this.namespace) : undefined;
    const res = await this.http.request({
      method: "POST",
      path: resourcePath(ref, ns),
      query: { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? "All" : undefined },
      body: obj,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return parseObject(KubeObject, res.data, "POST", res.url);
  }

  /**
   * Server-side apply. Returns the object as stored (or as it would be, with
   * dryRun). A 409 KubeConflictError lists the conflicting fields and their
   * managers in `causes` unless `force` is set.
   */
  async apply(obj: ApplyObject, opts: ApplyOptions): Promise<KubeObject> {
    if (!opts.fieldManager) throw new TypeError("apply needs a fieldManager");
    const ref = opts.ref ?? (await this.resourceFor(obj.apiVersion, obj.kind));
    const ns = ref.namespaced ? (obj.metadata.namespace ?? this.namespace) : undefined;
    const body = ref.namespaced && ns && obj.metadata.namespace === undefined ? { ...obj, metadata: { ...obj.metadata, namespace: ns } } : obj;
    const res = await this.http.request({
      method: "PATCH",
      path: resourcePath(ref, ns, obj.metadata.name),
      query: { fieldManager: opts.fieldManager, force: opts.force ? true : undefined, dryRun: opts.dryRun ? "All" : undefined },
      contentType: "application/apply-patch+yaml",
      // Why JSON: it is valid YAML, and it leaves no doubt about quoting ("on", "1.20", "0755").
      body: JSON.stringify(body),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return parseObject(KubeObject, res.data, "PATCH", res.url);
  }

  /**
   * Deletes an object. "absent" when it did not exist. With Foreground the
   * object stays (with a deletionTimestamp) until its children are gone: use
   * waitUntilGone.
   */
  async delete(ref: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<"deleted" | "absent"> {
    const ns = ref.namespaced ? (opts.namespace ?? this.namespace) : undefined;
    const body: Record<string, unknown> = { apiVersion: "v1", kind: "DeleteOptions" };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.uid) body.preconditions = { uid: opts.uid };
    try {
      await this.http.request({
        method: "DELETE",
        path: resourcePath(ref, ns, name),
        query: { dryRun: opts.dryRun ? "All" : undefined },
        body,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return "deleted";
    } catch (err) {
      if (err instanceof KubeNotFoundError) return "absent";
      // Why: a uid precondition that fails means the name now belongs to another object; ours is gone.
      if (opts.uid && err instanceof KubeConflictError) return "absent";
      throw err;
    }
  }

  /** Polls until the object is gone (404, or its name holds an object with another uid). */
  async waitUntilGone(ref: ResourceRef, name: string, opts: WaitGoneOptions = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const intervalMs = opts.intervalMs ?? 500;
    const end = Date.now() + timeoutMs;
    const what = describe(ref, name, ref.namespaced ? (opts.namespace ?? this.namespace) : undefined);
    let last: KubeObject | null = null;
    for (;;) {
      last = await this.getOrNull(ref, name, { ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
      if (!last || (opts.uid && last.metadata.uid !== opts.uid)) return;
      const left = end - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(intervalMs, left), opts.signal);
    }
    const fin = last?.metadata.finalizers ?? [];
    throw new WaitError(
      `${what} still exists after ${Math.round(timeoutMs / 1000)} s${last?.metadata.deletionTimestamp ? ` (deleting since ${last.metadata.deletionTimestamp}${fin.length ? `, finalizers: ${fin.join(", ")}` : ""})` : ""}`,
      what,
      last?.metadata.deletionTimestamp ? "Terminating" : "present",
      "timeout",
    );
  }

  /**
   * Creates the namespace unless it exists. "terminating" means it exists but
   * is being deleted: nothing can be created in it until it is gone.
   */
  async ensureNamespace(name: string, opts: { fieldManager?: string; labels?: Record<string, string>; signal?: AbortSignal } = {}): Promise<"created" | "exists" | "terminating"> {
    const ref: ResourceRef = { group: "", version: "v1", resource: "namespaces", namespaced: false };
    const sig = opts.signal ? { signal: opts.signal } : {};
    const have = await this.getOrNull(ref, name, sig);
    if (have) return terminating(have) ? "terminating" : "exists";
    try {
      await this.create(
        { apiVersion: "v1", kind: "Namespace", metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) } },
        { ref, ...(opts.fieldManager ? { fieldManager: opts.fieldManager } : {}), ...sig },
      );
      return "created";
    } catch (err) {
      // Why: another client created it between our GET and POST.
      if (err instanceof KubeConflictError && err.reason === "AlreadyExists") return "exists";
      throw err;
    }
  }

  /** Closes idle connections. */
  close(): void {
    this.http.close();
  }
}

function terminating(ns: KubeObject): boolean {
  const phase = (ns as { status?: { phase?: unknown } }).status?.phase;
  return phase === "Terminating" || Boolean(ns.metadata.deletionTimestamp);
}

function splitGV(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf("/");
  return i < 0 ? ["", apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}
