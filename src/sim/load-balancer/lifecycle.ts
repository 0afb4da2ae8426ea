/**
 * Octavia's provisioning life cycle in the simulator: every change locks the
 * load balancer (PENDING_UPDATE, the changed object PENDING_CREATE/UPDATE/
 * DELETE) and a timer settles the whole tree back to ACTIVE, removing what
 * was PENDING_DELETE. Also the checks and messages that go with it: the 409
 * while busy, quotas, ownership, and wsme's input validation.
 *
 * Quirks (Octavia source, octavia/common/exceptions.py and the v2
 * controllers): children of a busy (or ERROR) load balancer get 409 "Load
 * Balancer <id> is immutable and cannot be updated."; the load balancer
 * itself gets 409 "Invalid state <status> of loadbalancer resource <id>"
 * (ERROR may still be deleted); quota errors are 403 "Quota has been met for
 * resources: <Name>"; another project's object is 403 "Policy does not allow
 * this request to be performed."; a missing one 404 "<Name> <id> not found.".
 */
import type { CloudContext } from "../cloud-context.js";
import { octaviaError } from "../core/errors.js";
import type { OctaviaBase, OctaviaKind, OctaviaState } from "./model.js";
import { KIND_NAME } from "./model.js";
import { membersOf, monitorOf } from "./views.js";

/** The cloud's Octavia state. */
export function lbState(cloud: CloudContext): OctaviaState {
  return cloud.store.octavia;
}

/** Finds an object of the caller's project, or answers 404/403 as Octavia does. */
export function getOwned<R extends OctaviaBase>(cloud: CloudContext, kind: OctaviaKind, id: string): R {
  const r = lbState(cloud).table(kind).get(id) as R | undefined;
  if (!r || r.provisioning_status === "DELETED") throw octaviaError(404, `${KIND_NAME[kind]} ${id} not found.`);
  if (r.project_id !== cloud.store.identity.projectId) throw octaviaError(403, "Policy does not allow this request to be performed.");
  return r;
}

/** A referenced object in a body (`pool_id`, `listener_id`, …): a missing one is 400, not 404. */
export function getReferenced<R extends OctaviaBase>(cloud: CloudContext, kind: OctaviaKind, id: string): R {
  const r = lbState(cloud).table(kind).get(id) as R | undefined;
  if (!r || r.project_id !== cloud.store.identity.projectId) throw octaviaError(400, `${KIND_NAME[kind]} ${id} not found.`);
  return r;
}

/** 403 when the project already has as many objects of the kind as its quota allows. */
export function checkQuota(cloud: CloudContext, kind: OctaviaKind): void {
  const s = lbState(cloud);
  const limit = s.quotas[kind];
  if (limit < 0) return;
  let used = 0;
  for (const r of s.table(kind).values()) if (r.project_id === cloud.store.identity.projectId && r.provisioning_status !== "DELETED") used++;
  if (used >= limit) throw octaviaError(403, `Quota has been met for resources: ${KIND_NAME[kind]}`);
}

/** 409 unless the load balancer may take a change to a child (ACTIVE only). */
export function assertChildMutable(cloud: CloudContext, lbId: string): void {
  const lb = lbState(cloud).loadBalancers.get(lbId);
  if (!lb || lb.provisioning_status !== "ACTIVE") {
    throw octaviaError(409, `Load Balancer ${lbId} is immutable and cannot be updated.`);
  }
}

/** 409 unless the load balancer itself may be updated (ACTIVE) or deleted (ACTIVE or ERROR). */
export function assertLbMutable(cloud: CloudContext, lbId: string, deleting: boolean): void {
  const lb = lbState(cloud).loadBalancers.get(lbId)!;
  const ok = lb.provisioning_status === "ACTIVE" || (deleting && lb.provisioning_status === "ERROR");
  if (!ok) throw octaviaError(409, `Invalid state ${lb.provisioning_status} of loadbalancer resource ${lbId}`);
}

/**
 * Locks the load balancer for a change of `changed` (already in its table,
 * or about to be removed) and schedules the settle. `status` is what the
 * changed object shows meanwhile (PENDING_CREATE/UPDATE/DELETE).
 */
export function beginChange(cloud: CloudContext, lbId: string, kind: OctaviaKind, changed: OctaviaBase, status: string): void {
  const s = lbState(cloud);
  const lb = s.loadBalancers.get(lbId)!;
  s.setStatus("loadbalancer", lb, "PENDING_UPDATE");
  lb.updated_at = Date.now();
  if (kind !== "loadbalancer") {
    s.setStatus(kind, changed, status);
    if (status !== "PENDING_CREATE") changed.updated_at = Date.now();
  }
  cloud.scheduler.after(cloud.delays.lbUpdate, () => settle(cloud, lbId));
}

/** Marks every child of the load balancer (or `only` these) PENDING_DELETE. */
export function markDeleting(cloud: CloudContext, items: Array<[OctaviaKind, OctaviaBase]>): void {
  const s = lbState(cloud);
  for (const [kind, r] of items) s.setStatus(kind, r, "PENDING_DELETE");
}

