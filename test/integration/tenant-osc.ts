/**
 * Reads a project's workload with python-openstackclient, the independent
 * witness of the integration suite: what the tool created is checked with a
 * client that shares no code with it.
 *
 * `readTenant` gives every resource by name with references turned into names
 * (a port's network, a rule's remote group, a volume's server), so the source
 * and the target project can be compared field by field once ids and the
 * migration's markers are set aside (`comparable`). `dstInventory` is a
 * coarser id list of everything a project holds, to show that a rollback
 * leaves the target as it was.
 *
 * Quirks of osc 6 (Debian 12): `port list --long` shows no security groups
 * (null), and `security group rule list` prints a null remote prefix as
 * 0.0.0.0/0 — so ports and groups are read with `show`. Rule descriptions
 * come back null or "" for the same empty value. The calls are batched
 * (oscBatch), so everything is addressed by id.
 */
import { oscBatchOk } from "./lab.js";

/** The temporary-resource prefix of the tool (src/movers/temp-names.ts). */
export const TEMP_PREFIX = "scs-migrate-tmp-";

type Rec = Record<string, any>;

export interface TenantRead {
  projectId: string;
  /** name → count, per kind, to find duplicates */
  counts: Record<string, Record<string, number>>;
  ids: Record<string, Record<string, string>>;
  keypairs: Rec;
  networks: Rec;
  subnets: Rec;
  routers: Rec;
  security_groups: Rec;
  ports: Rec;
  server_groups: Rec;
  images: Rec;
  volumes: Rec;
  servers: Rec;
  floating_ips: Rec[];
}

const MARKER_KEYS = ["scs_migrate", "scs_migrate_source"];
const isMarkerTag = (t: string) => t.startsWith("scs-migrate:") || t.startsWith("scs-migrate-src:");

function byName<T extends { name: string }>(rows: T[]): Record<string, T> {
  return Object.fromEntries(rows.map((r) => [r.name, r]));
}

function countNames(rows: { name: string }[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of rows) c[r.name] = (c[r.name] ?? 0) + 1;
  return c;
}


