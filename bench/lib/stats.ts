/**
 * Small numeric helpers for benchmark figures: medians of repeated runs,
 * throughput in MB/s (10^6 bytes per second, as disk and network figures are
 * usually quoted) and rounding for the table and the JSON.
 */

/** The median of a non-empty list (the mean of the middle two for even lengths). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Megabytes (10^6 bytes) per second. */
export function mbps(bytes: number, ms: number): number {
  return ms > 0 ? bytes / 1e6 / (ms / 1000) : 0;
}

/** Rounds to `digits` significant decimals for display and JSON. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs `fn` `n` times in sequence and returns every result. */
export async function repeat<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

/** Bytes as MiB/GiB for labels. */
export function sizeLabel(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${round(bytes / 1024 ** 3, 1)} GiB` : `${round(bytes / 1024 ** 2, 1)} MiB`;
}
