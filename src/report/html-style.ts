/**
 * The look of the HTML report: its colour scheme, the inline style sheet and
 * the few lines of inline script (a filter for the resource table, and edge
 * highlighting in the dependency graph). Everything is inline because the page
 * must work as one file opened from disk, mailed, or attached to a ticket,
 * with no network. The script reads only the DOM (attributes, textContent),
 * never builds markup, so user data cannot reach it as code.
 */
import { KINDS } from "../kinds/index.js";
import type { StepResult } from "./model.js";

/** Fill and border colours per step result (graph nodes, chips, the outcome bar). */
export const RESULT_COLOR: Record<StepResult, { solid: string; tint: string }> = {
  created: { solid: "#1f9d55", tint: "#e3f4ea" },
  adopted: { solid: "#2f6fd1", tint: "#e4edfb" },
  unchanged: { solid: "#3b959d", tint: "#e2f2f3" },
  skipped: { solid: "#97a1ad", tint: "#f1f3f5" },
  failed: { solid: "#d33a3a", tint: "#fbe5e5" },
  blocked: { solid: "#e0891f", tint: "#fdf0df" },
  interrupted: { solid: "#8a63d2", tint: "#efe8fb" },
  running: { solid: "#5563de", tint: "#e8eafc" },
  pending: { solid: "#b7c0ca", tint: "#ffffff" },
};

/** Bar colours per resource kind (timeline, graph): each kind declares its own. */
export const KIND_COLOR: Record<string, string> = Object.fromEntries(KINDS.map((k) => [k.kind, k.color]));

/** The colour of a kind, grey for kinds this file does not know yet. */
export const kindColor = (kind: string): string => KIND_COLOR[kind] ?? "#8895a7";

const resultRules = (Object.entries(RESULT_COLOR) as [StepResult, { solid: string; tint: string }][])
  .map(
    ([r, c]) =>
      `.r-${r} rect.box{fill:${c.tint};stroke:${c.solid}}.r-${r} .dot{fill:${c.solid}}.chip.r-${r}{background:${c.tint};color:${c.solid};border-color:${c.solid}}.seg.r-${r},.sw.r-${r}{background:${c.solid}}`,
  )
  .join("\n");

const kindRules = Object.entries(KIND_COLOR)
  .map(([k, c]) => `.k-${k}{fill:${c}}.sw.k-${k}{background:${c}}`)
  .join("\n");

