/**
 * The portability score: one number (0–100), a letter grade, and the same per
 * category. Pure arithmetic on findings; `assess.ts` produces them.
 *
 * Formula:
 * - Start at 100.
 * - Each finding weighs by severity: blocker 30, major 10, minor 2, info 0.
 * - Per check (finding id), the weights add up, capped by the worst severity
 *   that check found: blocker 60, major 25, minor 8. A check is one cause,
 *   so 20 floating IPs cost at most 8 points and a bad flavor used by 50
 *   servers is one finding (findings are per flavor, not per server).
 * - Score = max(0, 100 − sum of capped check deductions), rounded.
 * - Category score: the same, over the checks of that category only.
 * - Grade by score: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else E; then limited by
 *   the worst finding: any major → at most B, any blocker → at most D. An A
 *   therefore means "moves to any SCS-compatible cloud without changes".
 */
import type { CheckDeduction, CheckId, Finding, Grade, Severity } from "./types.js";
import { CHECKS } from "./types.js";

/** Points one finding takes off, by severity. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { blocker: 30, major: 10, minor: 2, info: 0 };

/** The most one check can take off, by the worst severity it found. */
export const SEVERITY_CAP: Record<Severity, number> = { blocker: 60, major: 25, minor: 8, info: 0 };

const RANK: Record<Severity, number> = { blocker: 0, major: 1, minor: 2, info: 3 };

/** The worse of two severities. */
export function worse(a: Severity, b: Severity): Severity {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Sort key of a severity, worst first. */
export function severityRank(s: Severity): number {
  return RANK[s];
}

/** What each check takes off the score, in check-code order. */
export function deductionsFor(findings: Finding[]): CheckDeduction[] {
  const byId = new Map<CheckId, Finding[]>();
  for (const f of findings) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  const out: CheckDeduction[] = [];
  for (const [id, list] of [...byId].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const raw = list.reduce((n, f) => n + SEVERITY_WEIGHT[f.severity], 0);
    const cap = SEVERITY_CAP[list.map((f) => f.severity).reduce(worse)];
    out.push({ id, category: CHECKS[id].category, findings: list.length, raw, points: Math.min(raw, cap), cap });
  }
  return out;
}

/** The score left after the given deductions. */
export function scoreOf(deductions: CheckDeduction[]): number {
  return Math.max(0, Math.round(100 - deductions.reduce((n, d) => n + d.points, 0)));
}

/** The letter grade of a score, limited by the worst severity among the findings. */
export function gradeOf(score: number, findings: Pick<Finding, "severity">[]): Grade {
  let grade: Grade = score >= 90 ? "A" : score >= 75 ? "B" : score >= 60 ? "C" : score >= 40 ? "D" : "E";
  const ceiling = (g: Grade) => {
    if (grade < g) grade = g;
  };
  if (findings.some((f) => f.severity === "major")) ceiling("B");
  if (findings.some((f) => f.severity === "blocker")) ceiling("D");
  return grade;
}
