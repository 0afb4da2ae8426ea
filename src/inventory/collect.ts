/**
 * The inventory collector: reads every resource of the connected project and
 * normalises it into the model of `model.ts`, with references between
 * resources as source ids. No decisions are taken here.
 *
 * Every collection is one paginated list call per service, run in parallel;
 * there are no per-server calls. Relations come from the lists themselves:
 * a server's ports are the ports whose device_id is the server, its volumes
 * come from Cinder's attachments, its server group from the groups' member
 * lists, a router's interfaces from its `network:router_interface*` ports.
 * That keeps a 2,000-server inventory at a few dozen requests.
 */
import type { OpenStackCloud } from "../openstack/cloud.js";
import * as bs from "../openstack/block-storage.js";
import * as compute from "../openstack/compute.js";
import * as glance from "../openstack/image.js";
import * as net from "../openstack/network.js";
import { statusIs } from "../errors.js";
import { log } from "../log.js";
import {
  INVENTORY_FORMAT_VERSION,
  Inventory,
  type AvailabilityZone,
  type Feature,
  type Quotas,
  type Server,
  type Volume,
} from "../model/inventory.js";

/** Runs a list call; a service that forbids or lacks it yields the fallback (with a debug line). */
async function optional<T>(what: string, p: Promise<T>, fallback: T): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (statusIs(err, 403, 404, 501)) {
      log.debug(`Inventory: ${what} not available (${(err as Error).message})`);
      return fallback;
    }
    throw err;
  }
}

const ROOT_DEVICE = /^\/dev\/(x?vd|sd|hd)a$/;

