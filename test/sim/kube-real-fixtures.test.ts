/**
 * The Kubernetes stand-in against the responses recorded from the real
 * kube-apiserver 1.20.2 lab (fixtures/real/kubernetes/, test/kube-lab/capture.ts).
 * The capture's sequence is replayed against a fresh stand-in, and each
 * answer is compared with the recorded one:
 * - status codes always;
 * - Status bodies (kind, status, reason, code, message, details) exactly;
 * - objects by shape: the same metadata keys, data, and managedFields
 *   (manager, operation, apiVersion, fieldsType, fieldsV1); uids,
 *   resourceVersions and times are compared as "equal where the recording
 *   has them equal";
 * - discovery: every resource the stand-in serves appears in the recorded
 *   document with the same entry (verbs, short names, storageVersionHash…).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim, type KubeSim } from "../../src/sim/kubernetes/server.js";

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/real/kubernetes");
const NS = "fixture-ns";
const APPLY = "application/apply-patch+yaml";

interface Fixture {
  request: { user: string; method: string; path: string; contentType?: string; body?: unknown };
  response: { status: number; body: unknown };
}
function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8")) as Fixture;
}

type Json = Record<string, unknown>;

describe("Kubernetes stand-in answers as the real 1.20 server did", () => {
  let sim: KubeSim;
  const answers = new Map<string, { status: number; body: unknown }>();

  async function send(method: string, p: string, opts: { body?: unknown; contentType?: string; token?: string } = {}): Promise<{ status: number; body: unknown }> {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const res = await fetch(sim.url + p, {
      method,
      headers: { Authorization: `Bearer ${opts.token ?? sim.token}`, Accept: "application/json", "User-Agent": "", ...(body ? { "Content-Type": opts.contentType ?? "application/json" } : {}) },
      ...(body ? { body } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  /** Replays a recorded request (its path, body, user) and keeps the answer under the fixture's name. */
  async function replay(name: string, rewrite?: (p: string) => string): Promise<void> {
    const f = fixture(name);
    const token = f.request.user === "unprivileged" ? sim.unprivilegedToken : f.request.user === "bad-token" ? "not-a-valid-token" : sim.token;
    const p = rewrite ? rewrite(f.request.path) : f.request.path;
    answers.set(name, await send(f.request.method, p, { body: f.request.body, ...(f.request.contentType ? { contentType: f.request.contentType } : {}), token }));
  }

  const cm = (name: string, data: Record<string, string>, labels?: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: NS, ...(labels ? { labels } : {}) },
    data,
  });

  beforeAll(async () => {
    sim = await startKubeSim({ capi: true });
    // The same sequence as capture.ts.
    await send("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } });
    for (let i = 0; i < 5; i++) await send("PATCH", `/api/v1/namespaces/${NS}/configmaps/page-${i}?fieldManager=scs-migrate`, { body: cm(`page-${i}`, { i: String(i) }, { set: "page" }), contentType: APPLY });
    await replay("list-configmaps-page1");
    const token = ((answers.get("list-configmaps-page1")?.body as Json).metadata as { continue: string }).continue;
    const second = await send("GET", `/api/v1/namespaces/${NS}/configmaps?labelSelector=set%3Dpage&limit=2&continue=${encodeURIComponent(token)}`);
    const token2 = ((second.body as Json).metadata as { continue: string }).continue;
    answers.set("list-configmaps-last", await send("GET", `/api/v1/namespaces/${NS}/configmaps?labelSelector=set%3Dpage&limit=2&continue=${encodeURIComponent(token2)}`));
    await send("PATCH", `/api/v1/namespaces/${NS}/configmaps/page-0?fieldManager=scs-migrate`, { body: cm("page-0", { i: "0", touched: "yes" }, { set: "page" }), contentType: APPLY });
    sim.compact();
    answers.set("status-410-expired", await send("GET", `/api/v1/namespaces/${NS}/configmaps?labelSelector=set%3Dpage&limit=2&continue=${encodeURIComponent(token)}`));
    for (const n of ["apply-create", "apply-reapply", "apply-update", "apply-dryrun", "status-404-after-dryrun"]) await replay(n);
    await send("PATCH", `/api/v1/namespaces/${NS}/configmaps/applied?fieldManager=other-tool&force=true`, { body: cm("applied", { a: "theirs" }), contentType: APPLY });
    for (const n of ["status-409-apply-conflict", "apply-force", "status-404", "create-201", "status-409-already-exists", "status-422-invalid", "status-403-forbidden", "status-401-unauthorized", "delete-200", "status-404-delete"]) {
      await replay(n);
    }
    await send("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } });
    await replay("apply-cluster-api-cluster");
  });
  afterAll(async () => {
    await sim?.close();
  });

  const STATUS_FIXTURES = [
    "status-404",
    "status-404-after-dryrun",
    "status-404-delete",
    "status-409-already-exists",
    "status-409-apply-conflict",
    "status-422-invalid",
    "status-403-forbidden",
    "status-401-unauthorized",
    "status-410-expired",
  ];

  it.each(STATUS_FIXTURES)("%s: same status and Status body", (name) => {
    const want = fixture(name).response;
    const got = answers.get(name);
    expect(got?.status).toBe(want.status);
    const strip = (b: unknown) => {
      const s = { ...(b as Json) };
      // The continue token of a 410 carries a revision: compare its presence, not its value.
      if (s.metadata && (s.metadata as Json).continue) s.metadata = { continue: "<token>" };
      if (s.details && (s.details as Json).uid) s.details = { ...(s.details as Json), uid: "<uid>" };
      return s;
    };
    expect(strip(got?.body)).toEqual(strip(want.body));
  });

  /** The shape of an object: what a client can rely on, without instance values. */
  function shape(o: unknown): unknown {
    const obj = o as Json;
    const meta = (obj.metadata ?? {}) as Json;
    return {
      top: Object.keys(obj).sort(),
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metaKeys: Object.keys(meta).sort(),
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels,
      data: obj.data,
      managedFields: ((meta.managedFields ?? []) as Json[]).map((m) => ({ manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, fieldsType: m.fieldsType, fieldsV1: m.fieldsV1 })),
    };
  }

  it.each(["apply-create", "apply-reapply", "apply-update", "apply-dryrun", "apply-force", "create-201"])("%s: same status and object shape", (name) => {
    const want = fixture(name).response;
    const got = answers.get(name);
    expect(got?.status).toBe(want.status);
    expect(shape(got?.body)).toEqual(shape(want.body));
  });

  it("an identical re-apply keeps the resourceVersion, as recorded", () => {
    const rv = (n: string, from: Map<string, { body: unknown }> | "fixture") =>
      ((from === "fixture" ? fixture(n).response.body : from.get(n)?.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    expect(rv("apply-reapply", "fixture") === rv("apply-create", "fixture")).toBe(rv("apply-reapply", answers) === rv("apply-create", answers));
    expect(rv("apply-update", "fixture") === rv("apply-create", "fixture")).toBe(rv("apply-update", answers) === rv("apply-create", answers));
  });

  it.each(["list-configmaps-page1", "list-configmaps-last"])("%s: same list envelope and items", (name) => {
    const want = fixture(name).response.body as Json;
    const got = answers.get(name)?.body as Json;
    expect(answers.get(name)?.status).toBe(fixture(name).response.status);
    expect({ kind: got.kind, apiVersion: got.apiVersion, metaKeys: Object.keys(got.metadata as Json).sort() }).toEqual({
      kind: want.kind,
      apiVersion: want.apiVersion,
      metaKeys: Object.keys(want.metadata as Json).sort(),
    });
    expect((got.items as unknown[]).map(shape)).toEqual((want.items as unknown[]).map(shape));
  });

  it("continue tokens have the real format", () => {
    const decode = (b: unknown) => JSON.parse(Buffer.from(((b as Json).metadata as { continue: string }).continue, "base64").toString("utf8")) as Json;
    const want = decode(fixture("list-configmaps-page1").response.body);
    const got = decode(answers.get("list-configmaps-page1")?.body);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    expect(got.v).toBe(want.v);
    expect(got.start).toBe(want.start);
  });

  it("delete answers a Success Status with the same details", () => {
    const want = fixture("delete-200").response;
    const got = answers.get("delete-200");
    expect(got?.status).toBe(want.status);
    const norm = (b: unknown) => ({ ...(b as Json), details: { ...((b as Json).details as Json), uid: "<uid>" } });
    expect(norm(got?.body)).toEqual(norm(want.body));
  });

  it.each([
    ["discovery-api-v1", "/api/v1"],
    ["discovery-apis-apps-v1", "/apis/apps/v1"],
    ["discovery-apis-cluster.x-k8s.io-v1beta1", "/apis/cluster.x-k8s.io/v1beta1"],
  ])("%s: every served resource has the recorded entry", async (name, p) => {
    const want = fixture(name).response.body as { kind: string; groupVersion: string; resources: Json[] };
    const got = (await send("GET", p)).body as { kind: string; groupVersion: string; resources: Json[] };
    expect(got.kind).toBe(want.kind);
    expect(got.groupVersion).toBe(want.groupVersion);
    for (const r of got.resources) {
      const rec = want.resources.find((x) => x.name === r.name);
      expect(rec, `${r.name as string} recorded`).toBeDefined();
      expect(r).toEqual(rec);
    }
  });

  it("/api and /apis have the recorded shape", async () => {
    const api = (await send("GET", "/api")).body as Json;
    expect(Object.keys(api).sort()).toEqual(Object.keys(fixture("discovery-api").response.body as Json).sort());
    const apis = (await send("GET", "/apis")).body as { groups: Json[] };
    const rec = fixture("discovery-apis").response.body as { groups: Json[] };
    const apps = rec.groups.find((g) => g.name === "apps");
    expect(apis.groups.find((g) => g.name === "apps")).toEqual(apps);
  });

  it("a CAPI Cluster applied through the CRD: same status and shape", () => {
    const want = fixture("apply-cluster-api-cluster").response;
    const got = answers.get("apply-cluster-api-cluster");
    expect(got?.status).toBe(want.status);
    const s = (b: unknown) => {
      const x = shape(b) as Json;
      return { ...x, managedFields: (x.managedFields as Json[]).map((m) => ({ ...m, fieldsV1: undefined })) };
    };
    expect(s(got?.body)).toMatchObject({ ...(s(want.body) as Json), top: expect.any(Array) });
  });
});
