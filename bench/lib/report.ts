/**
 * The shape every benchmark returns (table rows for people, a data object for
 * the JSON file) and the terminal table that prints them.
 */

/** One printed line of a benchmark's table. */
export interface Row {
  metric: string;
  value: string;
  /** What the figure is compared with, or how it was obtained. */
  note?: string;
}

/** A benchmark's outcome: rows to print and figures to store. */
export interface BenchResult {
  id: string;
  title: string;
  /** Wall time of the whole benchmark including setup, in seconds. */
  wallSeconds: number;
  rows: Row[];
  data: Record<string, unknown>;
  /** Set when the benchmark could not run part of its work (e.g. a missing peer tool). */
  unavailable?: string[];
  /** Set when the benchmark itself broke. */
  error?: string;
}

/** Renders results as a fixed-width table. */
export function renderTable(results: readonly BenchResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push("", `${r.id.toUpperCase()}  ${r.title}  (${r.wallSeconds.toFixed(1)} s)`);
    if (r.error) lines.push(`  ERROR: ${r.error}`);
    const w1 = Math.max(6, ...r.rows.map((x) => x.metric.length));
    const w2 = Math.max(5, ...r.rows.map((x) => x.value.length));
    for (const row of r.rows) lines.push(`  ${row.metric.padEnd(w1)}  ${row.value.padStart(w2)}${row.note ? `  ${row.note}` : ""}`);
    for (const u of r.unavailable ?? []) lines.push(`  unavailable: ${u}`);
  }
  return lines.join("\n");
}

/** A number for the table with fixed decimals. */
export function fmt(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(digits);
}
