/**
 * The HTTP and session layers against a hostile server: every misbehaviour
 * ends in bounded time with one typed, one-line error and the documented exit
 * code (5 when no usable answer came, 1 when the service answered with an
 * error), and no secret in any message or log line. Limits are shrunk so each
 * test takes a second or two; the upper bounds asserted are generous on
 * purpose (the point is "ends", not "ends fast").
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, AuthError, EXIT, MigrateError, TimeoutError, UnreachableError } from "../../src/errors.js";
import { clearSecretsForTest, configureLogging, secretForms } from "../../src/log.js";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import { HttpClient, httpEvents, type HttpOptions, type WaitingEvent } from "../../src/openstack/http.js";
import { FakeOpenStack, fakeCloud } from "../helpers/fake-openstack.js";
import { listServers } from "../../src/openstack/compute.js";
import { startHostile, type Behaviour, type HostileServer } from "./server.js";

/** Small limits: 400 ms per attempt, 1.5 s for all attempts, instant backoff. */
const SHORT: HttpOptions = {
  requestTimeoutMs: 400,
  connectTimeoutMs: 300,
  timeoutMs: 5000,
  retryBudgetMs: 1500,
  retries: 4,
  retryBaseMs: 10,
  retryMaxMs: 20,
  waitNoticeMs: 0,
};

let server: HostileServer | undefined;
const clients: HttpClient[] = [];
const lines: string[] = [];

beforeEach(() => {
  lines.length = 0;
  configureLogging({ level: "info", json: false, sink: { write: (l) => lines.push(l) } });
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server?.close();
  server = undefined;
  configureLogging({ level: "info", sink: { write: (l) => process.stderr.write(l) } });
});

async function hostile(b: Behaviour): Promise<HostileServer> {
  server = await startHostile(b);
  return server;
}

function client(o: HttpOptions = {}): HttpClient {
  const c = new HttpClient({ ...SHORT, ...o });
  clients.push(c);
  return c;
}

/** Runs a request and returns the error with how long it took. */
async function failure(c: HttpClient, url: string, method: "GET" | "POST" = "GET"): Promise<{ err: MigrateError; ms: number }> {
  const t0 = Date.now();
  const err = await c.request({ method, url, ...(method === "POST" ? { json: {} } : {}) }).then(
    () => {
      throw new Error("expected the request to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrateError);
  const m = err as MigrateError;
  expect(m.message).not.toContain("\n");
  expect(m.message).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  return { err: m, ms: Date.now() - t0 };
}

describe("a server that never answers properly", () => {
  it("accepts and never answers: a timeout within the retry budget, exit 5", async () => {
    const s = await hostile({ kind: "silent" });
    const { err, ms } = await failure(client(), `${s.url}/servers/detail`);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/servers\/detail: no complete answer within \d+ ms; gave up after \d attempts in [\d.]+ m?s/);
    expect(s.connections()).toBeGreaterThanOrEqual(2);
    expect(ms).toBeLessThan(15_000);
  });

  it("trickles the headers a byte at a time: the overall deadline still ends it", async () => {
    const s = await hostile({ kind: "trickle", everyMs: 50, part: "headers" });
    const { err, ms } = await failure(client({ retries: 0 }), `${s.url}/x`);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).phase).toBe("answer");
    expect(err.message).toMatch(/: no complete answer within 400 ms$/);
    expect(ms).toBeLessThan(15_000);
  });

  it("trickles the body a byte at a time: the overall deadline still ends it", async () => {
    const s = await hostile({ kind: "trickle", everyMs: 50, part: "body" });
    const { err, ms } = await failure(client({ retries: 0 }), `${s.url}/x`);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(ms).toBeLessThan(15_000);
  });

  it("never completes a TLS handshake: the connect deadline, unreachable, exit 5", async () => {
    const s = await hostile({ kind: "silent" });
    const { err, ms } = await failure(client({ retries: 1 }), `https://127.0.0.1:${s.port}/x`);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(/^cannot reach https:\/\/127\.0\.0\.1:\d+\/x: no connection within 300 ms \(ECONNTIMEOUT\); gave up after 2 attempts/);
    expect(ms).toBeLessThan(15_000);
  });

  it("closes every connection at once: retried, then a reset, exit 5", async () => {
    const s = await hostile({ kind: "close-on-connect" });
    const { err, ms } = await failure(client(), `${s.url}/x`);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(/connection reset .*; gave up after 5 attempts/);
    expect(s.connections()).toBe(5);
    expect(ms).toBeLessThan(15_000);
  });

  it("resets the connection in the middle of a body: retried, then exit 5", async () => {
    const s = await hostile({ kind: "reset-mid-body" });
    const { err } = await failure(client(), `${s.url}/x`);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).fault, err.message).toBe("network");
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(s.requests().length).toBeGreaterThanOrEqual(2);
  });
});

