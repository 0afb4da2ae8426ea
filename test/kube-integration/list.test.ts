import { mkdtempSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { KubeClient } from "../../src/kubernetes/client.js";
import type { ResourceRef } from "../../src/kubernetes/discovery.js";
import { KubeGoneError } from "../../src/kubernetes/errors.js";
import { compactEtcd, kubectl, labClient, labMissing, skipBecause, uniqueName } from "./lab.js";

const skipLab = skipBecause(labMissing());
const CM: ResourceRef = { group: "", version: "v1", resource: "configmaps", namespaced: true };

describe.skipIf(skipLab)("listing with pagination on a real API server", () => {
  let k: KubeClient;
  const ns = uniqueName("kt-list");

  beforeAll(async () => {
    k = labClient("src-wl");
    await k.ensureNamespace(ns);
    // Created by kubectl, so that the listing is checked against objects the client did not write.
    const docs = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${String(i).padStart(2, "0")}`, namespace: ns, labels: { parity: i % 2 ? "odd" : "even" } }, data: { i: String(i) } }),
    );
    const dir = mkdtempSync("/tmp/kt-list-");
    writeFileSync(`${dir}/cms.json`, JSON.stringify({ apiVersion: "v1", kind: "List", items: docs.map((d) => JSON.parse(d)) }));
    await kubectl("src-wl", ["apply", "-f", `${dir}/cms.json`]);
  });
  afterAll(async () => {
    await kubectl("src-wl", ["delete", "namespace", ns, "--wait=false"], { allowFail: true });
    k?.close();
  });

  // Why a selector: 1.20 also puts a "kube-root-ca.crt" ConfigMap into every namespace.
  it("returns all 25 ConfigMaps in pages of 4", async () => {
    const r = await k.list(CM, { namespace: ns, limit: 4, labelSelector: "parity" });
    expect(r.items.map((o) => o.metadata.name)).toEqual(Array.from({ length: 25 }, (_, i) => `cm-${String(i).padStart(2, "0")}`));
    expect(r.pages).toBe(7);
    expect(r.restarts).toBe(0);
    expect(r.resourceVersion).toMatch(/^\d+$/);
  });

  it("the first page carries a continue token and remainingItemCount (only without a selector)", async () => {
    const { stdout } = await kubectl("src-wl", ["-n", ns, "get", "configmaps", "-o", "name"]);
    const total = stdout.split("\n").filter(Boolean).length;
    const p = await k.listPage(CM, { namespace: ns, limit: 10 });
    expect(p.items).toHaveLength(10);
    expect(p.metadata?.continue).toBeTruthy();
    expect(p.metadata?.remainingItemCount).toBe(total - 10);
    const filtered = await k.listPage(CM, { namespace: ns, limit: 10, labelSelector: "parity" });
    expect(filtered.metadata?.continue).toBeTruthy();
    expect(filtered.metadata?.remainingItemCount).toBeUndefined();
  });

  it("filters with a label selector across pages", async () => {
    const r = await k.list(CM, { namespace: ns, labelSelector: "parity=odd", limit: 5 });
    expect(r.items).toHaveLength(12);
    expect(r.items.every((o) => o.metadata.labels?.parity === "odd")).toBe(true);
  });

  it("lists across all namespaces when no namespace is given", async () => {
    const r = await k.list(CM, { labelSelector: "parity", limit: 100 });
    expect(r.items.filter((o) => o.metadata.namespace === ns)).toHaveLength(25);
  });

  it("an expired continue token is a 410 Expired (KubeGoneError)", async () => {
    const first = await k.listPage(CM, { namespace: ns, limit: 5 });
    // A write after the token, then compaction up to now: the token's revision is gone.
    await kubectl("src-wl", ["-n", ns, "annotate", "configmap", "cm-00", `touch=${Date.now()}`, "--overwrite"]);
    await compactEtcd("src-wl");
    const err = await k.listPage(CM, { namespace: ns, limit: 5, continueToken: first.metadata?.continue ?? "" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeGoneError);
    expect((err as KubeGoneError).status).toBe(410);
    expect((err as KubeGoneError).reason).toBe("Expired");
    expect((err as Error).message).toMatch(/continue parameter is too old/);
  });

  it("list restarts from the beginning when its continue token expires mid-way", async () => {
    const real = k.listPage.bind(k);
    let calls = 0;
    vi.spyOn(k, "listPage").mockImplementation(async (ref, opts) => {
      const page = await real(ref, opts);
      if (++calls === 2) {
        await kubectl("src-wl", ["-n", ns, "annotate", "configmap", "cm-01", `touch=${Date.now()}`, "--overwrite"]);
        await compactEtcd("src-wl");
      }
      return page;
    });
    const r = await k.list(CM, { namespace: ns, limit: 6, labelSelector: "parity" });
    expect(r.restarts).toBe(1);
    expect(r.items).toHaveLength(25);
    expect(new Set(r.items.map((o) => o.metadata.name)).size).toBe(25);
  });
});
