/**
 * Load balancers: create (with the VIP port in the simulated Neutron),
 * update, delete with and without cascade.
 *
 * Quirks (Octavia v2 controller and the allowed-address-pairs network
 * driver): the VIP port is created at once, in the LB's project, named
 * `octavia-lb-<id>`, `device_owner` "Octavia", `device_id` "lb-<id>",
 * admin-down, so a floating IP can be associated with it straight away;
 * Neutron's errors while making it come back in Octavia's fault format with
 * Neutron's status and message. Without cascade a load balancer with
 * listeners or pools is refused with 400 "Validation failure: Cannot delete
 * Load Balancer <id> - it has children". A cascade delete removes the
 * children and the VIP port (its floating IP is disassociated, not released).
 */
import type { CloudContext } from "../cloud-context.js";
import { ApiFault, octaviaError } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { asObject } from "../core/http.js";
import { createPort, removePort } from "../network/ports.js";
import type { PortRecord, SubnetRecord } from "../store/records.js";
import { assertLbMutable, baseFields, checkQuota, lbState, markDeleting, optStr, updateBase } from "./lifecycle.js";
import type { LbRecord } from "./model.js";

type Body = Record<string, unknown>;

function ownOrShared(cloud: CloudContext, networkId: string): boolean {
  const net = cloud.store.networks.get(networkId);
  return !!net && (net.project_id === cloud.store.identity.projectId || net.shared || net.external);
}

function findSubnet(cloud: CloudContext, b: Body): SubnetRecord {
  const subnetId = optStr(b, "vip_subnet_id", null);
  const networkId = optStr(b, "vip_network_id", null);
  if (subnetId) {
    const s = cloud.store.subnets.get(subnetId);
    if (!s || !ownOrShared(cloud, s.network_id)) throw octaviaError(400, `Subnet ${subnetId} not found.`);
    if (networkId && s.network_id !== networkId) throw octaviaError(400, `Validation failure: vip_subnet_id ${subnetId} is not on vip_network_id ${networkId}.`);
    return s;
  }
  const net = networkId ? cloud.store.networks.get(networkId) : undefined;
  if (!net || !ownOrShared(cloud, net.id)) throw octaviaError(400, `Network ${networkId} not found.`);
  const subnets = net.subnets.map((id) => cloud.store.subnets.get(id)).filter((s): s is SubnetRecord => !!s);
  const s = subnets.find((x) => x.ip_version === 4) ?? subnets[0];
  if (!s) throw octaviaError(400, `Validation failure: Supplied network does not contain a subnet.`);
  return s;
}

/** Neutron's answer, in Octavia's fault format (what the network driver passes on). */
function asOctavia(err: unknown): unknown {
  if (err instanceof ApiFault) {
    const neutron = asObject(asObject(err.body)?.["NeutronError"]);
    if (neutron) return octaviaError(err.status, String(neutron["message"] ?? "Network error"));
  }
  return err;
}

function vipPort(cloud: CloudContext, b: Body, lbId: string): PortRecord {
  const portId = optStr(b, "vip_port_id", null);
  if (portId) {
    const p = cloud.store.ports.get(portId);
    if (!p || p.project_id !== cloud.store.identity.projectId) throw octaviaError(400, `Port ${portId} not found.`);
    if (p.fixed_ips.length === 0) throw octaviaError(400, `Validation failure: Port ${portId} has no fixed IP addresses.`);
    return p;
  }
  const subnet = findSubnet(cloud, b);
  const wanted = optStr(b, "vip_address", null);
  // Why: a taken address does not fail the create here; the VIP gets another one from the subnet.
  const ip = wanted && !subnet.allocated.has(wanted) ? wanted : undefined;
  try {
    return createPort(
      cloud,
      {
        name: `octavia-lb-${lbId}`, network_id: subnet.network_id, admin_state_up: false,
        device_owner: "Octavia", device_id: `lb-${lbId}`,
        fixed_ips: [{ subnet_id: subnet.id, ...(ip ? { ip_address: ip } : {}) }],
      },
      { projectId: cloud.store.identity.projectId, skipSecurityGroups: true },
    );
  } catch (err) {
    throw asOctavia(err);
  }
}

function pickProvider(cloud: CloudContext, b: Body): string {
  const s = lbState(cloud);
  const provider = optStr(b, "provider", null) ?? s.providers[0] ?? "amphora";
  if (!s.providers.includes(provider)) throw octaviaError(400, `Provider '${provider}' is not enabled.`);
  return provider;
}

function pickFlavor(cloud: CloudContext, b: Body): string | null {
  const id = optStr(b, "flavor_id", null);
  if (!id) return null;
  const f = lbState(cloud).flavors.find((x) => x.id === id);
  if (!f) throw octaviaError(400, "Validation failure: Invalid flavor_id.");
  if (!f.enabled) throw octaviaError(400, `The selected flavor is not allowed in this deployment: ${id}`);
  return id;
}

