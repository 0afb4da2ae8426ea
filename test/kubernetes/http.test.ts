/**
 * The transport and the object calls against a scripted loopback server:
 * retries, 410 restart of a list, the apply request's shape, and that the
 * bearer token never reaches an error.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.js";
import { KubeClient } from "../../src/kubernetes/client.js";
import type { ResourceRef } from "../../src/kubernetes/discovery.js";
import { KubeGoneError, KubeNotFoundError } from "../../src/kubernetes/errors.js";

const TOKEN = "fake-bearer-token-abcdef0123456789";
const CM: ResourceRef = { group: "", version: "v1", resource: "configmaps", namespaced: true };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen) => { status: number; body?: unknown; headers?: Record<string, string> };

let server: http.Server;
let dir: string;
let seen: Seen[];
let handler: Handler;

beforeEach(async () => {
  seen = [];
  dir = mkdtempSync(path.join(os.tmpdir(), "kube-http-test-"));
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s: Seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      seen.push(s);
      const r = handler(s);
      res.writeHead(r.status, { "Content-Type": "application/json", ...r.headers });
      res.end(r.body === undefined ? "" : JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function client(): KubeClient {
  const port = (server.address() as AddressInfo).port;
  const file = path.join(dir, "kubeconfig");
  writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: fake",
      "  cluster:",
      `    server: http://127.0.0.1:${port}`,
      "    insecure-skip-tls-verify: true",
      "users:",
      "- name: fake",
      "  user:",
      `    token: ${TOKEN}`,
      "contexts:",
      "- name: fake",
      "  context: {cluster: fake, user: fake, namespace: work}",
      "current-context: fake",
      "",
    ].join("\n"),
  );
  return KubeClient.fromKubeconfig({ kubeconfig: file }, { retries: 2, retryBaseMs: 1, retryMaxMs: 5 });
}

const status = (code: number, reason: string, message: string) => ({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });

describe("KubeHttp and KubeClient against a scripted server", () => {
  it("sends the bearer token and retries a 503 on GET", async () => {
    let n = 0;
    handler = () => (++n < 3 ? { status: 503, body: status(503, "ServiceUnavailable", "etcd leader changed") } : { status: 200, body: { kind: "ConfigMap", metadata: { name: "a" } } });
    const k = client();
    const o = await k.get(CM, "a");
    expect(o.metadata.name).toBe("a");
    expect(seen).toHaveLength(3);
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]?.url).toBe("/api/v1/namespaces/work/configmaps/a");
    k.close();
  });

  it("does not retry a POST after a 500 (it may have acted)", async () => {
    handler = () => ({ status: 500, body: status(500, "InternalError", "boom") });
    const k = client();
    const err = await k.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }, { ref: CM }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(seen).toHaveLength(1);
    k.close();
  });

  it("apply sends PATCH application/apply-patch+yaml with fieldManager, force and dryRun, in the context's namespace", async () => {
    handler = (r) => ({ status: 200, body: JSON.parse(r.body) as unknown });
    const k = client();
    const out = await k.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { on: "yes" } }, { fieldManager: "scs-migrate", force: true, dryRun: true, ref: CM });
    expect(seen[0]?.method).toBe("PATCH");
    expect(seen[0]?.url).toBe("/api/v1/namespaces/work/configmaps/cfg?fieldManager=scs-migrate&force=true&dryRun=All");
    expect(seen[0]?.headers["content-type"]).toBe("application/apply-patch+yaml");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "work" }, data: { on: "yes" } });
    expect(out.metadata.namespace).toBe("work");
    k.close();
  });

  it("list follows continue tokens and restarts once on 410 Expired", async () => {
    const pages: Record<string, { items: string[]; next?: string }> = { "": { items: ["a", "b"], next: "t1" }, t1: { items: ["c", "d"], next: "t2" }, t2: { items: ["e"] } };
    let expiredOnce = false;
    handler = (r) => {
      const u = new URL(r.url, "http://x");
      const c = u.searchParams.get("continue") ?? "";
      if (c === "t2" && !expiredOnce) {
        expiredOnce = true;
        return { status: 410, body: { ...status(410, "Expired", "The provided continue parameter is too old"), metadata: { continue: "inconsistent" } } };
      }
      const p = pages[c];
      if (!p) return { status: 400, body: status(400, "BadRequest", "bad token") };
      return { status: 200, body: { kind: "ConfigMapList", metadata: { resourceVersion: "42", ...(p.next ? { continue: p.next } : {}) }, items: p.items.map((name) => ({ metadata: { name } })) } };
    };
    const k = client();
    const r = await k.list(CM, { namespace: "work", limit: 2, labelSelector: "app=x" });
    expect(r.items.map((o) => o.metadata.name)).toEqual(["a", "b", "c", "d", "e"]);
    expect(r.restarts).toBe(1);
    expect(r.pages).toBe(5);
    expect(seen[0]?.url).toBe("/api/v1/namespaces/work/configmaps?labelSelector=app%3Dx&limit=2");
    k.close();
  });

  it("gives up on a list whose token keeps expiring", async () => {
    handler = (r) =>
      r.url.includes("continue=")
        ? { status: 410, body: status(410, "Expired", "too old") }
        : { status: 200, body: { kind: "List", metadata: { continue: "t" }, items: [{ metadata: { name: "a" } }] } };
    const k = client();
    const err = await k.list(CM, { maxRestarts: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeGoneError);
    k.close();
  });

  it("an echoed token is redacted from the error", async () => {
    handler = (r) => ({ status: 404, body: status(404, "NotFound", `no such thing; you sent ${String(r.headers.authorization)}`) });
    const k = client();
    const err = await k.get(CM, "a").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeNotFoundError);
    expect(JSON.stringify([(err as Error).message, (err as ApiError).body])).not.toContain(TOKEN);
    k.close();
  });

  it("delete sends DeleteOptions with the propagation policy and a uid precondition", async () => {
    handler = () => ({ status: 200, body: { kind: "Status", status: "Success" } });
    const k = client();
    expect(await k.delete(CM, "a", { propagationPolicy: "Foreground", uid: "u-1" })).toBe("deleted");
    expect(seen[0]?.method).toBe("DELETE");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Foreground", preconditions: { uid: "u-1" } });
    k.close();
  });
});
