/**
 * Records real responses of the kube lab's API servers (kube-apiserver 1.20.2)
 * into fixtures/real/kubernetes/, for the simulator stand-in and for unit
 * tests of the client layer.
 *
 * Run with the lab up: `npm run kube-lab:up && npx tsx test/kube-lab/capture.ts`
 *
 * Each fixture is one exchange: { request: {method, path, query, contentType,
 * body}, response: {status, contentType, body} }. The requests go out raw
 * (node:https with the kubeconfig's CA and token, no client layer), so what
 * is recorded is what the server sent, before any parsing of ours.
 * Volatile values are normalised (see fixtures/real/kubernetes/README.md):
 * uids and resourceVersions become stable stand-ins (equal values stay equal,
 * so "re-apply keeps the resourceVersion" is still visible), timestamps a
 * fixed instant, continue tokens keep their format with the stand-in
 * revision, and the lab's ports become 6443.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { KubeClient } from "../../src/kubernetes/client.js";
import { loadKubeConfig } from "../../src/kubernetes/kubeconfig.js";
import { REPO_ROOT, compactEtcd, kubeconfigOf, type LabCluster } from "../kube-integration/lab.js";

const OUT = path.join(REPO_ROOT, "fixtures/real/kubernetes");
const NS = "fixture-ns";
const FM = "scs-migrate";
const FIXED_TIME = "2026-01-01T00:00:00Z";

interface Exchange {
  request: { cluster: LabCluster; user: "admin" | "unprivileged" | "bad-token"; method: string; path: string; contentType?: string; body?: unknown };
  response: { status: number; contentType: string | undefined; body: unknown };
}

async function raw(
  cluster: LabCluster,
  method: string,
  p: string,
  opts: { body?: unknown; contentType?: string; user?: "admin" | "unprivileged" | "bad-token" } = {},
): Promise<Exchange> {
  const user = opts.user ?? "admin";
  const cfg = loadKubeConfig({ kubeconfig: kubeconfigOf(cluster), context: user === "unprivileged" ? `${cluster}-unprivileged` : cluster });
  const ro: https.RequestOptions = { headers: {} };
  await cfg.kc.applyToHTTPSOptions(ro);
  const headers: Record<string, string> = { ...(ro.headers as Record<string, string>), Accept: "application/json" };
  if (user === "bad-token") headers.Authorization = "Bearer not-a-valid-token-000000000000";
  const body = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  if (body !== undefined) headers["Content-Type"] = opts.contentType ?? "application/json";
  const res = await new Promise<{ status: number; ct: string | undefined; text: string }>((resolve, reject) => {
    const r = https.request(cfg.server + p, { method, headers, ca: ro.ca, agent: false }, (m) => {
      const chunks: Buffer[] = [];
      m.on("data", (c: Buffer) => chunks.push(c));
      m.on("end", () => resolve({ status: m.statusCode ?? 0, ct: m.headers["content-type"], text: Buffer.concat(chunks).toString("utf8") }));
      m.on("error", reject);
    });
    r.on("error", reject);
    r.end(body);
  });
  return {
    request: { cluster, user, method, path: p, ...(body !== undefined ? { contentType: headers["Content-Type"], body: opts.body } : {}) },
    response: { status: res.status, contentType: res.ct, body: res.text ? (JSON.parse(res.text) as unknown) : null },
  };
}

// --- normalisation ------------------------------------------------------------------
const uids = new Map<string, string>();
const rvs = new Map<string, string>();
function stableUid(u: string): string {
  if (!uids.has(u)) uids.set(u, `00000000-0000-4000-8000-${String(uids.size + 1).padStart(12, "0")}`);
  return uids.get(u) as string;
}
function stableRv(rv: string): string {
  if (!rvs.has(rv)) rvs.set(rv, String(1000 + rvs.size));
  return rvs.get(rv) as string;
}
function stableContinue(token: string): string {
  // The token is base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}: keep it, with the stand-in revision.
  try {
    const t = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { rv?: number };
    if (typeof t.rv === "number") t.rv = Number(stableRv(String(t.rv)));
    return Buffer.from(JSON.stringify(t)).toString("base64");
  } catch {
    return token;
  }
}

function normalise(v: unknown, key = ""): unknown {
  if (typeof v === "string") {
    if (key === "uid") return stableUid(v);
    if (key === "resourceVersion") return stableRv(v);
    if (key === "continue") return stableContinue(v);
    if (key === "creationTimestamp" || key === "time" || key === "deletionTimestamp") return FIXED_TIME;
    if (key === "serverAddress") return v.replace(/:\d+$/, ":6443");
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => normalise(x, key));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalise(x, k);
    return out;
  }
  return v;
}

const written: string[] = [];
function save(name: string, ex: Exchange, note: string): void {
  const file = path.join(OUT, `${name}.json`);
  const data = { note, ...ex, response: { ...ex.response, body: normalise(ex.response.body) } };
  writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
  written.push(`${name}.json\t${ex.request.method} ${ex.request.path}\t${ex.response.status}`);
}

function cm(name: string, data: Record<string, string>, labels: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS, ...(Object.keys(labels).length ? { labels } : {}) }, data };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const wl = KubeClient.fromKubeconfig({ kubeconfig: kubeconfigOf("src-wl") });
  const mgmt = KubeClient.fromKubeconfig({ kubeconfig: kubeconfigOf("src-mgmt") });
  const nsRef = { group: "", version: "v1", resource: "namespaces", namespaced: false };
  // A fresh namespace on both servers, so that every create is a create (201) again.
  for (const c of [wl, mgmt]) {
    if ((await c.delete(nsRef, NS)) === "deleted") await c.waitUntilGone(nsRef, NS, { timeoutMs: 120_000 });
    await c.ensureNamespace(NS);
  }

  // Discovery (a workload cluster: no CRDs, so /apis stays small; the CAPI group from a management cluster).
  save("discovery-api", await raw("src-wl", "GET", "/api"), "GET /api: the core group's versions (APIVersions)");
  save("discovery-apis", await raw("src-wl", "GET", "/apis"), "GET /apis: every named group with versions and preferredVersion (APIGroupList), 1.20 without CRDs");
  save("discovery-api-v1", await raw("src-wl", "GET", "/api/v1"), "GET /api/v1: core resources (APIResourceList); subresources appear as name/sub");
  save("discovery-apis-apps-v1", await raw("src-wl", "GET", "/apis/apps/v1"), "GET /apis/apps/v1");
  save(
    "discovery-apis-cluster.x-k8s.io-v1beta1",
    await raw("src-mgmt", "GET", "/apis/cluster.x-k8s.io/v1beta1"),
    "GET /apis/cluster.x-k8s.io/v1beta1 on a management cluster with the CAPI CRDs (served from CRDs: singularName set, categories)",
  );

  // Pagination: 5 ConfigMaps, pages of 2.
  for (let i = 0; i < 5; i++) await wl.apply(cm(`page-${i}`, { i: String(i) }, { set: "page" }) as never, { fieldManager: FM });
  const first = await raw("src-wl", "GET", `/api/v1/namespaces/${NS}/configmaps?labelSelector=set%3Dpage&limit=2`);
  save("list-configmaps-page1", first, "first page of a list with limit=2: metadata.continue and remainingItemCount");
  const token = (first.response.body as { metadata: { continue: string } }).metadata.continue;
  const second = await raw("src-wl", "GET", `/api/v1/namespaces/${NS}/configmaps?labelSelector=set%3Dpage&limit=2&continue=${encodeURIComponent(token)}`);
  const token2 = (second.response.body as { metadata: { continue: string } }).metadata.continue;
  const last = await raw("src-wl", "GET", `/api/v1/namespaces/${NS}/configmaps?labelSelector=set%3Dpage&limit=2&continue=${encodeURIComponent(token2)}`);
  save("list-configmaps-last", last, "last page: no continue, no remainingItemCount");

  // 410: a write after the token, then etcd compaction up to now.
  await wl.apply(cm("page-0", { i: "0", touched: "yes" }, { set: "page" }) as never, { fieldManager: FM });
  await compactEtcd("src-wl");
  save(
    "status-410-expired",
    await raw("src-wl", "GET", `/api/v1/namespaces/${NS}/configmaps?labelSelector=set%3Dpage&limit=2&continue=${encodeURIComponent(token)}`),
    "continue token whose revision etcd compacted away: 410 Expired; metadata.continue offers an inconsistent continuation",
  );

  // Server-side apply: create, identical re-apply, changed apply, dry run, conflict.
  const applyPath = (name: string, q = "") => `/api/v1/namespaces/${NS}/configmaps/${name}?fieldManager=${FM}${q}`;
  const APPLY = "application/apply-patch+yaml";
  const obj = cm("applied", { a: "1", b: "two" });
  save("apply-create", await raw("src-wl", "PATCH", applyPath("applied"), { body: obj, contentType: APPLY }), "server-side apply of a new object: 201, managedFields operation Apply");
  save("apply-reapply", await raw("src-wl", "PATCH", applyPath("applied"), { body: obj, contentType: APPLY }), "identical re-apply: 200, same resourceVersion");
  save(
    "apply-update",
    await raw("src-wl", "PATCH", applyPath("applied"), { body: cm("applied", { a: "10" }), contentType: APPLY }),
    "apply without data.b: the field this manager owned is removed; new resourceVersion",
  );
  save(
    "apply-dryrun",
    await raw("src-wl", "PATCH", applyPath("dry", "&dryRun=All"), { body: cm("dry", { x: "y" }), contentType: APPLY }),
    "dryRun=All apply of a new object: the object as it would be stored; nothing is stored",
  );
  save("status-404-after-dryrun", await raw("src-wl", "GET", `/api/v1/namespaces/${NS}/configmaps/dry`), "GET after the dry run: 404 NotFound");
  await raw("src-wl", "PATCH", `/api/v1/namespaces/${NS}/configmaps/applied?fieldManager=other-tool&force=true`, { body: cm("applied", { a: "theirs" }), contentType: APPLY });
  save(
    "status-409-apply-conflict",
    await raw("src-wl", "PATCH", applyPath("applied"), { body: cm("applied", { a: "10" }), contentType: APPLY }),
    "apply of a field another manager owns, without force: 409 Conflict, causes FieldManagerConflict",
  );
  save(
    "apply-force",
    await raw("src-wl", "PATCH", applyPath("applied", "&force=true"), { body: cm("applied", { a: "10" }), contentType: APPLY }),
    "the same apply with force=true: 200, this manager owns the field again",
  );

  // Status bodies.
  save("status-404", await raw("src-wl", "GET", `/api/v1/namespaces/${NS}/configmaps/missing`), "GET of a missing object: 404 NotFound");
  const post = cm("posted", { a: "1" });
  save("create-201", await raw("src-wl", "POST", `/api/v1/namespaces/${NS}/configmaps`, { body: post }), "POST create: 201");
  save("status-409-already-exists", await raw("src-wl", "POST", `/api/v1/namespaces/${NS}/configmaps`, { body: post }), "second POST of the same name: 409 AlreadyExists");
  save(
    "status-422-invalid",
    await raw("src-wl", "PATCH", applyPath("Bad_Name"), { body: cm("Bad_Name", { a: "1" }), contentType: APPLY }),
    "apply of an object with an invalid name: 422 Invalid with causes",
  );
  save(
    "status-403-forbidden",
    await raw("src-wl", "GET", `/api/v1/namespaces/${NS}/configmaps/applied`, { user: "unprivileged" }),
    "an authenticated user without RBAC rights: 403 Forbidden",
  );
  save("status-401-unauthorized", await raw("src-wl", "GET", "/api", { user: "bad-token" }), "an unknown bearer token: 401 Unauthorized");

  // Delete.
  save(
    "delete-200",
    await raw("src-wl", "DELETE", `/api/v1/namespaces/${NS}/configmaps/posted`, { body: { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background" } }),
    "DELETE with propagationPolicy Background: 200 with a Success Status (1.20 answers Status for configmaps)",
  );
  save("status-404-delete", await raw("src-wl", "DELETE", `/api/v1/namespaces/${NS}/configmaps/posted`), "DELETE of a missing object: 404");

  // A CAPI Cluster on the management cluster: SSA through a CRD.
  const cluster = {
    apiVersion: "cluster.x-k8s.io/v1beta1",
    kind: "Cluster",
    metadata: { name: "fixture-cluster", namespace: NS },
    spec: { clusterNetwork: { pods: { cidrBlocks: ["172.16.0.0/16"] } }, topology: { class: "openstack-scs2-1-33-v5", version: "v1.33.10", controlPlane: { replicas: 1 } } },
  };
  save(
    "apply-cluster-api-cluster",
    await raw("src-mgmt", "PATCH", `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/fixture-cluster?fieldManager=${FM}`, { body: cluster, contentType: APPLY }),
    "SSA of a minimal topology Cluster through the sanitised CAPI v1.10 CRD: 201; the CRD's schema defaults are applied",
  );

  await wl.delete(nsRef, NS);
  await mgmt.delete(nsRef, NS);
  wl.close();
  mgmt.close();
  writeFileSync(path.join(OUT, "INDEX.tsv"), "file\trequest\tstatus\n" + written.join("\n") + "\n");
  console.log(written.join("\n"));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
