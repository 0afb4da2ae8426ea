/**
 * Nova servers: create, list (summary and detail, with filters and
 * pagination), show, update and delete.
 *
 * API: GET/POST /servers, GET /servers/detail, GET/PUT/DELETE /servers/{id}.
 *
 * Quirks (Zed): `networks` is required from 2.37 ("auto", "none" or a list);
 * a flavor with zero disk needs a volume-backed server (403 "Only
 * volume-backed servers are allowed for flavors with zero disk."); quota
 * errors are 403 "Quota exceeded for instances: Requested 1, but already used
 * 10 of 10 instances"; `name` filters are regular expressions; the list is
 * newest first; a missing marker is a 400 "marker [x] not found"; a full
 * page gets a `servers_links` next link; delete answers 204 and the server
 * lingers with task_state `deleting` for a moment.
 */
import type { CloudContext } from "../cloud-context.js";
import { novaError } from "../core/errors.js";
import { asObject, parseBool, readJson, type Ctx, type Reply } from "../core/http.js";
import { adminPass, uuid } from "../core/ids.js";
import { parseIp } from "../core/ip.js";
import { pageArray, pageTable, sortedWithMarker } from "../core/paging.js";
import { parseTime } from "../core/time.js";
import type { ServerRecord } from "../store/records.js";
import { imageVisible } from "../image/model.js";
import { deleteServerLater, startBuild, type BdmPlan, type BuildPlan, type NicPlan } from "./lifecycle.js";
import { fipIndex, flavorVisible, serverSummary, serverView } from "./views.js";

const bad = (m: string) => novaError(400, m);

/** Finds a server of the project or throws Nova's 404. */
export function findServer(cloud: CloudContext, id: string, forAction = false): ServerRecord {
  const s = cloud.store.servers.get(id);
  if (!s || s.project_id !== cloud.store.identity.projectId) {
    // Real Nova (Zed): a server action looks the instance up in the cell mappings first, hence another message.
    throw novaError(404, forAction ? `Instance ${id} has no mapping to a cell.` : `Instance ${id} could not be found.`);
  }
  return s;
}

/** Nova's "Quota exceeded for X: Requested n, but already used u of l X" check. */
function quota(cloud: CloudContext, name: "instances" | "cores" | "ram", requested: number, used: number): void {
  const limit = cloud.store.quotas[name];
  if (limit >= 0 && used + requested > limit) {
    throw novaError(403, `Quota exceeded for ${name}: Requested ${requested}, but already used ${used} of ${limit} ${name}`);
  }
}

function parseNics(cloud: CloudContext, networks: unknown, mv: number): NicPlan[] {
  const store = cloud.store;
  const pid = store.identity.projectId;
  if (networks === undefined) {
    if (mv >= 2037) throw bad("Invalid input for field/attribute server. 'networks' is a required property");
    networks = "auto";
  }
  if (networks === "none") return [];
  if (networks === "auto") {
    const candidates = [...store.networks.values()].filter((n) => !n.external && (n.project_id === pid || n.shared));
    if (candidates.length > 1) throw novaError(409, "Multiple possible networks found, use a Network ID to be more specific.");
    if (candidates.length === 0) return [];
    return [{ kind: "net", networkId: candidates[0]!.id }];
  }
  if (!Array.isArray(networks)) throw bad(`Invalid input for field/attribute networks. Value: ${JSON.stringify(networks)}. ${JSON.stringify(networks)} is not of type 'array'`);
  return networks.map((raw): NicPlan => {
    const n = asObject(raw) ?? {};
    if (typeof n["port"] === "string" && n["port"]) {
      const p = store.ports.get(n["port"]);
      if (!p || p.project_id !== pid) throw bad(`Port id ${n["port"]} could not be found.`);
      if (p.device_id) throw novaError(409, `Port ${p.id} is still in use.`);
      return { kind: "port", portId: p.id };
    }
    const uuidRef = n["uuid"];
    if (typeof uuidRef !== "string") throw bad("Bad networks format: network uuid is not in proper format ()");
    const net = store.networks.get(uuidRef);
    if (!net || !(net.project_id === pid || net.shared || net.external)) throw bad(`Network ${uuidRef} could not be found.`);
    const fixed = n["fixed_ip"];
    if (fixed !== undefined && (typeof fixed !== "string" || !parseIp(fixed))) throw bad(`Invalid fixed IP address (${String(fixed)})`);
    return { kind: "net", networkId: net.id, ...(typeof fixed === "string" ? { fixedIp: fixed } : {}) };
  });
}

