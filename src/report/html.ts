/**
 * The HTML report (report.html): one self-contained page, with the content of
 * the Markdown report plus a picture of the dependency graph and a timeline
 * of the run. Inline CSS, inline SVG and a few lines of inline script; no
 * external asset of any kind, so it opens from disk, from a mail attachment
 * or from a CI artefact store, offline.
 *
 * Every piece of user or cloud text passes through `esc` (redact, then HTML
 * escape). As a second line of defence, a Content-Security-Policy allows no
 * network fetch at all and only the one script whose hash it names: even an
 * escaping bug could not run injected script.
 */
import { createHash } from "node:crypto";
import { fmtBytes } from "../util/format.js";
import { headline } from "./markdown.js";
import { STEP_RESULTS, type ReportModel, type StepResult } from "./model.js";
import { cls, renderGraphSvg } from "./html-graph.js";
import { CSS, kindColor, SCRIPT } from "./html-style.js";
import { renderTimelineSvg } from "./html-timeline.js";
import { describeRunSettings } from "./run-settings.js";
import { CUTOVER_TEXT, esc, fmtMBps, fmtSecs, fmtWhen, plural, RESULT_LABEL, statusLabel } from "./text.js";

const chip = (r: StepResult) => `<span class="chip r-${cls(r)}">${RESULT_LABEL[r]}</span>`;
const code = (s: string | null | undefined) => (s ? `<code>${esc(s)}</code>` : "");
const th = (cols: string[]) => `<thead><tr>${cols.map((c) => (c.startsWith("#") ? `<th class="num">${esc(c.slice(1))}</th>` : `<th>${esc(c)}</th>`)).join("")}</tr></thead>`;
const td = (html: string, klass = "") => `<td${klass ? ` class="${klass}"` : ""}>${html}</td>`;

function section(id: string, title: string, sub: string, body: string): string {
  return `<section class="card" id="${id}"><h2>${esc(title)}</h2>${sub ? `<p class="sub">${sub}</p>` : ""}${body}</section>`;
}

function kpi(label: string, value: string, note: string): string {
  return `<div class="kpi"><div class="lbl">${esc(label)}</div><div class="val">${value}</div><div class="note">${note}</div></div>`;
}

const cloudBox = (label: string, c: ReportModel["summary"]["source"]) =>
  `<div class="cloud"><div class="lbl">${label}</div><div class="val">${esc(c.projectName ?? c.projectId)}</div><div class="mono">${esc(c.cloud)}${c.region ? ` / ${esc(c.region)}` : ""}</div></div>`;

function summarySection(m: ReportModel): string {
  const s = m.summary;
  const r = s.steps.byResult;
  const ok = r.created + r.adopted + r.unchanged;
  const checked = m.transfers.filter((t) => t.status === "done" && t.checksumsMatch !== null);
  const equal = checked.filter((t) => t.checksumsMatch).length;
  const v = s.verify;
  const kpis = [
    kpi("Result", `<span class="badge s-${cls(s.status)}">${esc(statusLabel(s.status))}</span>`, s.runs > 1 ? `${s.runs} runs, resumed` : s.runs === 1 ? "1 run" : "not applied yet"),
    kpi("Wall time", esc(fmtSecs(s.wallSeconds)), s.runs > 1 ? `${esc(fmtSecs(s.elapsedSeconds))} from first start` : `estimate ${esc(fmtSecs(s.estimateSeconds))}`),
    kpi("Resources", `${ok} / ${s.steps.total - r.skipped}`, `${r.created} created · ${r.adopted} adopted${r.unchanged ? ` · ${r.unchanged} unchanged` : ""}`),
    kpi("Data moved", esc(fmtBytes(s.bytesMoved)), `${plural(s.transfersDone, "transfer")}${checked.length ? ` · checksums ${equal === checked.length ? "equal" : `<span class="bad">${checked.length - equal} different</span>`}` : ""}`),
    kpi("Throughput", esc(fmtMBps(s.avgMBps)), s.peakMBps === null ? "no data copied" : `average · peak ${esc(fmtMBps(s.peakMBps))}`),
    kpi("Verify", `<span class="badge v-${cls(v.result)}">${esc(statusLabel(v.result))}</span>`, v.result === "not_run" ? "run scs-migrate verify" : `${v.mismatch} mismatch · ${v.missing} missing · ${v.warning} warning`),
    kpi("DNS changes", String(m.floatingIps.length), m.floatingIps.length ? "floating IPs get new addresses" : "no floating IPs"),
    kpi("Problems", r.failed + r.blocked ? `<span class="bad">${r.failed + r.blocked}</span>` : "0", r.failed + r.blocked ? `${r.failed} failed · ${r.blocked} blocked` : "none"),
  ];
  const total = Math.max(1, s.steps.total);
  const present = STEP_RESULTS.filter((x) => r[x] > 0);
  const bar = present.map((x) => `<div class="seg r-${x}" style="width:${((r[x] / total) * 100).toFixed(3)}%" title="${r[x]} ${RESULT_LABEL[x]}"></div>`).join("");
  const legend = present.map((x) => `<li><span class="sw r-${x}"></span>${r[x]} ${RESULT_LABEL[x]}</li>`).join("");
  const meta: [string, string][] = [
    ["Started", esc(fmtWhen(s.startedAt))],
    ["Finished", esc(fmtWhen(s.finishedAt))],
    ["Cutover", esc(CUTOVER_TEXT[s.cutover])],
    ["Source project", `${code(s.source.projectName ?? s.source.projectId)} (${code(s.source.projectId)}) on ${code(s.source.cloud)}`],
    ["Target project", `${code(s.target.projectName ?? s.target.projectId)} (${code(s.target.projectId)}) on ${code(s.target.cloud)}`],
    ["Plan", `created ${esc(fmtWhen(s.planCreatedAt))}; planned copy ${esc(fmtBytes(s.bytesPlanned))}, estimate ${esc(fmtSecs(s.estimateSeconds))}`],
  ];
  const body = `<div class="kpis">${kpis.join("")}</div><div class="outcomes" role="img" aria-label="steps by result">${bar}</div><ul class="legend">${legend}</ul><dl class="meta">${meta.map(([k, val]) => `<dt>${k}</dt><dd>${val}</dd>`).join("")}</dl>`;
  return section("summary", "Summary", esc(headline(m)), body);
}

