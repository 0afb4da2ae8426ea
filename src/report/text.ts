/**
 * Text helpers shared by the Markdown and HTML reports: escaping for each
 * output, and the number, time and outcome formats a reader sees. Times are
 * always shown in UTC so that two people reading the same report across time
 * zones quote the same clock; throughput is in decimal MB/s, like the plan's
 * `throughputMBps` and the progress output.
 */
import { redact } from "../log.js";
import { fmtDuration } from "../util/format.js";
import type { StepResult } from "./model.js";

/** Escapes text for HTML element content and quoted attribute values, after redacting secrets. */
export function esc(value: unknown): string {
  return redact(String(value ?? ""))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Escapes free text for one Markdown table cell: no line breaks, no table
 * pipes, and no character that GitHub would read as HTML, emphasis or a link.
 */
export function mdText(value: unknown): string {
  const s = redact(String(value ?? "")).replace(/\r?\n|\r/g, " ");
  const word = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ("\\`*[]<>|&".includes(c)) out += "\\" + c;
    // NOTE: an underscore inside a word never starts emphasis on GitHub; escaping it there would only clutter ids.
    else if (c === "_" && !(word(s[i - 1]) && word(s[i + 1]))) out += "\\_";
    else out += c;
  }
  return out;
}

/** A Markdown code span for an identifier: shown literally on GitHub (no HTML), safe in a table cell. */
export function mdCode(value: unknown): string {
  const s = redact(String(value ?? "")).replace(/\r?\n|\r/g, " ").replace(/\|/g, "\\|");
  if (s === "") return "";
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") || longest > 0 ? " " : "";
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Seconds as a reader wants them in a table: "0.4 s", "12.3 s", "45 s", "12 min", "1.5 h". */
export function fmtSecs(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  return fmtDuration(seconds);
}

/** A duration as a clock for axis labels: "0:45", "12:05", "1:02:03". */
export function fmtClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** An ISO timestamp as "2026-03-02 09:00:05 UTC" (or "—"). */
export function fmtWhen(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A throughput in MB/s with one decimal (or "—"). */
export function fmtMBps(mbps: number | null | undefined): string {
  if (mbps === null || mbps === undefined || !Number.isFinite(mbps)) return "—";
  return `${mbps.toFixed(1)} MB/s`;
}

/** A count with its noun, pluralised the English way: "1 step", "3 steps". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Human labels for step results, in the order reports list them. */
export const RESULT_LABEL: Record<StepResult, string> = {
  created: "created",
  adopted: "adopted",
  unchanged: "unchanged",
  skipped: "skipped",
  failed: "failed",
  blocked: "blocked",
  interrupted: "interrupted",
  running: "running",
  pending: "pending",
};

/** Human labels for run and verify states. */
export function statusLabel(status: string): string {
  return status.replace(/_/g, " ");
}

/** The name part of a step id ("server/web-1" → "web-1"). */
export function stepName(stepId: string): string {
  const i = stepId.indexOf("/");
  return i >= 0 ? stepId.slice(i + 1) : stepId;
}

/** What each cutover mode means for the source, in the summary of both reports. */
export const CUTOVER_TEXT: Record<"cold" | "live", string> = {
  cold: "cold (each server stopped for the copy of its disks, then started again)",
  live: "live (disks copied from snapshots while the servers ran)",
};
