/**
 * Harness for the integration suite against the real OpenStack lab
 * (test/openstack-lab/, OpenStack Zed from Debian 12 on 127.0.0.1).
 *
 * `ensureLab()` reuses a running lab (keystone answers on 127.0.0.1:5000 and
 * clouds.yaml exists) or starts one with `test/openstack-lab/up.sh`, which
 * needs root. `osc()` runs python-openstackclient for an independent
 * cross-check of what the tool did: a test should not verify the tool's REST
 * client with the same client.
 *
 * Quirks: each `openstack` call costs about 1 s of Python start-up, so tests
 * should prefer one list call over many show calls. OS_* variables of the
 * caller's shell are dropped so that only the lab's clouds.yaml counts.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (two levels above this file). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where up.sh writes clouds.yaml unless OSLAB_CLOUDS_YAML says otherwise. */
export const LAB_CLOUDS_YAML = process.env.OSLAB_CLOUDS_YAML ?? "/var/lib/oslab/out/clouds.yaml";

/** Keystone of the lab; the lab listens on loopback only. */
export const LAB_KEYSTONE = "http://127.0.0.1:5000/v3";

const UP_SH = path.join(REPO_ROOT, "test/openstack-lab/up.sh");
const UP_TIMEOUT_MS = 20 * 60_000;
const OSC_TIMEOUT_MS = 180_000;

async function keystoneAnswers(): Promise<boolean> {
  try {
    const res = await fetch(LAB_KEYSTONE, { signal: AbortSignal.timeout(5_000) });
    return res.ok;
  } catch {
    return false;
  }
}

function runUpSh(): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdout carries only clouds.yaml (with the lab password): not echoed
    const child = spawn("bash", [UP_SH, path.dirname(LAB_CLOUDS_YAML)], {
      stdio: ["ignore", "ignore", "inherit"],
      timeout: UP_TIMEOUT_MS,
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${UP_SH} failed (exit ${code ?? signal})`)),
    );
  });
}

/** Makes sure the lab is up and returns the path of its clouds.yaml (clouds `admin`, `src`, `dst`). */
export async function ensureLab(): Promise<string> {
  if ((await keystoneAnswers()) && existsSync(LAB_CLOUDS_YAML)) return LAB_CLOUDS_YAML;
  if (process.getuid?.() !== 0) {
    throw new Error(
      "the OpenStack lab is not running (nothing answers on 127.0.0.1:5000 or " +
        `${LAB_CLOUDS_YAML} is missing) and starting it needs root: run \`sudo npm run lab:up\` ` +
        "on a Debian 12 machine, then run the integration tests again",
    );
  }
  await runUpSh();
  if (!existsSync(LAB_CLOUDS_YAML)) throw new Error(`${UP_SH} finished but wrote no ${LAB_CLOUDS_YAML}`);
  return LAB_CLOUDS_YAML;
}

function oscEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OS_")) env[k] = v;
  env.OS_CLIENT_CONFIG_FILE = LAB_CLOUDS_YAML;
  // Debian's openstack script runs /usr/bin/python3 itself; keep /usr/bin first anyway
  env.PATH = `/usr/bin:/bin:${process.env.PATH ?? ""}`;
  return env;
}

/** Runs `openstack --os-cloud CLOUD ARGS...` and returns its stdout (for commands without `-f json`, e.g. delete). */
export function oscRun(cloud: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "openstack",
      ["--os-cloud", cloud, ...args],
      { env: oscEnv(), timeout: OSC_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const msg = String(stderr).trim().split("\n").slice(-3).join(" | ");
          reject(new Error(`openstack --os-cloud ${cloud} ${args.join(" ")}: ${msg || err.message}`));
        } else {
          resolve(String(stdout));
        }
      },
    );
  });
}

/** Runs `openstack --os-cloud CLOUD ARGS... -f json` and returns the parsed output (null when it printed nothing). */
export async function osc(cloud: string, args: readonly string[]): Promise<any> {
  const out = await oscRun(cloud, [...args, "-f", "json"]);
  return out.trim() === "" ? null : JSON.parse(out);
}
