/**
 * An embedded Kubernetes API stand-in on 127.0.0.1 (plain http) for tests
 * that need no real API server: discovery (/api, /apis, /api/v1, /apis/G/V),
 * get, list with `limit`/`continue` and label selectors, create (POST),
 * server-side apply (PATCH application/apply-patch+yaml, `force`), `dryRun=All`,
 * delete, and the Status bodies of kube-apiserver 1.20 for 401, 403, 404,
 * 409 (AlreadyExists, apply Conflict), 410 (expired continue token) and 422
 * (invalid name). Its answers are checked against the responses recorded from
 * the real lab (fixtures/real/kubernetes/) by test/sim/kube-sim-fixtures.test.ts.
 *
 * Simplifications, next to apply.ts's:
 * - a list is served from the current state, not from the snapshot its
 *   continue token names; `compact()` expires every token issued so far (the
 *   real server does so when etcd compacts);
 * - no watch, no subresources, no patch types but apply, no update (PUT);
 * - delete removes at once: no finalizers, no graceful deletion, and
 *   propagation policies are accepted but children are not tracked; deleting a
 *   namespace removes its objects at once (the real one is Terminating first);
 * - validation checks names only; defaulting covers Namespaces only;
 * - two tokens: the admin's, and an "unprivileged" user's whose every
 *   non-discovery request is forbidden.
 */
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import { leafPaths, serverSideApply, toFieldsV1, type ManagedEntry } from "./apply.js";
import { BUILTIN_RESOURCES, CAPI_CLUSTER, apiGroupListDoc, apiResourceListDoc, apiVersionOf, apiVersionsDoc, type SimResource } from "./resources.js";

export interface KubeSimOptions {
  /** Served resources; default the built-in set. */
  resources?: SimResource[];
  /** Also serve cluster.x-k8s.io/v1beta1 Cluster (a management cluster). */
  capi?: boolean;
  /** The admin's bearer token; random by default. */
  token?: string;
  /** The clock for creationTimestamp and managedFields times. */
  now?: () => Date;
}

export interface KubeSim {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly token: string;
  readonly unprivilegedToken: string;
  /** A kubeconfig with contexts `name` (admin) and `name-unprivileged`. */
  kubeconfig(name?: string): string;
  /** Expires every continue token issued so far (as etcd compaction does). */
  compact(): void;
  /** Number of stored objects (tests). */
  size(): number;
  close(): Promise<void>;
}

interface Stored {
  obj: Record<string, unknown>;
  managed: ManagedEntry[];
}

interface Reply {
  status: number;
  body?: unknown;
  text?: string;
}

const LIST_VERB: Record<string, string> = { GET: "list", POST: "create" };
const ITEM_VERB: Record<string, string> = { GET: "get", PATCH: "patch", DELETE: "delete", PUT: "update" };
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const EXPIRED_MSG =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>, metadata: Record<string, unknown> = {}): Reply {
  return {
    status: code,
    body: { kind: "Status", apiVersion: "v1", metadata, status: "Failure", message, reason, ...(details ? { details } : {}), code },
  };
}

/** "configmaps" or "deployments.apps": how messages name a resource. */
function qualified(r: SimResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

function detailsOf(r: SimResource, name: string): Record<string, unknown> {
  return { name, ...(r.group ? { group: r.group } : {}), kind: r.resource };
}

/** Parses a label selector of the forms k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b). */
export function matchesSelector(labels: Record<string, string>, selector: string | null): boolean {
  if (!selector) return true;
  const parts = selector.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
  return parts.every((raw) => {
    const p = raw.trim();
    if (!p) return true;
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const set = (m[3] ?? "").split(",").map((s) => s.trim());
      const has = (m[1] as string) in labels && set.includes(labels[m[1] as string] as string);
      return m[2] === "in" ? has : !has;
    }
    m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(p);
    if (m) {
      const v = labels[(m[1] as string).trim()];
      return m[2] === "!=" ? v !== m[3] : v === m[3];
    }
    if (p.startsWith("!")) return !(p.slice(1) in labels);
    return p in labels;
  });
}

class KubeSimServer implements KubeSim {
  url = "";
  readonly token: string;
  readonly unprivilegedToken = randomBytes(16).toString("hex");
  private readonly server: http.Server;
  private readonly resources: SimResource[];
  private readonly objects = new Map<string, Stored>();
  private rev = 100;
  private compactedRev = 0;
  private readonly now: () => Date;

