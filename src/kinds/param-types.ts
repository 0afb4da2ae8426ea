/**
 * Typed values for the params a reviewer may edit by hand (addresses, CIDRs,
 * ports, protocols). A typo such as a fixed IP of 999.1.1.1 or a CIDR
 * "banana" is refused by `validate` and before `apply` creates anything,
 * instead of failing at the cloud half-way through a run.
 */
import { z } from "zod";

/** An IPv4 or IPv6 address. */
export const IpAddress = z.union([z.ipv4(), z.ipv6()]).describe("an IPv4 or IPv6 address");

/** A network in CIDR notation (IPv4 or IPv6). */
export const Cidr = z.union([z.cidrv4(), z.cidrv6()]).describe("a network in CIDR notation, e.g. 10.0.0.0/24");

/** An address or a network, as allowed address pairs accept. */
export const IpOrCidr = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]).describe("an IP address or a CIDR");

/** A TCP/UDP port, or an ICMP type/code (0–255) in the same fields. */
export const PortNumber = z.number().int().min(0).max(65535).describe("a port number 1–65535 (ICMP: type or code 0–255)");

/** Protocols Neutron accepts by name; any other is given as its number 0–255. */
export const PROTOCOL_NAMES = [
  "ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "igmp", "ipip", "ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6",
  "ipv6-nonxt", "ipv6-opts", "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp", "udplite", "vrrp", "any",
] as const;

/** A security-group rule protocol: a name Neutron knows, or a number 0–255 as a string. */
export const Protocol = z
  .union([z.enum(PROTOCOL_NAMES), z.string().regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/)])
  .describe("a protocol name (tcp, udp, icmp, …) or number 0–255");

const PORTED = new Set(["tcp", "udp", "sctp", "dccp", "udplite", "6", "17", "132", "33", "136"]);

/** Port range checks a schema of single fields cannot express: ports of TCP/UDP start at 1, and min ≤ max. */
export function portRangeProblems(r: { protocol: string | null; port_range_min: number | null; port_range_max: number | null }): string[] {
  const out: string[] = [];
  if (r.protocol && PORTED.has(r.protocol)) {
    if (r.port_range_min === 0 || r.port_range_max === 0) out.push("ports of TCP/UDP/SCTP are 1–65535");
    if (r.port_range_min !== null && r.port_range_max !== null && r.port_range_min > r.port_range_max) out.push("port_range_min is above port_range_max");
  } else if (r.protocol && ["icmp", "ipv6-icmp", "icmpv6", "1", "58"].includes(r.protocol)) {
    for (const v of [r.port_range_min, r.port_range_max]) if (v !== null && v > 255) out.push("ICMP type and code are 0–255");
  }
  return out;
}