function operating(s: OctaviaState, kind: OctaviaKind, r: OctaviaBase): string {
  if (!r.admin_state_up) return "OFFLINE";
  if (kind === "member") {
    const m = r as unknown as { pool_id: string };
    return monitorOf(s, m.pool_id) ? "ONLINE" : "NO_MONITOR";
  }
  return "ONLINE";
}

/** The end of a change: PENDING_DELETE objects go, every other PENDING_* object and the LB become ACTIVE. */
export function settle(cloud: CloudContext, lbId: string): void {
  const s = lbState(cloud);
  const lb = s.loadBalancers.get(lbId);
  if (!lb) return;
  for (const [kind, r] of s.childrenOf(lbId)) {
    if (r.provisioning_status === "PENDING_DELETE") {
      s.setStatus(kind, r, "DELETED");
      s.table(kind).delete(r.id);
    } else if (r.provisioning_status.startsWith("PENDING_")) {
      s.setStatus(kind, r, "ACTIVE");
    }
  }
  for (const [kind, r] of s.childrenOf(lbId)) {
    r.operating_status = operating(s, kind, r);
    if (kind === "pool") {
      const members = membersOf(s, r.id);
      if (members.length > 0 && members.every((m) => m.operating_status === "OFFLINE")) r.operating_status = "OFFLINE";
    }
  }
  s.setStatus("loadbalancer", lb, "ACTIVE");
  lb.operating_status = operating(s, "loadbalancer", lb);
}

// ------------------------------------------------------------------ input

type Body = Record<string, unknown>;

function invalid(field: string, value: unknown, why: string): never {
  throw octaviaError(400, `Invalid input for field/attribute ${field}. Value: '${value === undefined ? "None" : String(value)}'. ${why}`);
}

/** A mandatory attribute (wsme's message when missing). */
export function required(b: Body, field: string): unknown {
  if (b[field] === undefined || b[field] === null) invalid(field, undefined, "Mandatory field missing.");
  return b[field];
}

export function optStr(b: Body, field: string, dflt: string | null): string | null {
  const v = b[field];
  if (v === undefined) return dflt;
  if (v === null) return null;
  if (typeof v !== "string") invalid(field, v, "Value should be string.");
  return v;
}

export function optInt(b: Body, field: string, dflt: number, min = -Infinity, max = Infinity): number {
  const v = b[field];
  if (v === undefined || v === null) return dflt;
  const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) invalid(field, v, "Invalid integer value.");
  if (n < min || n > max) invalid(field, v, `Value should be greater or equal to ${min === -Infinity ? "-inf" : min} and lower or equal to ${max === Infinity ? "inf" : max}.`);
  return n;
}

export function optBool(b: Body, field: string, dflt: boolean): boolean {
  const v = b[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "True") return true;
  if (v === "false" || v === "False") return false;
  return invalid(field, v, "Value should be boolean.");
}

export function oneOf(b: Body, field: string, allowed: readonly string[], dflt?: string): string {
  const v = b[field] ?? dflt;
  if (v === undefined) return invalid(field, undefined, "Mandatory field missing.");
  if (typeof v !== "string" || !allowed.includes(v)) invalid(field, v, `Value should be one of: ${allowed.join(", ")}`);
  return v;
}

export function tagsOf(b: Body, dflt: string[] = []): string[] {
  const v = b["tags"];
  if (v === undefined || v === null) return dflt;
  if (!Array.isArray(v) || v.some((t) => typeof t !== "string")) invalid("tags", JSON.stringify(v), "Value should be a list of strings.");
  return [...new Set(v as string[])];
}

export function strList(b: Body, field: string): string[] | null {
  const v = b[field];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.some((t) => typeof t !== "string")) invalid(field, JSON.stringify(v), "Value should be a list of strings.");
  return [...(v as string[])];
}

/** The fields common to every create: name, description, admin_state_up, tags, times. */
export function baseFields(cloud: CloudContext, b: Body, id: string, lbId: string): OctaviaBase {
  return {
    id, project_id: cloud.store.identity.projectId, loadbalancer_id: lbId,
    name: optStr(b, "name", "") ?? "", description: optStr(b, "description", "") ?? "",
    admin_state_up: optBool(b, "admin_state_up", true), provisioning_status: "PENDING_CREATE", operating_status: "OFFLINE",
    tags: tagsOf(b), created_at: Date.now(), updated_at: null,
  };
}

/** Applies name/description/admin_state_up/tags of an update body. */
export function updateBase(r: OctaviaBase, b: Body): void {
  if (b["name"] !== undefined) r.name = optStr(b, "name", r.name) ?? "";
  if (b["description"] !== undefined) r.description = optStr(b, "description", r.description) ?? "";
  if (b["admin_state_up"] !== undefined) r.admin_state_up = optBool(b, "admin_state_up", r.admin_state_up);
  if (b["tags"] !== undefined) r.tags = tagsOf(b, r.tags);
}
