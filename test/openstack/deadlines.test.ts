/**
 * The time limits of the HTTP layer: defaults, environment knobs, and the
 * arithmetic that bounds a request whatever the server does.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { HTTP_DEFAULTS, HttpClient, httpLimitsFromEnv, waitingLine } from "../../src/openstack/http.js";

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe("limits", () => {
  it("defaults: 10 s to connect, 120 s per attempt, 60 s idle, 180 s for all attempts, a notice after 5 s", () => {
    for (const k of ["SCS_MIGRATE_CONNECT_TIMEOUT", "SCS_MIGRATE_REQUEST_TIMEOUT", "SCS_MIGRATE_IDLE_TIMEOUT", "SCS_MIGRATE_RETRY_BUDGET", "SCS_MIGRATE_WAIT_NOTICE"]) delete process.env[k];
    const c = new HttpClient();
    try {
      expect(c.options).toMatchObject({ connectTimeoutMs: 10_000, requestTimeoutMs: 120_000, timeoutMs: 60_000, retryBudgetMs: 180_000, waitNoticeMs: 5_000 });
      expect(HTTP_DEFAULTS.retryBudgetMs).toBeGreaterThanOrEqual(HTTP_DEFAULTS.requestTimeoutMs);
    } finally {
      c.close();
    }
  });

  it("environment knobs in seconds (decimals allowed); explicit options win", () => {
    process.env.SCS_MIGRATE_REQUEST_TIMEOUT = "2.5";
    process.env.SCS_MIGRATE_RETRY_BUDGET = "0";
    process.env.SCS_MIGRATE_WAIT_NOTICE = "0";
    const c = new HttpClient({ connectTimeoutMs: 123 });
    try {
      expect(c.options).toMatchObject({ requestTimeoutMs: 2500, retryBudgetMs: 0, waitNoticeMs: 0, connectTimeoutMs: 123 });
    } finally {
      c.close();
    }
  });

  it("a malformed knob is a ConfigError naming the variable", () => {
    expect(() => httpLimitsFromEnv({ SCS_MIGRATE_CONNECT_TIMEOUT: "10s" })).toThrow(ConfigError);
    expect(() => httpLimitsFromEnv({ SCS_MIGRATE_CONNECT_TIMEOUT: "-1" })).toThrow(/SCS_MIGRATE_CONNECT_TIMEOUT="-1" is not a number of seconds/);
    expect(httpLimitsFromEnv({ SCS_MIGRATE_IDLE_TIMEOUT: " 30 " })).toEqual({ timeoutMs: 30_000 });
  });

  it("the waiting line", () => {
    expect(waitingLine({ cloud: "src", service: "compute", method: "GET", path: "/servers/detail", waitedMs: 10_000, attempt: 1 })).toBe("waiting for compute (GET /servers/detail) on cloud src: 10 s…");
  });
});