describe("a server that answers nonsense", () => {
  it("200 with HTML: not JSON, not retried, exit 1", async () => {
    const s = await hostile({ kind: "garbage" });
    const { err } = await failure(client(), `${s.url}/x`);
    expect(err.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/x: 200 with a body that is not JSON$/);
    expect(err.exitCode).toBe(EXIT.FAILURE);
    expect(s.requests()).toHaveLength(1);
  });

  it("200 with truncated JSON: not JSON, exit 1", async () => {
    const s = await hostile({ kind: "truncated-json" });
    const { err } = await failure(client(), `${s.url}/x`);
    expect(err.message).toMatch(/200 with a body that is not JSON$/);
  });

  it("headers larger than Node accepts: invalid HTTP, not retried", async () => {
    const s = await hostile({ kind: "huge-headers" });
    const { err } = await failure(client(), `${s.url}/x`);
    expect(err.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/x: the answer is not valid HTTP \(HPE_HEADER_OVERFLOW\)$/);
    expect(err.exitCode).toBe(EXIT.FAILURE);
    expect(s.requests()).toHaveLength(1);
  });

  it("redirects to itself: not followed, the Location named", async () => {
    const s = await hostile({ kind: "redirect-loop" });
    const { err } = await failure(client(), `${s.url}/x`);
    expect(err.message).toMatch(/302 Found: redirected to http:\/\/127\.0\.0\.1:\d+\/x$/);
    expect(s.requests()).toHaveLength(1);
  });

  it("500 for ever: retried, then the 500 with the number of attempts, exit 1", async () => {
    const s = await hostile({ kind: "status", status: 500 });
    const { err, ms } = await failure(client(), `${s.url}/x`);
    expect((err as ApiError).status).toBe(500);
    expect(err.exitCode).toBe(EXIT.FAILURE);
    expect(err.message).toMatch(/500 Internal Server Error: go away; gave up after 5 attempts/);
    expect(ms).toBeLessThan(15_000);
  });

  it("503 with Retry-After for ever, even on POST: bounded by the retry budget, exit 5", async () => {
    const s = await hostile({ kind: "status", status: 503, retryAfter: "1" });
    const { err, ms } = await failure(client({ retries: 100 }), `${s.url}/x`, "POST");
    expect((err as ApiError).status).toBe(503);
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(/retry budget 1\.5 s|retry budget 2 s/);
    expect(ms).toBeLessThan(15_000);
  });

  it("429 with an absurd Retry-After: not waited for", async () => {
    const s = await hostile({ kind: "status", status: 429, retryAfter: "86400" });
    const { err, ms } = await failure(client(), `${s.url}/x`);
    expect((err as ApiError).status).toBe(429);
    expect(s.requests()).toHaveLength(1);
    expect(ms).toBeLessThan(15_000);
  });
});

