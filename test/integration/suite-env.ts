/**
 * What the migration tests share: the built CLI run as a child process
 * against the lab (`cli`), a fixed plans folder so that a later run can roll
 * back what an aborted one left (`PLANS_DIR`), a build of dist/ when it is
 * missing or older than src/ (`ensureBuilt`), and the repair of source
 * servers that lost their fake hypervisor instance (`repairSourceServers`).
 *
 * Quirks: the lab's fake Nova driver keeps its instances in memory, so after
 * nova-compute restarts (`lab:up` after a reboot) every server is ACTIVE with
 * power state NOSTATE and any stop, start or snapshot fails inside
 * nova-compute. A hard reboot re-creates the fake instance and keeps the id.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli, startCli, type CliResult } from "../helpers/cli.js";
import { LAB_CLOUDS_YAML, REPO_ROOT, oscRun } from "./lab.js";
import { labSession } from "./lab-rest.js";

/** Plans and state of the suite's migrations; fixed, so an aborted run's state is found again. */
export const PLANS_DIR = process.env.SCS_MIGRATE_SUITE_PLANS ?? path.join(os.tmpdir(), "scs-migrate-openstack-suite");

/** The environment of every CLI call: the lab's clouds.yaml and the suite's plans folder, no OS_* of the caller. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const k of Object.keys(process.env)) if (k.startsWith("OS_") || k.startsWith("SCS_MIGRATE_")) env[k] = undefined;
  return { ...env, OS_CLIENT_CONFIG_FILE: LAB_CLOUDS_YAML, SCS_MIGRATE_PLANS_DIR: PLANS_DIR, ...extra };
}

/** Runs `scs-migrate ARGS` to completion. */
export function cli(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  mkdirSync(PLANS_DIR, { recursive: true });
  return runCli(args, cliEnv(extra), REPO_ROOT);
}

/** Starts `scs-migrate ARGS` and hands back the child. */
export function cliStart(args: string[], extra: Record<string, string> = {}): ReturnType<typeof startCli> {
  mkdirSync(PLANS_DIR, { recursive: true });
  return startCli(args, cliEnv(extra), REPO_ROOT);
}

/** A CLI result as text for assertion messages. */
export const said = (r: CliResult) => `exit ${r.code}${r.signal ? ` (${r.signal})` : ""}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/ (tsc) when bin/scs-migrate.js would run something missing or older than src/. */
export async function ensureBuilt(): Promise<void> {
  const dist = path.join(REPO_ROOT, "dist");
  if (existsSync(path.join(dist, "cli.js")) && newest(dist) >= newest(path.join(REPO_ROOT, "src"))) return;
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: REPO_ROOT, timeout: 600_000 }, (err, stdout) => {
      // Why tolerated: tsc emits despite type errors in folders others are editing; a missing cli.js is fatal.
      if (err && !existsSync(path.join(dist, "cli.js"))) reject(new Error(`build failed: ${String(stdout).slice(-2000)}`));
      else resolve();
    });
  });
}

/** Hard-reboots the source servers whose fake instance is gone (ACTIVE or SHUTOFF with power state NOSTATE) and waits for them. */
export async function repairSourceServers(cloud = "src"): Promise<string[]> {
  const s = await labSession(cloud);
  const broken = (await s.call("compute", "GET", "/servers/detail")).servers.filter(
    (x: { status: string; "OS-EXT-STS:power_state": number }) => ["ACTIVE", "SHUTOFF"].includes(x.status) && x["OS-EXT-STS:power_state"] === 0,
  ) as { id: string; name: string }[];
  for (const b of broken) await oscRun(cloud, ["server", "reboot", "--hard", b.id]);
  for (const b of broken) {
    for (let i = 0; ; i++) {
      const x = (await s.call("compute", "GET", `/servers/${b.id}`)).server;
      if (x.status === "ACTIVE" && x["OS-EXT-STS:power_state"] === 1 && !x["OS-EXT-STS:task_state"]) break;
      if (i > 120) throw new Error(`source server ${b.name} did not come back after a hard reboot (${x.status})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return broken.map((b) => b.name);
}
