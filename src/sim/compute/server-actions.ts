/**
 * Nova server actions and sub-resources: os-stop, os-start, reboot,
 * createImage; os-volume_attachments (list, show, attach, detach);
 * os-interface (list, show, attach, detach); ips.
 *
 * API: POST /servers/{id}/action, /servers/{id}/os-volume_attachments[/{vol}],
 * /servers/{id}/os-interface[/{port}], /servers/{id}/ips[/{network}].
 *
 * Quirks (Zed): an action in the wrong state is a 409 "Cannot 'stop' instance
 * X while it is in vm_state stopped" (or "… task_state …" while a task runs);
 * createImage answers `{"image_id"}` from 2.45 and a Location header before;
 * a snapshot of an image-booted server uploads the instance's base image
 * bytes, a boot-from-volume one makes a Cinder snapshot "snapshot for <name>"
 * and a zero-byte image with `block_device_mapping`; attaching an in-use
 * volume is a 400 "Invalid volume: volume X is already attached to instances: Y".
 */
import type { CloudContext } from "../cloud-context.js";
import { ApiFault, novaError } from "../core/errors.js";
import { asObject, readJson, type Ctx, type Reply } from "../core/http.js";
import { checkImageCount, createImageRecord, saveImageLater } from "../image/model.js";
import { CORE_KEYS } from "../image/model.js";
import { bindPort, createPort, removePort, unbindPort } from "../network/ports.js";
import type { ServerRecord } from "../store/records.js";
import { createSnapshot } from "../volume/snapshots.js";
import { detachNow, markAttached, nextDevice } from "./lifecycle.js";
import { addresses, fipIndex } from "./views.js";
import { findServer } from "./servers.js";

const bad = (m: string) => novaError(400, m);

function conflict(s: ServerRecord, action: string): ApiFault {
  const by = s.task_state ? `task_state ${s.task_state}` : `vm_state ${s.vm_state}`;
  return novaError(409, `Cannot '${action}' instance ${s.id} while it is in ${by}`);
}

/** POST /servers/{id}/action. */
export async function serverAction(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  const s = findServer(cloud, ctx.params[0]!, true);
  const body = asObject(await readJson(ctx, bad)) ?? {};
  const [name] = Object.keys(body);
  const arg = asObject(body[name ?? ""]) ?? {};
  const d = cloud.delays.serverAction;
  switch (name) {
    case "os-stop": {
      if (s.task_state || s.vm_state !== "active") throw conflict(s, "stop");
      s.task_state = "powering-off";
      cloud.scheduler.after(d, () => {
        if (s.task_state !== "powering-off") return;
        Object.assign(s, { status: "SHUTOFF", vm_state: "stopped", task_state: null, power_state: 4, updated: Date.now() });
      });
      return { status: 202 };
    }
    case "os-start": {
      if (s.task_state || s.vm_state !== "stopped") throw conflict(s, "start");
      s.task_state = "powering-on";
      cloud.scheduler.after(d, () => {
        if (s.task_state !== "powering-on") return;
        Object.assign(s, { status: "ACTIVE", vm_state: "active", task_state: null, power_state: 1, updated: Date.now() });
      });
      return { status: 202 };
    }
    case "reboot": {
      const hard = String(arg["type"] ?? "").toUpperCase() === "HARD";
      if (s.task_state || (s.vm_state !== "active" && !(hard && s.vm_state === "stopped"))) throw conflict(s, "reboot");
      s.status = hard ? "HARD_REBOOT" : "REBOOT";
      s.task_state = hard ? "rebooting_hard" : "rebooting";
      cloud.scheduler.after(d, () => {
        if (!s.task_state?.startsWith("rebooting")) return;
        Object.assign(s, { status: "ACTIVE", vm_state: "active", task_state: null, power_state: 1, updated: Date.now() });
      });
      return { status: 202 };
    }
    case "createImage":
      return createImage(cloud, ctx, s, arg);
    default:
      throw bad(`There is no such action: ${name ?? "None"}`);
  }
}

