/**
 * Nova (compute v2.1): servers and their actions, interfaces and volume
 * attachments, flavors, keypairs, server groups, limits, quotas and
 * availability zones. Each call has its zod schema next to it; schemas are
 * lenient on input and give clean output types.
 *
 * API: /servers[/detail], /servers/{id}[/action|/os-interface|/os-volume_attachments|/tags|/metadata],
 * /flavors/detail, /flavors/{id}/os-extra_specs, /os-keypairs, /os-server-groups,
 * /limits, /os-quota-sets/{project}/detail, /os-availability-zone.
 *
 * Quirks (from Nova's api_samples and a live Zed):
 * - From 2.47 the server embeds its flavor (`original_name`, sizes,
 *   `extra_specs`) and no longer names the flavor id; before, only `{id, links}`.
 * - `image` is `""` for servers booted from a volume, else `{id, links}`.
 * - `config_drive` is `""`, `"True"` or a boolean; `locked` appears from 2.9.
 * - A server in a down cell (2.69+) is partial: no name, status UNKNOWN.
 * - Keypair lists wrap each entry in `{"keypair": …}`; the base show has an
 *   integer `id`; `type` appears from 2.2; a generated key returns
 *   `private_key`, which is never kept.
 * - Server groups: `policies: [...]` before 2.64, `policy` + `rules` after;
 *   the list paginates with limit/offset and no links.
 * - Flavor `swap` is `""` for none (before 2.75); `extra_specs` inline from 2.61.
 * - createImage answers `{"image_id"}` from 2.45, before only a Location header.
 * - The availability-zone list names `zoneName`/`zoneState`, `hosts` may be null.
 * Reference: https://docs.openstack.org/api-ref/compute/
 */
import { z } from "zod";
import { ApiError } from "../errors.js";
import type { QueryParams } from "./http.js";
import { bool, id, int, intOrNull, Links, list, str, strList, strMap, strOrNull, timestamp } from "./lenient.js";
import { compareMicroversions } from "./microversions.js";
import { listAll } from "./pagination.js";
import { call } from "./parse.js";
import type { ServiceClient } from "./session.js";
import { AvailabilityZoneListResponse, LimitsResponse, QuotaDetailSetResponse, type AvailabilityZone, type QuotaDetail } from "./shared-schemas.js";
import { waitFor, waitForDeleted, type WaitOptions } from "./waiters.js";

export type { AvailabilityZone, QuotaDetail } from "./shared-schemas.js";

/** A compute service client. */
export type ComputeClient = ServiceClient<"compute">;

const enc = encodeURIComponent;

// ---------------------------------------------------------------- servers

const EmbeddedFlavor = z
  .object({
    id: id().optional(),
    original_name: strOrNull(),
    name: strOrNull(),
    vcpus: intOrNull(),
    ram: intOrNull(),
    disk: intOrNull(),
    ephemeral: intOrNull(),
    swap: intOrNull(),
    extra_specs: strMap().optional(),
  })
  .transform((f) => ({
    id: f.id ?? null,
    original_name: f.original_name ?? f.name,
    vcpus: f.vcpus,
    ram: f.ram,
    disk: f.disk,
    ephemeral: f.ephemeral,
    swap: f.swap,
    extra_specs: f.extra_specs ?? null,
  }));

const Address = z.object({
  addr: z.string(),
  version: int(4),
  "OS-EXT-IPS:type": strOrNull(),
  "OS-EXT-IPS-MAC:mac_addr": strOrNull(),
});