  constructor(opts: KubeSimOptions) {
    this.token = opts.token ?? randomBytes(24).toString("hex");
    this.resources = [...(opts.resources ?? BUILTIN_RESOURCES), ...(opts.capi ? [CAPI_CLUSTER] : [])];
    this.now = opts.now ?? (() => new Date());
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        let reply: Reply;
        try {
          reply = this.handle(req, Buffer.concat(chunks).toString("utf8"));
        } catch (err) {
          reply = statusBody(500, "InternalError", `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (reply.text !== undefined) {
          res.writeHead(reply.status, { "Content-Type": "text/plain; charset=utf-8" });
          res.end(reply.text);
        } else {
          res.writeHead(reply.status, { "Content-Type": "application/json" });
          res.end(JSON.stringify(reply.body));
        }
      });
    });
    // Namespaces the real server always has.
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) this.store(this.nsRes(), undefined, this.newNamespace(ns), [], "kube-apiserver");
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  kubeconfig(name = "sim"): string {
    return [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `- name: ${name}`,
      "  cluster:",
      `    server: ${this.url}`,
      // Why: the stand-in speaks plain http; client-node requires this flag for http servers.
      "    insecure-skip-tls-verify: true",
      "users:",
      `- name: ${name}-admin`,
      `  user: {token: ${this.token}}`,
      `- name: ${name}-unprivileged`,
      `  user: {token: ${this.unprivilegedToken}}`,
      "contexts:",
      `- name: ${name}`,
      `  context: {cluster: ${name}, user: ${name}-admin, namespace: default}`,
      `- name: ${name}-unprivileged`,
      `  context: {cluster: ${name}, user: ${name}-unprivileged, namespace: default}`,
      `current-context: ${name}`,
      "",
    ].join("\n");
  }

  compact(): void {
    this.compactedRev = ++this.rev;
  }

  size(): number {
    return this.objects.size;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- request handling ---------------------------------------------------------------

  private handle(req: http.IncomingMessage, body: string): Reply {
    const u = new URL(req.url ?? "/", "http://sim");
    const method = req.method ?? "GET";
    const auth = req.headers.authorization ?? "";
    const user = auth === `Bearer ${this.token}` ? "admin" : auth === `Bearer ${this.unprivilegedToken}` ? "unprivileged" : undefined;
    if (!user) return statusBody(401, "Unauthorized", "Unauthorized");

    const seg = u.pathname.split("/").filter(Boolean);
    if (method === "GET" && u.pathname === "/api") return { status: 200, body: apiVersionsDoc(`127.0.0.1:${(this.server.address() as AddressInfo).port}`) };
    if (method === "GET" && u.pathname === "/apis") return { status: 200, body: apiGroupListDoc(this.resources) };
    let group: string;
    let version: string;
    let rest: string[];
    if (seg[0] === "api" && seg.length >= 2) [group, version, rest] = ["", seg[1] as string, seg.slice(2)];
    else if (seg[0] === "apis" && seg.length >= 3) [group, version, rest] = [seg[1] as string, seg[2] as string, seg.slice(3)];
    else return { status: 404, text: "404 page not found\n" };
    if (rest.length === 0) {
      const doc = method === "GET" ? apiResourceListDoc(this.resources, group, version) : undefined;
      return doc ? { status: 200, body: doc } : { status: 404, text: "404 page not found\n" };
    }

    // /namespaces/NS/RES[/NAME] or /RES[/NAME]; /namespaces[/NAME] is the namespaces resource itself.
    let ns: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const res = this.resources.find((r) => r.group === group && r.version === version && r.resource === rest[0]);
    if (!res || rest.length > 2 || (ns !== undefined && !res.namespaced)) return { status: 404, text: "404 page not found\n" };
    const name = rest[1] !== undefined ? decodeURIComponent(rest[1]) : undefined;

    if (user === "unprivileged") {
      const verb = name === undefined ? LIST_VERB[method] : ITEM_VERB[method];
      const scope = res.namespaced && ns ? `in the namespace "${ns}"` : "at the cluster scope";
      const subject = name === undefined ? `${qualified(res)} is forbidden` : `${qualified(res)} "${name}" is forbidden`;
      return statusBody(403, "Forbidden", `${subject}: User "unprivileged" cannot ${verb ?? method.toLowerCase()} resource "${res.resource}" in API group "${res.group}" ${scope}`, detailsOf(res, name ?? ""));
    }

    const dryRun = u.searchParams.get("dryRun") === "All";
    if (name === undefined) {
      if (method === "GET") return this.list(res, ns, u.searchParams);
      if (method === "POST") return this.create(res, ns, body, u.searchParams.get("fieldManager") ?? userAgentManager(req), dryRun);
      return statusBody(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    }
    if (method === "GET") {
      const s = this.objects.get(this.key(res, ns, name));
      return s ? { status: 200, body: this.render(s) } : statusBody(404, "NotFound", `${qualified(res)} "${name}" not found`, detailsOf(res, name));
    }
    if (method === "PATCH") {
      const ct = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
      if (ct !== "application/apply-patch+yaml") return statusBody(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml`);
      const fm = u.searchParams.get("fieldManager");
      if (!fm) return statusBody(422, "Invalid", `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`, { group: "meta.k8s.io", kind: "PatchOptions", causes: [{ reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" }] });
      return this.apply(res, ns, name, body, fm, u.searchParams.get("force") === "true", dryRun);
    }
    if (method === "DELETE") return this.delete(res, ns, name, body, dryRun);
    return statusBody(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
  }

  private nsRes(): SimResource {
    return this.resources.find((r) => r.resource === "namespaces" && r.group === "") as SimResource;
  }

  private key(r: SimResource, ns: string | undefined, name: string): string {
    return `${r.group}|${r.resource}|${r.namespaced ? (ns ?? "") : ""}|${name}`;
  }

  private stamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  private render(s: Stored): Record<string, unknown> {
    const meta = { ...(s.obj.metadata as Record<string, unknown>) };
    const crd = this.resources.find((r) => apiVersionOf(r) === s.obj.apiVersion && r.kind === s.obj.kind)?.crd ?? false;
    meta.managedFields = s.managed.map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: "FieldsV1",
      fieldsV1: toFieldsV1(m.fields, crd ? "all" : m.operation === "Apply" ? "none" : "maps"),
    }));
    const out = { ...s.obj, metadata: meta };
    // Why sorted: custom resources are stored and served as unstructured JSON, with keys in alphabetical order.
    return crd ? sortKeys(out) : out;
  }

  private newNamespace(name: string): Record<string, unknown> {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } };
  }