function createImage(cloud: CloudContext, ctx: Ctx, s: ServerRecord, arg: Record<string, unknown>): Reply {
  const store = cloud.store;
  if (typeof arg["name"] !== "string" || arg["name"].trim() === "") throw bad("Invalid input for field/attribute name.");
  if (s.task_state || !["active", "stopped", "paused", "suspended"].includes(s.vm_state)) throw conflict(s, "createImage");
  const meta = asObject(arg["metadata"]) ?? {};
  try {
    checkImageCount(cloud);
  } catch {
    throw novaError(403, "Quota exceeded for resources: ['image_count_total'].");
  }
  const props: Record<string, string> = {};
  const base = s.image_id ? store.images.get(s.image_id) : undefined;
  if (base) for (const [k, v] of Object.entries(base.properties)) if (!CORE_KEYS.has(k)) props[k] = v;
  Object.assign(props, {
    base_image_ref: s.image_id ?? "", owner_user_name: store.identity.username, owner_project_name: store.identity.projectName,
    boot_roles: store.identity.roles.map((r) => r.name).join(","),
  });
  const root = s.volumes.find((v) => v.boot_index === 0);
  let blob = null;
  let diskFormat = base?.disk_format ?? "raw";
  let minDisk = Math.max(s.flavor.disk, base?.min_disk ?? 0);
  if (root) {
    const vol = store.volumes.get(root.volume_id);
    if (!vol) throw novaError(409, `Cannot 'createImage' instance ${s.id} while it is in task_state None`);
    const snap = createSnapshot(cloud, vol, { name: `snapshot for ${arg["name"]}`, description: "", force: true }, 3066);
    Object.assign(props, {
      root_device_name: "/dev/vda", bdm_v2: "True",
      block_device_mapping: JSON.stringify([{
        image_id: null, volume_size: vol.size, delete_on_termination: root.delete_on_termination, destination_type: "volume", tag: root.tag,
        encryption_secret_uuid: null, source_type: "snapshot", device_name: root.device, volume_type: null, encrypted: null,
        encryption_format: null, no_device: null, boot_index: 0, device_type: null, guest_format: null, disk_bus: null, volume_id: null,
        encryption_options: null, snapshot_id: snap.id,
      }]),
    });
    diskFormat = "qcow2";
    minDisk = vol.size;
  } else {
    Object.assign(props, { instance_uuid: s.id, user_id: store.identity.userId, image_type: "snapshot" });
    blob = cloud.blobs.retain(s.root_blob);
  }
  for (const [k, v] of Object.entries(meta)) props[k] = String(v);
  const img = createImageRecord(cloud, {
    name: arg["name"], visibility: "private", disk_format: diskFormat, container_format: base?.container_format ?? "bare",
    min_disk: minDisk, min_ram: base?.min_ram ?? 0, properties: props,
  });
  const steps = ["image_snapshot", "image_pending_upload", "image_uploading"];
  s.task_state = steps[0]!;
  const delay = cloud.delays.serverImage;
  cloud.scheduler.chain([
    [delay, () => { if (s.task_state === steps[0]) s.task_state = steps[1]!; }],
    [delay, () => {
      if (s.task_state === steps[1]) s.task_state = steps[2]!;
      saveImageLater(cloud, img, blob, () => {
        if (s.task_state === steps[2]) {
          s.task_state = null;
          s.updated = Date.now();
        }
      });
    }],
  ]);
  const location = `${cloud.baseUrl}/image/v2/images/${img.id}`;
  if (ctx.mv >= 2045) return { status: 202, body: { image_id: img.id } };
  return { status: 202, headers: { Location: location } };
}

