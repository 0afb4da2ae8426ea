/**
 * Names of the temporary resources a data copy makes (snapshots, volumes and
 * images on the source, images on the target). A name is derived from the
 * migration and the step, so an attempt that follows a crash finds what the
 * crashed one left, even if the crash came before the temporary resource was
 * recorded in the state file.
 */
import { createHash } from "node:crypto";
/** Names of temporary resources start with this; drift detection ignores them. */
export const TEMP_PREFIX = "scs-migrate-tmp-";

/** The name of one temporary resource of a step. */
export function tempName(migration: string, stepId: string, what: string): string {
  const h = createHash("sha256").update(stepId).digest("hex").slice(0, 10);
  return `${TEMP_PREFIX}${migration}-${h}-${what}`;
}
