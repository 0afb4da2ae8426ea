/**
 * The terminal rendering of a portability assessment (`scs-migrate assess`):
 * score and grade, the category scores, what was checked, then the findings
 * grouped by severity, worst first, each with its fix, and what each check
 * took off the score. The JSON output is the `Assessment` itself; this is
 * only its human face. Deterministic (no clock, no colours), so it can be
 * compared in tests and pasted into tickets; long lines wrap at 100 columns.
 * A check with many findings (one per floating IP, say) shows the first few
 * in full and names the rest in one line, so the report stays readable.
 */
import type { Assessment, Finding, Severity } from "./types.js";
import { CATEGORIES, SEVERITIES } from "./types.js";

const WIDTH = 100;
/** Findings of one check shown in full per severity; the rest are named in one line (the JSON has them all). */
export const RENDER_LIMIT_PER_CHECK = 5;

const HEADING: Record<Severity, string> = { blocker: "Blockers", major: "Major", minor: "Minor", info: "Info" };
const MARK: Record<Severity, string> = { blocker: "✗", major: "!", minor: "-", info: "i" };
const MEANING: Record<Severity, string> = {
  blocker: "check the target before moving",
  major: "needs work or costs more",
  minor: "small change",
  info: "worth knowing",
};

/** Word-wraps text to the width, every line after the first indented by `indent` spaces. */
export function wrap(text: string, first: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = " ".repeat(indent) + word;
    } else {
      line += (empty ? "" : " ") + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function renderFinding(f: Finding): string[] {
  const head = `  ${MARK[f.severity]} ${f.resource}  [${f.id}]`;
  return [head, ...wrap(f.message, "      ", 6), ...wrap(f.fix, "      fix: ", 11)];
}

/** Renders an assessment as terminal text. */
export function renderAssessment(a: Assessment): string {
  const p = a.project;
  const out: string[] = [];
  const where = `${p.cloud}${p.region ? `/${p.region}` : ""}`;
  out.push(`Portability of ${p.project_name ?? p.project_id} (${where}), inventory of ${p.collectedAt}`);
  out.push("");
  out.push(`  Score ${a.score}/100   grade ${a.grade}`);
  out.push("");
  for (const c of CATEGORIES) {
    const s = a.categories[c];
    const n = s.findings ? plural(s.findings, "finding") : "no findings";
    out.push(`    ${c.padEnd(9)} ${String(s.score).padStart(3)}  ${s.grade}   ${n}`);
  }
  out.push("");
  const k = a.counts;
  const checked = [
    plural(k.servers, "server"),
    plural(k.flavors, "flavor"),
    plural(k.images, "image"),
    plural(k.volumes, "volume"),
    plural(k.volumeTypes, "volume type"),
    plural(k.volumeSnapshots, "volume snapshot"),
    plural(k.networks, "network"),
    plural(k.ports, "port"),
    plural(k.floatingIps, "floating IP"),
    plural(k.serverGroups, "server group"),
    plural(k.features, "provider feature"),
  ].join(", ");
  out.push(...wrap(checked, "  Checked: ", 11));

  if (a.findings.length === 0) {
    out.push("");
    out.push("No findings: everything this project uses exists on every SCS-compatible cloud.");
    return out.join("\n") + "\n";
  }
  for (const sev of SEVERITIES) {
    const list = a.findings.filter((f) => f.severity === sev);
    if (list.length === 0) continue;
    out.push("");
    out.push(`${HEADING[sev]} (${list.length}): ${MEANING[sev]}`);
    const shown = new Map<string, number>();
    const rest = new Map<string, string[]>();
    for (const f of list) {
      const n = shown.get(f.id) ?? 0;
      if (n < RENDER_LIMIT_PER_CHECK) {
        out.push(...renderFinding(f));
        shown.set(f.id, n + 1);
      } else rest.set(f.id, [...(rest.get(f.id) ?? []), f.resource]);
    }
    for (const [id, resources] of rest) {
      const text = `${resources.length} more [${id}]: ${resources.join(", ")} (the JSON output has their messages and fixes)`;
      out.push(...wrap(text, "  + ", 4));
    }
  }
  const scored = a.deductions.filter((d) => d.points > 0);
  if (scored.length > 0) {
    out.push("");
    const parts = scored.map((d) => {
      const capped = d.raw > d.points ? `, capped from ${d.raw}` : "";
      return `${d.id} −${d.points} (${plural(d.findings, "finding")}${capped})`;
    });
    out.push(...wrap(parts.join("; "), "Score deductions: ", 2));
  }
  return out.join("\n") + "\n";
}