/** Reads the project of `cloud` with osc (two batched client processes): its own resources by name, references as names. */
export async function readTenant(cloud: string): Promise<TenantRead> {
  const [token, ...lists0] = await oscBatchOk(cloud, [
    ["token", "issue"],
    ["keypair", "list"],
    ["network", "list", "--long"],
    ["subnet", "list", "--long"],
    ["router", "list", "--long"],
    ["security", "group", "list"],
    ["port", "list", "--long"],
    ["server", "group", "list", "--long"],
    ["image", "list", "--long"],
    ["volume", "list", "--long"],
    ["server", "list", "--long"],
    ["floating", "ip", "list", "--long"],
  ]);
  const [kps, nets, subs, routers, sgs, ports, sgroups, images, vols, servers, fips] = lists0 as Rec[][] as [Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[]];
  const projectId: string = token.project_id;
  const own = (r: Rec) => r.Project === projectId || r.Project === undefined;
  const myNets = nets.filter((n) => n.Project === projectId);
  const mySubs = subs.filter((s) => s.Project === projectId);
  const myImages = images.filter((i) => i.Project === projectId && !String(i.Name).startsWith(TEMP_PREFIX));
  const myVols = vols.filter((v) => !String(v.Name).startsWith(TEMP_PREFIX));
  const myPorts = ports.filter((p) => String(p["Device Owner"] ?? "").startsWith("compute:"));
  const mySgs = sgs.filter(own);

  const netName = new Map<string, string>(nets.map((n) => [n.ID, n.Name]));
  const subName = new Map<string, string>(subs.map((s) => [s.ID, s.Name]));
  const sgName = new Map<string, string>(sgs.map((g) => [g.ID, g.Name]));
  const srvName = new Map<string, string>(servers.map((s) => [s.ID, s.Name]));
  const volName = new Map<string, string>(vols.map((v) => [v.ID, v.Name]));

  const groups: string[][][] = [
    myNets.map((n: Rec) => ["network", "show", n.ID]),
    routers.filter(own).map((r: Rec) => ["router", "show", r.ID]),
    mySgs.map((g: Rec) => ["security", "group", "show", g.ID]),
    myPorts.map((p: Rec) => ["port", "show", p.ID]),
    myImages.map((i: Rec) => ["image", "show", i.ID]),
    myVols.map((v: Rec) => ["volume", "show", v.ID]),
    servers.map((x: Rec) => ["server", "show", x.ID]),
  ];
  const flat = await oscBatchOk(cloud, groups.flat());
  const [netShows, routerShows, sgShows, portShows, imageShows, volShows, srvShows] = groups.map((g) => flat.splice(0, g.length)) as [Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[]];
  const portName = new Map<string, string>(portShows.map((p) => [p.id, p.name]));

  const t: TenantRead = {
    projectId,
    counts: {},
    ids: {},
    keypairs: Object.fromEntries(kps.map((k) => [k.Name, { fingerprint: k.Fingerprint, type: k.Type }])),
    networks: byName(
      netShows.map((n) => ({
        name: n.name,
        id: n.id,
        description: n.description ?? "",
        admin_state_up: n.admin_state_up,
        shared: n.shared,
        mtu: n.mtu,
        subnets: (n.subnets as string[]).map((s) => subName.get(s) ?? s).sort(),
        tags: n.tags,
      })),
    ),
    subnets: byName(
      mySubs.map((s) => ({
        name: s.Name,
        id: s.ID,
        network: netName.get(s.Network) ?? s.Network,
        cidr: s.Subnet,
        gateway: s.Gateway,
        dhcp: s.DHCP,
        dns: s["Name Servers"],
        pools: s["Allocation Pools"],
        host_routes: s["Host Routes"],
        ip_version: s["IP Version"],
        tags: s.Tags,
      })),
    ),
    routers: byName(
      routerShows.map((r) => ({
        name: r.name,
        id: r.id,
        description: r.description ?? "",
        admin_state_up: r.admin_state_up,
        gateway_network: r.external_gateway_info ? (netName.get(r.external_gateway_info.network_id) ?? r.external_gateway_info.network_id) : null,
        gateway_ips: (r.external_gateway_info?.external_fixed_ips ?? []).length,
        snat: r.external_gateway_info?.enable_snat ?? null,
        interfaces: (r.interfaces_info as { subnet_id: string; ip_address: string }[]).map((i) => `${subName.get(i.subnet_id) ?? i.subnet_id} ${i.ip_address}`).sort(),
        routes: r.routes,
        tags: r.tags,
      })),
    ),
    security_groups: byName(
      sgShows.map((g) => ({
        name: g.name,
        id: g.id,
        description: g.description ?? "",
        stateful: g.stateful,
        tags: g.tags,
        rules: (g.rules as Rec[])
          .map((r) =>
            [
              r.direction,
              r.ethertype,
              r.protocol ?? "any",
              r.port_range_min ?? "",
              r.port_range_max ?? "",
              r.remote_ip_prefix ?? "-",
              r.remote_group_id ? `group:${sgName.get(r.remote_group_id) ?? r.remote_group_id}` : "-",
              r.description ?? "",
            ].join(" "),
          )
          .sort(),
      })),
    ),
    ports: byName(
      portShows.map((p) => ({
        name: p.name,
        id: p.id,
        network: netName.get(p.network_id) ?? p.network_id,
        fixed_ips: (p.fixed_ips as { subnet_id: string; ip_address: string }[]).map((f) => `${subName.get(f.subnet_id) ?? f.subnet_id} ${f.ip_address}`).sort(),
        security_groups: (p.security_group_ids as string[]).map((g) => sgName.get(g) ?? g).sort(),
        server: srvName.get(p.device_id) ?? p.device_id,
        admin_state_up: p.admin_state_up,
        port_security_enabled: p.port_security_enabled,
        description: p.description ?? "",
        tags: p.tags,
      })),
    ),
    server_groups: byName(
      sgroups.map((g: Rec) => ({ name: g.Name, id: g.ID, policy: g.Policy, members: (g.Members as string[]).map((m) => srvName.get(m) ?? m).sort() })),
    ),
    images: byName(
      imageShows.map((i) => ({
        name: i.name,
        id: i.id,
        status: i.status,
        visibility: i.visibility,
        checksum: i.checksum,
        os_hash_algo: i.os_hash_algo ?? null,
        os_hash_value: i.os_hash_value ?? null,
        size: i.size,
        disk_format: i.disk_format,
        container_format: i.container_format,
        min_disk: i.min_disk,
        min_ram: i.min_ram,
        tags: [...(i.tags ?? [])].sort(),
        properties: i.properties ?? {},
      })),
    ),
    volumes: byName(
      volShows.map((v) => ({
        name: v.name,
        id: v.id,
        status: v.status,
        size: v.size,
        type: v.type,
        bootable: v.bootable,
        description: v.description ?? "",
        availability_zone: v.availability_zone,
        attached_to: (v.attachments as { server_id: string }[]).map((a) => srvName.get(a.server_id) ?? a.server_id).sort(),
        metadata: v.properties ?? {},
      })),
    ),
    servers: byName(
      srvShows.map((s) => ({
        name: s.name,
        id: s.id,
        status: s.status,
        power_state: s["OS-EXT-STS:power_state"],
        flavor: String(s.flavor).replace(/ \(.*\)$/, ""),
        image: String(s.image).replace(/ \(.*\)$/, ""),
        key_name: s.key_name,
        availability_zone: s["OS-EXT-AZ:availability_zone"],
        metadata: s.properties ?? {},
        security_groups: [...new Set((s.security_groups as { name: string }[] | undefined ?? []).map((g) => g.name))].sort(),
        volumes: (s.volumes_attached as { id: string }[]).map((v) => volName.get(v.id) ?? v.id).sort(),
        addresses: s.addresses,
      })),
    ),
    floating_ips: fips.map((f: Rec) => ({
      id: f.ID,
      address: f["Floating IP Address"],
      fixed_ip: f["Fixed IP Address"],
      port: f.Port ? (portName.get(f.Port) ?? f.Port) : null,
      network: netName.get(f["Floating Network"]) ?? f["Floating Network"],
      description: f.Description ?? "",
      tags: f.Tags,
    })),
  };
  const lists: Record<string, { name: string; id: string }[]> = {
    keypairs: kps.map((k) => ({ name: k.Name, id: k.Name })),
    networks: myNets.map((n) => ({ name: n.Name, id: n.ID })),
    subnets: mySubs.map((s) => ({ name: s.Name, id: s.ID })),
    routers: routers.filter(own).map((r) => ({ name: r.Name, id: r.ID })),
    security_groups: mySgs.map((g) => ({ name: g.Name, id: g.ID })),
    ports: portShows.map((p) => ({ name: p.name, id: p.id })),
    server_groups: sgroups.map((g) => ({ name: g.Name, id: g.ID })),
    images: myImages.map((i) => ({ name: i.Name, id: i.ID })),
    volumes: myVols.map((v) => ({ name: v.Name, id: v.ID })),
    servers: servers.map((s) => ({ name: s.Name, id: s.ID })),
  };
  for (const [k, rows] of Object.entries(lists)) {
    t.counts[k] = countNames(rows);
    t.ids[k] = Object.fromEntries(rows.map((r) => [r.name, r.id]));
  }
  return t;
}

