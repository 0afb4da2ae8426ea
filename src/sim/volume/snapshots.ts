/**
 * Cinder volume snapshots: create (also used by Nova's snapshot of a
 * boot-from-volume server) and delete, with their status sequences.
 *
 * API: /v3/{project}/snapshots[/detail|/{id}] (routes in index.ts).
 *
 * Quirks (Zed): below 3.66 an in-use volume needs `force: true`; from 3.66 on
 * `force` may be omitted and `force: false` is a 400; a snapshot shares the
 * volume's bytes (copy-on-write by reference) and counts against both the
 * snapshots and the gigabytes quota; a volume with snapshots cannot be deleted.
 */
import type { CloudContext } from "../cloud-context.js";
import { cinderError } from "../core/errors.js";
import { parseBool } from "../core/http.js";
import { uuid } from "../core/ids.js";
import type { SnapshotRecord, VolumeRecord } from "../store/records.js";
import { checkVolumeQuota } from "./model.js";

/** Snapshot request fields. */
export interface SnapshotInput {
  name: string | null;
  description: string | null;
  force?: unknown;
  metadata?: Record<string, string>;
}

/** Creates a snapshot and schedules creating → available. */
export function createSnapshot(cloud: CloudContext, v: VolumeRecord, input: SnapshotInput, mv: number): SnapshotRecord {
  const force = input.force === undefined ? undefined : input.force === true || (typeof input.force === "string" && parseBool(input.force) === true);
  if (mv >= 3066 && force === false) {
    throw cinderError(400, "Invalid value 'False' for force. The 'force' parameter is no longer supported; it must be omitted or True.");
  }
  const inUseOk = mv >= 3066 || force === true;
  if (!(v.status === "available" || (v.status === "in-use" && inUseOk))) {
    throw cinderError(400, `Invalid volume: Volume ${v.id} status must be available, but current status is: ${v.status}.`);
  }
  checkVolumeQuota(cloud, { snapshots: 1, gigabytes: v.size });
  const now = Date.now();
  const s: SnapshotRecord = {
    id: uuid(), name: input.name, description: input.description, volume_id: v.id, status: "creating", size: v.size,
    metadata: { ...(input.metadata ?? {}) }, project_id: v.project_id, user_id: cloud.store.identity.userId,
    blob: cloud.blobs.retain(v.blob), created_at: now, updated_at: null,
  };
  cloud.store.snapshots.set(s.id, s);
  cloud.scheduler.after(cloud.delays.volumeCreate, () => {
    if (cloud.store.snapshots.get(s.id) !== s) return;
    s.status = "available";
    s.updated_at = Date.now();
  });
  return s;
}

/** Schedules deleting → gone; 400 unless available or error. */
export function deleteSnapshot(cloud: CloudContext, s: SnapshotRecord): void {
  if (s.status !== "available" && s.status !== "error") {
    throw cinderError(400, `Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.`);
  }
  s.status = "deleting";
  s.updated_at = Date.now();
  cloud.scheduler.after(cloud.delays.volumeDelete, () => removeSnapshot(cloud, s));
}

/** Removes a snapshot now. */
export function removeSnapshot(cloud: CloudContext, s: SnapshotRecord): void {
  if (cloud.store.snapshots.get(s.id) !== s) return;
  cloud.store.snapshots.delete(s.id);
  cloud.blobs.release(s.blob);
  s.blob = null;
}