function floatingIpSection(m: ReportModel): string {
  if (m.floatingIps.length === 0) return section("floating-ips", "Floating IPs", "", `<p class="empty">This migration has no floating IPs; no DNS record needs to change.</p>`);
  const rows = m.floatingIps.map(
    (f) =>
      `<tr data-step="${esc(f.step)}">${td(esc(f.oldAddress ?? "?"), "addr mono old")}${td("→")}${td(f.newAddress ? esc(f.newAddress) : `<span class="empty">not allocated</span>`, "addr mono to new")}${td(code(f.fixedIp))}${td(code(f.port))}${td(chip(f.result))}</tr>`,
  );
  const sub = "Floating IP addresses belong to the provider and cannot move. Point DNS records, allow-lists and monitoring from each old address to its new one.";
  return section("floating-ips", "Floating IPs — what DNS must change", esc(sub), `<table class="dns">${th(["Old address", "", "New address", "Fixed IP", "Port", "Result"])}<tbody>${rows.join("")}</tbody></table>`);
}

function failureSection(m: ReportModel): string {
  if (m.failures.length === 0) return "";
  const rows = m.failures.map((f) => `<tr>${td(code(f.step ?? "(run)"))}${td(f.type === "run" ? "run failed" : chip(f.type))}${td(f.runId === null ? "" : String(f.runId), "num")}${td(esc(f.message), "err")}</tr>`);
  const sub = "Failed steps stopped with an error; blocked steps did not run because something they depend on failed. Fix the cause and run apply again: it resumes.";
  return section("failures", `Failures (${m.failures.length})`, esc(sub), `<table>${th(["Step", "Type", "#Run", "Message"])}<tbody>${rows.join("")}</tbody></table>`);
}

function graphSection(m: ReportModel): string {
  const present = STEP_RESULTS.filter((r) => m.summary.steps.byResult[r] > 0);
  const legend = `<ul class="legend">${present.map((r) => `<li><span class="sw r-${r}"></span>${RESULT_LABEL[r]}</li>`).join("")}<li><span class="sw dash"></span>why a step is blocked</li></ul>`;
  const sub = `${plural(m.graph.nodes.length, "step")} in ${plural(m.graph.waves.length, "wave")}. Each column is a wave; curves run from a dependency to the step that needs it. Point at a step to highlight its links.`;
  return section("graph", "Dependency graph", esc(sub), `${legend}<div class="figure" style="margin-top:10px">${renderGraphSvg(m.graph)}</div>`);
}

