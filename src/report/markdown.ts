/**
 * The Markdown report (report.md): the same facts as the HTML page, as
 * GitHub-flavoured tables that also read well in a terminal. Identifiers go
 * into code spans (shown literally, never as HTML, on GitHub); free text is
 * escaped cell by cell, because step names and error messages come from user
 * data and cloud responses.
 */
import { fmtBytes } from "../util/format.js";
import { STEP_RESULTS, type ReportModel } from "./model.js";
import { describeRunSettings } from "./run-settings.js";
import { CUTOVER_TEXT, fmtMBps, fmtSecs, fmtWhen, mdCode, mdText, plural, RESULT_LABEL, statusLabel } from "./text.js";

/** How many of the slowest steps the timings section lists. */
export const SLOWEST_STEPS_SHOWN = 15;

const table = (head: string[], rows: string[][]): string[] => [
  `| ${head.join(" | ")} |`,
  `| ${head.map(() => "---").join(" | ")} |`,
  ...rows.map((r) => `| ${r.join(" | ")} |`),
];

const cloudText = (c: ReportModel["summary"]["source"]) =>
  `${mdCode(c.projectName ?? c.projectId)} on ${mdCode(c.cloud)}${c.region ? ` (${mdText(c.region)})` : ""}`;

/** A one-line verdict: what a reader should take away first. */
export function headline(m: ReportModel): string {
  const s = m.summary;
  const r = s.steps.byResult;
  const ok = r.created + r.adopted + r.unchanged;
  const parts = [`${ok} of ${s.steps.total - r.skipped} steps done`];
  if (r.failed) parts.push(`${r.failed} failed`);
  if (r.blocked) parts.push(`${r.blocked} blocked`);
  if (r.skipped) parts.push(`${r.skipped} skipped`);
  const data = s.transfersDone ? `; ${fmtBytes(s.bytesMoved)} copied in ${plural(s.transfersDone, "transfer")}` : "";
  const runs = s.runs > 1 ? ` over ${s.runs} runs (resumed)` : "";
  const status = statusLabel(s.status);
  return `${status.charAt(0).toUpperCase()}${status.slice(1)}: ${parts.join(", ")}${data}${runs}.`;
}

