import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplyObject, KubeClient } from "../../src/kubernetes/client.js";
import type { ResourceRef } from "../../src/kubernetes/discovery.js";
import { KubeConflictError } from "../../src/kubernetes/errors.js";
import { kubectl, labClient, labMissing, skipBecause, uniqueName } from "./lab.js";

const skipLab = skipBecause(labMissing());
const CM: ResourceRef = { group: "", version: "v1", resource: "configmaps", namespaced: true };
const DEPLOY: ResourceRef = { group: "apps", version: "v1", resource: "deployments", namespaced: true };
const FM = "scs-migrate";

function configMap(ns: string, name: string, data: Record<string, string>): ApplyObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels: { app: "kt" } }, data };
}

function deployment(ns: string, name: string, replicas = 2): ApplyObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image: "registry.invalid/nginx:1.27" }] } },
    },
  };
}

describe.skipIf(skipLab)("server-side apply, dry run, delete on a real API server", () => {
  let k: KubeClient;
  const ns = uniqueName("kt-apply");

  beforeAll(async () => {
    k = labClient("dst-wl");
    expect(await k.ensureNamespace(ns, { fieldManager: FM })).toBe("created");
  });
  afterAll(async () => {
    await kubectl("dst-wl", ["delete", "namespace", ns, "--wait=false"], { allowFail: true });
    k?.close();
  });

  it("ensureNamespace is idempotent, and kubectl sees the namespace", async () => {
    expect(await k.ensureNamespace(ns)).toBe("exists");
    const { stdout } = await kubectl("dst-wl", ["get", "namespace", ns, "-o", "jsonpath={.status.phase}"]);
    expect(stdout).toBe("Active");
  });

  it("creates with SSA, and an identical re-apply changes nothing (same resourceVersion)", async () => {
    const obj = configMap(ns, "settings", { a: "1", b: "two" });
    const created = await k.apply(obj, { fieldManager: FM });
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.managedFields?.[0]).toMatchObject({ manager: FM, operation: "Apply" });
    const again = await k.apply(obj, { fieldManager: FM });
    expect(again.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(again.metadata.uid).toBe(created.metadata.uid);

    const { stdout } = await kubectl("dst-wl", ["-n", ns, "get", "configmap", "settings", "-o", "json"]);
    const seen = JSON.parse(stdout) as { data: Record<string, string>; metadata: { resourceVersion: string } };
    expect(seen.data).toEqual({ a: "1", b: "two" });
    expect(seen.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it("a changed apply updates, and fields left out of the applied object are removed", async () => {
    await k.apply(configMap(ns, "shrink", { a: "1", b: "2" }), { fieldManager: FM });
    const updated = await k.apply(configMap(ns, "shrink", { a: "10" }), { fieldManager: FM });
    expect((updated as { data?: unknown }).data).toEqual({ a: "10" });
    const { stdout } = await kubectl("dst-wl", ["-n", ns, "get", "configmap", "shrink", "-o", "jsonpath={.data}"]);
    expect(JSON.parse(stdout)).toEqual({ a: "10" });
  });

  it("dry-run returns the defaulted object and stores nothing", async () => {
    const out = await k.apply(deployment(ns, "dry"), { fieldManager: FM, dryRun: true });
    // Server-side defaulting happened (strategy, revisionHistoryLimit) although nothing was stored.
    expect((out as { spec?: { revisionHistoryLimit?: number } }).spec?.revisionHistoryLimit).toBe(10);
    expect(await k.getOrNull(DEPLOY, "dry", { namespace: ns })).toBeNull();
    const r = await kubectl("dst-wl", ["-n", ns, "get", "deployment", "dry"], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/NotFound|not found/);
  });

  it("a dry-run create through POST stores nothing either", async () => {
    await k.create(configMap(ns, "dry-post", { x: "y" }), { dryRun: true, fieldManager: FM });
    expect(await k.getOrNull(CM, "dry-post", { namespace: ns })).toBeNull();
  });

  it("a field owned by another manager is a 409 conflict naming it; force takes it over", async () => {
    await k.apply(configMap(ns, "shared", { owner: "us" }), { fieldManager: FM });
    const patch = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "shared", namespace: ns }, data: { owner: "them" } });
    writeFileSync(`/tmp/${ns}-shared.json`, patch);
    await kubectl("dst-wl", ["apply", "--server-side", "--force-conflicts", "--field-manager=other-tool", "-f", `/tmp/${ns}-shared.json`]);

    const err = await k.apply(configMap(ns, "shared", { owner: "us" }), { fieldManager: FM }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConflictError);
    const c = err as KubeConflictError;
    expect(c.status).toBe(409);
    expect(c.reason).toBe("Conflict");
    expect(c.causes).toEqual([expect.objectContaining({ reason: "FieldManagerConflict", field: ".data.owner" })]);
    expect(c.message).toMatch(/conflict with "other-tool"/);

    const forced = await k.apply(configMap(ns, "shared", { owner: "us" }), { fieldManager: FM, force: true });
    expect((forced as { data?: Record<string, string> }).data?.owner).toBe("us");
  });

  it("deletes with Foreground propagation and waits until the Deployment and its ReplicaSets are gone", async () => {
    const d = await k.apply(deployment(ns, "web", 1), { fieldManager: FM });
    // The controller manager creates the ReplicaSet; wait for it so that there is a child to collect.
    const RS: ResourceRef = { group: "apps", version: "v1", resource: "replicasets", namespaced: true };
    for (let i = 0; i < 60 && (await k.list(RS, { namespace: ns, labelSelector: "app=web" })).items.length === 0; i++) await new Promise((r) => setTimeout(r, 500));
    expect((await k.list(RS, { namespace: ns, labelSelector: "app=web" })).items).toHaveLength(1);

    expect(await k.delete(DEPLOY, "web", { namespace: ns, propagationPolicy: "Foreground", uid: d.metadata.uid ?? "" })).toBe("deleted");
    await k.waitUntilGone(DEPLOY, "web", { namespace: ns, timeoutMs: 60_000, intervalMs: 250 });
    expect((await k.list(RS, { namespace: ns, labelSelector: "app=web" })).items).toHaveLength(0);
    const r = await kubectl("dst-wl", ["-n", ns, "get", "deployment", "web"], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(await k.delete(DEPLOY, "web", { namespace: ns })).toBe("absent");
  });

  it("waitUntilGone gives up with a WaitError naming the object", async () => {
    await k.apply(configMap(ns, "stays", { a: "1" }), { fieldManager: FM });
    const err = await k.waitUntilGone(CM, "stays", { namespace: ns, timeoutMs: 300, intervalMs: 100 }).catch((e: unknown) => e);
    expect((err as Error).name).toBe("WaitError");
    expect((err as Error).message).toBe(`configmaps ${ns}/stays still exists after 0 s`);
  });
});