function pickZone(cloud: CloudContext, b: Body): string | null {
  const az = optStr(b, "availability_zone", null);
  if (az && !lbState(cloud).availabilityZones.includes(az)) throw octaviaError(400, "Validation failure: Invalid availability zone.");
  return az;
}

/** POST /loadbalancers: PENDING_CREATE now, ACTIVE (or ERROR under the fault) after `lbCreate`. */
export function createLoadBalancer(cloud: CloudContext, b: Body): LbRecord {
  if (!b["vip_subnet_id"] && !b["vip_network_id"] && !b["vip_port_id"]) {
    throw octaviaError(400, "Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.");
  }
  if ((Array.isArray(b["listeners"]) && b["listeners"].length > 0) || (Array.isArray(b["pools"]) && b["pools"].length > 0)) {
    // Why: Octavia accepts a whole graph here; ignoring it silently would leave callers with a bare load balancer.
    throw octaviaError(501, "The simulator does not implement single-call graph creation (listeners or pools in the load balancer body); create them one by one.");
  }
  const provider = pickProvider(cloud, b);
  const flavorId = pickFlavor(cloud, b);
  const az = pickZone(cloud, b);
  checkQuota(cloud, "loadbalancer");
  const id = uuid();
  const port = vipPort(cloud, b, id);
  const fixed = port.fixed_ips[0]!;
  const lb: LbRecord = {
    ...baseFields(cloud, b, id, id),
    vip_address: fixed.ip_address, vip_port_id: port.id, vip_subnet_id: fixed.subnet_id, vip_network_id: port.network_id,
    vip_qos_policy_id: optStr(b, "vip_qos_policy_id", null), provider, flavor_id: flavorId, availability_zone: az,
  };
  const s = lbState(cloud);
  s.loadBalancers.set(id, lb);
  s.events.push({ at: Date.now(), kind: "loadbalancer", id, status: "PENDING_CREATE" });
  const fails = cloud.faults.failsLoadBalancer(lb.name);
  cloud.scheduler.after(cloud.delays.lbCreate, () => {
    if (lb.provisioning_status !== "PENDING_CREATE") return;
    s.setStatus("loadbalancer", lb, fails ? "ERROR" : "ACTIVE");
    lb.operating_status = fails ? "ERROR" : lb.admin_state_up ? "ONLINE" : "OFFLINE";
    lb.updated_at = Date.now();
  });
  return lb;
}

/** PUT /loadbalancers/{id}. */
export function updateLoadBalancer(cloud: CloudContext, lb: LbRecord, b: Body): void {
  for (const k of ["vip_address", "vip_subnet_id", "vip_network_id", "vip_port_id", "provider", "flavor_id", "availability_zone"]) {
    if (b[k] !== undefined) throw octaviaError(400, `Invalid input for field/attribute ${k}. Value: '${String(b[k])}'. Cannot update read-only attribute.`);
  }
  assertLbMutable(cloud, lb.id, false);
  updateBase(lb, b);
  if (b["vip_qos_policy_id"] !== undefined) lb.vip_qos_policy_id = optStr(b, "vip_qos_policy_id", null);
  const s = lbState(cloud);
  s.setStatus("loadbalancer", lb, "PENDING_UPDATE");
  lb.updated_at = Date.now();
  cloud.scheduler.after(cloud.delays.lbUpdate, () => {
    if (lb.provisioning_status !== "PENDING_UPDATE") return;
    s.setStatus("loadbalancer", lb, "ACTIVE");
    lb.operating_status = lb.admin_state_up ? "ONLINE" : "OFFLINE";
  });
}

/** DELETE /loadbalancers/{id}[?cascade=true]. */
export function deleteLoadBalancer(cloud: CloudContext, lb: LbRecord, cascade: boolean): void {
  const s = lbState(cloud);
  const children = s.childrenOf(lb.id);
  if (!cascade && children.some(([k]) => k === "listener" || k === "pool")) {
    throw octaviaError(400, `Validation failure: Cannot delete Load Balancer ${lb.id} - it has children`);
  }
  assertLbMutable(cloud, lb.id, true);
  markDeleting(cloud, children);
  s.setStatus("loadbalancer", lb, "PENDING_DELETE");
  lb.updated_at = Date.now();
  cloud.scheduler.after(cloud.delays.lbDelete, () => {
    for (const [kind, r] of s.childrenOf(lb.id)) {
      s.setStatus(kind, r, "DELETED");
      s.table(kind).delete(r.id);
    }
    const port = cloud.store.ports.get(lb.vip_port_id);
    if (port && port.device_owner === "Octavia") removePort(cloud, port);
    s.setStatus("loadbalancer", lb, "DELETED");
    s.loadBalancers.delete(lb.id);
  });
}
