/**
 * Lenient zod building blocks for OpenStack response bodies. Each one accepts
 * what the services really send and outputs one clean type, so the service
 * schemas stay short and every quirk is handled once.
 *
 * Quirks absorbed here (all seen in the services' own API samples or on a
 * live Zed deployment):
 * - booleans as strings: Cinder `bootable: "false"`, Nova `config_drive: "True"`
 *   or `""`, Neutron `pvlan: "false"`, Glance properties `"True"`;
 * - `null` where a string or list is documented (`description: null`, rule
 *   `description: null` on a live Neutron, `hosts: null` in compute AZs);
 * - numbers as strings and the empty string for zero (Nova flavor `swap: ""`);
 * - ids that are integers (base keypair `id: 1`) or not UUIDs (flavor "1");
 * - three timestamp spellings: `2013-09-03T04:01:32Z`,
 *   `2018-11-29T06:50:07.770785` (naive, meaning UTC) and
 *   `2012-12-05 22:40:31.235385`; all become ISO-8601 UTC with a `Z`.
 */
import { z } from "zod";

const TRUE_WORDS = new Set(["true", "t", "yes", "y", "on", "1"]);
const FALSE_WORDS = new Set(["false", "f", "no", "n", "off", "0", ""]);

/** Converts a boolean-ish value; returns undefined when it is not one. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s)) return false;
  }
  return undefined;
}

/** A boolean that may arrive as "True"/"false"/1/""; null or absent gives `fallback`. */
export function bool(fallback: boolean) {
  return z
    .union([z.boolean(), z.string(), z.number(), z.null()])
    .optional()
    .transform((v, ctx): boolean => {
      if (v === null || v === undefined) return fallback;
      const b = toBool(v);
      if (b === undefined) {
        ctx.addIssue({ code: "custom", message: `not a boolean: ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return b;
    });
}

/** A boolean that stays null when the service sends null or nothing. */
export function boolOrNull() {
  return z
    .union([z.boolean(), z.string(), z.number(), z.null()])
    .optional()
    .transform((v, ctx): boolean | null => {
      if (v === null || v === undefined || v === "") return null;
      const b = toBool(v);
      if (b === undefined) {
        ctx.addIssue({ code: "custom", message: `not a boolean: ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return b;
    });
}

/** A string where null or absence means "" (names, descriptions). */
export function str() {
  return z
    .union([z.string(), z.number(), z.null()])
    .optional()
    .transform((v): string => (v === null || v === undefined ? "" : String(v)));
}

/** A string that stays null when absent, null or empty. */
export function strOrNull() {
  return z
    .union([z.string(), z.number(), z.null()])
    .optional()
    .transform((v): string | null => (v === null || v === undefined || v === "" ? null : String(v)));
}

/** A required identifier; integers and non-UUID strings are accepted and stringified. */
export function id() {
  return z.union([z.string(), z.number()]).transform((v): string => String(v));
}

function parseIntLike(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === "string") {
    const s = v.trim();
    if (/^-?\d+(\.\d+)?$/.test(s)) return Math.trunc(Number(s));
  }
  return undefined;
}

/** An integer that may arrive as a string; null, absent or "" give `fallback`. */
export function int(fallback: number) {
  return z
    .union([z.number(), z.string(), z.null()])
    .optional()
    .transform((v, ctx): number => {
      if (v === null || v === undefined || v === "") return fallback;
      const n = parseIntLike(v);
      if (n === undefined) {
        ctx.addIssue({ code: "custom", message: `not an integer: ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n;
    });
}

/** An integer that stays null when absent, null or "". */
export function intOrNull() {
  return z
    .union([z.number(), z.string(), z.null()])
    .optional()
    .transform((v, ctx): number | null => {
      if (v === null || v === undefined || v === "") return null;
      const n = parseIntLike(v);
      if (n === undefined) {
        ctx.addIssue({ code: "custom", message: `not an integer: ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n;
    });
}

/** Normalises the timestamp spellings OpenStack services use to ISO-8601 UTC; unknown forms pass through. */
export function normalizeTimestamp(v: string): string {
  const s = v.trim();
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return s;
  const [, date, time, frac = "", zone] = m;
  const ms = frac ? frac.slice(0, 4).padEnd(4, "0") : "";
  if (!zone || zone === "Z" || /^[+-]00:?00$/.test(zone)) return `${date}T${time}${ms}Z`;
  const d = new Date(`${date}T${time}${ms}${zone.includes(":") ? zone : zone.slice(0, 3) + ":" + zone.slice(3)}`);
  if (Number.isNaN(d.getTime())) return s;
  const iso = d.toISOString();
  return ms ? iso : iso.replace(/\.\d{3}Z$/, "Z");
}

/** A timestamp in any of the three service spellings, as ISO-8601 UTC; null when absent. */
export function timestamp() {
  return z
    .union([z.string(), z.null()])
    .optional()
    .transform((v): string | null => (v === null || v === undefined || v === "" ? null : normalizeTimestamp(v)));
}

function scalarToString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** A string map (metadata, extra specs, properties); non-string values are stringified, null drops the key. */
export function strMap() {
  return z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((v): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const [k, val] of Object.entries(v ?? {})) {
        const s = scalarToString(val);
        if (s !== undefined) out[k] = s;
      }
      return out;
    });
}

/** A list of strings where null or absence means []. */
export function strList() {
  return z
    .array(z.union([z.string(), z.number()]))
    .nullish()
    .transform((v): string[] => (v ?? []).map(String));
}

/** A list of T where null or absence means []. */
export function list<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);
}

/** A link object as Nova, Cinder and Neutron send them in `*_links` and `links`. */
export const Link = z.object({ href: z.string(), rel: z.string().optional(), type: z.string().optional() });
export type Link = z.infer<typeof Link>;

/** A `*_links` list; null or absence means []. */
export const Links = z
  .array(Link)
  .nullish()
  .transform((v) => v ?? []);

/** The href of the rel=next link in a links list, if any. */
export function nextHref(links: readonly Link[] | null | undefined): string | undefined {
  return links?.find((l) => l.rel === "next")?.href;
}
