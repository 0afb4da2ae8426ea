/**
 * An id-free view of a project, keyed by names, for comparing a source
 * project with its migrated copy the way a user would look at both: same
 * networks and CIDRs, same rules, same fixed IPs, same data. Everything that
 * legitimately differs between clouds (ids, MACs, floating addresses,
 * timestamps, markers) is left out; flavors are shown by name so a test can
 * state the expected mapping.
 */
import type { Inventory } from "../../src/model/inventory.js";
import { userMetadata, userTags } from "../../src/kinds/common.js";

const sortObj = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
const anyPrefix = (p: string | null) => (p === "0.0.0.0/0" || p === "::/0" ? null : p);

export function tenantView(inv: Inventory, volumeDigest?: (volumeId: string) => string | null) {
  const pid = inv.meta.project_id;
  const mine = <T extends { project_id?: string | null }>(xs: T[]) => xs.filter((x) => x.project_id === pid || x.project_id === null || x.project_id === undefined);
  const netName = new Map(inv.networks.map((n) => [n.id, n.name]));
  const subName = new Map(inv.subnets.map((s) => [s.id, s.name]));
  const sgName = new Map(inv.security_groups.map((g) => [g.id, g.name]));
  const srvName = new Map(inv.servers.map((s) => [s.id, s.name]));
  const volName = new Map(inv.volumes.map((v) => [v.id, v.name]));
  const portsOf = (serverId: string) =>
    inv.ports
      .filter((p) => p.device_id === serverId)
      .map((p) => `${netName.get(p.network_id)}:${p.fixed_ips.map((f) => f.ip_address).sort().join(",")}:${p.security_group_ids.map((g) => sgName.get(g)).sort().join(",")}`)
      .sort();
  return {
    keypairs: sortObj(Object.fromEntries(inv.keypairs.map((k) => [k.name, k.public_key.trim()]))),
    networks: sortObj(Object.fromEntries(mine(inv.networks).filter((n) => !n.external).map((n) => [n.name, { description: n.description, admin_state_up: n.admin_state_up, tags: userTags(n.tags) }]))),
    subnets: sortObj(
      Object.fromEntries(
        mine(inv.subnets)
          .filter((s) => netName.has(s.network_id) && !inv.networks.find((n) => n.id === s.network_id)?.external)
          .map((s) => [s.name, { network: netName.get(s.network_id), cidr: s.cidr, gateway_ip: s.gateway_ip, enable_dhcp: s.enable_dhcp, allocation_pools: s.allocation_pools, dns_nameservers: s.dns_nameservers, host_routes: s.host_routes }]),
      ),
    ),
    routers: sortObj(Object.fromEntries(mine(inv.routers).map((r) => [r.name, { gateway: r.external_gateway !== null, interfaces: r.interfaces.map((i) => `${subName.get(i.subnet_id)}=${i.ip_address}`).sort(), routes: r.routes }]))),
    security_groups: sortObj(
      Object.fromEntries(
        mine(inv.security_groups).map((g) => [
          g.name,
          g.rules
            .map((r) => `${r.direction} ${r.ethertype} ${r.protocol ?? "any"} ${r.port_range_min ?? ""}-${r.port_range_max ?? ""} ${anyPrefix(r.remote_ip_prefix) ?? ""} ${r.remote_group_id ? `group:${sgName.get(r.remote_group_id)}` : ""}`)
            .sort(),
        ]),
      ),
    ),
    server_groups: sortObj(Object.fromEntries(inv.server_groups.map((g) => [g.name, { policy: g.policy, members: g.members.map((m) => srvName.get(m) ?? "?").sort() }]))),
    images: sortObj(Object.fromEntries(inv.images.filter((i) => i.owner === pid).map((i) => [i.name, { checksum: i.checksum, disk_format: i.disk_format, min_disk: i.min_disk, properties: userMetadata(i.properties) }]))),
    volumes: sortObj(
      Object.fromEntries(
        inv.volumes.map((v) => [v.name, { size: v.size, bootable: v.bootable, status: v.status, metadata: userMetadata(v.metadata), attached: v.attachments.map((a) => srvName.get(a.server_id)).sort(), ...(volumeDigest ? { data: volumeDigest(v.id) } : {}) }]),
      ),
    ),
    servers: sortObj(
      Object.fromEntries(
        inv.servers.map((s) => [
          s.name,
          {
            status: s.status,
            flavor: s.flavor_name,
            key_name: s.key_name,
            metadata: userMetadata(s.metadata),
            tags: userTags(s.tags),
            ports: portsOf(s.id),
            volumes: s.volumes.map((v) => `${volName.get(v.volume_id)}${v.boot_index === 0 ? " (boot)" : ""}`).sort(),
            server_group: inv.server_groups.find((g) => g.id === s.server_group_id)?.name ?? null,
            boots_from_volume: s.image_id === null,
          },
        ]),
      ),
    ),
    floating_ips: mine(inv.floating_ips)
      .map((f) => {
        const port = inv.ports.find((p) => p.id === f.port_id);
        return port ? `${srvName.get(port.device_id) ?? netName.get(port.network_id)}:${f.fixed_ip_address}` : "unassociated";
      })
      .sort(),
  };
}

export type TenantView = ReturnType<typeof tenantView>;