function timelineSection(m: ReportModel): string {
  const svg = renderTimelineSvg(m.timeline);
  if (!svg) return section("timeline", "Timeline", "", `<p class="empty">No step has run yet.</p>`);
  const kinds = [...new Set(m.timeline.bars.map((b) => b.kind))];
  const legend = [
    ...kinds.map((k) => `<li><span class="sw" style="background:${kindColor(k)}"></span>${esc(k)}</li>`),
    ...(m.timeline.transfers.length > 0 ? [`<li><span class="sw xfer"></span>data transfer</li>`] : []),
    ...(m.timeline.bars.some((b) => b.result === "failed") ? [`<li><span class="sw failbar"></span>failed (red outline)</li>`] : []),
    ...(m.timeline.runs.length > 1 ? [`<li><span class="sw earlier"></span>earlier run (faded)</li>`] : []),
  ].join("");
  const sub =
    m.timeline.runs.length > 1
      ? `${plural(m.timeline.runs.length, "run")}: the axis is cut between runs (the pause is marked), each run at the same scale. Times are elapsed since each run started.`
      : `Elapsed time since the run started. Bars are coloured by kind${m.timeline.transfers.length > 0 ? "; hatched strips are data copies" : ""}.`;
  return section("timeline", "Timeline", esc(sub), `<div class="figure">${svg}</div><ul class="legend kinds">${legend}</ul>`);
}

function transferSection(m: ReportModel): string {
  if (m.transfers.length === 0) return section("transfers", "Transfers", "", `<p class="empty">No data was copied.</p>`);
  const rows = m.transfers.map((t) => {
    const sums = t.checksumsMatch === null ? `<span class="empty">not compared</span>` : t.checksumsMatch ? `<span class="ok">equal</span>` : `<span class="bad">DIFFERENT</span>`;
    const md5 = t.sourceMd5 ? `<div class="mono" title="md5 source / target">${esc(t.sourceMd5)}${t.targetMd5 && t.targetMd5 !== t.sourceMd5 ? ` / ${esc(t.targetMd5)}` : ""}</div>` : "";
    return `<tr>${td(code(t.step))}${td(esc(t.label))}${td(esc(fmtBytes(t.bytes)), "num")}${td(esc(fmtSecs(t.seconds)), "num")}${td(esc(fmtMBps(t.mbps)), "num")}${td(sums + md5)}${td(esc(statusLabel(t.status)))}</tr>`;
  });
  const sub = `Data is streamed from the source into the target and checksummed on both sides on the fly. Average ${fmtMBps(m.summary.avgMBps)} over the time copies were running, peak ${fmtMBps(m.summary.peakMBps)}.`;
  return section("transfers", "Transfers", esc(sub), `<table>${th(["Step", "Label", "#Size", "#Time", "#Throughput", "Checksums", "Status"])}<tbody>${rows.join("")}</tbody></table>`);
}

function timingSection(m: ReportModel): string {
  if (m.timings.steps.length === 0) return "";
  const byKind = m.timings.byKind.map((k) => `<tr>${td(`<span class="sw" style="background:${kindColor(k.kind)}"></span> ${esc(k.kind)}`)}${td(String(k.steps), "num")}${td(esc(fmtSecs(k.seconds)), "num")}${td(esc(fmtSecs(k.maxSeconds)), "num")}</tr>`);
  const slow = m.timings.steps.slice(0, 15).map((t) => `<tr>${td(code(t.step))}${td(chip(t.result))}${td(esc(fmtSecs(t.seconds)), "num")}${td(String(t.attempts), "num")}${td(t.runs.join(", "), "num")}</tr>`);
  const body = `<div style="display:grid;grid-template-columns:minmax(260px,1fr) 2fr;gap:18px;align-items:start"><table>${th(["Kind", "#Steps", "#Total", "#Longest"])}<tbody>${byKind.join("")}</tbody></table><table>${th(["Slowest steps", "Result", "#Time", "#Attempts", "#Runs"])}<tbody>${slow.join("")}</tbody></table></div>`;
  return section("timings", "Timings", esc("Time spent per kind (steps run in parallel, so totals exceed the wall time) and the slowest steps."), body);
}

function resourceSection(m: ReportModel): string {
  const rows = m.resources.map((r) => {
    const action = r.action === "skip" ? `skip <span class="empty">${esc(r.note ?? r.reason ?? "")}</span>` : esc(r.action);
    return `<tr data-step="${esc(r.step)}" data-result="${cls(r.result)}">${td(code(r.step))}${td(action)}${td(chip(r.result))}${td(code(r.sourceId))}${td(code(r.targetId))}${td(r.seconds === null ? "" : esc(fmtSecs(r.seconds)), "num")}${td(r.attempts ? String(r.attempts) : "", "num")}${td(esc(r.error ?? ""), "err")}</tr>`;
  });
  const toolbar = `<div class="toolbar"><input type="search" id="resource-filter" placeholder="Filter by step, id, result…" aria-label="Filter resources"><span class="sub" style="margin:0">${plural(m.resources.length, "step")}, in wave order</span></div>`;
  return section(
    "resources",
    "Resources: source → target",
    esc("Every planned step, what became of it, and the id of the resource on each side."),
    `${toolbar}<div class="scroll"><table>${th(["Step", "Action", "Result", "Source id", "Target id", "#Time", "#Attempts", "Error"])}<tbody>${rows.join("")}</tbody></table></div>`,
  );
}

