/**
 * The human rendering of a plan (plan.txt and `scs-migrate show`): what
 * terraform's plan output gives a reviewer. One line per step with a fixed
 * symbol per action (+ create, = adopt, · skip), grouped by wave, then the
 * pre-flight findings, the mappings, and a summary line. Deterministic: no
 * timestamps, so plan.txt diffs as cleanly as plan.json.
 */
import { fmtBytes, fmtDuration } from "../util/format.js";
import { KIND_BY_ID } from "../kinds/index.js";
import { MAPPING_SECTIONS, type Plan, type Step } from "../model/plan.js";

const SYMBOL: Record<Step["action"], string> = { create: "+", adopt: "=", skip: "·" };
const SEVERITY_MARK = { error: "✗", warning: "!", info: "i" } as const;

/** A short description of what a step does, for the right-hand column: the kind's own words. */
export function describeStep(step: Step): string {
  if (step.action === "skip") return `skip: ${step.note ?? step.reason}`;
  return KIND_BY_ID.get(step.kind)?.describe(step) ?? step.note ?? "";
}

const pad = (s: string, n: number) => (s.length >= n ? s + "  " : s + " ".repeat(n - s.length));

function side(c: Plan["source"]): string {
  return `${c.project_name ?? c.project_id} (${c.cloud}${c.region ? `/${c.region}` : ""})`;
}

/** Counts of steps per action. */
export function actionCounts(plan: Plan): Record<Step["action"], number> {
  const n = { create: 0, adopt: 0, skip: 0 };
  for (const s of Object.values(plan.steps)) n[s.action]++;
  return n;
}

/** Whether the step id got a source-id suffix because its name is not unique within its kind (`dup-sg~04f049b6`). */
const sameNamed = (id: string): boolean => id.includes("~");

/**
 * What tells same-named steps apart for a reviewer: the full source id (to
 * look up with the openstack CLI) and the resource's description where it
 * has one; the kind's own column already gives its size (rules, addresses).
 */
function distinguish(s: Step): string {
  const description = typeof s.params["description"] === "string" ? s.params["description"] : "";
  return `(source ${s.source.id}${description ? `, "${description}"` : ""})`;
}

/** Renders plan.txt. */
export function renderPlan(plan: Plan): string {
  const lines: string[] = [];
  lines.push(`Plan ${plan.name}: ${side(plan.source)} → ${side(plan.target)}   format ${plan.formatVersion}`);
  lines.push(`Cutover: ${plan.options.cutover}. Throughput assumed: ${plan.options.throughputMBps} MB/s.`);
  lines.push("");
  const width = Math.min(56, Math.max(24, ...Object.keys(plan.steps).map((id) => id.length + 4)));
  plan.waves.forEach((wave, i) => {
    lines.push(`Wave ${i + 1}`);
    for (const id of wave) {
      const s = plan.steps[id]!;
      lines.push(`  ${SYMBOL[s.action]} ${pad(id, width)}${describeStep(s)}${sameNamed(id) ? ` ${distinguish(s)}` : ""}`.trimEnd());
    }
  });
  lines.push("");
  const findings = plan.preflight.findings;
  lines.push(`Pre-flight: ${findings.filter((f) => f.severity === "error").length} error(s), ${findings.filter((f) => f.severity === "warning").length} warning(s)`);
  for (const f of findings) lines.push(`  ${SEVERITY_MARK[f.severity]} ${f.code}${f.step ? ` [${f.step}]` : ""}: ${f.message}`);
  if (plan.preflight.quotas.length > 0) {
    lines.push("  Quotas on the target (needed / in use / limit):");
    for (const q of plan.preflight.quotas) {
      lines.push(`    ${(q.ok ? "ok" : "SHORT").padEnd(5)} ${pad(q.resource, 22)}${q.needed} / ${q.in_use} / ${q.limit < 0 ? "unlimited" : q.limit}`);
    }
  }
  const m = plan.mappings;
  const mapLines: string[] = [];
  for (const { key, short } of MAPPING_SECTIONS) {
    for (const [from, to] of Object.entries(m[key])) mapLines.push(`  ${pad(short, 12)}${from} → ${to}`);
  }
  if (m.externalNetwork) mapLines.push(`  ${pad("external", 12)}${m.externalNetwork}`);
  if (mapLines.length > 0) {
    lines.push("");
    lines.push("Mappings");
    lines.push(...mapLines);
  }
  lines.push("");
  const n = actionCounts(plan);
  lines.push(
    `Plan: ${n.create} to create, ${n.adopt} to adopt, ${n.skip} skipped; ${fmtBytes(plan.estimate.bytes)} to copy; estimated ${fmtDuration(plan.estimate.seconds)}.`,
  );
  return lines.join("\n") + "\n";
}
