/**
 * CIDR arithmetic for pre-flight checks (overlaps) without a dependency:
 * BigInt keeps IPv4 and IPv6 in one code path.
 */

/** Whether two CIDRs overlap (IPv4 and IPv6). */
export function cidrsOverlap(a: string, b: string): boolean {
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  if (!pa || !pb || pa.v !== pb.v) return false;
  const bits = Math.min(pa.len, pb.len);
  const total = pa.v === 4 ? 32n : 128n;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << (total - BigInt(bits));
  return (pa.addr & mask) === (pb.addr & mask);
}

function parseCidr(c: string): { v: 4 | 6; addr: bigint; len: number } | null {
  const [ip, lenStr] = c.split("/");
  if (!ip) return null;
  if (ip.includes(":")) {
    const len = lenStr === undefined ? 128 : Number(lenStr);
    const [head, tail] = ip.split("::");
    const hs = head ? head.split(":") : [];
    const ts = tail !== undefined && tail !== "" ? tail.split(":") : [];
    const groups = tail === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill("0"), ...ts];
    if (groups.length !== 8) return null;
    let addr = 0n;
    for (const g of groups) addr = (addr << 16n) + BigInt(parseInt(g || "0", 16));
    return { v: 6, addr, len };
  }
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  const addr = parts.reduce((acc, p) => (acc << 8n) + BigInt(p), 0n);
  return { v: 4, addr, len: lenStr === undefined ? 32 : Number(lenStr) };
}