function attachmentView(s: ServerRecord, a: ServerRecord["volumes"][number], mv: number, forCreate: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  if (forCreate) Object.assign(v, { id: a.volume_id, serverId: s.id, volumeId: a.volume_id, device: a.device });
  else {
    if (mv < 2089) v["id"] = a.volume_id;
    Object.assign(v, { volumeId: a.volume_id, serverId: s.id, device: a.device });
  }
  if (mv >= 2070) v["tag"] = a.tag;
  if (mv >= 2079) v["delete_on_termination"] = a.delete_on_termination;
  if (mv >= 2089 && !forCreate) Object.assign(v, { attachment_id: a.attachment_id, bdm_uuid: a.bdm_uuid });
  return v;
}

/** GET /servers/{id}/os-volume_attachments. */
export function listAttachments(cloud: CloudContext, ctx: Ctx): Reply {
  const s = findServer(cloud, ctx.params[0]!);
  return { status: 200, body: { volumeAttachments: s.volumes.map((a) => attachmentView(s, a, ctx.mv, false)) } };
}

/** GET /servers/{id}/os-volume_attachments/{volume}. */
export function showAttachment(cloud: CloudContext, ctx: Ctx): Reply {
  const s = findServer(cloud, ctx.params[0]!);
  const a = s.volumes.find((x) => x.volume_id === ctx.params[1]);
  if (!a) throw novaError(404, `Instance ${s.id} is not attached to volume ${ctx.params[1]}.`);
  return { status: 200, body: { volumeAttachment: attachmentView(s, a, ctx.mv, false) } };
}

/** POST /servers/{id}/os-volume_attachments. */
export async function attachVolume(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  const s = findServer(cloud, ctx.params[0]!);
  const body = asObject(asObject(await readJson(ctx, bad))?.["volumeAttachment"]);
  if (!body || typeof body["volumeId"] !== "string") throw bad("Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property");
  const v = cloud.store.volumes.get(body["volumeId"]);
  if (!v) throw novaError(404, `Volume ${body["volumeId"]} could not be found.`);
  if (s.task_state || !["active", "stopped", "paused", "suspended"].includes(s.vm_state)) throw conflict(s, "attach_volume");
  if (v.attachments.length > 0 && !v.multiattach) {
    throw bad(`Invalid volume: volume ${v.id} is already attached to instances: ${v.attachments.map((a) => a.server_id).join(",")}`);
  }
  if (v.status !== "available" && !(v.multiattach && v.status === "in-use")) {
    throw bad(`Invalid volume: volume '${v.id}' status must be 'available'. Currently in '${v.status}'`);
  }
  const device = typeof body["device"] === "string" && body["device"] ? body["device"] : nextDevice(s);
  const tag = ctx.mv >= 2049 && typeof body["tag"] === "string" ? body["tag"] : null;
  const dot = ctx.mv >= 2079 && body["delete_on_termination"] === true;
  markAttached(s, v, device, { deleteOnTermination: dot, tag, bootIndex: null });
  // Why: Cinder shows `reserved` until the compute host has connected the volume.
  v.status = "reserved";
  cloud.scheduler.after(cloud.delays.volumeAttach, () => {
    if (cloud.store.volumes.get(v.id) === v && v.status === "reserved") v.status = "in-use";
  });
  const a = s.volumes[s.volumes.length - 1]!;
  return { status: 200, body: { volumeAttachment: attachmentView(s, a, ctx.mv, true) } };
}

/** DELETE /servers/{id}/os-volume_attachments/{volume}. */
export function detachVolume(cloud: CloudContext, ctx: Ctx): Reply {
  const s = findServer(cloud, ctx.params[0]!);
  const a = s.volumes.find((x) => x.volume_id === ctx.params[1]);
  if (!a) throw novaError(404, `Instance ${s.id} is not attached to volume ${ctx.params[1]}.`);
  if (a.boot_index === 0) throw bad(`Cannot detach a root device volume`);
  if (s.task_state) throw conflict(s, "detach_volume");
  const v = cloud.store.volumes.get(a.volume_id);
  if (v) v.status = "detaching";
  s.volumes = s.volumes.filter((x) => x !== a);
  cloud.scheduler.after(cloud.delays.volumeAttach, () => {
    s.volumes.push(a);
    detachNow(cloud, s, a.volume_id);
  });
  return { status: 202 };
}

