/**
 * The shared part of the three quota-set updates (Nova, Cinder, Neutron):
 * parse the requested limits, refuse unknown keys and bad values with the
 * service's own errors, refuse limits below what is in use where the service
 * does, and apply the rest to the cloud's quotas at once (nothing on error).
 */
import type { CloudContext } from "../cloud-context.js";
import type { QuotaName } from "../types.js";
import type { ApiFault } from "./errors.js";

/** How one service validates a quota update. */
export interface QuotaUpdateRules {
  /** Request key → the cloud's quota name. */
  keys: Record<string, QuotaName>;
  /** Keys accepted and ignored (e.g. Nova's `force`, legacy network quotas). */
  ignored?: readonly string[];
  unknown(keys: string[]): ApiFault;
  invalid(key: string, value: unknown): ApiFault;
  /** Current usage per request key; with `belowUsage`, lower limits are refused. */
  usage?: Record<string, number>;
  belowUsage?(key: string, limit: number, used: number): ApiFault;
}

function toLimit(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** Validates `requested` and writes it into the cloud's quotas; returns what was set. */
export function applyQuotaUpdate(cloud: CloudContext, requested: Record<string, unknown>, rules: QuotaUpdateRules): Record<string, number> {
  const unknown = Object.keys(requested).filter((k) => !(k in rules.keys) && !(rules.ignored ?? []).includes(k));
  if (unknown.length > 0) throw rules.unknown(unknown);
  const set: Record<string, number> = {};
  for (const [k, v] of Object.entries(requested)) {
    if (!(k in rules.keys)) continue;
    const n = toLimit(v);
    if (n === undefined || n < -1) throw rules.invalid(k, v);
    const used = rules.usage?.[k];
    if (rules.belowUsage && used !== undefined && n !== -1 && n < used) throw rules.belowUsage(k, n, used);
    set[k] = n;
  }
  for (const [k, n] of Object.entries(set)) cloud.store.quotas[rules.keys[k]!] = n;
  return set;
}
