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
 * Quirks: each `openstack` call costs 1 s of Python start-up on an idle
 * machine and up to 10 s on a busy one, so calls are limited to a few at a
 * time and `oscBatch` runs many commands in one process (the client's
 * interactive mode, which splits lines on blanks: arguments must be ids, not
 * names with spaces). OS_* variables of the caller's shell are dropped so
 * that only the lab's clouds.yaml counts.
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
// Why a limit: each call is a Python process of ~1 s CPU; dozens at once on a
// shared machine make every one of them slow enough to time out.
const OSC_PARALLEL = 6;
let oscRunning = 0;
const oscQueue: (() => void)[] = [];

async function oscSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (oscRunning >= OSC_PARALLEL) await new Promise<void>((r) => oscQueue.push(r));
  oscRunning++;
  try {
    return await fn();
  } finally {
    oscRunning--;
    oscQueue.shift()?.();
  }
}

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
  return oscSlot(() => oscExec(cloud, args));
}

function oscExec(cloud: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "openstack",
      ["--os-cloud", cloud, ...args],
      { env: oscEnv(), timeout: OSC_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const how = err.killed ? ` (killed: ${err.signal ?? "timeout"})` : "";
          const msg = String(stderr).trim().split("\n").slice(-3).join(" | ") + how;
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

// `configuration show` makes no API call: a cheap separator between the outputs of a batch
const BATCH_MARK = ["configuration", "show", "-f", "json", "-c", "region_name"];

/**
 * Runs several `openstack ... -f json` commands in one Python process (the
 * client's interactive mode reading stdin) and returns one result per command:
 * the parsed JSON, or an Error when the command printed nothing. Saves the ~1-9 s
 * start-up per command on a busy machine. Arguments must not contain
 * whitespace: the interactive mode splits lines on blanks and ignores quotes.
 */
export function oscBatch(cloud: string, cmds: readonly (readonly string[])[]): Promise<(any | Error)[]> {
  for (const c of cmds) {
    const bad = c.find((a) => /\s/.test(a) || a === "");
    if (bad !== undefined) throw new Error(`oscBatch: argument ${JSON.stringify(bad)} of "${c.join(" ")}" holds whitespace; use ids`);
  }
  if (cmds.length === 0) return Promise.resolve([]);
  const input = cmds.map((c) => [...c, "-f", "json"].join(" ") + "\n" + BATCH_MARK.join(" ") + "\n").join("");
  return oscSlot(
    () =>
      new Promise<(any | Error)[]>((resolve, reject) => {
        const env = oscEnv();
        env.OS_CLOUD = cloud;
        const child = execFile("openstack", [], { env, timeout: OSC_TIMEOUT_MS * 2, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err && err.killed) {
            reject(new Error(`openstack batch on ${cloud} killed (${err.signal ?? "timeout"}): ${cmds.map((c) => c.join(" ")).join("; ")}`));
            return;
          }
          // split the output into top-level JSON values (pretty-printed: a value closes with ] or } in column 0)
          const values: any[] = [];
          let buf = "";
          for (const line of String(stdout).split("\n")) {
            if (buf === "" && !/^[[{]/.test(line)) continue;
            buf += line + "\n";
            if (/^[\]}]/.test(line) || /^(\[\]|\{\})\s*$/.test(line)) {
              values.push(JSON.parse(buf));
              buf = "";
            }
          }
          const results: (any | Error)[] = [];
          let cur: any[] = [];
          for (const v of values) {
            if (v && !Array.isArray(v) && typeof v === "object" && Object.keys(v).length === 1 && "region_name" in v) {
              results.push(cur.length === 1 ? cur[0] : new Error(`openstack --os-cloud ${cloud} ${cmds[results.length]?.join(" ")}: no output (${String(stderr).trim().split("\n").filter((l) => /rror|No /.test(l)).join(" | ")})`));
              cur = [];
            } else cur.push(v);
          }
          if (results.length !== cmds.length) {
            reject(new Error(`openstack batch on ${cloud}: ${results.length} of ${cmds.length} results; stderr: ${String(stderr).slice(-500)}`));
            return;
          }
          resolve(results);
        });
        child.stdin!.end(input);
      }),
  );
}

/** Like oscBatch, but throws the first error. */
export async function oscBatchOk(cloud: string, cmds: readonly (readonly string[])[]): Promise<any[]> {
  const r = await oscBatch(cloud, cmds);
  const e = r.find((x) => x instanceof Error);
  if (e) throw e;
  return r;
}
