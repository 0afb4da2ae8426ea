/** Connecting to a cloud by its clouds.yaml name, the way every command does. */
import { loadCloudConfig } from "../config/clouds.js";
import { OpenStackCloud } from "../openstack/cloud.js";

export interface ConnectFlags {
  pageSize?: number;
}

/** Resolves a cloud name (or "envvars" for OS_* variables) and connects. */
export async function connectCloud(name: string, flags: ConnectFlags = {}): Promise<OpenStackCloud> {
  const resolved = loadCloudConfig(name === "envvars" ? undefined : name);
  return OpenStackCloud.connect(resolved, flags.pageSize ? { pageSize: flags.pageSize } : {});
}
