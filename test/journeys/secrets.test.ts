/**
 * No credential ever leaves the tool: the whole flow (plan, apply, status,
 * verify, report, rollback) with passwords, a drill with application
 * credentials, a refused password, partly with verbose and JSON logging and
 * stack traces switched on; then every byte the tool
 * wrote is searched — stdout and stderr of each run and every file in the
 * migration folders (plan.json, plan.txt, state.db raw, inventories,
 * report.md/html/json, verify.json, drill.json, any log) — for the
 * passwords, the application-credential secrets, every Keystone token the
 * simulated clouds issued, and anything shaped like such a token.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import type { SimCloud } from "../../src/sim/index.js";
import { JOURNEY_TIMEOUT_MS } from "../helpers/journey.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

/** What a simulated Keystone token looks like (Fernet-style, see src/sim/core/ids.ts). */
const TOKEN_SHAPE = /gAAAAAB[A-Za-z0-9_-]{20,}/;
const WRONG_PASSWORD = "Wr0ng-Passw0rd-Never-Print-Me";

let e: SimEnv;
let cfg: string;
const secrets: { label: string; value: string }[] = [];
const outputs: { where: string; text: string }[] = [];

/** An application credential made through Keystone's API, as `openstack application credential create` does. */
async function createAppCred(c: SimCloud, name: string): Promise<{ id: string; secret: string }> {
  const auth = await fetch(`${c.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: c.username, domain: { name: c.userDomain }, password: c.password } } },
        scope: { project: { name: c.projectName, domain: { name: c.projectDomain } } },
      },
    }),
  });
  expect(auth.status).toBe(201);
  const token = auth.headers.get("x-subject-token")!;
  const userId = ((await auth.json()) as { token: { user: { id: string } } }).token.user.id;
  const r = await fetch(`${c.authUrl}/users/${userId}/application_credentials`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Auth-Token": token },
    body: JSON.stringify({ application_credential: { name } }),
  });
  expect(r.status).toBe(201);
  const ac = ((await r.json()) as { application_credential: { id: string; secret: string } }).application_credential;
  return { id: ac.id, secret: ac.secret };
}

async function cli(label: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await runCli(args, { ...e.env, OS_CLIENT_CONFIG_FILE: cfg, ...env });
  outputs.push({ where: `${label} stdout`, text: r.stdout }, { where: `${label} stderr`, text: r.stderr });
  return r;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every place a secret or token-shaped string turns up in the given texts. */
function leaksIn(texts: { where: string; text: string }[]): string[] {
  const tokens = e.sim.clouds.flatMap((c) => [...c.store.tokens.keys()].map((t) => ({ label: `token issued by ${c.name}`, value: t })));
  const all = [...secrets, ...tokens];
  const found: string[] = [];
  for (const { where, text } of texts) {
    for (const s of all) if (text.includes(s.value)) found.push(`${where}: ${s.label}`);
    if (TOKEN_SHAPE.test(text)) found.push(`${where}: something shaped like a token`);
  }
  return found;
}

/** Leaks in every CLI output so far and in the given files (read as raw bytes). */
function leaks(files: string[]): string[] {
  // latin1 keeps every byte as one character, so raw SQLite pages are searched as they are.
  return leaksIn([...outputs, ...files.map((f) => ({ where: f, text: readFileSync(f).toString("latin1") }))]);
}

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src");
  const doc = parse(e.sim.cloudsYaml()) as { clouds: Record<string, { auth: Record<string, unknown> } & Record<string, unknown>> };
  for (const name of ["src", "dst"]) {
    const c = e.sim.cloud(name);
    secrets.push({ label: `${name} password`, value: c.password });
    const ac = await createAppCred(c, `migrate-${name}`);
    secrets.push({ label: `${name} application credential secret`, value: ac.secret });
    doc.clouds[`${name}-ac`] = {
      auth_type: "v3applicationcredential",
      auth: { auth_url: c.authUrl, application_credential_id: ac.id, application_credential_secret: ac.secret },
      region_name: c.region,
      interface: "public",
      identity_api_version: 3,
    };
  }
  doc.clouds["src-bad"] = { ...doc.clouds["src"]!, auth: { ...doc.clouds["src"]!.auth, password: WRONG_PASSWORD } };
  secrets.push({ label: "wrong password", value: WRONG_PASSWORD });
  cfg = join(e.dir, "clouds-secrets.yaml");
  writeFileSync(cfg, stringify(doc), { mode: 0o600 });
}, JOURNEY_TIMEOUT_MS);
afterAll(async () => {
  await e?.close();
});

describe("secrets stay secret", () => {
  const ok = (r: CliResult, what: string) => expect(r.code, `${what}: ${r.stdout}${r.stderr}`).toBe(0);

  it("the scan finds a secret where there is one", () => {
    // clouds-secrets.yaml holds every password and secret: a scan that misses them would prove nothing.
    const found = leaksIn([{ where: "clouds.yaml", text: readFileSync(cfg, "latin1") }]);
    for (const s of secrets) expect(found).toContain(`clouds.yaml: ${s.label}`);
  });

  it("with passwords: plan, apply, status, verify, report and rollback print and write none", async () => {
    ok(await cli("plan", ["-v", "plan", "--from", "src", "--to", "dst", "--name", "pw"]), "plan");
    ok(await cli("apply", ["-v", "--log-json", "apply", "pw", "--poll-ms", "10", "--json"]), "apply");
    ok(await cli("status", ["status", "pw"]), "status");
    ok(await cli("status --json", ["status", "pw", "--json"]), "status --json");
    ok(await cli("verify", ["-v", "verify", "pw", "--deep", "--poll-ms", "10"]), "verify");
    ok(await cli("verify --json", ["verify", "pw", "--json", "--poll-ms", "10"]), "verify --json");
    ok(await cli("report", ["report", "pw"]), "report");
    ok(await cli("rollback", ["-v", "rollback", "pw", "--yes", "--poll-ms", "10"]), "rollback");

    const files = filesUnder(join(e.plans, "pw"));
    const names = files.map((f) => f.slice(e.plans.length + 1));
    for (const f of ["pw/plan.json", "pw/plan.txt", "pw/state.db", "pw/report.md", "pw/report.html", "pw/report.json", "pw/verify.json"]) {
      expect(names, "files the scan must cover").toContain(f);
    }
    // The runs did talk to Keystone, so there were tokens to leak.
    expect(e.sim.cloud("src").store.tokens.size).toBeGreaterThan(1);
    expect(e.sim.cloud("dst").store.tokens.size).toBeGreaterThan(1);
    expect(leaks(files)).toEqual([]);
  }, JOURNEY_TIMEOUT_MS);

  it("with application credentials: a whole drill prints and writes none", async () => {
    ok(await cli("drill", ["-v", "drill", "--from", "src-ac", "--to", "dst-ac", "--name", "ac", "--poll-ms", "10"]), "drill");
    const acTokens = e.sim.clouds.flatMap((c) => [...c.store.tokens.values()].filter((t) => t.appCred));
    expect(acTokens.length, "tokens issued for the application credentials").toBeGreaterThanOrEqual(2);
    const files = filesUnder(join(e.plans, "ac"));
    const names = files.map((f) => f.slice(e.plans.length + 1));
    for (const f of ["ac/plan.json", "ac/plan.txt", "ac/state.db", "ac/report.md", "ac/report.html", "ac/verify.json", "ac/drill.json"]) {
      expect(names, "files the scan must cover").toContain(f);
    }
    expect(leaks(files)).toEqual([]);
  }, JOURNEY_TIMEOUT_MS);

  it("a refused password is not echoed, not even with a stack trace", async () => {
    const r = await cli("bad password", ["-v", "plan", "--from", "src-bad", "--to", "dst", "--name", "bad"], { SCS_MIGRATE_DEBUG: "1" });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.AUTH);
    expect(leaks([])).toEqual([]);
  }, JOURNEY_TIMEOUT_MS);
});
