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
import { deepMerge, findCloudsFile, findPublicFile, findSecureFile, readConfigFile, type LookupDirs } from "./clouds-file.js";
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
  /** secure.yaml, when one was merged in, and its clouds (to name it in messages about its keys). */
  secure: { file: string; clouds: Record<string, unknown> } | null;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The `clouds:` mapping of a parsed file; problems name that file. */
function cloudsOf(file: string, data: unknown): Record<string, unknown> {
  if (data === null || data === undefined) return {};
  if (!isDict(data)) throw new ConfigError(`${file}: the file must hold a mapping with a "clouds" section`);
  const clouds = data.clouds;
  if (clouds === undefined || clouds === null) return {};
  if (!isDict(clouds)) throw new ConfigError(`${file}: clouds: must be a mapping of cloud names`);
  return clouds;
}

function readClouds(dirs: LookupDirs): FileClouds | null {
  const file = findCloudsFile(dirs);
  if (!file) return null;
  const clouds = cloudsOf(file, readConfigFile(file));
  const secureFile = findSecureFile(dirs);
  if (!secureFile) return { file, source: file, clouds, secure: null };
  const secureClouds = cloudsOf(secureFile, readConfigFile(secureFile));
  for (const [name, entry] of Object.entries(secureClouds)) {
    if (!isDict(entry)) throw new ConfigError(`${secureFile}: clouds.${name}: must be a mapping`);
  }
  return {
    file,
    source: `${file} (with ${secureFile})`,
    clouds: deepMerge(clouds, secureClouds) as Record<string, unknown>,
    secure: { file: secureFile, clouds: secureClouds },
  };
}

/**
 * The vendor profile a cloud names (`profile:`, or the legacy `cloud:`) from
 * clouds-public.yaml, merged under the entry as openstacksdk's
 * `_expand_vendor_profile` and `_auth_update` do: the entry's keys win, and
 * `auth` is merged key by key. openstacksdk's built-in vendor list is not
 * shipped; a profile found nowhere is reported when the entry is incomplete.
 */
function expandProfile(dirs: LookupDirs, cloudName: string, entry: Record<string, unknown>): { entry: Record<string, unknown>; missing: string | null } {
  const profile = entry.profile ?? entry.cloud;
  const out = { ...entry };
  delete out.profile;
  delete out.cloud;
  if (typeof profile !== "string" || profile === "") return { entry: out, missing: null };
  const file = findPublicFile(dirs);
  const data = file ? readConfigFile(file) : null;
  const publicClouds = isDict(data) ? data["public-clouds"] : undefined;
  if (file && data !== null && data !== undefined && (!isDict(data) || (publicClouds !== undefined && publicClouds !== null && !isDict(publicClouds)))) {
    throw new ConfigError(`${file}: the file must hold a mapping with a "public-clouds" section`);
  }
  const vendor = isDict(publicClouds) && Object.hasOwn(publicClouds, profile) ? publicClouds[profile] : undefined;
  if (vendor === undefined) {
    return { entry: out, missing: `clouds.${cloudName}.profile: "${profile}" is not defined in ${file ?? "any clouds-public.yaml"} (the built-in vendor profiles of openstacksdk are not included)` };
  }
  if (!isDict(vendor)) throw new ConfigError(`${file}: public-clouds.${profile}: must be a mapping`);
  const merged: Record<string, unknown> = { ...vendor };
  for (const [k, v] of Object.entries(out)) {
    merged[k] = k === "auth" && isDict(v) && isDict(merged.auth) ? { ...merged.auth, ...v } : v;
  }
  return { entry: merged, missing: null };
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
 * The cloud a command uses when none is named, as openstacksdk chooses it:
 * OS_CLOUD; else the OS_* variables (the cloud "envvars", or OS_CLOUD_NAME)
 * when OS_AUTH_URL is among them (a sourced openrc); else the only cloud of clouds.yaml; else none
 * (undefined: the command must ask for a name).
 */
export function defaultCloudName(opts: LoadCloudOptions = {}): string | undefined {
  const dirs = lookupDirs(opts);
  if (dirs.env.OS_CLOUD) return dirs.env.OS_CLOUD;
  if (envCloud(dirs.env) && dirs.env.OS_AUTH_URL) return dirs.env.OS_CLOUD_NAME ?? "envvars";
  const names = Object.keys(readClouds(dirs)?.clouds ?? {});
  return names.length === 1 ? names[0] : undefined;
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

  let wanted = name ?? (dirs.env.OS_CLOUD || undefined);
  if (wanted === undefined) {
    // Why: openstacksdk takes any OS_* variable as the start of a cloud; asking for OS_AUTH_URL keeps a
    // stray OS_PASSWORD from hiding the only cloud of clouds.yaml.
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

  // Why: a cloud called "constructor" or "__proto__" must not find Object.prototype's members.
  const fileEntry = file && Object.hasOwn(file.clouds, cloudName) ? file.clouds[cloudName] : undefined;
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
  const { entry, missing } = expandProfile(dirs, cloudName, fileEntry as Record<string, unknown>);
  // Why: the region the user asks for in the environment selects among the cloud's regions (checked there).
  if (entry.region_name === undefined && entry["region-name"] === undefined && dirs.env.OS_REGION_NAME) {
    entry.region_name = dirs.env.OS_REGION_NAME;
  }
  const secureEntry = file.secure && Object.hasOwn(file.secure.clouds, cloudName) ? file.secure.clouds[cloudName] : undefined;
  const inSecure = (key: string, inAuth: boolean): boolean => {
    if (!isDict(secureEntry)) return false;
    const holder = inAuth ? (isDict(secureEntry.auth) ? secureEntry.auth : {}) : secureEntry;
    return Object.keys(holder).some((k) => k.replace(/-/g, "_") === key) || (inAuth && Object.keys(secureEntry).some((k) => k.replace(/-/g, "_") === key));
  };
  const r = resolveCloudEntry(
    cloudName,
    file.source,
    entry,
    (key, inAuth) => `${file.secure && inSecure(key, inAuth) ? file.secure.file : file.file}: clouds.${cloudName}.${inAuth ? "auth." : ""}${key}`,
    common,
  );
  if (r.cloud) return r.cloud;
  const issues = missing ? [...r.issues, `${file.file}: ${missing}`] : r.issues;
  const hint =
    dirs.env.OS_PASSWORD && issues.some((i) => i.endsWith(".auth.password: required"))
      ? "OS_PASSWORD is set, but OS_* variables are not merged into a clouds.yaml cloud (openstacksdk merges them only into the cloud \"envvars\"): put the password into secure.yaml beside clouds.yaml, or use the OS_* variables alone (--cloud envvars)."
      : undefined;
  throw issuesError(null, issues, hint);
}

function issuesError(where: string | null, issues: string[], hint?: string): ConfigError {
  const at = (i: string) => (where ? `${where}: ${i}` : i);
  const first = at(issues[0] ?? "invalid cloud entry");
  return new ConfigError(issues.length > 1 ? `${first} (and ${issues.length - 1} more)` : first, {
    details: issues.length > 1 ? issues.map(at) : [],
    hint: hint ?? "Fix the cloud entry (see the openstack CLI's clouds.yaml documentation) and run the command again.",
  });
}
