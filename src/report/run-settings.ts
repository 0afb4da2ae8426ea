/**
 * What a run was told to do, read back from its `runs.options` for `status`
 * and the reports. Apply runs record ApplyRunSettings (the plan's cutover and
 * the concurrency and retry options of the command line); verify and rollback
 * runs their concurrency (and whether verify was deep). Older state files
 * recorded less, or null for "the default": those fields read as null here.
 */
import type { RunRow } from "../executor/state.js";

/** A run's settings; null where the run did not record the field. */
export interface RunSettings {
  cutover: "cold" | "live" | null;
  apiConcurrency: number | null;
  copyConcurrency: number | null;
  stepAttempts: number | null;
  /** Parallel checks or removals of verify and rollback runs. */
  concurrency: number | null;
  deep: boolean | null;
  driftCheck: boolean | null;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === "boolean" ? v : null);

/** The settings recorded with one run. */
export function runSettings(run: Pick<RunRow, "options">): RunSettings {
  const o = run.options;
  return {
    cutover: o.cutover === "cold" || o.cutover === "live" ? o.cutover : null,
    apiConcurrency: num(o.apiConcurrency),
    copyConcurrency: num(o.copyConcurrency),
    stepAttempts: num(o.stepAttempts),
    concurrency: num(o.concurrency),
    deep: bool(o.deep),
    driftCheck: bool(o.driftCheck),
  };
}

/** One line for people: "live cutover, API concurrency 8, copy concurrency 2, 6 attempts per step". */
export function describeRunSettings(s: RunSettings): string {
  const parts: string[] = [];
  if (s.cutover) parts.push(`${s.cutover} cutover`);
  if (s.deep !== null) parts.push(s.deep ? "deep (volume data compared)" : "not deep");
  if (s.apiConcurrency !== null) parts.push(`API concurrency ${s.apiConcurrency}`);
  if (s.copyConcurrency !== null) parts.push(`copy concurrency ${s.copyConcurrency}`);
  if (s.concurrency !== null) parts.push(`concurrency ${s.concurrency}`);
  if (s.stepAttempts !== null) parts.push(`${s.stepAttempts} attempts per step`);
  if (s.driftCheck === false) parts.push("source not checked for drift");
  return parts.join(", ");
}
