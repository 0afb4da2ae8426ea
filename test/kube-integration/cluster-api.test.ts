import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ApplyObject, KubeClient } from "../../src/kubernetes/client.js";
import { KubeInvalidError } from "../../src/kubernetes/errors.js";
import { SHARED_KUBE, kubectl, labClient, labMissing, sharedMissing, skipBecause, uniqueName } from "./lab.js";

const skip = skipBecause(labMissing()) || skipBecause(sharedMissing());
const FM = "scs-migrate";

/** The hand-written SCS scs2 Cluster of the shared conformance data, moved to namespace `ns`. */
function exampleCluster(ns: string): ApplyObject {
  const obj = parse(readFileSync(path.join(SHARED_KUBE, "examples/hand-written/cluster-scs2-1-33.yaml"), "utf8")) as ApplyObject & {
    spec: { topology: { classNamespace?: string } };
  };
  obj.metadata.namespace = ns;
  obj.spec.topology.classNamespace = ns;
  return obj;
}

describe.skipIf(skip)("Cluster API objects against the real CRD schemas", () => {
  let src: KubeClient;
  let dst: KubeClient;
  const ns = uniqueName("kt-capi");

  beforeAll(async () => {
    src = labClient("src-mgmt");
    dst = labClient("dst-mgmt");
    await src.ensureNamespace(ns);
    await dst.ensureNamespace(ns);
  });
  afterAll(async () => {
    await kubectl("src-mgmt", ["delete", "namespace", ns, "--wait=false"], { allowFail: true });
    await kubectl("dst-mgmt", ["delete", "namespace", ns, "--wait=false"], { allowFail: true });
    src?.close();
    dst?.close();
  });

  it("the SCS scs2 topology Cluster is accepted by server-side apply, and kubectl reads it back", async () => {
    const applied = await src.apply(exampleCluster(ns), { fieldManager: FM });
    expect(applied.metadata.uid).toBeTruthy();
    // The CRD schema's defaults were applied by the server (controlPlaneEndpoint is defaulted by CAPI's webhook only, so not here).
    const { stdout } = await kubectl("src-mgmt", ["-n", ns, "get", "clusters.cluster.x-k8s.io", "my-cluster", "-o", "json"]);
    const seen = JSON.parse(stdout) as { spec: { topology: { class: string; version: string; variables: { name: string }[] } } };
    expect(seen.spec.topology.class).toBe("openstack-scs2-1-33-v5");
    expect(seen.spec.topology.version).toBe("v1.33.10");
    expect(seen.spec.topology.variables.map((v) => v.name)).toContain("identityRef");
    const again = await src.apply(exampleCluster(ns), { fieldManager: FM });
    expect(again.metadata.resourceVersion).toBe(applied.metadata.resourceVersion);
  });

  it("a dry-run apply on the target management cluster validates without storing", async () => {
    const out = await dst.apply(exampleCluster(ns), { fieldManager: FM, dryRun: true });
    expect(out.metadata.name).toBe("my-cluster");
    const r = await kubectl("dst-mgmt", ["-n", ns, "get", "clusters.cluster.x-k8s.io", "my-cluster"], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not found/);
  });

  it("an object that breaks the CRD schema is a 422 naming the field", async () => {
    const bad = exampleCluster(ns) as ApplyObject & { spec: { clusterNetwork: { pods: unknown } } };
    bad.metadata.name = "bad-cluster";
    bad.spec.clusterNetwork.pods = { cidrBlocks: "172.16.0.0/16" };
    const err = await src.apply(bad, { fieldManager: FM }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeInvalidError);
    expect((err as Error).message).toMatch(/spec\.clusterNetwork\.pods\.cidrBlocks/);
  });

  it("lists Clusters through the CRD's resource found by discovery", async () => {
    const ref = await src.resource("cluster.x-k8s.io", "clusters");
    const r = await src.list(ref, { namespace: ns, limit: 1 });
    expect(r.items.map((o) => o.metadata.name)).toEqual(["my-cluster"]);
  });
});
