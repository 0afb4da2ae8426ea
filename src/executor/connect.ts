/** Connecting to a cloud by its clouds.yaml name, the way every command does. */
import { defaultCloudName, loadCloudConfig } from "../config/clouds.js";
import { UsageError } from "../errors.js";
import { OpenStackCloud } from "../openstack/cloud.js";

export interface ConnectFlags {
  pageSize?: number;
  /** A clouds.yaml to use instead of the usual lookup (the demo's simulated clouds). */
  configFile?: string;
}

/** Resolves a cloud name (or "envvars" for OS_* variables) and connects. */
export async function connectCloud(name: string, flags: ConnectFlags = {}): Promise<OpenStackCloud> {
  const env = flags.configFile ? { ...process.env, OS_CLIENT_CONFIG_FILE: flags.configFile } : process.env;
  // Why: "envvars" names the OS_* variables themselves; passing it through keeps OS_CLOUD from redirecting it.
  const resolved = loadCloudConfig(name, { env });
  return OpenStackCloud.connect(resolved, flags.pageSize ? { pageSize: flags.pageSize } : {});
}

/**
 * The cloud a command works on: the one named, else the one openstacksdk would
 * take (`OS_CLOUD`, the OS_* variables of an openrc, or the only cloud of
 * clouds.yaml).
 */
export function cloudName(given: string | undefined, option = "--cloud"): string {
  const name = given ?? defaultCloudName();
  if (!name) throw new UsageError(`no cloud given: pass ${option} NAME or set OS_CLOUD`, { hint: "Name a cloud of clouds.yaml, or `envvars` for the OS_* variables of an openrc file." });
  return name;
}