/** A server as GET /servers/detail and GET /servers/{id} return it. */
export const Server = z
  .object({
    id: id(),
    name: str(),
    status: str(),
    tenant_id: strOrNull(),
    user_id: strOrNull(),
    created: timestamp(),
    updated: timestamp(),
    description: strOrNull(),
    hostId: strOrNull(),
    flavor: EmbeddedFlavor.nullish(),
    image: z.union([z.literal(""), z.object({ id: id() }).loose(), z.null()]).optional(),
    key_name: strOrNull(),
    metadata: strMap(),
    tags: strList(),
    security_groups: list(z.object({ name: str() }).loose()),
    addresses: z.record(z.string(), list(Address)).nullish(),
    accessIPv4: strOrNull(),
    accessIPv6: strOrNull(),
    config_drive: bool(false),
    locked: bool(false),
    locked_reason: strOrNull(),
    progress: intOrNull(),
    fault: z
      .object({ code: intOrNull(), message: str(), details: strOrNull(), created: timestamp() })
      .nullish(),
    server_groups: strList().optional(),
    "OS-EXT-AZ:availability_zone": strOrNull(),
    "OS-EXT-STS:task_state": strOrNull(),
    "OS-EXT-STS:vm_state": strOrNull(),
    "OS-EXT-STS:power_state": intOrNull(),
    "OS-SRV-USG:launched_at": timestamp(),
    "OS-EXT-SRV-ATTR:user_data": strOrNull(),
    "OS-EXT-SRV-ATTR:hostname": strOrNull(),
    "os-extended-volumes:volumes_attached": list(z.object({ id: id(), delete_on_termination: bool(false).optional() }).loose()),
    pinned_availability_zone: strOrNull(),
  })
  .transform((s) => ({
    id: s.id,
    name: s.name,
    status: s.status,
    project_id: s.tenant_id,
    user_id: s.user_id,
    created: s.created,
    updated: s.updated,
    description: s.description,
    host_id: s.hostId,
    flavor: s.flavor ?? null,
    image_id: s.image && typeof s.image === "object" ? s.image.id : null,
    key_name: s.key_name,
    availability_zone: s["OS-EXT-AZ:availability_zone"],
    metadata: s.metadata,
    tags: s.tags,
    security_groups: s.security_groups.map((g) => g.name),
    addresses: Object.fromEntries(
      Object.entries(s.addresses ?? {}).map(([net, addrs]) => [
        net,
        addrs.map((a) => ({ addr: a.addr, version: a.version, type: a["OS-EXT-IPS:type"], mac_addr: a["OS-EXT-IPS-MAC:mac_addr"] })),
      ]),
    ),
    access_ipv4: s.accessIPv4,
    access_ipv6: s.accessIPv6,
    config_drive: s.config_drive,
    locked: s.locked,
    locked_reason: s.locked_reason,
    progress: s.progress,
    fault: s.fault ?? null,
    server_groups: s.server_groups ?? null,
    task_state: s["OS-EXT-STS:task_state"],
    vm_state: s["OS-EXT-STS:vm_state"],
    power_state: s["OS-EXT-STS:power_state"],
    launched_at: s["OS-SRV-USG:launched_at"],
    user_data: s["OS-EXT-SRV-ATTR:user_data"],
    hostname: s["OS-EXT-SRV-ATTR:hostname"],
    pinned_availability_zone: s.pinned_availability_zone,
    volumes_attached: s["os-extended-volumes:volumes_attached"].map((v) => ({
      id: v.id,
      delete_on_termination: v.delete_on_termination ?? null,
    })),
  }));
export type Server = z.output<typeof Server>;

/** A server as GET /servers (no detail) lists it. */
export const ServerSummary = z.object({ id: id(), name: str(), links: Links });
export type ServerSummary = z.output<typeof ServerSummary>;

export const ServerResponse = z.object({ server: Server });
export const ServerListResponse = z.object({ servers: z.array(Server), servers_links: Links });
export const ServerSummaryListResponse = z.object({ servers: z.array(ServerSummary), servers_links: Links });
/** POST /servers: only the id (and a generated admin password, which is dropped). */
export const ServerCreateResponse = z.object({
  server: z.object({ id: id(), links: Links, security_groups: list(z.object({ name: str() })).optional() }),
});

/** Lists servers with details, every page. Filters are Nova's query parameters (name, status, …). */
export async function listServers(client: ComputeClient, filters: QueryParams = {}): Promise<Server[]> {
  return listAll(client, { path: "/servers/detail", params: filters, key: "servers", item: Server, style: "links", markerFallback: true });
}

