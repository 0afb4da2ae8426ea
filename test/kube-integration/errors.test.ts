import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT, UnreachableError, isRetryable, statusIs } from "../../src/errors.js";
import { KubeClient } from "../../src/kubernetes/client.js";
import type { ResourceRef } from "../../src/kubernetes/discovery.js";
import { KubeAuthError, KubeConflictError, KubeInvalidError, KubeNotFoundError } from "../../src/kubernetes/errors.js";
import { kubeconfigOf, labClient, labMissing, skipBecause, uniqueName } from "./lab.js";

const skipLab = skipBecause(labMissing());
const CM: ResourceRef = { group: "", version: "v1", resource: "configmaps", namespaced: true };

describe.skipIf(skipLab)("Status answers of a real API server as typed errors", () => {
  let k: KubeClient;
  const ns = uniqueName("kt-err");

  beforeAll(async () => {
    k = labClient("src-wl");
    await k.ensureNamespace(ns);
  });
  afterAll(async () => {
    await k.delete({ group: "", version: "v1", resource: "namespaces", namespaced: false }, ns).catch(() => undefined);
    k?.close();
  });

  it("404 → KubeNotFoundError with the server's message", async () => {
    const err = await k.get(CM, "nope", { namespace: ns }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeNotFoundError);
    const e = err as KubeNotFoundError;
    expect(e.exitCode).toBe(EXIT.NOT_FOUND);
    expect(e.code).toBe("E_NOT_FOUND");
    expect(statusIs(e, 404)).toBe(true);
    expect(e.reason).toBe("NotFound");
    expect(e.message).toBe(`GET ${k.config.server}/api/v1/namespaces/${ns}/configmaps/nope: 404 NotFound: configmaps "nope" not found`);
    expect(await k.getOrNull(CM, "nope", { namespace: ns })).toBeNull();
  });

  it("409 AlreadyExists on a second create → KubeConflictError", async () => {
    const obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "twice", namespace: ns }, data: { a: "1" } };
    await k.create(obj);
    const err = await k.create(obj).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConflictError);
    expect((err as KubeConflictError).reason).toBe("AlreadyExists");
    expect((err as Error).message).toMatch(/409 AlreadyExists: configmaps "twice" already exists$/);
  });

  it("422 Invalid → KubeInvalidError with the per-field causes", async () => {
    const err = await k
      .apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name", namespace: ns }, data: { a: "1" } }, { fieldManager: "scs-migrate" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeInvalidError);
    const e = err as KubeInvalidError;
    expect(e.status).toBe(422);
    expect(e.reason).toBe("Invalid");
    expect(e.causes[0]).toMatchObject({ reason: "FieldValueInvalid", field: "metadata.name" });
    expect(e.details[0]).toMatch(/^metadata\.name: Invalid value: "Bad_Name"/);
    expect(isRetryable(e)).toBe(false);
  });

  it("403 Forbidden for a user without RBAC rights → KubeAuthError (exit code AUTH), no token in the message", async () => {
    const u = labClient("src-wl", true);
    try {
      const err = await u.get(CM, "x", { namespace: ns }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeAuthError);
      const e = err as KubeAuthError;
      expect(e.status).toBe(403);
      expect(e.exitCode).toBe(EXIT.AUTH);
      expect(e.reason).toBe("Forbidden");
      expect(e.message).toMatch(/configmaps "x" is forbidden: User "unprivileged" cannot get resource "configmaps"/);
      expect(e.message).not.toContain(u.config.user.token ?? "no-token");
    } finally {
      u.close();
    }
  });

  it("401 for a wrong token → KubeAuthError; the token never shows", async () => {
    const dir = mkdtempSync("/tmp/kt-401-");
    const file = path.join(dir, "kubeconfig");
    const badToken = "wrong-token-" + "x".repeat(24);
    writeFileSync(file, readFileSync(kubeconfigOf("src-wl"), "utf8").replace(/token: \S+/, `token: ${badToken}`));
    const bad = KubeClient.fromKubeconfig({ kubeconfig: file, context: "src-wl" }, { retries: 0 });
    try {
      const err = await bad.discover().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeAuthError);
      expect((err as KubeAuthError).status).toBe(401);
      expect(JSON.stringify({ m: (err as Error).message, b: (err as KubeAuthError).body })).not.toContain(badToken);
    } finally {
      bad.close();
    }
  });

  it("an unreachable server → UnreachableError (exit code UNREACHABLE) naming the context", async () => {
    const dir = mkdtempSync("/tmp/kt-unreach-");
    const file = path.join(dir, "kubeconfig");
    // Port 1 on loopback: nothing listens there.
    writeFileSync(file, readFileSync(kubeconfigOf("src-wl"), "utf8").replace(/server: \S+/, "server: https://127.0.0.1:1"));
    const off = KubeClient.fromKubeconfig({ kubeconfig: file, context: "src-wl" }, { retries: 1, retryBaseMs: 10 });
    try {
      const err = await off.discover().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnreachableError);
      expect((err as UnreachableError).exitCode).toBe(EXIT.UNREACHABLE);
      expect((err as Error).message).toBe('cannot reach the Kubernetes API server https://127.0.0.1:1 (context "src-wl"): connection refused (ECONNREFUSED)');
    } finally {
      off.close();
    }
  });

  it("a kind the server does not serve → KubeNotFoundError from discovery", async () => {
    const err = await k.apply({ apiVersion: "cluster.x-k8s.io/v1beta1", kind: "Cluster", metadata: { name: "c", namespace: ns } }, { fieldManager: "scs-migrate" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeNotFoundError);
    expect((err as Error).message).toBe(`the server ${k.config.server} does not serve kind Cluster in cluster.x-k8s.io/v1beta1`);
  });
});
