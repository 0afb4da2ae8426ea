/**
 * Cloud configuration compatible with openstacksdk: `loadCloudConfig(name)`
 * finds clouds.yaml and secure.yaml where the `openstack` CLI finds them,
 * merges them, falls back to OS_* variables, and returns one validated
 * `ResolvedCloud`. It reads files and nothing else (no network, no logging),
 * and the environment, working directory and home are injectable for tests.
 *
 * Selection, as openstacksdk does it: an explicit name wins; then OS_CLOUD;
 * then the OS_* variables when OS_AUTH_URL is set (the cloud is called
 * "envvars", or OS_CLOUD_NAME); then the only cloud of the file, if there is
 * exactly one. Secrets are registered for redaction as soon as they are read.
 */
import os from "node:os";
import { ConfigError } from "../errors.js";
import { registerSecret } from "../log.js";
import { deepMerge, findCloudsFile, findSecureFile, readConfigFile, type LookupDirs } from "./clouds-file.js";
import { resolveCloudEntry, type ResolvedCloud } from "./cloud-auth.js";

export type { ResolvedCloud, ResolvedAuth, AuthType } from "./cloud-auth.js";

/** Injectable parts of the lookup (tests pass their own). */
export interface LoadCloudOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  home?: string;
  /** Site-wide config directory; `/etc/openstack` unless a test says otherwise. */
  systemDir?: string;
}

// Why: openstacksdk ignores these prefixes (test-runner variables) and does
// not build an environment cloud from selectors alone.
const IGNORED_PREFIXES = ["OS_TEST", "OS_STD", "OS_LOG"];
const SELECTORS = new Set(["OS_CLOUD", "OS_REGION_NAME", "OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE", "OS_SECURE_FILE", "OS_CLOUD_NAME"]);

function lookupDirs(opts: LoadCloudOptions): LookupDirs {
  return {
    env: opts.env ?? process.env,
    cwd: opts.cwd ?? process.cwd(),
    home: opts.home ?? os.homedir(),
    systemDir: opts.systemDir ?? "/etc/openstack",
  };
}

/** The cloud built from OS_* variables, or null when only selectors (or nothing) are set. */
function envCloud(env: Record<string, string | undefined>): Record<string, unknown> | null {
  const entry: Record<string, unknown> = {};
  let meaningful = false;
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith("OS_") || v === undefined || IGNORED_PREFIXES.some((p) => k.startsWith(p))) continue;
    if (!SELECTORS.has(k)) meaningful = true;
    if (k === "OS_CLOUD" || k === "OS_CLIENT_CONFIG_FILE" || k === "OS_CLIENT_SECURE_FILE" || k === "OS_SECURE_FILE" || k === "OS_CLOUD_NAME") continue;
    entry[k.slice(3).toLowerCase()] = v;
  }
  for (const k of ["password", "application_credential_secret", "token", "auth_token"]) {
    if (typeof entry[k] === "string") registerSecret(entry[k]);
  }
  return meaningful ? entry : null;
}

interface FileClouds {
  file: string;
  source: string;
  clouds: Record<string, unknown>;
}

function readClouds(dirs: LookupDirs): FileClouds | null {
  const file = findCloudsFile(dirs);
  if (!file) return null;
  let data = readConfigFile(file);
  let source = file;
  const secure = findSecureFile(dirs);
  if (secure) {
    data = deepMerge(data, readConfigFile(secure));
    source = `${file} (with ${secure})`;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError(`${file}: the file must hold a mapping with a "clouds" section`);
  }
  const clouds = (data as Record<string, unknown>).clouds;
  if (clouds === undefined || clouds === null) return { file, source, clouds: {} };
  if (typeof clouds !== "object" || Array.isArray(clouds)) throw new ConfigError(`${file}: clouds: must be a mapping of cloud names`);
  return { file, source, clouds: clouds as Record<string, unknown> };
}

function describeSearch(dirs: LookupDirs): string {
  return `no clouds.yaml found in ${dirs.cwd}, ${dirs.home}/.config/openstack or ${dirs.systemDir} (and OS_CLIENT_CONFIG_FILE is not set)`;
}