  /** Sets the server-owned metadata and stores (unless dryRun); returns the stored record. */
  private store(r: SimResource, ns: string | undefined, obj: Record<string, unknown>, managed: ManagedEntry[], manager: string, dryRun = false, prev?: Stored): Stored {
    const meta = { ...(obj.metadata as Record<string, unknown>) };
    const name = meta.name as string;
    if (r.namespaced) meta.namespace = ns;
    else delete meta.namespace;
    meta.uid = prev ? (prev.obj.metadata as Record<string, unknown>).uid : randomUUID();
    if (!dryRun) meta.resourceVersion = String(++this.rev);
    else if (prev) meta.resourceVersion = (prev.obj.metadata as Record<string, unknown>).resourceVersion;
    meta.creationTimestamp = prev ? (prev.obj.metadata as Record<string, unknown>).creationTimestamp : this.stamp();
    delete meta.managedFields;
    if (r.crd) {
      const prevGen = prev ? Number((prev.obj.metadata as Record<string, unknown>).generation ?? 1) : 0;
      const specChanged = !prev || JSON.stringify(prev.obj.spec) !== JSON.stringify(obj.spec);
      meta.generation = specChanged ? prevGen + 1 : prevGen;
    }
    const ordered: Record<string, unknown> = { name, ...(r.namespaced ? { namespace: ns } : {}), ...meta };
    const out: Record<string, unknown> = { kind: r.kind, apiVersion: apiVersionOf(r), ...obj, metadata: ordered };
    if (managed.length === 0) managed = [{ manager, operation: "Update", apiVersion: apiVersionOf(r), time: this.stamp(), fields: new Set() }];
    const s: Stored = { obj: out, managed: managed.filter((m) => m.fields.size > 0 || m.manager === "kube-apiserver") };
    if (!dryRun) this.objects.set(this.key(r, ns, name), s);
    return s;
  }

