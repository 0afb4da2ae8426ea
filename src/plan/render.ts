/**
 * The human rendering of a plan (plan.txt and `scs-migrate show`): what
 * terraform's plan output gives a reviewer. One line per step with a fixed
 * symbol per action (+ create, = adopt, · skip), grouped by wave, then the
 * pre-flight findings, the mappings, and a summary line. Deterministic: no
 * timestamps, so plan.txt diffs as cleanly as plan.json.
 */
import { fmtBytes, fmtDuration } from "../util/format.js";
import type { Plan, Step } from "../model/plan.js";

const SYMBOL: Record<Step["action"], string> = { create: "+", adopt: "=", skip: "·" };
const SEVERITY_MARK = { error: "✗", warning: "!", info: "i" } as const;

/** A short description of what a step does, for the right-hand column. */
export function describeStep(step: Step): string {
  const p = step.params as Record<string, any>;
  if (step.action === "skip") return `skip: ${step.note ?? step.reason}`;
  switch (step.kind) {
    case "subnet":
      return `${p.cidr}${p.gateway_ip ? ` gw ${p.gateway_ip}` : " no gateway"}`;
    case "router":
      return `${p.interfaces.length} interface(s)${p.external_gateway ? `, gateway on ${p.external_gateway.network.name}` : ""}`;
    case "security-group":
      return `${p.rules.length} rule(s)${step.action === "adopt" ? ", made to match" : ""}`;
    case "security-group-rules":
      return `${p.rules.length} rule(s) referencing other groups`;
    case "port":
      return (p.fixed_ips as { ip_address: string | null }[]).map((f) => f.ip_address ?? "any").join(", ") || "no fixed IP";
    case "image":
      return `${fmtBytes(step.bytes ?? 0)} copy, ${p.disk_format ?? "?"}`;
    case "volume":
      return `${p.size} GiB${p.volume_type ? ` ${p.volume_type.name}` : ""}, copy${(step.options as { consistency?: string }).consistency === "stop-server" && attachedTo(step) > 0 ? " (attached servers stopped)" : ""}`;
    case "server":
      return step.note ?? "";
    case "floating-ip":
      return `${String((step.source.facts as { address?: string } | undefined)?.address ?? "")} → new address`;
    case "server-group":
      return String(p.policy);
    case "keypair":
      return step.note ?? String(p.type);
    default:
      return step.note ?? "";
  }
}

/** How many servers a volume was attached to at planning (0 when the facts do not say). */
function attachedTo(step: Step): number {
  const facts = step.source.facts as { attached_to?: unknown[] } | undefined;
  return Array.isArray(facts?.attached_to) ? facts.attached_to.length : 0;
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
      lines.push(`  ${SYMBOL[s.action]} ${pad(id, width)}${describeStep(s)}`.trimEnd());
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
  for (const [label, section] of [["flavor", m.flavors], ["image", m.images], ["volume type", m.volumeTypes], ["zone", m.availabilityZones]] as const) {
    for (const [from, to] of Object.entries(section)) mapLines.push(`  ${pad(label, 12)}${from} → ${to}`);
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