/** A copy without ids, marker tags and marker metadata: what must be equal on both sides. */
export function comparable<T>(v: T): T {
  if (Array.isArray(v)) return v.filter((x) => typeof x !== "string" || !isMarkerTag(x)).map(comparable) as T;
  if (v && typeof v === "object") {
    const o: Rec = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "id" || MARKER_KEYS.includes(k)) continue;
      o[k] = comparable(x);
    }
    return o as T;
  }
  return v;
}

/** Everything a project holds, as sorted "id name" lines per kind (rules by content), read with osc. */
export async function projectInventory(cloud: string): Promise<Record<string, string[]>> {
  const [token, ...lists0] = await oscBatchOk(cloud, [
    ["token", "issue"],
    ["server", "list"],
    ["volume", "list"],
    ["volume", "snapshot", "list"],
    ["network", "list", "--long"],
    ["subnet", "list", "--long"],
    ["router", "list", "--long"],
    ["port", "list", "--long"],
    ["security", "group", "list"],
    ["security", "group", "rule", "list", "--long"],
    ["floating", "ip", "list"],
    ["keypair", "list"],
    ["server", "group", "list"],
    ["image", "list", "--long"],
  ]);
  const [servers, vols, snaps, nets, subs, routers, ports, sgs, rules, fips, kps, sgroups, images] = lists0 as Rec[][] as [Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[], Rec[]];
  const projectId: string = token.project_id;
  const line = (r: Rec, ...extra: string[]) => [r.ID, r.Name, ...extra].join(" ");
  const sorted = (xs: string[]) => [...xs].sort();
  return {
    servers: sorted(servers.map((r) => line(r, r.Status))),
    volumes: sorted(vols.map((r) => line(r, r.Status))),
    volume_snapshots: sorted(snaps.map((r) => line(r))),
    networks: sorted(nets.filter((n) => n.Project === projectId).map((r) => line(r))),
    subnets: sorted(subs.filter((s) => s.Project === projectId).map((r) => line(r, r.Subnet))),
    routers: sorted(routers.filter((r) => r.Project === projectId).map((r) => line(r))),
    ports: sorted(ports.map((r) => line(r, r["Device Owner"] ?? ""))),
    security_groups: sorted(sgs.filter((g) => g.Project === projectId).map((r) => line(r))),
    security_group_rules: sorted(
      rules.map((r) =>
        [r["Security Group"], r.Direction, r.Ethertype, r["IP Protocol"] ?? "any", r["Port Range"] ?? "", r["IP Range"] ?? "", r["Remote Security Group"] ?? "-"].join(" "),
      ),
    ),
    floating_ips: sorted(fips.map((r) => [r.ID, r["Floating IP Address"], r.Port ?? "-"].join(" "))),
    keypairs: sorted(kps.map((k) => `${k.Name} ${k.Fingerprint}`)),
    server_groups: sorted(sgroups.map((r) => line(r, r.Policy ?? ""))),
    private_images: sorted(images.filter((i) => i.Project === projectId).map((r) => line(r, r.Visibility, r.Checksum ?? ""))),
  };
}
