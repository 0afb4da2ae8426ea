/**
 * The Kubernetes stand-in driven through the project's own client layer:
 * the same calls the lab suite makes against the real server.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient, type ApplyObject } from "../../src/kubernetes/client.js";
import { findByKind, type ResourceRef } from "../../src/kubernetes/discovery.js";
import { KubeAuthError, KubeConflictError, KubeGoneError, KubeInvalidError, KubeNotFoundError } from "../../src/kubernetes/errors.js";
import { matchesSelector, startKubeSim, type KubeSim } from "../../src/sim/kubernetes/server.js";

const CM: ResourceRef = { group: "", version: "v1", resource: "configmaps", namespaced: true };
const FM = "scs-migrate";

function cm(name: string, data: Record<string, string>, labels?: Record<string, string>): ApplyObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "work", ...(labels ? { labels } : {}) }, data };
}

describe("Kubernetes stand-in through the client layer", () => {
  let sim: KubeSim;
  let dir: string;
  let k: KubeClient;
  let file: string;

  beforeAll(async () => {
    sim = await startKubeSim({ capi: true });
    dir = mkdtempSync(path.join(os.tmpdir(), "kube-sim-"));
    file = path.join(dir, "kubeconfig");
    writeFileSync(file, sim.kubeconfig("sim"));
    k = KubeClient.fromKubeconfig({ kubeconfig: file }, { retries: 0 });
    expect(await k.ensureNamespace("work")).toBe("created");
  });
  afterAll(async () => {
    k?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves discovery with the built-in kinds and the CAPI Cluster", async () => {
    const d = await k.discover();
    expect(findByKind(d, "apps/v1", "Deployment")).toMatchObject({ resource: "deployments", namespaced: true, subresources: ["scale", "status"] });
    expect(findByKind(d, "cluster.x-k8s.io/v1beta1", "Cluster")).toMatchObject({ resource: "clusters", singularName: "cluster", categories: ["cluster-api"] });
    expect(findByKind(d, "v1", "Namespace")?.namespaced).toBe(false);
  });

  it("SSA: create, identical re-apply keeps the resourceVersion, dropped fields go", async () => {
    const a = await k.apply(cm("s", { a: "1", b: "2" }), { fieldManager: FM });
    const b = await k.apply(cm("s", { a: "1", b: "2" }), { fieldManager: FM });
    expect(b.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    const c = await k.apply(cm("s", { a: "1" }), { fieldManager: FM });
    expect(Number(c.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect((c as { data?: unknown }).data).toEqual({ a: "1" });
    expect(c.metadata.managedFields?.[0]).toMatchObject({ manager: FM, operation: "Apply", fieldsV1: { "f:data": { "f:a": {} } } });
  });

  it("SSA conflict names field and manager; force takes over", async () => {
    await k.apply(cm("c", { owner: "us" }), { fieldManager: FM });
    const err = await k.apply(cm("c", { owner: "them" }), { fieldManager: "other" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConflictError);
    expect((err as KubeConflictError).causes).toEqual([{ reason: "FieldManagerConflict", message: `conflict with "${FM}"`, field: ".data.owner" }]);
    const forced = await k.apply(cm("c", { owner: "them" }), { fieldManager: "other", force: true });
    expect((forced as { data?: Record<string, string> }).data?.owner).toBe("them");
    expect(forced.metadata.managedFields?.map((m) => m.manager)).toEqual(["other"]);
  });

  it("dry run stores nothing", async () => {
    const before = sim.size();
    const out = await k.apply(cm("dry", { a: "1" }), { fieldManager: FM, dryRun: true });
    expect(out.metadata.uid).toBeTruthy();
    expect(await k.getOrNull(CM, "dry", { namespace: "work" })).toBeNull();
    expect(sim.size()).toBe(before);
  });

  it("lists with pagination and selectors; an expired token restarts the list", async () => {
    for (let i = 0; i < 25; i++) await k.create(cm(`p-${String(i).padStart(2, "0")}`, { i: String(i) }, { set: "p", parity: i % 2 ? "odd" : "even" }));
    const r = await k.list(CM, { namespace: "work", labelSelector: "set=p", limit: 4 });
    expect(r.items).toHaveLength(25);
    expect(r.pages).toBe(7);
    const first = await k.listPage(CM, { namespace: "work", limit: 10 });
    expect(first.metadata?.remainingItemCount).toBeGreaterThan(0);
    sim.compact();
    const err = await k.listPage(CM, { namespace: "work", limit: 10, continueToken: first.metadata?.continue ?? "" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeGoneError);
    expect((await k.list(CM, { namespace: "work", labelSelector: "parity in (odd)" })).items).toHaveLength(12);
  });

  it("errors: 404, 409 AlreadyExists, 422, 403, 401", async () => {
    expect(await k.get(CM, "none", { namespace: "work" }).catch((e: unknown) => e)).toBeInstanceOf(KubeNotFoundError);
    await k.create(cm("dup", {}));
    const dup = await k.create(cm("dup", {})).catch((e: unknown) => e);
    expect((dup as KubeConflictError).reason).toBe("AlreadyExists");
    expect(await k.apply(cm("Bad_Name", {}), { fieldManager: FM }).catch((e: unknown) => e)).toBeInstanceOf(KubeInvalidError);
    const u = KubeClient.fromKubeconfig({ kubeconfig: file, context: "sim-unprivileged" }, { retries: 0 });
    const forbidden = await u.get(CM, "s", { namespace: "work" }).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(KubeAuthError);
    expect((forbidden as Error).message).toContain('configmaps "s" is forbidden: User "unprivileged" cannot get resource "configmaps" in API group "" in the namespace "work"');
    u.close();
    writeFileSync(path.join(dir, "bad"), sim.kubeconfig("sim").replace(sim.token, "wrong-token"));
    const bad = KubeClient.fromKubeconfig({ kubeconfig: path.join(dir, "bad") }, { retries: 0 });
    expect(((await bad.discover().catch((e: unknown) => e)) as KubeAuthError).status).toBe(401);
    bad.close();
  });

  it("delete and wait until gone; deleting a namespace removes its objects", async () => {
    const o = await k.apply(cm("gone", { a: "1" }), { fieldManager: FM });
    expect(await k.delete(CM, "gone", { namespace: "work", propagationPolicy: "Background", uid: o.metadata.uid ?? "" })).toBe("deleted");
    await k.waitUntilGone(CM, "gone", { namespace: "work", timeoutMs: 1000 });
    await k.ensureNamespace("tmp");
    await k.apply({ ...cm("x", {}), metadata: { name: "x", namespace: "tmp" } }, { fieldManager: FM });
    await k.delete({ group: "", version: "v1", resource: "namespaces", namespaced: false }, "tmp");
    expect((await k.list(CM, { namespace: "tmp" })).items).toEqual([]);
  });

  it("label selectors", () => {
    const l = { app: "web", tier: "front" };
    expect(matchesSelector(l, "app=web,tier")).toBe(true);
    expect(matchesSelector(l, "app!=web")).toBe(false);
    expect(matchesSelector(l, "!missing,tier in (front,back)")).toBe(true);
    expect(matchesSelector(l, "tier notin (front)")).toBe(false);
  });
});
