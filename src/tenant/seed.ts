/**
 * `seed`: builds the resources of a tenant spec in a cloud, through the same
 * client layer the migration uses, so it works on simulated and real clouds
 * alike. Seeding is idempotent: what already exists is reused (found by name,
 * or by its key mark for same-named twins, see seed-context.ts), so a
 * half-finished seed can simply be run again.
 *
 * Order: quotas and private flavors (admin identity), keypairs, networks and
 * subnets, routers, security groups, standalone ports, server groups, images,
 * volumes, servers.
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
import { ConfigError } from "../errors.js";
import { log } from "../log.js";
import { contentBytes, contentStream } from "./content.js";
import { keyOf, type ServerSpec, type TenantSpec } from "./spec.js";
import { seedFlavors, seedQuotas } from "./seed-admin.js";
import { KEY_PROPERTY, matches, seedContext, twinNames, type SeedCtx, type SeedOptions, type SeedResult } from "./seed-context.js";
import { externalNetwork, seedNetworks, seedPorts, seedRouters, seedSecurityGroups } from "./seed-network.js";
import { seedLoadBalancers } from "./seed-load-balancers.js";

export type { SeedOptions, SeedResult } from "./seed-context.js";

/** Seeds a tenant spec into a cloud. */
export async function seedTenant(cloud: OpenStackCloud, spec: TenantSpec, opts: SeedOptions = {}): Promise<SeedResult> {
  const sc = seedContext(cloud, spec, opts, opts.onProgress ?? ((l: string) => log.info(l)));
  await seedQuotas(sc);
  await seedFlavors(sc);
  await seedKeypairs(sc);
  const nets = await net.listNetworks(cloud.network);
  const external = externalNetwork(nets);
  await seedNetworks(sc, nets);
  await seedRouters(sc, external);
  await seedSecurityGroups(sc);
  await seedPorts(sc);
  await seedServerGroups(sc);
  const imageByKey = await seedImages(sc);
  await seedVolumes(sc, imageByKey);
  await seedServers(sc, imageByKey, external);
  Object.assign(sc.r.floatingIps, await seedLoadBalancers({ cloud, subnets: sc.r.subnets, servers: sc.r.servers, wait: sc.wait, made: sc.made, reused: sc.reused }, spec.load_balancers));
  return sc.r;
}

async function seedKeypairs(sc: SeedCtx): Promise<void> {
  const existing = await compute.listKeypairs(sc.cloud.compute);
  for (const k of sc.spec.keypairs) {
    const have = existing.find((e) => e.name === k.name);
    if (have) {
      if (have.public_key.trim() !== k.public_key.trim()) throw new ConfigError(`keypair ${k.name} exists in cloud ${sc.cloud.name} with another public key`);
      sc.reused(`keypair/${k.name}`);
    } else {
      await compute.createKeypair(sc.cloud.compute, { name: k.name, public_key: k.public_key, type: k.type });
      sc.made(`keypair/${k.name}`);
    }
    sc.r.keypairs.push(k.name);
  }
}

async function seedServerGroups(sc: SeedCtx): Promise<void> {
  const c = sc.cloud.compute;
  const existing = await compute.listServerGroups(c);
  for (const gs of sc.spec.server_groups) {
    const have = existing.find((x) => x.name === gs.name);
    if (have) {
      sc.reused(`server-group/${gs.name}`);
      sc.r.serverGroups[gs.name] = have.id;
    } else {
      sc.r.serverGroups[gs.name] = (await compute.createServerGroup(c, { name: gs.name, policy: gs.policy })).id;
      sc.made(`server-group/${gs.name}`);
    }
  }
}

/** Uploads the spec's images; returns a resolver from a spec key (or a cloud image name) to an image id. */
async function seedImages(sc: SeedCtx): Promise<(ref: string) => string | undefined> {
  const images = await glance.listImages(sc.cloud.image);
  const twins = twinNames(sc.spec.images);
  for (const is of sc.spec.images) {
    const have = images.find((i) => i.owner === sc.pid && i.status === "active" && matches(is, twins, { name: i.name ?? "" }, i.properties[KEY_PROPERTY]));
    if (have) {
      sc.reused(`image/${keyOf(is)}`);
      sc.r.images[keyOf(is)] = have.id;
      continue;
    }
    sc.r.images[keyOf(is)] = await uploadContentImage(sc.cloud, {
      name: is.name,
      disk_format: is.disk_format,
      container_format: is.container_format,
      visibility: is.visibility,
      min_disk: is.min_disk,
      min_ram: is.min_ram,
      tags: is.tags,
      properties: { ...is.properties, ...(twins.has(is.name) ? { [KEY_PROPERTY]: keyOf(is) } : {}) },
      seed: is.content.seed ?? is.name,
      bytes: contentBytes(is.content.size_mb),
      wait: sc.wait,
    });
    sc.made(`image/${keyOf(is)}`);
  }
  return (ref) =>
    sc.r.images[ref] ??
    images.filter((i) => i.name === ref && i.status === "active").sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""))[0]?.id;
}

