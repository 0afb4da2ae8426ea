/**
 * Small pieces every kind uses: the source digest used for staleness, the
 * markers put on everything created on the target, and `$step` helpers.
 *
 * Markers: Neutron and Nova tags `scs-migrate:<migration>` and
 * `scs-migrate-src:<source id>` (Nova tags are limited to 60 characters and may
 * not contain "/" or ",", which is why migration names are restricted);
 * Nova/Cinder metadata and Glance properties `scs_migrate` and
 * `scs_migrate_source`. Keypairs and server groups carry no markers in the
 * API; they are adopted by name and content.
 */
import { z } from "zod";
import type { StepRef } from "../model/plan.js";
import { digestOf } from "../util/digest.js";

/** A name as it may appear in a step id (no "/"). */
export const labelOf = (r: { name: string }): string => r.name.replace(/\//g, "_").trim();

/** The first 8 hex digits of an id, to tell same-named resources apart in step ids. */
export const shortId = (id: string): string => id.replace(/-/g, "").slice(0, 8);

/**
 * Fields that change without the resource changing in a way that matters to a
 * migration (status moves while we snapshot or stop things; attachment ids and
 * server-group members follow other resources). They are left out of digests,
 * so a resumed apply does not call its own cutover a drift.
 */
const VOLATILE = new Set(["status", "members", "attachment_id", "created", "created_at", "updated_at", "locked"]);

/** A resource without its volatile fields: what its drift digest covers. */
export function stripVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripVolatile);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!VOLATILE.has(k)) out[k] = stripVolatile(v);
    return out;
  }
  return value;
}

/** The staleness digest of a source resource. */
export function sourceDigest(resource: unknown): string {
  return digestOf(stripVolatile(resource));
}

/** Tags marking a target resource as created by this migration for this source resource. */
export function markerTags(migration: string, sourceId: string): string[] {
  return [`scs-migrate:${migration}`, `scs-migrate-src:${sourceId}`];
}

/** Metadata/properties marking a target resource (Nova, Cinder, Glance). */
export function markerMetadata(migration: string, sourceId: string): Record<string, string> {
  return { scs_migrate: migration, scs_migrate_source: sourceId };
}

/** True when metadata/properties carry this migration's marker for sourceId. */
export function hasMarkerMetadata(md: Readonly<Record<string, unknown>> | undefined, migration: string, sourceId: string): boolean {
  return !!md && md.scs_migrate === migration && md.scs_migrate_source === sourceId;
}

/** A `{ "$step": id }` reference. */
export const ref = (stepId: string): StepRef => ({ $step: stepId });

/** Whether a value is a `{ "$step": id }` reference. */
export function isStepRef(v: unknown): v is StepRef {
  return !!v && typeof v === "object" && typeof (v as StepRef).$step === "string";
}

/** Migration names end up in tags limited to 60 characters, without "/" or ",". */
export const MIGRATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/** User tags of a source resource, without markers of earlier migrations. */
export function userTags(tags: readonly string[]): string[] {
  return tags.filter((t) => !t.startsWith("scs-migrate:") && !t.startsWith("scs-migrate-src:")).sort();
}

/** Metadata without markers of earlier migrations. */
export function userMetadata(md: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(md).sort()) if (k !== "scs_migrate" && k !== "scs_migrate_source") out[k] = md[k]!;
  return out;
}

/** zod: a `{ "$step": id }` reference inside params. */
export const StepRefSchema = z.object({ $step: z.string() }).strict();
/** zod: a `{ "name": … }` reference to something that exists on the target. */
export const NameRefSchema = z.object({ name: z.string() }).strict();
