/**
 * Neutron's IP address management for one subnet: default gateway and
 * allocation pools, validation of requested pools, and address allocation
 * from the pools (or a requested address anywhere in the CIDR).
 *
 * Quirks: Neutron picks pool addresses at random; the simulator hands them out
 * in order from a moving cursor (deterministic, O(1) amortised even with
 * thousands of ports). The messages of the 400/409 errors are Neutron's.
 */
import { neutronError } from "../core/errors.js";
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr } from "../core/ip.js";
import type { AllocationPool, SubnetRecord } from "../store/records.js";

/** The default gateway: the first host address. */
export function defaultGateway(c: Cidr): string {
  return formatIp(c.version, c.network + 1n);
}

/** Default pools: the whole CIDR minus network, broadcast (v4) and gateway. */
export function defaultPools(c: Cidr, gateway: string | null): AllocationPool[] {
  const first = c.network + 1n;
  const last = c.version === 4 ? c.network + c.size - 2n : c.network + c.size - 1n;
  if (last < first) return [];
  const gw = gateway ? parseIp(gateway)?.value : undefined;
  const ranges: Array<[bigint, bigint]> = [];
  if (gw !== undefined && gw >= first && gw <= last) {
    if (gw > first) ranges.push([first, gw - 1n]);
    if (gw < last) ranges.push([gw + 1n, last]);
  } else {
    ranges.push([first, last]);
  }
  return ranges.map(([a, b]) => ({ start: formatIp(c.version, a), end: formatIp(c.version, b) }));
}

/** Validates client-given pools against the CIDR and gateway; returns them normalised. */
export function validatePools(c: Cidr, pools: unknown, gateway: string | null): AllocationPool[] {
  if (!Array.isArray(pools)) throw neutronError(400, "HTTPBadRequest", "Invalid input for allocation_pools. Reason: Invalid data format for IP pool.");
  const out: AllocationPool[] = [];
  const gw = gateway ? parseIp(gateway) : undefined;
  for (const p of pools) {
    const o = p as Record<string, unknown>;
    const s = typeof o?.["start"] === "string" ? parseIp(o["start"]) : undefined;
    const e = typeof o?.["end"] === "string" ? parseIp(o["end"]) : undefined;
    if (!s || !e || s.version !== c.version || e.version !== c.version) {
      throw neutronError(400, "HTTPBadRequest", `Invalid input for allocation_pools. Reason: Invalid data format for IP pool: '${JSON.stringify(p)}'.`);
    }
    if (!cidrContains(c, s) || !cidrContains(c, e) || e.value < s.value) {
      throw neutronError(400, "OutOfBoundsAllocationPool", `The allocation pool ${formatIp(s.version, s.value)}-${formatIp(e.version, e.value)} spans beyond the subnet cidr ${formatIp(c.version, c.network)}/${c.prefix}.`);
    }
    if (gw && gw.value >= s.value && gw.value <= e.value) {
      throw neutronError(409, "GatewayConflictWithAllocationPools", `Gateway ip ${gateway} conflicts with allocation pool ${formatIp(s.version, s.value)}-${formatIp(e.version, e.value)}`);
    }
    out.push({ start: formatIp(s.version, s.value), end: formatIp(e.version, e.value) });
  }
  return out;
}

/** True when the address is one a port may hold on this subnet. */
export function inSubnet(subnet: SubnetRecord, ip: string): boolean {
  const c = parseCidr(subnet.cidr);
  const a = parseIp(ip);
  return !!c && !!a && cidrContains(c, a);
}

/** Allocates `requested` (or the next free pool address) to the port; throws Neutron's errors. */
export function allocate(subnet: SubnetRecord, portId: string, requested?: string): string {
  if (requested !== undefined) {
    const a = parseIp(requested);
    const c = parseCidr(subnet.cidr)!;
    if (!a || !cidrContains(c, a)) {
      throw neutronError(400, "InvalidIpForSubnet", `IP address ${requested} is not a valid IP for the specified subnet.`);
    }
    const norm = formatIp(a.version, a.value);
    if (subnet.allocated.has(norm)) {
      throw neutronError(409, "IpAddressAlreadyAllocated", `IP address ${norm} already allocated in subnet ${subnet.id}`);
    }
    subnet.allocated.set(norm, portId);
    return norm;
  }
  const version = subnet.ip_version;
  const ranges = subnet.allocation_pools
    .map((p) => [parseIp(p.start)!.value, parseIp(p.end)!.value] as const)
    .sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const tryRange = (from: bigint): string | undefined => {
    for (const [s, e] of ranges) {
      let v = from > s ? from : s;
      for (; v <= e; v++) {
        const ip = formatIp(version, v);
        if (!subnet.allocated.has(ip) && ip !== subnet.gateway_ip) {
          subnet.cursor = v + 1n;
          subnet.allocated.set(ip, portId);
          return ip;
        }
      }
    }
    return undefined;
  };
  const got = tryRange(subnet.cursor) ?? tryRange(0n);
  if (got === undefined) {
    throw neutronError(409, "IpAddressGenerationFailure", `No more IP addresses available on network ${subnet.network_id}.`);
  }
  return got;
}

/** Frees an address held by the port. */
export function release(subnet: SubnetRecord | undefined, ip: string): void {
  subnet?.allocated.delete(ip);
}
