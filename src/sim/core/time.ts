/**
 * Timestamp formats. Each service renders times its own way and clients parse
 * them loosely, but the shapes are copied from the real services so that
 * snapshot tests and string comparisons behave as against OpenStack:
 * Nova/Neutron/Glance `2026-11-23T09:17:05Z`, Nova `launched_at` and Cinder
 * `2026-11-23T09:17:34.000000`, Keystone `2026-11-24T09:14:55.000000Z`.
 */

/** `YYYY-MM-DDTHH:MM:SSZ` (Nova, Neutron, Glance). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}

/** `YYYY-MM-DDTHH:MM:SS.000000` (Cinder, Nova launched_at). */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + ".000000";
}

/** `YYYY-MM-DDTHH:MM:SS.000000Z` (Keystone). */
export function isoMicrosZ(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + ".000000Z";
}

/** Parses an ISO timestamp as clients send it in filters; NaN when invalid. */
export function parseTime(s: string): number {
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
}
