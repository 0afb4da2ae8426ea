/**
 * `seed`: builds the resources of a tenant spec in a cloud, through the same
 * client layer the migration uses, so it works on simulated and real clouds
 * alike. Seeding is idempotent by name: what already exists is reused, so a
 * half-finished seed can simply be run again.
 *
 * Data: images get deterministic content (content.ts). A volume with content
 * is written the way a user would: a temporary image with the bytes, a volume
 * made from it, the temporary image deleted, and the bootable flag cleared.
 */
import * as bs from "../openstack/block-storage.js";
import * as compute from "../openstack/compute.js";
import * as glance from "../openstack/image.js";
import * as net from "../openstack/network.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import { ConfigError, statusIs } from "../errors.js";
import { log } from "../log.js";
import { contentBytes, contentStream } from "./content.js";
import type { TenantSpec } from "./spec.js";
import { seedLoadBalancers } from "./seed-load-balancers.js";

export interface SeedOptions {
  /** First poll delay of waiters (the simulator answers in milliseconds, real clouds in seconds). */
  pollMs?: number;
  timeoutMs?: number;
  onProgress?: (line: string) => void;
}

/** Ids of what seed made or found, by spec name. */
export interface SeedResult {
  networks: Record<string, string>;
  subnets: Record<string, string>;
  routers: Record<string, string>;
  securityGroups: Record<string, string>;
  keypairs: string[];
  serverGroups: Record<string, string>;
  images: Record<string, string>;
  volumes: Record<string, string>;
  servers: Record<string, string>;
  floatingIps: Record<string, string>;
  created: number;
  reused: number;
}