function parseBdms(cloud: CloudContext, raw: unknown, imageRef: string | undefined): BdmPlan[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw bad("Invalid input for field/attribute block_device_mapping_v2.");
  const store = cloud.store;
  return raw.flatMap((x): BdmPlan[] => {
    const b = asObject(x) ?? {};
    const source = b["source_type"];
    const dest = b["destination_type"] ?? (source === "volume" || source === "snapshot" ? "volume" : "local");
    const bootIndex = b["boot_index"] === undefined || b["boot_index"] === null ? null : Number(b["boot_index"]);
    if (dest !== "volume") return [];
    const size = b["volume_size"] === undefined || b["volume_size"] === null ? undefined : Number(b["volume_size"]);
    const ref = typeof b["uuid"] === "string" ? b["uuid"] : source === "image" ? imageRef : undefined;
    const plan: BdmPlan = {
      source: source as BdmPlan["source"], bootIndex, deleteOnTermination: b["delete_on_termination"] === true, tag: typeof b["tag"] === "string" ? b["tag"] : null,
      ...(ref ? { uuid: ref } : {}), ...(size !== undefined ? { size } : {}),
      ...(typeof b["volume_type"] === "string" ? { volumeType: b["volume_type"] } : {}),
      ...(typeof b["device_name"] === "string" ? { deviceName: b["device_name"] } : {}),
    };
    if (source === "image") {
      const img = ref ? store.images.get(ref) : undefined;
      if (!img || !imageVisible(cloud, img)) throw bad(`Image ${ref} could not be found.`);
      if (img.status !== "active") throw bad(`Image ${img.id} is not active.`);
      if (!size) throw bad("Images with destination_type 'volume' need to have a non-zero size specified");
    } else if (source === "volume") {
      const v = ref ? store.volumes.get(ref) : undefined;
      if (!v) throw bad(`Block Device Mapping is Invalid: failed to get volume ${ref}.`);
      if (v.status !== "available") throw bad(`Invalid volume: volume '${v.id}' status must be 'available'. Currently in '${v.status}'`);
    } else if (source === "snapshot") {
      if (!ref || !store.snapshots.get(ref)) throw bad(`Block Device Mapping is Invalid: failed to get snapshot ${ref}.`);
    } else if (source === "blank") {
      if (!size) throw bad("Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.");
    } else {
      throw bad(`Invalid input for field/attribute source_type. Value: ${String(source)}.`);
    }
    return [plan];
  });
}