/** Shows one server. */
export async function getServer(client: ComputeClient, serverId: string): Promise<Server> {
  return (await call(client, ServerResponse, { method: "GET", path: `/servers/${enc(serverId)}` })).body.server;
}

/** One entry of block_device_mapping_v2. */
export interface BlockDeviceMapping {
  boot_index: number | null;
  uuid?: string;
  source_type: "image" | "volume" | "snapshot" | "blank";
  destination_type: "volume" | "local";
  volume_size?: number;
  volume_type?: string;
  delete_on_termination?: boolean;
  device_name?: string;
  disk_bus?: string;
  tag?: string;
}

/** A network of a new server: an existing port, or a network with an optional fixed IP. */
export type ServerNetwork = { port: string; tag?: string } | { uuid: string; fixed_ip?: string; tag?: string };

/** What POST /servers needs. `user_data` is base64, as Nova stores and returns it. */
export interface CreateServerRequest {
  name: string;
  flavorRef: string;
  /** Omit for boot from volume (the root disk is a block device mapping with boot_index 0). */
  imageRef?: string;
  /** Explicit networks, or "none"/"auto" (required from 2.37). */
  networks: ServerNetwork[] | "none" | "auto";
  block_device_mapping_v2?: BlockDeviceMapping[];
  key_name?: string;
  /** Security group names (or ids); applied to the ports Nova creates. */
  security_groups?: string[];
  availability_zone?: string;
  metadata?: Record<string, string>;
  /** Server tags (2.52+). */
  tags?: string[];
  /** Scheduler hints; `group` places the server in a server group. */
  scheduler_hints?: { group?: string } & Record<string, unknown>;
  config_drive?: boolean;
  user_data?: string;
  description?: string;
}

/** Boots a server; returns its id (poll with waitForServer). */
export async function createServer(client: ComputeClient, req: CreateServerRequest): Promise<string> {
  const { scheduler_hints, security_groups, ...server } = req;
  const body: Record<string, unknown> = {
    server: {
      ...server,
      ...(security_groups ? { security_groups: security_groups.map((name) => ({ name })) } : {}),
    },
  };
  if (scheduler_hints && Object.keys(scheduler_hints).length > 0) body["os:scheduler_hints"] = scheduler_hints;
  return (await call(client, ServerCreateResponse, { method: "POST", path: "/servers", json: body })).body.server.id;
}

/** Deletes a server (asynchronous: wait with waitForServerDeleted). */
export async function deleteServer(client: ComputeClient, serverId: string): Promise<void> {
  await client.delete(`/servers/${enc(serverId)}`);
}

async function serverAction(client: ComputeClient, serverId: string, action: Record<string, unknown>) {
  return client.post(`/servers/${enc(serverId)}/action`, action);
}

/** Stops a server (os-stop); it reaches SHUTOFF asynchronously. */
export async function stopServer(client: ComputeClient, serverId: string): Promise<void> {
  await serverAction(client, serverId, { "os-stop": null });
}

/** Starts a stopped server (os-start); it reaches ACTIVE asynchronously. */
export async function startServer(client: ComputeClient, serverId: string): Promise<void> {
  await serverAction(client, serverId, { "os-start": null });
}

/** createImage (2.45+) body. */
export const CreateImageResponse = z.object({ image_id: id() });

/**
 * Snapshots a server into a Glance image and returns the image id (from the
 * body from 2.45, else from the Location header). For a boot-from-volume
 * server the image is a small record pointing at Cinder snapshots.
 */