/** The names of every cloud the user could pass to `--cloud`, file clouds first. */
export function listCloudNames(opts: LoadCloudOptions = {}): string[] {
  const dirs = lookupDirs(opts);
  const names = Object.keys(readClouds(dirs)?.clouds ?? {});
  if (envCloud(dirs.env)) names.push(dirs.env.OS_CLOUD_NAME ?? "envvars");
  return names;
}

/**
 * Finds, merges and validates the named cloud (or the default one) and returns it ready to connect.
 *
 * @example
 * const cloud = loadCloudConfig("src"); // clouds.yaml entry "src", secrets merged from secure.yaml
 */
export function loadCloudConfig(name?: string, opts: LoadCloudOptions = {}): ResolvedCloud {
  const dirs = lookupDirs(opts);
  const envName = dirs.env.OS_CLOUD_NAME ?? "envvars";
  const envEntry = envCloud(dirs.env);
  const file = readClouds(dirs);
  const fileNames = Object.keys(file?.clouds ?? {});

  let wanted = name ?? dirs.env.OS_CLOUD;
  if (wanted === undefined) {
    if (envEntry && dirs.env.OS_AUTH_URL) wanted = envName;
    else if (fileNames.length === 1) wanted = fileNames[0];
    else if (fileNames.length === 0) {
      throw new ConfigError(`no cloud configured: ${file ? `${file.file} defines no clouds` : describeSearch(dirs)}, and OS_AUTH_URL is not set`, {
        hint: "Create a clouds.yaml (as for the openstack CLI) or source an openrc file.",
      });
    } else {
      throw new ConfigError(`no cloud selected; ${file?.file} defines: ${fileNames.join(", ")}`, {
        hint: "Pass --cloud NAME or set OS_CLOUD.",
      });
    }
  }
  const cloudName = wanted as string;
  const common = { cwd: dirs.cwd, home: dirs.home };

  const fileEntry = file?.clouds[cloudName];
  if (fileEntry === undefined && cloudName === envName) {
    if (!envEntry) throw new ConfigError(`cloud "${cloudName}" means the OS_* variables, but none are set`);
    const r = resolveCloudEntry(cloudName, "environment (OS_*)", envEntry, (key) => `OS_${key.toUpperCase()}`, common);
    if (r.cloud) return r.cloud;
    throw issuesError("environment", r.issues);
  }
  if (!file || fileEntry === undefined) {
    const known = [...fileNames, ...(envEntry ? [envName] : [])];
    const where = file ? file.file : describeSearch(dirs);
    throw new ConfigError(
      `cloud "${cloudName}" not found${file ? ` in ${where}` : `: ${where}`}; ${known.length > 0 ? `known clouds: ${known.join(", ")}` : "no clouds are defined"}`,
      { hint: "Pass the name of a cloud defined in clouds.yaml." },
    );
  }
  if (typeof fileEntry !== "object" || fileEntry === null || Array.isArray(fileEntry)) {
    throw new ConfigError(`${file.file}: clouds.${cloudName}: must be a mapping`);
  }
  const entry = { ...(fileEntry as Record<string, unknown>) };
  if (entry.region_name === undefined && entry["region-name"] === undefined && entry.regions === undefined && dirs.env.OS_REGION_NAME) {
    entry.region_name = dirs.env.OS_REGION_NAME;
  }
  const r = resolveCloudEntry(cloudName, file.source, entry, (key, inAuth) => `clouds.${cloudName}.${inAuth ? "auth." : ""}${key}`, common);
  if (r.cloud) return r.cloud;
  throw issuesError(file.file, r.issues);
}

function issuesError(where: string, issues: string[]): ConfigError {
  const first = `${where}: ${issues[0]}`;
  return new ConfigError(issues.length > 1 ? `${first} (and ${issues.length - 1} more)` : first, {
    details: issues.length > 1 ? issues.map((i) => `${where}: ${i}`) : [],
    hint: "Fix the cloud entry (see the openstack CLI's clouds.yaml documentation) and run the command again.",
  });
}
