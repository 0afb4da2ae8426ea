/**
 * The `sim` command as a script uses it: started as a child process, it must
 * exit promptly on SIGTERM, also after it has hashed a large upload on its
 * worker threads (a ref'd worker used to keep the process alive for ever);
 * `--quota` sets the projects' quotas and clouds.yaml has admin entries.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli, startCli, type CliResult } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "sim-cmd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Waits until the child printed `marker` on stdout (bounded). */
async function waitForOutput(get: () => string, marker: string, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!get().includes(marker)) {
    if (Date.now() - t0 > ms) throw new Error(`no "${marker}" within ${ms} ms; output: ${get()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function memberToken(cfg: { auth: Record<string, string> }): Promise<string> {
  const a = cfg.auth;
  const r = await fetch(`${a["auth_url"]}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: a["username"], domain: { name: "Default" }, password: a["password"] } } },
        scope: { project: { name: a["project_name"], domain: { name: "Default" } } },
      },
    }),
  });
  expect(r.status).toBe(201);
  return r.headers.get("x-subject-token")!;
}

describe("scs-migrate sim", () => {
  it("exits on SIGTERM after hashing an upload of 8 MiB or more", async () => {
    const out = join(dir, "clouds.yaml");
    let stdout = "";
    const { child, done } = startCli(["sim", "--clouds", "hashsim", "--out", out, "--delay", "0"]);
    child.stdout!.on("data", (d) => (stdout += d));
    try {
      await waitForOutput(() => stdout, "Ctrl-C", 30_000);
      const cfg = parse(readFileSync(out, "utf8")).clouds.hashsim;
      const tok = await memberToken(cfg);
      const base = String(cfg.auth.auth_url).replace(/\/identity\/v3$/, "");
      const img = await (await fetch(`${base}/image/v2/images`, {
        method: "POST",
        headers: { "x-auth-token": tok, "content-type": "application/json" },
        body: JSON.stringify({ name: "big", disk_format: "raw", container_format: "bare" }),
      })).json() as { id: string };
      const up = await fetch(`${base}/image/v2/images/${img.id}/file`, {
        method: "PUT",
        headers: { "x-auth-token": tok, "content-type": "application/octet-stream" },
        body: Buffer.alloc(9 << 20, 7),
      });
      expect(up.status).toBe(204);
    } catch (err) {
      child.kill("SIGKILL");
      throw err;
    }
    child.kill("SIGTERM");
    // Generous: the machine may be busy; a hang is forever, not seconds.
    const timeout = new Promise<"hung">((r) => setTimeout(() => r("hung"), 30_000).unref());
    const res = await Promise.race([done, timeout]);
    if (res === "hung") child.kill("SIGKILL");
    expect(res).not.toBe("hung");
    expect((res as CliResult).code).toBe(0);
    expect((res as CliResult).stdout).toContain("Stopped.");
  }, 90_000);

  it("sets quotas from --quota and writes <name>-admin entries", async () => {
    const out = join(dir, "quota.yaml");
    let stdout = "";
    const { child, done } = startCli(["sim", "--clouds", "qa,qb", "--out", out, "--delay", "0", "--quota", "instances=2", "--quota", "volumes=5"]);
    child.stdout!.on("data", (d) => (stdout += d));
    try {
      await waitForOutput(() => stdout, "Ctrl-C", 30_000);
      const doc = parse(readFileSync(out, "utf8")).clouds;
      expect(Object.keys(doc)).toEqual(["qa", "qa-admin", "qb", "qb-admin"]);
      expect(doc["qa-admin"].auth).toMatchObject({ username: "admin", project_name: "admin" });
      const tok = await memberToken(doc.qb);
      const base = String(doc.qb.auth.auth_url).replace(/\/identity\/v3$/, "");
      const nova = (await (await fetch(`${base}/compute/v2.1/limits`, { headers: { "x-auth-token": tok } })).json()) as any;
      expect(nova.limits.absolute.maxTotalInstances).toBe(2);
      const pid = (await (await fetch(`${doc.qb.auth.auth_url}/auth/tokens`, { headers: { "x-auth-token": tok, "x-subject-token": tok } })).json() as any).token.project.id;
      const cinder = (await (await fetch(`${base}/volume/v3/${pid}/limits`, { headers: { "x-auth-token": tok } })).json()) as any;
      expect(cinder.limits.absolute.maxTotalVolumes).toBe(5);
    } finally {
      child.kill("SIGTERM");
    }
    expect((await done).code).toBe(0);
  }, 90_000);

  it("refuses an unknown --quota key with a usage error", async () => {
    const r = await runCli(["sim", "--clouds", "qx", "--out", join(dir, "x.yaml"), "--quota", "instancez=2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown quota "instancez"');
  });
});