/** Renders report.md. */
export function renderMarkdown(m: ReportModel): string {
  const s = m.summary;
  const L: string[] = [];
  L.push(`# Migration report: ${mdText(s.migration)}`, "");
  L.push(`**${mdText(headline(m))}**`, "");

  const counts = STEP_RESULTS.filter((r) => s.steps.byResult[r] > 0).map((r) => `${s.steps.byResult[r]} ${RESULT_LABEL[r]}`);
  const v = s.verify;
  const verify = v.result === "not_run" ? "not run" : `${statusLabel(v.result)} (${v.mismatch} mismatch, ${v.missing} missing, ${v.warning} warning${v.deep ? "; deep" : ""}; ${fmtWhen(v.ranAt)})`;
  L.push("## Summary", "");
  L.push(
    ...table(
      ["", ""],
      [
        ["Source", cloudText(s.source)],
        ["Target", cloudText(s.target)],
        ["Status", `**${mdText(statusLabel(s.status))}**`],
        ["Started", fmtWhen(s.startedAt)],
        ["Finished", fmtWhen(s.finishedAt)],
        ["Cutover", CUTOVER_TEXT[s.cutover]],
        ["Wall time", `${fmtSecs(s.wallSeconds)}${s.runs > 1 ? ` in ${s.runs} runs (resumed; ${fmtSecs(s.elapsedSeconds)} from first start to end)` : ""}`],
        ["Steps", `${s.steps.total}: ${counts.join(", ") || "none"}`],
        ["Data moved", `${fmtBytes(s.bytesMoved)} in ${plural(s.transfersDone, "transfer")} (planned ${fmtBytes(s.bytesPlanned)})`],
        ["Throughput", s.avgMBps === null ? "—" : `average ${fmtMBps(s.avgMBps)}, peak ${fmtMBps(s.peakMBps)}`],
        ["Verify", mdText(verify)],
        ["Plan", `created ${fmtWhen(s.planCreatedAt)}, estimate ${fmtSecs(s.estimateSeconds)}; scs-migrate ${mdText(s.toolVersion)}`],
      ],
    ),
    "",
  );

  L.push("## Floating IPs (DNS must change)", "");
  if (m.floatingIps.length === 0) L.push("No floating IPs.", "");
  else {
    L.push(
      ...table(
        ["Old address", "New address", "Fixed IP", "Port", "Result"],
        m.floatingIps.map((f) => [mdCode(f.oldAddress ?? "?"), f.newAddress ? mdCode(f.newAddress) : "— (not allocated)", mdCode(f.fixedIp ?? ""), mdCode(f.port ?? ""), RESULT_LABEL[f.result]]),
      ),
      "",
    );
  }

  if (m.failures.length > 0) {
    L.push("## Failures", "");
    L.push(...table(["Step", "Type", "Run", "Message"], m.failures.map((f) => [mdCode(f.step ?? "(run)"), f.type, f.runId === null ? "" : String(f.runId), mdText(f.message)])), "");
  }

  L.push("## Resources (source → target)", "");
  L.push(
    ...table(
      ["Step", "Action", "Result", "Source id", "Target id", "Time", "Attempts"],
      m.resources.map((r) => [
        mdCode(r.step),
        r.action === "skip" ? `skip (${mdText(r.note ?? r.reason ?? "")})` : r.action,
        RESULT_LABEL[r.result],
        mdCode(r.sourceId),
        mdCode(r.targetId ?? ""),
        r.seconds === null ? "" : fmtSecs(r.seconds),
        r.attempts ? String(r.attempts) : "",
      ]),
    ),
    "",
  );

  if (m.mappings.length > 0) {
    L.push("## Mappings", "");
    L.push(...table(["Type", "Source", "Target"], m.mappings.map((x) => [x.type, mdCode(x.from), mdCode(x.to)])), "");
  }

  L.push("## Timings", "");
  if (m.timings.steps.length === 0) L.push("No step has run yet.", "");
  else {
    L.push(...table(["Kind", "Steps", "Total", "Longest"], m.timings.byKind.map((k) => [mdCode(k.kind), String(k.steps), fmtSecs(k.seconds), fmtSecs(k.maxSeconds)])), "");
    const shown = m.timings.steps.slice(0, SLOWEST_STEPS_SHOWN);
    L.push(`Slowest ${plural(shown.length, "step")}:`, "");
    L.push(...table(["Step", "Result", "Time", "Attempts", "Runs"], shown.map((t) => [mdCode(t.step), RESULT_LABEL[t.result], fmtSecs(t.seconds), String(t.attempts), t.runs.join(", ")])), "");
  }

  L.push("## Transfers", "");
  if (m.transfers.length === 0) L.push("No data was copied.", "");
  else {
    L.push(
      ...table(
        ["Step", "Label", "Size", "Time", "Throughput", "Checksums", "Status"],
        m.transfers.map((t) => [
          mdCode(t.step),
          mdText(t.label),
          fmtBytes(t.bytes),
          fmtSecs(t.seconds),
          fmtMBps(t.mbps),
          t.checksumsMatch === null ? "not compared" : t.checksumsMatch ? "equal" : "**DIFFERENT**",
          statusLabel(t.status),
        ]),
      ),
      "",
    );
  }

  if (m.warnings.length > 0) {
    L.push("## Warnings", "");
    L.push(...table(["Step", "Warning"], m.warnings.map((w) => [mdCode(w.step ?? "(run)"), mdText(w.message)])), "");
  }
  if (m.preflight.findings.length > 0) {
    L.push("## Plan findings", "");
    L.push(...table(["Severity", "Code", "Step", "Message"], m.preflight.findings.map((f) => [f.severity, mdCode(f.code), mdCode(f.step ?? ""), mdText(f.message)])), "");
  }
  if (m.verifyFindings.length > 0) {
    L.push("## Verify findings", "");
    L.push(
      ...table(
        ["Step", "Severity", "Field", "Expected", "Actual", "Message"],
        m.verifyFindings.map((f) => [mdCode(f.step), f.severity, mdCode(f.field), mdCode(f.expected ?? ""), mdCode(f.actual ?? ""), mdText(f.message)]),
      ),
      "",
    );
  }

  L.push("## Runs", "");
  L.push(
    ...table(
      ["Run", "Kind", "Status", "Started", "Finished", "Duration", "In this report"],
      m.runs.map((r) => [String(r.id), r.kind, statusLabel(r.status), fmtWhen(r.startedAt), fmtWhen(r.finishedAt), fmtSecs(r.seconds), r.counted ? "yes" : "no"]),
    ),
    "",
  );
  const settings = m.runs.map((r) => [r, describeRunSettings(r.settings)] as const).filter(([, text]) => text);
  if (settings.length > 0) L.push("What each run was told to do:", "", ...settings.map(([r, text]) => `- Run ${r.id} (${r.kind}): ${mdText(text)}`), "");
  L.push(`_Generated ${fmtWhen(m.generatedAt)} by scs-migrate ${mdText(s.toolVersion)}._`, "");
  return L.join("\n");
}