describe("what the user sees while waiting", () => {
  it("tells subscribers which service, request and cloud it waits for; logs a line when nobody listens", async () => {
    const s = await hostile({ kind: "silent" });
    const seen: WaitingEvent[] = [];
    const listener = (e: WaitingEvent) => seen.push(e);
    httpEvents.on("waiting", listener);
    try {
      const c = client({ waitNoticeMs: 100, requestTimeoutMs: 500, retries: 0, label: "src" });
      await c.request({ method: "GET", url: `${s.url}/compute/v2.1/servers/detail?limit=5`, describe: { service: "compute", path: "/servers/detail" } }).catch(() => undefined);
    } finally {
      httpEvents.off("waiting", listener);
    }
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]).toMatchObject({ cloud: "src", service: "compute", method: "GET", path: "/servers/detail", attempt: 1 });
    expect(lines.filter((l) => l.startsWith("waiting for"))).toHaveLength(0);

    const c2 = client({ waitNoticeMs: 100, requestTimeoutMs: 500, retries: 0, label: "src" });
    await c2.request({ method: "GET", url: `${s.url}/compute/v2.1/servers/detail`, describe: { service: "compute", path: "/servers/detail" } }).catch(() => undefined);
    expect(lines.find((l) => l.startsWith("waiting for"))).toMatch(/^waiting for compute \(GET \/servers\/detail\) on cloud src: \d+ ms…\n$/);
  });

  it("a session names the service and the cloud: identity on cloud fake", async () => {
    const s = await hostile({ kind: "silent" });
    const err = await OpenStackCloud.connect(fakeCloud({ authUrl: `${s.url}/identity/v3` }), { http: { ...SHORT, waitNoticeMs: 100, retries: 0 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(lines.find((l) => l.startsWith("waiting for"))).toMatch(/^waiting for identity \(POST \/auth\/tokens\) on cloud fake: /);
  });
});

describe("a service that hangs after a good login", () => {
  it("a compute call names compute, the path under its endpoint and the cloud, and ends with exit 5", async () => {
    const fake = await FakeOpenStack.start();
    try {
      fake.on("GET", "/compute/v2.1/servers/detail", () => "handled"); // never answers
      const cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: { ...SHORT, waitNoticeMs: 100, retries: 1 } });
      try {
        const err = await listServers(cloud.compute).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TimeoutError);
        expect((err as TimeoutError).exitCode).toBe(EXIT.UNREACHABLE);
        expect(lines.find((l) => l.includes("/servers/detail")), lines.join("")).toMatch(/^waiting for compute \(GET \/servers\/detail\) on cloud fake: \d+ ms…$/m);
      } finally {
        cloud.close();
      }
    } finally {
      await fake.close();
    }
  });
});

describe("secrets in a hostile answer", () => {
  const NASTY = [
    'quo"te\\back-slash',
    "ünïcödé-пароль-密码",
    "per%25cent%zz+plus sign",
    "new\nline\ttab\r",
    "</script>&amp;'single'",
    "a/b?c=d&e#f",
  ];

  it.each(NASTY)("a 401 body quoting the request never shows the password %j in any encoding", async (password) => {
    clearSecretsForTest();
    const s = await hostile({ kind: "echo-401" });
    const cloud = fakeCloud({ authUrl: `${s.url}/identity/v3` });
    cloud.auth.password = password;
    const err = await OpenStackCloud.connect(cloud, { http: { ...SHORT, retries: 0 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    const e = err as AuthError;
    expect(e.exitCode).toBe(EXIT.AUTH);
    expect(e.message).toMatch(/: 401 \(the answer quotes the request; not shown\)$/);
    expect(e.message).not.toMatch(/"identity"|alice/);
    const shown = [e.message, e.hint ?? "", ...e.details, ...lines, JSON.stringify((e.cause as ApiError | undefined)?.body ?? "")].join("\n");
    // The server did receive the password (the echo is real) …
    expect(s.requests()[0]?.body).toContain(JSON.stringify(password).slice(1, -1));
    // … and none of its forms reaches the user.
    for (const form of secretForms(password)) expect(shown).not.toContain(form);
    expect(shown).not.toContain(password);
    expect(shown).not.toContain(Buffer.from(`alice:${password}`).toString("base64"));
  });
});
