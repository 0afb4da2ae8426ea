/**
 * Nova views per microversion: servers (summary, detail, show), flavors and
 * the small helpers around them (links, addresses).
 *
 * Quirks (Zed, member view): the flavor is `{id, links}` below 2.47 and the
 * embedded boot-time flavor with extra_specs from 2.47; `image` is "" for a
 * boot-from-volume server; `security_groups` is present only when the server
 * has ports; `fault` only on ERROR; `server_groups` (2.71) only in show; the
 * hostname attribute is visible to members from 2.90; flavors show `swap: ""`
 * for no swap below 2.75; extra_specs are inline from 2.61.
 */
import { createHash } from "node:crypto";
import type { CloudContext } from "../cloud-context.js";
import { isoMicros, isoSeconds } from "../core/time.js";
import type { FlavorRecord, FloatingIpRecord, ServerRecord } from "../store/records.js";

/** Self and bookmark links of a compute resource. */
export function computeLinks(cloud: CloudContext, coll: string, id: string): unknown[] {
  return [
    { rel: "self", href: `${cloud.baseUrl}/compute/v2.1/${coll}/${id}` },
    { rel: "bookmark", href: `${cloud.baseUrl}/compute/${coll}/${id}` },
  ];
}

/** The hostId Nova shows: sha224(project id + host name), or "" before scheduling. */
export function hostIdFor(projectId: string, host: string): string {
  return createHash("sha224").update(projectId + host).digest("hex");
}

/** Floating IPs indexed by port id, built once per list request. */
export type FipIndex = Map<string, FloatingIpRecord[]>;

/** Builds the floating-IP index for address views. */
export function fipIndex(cloud: CloudContext): FipIndex {
  const m: FipIndex = new Map();
  for (const f of cloud.store.floatingIps.values()) {
    if (!f.port_id) continue;
    const list = m.get(f.port_id);
    if (list) list.push(f);
    else m.set(f.port_id, [f]);
  }
  return m;
}

