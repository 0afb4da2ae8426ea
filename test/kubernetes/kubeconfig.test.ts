import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, EXIT } from "../../src/errors.js";
import { redact } from "../../src/log.js";
import { kubeconfigFiles, loadKubeConfig } from "../../src/kubernetes/kubeconfig.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "kubeconfig-test-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Entry {
  cluster: string;
  server: string;
  user: string;
  token?: string;
  context: string;
  namespace?: string;
}

/** Writes a kubeconfig with the given entries; `current` becomes current-context. */
function kubeconfig(file: string, entries: Entry[], current?: string, extraUser = ""): string {
  const p = path.join(dir, file);
  mkdirSync(path.dirname(p), { recursive: true });
  const lines = ["apiVersion: v1", "kind: Config", "clusters:"];
  for (const e of entries) lines.push(`- name: ${e.cluster}`, "  cluster:", `    server: ${e.server}`, "    insecure-skip-tls-verify: true");
  lines.push("users:");
  for (const e of entries) lines.push(`- name: ${e.user}`, "  user:", `    token: ${e.token ?? "tok-" + e.user}`);
  if (extraUser) lines.push(extraUser);
  lines.push("contexts:");
  for (const e of entries) {
    lines.push(`- name: ${e.context}`, "  context:", `    cluster: ${e.cluster}`, `    user: ${e.user}`);
    if (e.namespace) lines.push(`    namespace: ${e.namespace}`);
  }
  if (current !== undefined) lines.push(`current-context: ${current}`);
  writeFileSync(p, lines.join("\n") + "\n");
  return p;
}

const A: Entry = { cluster: "a", server: "https://a.example:6443", user: "a-admin", context: "a", namespace: "team-a" };
const B: Entry = { cluster: "b", server: "https://b.example:6443", user: "b-admin", context: "b" };