/** Seeds a tenant spec into a cloud. */
export async function seedTenant(cloud: OpenStackCloud, spec: TenantSpec, opts: SeedOptions = {}): Promise<SeedResult> {
  const wait = { minDelay: opts.pollMs ?? 1000, maxDelay: Math.max(opts.pollMs ?? 1000, 5000), timeoutMs: opts.timeoutMs ?? 15 * 60_000 };
  const say = opts.onProgress ?? ((l: string) => log.info(l));
  const r: SeedResult = { networks: {}, subnets: {}, routers: {}, securityGroups: {}, keypairs: [], serverGroups: {}, images: {}, volumes: {}, servers: {}, floatingIps: {}, created: 0, reused: 0 };
  const made = (what: string) => {
    r.created++;
    say(`Created ${what}`);
  };
  const reused = (what: string) => {
    r.reused++;
    say(`Reused ${what}`);
  };
  const c = cloud.compute;
  const n = cloud.network;
  const b = cloud.blockStorage;
  const g = cloud.image;
  const pid = cloud.projectId;

  // Keypairs.
  const existingKeys = await compute.listKeypairs(c);
  for (const k of spec.keypairs) {
    const have = existingKeys.find((e) => e.name === k.name);
    if (have) {
      if (have.public_key.trim() !== k.public_key.trim()) throw new ConfigError(`keypair ${k.name} exists in cloud ${cloud.name} with another public key`);
      reused(`keypair/${k.name}`);
    } else {
      await compute.createKeypair(c, { name: k.name, public_key: k.public_key, type: k.type });
      made(`keypair/${k.name}`);
    }
    r.keypairs.push(k.name);
  }

  // Networks and subnets.
  const nets = await net.listNetworks(n);
  const subs = await net.listSubnets(n);
  for (const ns of spec.networks) {
    let netw = nets.find((x) => x.name === ns.name && x.project_id === pid);
    if (netw) reused(`network/${ns.name}`);
    else {
      netw = await net.createNetwork(n, {
        name: ns.name,
        description: ns.description,
        ...(ns.mtu !== undefined ? { mtu: ns.mtu } : {}),
        ...(ns.port_security_enabled !== undefined ? { port_security_enabled: ns.port_security_enabled } : {}),
      });
      made(`network/${ns.name}`);
    }
    r.networks[ns.name] = netw.id;
    for (const ss of ns.subnets) {
      const have = subs.find((x) => x.name === ss.name && x.network_id === netw!.id);
      if (have) {
        reused(`subnet/${ss.name}`);
        r.subnets[ss.name] = have.id;
        continue;
      }
      const sub = await net.createSubnet(n, {
        name: ss.name,
        description: ss.description,
        network_id: netw.id,
        ip_version: ss.ip_version,
        cidr: ss.cidr,
        enable_dhcp: ss.enable_dhcp,
        ...(ss.gateway_ip !== undefined ? { gateway_ip: ss.gateway_ip } : {}),
        ...(ss.allocation_pools ? { allocation_pools: ss.allocation_pools } : {}),
        dns_nameservers: ss.dns_nameservers,
        host_routes: ss.host_routes,
      });
      r.subnets[ss.name] = sub.id;
      made(`subnet/${ss.name}`);
    }
  }

  // Routers.
  const external = nets.filter((x) => x.external).sort((a, b2) => Number(b2.is_default) - Number(a.is_default) || a.name.localeCompare(b2.name))[0];
  const routers = await net.listRouters(n);
  for (const rs of spec.routers) {
    let router = routers.find((x) => x.name === rs.name && x.project_id === pid);
    if (router) reused(`router/${rs.name}`);
    else {
      if (rs.external_gateway && !external) throw new ConfigError(`router ${rs.name} wants an external gateway but cloud ${cloud.name} has no external network`);
      router = await net.createRouter(n, {
        name: rs.name,
        description: rs.description,
        ...(rs.external_gateway && external ? { external_gateway_info: { network_id: external.id } } : {}),
      });
      made(`router/${rs.name}`);
    }
    r.routers[rs.name] = router.id;
    const attached = new Set((await net.listPorts(n, { device_id: router.id })).flatMap((p) => p.fixed_ips.map((f) => f.subnet_id)));
    for (const s of rs.interfaces) {
      const sid = r.subnets[s]!;
      if (attached.has(sid)) continue;
      await net.addRouterInterface(n, router.id, { subnet_id: sid });
    }
    if (rs.routes.length > 0) await net.updateRouter(n, router.id, { routes: rs.routes });
  }

  // Security groups: groups first, then rules (rules may reference any group).
  const groups = await net.listSecurityGroups(n);
  for (const gs of spec.security_groups) {
    let grp = groups.find((x) => x.name === gs.name && x.project_id === pid);
    if (grp) reused(`security-group/${gs.name}`);
    else {
      grp = await net.createSecurityGroup(n, { name: gs.name, description: gs.description });
      made(`security-group/${gs.name}`);
    }
    r.securityGroups[gs.name] = grp.id;
  }
  const defaultGroup = groups.find((x) => x.name === "default" && x.project_id === pid);
  if (defaultGroup) r.securityGroups.default ??= defaultGroup.id;
  for (const gs of spec.security_groups) {
    for (const rule of gs.rules) {
      try {
        await net.createSecurityGroupRule(n, {
          security_group_id: r.securityGroups[gs.name],
          direction: rule.direction,
          ethertype: rule.ethertype,
          ...(rule.protocol !== null ? { protocol: rule.protocol } : {}),
          ...(rule.port_range_min !== null ? { port_range_min: rule.port_range_min } : {}),
          ...(rule.port_range_max !== null ? { port_range_max: rule.port_range_max } : {}),
          ...(rule.remote_ip_prefix !== null ? { remote_ip_prefix: rule.remote_ip_prefix } : {}),
          ...(rule.remote_group !== null ? { remote_group_id: r.securityGroups[rule.remote_group] } : {}),
          ...(rule.description ? { description: rule.description } : {}),
        });
      } catch (err) {
        // Why: a re-run finds its rules already there; Neutron answers 409 SecurityGroupRuleExists.
        if (!statusIs(err, 409)) throw err;
      }
    }
  }

  // Server groups.
  const sgroups = await compute.listServerGroups(c);
  for (const gs of spec.server_groups) {
    const have = sgroups.find((x) => x.name === gs.name);
    if (have) {
      reused(`server-group/${gs.name}`);
      r.serverGroups[gs.name] = have.id;
    } else {
      r.serverGroups[gs.name] = (await compute.createServerGroup(c, { name: gs.name, policy: gs.policy })).id;
      made(`server-group/${gs.name}`);
    }
  }

  // Images.
  const images = await glance.listImages(g);
  const imageByName = (name: string) =>
    r.images[name] ??
    images.filter((i) => i.name === name && i.status === "active").sort((a, b2) => (b2.created_at ?? "").localeCompare(a.created_at ?? ""))[0]?.id;
  for (const is of spec.images) {
    const have = images.find((i) => i.name === is.name && i.owner === pid && i.status === "active");
    if (have) {
      reused(`image/${is.name}`);
      r.images[is.name] = have.id;
      continue;
    }
    r.images[is.name] = await uploadContentImage(cloud, {
      name: is.name,
      disk_format: is.disk_format,
      container_format: is.container_format,
      visibility: is.visibility,
      min_disk: is.min_disk,
      min_ram: is.min_ram,
      tags: is.tags,
      properties: is.properties,
      seed: is.content.seed ?? is.name,
      bytes: contentBytes(is.content.size_mb),
      wait,
    });
    made(`image/${is.name}`);
  }

  // Volumes.
  const volumes = await bs.listVolumes(b);
  for (const vs of spec.volumes) {
    const have = volumes.find((v) => v.name === vs.name && !["error", "deleting"].includes(v.status));
    if (have) {
      reused(`volume/${vs.name}`);
      r.volumes[vs.name] = have.id;
      continue;
    }
    let imageRef: string | undefined;
    let tempImage: string | undefined;
    if (vs.image) {
      imageRef = imageByName(vs.image);
      if (!imageRef) throw new ConfigError(`volume ${vs.name}: no active image named "${vs.image}" in cloud ${cloud.name}`);
    } else if (vs.content) {
      tempImage = await uploadContentImage(cloud, {
        name: `seed-tmp-${vs.name}`,
        disk_format: "raw",
        container_format: "bare",
        visibility: "private",
        seed: vs.content.seed ?? vs.name,
        bytes: contentBytes(vs.content.size_mb),
        wait,
      });
      imageRef = tempImage;
    }
    const vol = await bs.createVolume(b, {
      name: vs.name,
      size: vs.size,
      description: vs.description,
      metadata: vs.metadata,
      ...(vs.volume_type ? { volume_type: vs.volume_type } : {}),
      ...(imageRef ? { imageRef } : {}),
    });
    await bs.waitForVolume(b, vol.id, "available", wait);
    if (tempImage) {
      await glance.deleteImage(g, tempImage);
      await bs.setVolumeBootable(b, vol.id, false);
    }
    r.volumes[vs.name] = vol.id;
    made(`volume/${vs.name}`);
  }

  // Servers: ports with fixed IPs first, then the server, then volumes and floating IPs.
  const flavors = await compute.listFlavors(c, { is_public: "None" });
  const servers = await compute.listServers(c);
  const fips = await net.listFloatingIps(n);
  for (const ss of spec.servers) {
    const flavor = flavors.find((f) => f.name === ss.flavor);
    if (!flavor) throw new ConfigError(`server ${ss.name}: flavor "${ss.flavor}" does not exist in cloud ${cloud.name}`);
    let server = servers.find((s) => s.name === ss.name && s.status !== "ERROR");
    if (server) reused(`server/${ss.name}`);
    else {
      const portIds: string[] = [];
      for (const [i, ps] of ss.ports.entries()) {
        const name = ps.name ?? `${ss.name}-port-${i}`;
        const existing = (await net.listPorts(n, { name, network_id: r.networks[ps.network]! }))[0];
        if (existing) {
          portIds.push(existing.id);
          continue;
        }
        const sgs = (ps.security_groups ?? ss.security_groups).map((x) => r.securityGroups[x]!);
        const fixed = ps.fixed_ip || ps.subnet ? [{ ...(ps.subnet ? { subnet_id: r.subnets[ps.subnet] } : {}), ...(ps.fixed_ip ? { ip_address: ps.fixed_ip } : {}) }] : undefined;
        const port = await net.createPort(n, { name, network_id: r.networks[ps.network], ...(fixed ? { fixed_ips: fixed } : {}), ...(sgs.length ? { security_groups: sgs } : {}) });
        portIds.push(port.id);
      }
      const imageRef = ss.image ? imageByName(ss.image) : undefined;
      if (ss.image && !imageRef) throw new ConfigError(`server ${ss.name}: no active image named "${ss.image}" in cloud ${cloud.name}`);
      const id = await compute.createServer(c, {
        name: ss.name,
        flavorRef: flavor.id,
        ...(imageRef ? { imageRef } : {}),
        ...(ss.boot_volume
          ? { block_device_mapping_v2: [{ boot_index: 0, uuid: r.volumes[ss.boot_volume]!, source_type: "volume", destination_type: "volume", delete_on_termination: false }] }
          : {}),
        networks: portIds.map((port) => ({ port })),
        ...(ss.key_name ? { key_name: ss.key_name } : {}),
        ...(ss.availability_zone ? { availability_zone: ss.availability_zone } : {}),
        ...(ss.server_group ? { scheduler_hints: { group: r.serverGroups[ss.server_group]! } } : {}),
        metadata: ss.metadata,
        ...(ss.tags.length ? { tags: ss.tags } : {}),
      });
      server = await compute.waitForServer(c, id, "ACTIVE", wait);
      made(`server/${ss.name}`);
    }
    r.servers[ss.name] = server.id;
    const attached = new Set((await compute.listVolumeAttachments(c, server.id)).map((a) => a.volume_id));
    for (const v of ss.volumes) {
      const vid = r.volumes[v]!;
      if (attached.has(vid)) continue;
      await compute.attachVolume(c, server.id, vid);
      await bs.waitForVolume(b, vid, "in-use", wait);
    }
    if (ss.floating_ip) {
      const port = (await net.listPorts(n, { device_id: server.id })).sort((a, b2) => a.name.localeCompare(b2.name))[0];
      if (!port) throw new ConfigError(`server ${ss.name} has no port for its floating IP`);
      const have = fips.find((f) => f.port_id === port.id);
      if (have) r.floatingIps[ss.name] = have.floating_ip_address;
      else {
        if (!external) throw new ConfigError(`server ${ss.name} wants a floating IP but cloud ${cloud.name} has no external network`);
        const fip = await net.createFloatingIp(n, { floating_network_id: external.id, port_id: port.id });
        r.floatingIps[ss.name] = fip.floating_ip_address;
        made(`floating-ip/${fip.floating_ip_address}`);
      }
    }
    if (ss.stopped && server.status !== "SHUTOFF") {
      await compute.stopServer(c, server.id);
      await compute.waitForServer(c, server.id, "SHUTOFF", wait);
    }
  }
  Object.assign(r.floatingIps, await seedLoadBalancers({ cloud, subnets: r.subnets, servers: r.servers, wait, made, reused }, spec.load_balancers));
  return r;
}

/** Creates an image and streams deterministic content into it; returns its id once active. */
export async function uploadContentImage(
  cloud: OpenStackCloud,
  o: {
    name: string;
    disk_format: string;
    container_format: string;
    visibility: "private" | "shared" | "community";
    min_disk?: number;
    min_ram?: number;
    tags?: string[];
    properties?: Record<string, string>;
    seed: string;
    bytes: number;
    wait: { minDelay: number; maxDelay: number; timeoutMs: number };
  },
): Promise<string> {
  const img = await glance.createImage(cloud.image, {
    name: o.name,
    disk_format: o.disk_format,
    container_format: o.container_format,
    visibility: o.visibility,
    ...(o.min_disk !== undefined ? { min_disk: o.min_disk } : {}),
    ...(o.min_ram !== undefined ? { min_ram: o.min_ram } : {}),
    ...(o.tags?.length ? { tags: o.tags } : {}),
    ...(o.properties && Object.keys(o.properties).length ? { properties: o.properties } : {}),
  });
  await glance.uploadImageData(cloud.image, img.id, contentStream(o.seed, o.bytes), { size: o.bytes });
  await glance.waitForImage(cloud.image, img.id, "active", o.wait);
  return img.id;
}
