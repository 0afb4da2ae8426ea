/**
 * Server and server-group checks of the portability assessment: how servers
 * were created in ways another cloud may refuse or treat differently. Pure:
 * reads servers (`GET /servers/detail`) and server groups
 * (`GET /os-server-groups`) from the inventory.
 *
 * Quirks:
 * - Image boot on a zero-disk flavor is refused for non-admins by Nova's
 *   default policy `os_compute_api:servers:create:zero_disk_flavor` (Stein
 *   on); a source that allowed it has a custom policy, and every mandatory
 *   diskless SCS flavor hits it on a default target.
 *   https://docs.openstack.org/nova/latest/configuration/policy.html
 * - User data is write-only for projects: `OS-EXT-SRV-ATTR:user_data` (compute
 *   2.3+) is admin-only by default, so the inventory knows only that it was
 *   set. A copied server boots with a new instance id, and cloud-init re-runs
 *   its per-instance modules.
 * - `affinity` (hard) needs one host with room for every member at once;
 *   `anti-affinity` (hard) needs as many hosts as members. The soft variants
 *   never fail scheduling, so they are not findings.
 */
import type { AssessContext } from "./context.js";
import { finding, listNames, nameOf, plural, ref } from "./context.js";
import type { Finding } from "./types.js";

/** Findings about how servers and server groups were set up. */
export function checkServers(ctx: AssessContext): Finding[] {
  const out: Finding[] = [];
  for (const s of ctx.inv.servers) {
    const resource = ref("server", s);
    if (s.image_id && s.flavor.disk === 0) {
      const image = ctx.imageById.get(s.image_id);
      out.push(
        finding(
          "server-diskless-image-boot",
          "minor",
          resource,
          `${nameOf(s)} boots from image ${image ? nameOf(image) : s.image_id} on ${s.flavor_name}, which has no root disk; Nova's default policy (create:zero_disk_flavor) lets only admins do that, so recreating it the same way fails on a default target`,
          `Boot it from a volume created from the image (block_device_mapping_v2: source_type image, destination_type volume, volume_size at least the image's min_disk) in templates; the move copies its root disk into such a volume.`,
        ),
      );
    }
    if (s.user_data_present) {
      out.push(
        finding(
          "server-user-data",
          "minor",
          resource,
          `${nameOf(s)} was created with user data, which the API does not give back to the project; on the target it boots with a new instance id, so cloud-init re-runs its per-instance modules without it`,
          `Keep the user data in your deployment code and pass it again when recreating ${nameOf(s)}, or make sure a re-run of the per-instance modules (users, SSH host keys, runcmd) does no harm.`,
        ),
      );
    }
    if (s.config_drive) {
      out.push(
        finding(
          "server-config-drive",
          "info",
          resource,
          `${nameOf(s)} reads its metadata from a config drive; the target builds a new one (new instance id, new addresses)`,
          `Request config_drive=true for ${nameOf(s)} on the target if the guest does not use the metadata service.`,
        ),
      );
    }
  }
  for (const g of ctx.inv.server_groups) {
    const members = g.members.map((id) => {
      const s = ctx.serverById.get(id);
      return s ? nameOf(s) : id;
    });
    const who = members.length ? `: ${listNames(members)}` : "";
    if (g.policy === "affinity") {
      out.push(
        finding(
          "server-group-affinity",
          "minor",
          ref("server-group", g),
          `server group ${nameOf(g)} has hard affinity for ${plural(members.length, "server")}${who}: they share one host, so one host failure stops all, and the target must find one host with room for all at once`,
          `Use soft-affinity (or anti-affinity, for redundancy) for ${nameOf(g)}, so the target scheduler can place the servers.`,
        ),
      );
    } else if (g.policy === "anti-affinity") {
      out.push(
        finding(
          "server-group-anti-affinity",
          "info",
          ref("server-group", g),
          `server group ${nameOf(g)} has hard anti-affinity for ${plural(members.length, "server")}${who}: the target needs as many hosts, or the last ones fail to schedule`,
          `Keep it if the target has enough hosts; soft-anti-affinity spreads the servers as far as the target allows without failing.`,
        ),
      );
    }
  }
  return out;
}