describe("kubeconfig file selection", () => {
  it("--kubeconfig wins over KUBECONFIG and home", () => {
    const flag = kubeconfig("flag.yaml", [A], "a");
    const env = kubeconfig("env.yaml", [B], "b");
    kubeconfig("home/.kube/config", [B], "b");
    const r = kubeconfigFiles({ kubeconfig: flag }, { env: { KUBECONFIG: env }, home: path.join(dir, "home") });
    expect(r).toEqual({ files: [flag], origin: "flag" });
  });

  it("KUBECONFIG wins over ~/.kube/config; empty entries, repeats and missing files are skipped", () => {
    const a = kubeconfig("a.yaml", [A], "a");
    const b = kubeconfig("b.yaml", [B], "b");
    kubeconfig("home/.kube/config", [B], "b");
    const r = kubeconfigFiles({}, { env: { KUBECONFIG: `${a}::${path.join(dir, "missing.yaml")}:${b}:${a}` }, home: path.join(dir, "home") });
    expect(r).toEqual({ files: [a, b], origin: "KUBECONFIG" });
  });

  it("falls back to ~/.kube/config", () => {
    const home = path.join(dir, "home");
    const f = kubeconfig("home/.kube/config", [A], "a");
    expect(kubeconfigFiles({}, { env: {}, home })).toEqual({ files: [f], origin: "home" });
  });

  it("a missing --kubeconfig file is a config error naming it", () => {
    const missing = path.join(dir, "nope.yaml");
    let err: unknown;
    try {
      kubeconfigFiles({ kubeconfig: missing }, { env: {}, home: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(EXIT.CONFIG);
    expect((err as Error).message).toBe(`kubeconfig ${missing} (from --kubeconfig) does not exist`);
  });

  it("KUBECONFIG naming only missing files is a config error listing them", () => {
    const m = path.join(dir, "m1.yaml");
    expect(() => kubeconfigFiles({}, { env: { KUBECONFIG: m }, home: dir })).toThrow(`none of the kubeconfig files in KUBECONFIG exists: ${m}`);
  });

  it("no kubeconfig anywhere is a config error saying where it looked", () => {
    expect(() => kubeconfigFiles({}, { env: {}, home: dir })).toThrow(
      `no kubeconfig: --kubeconfig not given, KUBECONFIG not set, and ${path.join(dir, ".kube", "config")} does not exist`,
    );
  });
});

describe("merging and context selection", () => {
  it("the first file to define a name or a current-context wins (kubectl's rule)", () => {
    const first = kubeconfig("1.yaml", [A], "a");
    // The second file redefines cluster "a" and sets another current-context: both are ignored.
    const second = kubeconfig("2.yaml", [{ ...A, server: "https://evil.example:6443", token: "other" }, B], "b");
    const k = loadKubeConfig({}, { env: { KUBECONFIG: `${first}:${second}` }, home: dir });
    expect(k.contextName).toBe("a");
    expect(k.server).toBe("https://a.example:6443");
    expect(k.user.token).toBe("tok-a-admin");
    expect(k.namespace).toBe("team-a");
    expect(k.files).toEqual([first, second]);
    expect(k.kc.getContexts().map((c) => c.name)).toEqual(["a", "b"]);
  });

  it("a later file supplies the current-context when earlier ones set none", () => {
    const first = kubeconfig("1.yaml", [A]);
    const second = kubeconfig("2.yaml", [B], "b");
    const k = loadKubeConfig({}, { env: { KUBECONFIG: `${first}:${second}` }, home: dir });
    expect(k.contextName).toBe("b");
    expect(k.namespace).toBe("default");
  });

  it("--context selects any merged context and becomes the KubeConfig's current one", () => {
    const first = kubeconfig("1.yaml", [A], "a");
    const second = kubeconfig("2.yaml", [B], "b");
    const k = loadKubeConfig({ context: "b" }, { env: { KUBECONFIG: `${first}:${second}` }, home: dir });
    expect(k.contextName).toBe("b");
    expect(k.server).toBe("https://b.example:6443");
    expect(k.kc.getCurrentContext()).toBe("b");
    expect(k.origin).toBe("KUBECONFIG");
  });

  it("an unknown context is a config error listing the known ones", () => {
    const f = kubeconfig("1.yaml", [A, B], "a");
    expect(() => loadKubeConfig({ kubeconfig: f, context: "c" }, { env: {}, home: dir })).toThrow(`context "c" not found in ${f}; known contexts: a, b`);
  });

  it("no current-context and no --context is a config error", () => {
    const f = kubeconfig("1.yaml", [A]);
    expect(() => loadKubeConfig({ kubeconfig: f }, { env: {}, home: dir })).toThrow(/sets no current-context and no --context was given; contexts: a/);
  });

  it("a context naming an undefined user is a config error", () => {
    const f = path.join(dir, "broken.yaml");
    writeFileSync(
      f,
      ["apiVersion: v1", "kind: Config", "clusters:", "- name: a", "  cluster:", "    server: https://a:6443", "users: []", "contexts:", "- name: a", "  context:", "    cluster: a", "    user: ghost", "current-context: a", ""].join("\n"),
    );
    expect(() => loadKubeConfig({ kubeconfig: f }, { env: {}, home: dir })).toThrow(`context "a" in ${f} names user "ghost", which is not defined`);
  });

  it("an unreadable file is a config error naming the file", () => {
    const f = path.join(dir, "bad.yaml");
    writeFileSync(f, "clusters: [ {name: a, cluster: {} } ]\n");
    expect(() => loadKubeConfig({ kubeconfig: f }, { env: {}, home: dir })).toThrow(new RegExp(`kubeconfig ${f} cannot be read: clusters\\[0\\]\\.cluster\\.server is missing`));
  });

  it("relative certificate paths resolve against the directory of the file naming them", () => {
    const f = kubeconfig("sub/dir/k.yaml", [A], "a", "- name: certuser\n  user:\n    client-certificate: certs/c.crt\n    client-key: certs/c.key");
    const k = loadKubeConfig({ kubeconfig: f }, { env: {}, home: dir });
    const u = k.kc.getUser("certuser");
    expect(u?.certFile).toBe(path.join(dir, "sub/dir/certs/c.crt"));
    expect(u?.keyFile).toBe(path.join(dir, "sub/dir/certs/c.key"));
  });

  it("registers tokens for redaction as soon as the file is read", () => {
    const token = "s3cr3t-bearer-token-0123456789";
    const f = kubeconfig("1.yaml", [{ ...A, token }], "a");
    loadKubeConfig({ kubeconfig: f }, { env: {}, home: dir });
    expect(redact(`Authorization: Bearer ${token}`)).toBe("Authorization: Bearer ***");
  });
});
