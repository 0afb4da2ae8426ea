/**
 * The asynchronous life of a server: build (scheduling → networking →
 * block_device_mapping → spawning → ACTIVE, or ERROR), volume attach and
 * detach, and delete (ports released, volumes detached or deleted).
 *
 * Quirks (as Nova): ports Nova created for `networks: [{uuid}]` are deleted
 * with the server, ports the user passed in are only unbound; a failed network
 * allocation puts the server in ERROR with "Build of instance … aborted:
 * Failed to allocate the network(s), not rescheduling."; failServerBuild gives
 * the scheduler's "No valid host was found." fault; volumes created from
 * block_device_mapping_v2 are attached as soon as Cinder makes them
 * available and deleted with the server when delete_on_termination is set.
 */
import type { CloudContext } from "../cloud-context.js";
import { ApiFault } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { bindPort, createPort, removePort, unbindPort } from "../network/ports.js";
import type { ServerRecord, VolumeRecord } from "../store/records.js";
import { createVolume, deleteVolumeLater, removeVolume } from "../volume/model.js";
import { hostIdFor } from "./views.js";

/** A requested NIC. */
export type NicPlan = { kind: "net"; networkId: string; fixedIp?: string } | { kind: "port"; portId: string; tag?: string };

/** A requested block device. */
export interface BdmPlan {
  source: "image" | "volume" | "snapshot" | "blank";
  uuid?: string;
  size?: number;
  bootIndex: number | null;
  deleteOnTermination: boolean;
  volumeType?: string;
  tag: string | null;
  deviceName?: string;
}

/** What the API validated for a new server. */
export interface BuildPlan {
  nics: NicPlan[];
  securityGroupIds: string[];
  bdms: BdmPlan[];
}

const HOST = "compute-1";

function fail(s: ServerRecord, message: string, code = 500): void {
  s.status = "ERROR";
  s.vm_state = "error";
  s.task_state = null;
  s.power_state = 0;
  s.fault = { code, created: Date.now(), message };
  s.updated = Date.now();
}

// Why: a server that never got its volumes must give back the ones the API reserved.
function unreserve(cloud: CloudContext, plan: BuildPlan): void {
  for (const b of plan.bdms) {
    const v = b.source === "volume" ? cloud.store.volumes.get(b.uuid!) : undefined;
    if (v && v.status === "reserved") v.status = "available";
  }
}

/** Next free device name (/dev/vdb, /dev/vdc, …). */
export function nextDevice(s: ServerRecord): string {
  const used = new Set(s.volumes.map((v) => v.device));
  for (let c = 98; c < 123; c++) {
    const d = `/dev/vd${String.fromCharCode(c)}`;
    if (!used.has(d)) return d;
  }
  return `/dev/vd${s.volumes.length}`;
}

/** Records a volume as attached to the server (Cinder in-use + Nova BDM). */
export function markAttached(s: ServerRecord, v: VolumeRecord, device: string, opts: { deleteOnTermination: boolean; tag: string | null; bootIndex: number | null }): string {
  const attachmentId = uuid();
  const now = Date.now();
  v.attachments.push({ id: v.id, attachment_id: attachmentId, server_id: s.id, device, attached_at: now });
  v.status = "in-use";
  v.updated_at = now;
  s.volumes.push({ volume_id: v.id, device, attachment_id: attachmentId, bdm_uuid: uuid(), delete_on_termination: opts.deleteOnTermination, tag: opts.tag, boot_index: opts.bootIndex });
  return attachmentId;
}

function allocateNics(cloud: CloudContext, s: ServerRecord, plan: BuildPlan): void {
  const created: string[] = [];
  try {
    for (const nic of plan.nics) {
      if (nic.kind === "port") {
        const p = cloud.store.ports.get(nic.portId);
        if (!p) throw new Error(`port ${nic.portId} vanished`);
        bindPort(p, s.id);
        s.ports.push(p.id);
        continue;
      }
      const p = createPort(cloud, {
        network_id: nic.networkId,
        ...(nic.fixedIp ? { fixed_ips: [{ ip_address: nic.fixedIp }] } : {}),
        ...(plan.securityGroupIds.length > 0 ? { security_groups: plan.securityGroupIds } : {}),
      });
      created.push(p.id);
      bindPort(p, s.id);
      s.ports.push(p.id);
      s.created_ports.add(p.id);
    }
  } catch (e) {
    for (const id of created) {
      const p = cloud.store.ports.get(id);
      if (p) removePort(cloud, p);
    }
    for (const id of s.ports) {
      const p = cloud.store.ports.get(id);
      if (p && p.device_id === s.id) unbindPort(p);
    }
    s.ports = [];
    s.created_ports.clear();
    throw e;
  }
}

/** Starts the asynchronous build of a validated server. */
export function startBuild(cloud: CloudContext, s: ServerRecord, plan: BuildPlan): void {
  const d = cloud.delays.serverBuild;
  const step = Math.max(0, Math.floor(d / 4));
  const live = () => cloud.store.servers.get(s.id) === s && s.task_state !== "deleting";
  cloud.scheduler.after(step, () => {
    if (!live()) return;
    if (cloud.faults.failsBuild(s.name)) {
      fail(s, "No valid host was found. There are not enough hosts available.");
      unreserve(cloud, plan);
      return;
    }
    s.availability_zone = "nova";
    s.host_id = hostIdFor(s.project_id, HOST);
    s.task_state = "networking";
    s.updated = Date.now();
    try {
      allocateNics(cloud, s, plan);
    } catch {
      fail(s, `Build of instance ${s.id} aborted: Failed to allocate the network(s), not rescheduling.`);
      unreserve(cloud, plan);
      return;
    }
    cloud.scheduler.after(step, () => blockDevices(cloud, s, plan, step));
  });
}