function mappingSection(m: ReportModel): string {
  if (m.mappings.length === 0) return "";
  const rows = m.mappings.map((x) => `<tr>${td(esc(x.type))}${td(code(x.from))}${td("→")}${td(code(x.to))}</tr>`);
  return section("mappings", "Mappings", esc("Flavors, images, volume types, zones and the external network chosen on the target."), `<table>${th(["Type", "Source", "", "Target"])}<tbody>${rows.join("")}</tbody></table>`);
}

function findingSection(m: ReportModel): string {
  const parts: string[] = [];
  if (m.verifyFindings.length > 0) {
    const rows = m.verifyFindings.map((f) => `<tr>${td(code(f.step))}${td(esc(f.severity))}${td(code(f.field))}${td(code(f.expected))}${td(code(f.actual))}${td(esc(f.message))}</tr>`);
    parts.push(`<h3>Verify</h3><table>${th(["Step", "Severity", "Field", "Expected", "Actual", "Message"])}<tbody>${rows.join("")}</tbody></table>`);
  }
  if (m.warnings.length > 0) {
    const rows = m.warnings.map((w) => `<tr>${td(code(w.step ?? "(run)"))}${td(w.runId === null ? "" : String(w.runId), "num")}${td(esc(w.message))}</tr>`);
    parts.push(`<h3>Warnings</h3><table>${th(["Step", "#Run", "Warning"])}<tbody>${rows.join("")}</tbody></table>`);
  }
  if (m.preflight.findings.length > 0) {
    const rows = m.preflight.findings.map((f) => `<tr>${td(esc(f.severity))}${td(code(f.code))}${td(code(f.step))}${td(esc(f.message))}</tr>`);
    parts.push(`<h3>Plan findings</h3><table>${th(["Severity", "Code", "Step", "Message"])}<tbody>${rows.join("")}</tbody></table>`);
  }
  if (parts.length === 0) return "";
  return section("findings", "Findings and warnings", "", parts.join(""));
}

function runSection(m: ReportModel): string {
  if (m.runs.length === 0) return "";
  const rows = m.runs.map((r) => `<tr>${td(String(r.id), "num")}${td(esc(r.kind))}${td(`<span class="badge s-${cls(r.status)}">${esc(statusLabel(r.status))}</span>`)}${td(esc(fmtWhen(r.startedAt)))}${td(esc(fmtWhen(r.finishedAt)))}${td(esc(fmtSecs(r.seconds)), "num")}${td(r.counted ? "yes" : "no")}${td(esc(describeRunSettings(r.settings)))}</tr>`);
  return section("runs", "Runs", esc("Every run recorded in the state file; the report counts the latest apply and the runs it resumed."), `<table>${th(["#Run", "Kind", "Status", "Started", "Finished", "#Duration", "Counted", "Settings"])}<tbody>${rows.join("")}</tbody></table>`);
}

/** Renders report.html. */
export function renderHtml(m: ReportModel): string {
  const s = m.summary;
  const scriptHash = createHash("sha256").update(SCRIPT).digest("base64");
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'; base-uri 'none'; form-action 'none'`;
  const hero = `<header class="hero"><div class="wrap"><div class="eyebrow">Sovereign Cloud Stack · migration report</div><h1>${esc(s.migration)}</h1><div class="route">${cloudBox("Source", s.source)}<div class="arrow">→</div>${cloudBox("Target", s.target)}</div><div class="status"><span class="badge s-${cls(s.status)}">${esc(statusLabel(s.status))}</span><span class="headline">${esc(fmtWhen(s.startedAt))}${s.finishedAt ? ` — ${esc(fmtWhen(s.finishedAt))}` : ""}</span></div></div></header>`;
  const body = [
    summarySection(m),
    floatingIpSection(m),
    failureSection(m),
    graphSection(m),
    timelineSection(m),
    transferSection(m),
    timingSection(m),
    resourceSection(m),
    mappingSection(m),
    findingSection(m),
    runSection(m),
  ].join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="scs-migrate ${esc(s.toolVersion)}">
<title>Migration report: ${esc(s.migration)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
${hero}
<main class="wrap">
${body}
</main>
<footer>Generated ${esc(fmtWhen(m.generatedAt))} by scs-migrate ${esc(s.toolVersion)} · report format ${m.formatVersion} · this page is self-contained and loads nothing from the network</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
