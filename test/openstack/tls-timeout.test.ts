import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, ConfigError, TimeoutError, UnreachableError } from "../../src/errors.js";
import { HttpClient } from "../../src/openstack/http.js";
import { tlsOptionsOf } from "../../src/openstack/session.js";
import { fakeCloud } from "../helpers/fake-openstack.js";

const TLS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/openstack/tls");
const CERT = path.join(TLS_DIR, "server-cert.pem");
const cert = readFileSync(CERT);
const key = readFileSync(path.join(TLS_DIR, "server-key.pem"));

let server: Server | undefined;
const clients: HttpClient[] = [];
function client(opts: ConstructorParameters<typeof HttpClient>[0]) {
  const c = new HttpClient(opts);
  clients.push(c);
  return c;
}
async function listen(s: Server): Promise<number> {
  server = s;
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
}
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe("TLS", () => {
  const https = () => createHttpsServer({ cert, key }, (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));

  it("refuses an unknown CA by default, with a hint about cacert", async () => {
    const port = await listen(https());
    const err = await client({ retries: 0 }).request({ method: "GET", url: `https://127.0.0.1:${port}/` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/TLS error/);
    expect((err as UnreachableError).hint).toMatch(/cacert/);
  });

  it("trusts the cloud's cacert, and skips verification with verify: false", async () => {
    const port = await listen(https());
    const url = `https://127.0.0.1:${port}/`;
    const fake = fakeCloud({ authUrl: "https://keystone.invalid/v3" }, { cacert: CERT });
    expect((await client({ tls: tlsOptionsOf(fake) }).request({ method: "GET", url })).data).toEqual({ ok: true });
    expect((await client({ tls: { verify: false } }).request({ method: "GET", url })).data).toEqual({ ok: true });
  });

  it("names an unreadable cacert file", () => {
    const fake = fakeCloud({ authUrl: "https://keystone.invalid/v3" }, { cacert: "/nonexistent/ca.pem" });
    expect(() => tlsOptionsOf(fake)).toThrow(ConfigError);
    expect(() => tlsOptionsOf(fake)).toThrow("cannot read cacert /nonexistent/ca.pem: ENOENT");
  });
});

describe("timeouts", () => {
  it("times out a request that gets no answer, retries GET, not POST", async () => {
    let calls = 0;
    const port = await listen(
      createHttpServer(() => {
        calls++; // never answers
      }),
    );
    const c = client({ timeoutMs: 100, retries: 1, retryBaseMs: 1, retryMaxMs: 2 });
    const err = await c.request({ method: "GET", url: `http://127.0.0.1:${port}/slow` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).fault).toBe("network");
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as ApiError).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/slow: no data for 100 ms \(idle timeout\); gave up after 2 attempts in \d+ m?s$/);
    expect(calls).toBe(2);
    calls = 0;
    await c.request({ method: "POST", url: `http://127.0.0.1:${port}/slow`, json: {} }).catch(() => undefined);
    expect(calls).toBe(1);
  });
});