/** The inline style sheet. */
export const CSS = `
:root{--ink:#1c2733;--muted:#5f6b7a;--line:#e2e7ee;--bg:#f5f7fa;--card:#fff;--accent:#0f5fa8;--navy:#0d2440}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
header.hero{background:linear-gradient(135deg,#0d2440 0%,#123b66 60%,#17507f 100%);color:#fff;padding:28px 0 84px}
.wrap{max-width:1240px;margin:0 auto;padding:0 28px}
.eyebrow{text-transform:uppercase;letter-spacing:.12em;font-size:12px;opacity:.75}
h1{margin:4px 0 14px;font-size:30px;font-weight:650;letter-spacing:-.01em;word-break:break-word}
.route{display:flex;flex-wrap:wrap;gap:10px;align-items:center}
.cloud{background:rgba(255,255,255,.1);border:1px solid rgba(255,255,255,.22);border-radius:10px;padding:8px 14px;min-width:220px}
.cloud .lbl{font-size:11px;text-transform:uppercase;letter-spacing:.08em;opacity:.7}
.cloud .val{font-weight:600}
.arrow{font-size:24px;opacity:.8;padding:0 4px}
.badge{display:inline-block;border-radius:999px;padding:3px 12px;font-weight:650;font-size:13px;border:1px solid transparent}
.s-completed,.v-passed{background:#dff3e7;color:#146c3b;border-color:#9fd8b6}
.s-partially_failed,.v-passed_with_warnings{background:#fdf0df;color:#9a5a0c;border-color:#f2c98f}
.s-failed,.v-failed{background:#fbe5e5;color:#a32626;border-color:#efb0b0}
.s-interrupted,.s-running{background:#efe8fb;color:#5b3aa3;border-color:#cbb9ef}
.s-not_run,.v-not_run{background:#eef1f4;color:#4b5563;border-color:#d5dbe2}
.hero .status{margin-top:16px;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.hero .headline{opacity:.92}
main.wrap{margin-top:-60px;padding-bottom:40px}
section.card{background:var(--card);border:1px solid var(--line);border-radius:12px;box-shadow:0 1px 2px rgba(16,24,40,.05),0 4px 14px rgba(16,24,40,.04);padding:20px 22px;margin:0 0 20px}
section.card>h2{margin:0 0 4px;font-size:17px;font-weight:650}
.sub{color:var(--muted);margin:0 0 14px;font-size:13px}
.kpis{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;margin:6px 0 16px}
@media (max-width:900px){.kpis{grid-template-columns:repeat(2,minmax(0,1fr))}}
.kpi{border:1px solid var(--line);border-radius:10px;padding:12px 14px;background:#fbfcfd}
.kpi .lbl{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.06em}
.kpi .val{font-size:22px;font-weight:650;margin-top:2px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.kpi .note{color:var(--muted);font-size:12px}
.outcomes{display:flex;height:14px;border-radius:7px;overflow:hidden;background:#eef1f4;margin:4px 0 8px}
.outcomes .seg{height:100%}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12.5px;color:var(--muted);margin:6px 0 0;padding:0;list-style:none}
.legend li{display:flex;align-items:center;gap:6px}
.sw{display:inline-block;width:11px;height:11px;border-radius:3px}
.sw.xfer{background:repeating-linear-gradient(45deg,#1c2733 0 2px,#fff 2px 4px);border:1px solid #1c2733}
.sw.earlier{background:#c9d2dc;opacity:.6}
.sw.failbar{background:#fff;border:2px solid #d33a3a}
.sw.dash{height:0;width:18px;border-radius:0;border-top:2px dashed #d33a3a}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:14px 0 0;font-size:13px}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f3f6f9;color:#3b4756;font-weight:600;position:sticky;top:0;z-index:1}
tbody tr:nth-child(even){background:#fafbfc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.err{color:#a32626}
td code{white-space:nowrap}
.scroll{overflow:auto;max-height:70vh;border:1px solid var(--line);border-radius:8px}
.scroll table th{box-shadow:0 1px 0 var(--line)}
.chip{display:inline-block;padding:0 8px;border-radius:999px;font-size:12px;border:1px solid;line-height:18px;white-space:nowrap}
.dns td.addr{font-size:15px;font-weight:600}
.dns .to{color:var(--accent)}
.ok{color:#146c3b;font-weight:600}.bad{color:#a32626;font-weight:700}
.toolbar{display:flex;gap:12px;align-items:center;margin:0 0 10px}
input[type=search]{font:inherit;padding:6px 10px;border:1px solid #cbd3dc;border-radius:8px;min-width:260px}
.figure{overflow:auto;max-height:78vh;border:1px solid var(--line);border-radius:8px;background:#fcfdfe}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
#graph .node rect.box{stroke-width:1.4}
#graph .node text.k{font-size:9.5px;fill:#5f6b7a;text-transform:uppercase;letter-spacing:.04em}
#graph .node text.n{font-size:11.5px;fill:#1c2733;font-weight:600}
#graph .node{cursor:default}
#graph .node:hover rect.box{stroke-width:2.6}
#graph .edge{fill:none;stroke:#9aa6b4;stroke-width:1.1;opacity:.55}
#graph .edge.bad{stroke:#d33a3a;stroke-dasharray:4 3;opacity:.9}
#graph .edge.hl{stroke:#0f5fa8;stroke-width:2.2;opacity:1}
#graph .wave-label{font-size:11px;fill:#5f6b7a;font-weight:600;text-transform:uppercase;letter-spacing:.06em}
#graph .col{fill:#f2f5f9}
#timeline .band{fill:#f7f9fc}#timeline .band.earlier{fill:#f0f1f5}
#timeline .stripe{fill:#f3f6fa}
#timeline .grid{stroke:#e3e8ef;stroke-width:1}
#timeline .tick{font-size:10px;fill:#6b7786}
#timeline .run-title{font-size:11.5px;font-weight:650;fill:#1c2733}
#timeline .run-sub{font-size:10.5px;fill:#5f6b7a}
#timeline .lbl{font-size:11px;fill:#2c3a49}
#timeline .lbl.has-xfer{font-weight:650}
#timeline .lbl.failed{fill:#a32626;font-weight:650}
#timeline .bar{stroke:rgba(0,0,0,.18);stroke-width:.6}
#timeline .bar.earlier{opacity:.45}
#timeline .bar.failed{stroke:#d33a3a;stroke-width:1.6}
#timeline .bar.interrupted,#timeline .bar.running{stroke:#8a63d2;stroke-width:1.4;stroke-dasharray:3 2}
#timeline .fail-mark{fill:#d33a3a}
#timeline .xfer{fill:url(#tl-hatch);stroke:#1c2733;stroke-width:.6}
#timeline .gap{fill:url(#tl-gap)}
#timeline .gap-label{font-size:10px;fill:#6b7786}
.kinds{margin-top:10px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:8px 0 30px}
.empty{color:var(--muted);font-style:italic}
@media print{header.hero{padding-bottom:24px}main.wrap{margin-top:0}.figure,.scroll{max-height:none;overflow:visible}section.card{break-inside:avoid;box-shadow:none}}
${resultRules}
${kindRules}
`;

/** The inline script: table filter and graph edge highlighting, nothing else. */
export const SCRIPT = `(function(){
var q=document.getElementById("resource-filter");
if(q){var rows=Array.prototype.slice.call(document.querySelectorAll("#resources tbody tr"));
q.addEventListener("input",function(){var v=q.value.toLowerCase();rows.forEach(function(r){r.hidden=v!==""&&r.textContent.toLowerCase().indexOf(v)<0;});});}
var g=document.querySelector("#graph svg");
if(g){var edges=Array.prototype.slice.call(g.querySelectorAll(".edge"));
var mark=function(id){edges.forEach(function(e){var on=id!==null&&(e.getAttribute("data-from")===id||e.getAttribute("data-to")===id);e.classList.toggle("hl",on);});};
g.addEventListener("mouseover",function(ev){var n=ev.target.closest("[data-step]");mark(n?n.getAttribute("data-step"):null);});
g.addEventListener("mouseleave",function(){mark(null);});}
})();`;