/** POST /servers. */
export async function createServer(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  const store = cloud.store;
  const mv = ctx.mv;
  const root = asObject(await readJson(ctx, bad));
  const body = asObject(root?.["server"]);
  if (!body) throw bad("Invalid input for field/attribute server. 'server' is a required property");
  const name = body["name"];
  if (typeof name !== "string" || name.trim() === "" || name.length > 255) {
    throw bad(`Invalid input for field/attribute name. Value: ${JSON.stringify(name ?? null)}. ${name === undefined ? "'name' is a required property" : "is not valid"}`);
  }
  const flavorRef = typeof body["flavorRef"] === "string" ? body["flavorRef"].split("/").pop()! : String(body["flavorRef"] ?? "");
  const flavor = store.flavors.get(flavorRef);
  if (!flavor || !flavorVisible(cloud, flavor)) throw bad(`Flavor ${flavorRef} could not be found.`);
  const imageRef = typeof body["imageRef"] === "string" && body["imageRef"] !== "" ? body["imageRef"].split("/").pop()! : undefined;
  const bdms = parseBdms(cloud, body["block_device_mapping_v2"], imageRef);
  const bootFromVolume = bdms.some((b) => b.bootIndex === 0);
  let image;
  if (imageRef && !bootFromVolume) {
    image = store.images.get(imageRef);
    if (!image || !imageVisible(cloud, image)) throw bad("Can not find requested image");
    if (image.status !== "active") throw bad(`Image ${image.id} is not active.`);
    if (image.min_ram > flavor.ram) throw bad("Flavor's memory is too small for requested image.");
    if (flavor.disk > 0 && image.min_disk > flavor.disk) throw bad("Flavor's disk is too small for requested image.");
  }
  if (!image && !bootFromVolume) throw bad("Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.");
  if (!bootFromVolume && flavor.disk === 0) throw novaError(403, "Only volume-backed servers are allowed for flavors with zero disk.");

  const keyName = body["key_name"];
  if (keyName !== undefined && keyName !== null && (typeof keyName !== "string" || !store.keypairs.has(keyName))) throw bad("Invalid key_name provided.");
  const sgIds: string[] = [];
  const sgNames: string[] = [];
  if (Array.isArray(body["security_groups"])) {
    for (const g of body["security_groups"]) {
      const ref = String(asObject(g)?.["name"] ?? "");
      const sg = [...store.securityGroups.values()].find((x) => x.project_id === store.identity.projectId && (x.id === ref || x.name === ref));
      if (!sg) throw bad(`Security group ${ref} not found.`);
      sgIds.push(sg.id);
      sgNames.push(sg.name);
    }
  }
  const nics = parseNics(cloud, body["networks"], mv);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(body["metadata"]) ?? {})) {
    if (typeof v !== "string") throw bad(`Invalid input for field/attribute metadata. Value: ${JSON.stringify(body["metadata"])}. ${JSON.stringify(v)} is not of type 'string'`);
    metadata[k] = v;
  }
  if (store.quotas.metadata_items >= 0 && Object.keys(metadata).length > store.quotas.metadata_items) {
    throw novaError(403, `Quota exceeded for metadata_items: Requested ${Object.keys(metadata).length}, but already used 0 of ${store.quotas.metadata_items} metadata_items`);
  }
  const tags = Array.isArray(body["tags"]) && mv >= 2052 ? (body["tags"] as unknown[]).map(String) : [];
  const hints = asObject(root?.["os:scheduler_hints"]) ?? asObject(root?.["OS-SCH-HNT:scheduler_hints"]) ?? {};
  const groupId = typeof hints["group"] === "string" ? hints["group"] : undefined;
  const group = groupId ? store.serverGroups.get(groupId) : undefined;
  if (groupId && !group) throw bad(`Invalid input for field/attribute group. Value: ${groupId}. Server group ${groupId} could not be found.`);
  if (group && store.quotas.server_group_members >= 0 && group.members.length + 1 > store.quotas.server_group_members) {
    throw novaError(403, "Quota exceeded, too many servers in group");
  }
  const az = body["availability_zone"];
  if (az !== undefined && az !== null && az !== "nova" && !String(az).startsWith("nova:")) throw bad(`The requested availability zone is not available`);

  let instances = 0;
  let cores = 0;
  let ram = 0;
  for (const s of store.servers.values()) {
    if (s.project_id !== store.identity.projectId) continue;
    instances++;
    cores += s.flavor.vcpus;
    ram += s.flavor.ram;
  }
  quota(cloud, "instances", 1, instances);
  quota(cloud, "cores", flavor.vcpus, cores);
  quota(cloud, "ram", flavor.ram, ram);

  for (const b of bdms) {
    if (b.source === "volume") {
      const v = store.volumes.get(b.uuid!)!;
      v.status = "reserved";
    }
  }
  const now = Date.now();
  const pass = typeof body["adminPass"] === "string" ? body["adminPass"] : adminPass();
  const s: ServerRecord = {
    id: uuid(), name, project_id: store.identity.projectId, user_id: store.identity.userId, status: "BUILD", vm_state: "building",
    task_state: "scheduling", power_state: 0, flavor: { ...flavor, extra_specs: { ...flavor.extra_specs }, access: new Set() }, flavor_id: flavor.id,
    image_id: bootFromVolume ? null : image!.id, key_name: typeof keyName === "string" ? keyName : null, metadata, tags,
    description: mv >= 2019 && typeof body["description"] === "string" ? body["description"] : null, availability_zone: "", host_id: "",
    hostname: typeof body["hostname"] === "string" ? body["hostname"] : name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "server",
    created: now, updated: now, launched_at: null, ports: [], created_ports: new Set(), volumes: [], security_groups: sgNames.length ? sgNames : ["default"],
    fault: null, locked: false, locked_reason: null, config_drive: body["config_drive"] === true ? "True" : "",
    access_ipv4: typeof body["accessIPv4"] === "string" ? body["accessIPv4"] : "", access_ipv6: typeof body["accessIPv6"] === "string" ? body["accessIPv6"] : "",
    admin_pass: pass, server_groups: group ? [group.id] : [], root_blob: bootFromVolume ? null : cloud.blobs.retain(image!.blob),
  };
  store.servers.set(s.id, s);
  if (group) group.members.push(s.id);
  const plan: BuildPlan = { nics, securityGroupIds: sgIds, bdms };
  startBuild(cloud, s, plan);
  const reply: Record<string, unknown> = {
    id: s.id, links: [
      { rel: "self", href: `${cloud.baseUrl}/compute/v2.1/servers/${s.id}` },
      { rel: "bookmark", href: `${cloud.baseUrl}/compute/servers/${s.id}` },
    ],
    "OS-DCF:diskConfig": "MANUAL",
    security_groups: s.security_groups.map((n) => ({ name: n })),
    adminPass: pass,
  };
  return { status: 202, body: { server: reply }, headers: { Location: `${cloud.baseUrl}/compute/v2.1/servers/${s.id}` } };
}