async function seedVolumes(sc: SeedCtx, imageByKey: (ref: string) => string | undefined): Promise<void> {
  const b = sc.cloud.blockStorage;
  const volumes = await bs.listVolumes(b);
  const twins = twinNames(sc.spec.volumes);
  for (const vs of sc.spec.volumes) {
    const have = volumes.find((v) => !["error", "deleting"].includes(v.status) && matches(vs, twins, { name: v.name ?? "" }, v.metadata[KEY_PROPERTY]));
    if (have) {
      sc.reused(`volume/${keyOf(vs)}`);
      sc.r.volumes[keyOf(vs)] = have.id;
      continue;
    }
    let imageRef: string | undefined;
    let tempImage: string | undefined;
    if (vs.image) {
      imageRef = imageByKey(vs.image);
      if (!imageRef) throw new ConfigError(`volume ${vs.name}: no active image named "${vs.image}" in cloud ${sc.cloud.name}`);
    } else if (vs.content) {
      tempImage = await uploadContentImage(sc.cloud, {
        name: `seed-tmp-${keyOf(vs)}`,
        disk_format: "raw",
        container_format: "bare",
        visibility: "private",
        seed: vs.content.seed ?? vs.name,
        bytes: contentBytes(vs.content.size_mb),
        wait: sc.wait,
      });
      imageRef = tempImage;
    }
    const vol = await bs.createVolume(b, {
      name: vs.name,
      size: vs.size,
      description: vs.description,
      metadata: { ...vs.metadata, ...(twins.has(vs.name) ? { [KEY_PROPERTY]: keyOf(vs) } : {}) },
      ...(vs.volume_type ? { volume_type: vs.volume_type } : {}),
      ...(imageRef ? { imageRef } : {}),
    });
    await bs.waitForVolume(b, vol.id, "available", sc.wait);
    if (tempImage) {
      await glance.deleteImage(sc.cloud.image, tempImage);
      await bs.setVolumeBootable(b, vol.id, false);
    }
    sc.r.volumes[keyOf(vs)] = vol.id;
    sc.made(`volume/${keyOf(vs)}`);
  }
}

/** The port ids a new server is booted with: standalone ports of the spec, or ports made for it. */
async function serverPorts(sc: SeedCtx, ss: ServerSpec): Promise<string[]> {
  const n = sc.cloud.network;
  const ids: string[] = [];
  for (const [i, ps] of ss.ports.entries()) {
    if (ps.port) {
      ids.push(sc.r.ports[ps.port]!);
      continue;
    }
    const name = ps.name ?? `${keyOf(ss)}-port-${i}`;
    const existing = (await net.listPorts(n, { name, network_id: sc.r.networks[ps.network!]! })).find((p) => !p.device_id);
    if (existing) {
      ids.push(existing.id);
      continue;
    }
    const sgs = (ps.security_groups ?? ss.security_groups).map((x) => sc.r.securityGroups[x]!);
    const fixed = ps.fixed_ip || ps.subnet ? [{ ...(ps.subnet ? { subnet_id: sc.r.subnets[ps.subnet] } : {}), ...(ps.fixed_ip ? { ip_address: ps.fixed_ip } : {}) }] : undefined;
    const port = await net.createPort(n, { name, network_id: sc.r.networks[ps.network!], ...(fixed ? { fixed_ips: fixed } : {}), ...(sgs.length ? { security_groups: sgs } : {}) });
    ids.push(port.id);
  }
  return ids;
}

