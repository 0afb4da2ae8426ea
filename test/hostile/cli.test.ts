/**
 * The built CLI against hostile clouds, the way cron meets them: one line on
 * stderr (plus a hint), the documented exit code, no stack trace, no secret,
 * and an end within a bounded time. Deadlines are shrunk through the
 * environment (SCS_MIGRATE_*); `npm test` builds dist/ first.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { EXIT } from "../../src/errors.js";
import { secretForms } from "../../src/log.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { startHostile, type Behaviour, type HostileServer } from "./server.js";

const PASSWORD = 'hostile "pa\\ss" wörd%+\n';
const LIMITS = {
  SCS_MIGRATE_CONNECT_TIMEOUT: "0.5",
  SCS_MIGRATE_REQUEST_TIMEOUT: "0.5",
  SCS_MIGRATE_RETRY_BUDGET: "2",
  SCS_MIGRATE_WAIT_NOTICE: "0.2",
};

let dir: string;
let server: HostileServer | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "smig-hostile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts a hostile server and writes a clouds.yaml whose clouds all point at it. */
async function cloudsFor(b: Behaviour): Promise<string> {
  server = await startHostile(b);
  const auth = { auth_url: `${server.url}/identity/v3`, username: "alice", password: PASSWORD, project_name: "shop", user_domain_name: "Default", project_domain_name: "Default" };
  const file = join(dir, `clouds-${b.kind}.yaml`);
  writeFileSync(file, stringify({ clouds: { h: { auth }, h2: { auth } } }));
  return file;
}

async function run(args: string[], file: string): Promise<CliResult & { ms: number }> {
  const t0 = Date.now();
  const r = await runCli(args, { ...LIMITS, OS_CLIENT_CONFIG_FILE: file, OS_CLOUD: "", SCS_MIGRATE_DEBUG: "", SCS_MIGRATE_PLANS_DIR: join(dir, "plans") }, dir);
  return { ...r, ms: Date.now() - t0 };
}

function expectClean(r: CliResult & { ms: number }, code: number, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(code);
  const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("scs-migrate: "));
  expect(errorLines, r.stderr).toHaveLength(1);
  expect(errorLines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const f of secretForms(PASSWORD)) expect(r.stdout + r.stderr).not.toContain(f);
  // generous: the limits add up to about 2 s
  expect(r.ms).toBeLessThan(30_000);
}

describe("inventory against a hostile Keystone", () => {
  it("accepts and never answers: exit 5 within the budget, with waiting lines", async () => {
    const r = await run(["inventory", "--cloud", "h"], await cloudsFor({ kind: "silent" }));
    expectClean(r, EXIT.UNREACHABLE, /^scs-migrate: POST http:\/\/127\.0\.0\.1:\d+\/identity\/v3\/auth\/tokens: no complete answer within [\d.]+ m?s; gave up after \d attempts/);
    expect(r.stderr).toMatch(/^waiting for identity \(POST \/auth\/tokens\) on cloud h: \d+ ms…$/m);
  });

  it("trickles a byte every 100 ms: exit 5 within the budget", async () => {
    const r = await run(["inventory", "--cloud", "h"], await cloudsFor({ kind: "trickle", everyMs: 100, part: "headers" }));
    expectClean(r, EXIT.UNREACHABLE, /no complete answer within/);
  });

  it("closes every connection: exit 5", async () => {
    const r = await run(["inventory", "--cloud", "h"], await cloudsFor({ kind: "close-on-connect" }));
    expectClean(r, EXIT.UNREACHABLE, /connection reset/);
  });

  it("503 with Retry-After for ever: exit 5 within the budget", async () => {
    const r = await run(["inventory", "--cloud", "h"], await cloudsFor({ kind: "status", status: 503, retryAfter: "1" }));
    expectClean(r, EXIT.UNREACHABLE, /503 Service Unavailable/);
  });

  it("a 401 that quotes the request with a nasty password: exit 4, no form of the password anywhere", async () => {
    const r = await run(["inventory", "--cloud", "h"], await cloudsFor({ kind: "echo-401" }));
    expectClean(r, EXIT.AUTH, /^scs-migrate: authentication failed for cloud h at /);
  });

  it("answers HTML: one line, not a stack trace", async () => {
    const r = await run(["inventory", "--cloud", "h"], await cloudsFor({ kind: "garbage" }));
    expectClean(r, EXIT.AUTH, /authentication failed for cloud h .*200 from a service that is not Keystone v3/);
  });
});

describe("a cron drill against a dead cloud", () => {
  it("ends within the retry budget with exit 5 and a JSON summary", async () => {
    const r = await run(["drill", "--from", "h", "--to", "h2", "--json"], await cloudsFor({ kind: "silent" }));
    expect(r.code, r.stderr).toBe(EXIT.UNREACHABLE);
    const summary = JSON.parse(r.stdout) as { status: string; failedPhase: string; errors: string[] };
    expect(summary).toMatchObject({ status: "failed", failedPhase: "plan" });
    expect(summary.errors[0]).toMatch(/^plan: POST .*: no complete answer within/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.ms).toBeLessThan(30_000);
  });
});