const STATUS_FILTER = new Set(["ACTIVE", "BUILD", "ERROR", "SHUTOFF", "PAUSED", "SUSPENDED", "DELETED", "SOFT_DELETED", "REBOOT", "HARD_REBOOT", "RESIZE", "VERIFY_RESIZE", "RESCUE", "SHELVED", "SHELVED_OFFLOADED", "MIGRATING", "UNKNOWN"]);

/** GET /servers and /servers/detail. */
export function listServers(cloud: CloudContext, ctx: Ctx, detail: boolean): Reply {
  const q = ctx.query;
  const store = cloud.store;
  const pid = store.identity.projectId;
  const checks: Array<(s: ServerRecord) => boolean> = [(s) => s.project_id === pid];
  const name = q.get("name");
  if (name !== null) {
    let re: RegExp;
    try {
      re = new RegExp(name);
    } catch {
      re = new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    }
    checks.push((s) => re.test(s.name));
  }
  const status = q.getAll("status");
  if (status.length > 0) {
    for (const st of status) if (!STATUS_FILTER.has(st.toUpperCase())) throw bad(`Invalid status value`);
    const set = new Set(status.map((x) => x.toUpperCase()));
    checks.push((s) => set.has(s.status));
  }
  const image = q.get("image");
  if (image !== null) checks.push((s) => s.image_id === image.split("/").pop());
  const flavor = q.get("flavor");
  if (flavor !== null) checks.push((s) => s.flavor_id === flavor.split("/").pop());
  const keyName = q.get("key_name");
  if (keyName !== null) checks.push((s) => s.key_name === keyName);
  const az = q.get("availability_zone");
  if (az !== null) checks.push((s) => s.availability_zone === az);
  const locked = q.get("locked");
  if (locked !== null && ctx.mv >= 2073) checks.push((s) => s.locked === parseBool(locked));
  const since = q.get("changes-since");
  if (since !== null) {
    const t = parseTime(since);
    if (Number.isNaN(t)) throw bad(`Invalid input for query parameters changes-since. Value: ${since}. '${since}' is not a 'date-time'`);
    checks.push((s) => s.updated >= t);
  }
  const before = q.get("changes-before");
  if (before !== null && ctx.mv >= 2066) {
    const t = parseTime(before);
    if (Number.isNaN(t)) throw bad(`Invalid input for query parameters changes-before. Value: ${before}. '${before}' is not a 'date-time'`);
    checks.push((s) => s.updated <= t);
  }
  const ip = q.get("ip") ?? q.get("ip6");
  if (ip !== null) {
    let re: RegExp;
    try {
      re = new RegExp(ip);
    } catch {
      re = new RegExp(ip.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    }
    checks.push((s) => s.ports.some((p) => store.ports.get(p)?.fixed_ips.some((f) => re.test(f.ip_address))));
  }
  if (ctx.mv >= 2026) {
    const list = (k: string) => (q.get(k) ?? "").split(",").filter(Boolean);
    const tags = list("tags");
    const tagsAny = list("tags-any");
    const notTags = list("not-tags");
    const notAny = list("not-tags-any");
    if (tags.length) checks.push((s) => tags.every((t) => s.tags.includes(t)));
    if (tagsAny.length) checks.push((s) => tagsAny.some((t) => s.tags.includes(t)));
    if (notTags.length) checks.push((s) => !notTags.every((t) => s.tags.includes(t)));
    if (notAny.length) checks.push((s) => !notAny.some((t) => s.tags.includes(t)));
  }
  const pred = (s: ServerRecord) => checks.every((c) => c(s));

  const limitRaw = q.get("limit");
  let limit = cloud.maxPageSize;
  if (limitRaw !== null) {
    if (!/^\d+$/.test(limitRaw)) throw bad(`Invalid input for query parameters limit. Value: ${limitRaw}. '${limitRaw}' does not match '^[0-9]*$'`);
    limit = Math.min(Number(limitRaw), cloud.maxPageSize);
  }
  const marker = q.get("marker") ?? undefined;
  const sortKeys = q.getAll("sort_key");
  let page;
  if (sortKeys.length === 0 || (sortKeys.length === 1 && sortKeys[0] === "created_at" && (q.get("sort_dir") ?? "desc") === "desc")) {
    page = pageTable(store.servers, "newest", (s) => s.id, pred, limit, marker);
  } else {
    const dirs = q.getAll("sort_dir");
    const val = (s: ServerRecord, k: string): string | number => {
      switch (k) {
        case "created_at": return s.created;
        case "updated_at": return s.updated;
        case "display_name": return s.name;
        case "uuid": return s.id;
        case "vm_state": return s.vm_state;
        case "task_state": return s.task_state ?? "";
        case "launched_at": return s.launched_at ?? 0;
        case "key_name": return s.key_name ?? "";
        case "availability_zone": return s.availability_zone;
        case "instance_type_id": return s.flavor_id;
        case "image_ref": return s.image_id ?? "";
        case "hostname": return s.hostname;
        default: throw bad(`Invalid input for query parameters sort_key. Value: ${k}.`);
      }
    };
    const arr = [...store.servers.ordered("newest")].sort((a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const d = (dirs[i] ?? "desc") === "asc" ? 1 : -1;
        const x = val(a, sortKeys[i]!);
        const y = val(b, sortKeys[i]!);
        if (x !== y) return (x < y ? -1 : 1) * d;
      }
      return 0;
    });
    page = pageArray(arr, (s) => s.id, pred, limit, marker);
  }
  if (!page.markerFound) throw bad(`marker [${marker}] not found`);
  const fips = detail ? fipIndex(cloud) : new Map();
  const body: Record<string, unknown> = {
    servers: page.items.map((s) => (detail ? serverView(cloud, s, ctx.mv, fips, false) : serverSummary(cloud, s))),
  };
  if (page.items.length > 0 && page.items.length === limit) {
    body["servers_links"] = [{ rel: "next", href: `${cloud.baseUrl}/compute/v2.1/servers${detail ? "/detail" : ""}?${sortedWithMarker(q, page.items[page.items.length - 1]!.id)}` }];
  }
  return { status: 200, body };
}