/** The `addresses` map of a server (per network name, fixed then floating). */
export function addresses(cloud: CloudContext, s: ServerRecord, fips: FipIndex, brief = false): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const pid of s.ports) {
    const p = cloud.store.ports.get(pid);
    if (!p) continue;
    const net = cloud.store.networks.get(p.network_id);
    const key = net?.name ?? p.network_id;
    const list = (out[key] ??= []);
    for (const f of p.fixed_ips) {
      const version = f.ip_address.includes(":") ? 6 : 4;
      list.push(brief ? { version, addr: f.ip_address } : { version, addr: f.ip_address, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": p.mac_address });
      for (const fip of fips.get(p.id) ?? []) {
        if (fip.fixed_ip_address !== f.ip_address) continue;
        list.push(brief ? { version: 4, addr: fip.floating_ip_address } : { version: 4, addr: fip.floating_ip_address, "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": p.mac_address });
      }
    }
  }
  return out;
}

/** The summary server view (`GET /servers`). */
export function serverSummary(cloud: CloudContext, s: ServerRecord): Record<string, unknown> {
  return { id: s.id, name: s.name, links: computeLinks(cloud, "servers", s.id) };
}

/** The embedded or linked flavor of a server. */
function serverFlavor(cloud: CloudContext, s: ServerRecord, mv: number): unknown {
  if (mv < 2047) {
    return { id: s.flavor_id, links: [{ rel: "bookmark", href: `${cloud.baseUrl}/compute/flavors/${s.flavor_id}` }] };
  }
  const f = s.flavor;
  return { vcpus: f.vcpus, ram: f.ram, disk: f.disk, ephemeral: f.ephemeral, swap: f.swap, original_name: f.name, extra_specs: { ...f.extra_specs } };
}

/** The detailed server view; `show` adds show-only fields. */
export function serverView(cloud: CloudContext, s: ServerRecord, mv: number, fips: FipIndex, show: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = {
    id: s.id, name: s.name, status: s.status, tenant_id: s.project_id, user_id: s.user_id, metadata: { ...s.metadata }, hostId: s.host_id,
    image: s.image_id ? { id: s.image_id, links: [{ rel: "bookmark", href: `${cloud.baseUrl}/compute/images/${s.image_id}` }] } : "",
    flavor: serverFlavor(cloud, s, mv), created: isoSeconds(s.created), updated: isoSeconds(s.updated),
    addresses: addresses(cloud, s, fips), accessIPv4: s.access_ipv4, accessIPv6: s.access_ipv6, links: computeLinks(cloud, "servers", s.id),
    "OS-DCF:diskConfig": "MANUAL",
  };
  if (["ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"].includes(s.status)) v["progress"] = 0;
  Object.assign(v, {
    "OS-EXT-AZ:availability_zone": s.availability_zone, config_drive: s.config_drive, key_name: s.key_name,
    "OS-SRV-USG:launched_at": s.launched_at === null ? null : isoMicros(s.launched_at), "OS-SRV-USG:terminated_at": null,
  });
  const groups = new Set<string>();
  for (const pid of s.ports) {
    const p = cloud.store.ports.get(pid);
    for (const g of p?.security_groups ?? []) {
      const name = cloud.store.securityGroups.get(g)?.name;
      if (name !== undefined) groups.add(name);
    }
  }
  if (s.ports.length > 0 && groups.size > 0) v["security_groups"] = [...groups].map((name) => ({ name }));
  Object.assign(v, {
    "OS-EXT-STS:task_state": s.task_state, "OS-EXT-STS:vm_state": s.vm_state, "OS-EXT-STS:power_state": s.power_state,
    "os-extended-volumes:volumes_attached": s.volumes.map((x) => (mv >= 2003 ? { id: x.volume_id, delete_on_termination: x.delete_on_termination } : { id: x.volume_id })),
  });
  if (s.fault && (s.status === "ERROR" || s.status === "DELETED")) v["fault"] = { code: s.fault.code, created: isoSeconds(s.fault.created), message: s.fault.message };
  if (mv >= 2009) v["locked"] = s.locked;
  if (mv >= 2073) v["locked_reason"] = s.locked_reason;
  if (mv >= 2019) v["description"] = s.description;
  if (mv >= 2026) v["tags"] = [...s.tags];
  if (mv >= 2063) v["trusted_image_certificates"] = null;
  if (mv >= 2090) v["OS-EXT-SRV-ATTR:hostname"] = s.hostname;
  if (show && mv >= 2071) v["server_groups"] = [...s.server_groups];
  if (mv >= 2096) v["pinned_availability_zone"] = null;
  return v;
}

/** The summary flavor view (`GET /flavors`). */
export function flavorSummary(cloud: CloudContext, f: FlavorRecord, mv: number): Record<string, unknown> {
  const v: Record<string, unknown> = { id: f.id, name: f.name, links: computeLinks(cloud, "flavors", f.id) };
  if (mv >= 2055) v["description"] = f.description;
  return v;
}

/** The detailed flavor view. */
export function flavorView(cloud: CloudContext, f: FlavorRecord, mv: number): Record<string, unknown> {
  const v: Record<string, unknown> = {
    id: f.id, name: f.name, ram: f.ram, disk: f.disk, swap: mv >= 2075 ? f.swap : f.swap === 0 ? "" : f.swap,
    "OS-FLV-EXT-DATA:ephemeral": f.ephemeral, "OS-FLV-DISABLED:disabled": f.disabled, vcpus: f.vcpus,
    "os-flavor-access:is_public": f.is_public, rxtx_factor: f.rxtx_factor, links: computeLinks(cloud, "flavors", f.id),
  };
  if (mv >= 2055) v["description"] = f.description;
  if (mv >= 2061) v["extra_specs"] = { ...f.extra_specs };
  return v;
}

/** True when the project may use the flavor (public, or private with access). */
export function flavorVisible(cloud: CloudContext, f: FlavorRecord): boolean {
  return f.is_public || f.access.has(cloud.store.identity.projectId);
}
