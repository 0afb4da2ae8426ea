import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClient } from "../../src/kubernetes/client.js";
import { findByKind, findResource, preferredResources, type Discovery } from "../../src/kubernetes/discovery.js";
import { kubectl, labClient, labMissing, sharedMissing, skipBecause } from "./lab.js";

const skipLab = skipBecause(labMissing());
const skipCrds = skipLab || skipBecause(sharedMissing());

describe.skipIf(skipLab)("discovery on a real API server", () => {
  let mgmt: KubeClient;
  let wl: KubeClient;
  let dMgmt: Discovery;
  let dWl: Discovery;

  beforeAll(async () => {
    mgmt = labClient("src-mgmt");
    wl = labClient("src-wl");
    [dMgmt, dWl] = await Promise.all([mgmt.discover(), wl.discover()]);
  });
  afterAll(() => {
    mgmt?.close();
    wl?.close();
  });

  it("finds apps/v1 Deployment with its verbs, scope and subresources", () => {
    const d = findByKind(dWl, "apps/v1", "Deployment");
    expect(d).toMatchObject({ group: "apps", version: "v1", resource: "deployments", namespaced: true, kind: "Deployment", apiVersion: "apps/v1", preferred: true });
    expect(d?.verbs).toEqual(expect.arrayContaining(["create", "delete", "get", "list", "patch", "update", "watch"]));
    expect(d?.subresources).toEqual(expect.arrayContaining(["status", "scale"]));
    expect(d?.shortNames).toContain("deploy");
  });

  it("knows the core group (no group name, preferred v1) and cluster-scoped resources", () => {
    expect(dWl.groups[0]).toEqual({ name: "", versions: ["v1"], preferredVersion: "v1" });
    expect(findResource(dWl, "", "ns")).toMatchObject({ resource: "namespaces", namespaced: false, kind: "Namespace", apiVersion: "v1" });
    expect(findResource(dWl, "", "configmap")).toMatchObject({ resource: "configmaps", namespaced: true });
    expect(dWl.failed).toEqual([]);
  });

  it("lists every version of a group and marks the preferred one", () => {
    const g = dWl.groups.find((x) => x.name === "autoscaling");
    expect(g?.versions).toEqual(expect.arrayContaining(["v1", "v2beta1", "v2beta2"]));
    expect(g?.preferredVersion).toBe("v1");
    expect(findResource(dWl, "autoscaling", "horizontalpodautoscalers")?.version).toBe("v1");
    expect(findResource(dWl, "autoscaling", "horizontalpodautoscalers", "v2beta2")?.preferred).toBe(false);
  });

  it("agrees with kubectl api-resources on the preferred resources", async () => {
    const { stdout } = await kubectl("src-wl", ["api-resources", "--no-headers", "-o", "name"]);
    const fromKubectl = stdout.split("\n").filter(Boolean).sort();
    const ours = preferredResources(dWl)
      .map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource))
      .sort();
    expect(ours).toEqual(fromKubectl);
  });

  it.skipIf(skipCrds)("finds the Cluster API CRDs on the management servers only", () => {
    const c = findByKind(dMgmt, "cluster.x-k8s.io/v1beta1", "Cluster");
    expect(c).toMatchObject({ group: "cluster.x-k8s.io", version: "v1beta1", resource: "clusters", namespaced: true, preferred: true });
    expect(c?.subresources).toContain("status");
    expect(c?.categories).toEqual(expect.arrayContaining(["cluster-api"]));
    expect(findByKind(dMgmt, "infrastructure.cluster.x-k8s.io/v1beta1", "OpenStackCluster")?.resource).toBe("openstackclusters");
    expect(findResource(dMgmt, "clusterstack.x-k8s.io", "clusterstacks")?.kind).toBe("ClusterStack");
    expect(findByKind(dWl, "cluster.x-k8s.io/v1beta1", "Cluster")).toBeUndefined();
  });
});