/** GET /servers/{id}. */
export function showServer(cloud: CloudContext, ctx: Ctx): Reply {
  const s = findServer(cloud, ctx.params[0]!);
  return { status: 200, body: { server: serverView(cloud, s, ctx.mv, fipIndex(cloud), true) } };
}

/** PUT /servers/{id}. */
export async function updateServer(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  const s = findServer(cloud, ctx.params[0]!);
  const body = asObject(asObject(await readJson(ctx, bad))?.["server"]);
  if (!body) throw bad("Invalid input for field/attribute server. 'server' is a required property");
  if (typeof body["name"] === "string") {
    if (body["name"].trim() === "") throw bad("Invalid input for field/attribute name.");
    s.name = body["name"];
  }
  if ("description" in body && ctx.mv >= 2019) s.description = typeof body["description"] === "string" ? body["description"] : null;
  if (typeof body["accessIPv4"] === "string") s.access_ipv4 = body["accessIPv4"];
  if (typeof body["accessIPv6"] === "string") s.access_ipv6 = body["accessIPv6"];
  if (typeof body["hostname"] === "string" && ctx.mv >= 2090) s.hostname = body["hostname"];
  s.updated = Date.now();
  return { status: 200, body: { server: serverView(cloud, s, ctx.mv, fipIndex(cloud), true) } };
}

/** DELETE /servers/{id}. */
export function deleteServer(cloud: CloudContext, ctx: Ctx): Reply {
  const s = findServer(cloud, ctx.params[0]!);
  if (s.locked) throw novaError(409, `Instance ${s.id} is locked`);
  if (s.task_state !== "deleting") deleteServerLater(cloud, s);
  return { status: 204 };
}
