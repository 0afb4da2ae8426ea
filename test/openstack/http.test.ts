import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, isRetryable, statusIs, UnreachableError } from "../../src/errors.js";
import { configureLogging, registerSecret } from "../../src/log.js";
import { backoffDelay, buildUrl, HttpClient, parseRetryAfter } from "../../src/openstack/http.js";
import { faultMessage } from "../../src/openstack/fault-message.js";
import { FakeOpenStack } from "../helpers/fake-openstack.js";

let fake: FakeOpenStack;
let http: HttpClient;
const lines: string[] = [];

beforeEach(async () => {
  fake = await FakeOpenStack.start({ bare: true });
  http = new HttpClient({ retries: 3, retryBaseMs: 1, retryMaxMs: 5, timeoutMs: 5000 });
  lines.length = 0;
  configureLogging({ level: "debug", json: false, sink: { write: (l) => lines.push(l) } });
});
afterEach(async () => {
  http.close();
  await fake.close();
  configureLogging({ level: "info", sink: { write: (l) => process.stderr.write(l) } });
});

const ok = { json: { ok: true } };

describe("retries", () => {
  it("retries a 503 with backoff and then succeeds", async () => {
    fake.on("GET", "/x", ok).once("GET", "/x", { status: 503, body: "busy" }).once("GET", "/x", { status: 503, body: "busy" });
    const res = await http.request({ method: "GET", url: `${fake.url}/x` });
    expect(res.data).toEqual({ ok: true });
    expect(fake.callsTo("GET", "/x")).toHaveLength(3);
  });

  it("gives up after the configured number of retries with a retryable server-fault ApiError", async () => {
    fake.on("GET", "/x", { status: 502, body: "bad gateway" });
    const err = await http.request({ method: "GET", url: `${fake.url}/x` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).fault).toBe("server");
    expect(isRetryable(err)).toBe(true);
    expect(fake.callsTo("GET", "/x")).toHaveLength(4);
  });

  it("retries 429 and 503 even on POST, honouring Retry-After in seconds", async () => {
    const slow = new HttpClient({ retries: 2, retryBaseMs: 1, retryMaxMs: 2 });
    try {
      fake.on("POST", "/x", ok).once("POST", "/x", { status: 429, headers: { "Retry-After": "0" }, json: { overLimit: { message: "slow down" } } });
      const res = await slow.request({ method: "POST", url: `${fake.url}/x`, json: {} });
      expect(res.data).toEqual({ ok: true });
      expect(fake.callsTo("POST", "/x")).toHaveLength(2);
      expect(lines.some((l) => l.includes("Retrying request") && l.includes("429"))).toBe(true);
    } finally {
      slow.close();
    }
  });

  it("waits as long as Retry-After says", async () => {
    fake.on("GET", "/x", ok).once("GET", "/x", { status: 429, headers: { "Retry-After": "1" }, body: "" });
    await http.request({ method: "GET", url: `${fake.url}/x` });
    const retryLine = lines.find((l) => l.includes("Retrying request"));
    expect(retryLine).toMatch(/delayMs=1000\b/);
  });

  it("does not wait for an absurd Retry-After", async () => {
    const c = new HttpClient({ retries: 2, retryBaseMs: 1, maxRetryAfterMs: 10_000 });
    try {
      fake.on("GET", "/x", { status: 429, headers: { "Retry-After": "3600" }, body: "" });
      const err = await c.request({ method: "GET", url: `${fake.url}/x` }).catch((e: unknown) => e);
      expect(statusIs(err, 429)).toBe(true);
      expect((err as ApiError).retryAfterMs).toBe(3_600_000);
      expect(fake.callsTo("GET", "/x")).toHaveLength(1);
    } finally {
      c.close();
    }
  });

  it("retries a connection reset on GET", async () => {
    fake.on("GET", "/x", ok).once("GET", "/x", { reset: true });
    const res = await http.request({ method: "GET", url: `${fake.url}/x` });
    expect(res.data).toEqual({ ok: true });
    expect(fake.callsTo("GET", "/x")).toHaveLength(2);
  });

  it("does not retry a connection reset on POST, unless the caller marks it idempotent", async () => {
    fake.on("POST", "/x", ok).once("POST", "/x", { reset: true });
    const err = await http.request({ method: "POST", url: `${fake.url}/x`, json: { a: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).fault).toBe("network");
    expect((err as ApiError).message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/x: connection reset/);
    expect(fake.callsTo("POST", "/x")).toHaveLength(1);

    fake.once("POST", "/x", { reset: true });
    const res = await http.request({ method: "POST", url: `${fake.url}/x`, json: { a: 1 }, idempotent: true });
    expect(res.data).toEqual({ ok: true });
    expect(fake.callsTo("POST", "/x")).toHaveLength(3);
  });

  it("does not retry a 500 on POST (the service may have acted)", async () => {
    fake.on("POST", "/x", { status: 500, json: { computeFault: { code: 500, message: "boom" } } });
    const err = await http.request({ method: "POST", url: `${fake.url}/x`, json: {} }).catch((e: unknown) => e);
    expect(statusIs(err, 500)).toBe(true);
    expect(fake.callsTo("POST", "/x")).toHaveLength(1);
  });

  it("does not retry client errors", async () => {
    fake.on("GET", "/x", { status: 409, json: { conflictingRequest: { code: 409, message: "in use" } } });
    const err = await http.request({ method: "GET", url: `${fake.url}/x` }).catch((e: unknown) => e);
    expect(statusIs(err, 409)).toBe(true);
    expect(isRetryable(err)).toBe(false);
    expect(fake.callsTo("GET", "/x")).toHaveLength(1);
  });

  it("turns a refused connection into UnreachableError after retries", async () => {
    const url = `${fake.url}/x`;
    await fake.close();
    const err = await http.request({ method: "POST", url, json: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(lines.filter((l) => l.includes("Retrying request"))).toHaveLength(3);
    fake = await FakeOpenStack.start({ bare: true });
  });
});

describe("typed errors", () => {
  it("carries method, URL, status, request id, fault message and a bounded body excerpt", async () => {
    const message = "Instance abc could not be found.";
    fake.on("GET", "/servers/abc", {
      status: 404,
      headers: { "x-openstack-request-id": "req-1111-2222" },
      json: { itemNotFound: { code: 404, message }, padding: "p".repeat(2000) },
    });
    const err = (await http.request({ method: "GET", url: `${fake.url}/servers/abc` }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(statusIs(err, 404)).toBe(true);
    expect(err.method).toBe("GET");
    expect(err.url).toBe(`${fake.url}/servers/abc`);
    expect(err.requestId).toBe("req-1111-2222");
    expect(err.fault).toBe("client");
    expect(err.retryable).toBe(false);
    expect(err.body!.length).toBeLessThanOrEqual(500);
    expect(err.body).toContain(message);
    expect(err.message).toBe(`GET ${fake.url}/servers/abc: 404 Not Found: itemNotFound: ${message} (request req-1111-2222)`);
    expect(err.cause).toBeDefined();
  });

  it("falls back to Nova's x-compute-request-id", async () => {
    fake.on("GET", "/x", { status: 400, headers: { "x-openstack-request-id": "", "x-compute-request-id": "req-nova" }, json: {} });
    const err = (await http.request({ method: "GET", url: `${fake.url}/x` }).catch((e: unknown) => e)) as ApiError;
    expect(err.requestId).toBe("req-nova");
  });

  it("redacts registered secrets and tokens in error bodies and messages", async () => {
    registerSecret("hunter2-very-secret");
    fake.on("POST", "/x", {
      status: 400,
      json: { badRequest: { code: 400, message: "invalid password hunter2-very-secret for X-Auth-Token: abcdefgh12345678" } },
    });
    const err = (await http.request({ method: "POST", url: `${fake.url}/x`, json: {} }).catch((e: unknown) => e)) as ApiError;
    expect(err.message).not.toContain("hunter2-very-secret");
    expect(err.body).not.toContain("hunter2-very-secret");
    expect(err.message).not.toContain("abcdefgh12345678");
    expect(err.message).toContain("***");
  });

  it("reads Glance's HTML error pages and Neutron's error shape", () => {
    const html = "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  No image found with ID 123<br /><br />\n\n\n\n </body>\n</html>";
    expect(faultMessage(html)).toBe("No image found with ID 123");
    // what a Zed Glance really answers to Accept: application/json
    expect(faultMessage(JSON.stringify({ message: "No image found with ID 123<br /><br />\n\n\n", code: "404 Not Found", title: "Not Found" }))).toBe("No image found with ID 123");
    expect(faultMessage(JSON.stringify({ NeutronError: { type: "NetworkNotFound", message: "Network x could not be found.", detail: "" } }))).toBe(
      "NetworkNotFound: Network x could not be found.",
    );
    expect(faultMessage(JSON.stringify({ error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } }))).toBe(
      "The request you have made requires authentication.",
    );
  });

  it("names the target of a redirect instead of following it", async () => {
    fake.on("GET", "/x", { status: 301, headers: { location: "https://elsewhere.example/x" }, body: "" });
    const err = (await http.request({ method: "GET", url: `${fake.url}/x` }).catch((e: unknown) => e)) as ApiError;
    expect(err.message).toContain("redirected to https://elsewhere.example/x");
  });
});

describe("request building", () => {
  it("repeats array query keys as OpenStack expects", () => {
    expect(buildUrl("http://h/v2/images?limit=5", { tag: ["a", "b"], owner: "p", skip: undefined, none: null })).toBe(
      "http://h/v2/images?limit=5&tag=a&tag=b&owner=p",
    );
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("Mon, 23 Nov 2026 09:00:00 GMT");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 09:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });

  it("grows the backoff exponentially within jitter bounds and caps it", () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000);
  });

  it("logs method, URL, status and request id at debug level, never the token", async () => {
    fake.on("GET", "/x", { headers: { "x-openstack-request-id": "req-log" }, json: {} });
    await http.request({ method: "GET", url: `${fake.url}/x`, headers: { "X-Auth-Token": "tok-should-not-appear" } });
    const line = lines.find((l) => l.startsWith("DEBUG: HTTP"));
    expect(line).toMatch(/method=GET url=http:\/\/127\.0\.0\.1:\d+\/x status=200 ms=\d+ requestId=req-log/);
    expect(lines.join("")).not.toContain("tok-should-not-appear");
  });
});