function blockDevices(cloud: CloudContext, s: ServerRecord, plan: BuildPlan, step: number): void {
  if (cloud.store.servers.get(s.id) !== s || s.task_state === "deleting") return;
  s.task_state = "block_device_mapping";
  s.updated = Date.now();
  const pending: Array<{ v: VolumeRecord; b: BdmPlan }> = [];
  try {
    for (const b of plan.bdms) {
      let v: VolumeRecord | undefined;
      if (b.source === "volume") v = cloud.store.volumes.get(b.uuid!);
      else if (b.source === "image") v = createVolume(cloud, { name: "", description: "", size: b.size!, imageId: b.uuid!, ...(b.volumeType ? { volumeType: b.volumeType } : {}) });
      else if (b.source === "snapshot") v = createVolume(cloud, { name: "", description: "", snapshotId: b.uuid!, ...(b.size ? { size: b.size } : {}), ...(b.volumeType ? { volumeType: b.volumeType } : {}) });
      else v = createVolume(cloud, { name: "", description: "", size: b.size!, ...(b.volumeType ? { volumeType: b.volumeType } : {}) });
      if (!v) throw new Error(`volume ${b.uuid} vanished`);
      pending.push({ v, b });
    }
  } catch (e) {
    const msg = e instanceof ApiFault && typeof e.body === "object" ? JSON.stringify(Object.values(e.body)[0]) : String(e);
    for (const { v, b } of pending) if (b.source !== "volume") removeVolume(cloud, v);
    fail(s, `Build of instance ${s.id} aborted: ${msg}`);
    unreserve(cloud, plan);
    return;
  }
  let polls = 0;
  const poll = () => {
    if (cloud.store.servers.get(s.id) !== s || s.task_state === "deleting") return;
    const broken = pending.find(({ v }) => v.status === "error" || cloud.store.volumes.get(v.id) !== v);
    if (broken || polls++ > 2000) {
      fail(s, `Build of instance ${s.id} aborted: Volume ${broken?.v.id ?? ""} did not finish being created even after we waited ${polls} seconds or ${polls} attempts. And its status is ${broken?.v.status ?? "creating"}.`);
      unreserve(cloud, plan);
      return;
    }
    if (pending.some(({ v, b }) => (b.source === "volume" ? v.status !== "reserved" && v.status !== "available" : v.status !== "available"))) {
      cloud.scheduler.after(Math.max(5, Math.min(50, cloud.delays.volumeCreate / 4)), poll);
      return;
    }
    for (const { v, b } of pending) {
      const device = b.deviceName ?? (b.bootIndex === 0 ? "/dev/vda" : nextDevice(s));
      markAttached(s, v, device, { deleteOnTermination: b.deleteOnTermination, tag: b.tag, bootIndex: b.bootIndex });
    }
    s.task_state = "spawning";
    s.updated = Date.now();
    cloud.scheduler.after(step, () => {
      if (cloud.store.servers.get(s.id) !== s || s.task_state === "deleting") return;
      s.status = "ACTIVE";
      s.vm_state = "active";
      s.task_state = null;
      s.power_state = 1;
      s.launched_at = Date.now();
      s.updated = s.launched_at;
      for (const pid of s.ports) {
        const p = cloud.store.ports.get(pid);
        if (p) p.status = "ACTIVE";
      }
    });
  };
  cloud.scheduler.after(step, poll);
}

/** Detaches a volume from a server now (Cinder back to available). */
export function detachNow(cloud: CloudContext, s: ServerRecord, volumeId: string): void {
  s.volumes = s.volumes.filter((x) => x.volume_id !== volumeId);
  const v = cloud.store.volumes.get(volumeId);
  if (!v) return;
  v.attachments = v.attachments.filter((a) => a.server_id !== s.id);
  if (v.attachments.length === 0) v.status = "available";
  v.updated_at = Date.now();
}

/** Starts deleting a server; it disappears after the delete delay. */
export function deleteServerLater(cloud: CloudContext, s: ServerRecord): void {
  s.task_state = "deleting";
  s.updated = Date.now();
  cloud.scheduler.after(cloud.delays.serverDelete, () => {
    if (cloud.store.servers.get(s.id) !== s) return;
    for (const pid of [...s.ports]) {
      const p = cloud.store.ports.get(pid);
      if (!p) continue;
      if (s.created_ports.has(pid)) removePort(cloud, p);
      else unbindPort(p);
    }
    for (const bdm of [...s.volumes]) {
      detachNow(cloud, s, bdm.volume_id);
      const v = cloud.store.volumes.get(bdm.volume_id);
      if (v && bdm.delete_on_termination && v.status === "available") {
        const hasSnapshots = [...cloud.store.snapshots.values()].some((x) => x.volume_id === v.id);
        if (!hasSnapshots) deleteVolumeLater(cloud, v);
      }
    }
    for (const gid of s.server_groups) {
      const g = cloud.store.serverGroups.get(gid);
      if (g) g.members = g.members.filter((m) => m !== s.id);
    }
    cloud.blobs.release(s.root_blob);
    s.root_blob = null;
    cloud.store.servers.delete(s.id);
  });
}
