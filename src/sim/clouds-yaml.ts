/**
 * clouds.yaml content for simulated clouds, in openstacksdk's format, so that
 * openstackclient (`openstack --os-cloud NAME …`) and the tool's own config
 * loader reach the simulator unchanged. With `admin`, each cloud also gets a
 * `<name>-admin` entry for the provider's admin user (quotas, flavors), as
 * the lab's clouds.yaml has.
 */
import { stringify } from "yaml";
import type { SimCloud } from "./types.js";

function entry(c: SimCloud, username: string, password: string, projectName: string): Record<string, unknown> {
  return {
    auth: {
      auth_url: c.authUrl,
      username,
      password,
      project_name: projectName,
      user_domain_name: c.userDomain,
      project_domain_name: c.projectDomain,
    },
    region_name: c.region,
    interface: "public",
    identity_api_version: 3,
  };
}

/** The clouds.yaml text for the given clouds. */
export function renderCloudsYaml(clouds: readonly SimCloud[], opts: { admin?: boolean } = {}): string {
  const doc: Record<string, unknown> = {};
  for (const c of clouds) {
    doc[c.name] = entry(c, c.username, c.password, c.projectName);
    if (opts.admin) doc[`${c.name}-admin`] = entry(c, c.adminUsername, c.adminPassword, c.adminProjectName);
  }
  return stringify({ clouds: doc });
}
