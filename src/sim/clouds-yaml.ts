/**
 * clouds.yaml content for simulated clouds, in openstacksdk's format, so that
 * openstackclient (`openstack --os-cloud NAME …`) and the tool's own config
 * loader reach the simulator unchanged.
 */
import { stringify } from "yaml";
import type { SimCloud } from "./types.js";

/** The clouds.yaml text for the given clouds. */
export function renderCloudsYaml(clouds: readonly SimCloud[]): string {
  const doc: Record<string, unknown> = {};
  for (const c of clouds) {
    doc[c.name] = {
      auth: {
        auth_url: c.authUrl,
        username: c.username,
        password: c.password,
        project_name: c.projectName,
        user_domain_name: c.userDomain,
        project_domain_name: c.projectDomain,
      },
      region_name: c.region,
      interface: "public",
      identity_api_version: 3,
    };
  }
  return stringify({ clouds: doc });
}
