/**
 * Bad input gets one clear line and a documented exit code, never a stack
 * trace, and no secret ever reaches the output.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { EXIT } from "../../src/errors.js";
import { runCli, type CliResult } from "../helpers/cli.js";

let sim: SimServer;
let dir: string;
const WRONG = "wrong-Secret-9f3a1";

beforeAll(async () => {
  sim = await startSim({ clouds: [{ name: "good", password: "right-Secret-77c1" }] });
  dir = mkdtempSync(join(tmpdir(), "smig-cli-"));
  const c = sim.cloud("good");
  const auth = { auth_url: c.authUrl, username: c.username, project_name: c.projectName, user_domain_name: "Default", project_domain_name: "Default" };
  writeFileSync(
    join(dir, "clouds.yaml"),
    stringify({
      clouds: {
        good: { auth: { ...auth, password: c.password } },
        badpw: { auth: { ...auth, password: WRONG } },
        unreachable: { auth: { ...auth, auth_url: "http://127.0.0.1:9/identity/v3", password: WRONG } },
      },
    }),
  );
  writeFileSync(join(dir, "broken.yaml"), `clouds:\n  x:\n    auth: [unclosed\n    password: ${WRONG}\n`);
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectOneLineError(r: CliResult, code: number, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(code);
  // Waiting notices ("waiting for identity (POST /auth/tokens) on cloud x: 5 s…") may precede the error line.
  const lines = r.stderr.trim().split("\n").filter((l) => !l.startsWith("waiting for "));
  expect(lines[0]).toMatch(/^scs-migrate: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack frames
  expect(r.stdout + r.stderr).not.toContain(WRONG);
  expect(r.stdout + r.stderr).not.toContain("right-Secret-77c1");
}

describe("CLI errors", () => {
  it("works with good credentials (the control case)", async () => {
    const r = await runCli(["inventory", "--cloud", "good"], { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml") });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/flavors\s+15/);
  });

  it("takes the cloud from OS_CLOUD when --cloud is not given, as the openstack CLI does", async () => {
    const r = await runCli(["inventory"], { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml"), OS_CLOUD: "good" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/flavors\s+15/);
  });

  it("without --cloud, OS_CLOUD or a single cloud: exit 2 saying how to name one", async () => {
    const r = await runCli(["inventory"], { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml"), OS_CLOUD: "" });
    expectOneLineError(r, EXIT.USAGE, /no cloud given: pass --cloud NAME or set OS_CLOUD/);
  });

  it("wrong password: exit 4", async () => {
    const r = await runCli(["inventory", "--cloud", "badpw"], { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml") });
    expectOneLineError(r, EXIT.AUTH, /authentication failed for cloud badpw/);
  });

  it("unknown cloud name: exit 3, lists the known clouds", async () => {
    const r = await runCli(["inventory", "--cloud", "nosuch"], { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml") });
    expectOneLineError(r, EXIT.CONFIG, /"nosuch" not found.*known clouds: good, badpw, unreachable/);
  });

  it("unreachable endpoint: exit 5", async () => {
    const r = await runCli(["inventory", "--cloud", "unreachable"], { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml") });
    expectOneLineError(r, EXIT.UNREACHABLE, /cannot reach/);
  });

  it("malformed clouds.yaml: exit 3, names the file and line", async () => {
    const r = await runCli(["inventory", "--cloud", "x"], { OS_CLIENT_CONFIG_FILE: join(dir, "broken.yaml") });
    expectOneLineError(r, EXIT.CONFIG, /broken\.yaml:\d+/);
  });

  it("unknown command and missing option: exit 2", async () => {
    expect((await runCli(["frobnicate"])).code).toBe(EXIT.USAGE);
    expect((await runCli(["inventory"])).code).toBe(EXIT.USAGE);
  });
});