  private invalidName(r: SimResource, name: string): Reply | undefined {
    const ok = r.resource === "namespaces" ? LABEL.test(name) && name.length <= 63 : SUBDOMAIN.test(name) && name.length <= 253;
    if (ok) return undefined;
    const why = r.resource === "namespaces" ? LABEL_MSG : SUBDOMAIN_MSG;
    const message = `Invalid value: "${name}": ${why}`;
    return statusBody(422, "Invalid", `${r.kind} "${name}" is invalid: metadata.name: ${message}`, {
      name,
      kind: r.kind,
      causes: [{ reason: "FieldValueInvalid", message, field: "metadata.name" }],
    });
  }

  private nsMissing(r: SimResource, ns: string | undefined): Reply | undefined {
    if (!r.namespaced || ns === undefined) return undefined;
    if (this.objects.has(this.key(this.nsRes(), undefined, ns))) return undefined;
    return statusBody(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" });
  }

  private create(r: SimResource, ns: string | undefined, body: string, manager: string, dryRun: boolean): Reply {
    const obj = parseBody(body);
    if (!obj) return statusBody(400, "BadRequest", "the object provided is unrecognized (must be of type " + r.kind + ")");
    const name = (obj.metadata as { name?: string } | undefined)?.name ?? "";
    const bad = this.invalidName(r, name);
    if (bad) return bad;
    const missing = this.nsMissing(r, ns);
    if (missing) return missing;
    if (this.objects.has(this.key(r, ns, name))) return statusBody(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, detailsOf(r, name));
    let full = obj;
    if (r.resource === "namespaces") full = { ...this.newNamespace(name), ...obj, status: { phase: "Active" } };
    // Why: a create's manager owns what it sent, as an apply's does.
    const fields = leafPaths(full);
    const s = this.store(r, ns, full, [{ manager, operation: "Update", apiVersion: apiVersionOf(r), time: this.stamp(), fields }], manager, dryRun);
    return { status: 201, body: this.render(s) };
  }

  private apply(r: SimResource, ns: string | undefined, name: string, body: string, manager: string, force: boolean, dryRun: boolean): Reply {
    const config = parseBody(body);
    if (!config) return statusBody(400, "BadRequest", "error decoding YAML: the apply body must be one object");
    if (config.apiVersion !== apiVersionOf(r) || config.kind !== r.kind) {
      return statusBody(400, "BadRequest", `the API version in the data (${String(config.apiVersion)}) does not match the expected API version (${apiVersionOf(r)})`);
    }
    const cfgName = (config.metadata as { name?: string } | undefined)?.name;
    if (cfgName !== undefined && cfgName !== name) return statusBody(400, "BadRequest", `the name of the object (${cfgName}) does not match the name on the URL (${name})`);
    const bad = this.invalidName(r, name);
    if (bad) return bad;
    const missing = this.nsMissing(r, ns);
    if (missing) return missing;
    const k = this.key(r, ns, name);
    const live = this.objects.get(k);
    const result = serverSideApply(live?.obj, live?.managed ?? [], config, { manager, force, apiVersion: apiVersionOf(r), now: this.stamp() });
    if (result.conflicts.length > 0 && !force) {
      const byManager = new Map<string, string[]>();
      // Why: 1.20 names the API version only for managers of Update operations ("conflict with \"kubectl\" using v1").
      const who = (c: { manager: string; apiVersion: string }) => {
        const op = live?.managed.find((m) => m.manager === c.manager)?.operation;
        return op === "Apply" ? `"${c.manager}"` : `"${c.manager}" using ${c.apiVersion}`;
      };
      for (const c of result.conflicts) byManager.set(who(c), [...(byManager.get(who(c)) ?? []), c.field]);
      const n = result.conflicts.length;
      const msg =
        n === 1
          ? `Apply failed with 1 conflict: conflict with ${[...byManager.keys()][0]}: ${result.conflicts[0]?.field}`
          : `Apply failed with ${n} conflicts: ${[...byManager.entries()].map(([m, fs]) => `conflicts with ${m}:\n${fs.map((f) => `- ${f}`).join("\n")}`).join("\n")}`;
      return statusBody(409, "Conflict", msg, {
        causes: result.conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${who(c)}`, field: c.field })),
      });
    }
    if (live && !result.changed) return { status: 200, body: this.render(live) };
    const s = this.store(r, ns, result.object, result.managed, manager, dryRun, live);
    return { status: live ? 200 : 201, body: this.render(s) };
  }

  private delete(r: SimResource, ns: string | undefined, name: string, body: string, dryRun: boolean): Reply {
    const k = this.key(r, ns, name);
    const s = this.objects.get(k);
    if (!s) return statusBody(404, "NotFound", `${qualified(r)} "${name}" not found`, detailsOf(r, name));
    const opts = parseBody(body) ?? {};
    const want = (opts.preconditions as { uid?: string } | undefined)?.uid;
    const uid = (s.obj.metadata as { uid: string }).uid;
    if (want && want !== uid) {
      return statusBody(409, "Conflict", `Operation cannot be fulfilled on ${qualified(r)} "${name}": Precondition failed: UID in precondition: ${want}, UID in object meta: ${uid}`, detailsOf(r, name));
    }
    if (dryRun) return { status: 200, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { ...detailsOf(r, name), uid } } };
    this.objects.delete(k);
    this.rev++;
    if (r.resource === "namespaces") {
      for (const key of [...this.objects.keys()]) if (key.split("|")[2] === name) this.objects.delete(key);
      const obj = this.render(s);
      return { status: 200, body: { ...obj, metadata: { ...(obj.metadata as object), deletionTimestamp: this.stamp() }, status: { phase: "Terminating" } } };
    }
    return { status: 200, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { ...detailsOf(r, name), uid } } };
  }

  private list(r: SimResource, ns: string | undefined, q: URLSearchParams): Reply {
    const limit = Number(q.get("limit") ?? 0);
    const selector = q.get("labelSelector");
    const token = q.get("continue");
    let start = "";
    if (token) {
      let t: { rv?: number; start?: string };
      try {
        t = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { rv?: number; start?: string };
      } catch {
        return statusBody(400, "BadRequest", "continue key is not valid: illegal base64 data at input byte 0");
      }
      if ((t.rv ?? 0) < this.compactedRev) {
        const fresh = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: -1, start: t.start })).toString("base64");
        return statusBody(410, "Expired", EXPIRED_MSG, undefined, { continue: fresh });
      }
      start = t.start ?? "";
    }
    const prefix = `${r.group}|${r.resource}|`;
    // Keys relative to the list's etcd prefix, as the real continue token holds them: "name" in a namespace, "ns/name" across namespaces.
    const all = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, s]) => {
        const [, , sns, name] = k.split("|") as [string, string, string, string];
        return { rel: ns !== undefined || !r.namespaced ? name : `${sns}/${name}`, ns: sns, s };
      })
      .filter((x) => ns === undefined || x.ns === ns)
      .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    const after = all.filter((x) => !start || x.rel >= start);
    const matching = after.filter((x) => matchesSelector(((x.s.obj.metadata as { labels?: Record<string, string> }).labels ?? {}) as Record<string, string>, selector));
    const page = limit > 0 ? matching.slice(0, limit) : matching;
    const more = limit > 0 && matching.length > limit;
    const metadata: Record<string, unknown> = { resourceVersion: String(this.rev) };
    if (more) {
      const last = page[page.length - 1]?.rel ?? "";
      metadata.continue = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: this.rev, start: `${last}\u0000` })).toString("base64");
      // Why only without a selector: the real server cannot count what a selector would filter out.
      if (!selector) metadata.remainingItemCount = matching.length - limit;
    }
    return {
      status: 200,
      body: {
        kind: `${r.kind}List`,
        apiVersion: apiVersionOf(r),
        metadata,
        items: page.map((x) => {
          const o = this.render(x.s);
          // Why: built-in lists carry no apiVersion/kind per item; custom resources do.
          if (!r.crd) {
            delete o.apiVersion;
            delete o.kind;
          }
          return o;
        }),
      },
    };
  }
}

function userAgentManager(req: http.IncomingMessage): string {
  return (req.headers["user-agent"] ?? "").split("/")[0] || "unknown";
}

function sortKeys(v: unknown): Record<string, unknown> {
  const walk = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(walk) : x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, walk((x as Record<string, unknown>)[k])])) : x;
  return walk(v) as Record<string, unknown>;
}

function parseBody(body: string): Record<string, unknown> | undefined {
  if (!body.trim()) return undefined;
  try {
    const v = parseYaml(body) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a stand-in on a free loopback port. */
export async function startKubeSim(opts: KubeSimOptions = {}): Promise<KubeSim> {
  const s = new KubeSimServer(opts);
  await s.listen();
  return s;
}
