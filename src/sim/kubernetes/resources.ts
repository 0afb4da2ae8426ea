/**
 * The resources the Kubernetes stand-in serves and the discovery documents
 * built from them, in the shape kube-apiserver 1.20 sends (field order,
 * `singularName: ""` for built-in kinds, `storageVersionHash` computed as the
 * real server does: the first 8 bytes of sha256("group/version/Kind"),
 * base64).
 */
import { createHash } from "node:crypto";

export interface SimResource {
  group: string;
  version: string;
  /** Plural, e.g. "configmaps". */
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  /** Served from a CRD: the real server then fills singularName and lists no deletecollection-less verbs. */
  crd?: boolean;
  singularName?: string;
  /** Verbs when they differ from the usual eight (Services have no deletecollection in 1.20). */
  verbs?: string[];
}

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const NS_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"];
// Why another order: the CRD handler of 1.20 lists its verbs in this order.
const CRD_VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];

/** The built-in resources a migration touches on a workload cluster. */
export const BUILTIN_RESOURCES: SimResource[] = [
  { group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"], subresources: ["finalize", "status"] },
  { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"] },
  { group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true },
  { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true, shortNames: ["svc"], categories: ["all"], subresources: ["proxy", "status"], verbs: NS_VERBS },
  { group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"], subresources: ["token"] },
  { group: "", version: "v1", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true, shortNames: ["pvc"], subresources: ["status"] },
  { group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: ["scale", "status"] },
  { group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", namespaced: true, shortNames: ["sts"], categories: ["all"], subresources: ["scale", "status"] },
  { group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"], subresources: ["status"] },
  { group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"], subresources: ["scale", "status"] },
];

/** The Cluster API core kind, as its CRD serves it (for management-cluster simulations). */
export const CAPI_CLUSTER: SimResource = {
  group: "cluster.x-k8s.io",
  version: "v1beta1",
  resource: "clusters",
  kind: "Cluster",
  namespaced: true,
  shortNames: ["cl"],
  categories: ["cluster-api"],
  subresources: ["status"],
  crd: true,
  singularName: "cluster",
};

export function storageVersionHash(r: SimResource): string {
  return createHash("sha256").update(`${r.group}/${r.version}/${r.kind}`).digest().subarray(0, 8).toString("base64");
}

export function apiVersionOf(r: SimResource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** `GET /api`. */
export function apiVersionsDoc(serverAddress: string): unknown {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

/** `GET /apis`. */
export function apiGroupListDoc(resources: SimResource[]): unknown {
  const groups = [...new Set(resources.filter((r) => r.group).map((r) => r.group))];
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: groups.map((g) => {
      const versions = [...new Set(resources.filter((r) => r.group === g).map((r) => r.version))];
      const gv = (v: string) => ({ groupVersion: `${g}/${v}`, version: v });
      return { name: g, versions: versions.map(gv), preferredVersion: gv(versions[0] as string) };
    }),
  };
}

/** `GET /api/v1`, `GET /apis/G/V`; undefined when the group/version is not served. */
export function apiResourceListDoc(resources: SimResource[], group: string, version: string): unknown {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const entries: Record<string, unknown>[] = [];
  for (const r of rs) {
    entries.push({
      name: r.resource,
      singularName: r.crd ? (r.singularName ?? r.kind.toLowerCase()) : "",
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs ?? (r.crd ? CRD_VERBS : r.kind === "Namespace" ? NS_VERBS : VERBS),
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: storageVersionHash(r),
    });
    for (const sub of r.subresources ?? []) {
      entries.push({
        name: `${r.resource}/${sub}`,
        singularName: "",
        namespaced: r.namespaced,
        kind: sub === "scale" ? "Scale" : sub === "token" ? "TokenRequest" : sub === "proxy" ? `${r.kind}ProxyOptions` : r.kind,
        ...(sub === "scale" ? { group: "autoscaling", version: "v1" } : sub === "token" ? { group: "authentication.k8s.io", version: "v1" } : {}),
        verbs: sub === "proxy" ? ["create", "delete", "get", "patch", "update"] : sub === "token" || sub === "finalize" ? (sub === "token" ? ["create"] : ["update"]) : ["get", "patch", "update"],
      });
    }
  }
  return { kind: "APIResourceList", ...(group ? { apiVersion: "v1" } : {}), groupVersion: group ? `${group}/${version}` : version, resources: entries };
}