async function createSpecServer(sc: SeedCtx, ss: ServerSpec, flavorId: string, imageByKey: (ref: string) => string | undefined, twins: Set<string>): Promise<compute.Server> {
  const c = sc.cloud.compute;
  const portIds = await serverPorts(sc, ss);
  const imageRef = ss.image ? imageByKey(ss.image) : undefined;
  if (ss.image && !imageRef) throw new ConfigError(`server ${ss.name}: no active image named "${ss.image}" in cloud ${sc.cloud.name}`);
  const id = await compute.createServer(c, {
    name: ss.name,
    flavorRef: flavorId,
    ...(imageRef ? { imageRef } : {}),
    ...(ss.boot_volume
      ? { block_device_mapping_v2: [{ boot_index: 0, uuid: sc.r.volumes[ss.boot_volume]!, source_type: "volume", destination_type: "volume", delete_on_termination: false }] }
      : {}),
    networks: portIds.map((port) => ({ port })),
    ...(ss.key_name ? { key_name: ss.key_name } : {}),
    ...(ss.availability_zone ? { availability_zone: ss.availability_zone } : {}),
    ...(ss.server_group ? { scheduler_hints: { group: sc.r.serverGroups[ss.server_group]! } } : {}),
    metadata: { ...ss.metadata, ...(twins.has(ss.name) ? { [KEY_PROPERTY]: keyOf(ss) } : {}) },
    ...(ss.tags.length ? { tags: ss.tags } : {}),
  });
  const server = await compute.waitForServer(c, id, "ACTIVE", sc.wait);
  sc.made(`server/${keyOf(ss)}`);
  return server;
}

/** After boot: data volumes, the floating IP, and the stopped state. */
async function finishServer(sc: SeedCtx, ss: ServerSpec, server: compute.Server, external: net.Network | undefined, fips: net.FloatingIp[]): Promise<void> {
  const c = sc.cloud.compute;
  const n = sc.cloud.network;
  const attached = new Set((await compute.listVolumeAttachments(c, server.id)).map((a) => a.volume_id));
  for (const v of ss.volumes) {
    const vid = sc.r.volumes[v]!;
    if (attached.has(vid)) continue;
    await compute.attachVolume(c, server.id, vid);
    await bs.waitForVolume(sc.cloud.blockStorage, vid, "in-use", sc.wait);
  }
  if (ss.floating_ip) {
    const port = (await net.listPorts(n, { device_id: server.id })).sort((a, b) => a.name.localeCompare(b.name))[0];
    if (!port) throw new ConfigError(`server ${ss.name} has no port for its floating IP`);
    const have = fips.find((f) => f.port_id === port.id);
    if (have) sc.r.floatingIps[keyOf(ss)] = have.floating_ip_address;
    else {
      if (!external) throw new ConfigError(`server ${ss.name} wants a floating IP but cloud ${sc.cloud.name} has no external network`);
      const fip = await net.createFloatingIp(n, { floating_network_id: external.id, port_id: port.id });
      sc.r.floatingIps[keyOf(ss)] = fip.floating_ip_address;
      sc.made(`floating-ip/${fip.floating_ip_address}`);
    }
  }
  if (ss.stopped && server.status !== "SHUTOFF") {
    await compute.stopServer(c, server.id);
    await compute.waitForServer(c, server.id, "SHUTOFF", sc.wait);
  }
}

/** Servers: ports first, then the server, then volumes and floating IPs. */
async function seedServers(sc: SeedCtx, imageByKey: (ref: string) => string | undefined, external: net.Network | undefined): Promise<void> {
  const c = sc.cloud.compute;
  const flavors = await compute.listFlavors(c, { is_public: "None" });
  const servers = await compute.listServers(c);
  const fips = await net.listFloatingIps(sc.cloud.network);
  const twins = twinNames(sc.spec.servers);
  for (const ss of sc.spec.servers) {
    const flavor = flavors.find((f) => f.name === ss.flavor);
    if (!flavor) throw new ConfigError(`server ${ss.name}: flavor "${ss.flavor}" does not exist in cloud ${sc.cloud.name}${sc.r.skipped.some((x) => x.startsWith(`flavor/${ss.flavor}:`)) ? " (its creation was skipped)" : ""}`);
    let server = servers.find((s) => s.status !== "ERROR" && matches(ss, twins, s, s.metadata[KEY_PROPERTY]));
    if (server) sc.reused(`server/${keyOf(ss)}`);
    else server = await createSpecServer(sc, ss, flavor.id, imageByKey, twins);
    sc.r.servers[keyOf(ss)] = server.id;
    await finishServer(sc, ss, server, external, fips);
  }
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