export async function createServerImage(
  client: ComputeClient,
  serverId: string,
  name: string,
  metadata: Record<string, string> = {},
): Promise<string> {
  const res = await serverAction(client, serverId, { createImage: { name, metadata } });
  const parsed = CreateImageResponse.safeParse(res.data);
  if (parsed.success) return parsed.data.image_id;
  const location = res.headers.location;
  const m = location ? /\/images\/([^/?#]+)/.exec(location) : null;
  if (m?.[1]) return decodeURIComponent(m[1]);
  throw new ApiError(`POST ${res.url}: createImage returned neither image_id nor a Location header`, {
    method: "POST",
    url: res.url,
    status: res.status,
    requestId: res.requestId,
    fault: "server",
    retryable: false,
  });
}

/** GET/PUT /servers/{id}/tags. */
export const TagsResponse = z.object({ tags: strList() });
/** GET/PUT/POST /servers/{id}/metadata. */
export const MetadataResponse = z.object({ metadata: strMap() });
/** GET/PUT /servers/{id}/metadata/{key}: one item. */
export const MetaItemResponse = z.object({ meta: strMap() });

/** Replaces all tags of a server (2.26+). */
export async function replaceServerTags(client: ComputeClient, serverId: string, tags: string[]): Promise<string[]> {
  const { body } = await call(client, TagsResponse, { method: "PUT", path: `/servers/${enc(serverId)}/tags`, json: { tags } });
  return body.tags;
}

/** Replaces all metadata of a server. */
export async function setServerMetadata(client: ComputeClient, serverId: string, metadata: Record<string, string>): Promise<Record<string, string>> {
  const { body } = await call(client, MetadataResponse, {
    method: "PUT",
    path: `/servers/${enc(serverId)}/metadata`,
    json: { metadata },
  });
  return body.metadata;
}

/** Waits until a server has one of the statuses (default ACTIVE); ERROR ends the wait with the server's fault. */
export async function waitForServer(
  client: ComputeClient,
  serverId: string,
  status: string | readonly string[] = "ACTIVE",
  opts: Partial<WaitOptions<Server>> = {},
): Promise<Server> {
  return waitFor(() => getServer(client, serverId), {
    what: `server/${serverId}`,
    detailOf: (s) => s.fault?.message,
    ...opts,
    success: typeof status === "string" ? [status] : status,
  });
}

/**
 * Waits until no task runs on a server (task_state null: no stop, start or
 * snapshot under way), whatever its status; a server in ERROR ends the wait.
 */
export async function waitForServerIdle(client: ComputeClient, serverId: string, opts: Partial<WaitOptions<Server>> = {}): Promise<Server> {
  return waitFor(() => getServer(client, serverId), {
    what: `server/${serverId}`,
    detailOf: (s) => s.fault?.message,
    ...opts,
    statusOf: (s) => (s.task_state ? `${s.status}:${s.task_state}` : s.status === "ERROR" ? "ERROR" : "idle"),
    success: ["idle"],
  });
}

/**
 * Stops a server and waits until it is SHUTOFF. A stop that fails inside
 * nova-compute puts the server back to ACTIVE with no task; that ends the
 * wait with a failure instead of polling until the timeout. A 409 because a
 * stop is already under way (another step asked first) is waited out.
 */
export async function stopServerAndWait(client: ComputeClient, serverId: string, opts: Partial<WaitOptions<Server>> = {}): Promise<Server> {
  const now = await waitForServerIdle(client, serverId, opts);
  if (now.status === "SHUTOFF") return now;
  try {
    await stopServer(client, serverId);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
  }
  return waitFor(() => getServer(client, serverId), {
    what: `server/${serverId}`,
    detailOf: (s) => s.fault?.message ?? "Nova did not stop it (see the server's instance actions)",
    ...opts,
    statusOf: (s) => (s.status === "ACTIVE" && !s.task_state ? "ACTIVE (stop failed)" : s.status),
    success: ["SHUTOFF"],
    failure: ["ACTIVE (stop failed)"],
  });
}

/**
 * Starts a server again if it is SHUTOFF once any running task (a stop asked
 * for just before a crash) has ended, and waits until it is ACTIVE. Returns
 * whether it was started.
 */
export async function startServerIfStopped(client: ComputeClient, serverId: string, opts: Partial<WaitOptions<Server>> = {}): Promise<boolean> {
  const now = await waitForServerIdle(client, serverId, opts);
  if (now.status !== "SHUTOFF") return false;
  await startServer(client, serverId);
  await waitForServer(client, serverId, "ACTIVE", opts);
  return true;
}

/** Waits until a server is gone (404 or DELETED). */
export async function waitForServerDeleted(client: ComputeClient, serverId: string, opts: Partial<WaitOptions<Server>> = {}): Promise<void> {
  await waitForDeleted(() => getServer(client, serverId), {
    what: `server/${serverId}`,
    // Why: Nova shows a server that failed to build as ERROR until it is gone (task_state "deleting"); that is progress, not a failure.
    statusOf: (s) => (s.task_state === "deleting" ? "deleting" : s.status),
    ...opts,
  });
}

// ------------------------------------------------- interfaces, attachments

/** A port attached to a server (os-interface). */
export const InterfaceAttachment = z
  .object({
    port_id: id(),
    net_id: strOrNull(),
    mac_addr: strOrNull(),
    port_state: strOrNull(),
    fixed_ips: list(z.object({ ip_address: z.string(), subnet_id: z.string() })),
    tag: strOrNull(),
  })
  .transform((i) => ({
    port_id: i.port_id,
    net_id: i.net_id,
    mac_addr: i.mac_addr,
    port_state: i.port_state,
    fixed_ips: i.fixed_ips,
    tag: i.tag,
  }));
export type InterfaceAttachment = z.output<typeof InterfaceAttachment>;
export const InterfaceAttachmentListResponse = z.object({ interfaceAttachments: z.array(InterfaceAttachment) });
export const InterfaceAttachmentResponse = z.object({ interfaceAttachment: InterfaceAttachment });

/** Lists the ports attached to a server. */
export async function listServerInterfaces(client: ComputeClient, serverId: string): Promise<InterfaceAttachment[]> {
  const { body } = await call(client, InterfaceAttachmentListResponse, { method: "GET", path: `/servers/${enc(serverId)}/os-interface` });
  return body.interfaceAttachments;
}

/** A volume attached to a server (os-volume_attachments). */
export const VolumeAttachment = z
  .object({
    id: strOrNull(),
    volumeId: id(),
    serverId: strOrNull(),
    device: strOrNull(),
    tag: strOrNull(),
    delete_on_termination: bool(false).optional(),
    attachment_id: strOrNull(),
    bdm_uuid: strOrNull(),
  })
  .transform((a) => ({
    volume_id: a.volumeId,
    server_id: a.serverId,
    device: a.device,
    tag: a.tag,
    delete_on_termination: a.delete_on_termination ?? null,
    attachment_id: a.attachment_id,
    bdm_uuid: a.bdm_uuid,
  }));
export type VolumeAttachment = z.output<typeof VolumeAttachment>;
export const VolumeAttachmentListResponse = z.object({ volumeAttachments: z.array(VolumeAttachment) });
export const VolumeAttachmentResponse = z.object({ volumeAttachment: VolumeAttachment });

/** Lists the volumes attached to a server. */
export async function listVolumeAttachments(client: ComputeClient, serverId: string): Promise<VolumeAttachment[]> {
  const { body } = await call(client, VolumeAttachmentListResponse, {
    method: "GET",
    path: `/servers/${enc(serverId)}/os-volume_attachments`,
  });
  return body.volumeAttachments;
}

/** Attaches a volume to a server; the volume reaches in-use asynchronously. */
export async function attachVolume(
  client: ComputeClient,
  serverId: string,
  volumeId: string,
  opts: { device?: string; tag?: string; delete_on_termination?: boolean } = {},
): Promise<void> {
  await client.post(`/servers/${enc(serverId)}/os-volume_attachments`, { volumeAttachment: { volumeId, ...opts } });
}

/** Detaches a volume from a server; the volume reaches available asynchronously. */
export async function detachVolume(client: ComputeClient, serverId: string, volumeId: string): Promise<void> {
  await client.delete(`/servers/${enc(serverId)}/os-volume_attachments/${enc(volumeId)}`);
}

// ---------------------------------------------------------------- flavors

/** A flavor as GET /flavors/detail and GET /flavors/{id} return it. */
export const Flavor = z
  .object({
    id: id(),
    name: str(),
    vcpus: int(0),
    ram: int(0),
    disk: int(0),
    "OS-FLV-EXT-DATA:ephemeral": int(0),
    swap: int(0),
    "os-flavor-access:is_public": bool(true),
    "OS-FLV-DISABLED:disabled": bool(false),
    rxtx_factor: z.number().nullish(),
    description: strOrNull(),
    extra_specs: strMap().optional(),
  })
  .transform((f) => ({
    id: f.id,
    name: f.name,
    vcpus: f.vcpus,
    ram: f.ram,
    disk: f.disk,
    ephemeral: f["OS-FLV-EXT-DATA:ephemeral"],
    swap: f.swap,
    is_public: f["os-flavor-access:is_public"],
    disabled: f["OS-FLV-DISABLED:disabled"],
    description: f.description,
    /** Inline from 2.61; null when the service did not send them. */
    extra_specs: f.extra_specs ?? null,
  }));
export type Flavor = z.output<typeof Flavor>;
export const FlavorResponse = z.object({ flavor: Flavor });
export const FlavorListResponse = z.object({ flavors: z.array(Flavor), flavors_links: Links });
/** GET /flavors (no detail): id, name and (2.55+) description. */
export const FlavorSummaryListResponse = z.object({
  flavors: z.array(z.object({ id: id(), name: str(), description: strOrNull(), links: Links })),
  flavors_links: Links,
});
export const ExtraSpecsResponse = z.object({ extra_specs: strMap() });
/** GET/PUT /flavors/{id}/os-extra_specs/{key}: the one key at top level. */
export const ExtraSpecResponse = strMap();

/** Lists every flavor the project can use, private ones it has access to included (is_public=None). */
export async function listFlavors(client: ComputeClient, filters: QueryParams = {}): Promise<Flavor[]> {
  return listAll(client, {
    path: "/flavors/detail",
    params: { is_public: "None", ...filters },
    key: "flavors",
    item: Flavor,
    style: "links",
    markerFallback: true,
  });
}

/** Reads the extra specs of a flavor. */
export async function getFlavorExtraSpecs(client: ComputeClient, flavorId: string): Promise<Record<string, string>> {
  return (await call(client, ExtraSpecsResponse, { method: "GET", path: `/flavors/${enc(flavorId)}/os-extra_specs` })).body.extra_specs;
}

// --------------------------------------------------------------- keypairs

const KeypairFields = z
  .object({
    name: z.string(),
    public_key: str(),
    fingerprint: str(),
    type: z.string().nullish(),
    user_id: strOrNull(),
    created_at: timestamp(),
    id: id().optional(),
  })
  .transform((k) => ({
    id: k.name,
    name: k.name,
    type: k.type ?? "ssh",
    public_key: k.public_key,
    fingerprint: k.fingerprint,
    user_id: k.user_id,
    created_at: k.created_at,
  }));

/** A keypair (identified by name; only the public half exists server-side). */
export const Keypair = z.union([z.object({ keypair: KeypairFields }).transform((w) => w.keypair), KeypairFields]);
export type Keypair = z.output<typeof KeypairFields>;
export const KeypairResponse = z.object({ keypair: KeypairFields });
export const KeypairListResponse = z.object({ keypairs: z.array(Keypair), keypairs_links: Links });

/** Lists the user's keypairs, every page (2.35+ paginates by name). */
export async function listKeypairs(client: ComputeClient): Promise<Keypair[]> {
  return listAll(client, { path: "/os-keypairs", key: "keypairs", item: Keypair, style: "links", idOf: (k) => k.name });
}

/** Shows one keypair. */
export async function getKeypair(client: ComputeClient, name: string): Promise<Keypair> {
  return (await call(client, KeypairResponse, { method: "GET", path: `/os-keypairs/${enc(name)}` })).body.keypair;
}

/** Imports a public key as a keypair (the tool never lets Nova generate private keys). */
export async function createKeypair(client: ComputeClient, req: { name: string; public_key: string; type?: string }): Promise<Keypair> {
  return (await call(client, KeypairResponse, { method: "POST", path: "/os-keypairs", json: { keypair: req } })).body.keypair;
}

/** Deletes a keypair. */
export async function deleteKeypair(client: ComputeClient, name: string): Promise<void> {
  await client.delete(`/os-keypairs/${enc(name)}`);
}

// ---------------------------------------------------------- server groups

/** A server group, with the policy as one string whatever the microversion. */
export const ServerGroup = z
  .object({
    id: id(),
    name: str(),
    policy: z.string().nullish(),
    policies: strList(),
    rules: z.record(z.string(), z.unknown()).nullish(),
    members: strList(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    project_id: strOrNull(),
    user_id: strOrNull(),
  })
  .transform((g) => ({
    id: g.id,
    name: g.name,
    policy: g.policy ?? g.policies[0] ?? "",
    rules: g.rules ?? {},
    members: g.members,
    project_id: g.project_id,
    user_id: g.user_id,
  }));
export type ServerGroup = z.output<typeof ServerGroup>;
export const ServerGroupResponse = z.object({ server_group: ServerGroup });
export const ServerGroupListResponse = z.object({ server_groups: z.array(ServerGroup) });

/** Lists the project's server groups, every page (limit/offset). */
export async function listServerGroups(client: ComputeClient): Promise<ServerGroup[]> {
  return listAll(client, { path: "/os-server-groups", key: "server_groups", item: ServerGroup, style: "offset" });
}

/** Shows one server group. */
export async function getServerGroup(client: ComputeClient, groupId: string): Promise<ServerGroup> {
  return (await call(client, ServerGroupResponse, { method: "GET", path: `/os-server-groups/${enc(groupId)}` })).body.server_group;
}

/** Creates a server group; sends `policy`+`rules` from 2.64, else `policies`. */
export async function createServerGroup(
  client: ComputeClient,
  req: { name: string; policy: string; rules?: Record<string, unknown> },
): Promise<ServerGroup> {
  const modern = client.microversion !== undefined && compareMicroversions(client.microversion, "2.64") >= 0;
  const server_group = modern
    ? { name: req.name, policy: req.policy, ...(req.rules && Object.keys(req.rules).length > 0 ? { rules: req.rules } : {}) }
    : { name: req.name, policies: [req.policy] };
  return (await call(client, ServerGroupResponse, { method: "POST", path: "/os-server-groups", json: { server_group } })).body.server_group;
}

/** Deletes a server group. */
export async function deleteServerGroup(client: ComputeClient, groupId: string): Promise<void> {
  await client.delete(`/os-server-groups/${enc(groupId)}`);
}

// ------------------------------------------------- limits, quotas, zones

/** Reads the project's absolute compute limits and usage. */
export async function getLimits(client: ComputeClient): Promise<Record<string, number>> {
  return (await call(client, LimitsResponse, { method: "GET", path: "/limits" })).body.limits.absolute;
}

/** Reads the project's compute quotas with usage (limit/in_use per resource). */
export async function getQuotaSet(client: ComputeClient, projectId: string): Promise<Record<string, QuotaDetail>> {
  return (await call(client, QuotaDetailSetResponse, { method: "GET", path: `/os-quota-sets/${enc(projectId)}/detail` })).body.quota_set;
}

/** Lists the compute availability zones the project can use. */
export async function listAvailabilityZones(client: ComputeClient): Promise<AvailabilityZone[]> {
  return (await call(client, AvailabilityZoneListResponse, { method: "GET", path: "/os-availability-zone" })).body.availabilityZoneInfo;
}
