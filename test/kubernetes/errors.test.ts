/**
 * Status → typed error mapping, fed with the Status bodies a real
 * kube-apiserver 1.20.2 sent (fixtures/real/kubernetes/, recorded by
 * test/kube-lab/capture.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ApiError, EXIT, isRetryable, statusIs } from "../../src/errors.js";
import { registerSecret } from "../../src/log.js";
import {
  KubeApiError,
  KubeAuthError,
  KubeConflictError,
  KubeGoneError,
  KubeInvalidError,
  KubeNotFoundError,
  parseStatus,
  statusError,
} from "../../src/kubernetes/errors.js";

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/real/kubernetes");

interface Fixture {
  request: { method: string; path: string };
  response: { status: number; body: unknown };
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8")) as Fixture;
}

/** The error the layer makes of a recorded answer. */
function errorOf(name: string): KubeApiError {
  const f = fixture(name);
  return statusError({ method: f.request.method, url: `https://k8s.example:6443${f.request.path}`, status: f.response.status, body: JSON.stringify(f.response.body) });
}

describe("Status bodies of a real API server → typed errors", () => {
  it.each([
    ["status-404", KubeNotFoundError, 404, "NotFound", "E_NOT_FOUND", EXIT.NOT_FOUND, 'configmaps "missing" not found'],
    ["status-404-delete", KubeNotFoundError, 404, "NotFound", "E_NOT_FOUND", EXIT.NOT_FOUND, 'configmaps "posted" not found'],
    ["status-409-already-exists", KubeConflictError, 409, "AlreadyExists", "E_CONFLICT", EXIT.FAILURE, 'configmaps "posted" already exists'],
    ["status-409-apply-conflict", KubeConflictError, 409, "Conflict", "E_CONFLICT", EXIT.FAILURE, 'Apply failed with 1 conflict: conflict with "other-tool"'],
    ["status-422-invalid", KubeInvalidError, 422, "Invalid", "E_INVALID", EXIT.FAILURE, 'ConfigMap "Bad_Name" is invalid'],
    ["status-403-forbidden", KubeAuthError, 403, "Forbidden", "E_AUTH", EXIT.AUTH, 'configmaps "applied" is forbidden: User "unprivileged" cannot get resource "configmaps"'],
    ["status-401-unauthorized", KubeAuthError, 401, "Unauthorized", "E_AUTH", EXIT.AUTH, "Unauthorized"],
    ["status-410-expired", KubeGoneError, 410, "Expired", "E_GONE", EXIT.FAILURE, "The provided continue parameter is too old"],
  ] as const)("%s → %s", (name, cls, status, reason, code, exitCode, text) => {
    const e = errorOf(name);
    expect(e).toBeInstanceOf(cls);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(status);
    expect(statusIs(e, status)).toBe(true);
    expect(e.reason).toBe(reason);
    expect(e.code).toBe(code);
    expect(e.exitCode).toBe(exitCode);
    expect(e.message).toContain(text);
    expect(e.message.startsWith(`${fixture(name).request.method} https://k8s.example:6443/`)).toBe(true);
    expect(isRetryable(e)).toBe(false);
    expect(e.fault).toBe("client");
  });

  it("keeps the causes of a 422 as details, one line per field", () => {
    const e = errorOf("status-422-invalid");
    expect(e.causes.length).toBeGreaterThan(0);
    expect(e.causes[0]).toMatchObject({ reason: "FieldValueInvalid", field: "metadata.name" });
    expect(e.details[0]).toMatch(/^metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  });

  it("keeps the conflicting field and manager of an apply conflict", () => {
    const e = errorOf("status-409-apply-conflict");
    expect(e.causes).toEqual([expect.objectContaining({ reason: "FieldManagerConflict", field: ".data.a" })]);
    expect(e.details).toEqual(['.data.a: conflict with "other-tool"']);
  });

  it("a 410's body offers a continuation token (inconsistent list), which the Status schema keeps", () => {
    const st = parseStatus(JSON.stringify(fixture("status-410-expired").response.body));
    expect(st?.metadata?.continue).toBeTruthy();
  });

  it("5xx and 429 are retryable server faults; 501 is not retryable", () => {
    const body = JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: "etcdserver: request timed out", reason: "InternalError", code: 500 });
    const e500 = statusError({ method: "GET", url: "https://k/api", status: 500, body });
    expect(e500).toBeInstanceOf(KubeApiError);
    expect(e500.constructor).toBe(KubeApiError);
    expect(e500.fault).toBe("server");
    expect(isRetryable(e500)).toBe(true);
    const e429 = statusError({
      method: "GET",
      url: "https://k/api",
      status: 429,
      body: JSON.stringify({ kind: "Status", status: "Failure", reason: "TooManyRequests", message: "too many requests", details: { retryAfterSeconds: 2 }, code: 429 }),
    });
    expect(isRetryable(e429)).toBe(true);
    expect(e429.retryAfterMs).toBe(2000);
    expect(isRetryable(statusError({ method: "GET", url: "https://k/api", status: 501 }))).toBe(false);
  });

  it("a body that is not a Status (a proxy's HTML) still gives a typed error with an excerpt", () => {
    const e = statusError({ method: "GET", url: "https://k/api", status: 502, body: "<html>Bad Gateway</html>" });
    expect(e.message).toBe("GET https://k/api: 502: <html>Bad Gateway</html>");
    expect(e.reason).toBeUndefined();
    expect(isRetryable(e)).toBe(true);
  });

  it("never shows a registered secret the server echoes", () => {
    registerSecret("echoed-secret-value-123");
    const e = statusError({
      method: "POST",
      url: "https://k/api/v1/namespaces/a/secrets",
      status: 422,
      body: JSON.stringify({ kind: "Status", status: "Failure", reason: "Invalid", code: 422, message: 'Secret "x" is invalid: data[echoed-secret-value-123]: bad', details: { causes: [{ field: "data", message: "echoed-secret-value-123" }] } }),
    });
    expect(JSON.stringify([e.message, e.details, e.body])).not.toContain("echoed-secret-value-123");
  });
});
