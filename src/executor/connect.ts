/** Connecting to a cloud by its clouds.yaml name, the way every command does. */
import { loadCloudConfig } from "../config/clouds.js";
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
