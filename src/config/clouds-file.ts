/**
 * Reading clouds.yaml and secure.yaml: where openstacksdk looks for them, how
 * they are parsed, and how secure.yaml is merged in. Syntax errors name the
 * file and the line, because a user fixes them in an editor.
 *
 * openstacksdk (openstack/config/loader.py) searches, in order: the file in
 * OS_CLIENT_CONFIG_FILE, then `clouds.yaml|yml|json` in the current
 * directory, `~/.config/openstack/` and `/etc/openstack/`; the first file that
 * exists wins. secure.yaml is found the same way (OS_CLIENT_SECURE_FILE) and
 * deep-merged over it, so passwords can live in a separate file.
 * clouds-public.yaml (vendor profiles that a cloud names with `profile:`) is
 * found in the same directories.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { parseYamlText } from "../util/yaml.js";

/** Where to look; every part is injectable so tests never read the real home. */
export interface LookupDirs {
  env: Record<string, string | undefined>;
  cwd: string;
  home: string;
  /** The site-wide directory (`/etc/openstack`). */
  systemDir: string;
}

const SUFFIXES = [".yaml", ".yml", ".json"];

function candidates(base: "clouds" | "secure" | "clouds-public", dirs: LookupDirs): string[] {
  const roots = [dirs.cwd, path.join(dirs.home, ".config", "openstack"), dirs.systemDir];
  return roots.flatMap((r) => SUFFIXES.map((s) => path.join(r, base + s)));
}

function expandHome(p: string, home: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(home, p.slice(1)) : p;
}

/** Finds the clouds file (null when there is none); an OS_CLIENT_CONFIG_FILE that does not exist is an error. */
export function findCloudsFile(dirs: LookupDirs): string | null {
  const override = dirs.env.OS_CLIENT_CONFIG_FILE;
  if (override) {
    const p = path.resolve(dirs.cwd, expandHome(override, dirs.home));
    if (!existsSync(p)) throw new ConfigError(`OS_CLIENT_CONFIG_FILE points to ${p}, which does not exist`);
    return p;
  }
  return candidates("clouds", dirs).find((p) => existsSync(p)) ?? null;
}

/** Finds secure.yaml (OS_CLIENT_SECURE_FILE or OS_SECURE_FILE first); null when there is none. */
export function findSecureFile(dirs: LookupDirs): string | null {
  const override = dirs.env.OS_CLIENT_SECURE_FILE ?? dirs.env.OS_SECURE_FILE;
  if (override) {
    const p = path.resolve(dirs.cwd, expandHome(override, dirs.home));
    if (!existsSync(p)) throw new ConfigError(`OS_CLIENT_SECURE_FILE points to ${p}, which does not exist`);
    return p;
  }
  return candidates("secure", dirs).find((p) => existsSync(p)) ?? null;
}

/** Finds clouds-public.yaml (vendor profiles, `public-clouds:`) in the same places; null when there is none. */
export function findPublicFile(dirs: LookupDirs): string | null {
  return candidates("clouds-public", dirs).find((p) => existsSync(p)) ?? null;
}

/** Parses a YAML (or JSON) file into a plain value; syntax errors become ConfigError with file and line. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  return parseYamlText(text, { source: file }) ?? {};
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep-merges `over` into `base` (objects merge key by key, anything else is replaced), like openstacksdk's merge_clouds. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // Why: defineProperty, so that a key "__proto__" is a key and not the object's prototype.
    Object.defineProperty(out, k, { value: Object.hasOwn(out, k) ? deepMerge(out[k], v) : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
