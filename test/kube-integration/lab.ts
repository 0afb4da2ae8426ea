/**
 * Harness for the suite against the real Kubernetes API servers of
 * test/kube-lab/ (kube-apiserver 1.20.2 built from Debian's source package).
 *
 * `npm run test:kube` starts or reuses the lab before vitest runs; this file
 * only finds it. Where the lab or ../shared (the Cluster API CRDs and
 * examples) is absent, the tests that need it skip with a message, except
 * under CI=true, where a missing lab is a failure (a skipped suite would
 * pass silently).
 *
 * `kubectl()` is the independent cross-check: a test should not verify the
 * client with the same client.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KubeClient } from "../../src/kubernetes/client.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const LAB_OUT = process.env.KUBE_LAB_OUT ?? "/var/lib/kube-lab/out";
export const SHARED_KUBE = process.env.KUBE_LAB_SHARED ?? path.resolve(REPO_ROOT, "../shared/conformance/kubernetes");
export const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
export const IN_CI = process.env.CI === "true";

export type LabCluster = "src-mgmt" | "dst-mgmt" | "src-wl" | "dst-wl";

export function kubeconfigOf(name: LabCluster): string {
  return path.join(LAB_OUT, `${name}.kubeconfig`);
}

/** Why the lab cannot be used, or undefined when it is there. */
export function labMissing(): string | undefined {
  for (const n of ["src-mgmt", "dst-mgmt", "src-wl", "dst-wl"] as const) {
    if (!existsSync(kubeconfigOf(n))) return `kube lab not running (${kubeconfigOf(n)} missing): run npm run kube-lab:up`;
  }
  return undefined;
}

/** Why ../shared/conformance/kubernetes cannot be used, or undefined. */
export function sharedMissing(): string | undefined {
  return existsSync(path.join(SHARED_KUBE, "crds")) ? undefined : `${SHARED_KUBE} missing (the shared conformance data must sit beside the repository)`;
}

/**
 * True when the tests should skip, after printing why. Under CI=true a
 * missing prerequisite throws instead: CI must not pass by skipping.
 */
export function skipBecause(reason: string | undefined): boolean {
  if (reason === undefined) return false;
  if (IN_CI) throw new Error(`CI=true and ${reason}`);
  console.warn(`skipping: ${reason}`);
  return true;
}

/** A client for a lab cluster (context NAME = admin, NAME-unprivileged = no RBAC rights). */
export function labClient(name: LabCluster, unprivileged = false): KubeClient {
  return KubeClient.fromKubeconfig({ kubeconfig: kubeconfigOf(name), context: unprivileged ? `${name}-unprivileged` : name }, { retries: 1, retryBaseMs: 50 });
}

/** Runs kubectl against a lab cluster; resolves with stdout (the version-skew warning on stderr is dropped). */
export function kubectl(name: LabCluster, args: string[], opts: { allowFail?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, ["--kubeconfig", kubeconfigOf(name), ...args], { timeout: 60_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      if (err && !opts.allowFail) reject(new Error(`kubectl ${args.join(" ")} failed (${code}): ${stderr}`));
      else resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
    });
  });
}

/** The lab's etcd client URL of a cluster (see lab-up.sh's env). */
export function etcdUrl(name: LabCluster): string {
  const base = Number(process.env.KUBE_LAB_PORT_BASE ?? 16400);
  const offset = { "src-mgmt": 0, "dst-mgmt": 10, "src-wl": 20, "dst-wl": 30 }[name];
  return `http://127.0.0.1:${base + offset + 1}`;
}

/**
 * Compacts the cluster's etcd up to its current revision, through etcd's
 * JSON gateway. Every continue token issued before then points at a revision
 * that no longer exists: the API server answers 410 Expired.
 */
export async function compactEtcd(name: LabCluster): Promise<number> {
  const url = etcdUrl(name);
  const range = await fetch(`${url}/v3/kv/range`, { method: "POST", body: JSON.stringify({ key: Buffer.from("/registry").toString("base64") }) });
  const rev = Number(((await range.json()) as { header: { revision: string } }).header.revision);
  const res = await fetch(`${url}/v3/kv/compaction`, { method: "POST", body: JSON.stringify({ revision: rev, physical: true }) });
  if (!res.ok) throw new Error(`etcd compaction failed: ${res.status} ${await res.text()}`);
  return rev;
}

/** A namespace name unique to this run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