function interfaceView(cloud: CloudContext, portId: string, mv: number): Record<string, unknown> | undefined {
  const p = cloud.store.ports.get(portId);
  if (!p) return undefined;
  const v: Record<string, unknown> = {
    net_id: p.network_id, port_id: p.id, mac_addr: p.mac_address, port_state: p.status,
    fixed_ips: p.fixed_ips.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
  };
  if (mv >= 2070) v["tag"] = null;
  return v;
}

/** GET /servers/{id}/os-interface[/{port}]. */
export function listInterfaces(cloud: CloudContext, ctx: Ctx): Reply {
  const s = findServer(cloud, ctx.params[0]!);
  if (ctx.params[1]) {
    if (!s.ports.includes(ctx.params[1])) throw novaError(404, `Port ${ctx.params[1]} is not attached`);
    return { status: 200, body: { interfaceAttachment: interfaceView(cloud, ctx.params[1], ctx.mv) } };
  }
  return { status: 200, body: { interfaceAttachments: s.ports.map((p) => interfaceView(cloud, p, ctx.mv)).filter(Boolean) } };
}

/** POST /servers/{id}/os-interface. */
export async function attachInterface(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  const s = findServer(cloud, ctx.params[0]!);
  const body = asObject(asObject(await readJson(ctx, bad))?.["interfaceAttachment"]) ?? {};
  if (s.task_state || !["active", "stopped"].includes(s.vm_state)) throw conflict(s, "attach_interface");
  let port;
  if (typeof body["port_id"] === "string") {
    port = cloud.store.ports.get(body["port_id"]);
    if (!port || port.project_id !== cloud.store.identity.projectId) throw novaError(404, `Port ${body["port_id"]} could not be found.`);
    if (port.device_id) throw novaError(409, `Port ${port.id} is still in use.`);
  } else if (typeof body["net_id"] === "string") {
    const fixed = Array.isArray(body["fixed_ips"]) ? body["fixed_ips"] : undefined;
    try {
      port = createPort(cloud, { network_id: body["net_id"], ...(fixed ? { fixed_ips: fixed } : {}) });
    } catch (e) {
      if (e instanceof ApiFault && e.status === 404) throw novaError(404, `Network ${body["net_id"]} could not be found.`);
      if (e instanceof ApiFault && e.status === 409) throw novaError(409, "Failed to allocate the network(s), not rescheduling.");
      throw e;
    }
    s.created_ports.add(port.id);
  } else {
    throw bad("Must input network_id when request IP address");
  }
  bindPort(port, s.id);
  s.ports.push(port.id);
  return { status: 200, body: { interfaceAttachment: interfaceView(cloud, port.id, ctx.mv) } };
}

/** DELETE /servers/{id}/os-interface/{port}. */
export function detachInterface(cloud: CloudContext, ctx: Ctx): Reply {
  const s = findServer(cloud, ctx.params[0]!);
  const pid = ctx.params[1]!;
  if (!s.ports.includes(pid)) throw novaError(404, `Port ${pid} is not attached`);
  const p = cloud.store.ports.get(pid);
  s.ports = s.ports.filter((x) => x !== pid);
  if (p) {
    if (s.created_ports.has(pid)) removePort(cloud, p);
    else unbindPort(p);
  }
  s.created_ports.delete(pid);
  return { status: 202 };
}

/** GET /servers/{id}/ips[/{network}]. */
export function serverIps(cloud: CloudContext, ctx: Ctx): Reply {
  const s = findServer(cloud, ctx.params[0]!);
  const all = addresses(cloud, s, fipIndex(cloud), true);
  const net = ctx.params[1];
  if (net !== undefined) {
    if (!(net in all)) throw novaError(404, "Networks with that label could not be found.");
    return { status: 200, body: { [net]: all[net] } };
  }
  return { status: 200, body: { addresses: all } };
}
