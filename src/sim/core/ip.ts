/**
 * IPv4/IPv6 address and CIDR arithmetic for Neutron's IPAM (subnets,
 * allocation pools, fixed IPs, floating IPs). Addresses are BigInts so that
 * both families share one code path.
 *
 * Quirks: like Neutron (netaddr), a CIDR with host bits set is accepted and
 * normalised (`10.78.0.5/24` → `10.78.0.0/24`); IPv6 is printed in RFC 5952
 * compressed form.
 */

/** A parsed address. */
export interface Ip {
  version: 4 | 6;
  value: bigint;
}

/** A parsed, normalised CIDR. */
export interface Cidr {
  version: 4 | 6;
  network: bigint;
  prefix: number;
  /** Number of addresses in the block. */
  size: bigint;
}

/** Parses an IPv4 or IPv6 address; undefined when invalid. */
export function parseIp(s: string): Ip | undefined {
  if (s.includes(":")) {
    const v = parseV6(s);
    return v === undefined ? undefined : { version: 6, value: v };
  }
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return { version: 4, value: v };
}

function parseV6(s: string): bigint | undefined {
  let str = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4).
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  let tail: bigint[] = [];
  if (m) {
    const v4 = parseIp(m[2]!);
    if (!v4 || v4.version !== 4) return undefined;
    tail = [v4.value >> 16n, v4.value & 0xffffn];
    str = m[1]!.endsWith("::") ? m[1]! : m[1]!.slice(0, -1);
  }
  const halves = str.split("::");
  if (halves.length > 2) return undefined;
  const parse = (h: string): bigint[] | undefined => {
    if (h === "") return [];
    const out: bigint[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const groups = [...head];
  const total = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (total > 7) return undefined;
    for (let i = 0; i < 8 - total; i++) groups.push(0n);
  } else if (total !== 8) {
    return undefined;
  }
  groups.push(...rest, ...tail);
  let v = 0n;
  for (const g of groups) v = (v << 16n) | g;
  return v;
}

/** Formats an address value. */
export function formatIp(version: 4 | 6, value: bigint): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** Normalises an address string (e.g. IPv6 compression); the input when invalid. */
export function normalizeIp(s: string): string {
  const ip = parseIp(s);
  return ip ? formatIp(ip.version, ip.value) : s;
}

/** Parses a CIDR (or a bare address as a host route); undefined when invalid. */
export function parseCidr(s: string): Cidr | undefined {
  const [addr, pfx, extra] = s.split("/");
  if (addr === undefined || extra !== undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const bits = ip.version === 4 ? 32 : 128;
  const prefix = pfx === undefined ? bits : /^\d{1,3}$/.test(pfx) ? Number(pfx) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const network = (ip.value / size) * size;
  return { version: ip.version, network, prefix, size };
}

/** Formats a CIDR. */
export function formatCidr(c: Cidr): string {
  return `${formatIp(c.version, c.network)}/${c.prefix}`;
}

/** True when the address lies inside the CIDR. */
export function cidrContains(c: Cidr, ip: Ip): boolean {
  return ip.version === c.version && ip.value >= c.network && ip.value < c.network + c.size;
}

/** True when two CIDRs share any address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network < b.network + b.size && b.network < a.network + a.size;
}