/** Collects the whole project of a connected cloud. */
export async function collectInventory(cloud: OpenStackCloud, opts: { now?: () => Date } = {}): Promise<Inventory> {
  const pid = cloud.projectId;
  const c = cloud.compute;
  const n = cloud.network;
  const b = cloud.blockStorage;
  const g = cloud.image;

  const [
    servers,
    flavors,
    keypairs,
    serverGroups,
    computeQuota,
    computeZones,
    networks,
    subnets,
    routers,
    ports,
    securityGroups,
    floatingIps,
    networkQuota,
    qosPolicies,
    trunks,
    volumes,
    snapshots,
    volumeTypes,
    defaultType,
    volumeQuota,
    volumeZones,
    images,
  ] = await Promise.all([
    compute.listServers(c),
    compute.listFlavors(c, { is_public: "None" }),
    compute.listKeypairs(c),
    compute.listServerGroups(c),
    optional("compute quotas", compute.getQuotaSet(c, pid), {}),
    optional("compute availability zones", compute.listAvailabilityZones(c), []),
    net.listNetworks(n),
    net.listSubnets(n),
    net.listRouters(n),
    net.listPorts(n),
    net.listSecurityGroups(n),
    net.listFloatingIps(n),
    optional("network quotas", net.getQuotaDetails(n, pid), {}),
    optional("QoS policies", net.listQosPolicies(n), []),
    optional("trunks", net.listTrunks(n), []),
    bs.listVolumes(b),
    bs.listSnapshots(b),
    optional("volume types", bs.listVolumeTypes(b), []),
    optional("default volume type", bs.getDefaultVolumeType(b), null),
    optional("volume quotas", bs.getQuotaUsage(b, pid), {}),
    optional("volume availability zones", bs.listAvailabilityZones(b), []),
    glance.listImages(g),
  ]);

  // Flavor extra specs are inline from compute 2.61; older clouds need one call per flavor.
  const flavorModels = await Promise.all(
    flavors.map(async (f) => ({
      id: f.id,
      name: f.name,
      vcpus: f.vcpus,
      ram: f.ram,
      disk: f.disk,
      ephemeral: f.ephemeral,
      swap: f.swap,
      is_public: f.is_public,
      description: f.description,
      extra_specs: f.extra_specs ?? (await optional(`extra specs of flavor ${f.name}`, compute.getFlavorExtraSpecs(c, f.id), {})),
    })),
  );
  const flavorById = new Map(flavorModels.map((f) => [f.id, f]));

  const groupOf = new Map<string, string>();
  for (const sg of serverGroups) for (const m of sg.members) groupOf.set(m, sg.id);
  const portsOf = new Map<string, string[]>();
  for (const p of ports) if (p.device_id && p.device_owner.startsWith("compute:")) (portsOf.get(p.device_id) ?? portsOf.set(p.device_id, []).get(p.device_id)!).push(p.id);

  const volumeModels: Volume[] = volumes.map((v) => ({
    id: v.id,
    name: v.name,
    description: v.description,
    size: v.size,
    status: v.status,
    volume_type: v.volume_type,
    availability_zone: v.availability_zone,
    bootable: v.bootable,
    multiattach: v.multiattach,
    encrypted: v.encrypted,
    metadata: v.metadata,
    image_metadata: v.volume_image_metadata,
    source_image_id: v.volume_image_metadata.image_id ?? null,
    snapshot_id: v.snapshot_id,
    attachments: v.attachments
      .filter((a) => a.server_id)
      .map((a) => ({ server_id: a.server_id!, device: a.device, attachment_id: a.attachment_id }))
      .sort((x, y) => (x.device ?? "").localeCompare(y.device ?? "")),
    created_at: v.created_at,
  }));
  const attachmentsOf = new Map<string, { volume: Volume; device: string | null }[]>();
  for (const v of volumeModels) for (const a of v.attachments) (attachmentsOf.get(a.server_id) ?? attachmentsOf.set(a.server_id, []).get(a.server_id)!).push({ volume: v, device: a.device });

  const serverModels: Server[] = servers.map((s) => {
    const embedded = s.flavor;
    const known = embedded?.id ? flavorById.get(embedded.id) : undefined;
    const atts = (attachmentsOf.get(s.id) ?? []).sort((a, b2) => (a.device ?? "").localeCompare(b2.device ?? ""));
    const bootFromVolume = !s.image_id;
    // Why: the API names no root volume; it is the one on the first disk device (or the first bootable one).
    const root = bootFromVolume ? (atts.find((a) => a.device && ROOT_DEVICE.test(a.device)) ?? atts.find((a) => a.volume.bootable) ?? atts[0]) : undefined;
    const dot = new Map(s.volumes_attached.map((v) => [v.id, v.delete_on_termination]));
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      flavor_id: embedded?.id ?? null,
      flavor_name: embedded?.original_name ?? known?.name ?? "",
      flavor: {
        vcpus: embedded?.vcpus ?? known?.vcpus ?? 0,
        ram: embedded?.ram ?? known?.ram ?? 0,
        disk: embedded?.disk ?? known?.disk ?? 0,
        ephemeral: embedded?.ephemeral ?? known?.ephemeral ?? 0,
        swap: embedded?.swap ?? known?.swap ?? 0,
        extra_specs: embedded?.extra_specs ?? known?.extra_specs ?? {},
      },
      image_id: s.image_id,
      key_name: s.key_name,
      availability_zone: s.availability_zone,
      metadata: s.metadata,
      tags: s.tags,
      security_groups: [...new Set(s.security_groups)].sort(),
      server_group_id: groupOf.get(s.id) ?? null,
      port_ids: (portsOf.get(s.id) ?? []).sort(),
      volumes: atts.map((a) => ({
        volume_id: a.volume.id,
        device: a.device,
        boot_index: root && a.volume.id === root.volume.id ? 0 : null,
        delete_on_termination: dot.get(a.volume.id) ?? false,
      })),
      config_drive: s.config_drive,
      user_data_present: !!s.user_data,
      locked: s.locked,
      created: s.created,
    };
  });

  const interfacesOf = new Map<string, { subnet_id: string; port_id: string; ip_address: string }[]>();
  for (const p of ports) {
    if (!p.device_owner.startsWith("network:router_interface") && p.device_owner !== "network:ha_router_replicated_interface") continue;
    for (const ip of p.fixed_ips) {
      (interfacesOf.get(p.device_id) ?? interfacesOf.set(p.device_id, []).get(p.device_id)!).push({ subnet_id: ip.subnet_id, port_id: p.id, ip_address: ip.ip_address });
    }
  }

  const zones: AvailabilityZone[] = [
    ...computeZones.map((z) => ({ service: "compute" as const, name: z.name, available: z.available })),
    ...volumeZones.map((z) => ({ service: "volume" as const, name: z.name, available: z.available })),
  ];

  const quotas: Quotas = {};
  const q = (key: keyof Quotas, src: Record<string, { limit: number; in_use: number }>, name: string) => {
    const v = src[name];
    if (v) quotas[key] = { limit: v.limit, in_use: v.in_use };
  };
  q("instances", computeQuota, "instances");
  q("cores", computeQuota, "cores");
  q("ram", computeQuota, "ram");
  q("key_pairs", computeQuota, "key_pairs");
  q("server_groups", computeQuota, "server_groups");
  q("volumes", volumeQuota, "volumes");
  q("gigabytes", volumeQuota, "gigabytes");
  q("snapshots", volumeQuota, "snapshots");
  q("networks", networkQuota, "network");
  q("subnets", networkQuota, "subnet");
  q("ports", networkQuota, "port");
  q("routers", networkQuota, "router");
  q("floatingips", networkQuota, "floatingip");
  q("security_groups", networkQuota, "security_group");
  q("security_group_rules", networkQuota, "security_group_rule");

  const features: Feature[] = [
    ...qosPolicies.filter((p) => p.project_id === pid).map((p) => ({ kind: "qos-policy", id: p.id, name: p.name, detail: `${p.rules.length} rule(s)` })),
    ...trunks.map((t) => ({ kind: "trunk", id: t.id, name: t.name, detail: `parent port ${t.port_id}, ${t.sub_ports.length} subport(s)` })),
    ...ports.filter((p) => p.qos_policy_id).map((p) => ({ kind: "port-qos", id: p.id, name: p.name, detail: `QoS policy ${p.qos_policy_id}` })),
    ...networks.filter((x) => x.qos_policy_id && x.project_id === pid).map((x) => ({ kind: "network-qos", id: x.id, name: x.name, detail: `QoS policy ${x.qos_policy_id}` })),
  ];

  const inv: Inventory = {
    meta: {
      formatVersion: INVENTORY_FORMAT_VERSION,
      cloud: cloud.name,
      region: cloud.region,
      project_id: pid,
      project_name: cloud.projectName,
      auth_url: cloud.authUrl,
      collectedAt: (opts.now ?? (() => new Date()))().toISOString(),
      microversions: { ...cloud.microversions },
    },
    keypairs: keypairs.map((k) => ({ id: k.name, name: k.name, type: k.type, public_key: k.public_key, fingerprint: k.fingerprint })),
    flavors: flavorModels,
    networks: networks.map((x) => ({
      id: x.id,
      name: x.name,
      description: x.description,
      admin_state_up: x.admin_state_up,
      shared: x.shared,
      external: x.external,
      is_default: x.is_default,
      mtu: x.mtu,
      port_security_enabled: x.port_security_enabled,
      project_id: x.project_id,
      availability_zone_hints: x.availability_zone_hints,
      tags: x.tags,
    })),
    subnets: subnets.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      network_id: s.network_id,
      ip_version: s.ip_version,
      cidr: s.cidr,
      gateway_ip: s.gateway_ip,
      enable_dhcp: s.enable_dhcp,
      allocation_pools: s.allocation_pools,
      dns_nameservers: s.dns_nameservers,
      host_routes: s.host_routes,
      ipv6_address_mode: s.ipv6_address_mode,
      ipv6_ra_mode: s.ipv6_ra_mode,
      subnetpool_id: s.subnetpool_id,
      project_id: s.project_id,
      tags: s.tags,
    })),
    routers: routers.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      admin_state_up: r.admin_state_up,
      external_gateway: r.external_gateway_info,
      interfaces: (interfacesOf.get(r.id) ?? []).sort((a, x) => a.subnet_id.localeCompare(x.subnet_id)),
      routes: r.routes,
      project_id: r.project_id,
      tags: r.tags,
    })),
    security_groups: securityGroups.map((sg) => ({
      id: sg.id,
      name: sg.name,
      description: sg.description,
      stateful: sg.stateful,
      project_id: sg.project_id,
      tags: sg.tags,
      rules: sg.security_group_rules
        .map((r) => ({
          id: r.id,
          direction: r.direction,
          ethertype: r.ethertype,
          protocol: r.protocol,
          port_range_min: r.port_range_min,
          port_range_max: r.port_range_max,
          remote_ip_prefix: r.remote_ip_prefix,
          remote_group_id: r.remote_group_id,
          description: r.description,
        }))
        .sort((a, x) => a.id.localeCompare(x.id)),
    })),
    ports: ports.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      network_id: p.network_id,
      mac_address: p.mac_address,
      fixed_ips: p.fixed_ips,
      security_group_ids: [...p.security_groups].sort(),
      port_security_enabled: p.port_security_enabled,
      admin_state_up: p.admin_state_up,
      allowed_address_pairs: p.allowed_address_pairs.map((a) => (a.mac_address ? { ip_address: a.ip_address, mac_address: a.mac_address } : { ip_address: a.ip_address })),
      device_owner: p.device_owner,
      device_id: p.device_id,
      status: p.status,
      project_id: p.project_id,
      tags: p.tags,
    })),
    floating_ips: floatingIps.map((f) => ({
      id: f.id,
      floating_ip_address: f.floating_ip_address,
      floating_network_id: f.floating_network_id,
      port_id: f.port_id,
      fixed_ip_address: f.fixed_ip_address,
      description: f.description,
      status: f.status,
      project_id: f.project_id,
      tags: f.tags,
    })),
    server_groups: serverGroups.map((sg) => ({ id: sg.id, name: sg.name, policy: sg.policy, rules: sg.rules, members: [...sg.members].sort() })),
    images: images.map((i) => ({
      id: i.id,
      name: i.name,
      status: i.status,
      visibility: i.visibility,
      owner: i.owner,
      disk_format: i.disk_format,
      container_format: i.container_format,
      size: i.size,
      min_disk: i.min_disk,
      min_ram: i.min_ram,
      checksum: i.checksum,
      os_hash_algo: i.os_hash_algo,
      os_hash_value: i.os_hash_value,
      protected: i.protected,
      tags: [...i.tags].sort(),
      properties: { ...i.properties, ...(i.os_hidden ? { os_hidden: "true" } : {}) },
      created_at: i.created_at,
    })),
    volume_types: volumeTypes.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      is_public: t.is_public,
      is_default: defaultType ? t.id === defaultType.id : t.name === "__DEFAULT__",
      extra_specs: t.extra_specs,
    })),
    volumes: volumeModels,
    volume_snapshots: snapshots.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      volume_id: s.volume_id,
      size: s.size,
      status: s.status,
      metadata: s.metadata,
      created_at: s.created_at,
    })),
    servers: serverModels,
    availability_zones: zones,
    quotas,
    features,
  };
  // Sorting makes two inventories of the same project identical whatever order the APIs use.
  for (const k of ["networks", "subnets", "routers", "security_groups", "ports", "floating_ips", "server_groups", "images", "volume_types", "volumes", "volume_snapshots", "servers", "flavors", "keypairs"] as const) {
    (inv[k] as { id: string }[]).sort((a, x) => (a.id < x.id ? -1 : a.id > x.id ? 1 : 0));
  }
  return Inventory.parse(inv);
}
