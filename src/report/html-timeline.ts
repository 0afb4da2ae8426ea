/**
 * The run timeline as an inline SVG Gantt chart: one row per executed step,
 * a bar per run the step worked in, coloured by kind, with data copies drawn
 * as hatched strips inside their bars. The time axis is cut into one segment
 * per run, at the same scale, with a marked break between runs: a resumed
 * migration may pause for hours, and a continuous axis would squeeze the
 * runs into slivers. Bars get a minimum width, so that a step adopted in a
 * few milliseconds is still visible.
 */
import { fmtBytes } from "../util/format.js";
import type { ReportModel, TimelineBar, TimelineRun } from "./model.js";
import { cls, fit, svgOpen } from "./html-graph.js";
import { esc, fmtClock, fmtSecs, fmtWhen, RESULT_LABEL, statusLabel } from "./text.js";

const LABEL_W = 230;
const ROW_H = 18;
const BAR_H = 12;
const HEAD = 58;
const PLOT_W = 790;
const GAP_W = 40;
const MIN_SEG_W = 150;
const MIN_BAR_W = 2;
const PAD_R = 18;
const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** The x coordinate mapping of the cut time axis. */
export function axisLayout(runs: TimelineRun[]): { segX: Map<number, number>; segW: Map<number, number>; scale: number; width: number } {
  const span = (r: TimelineRun) => Math.max(0, r.end - r.start);
  const avail = PLOT_W - GAP_W * Math.max(0, runs.length - 1);
  const total = runs.reduce((s, r) => s + span(r), 0);
  const longest = Math.max(1, ...runs.map(span));
  let scale = Math.max(0, avail) / Math.max(total, 1);
  // Why: runs too short for their header get the minimum width; the others share what is left, at one scale.
  const short = runs.filter((r) => span(r) * scale < MIN_SEG_W);
  const longTotal = total - short.reduce((s, r) => s + span(r), 0);
  if (short.length > 0 && short.length < runs.length && longTotal > 0) {
    // Why: when many short runs use up the width, the picture grows wider rather than squeezing the long runs to nothing.
    const squeezed = (avail - MIN_SEG_W * short.length) / longTotal;
    scale = Math.max(squeezed, (3 * MIN_SEG_W) / longest);
  }
  if (!(scale > 0)) scale = (3 * MIN_SEG_W) / longest;
  const segX = new Map<number, number>();
  const segW = new Map<number, number>();
  let x = LABEL_W;
  for (const r of runs) {
    const w = Math.max(MIN_SEG_W, span(r) * scale);
    segX.set(r.id, x);
    segW.set(r.id, w);
    x += w + GAP_W;
  }
  return { segX, segW, scale, width: x - GAP_W + PAD_R };
}

const tickStep = (scale: number) => NICE_STEPS.find((s) => s * scale >= 70) ?? NICE_STEPS.at(-1)!;

/** Renders the timeline SVG (or null when nothing has run). */
export function renderTimelineSvg(t: ReportModel["timeline"]): string | null {
  if (t.runs.length === 0 || t.bars.length === 0) return null;
  const { segX, segW, scale, width } = axisLayout(t.runs);
  const runById = new Map(t.runs.map((r) => [r.id, r]));
  const latest = t.runs.at(-1)!.id;
  const xOf = (runId: number, at: number) => segX.get(runId)! + (at - runById.get(runId)!.start) * scale;

  const order: string[] = [];
  const barsOf = new Map<string, TimelineBar[]>();
  for (const b of t.bars) {
    if (!barsOf.has(b.step)) order.push(b.step);
    (barsOf.get(b.step) ?? barsOf.set(b.step, []).get(b.step)!).push(b);
  }
  const withXfer = new Set(t.transfers.map((x) => x.step));
  const height = HEAD + order.length * ROW_H + 8;
  const out: string[] = [];
  out.push(
    svgOpen(width, height, `Timeline of ${order.length} steps in ${t.runs.length} run(s)`),
    `<defs><pattern id="tl-hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff"/><rect width="2.2" height="5" fill="#1c2733"/></pattern>`,
    `<pattern id="tl-gap" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/><rect width="1" height="8" fill="#d5dbe3"/></pattern></defs>`,
  );
  for (let i = 0; i < order.length; i += 2) out.push(`<rect class="stripe" x="0" y="${HEAD + i * ROW_H}" width="${Math.ceil(width)}" height="${ROW_H}"/>`);

  t.runs.forEach((r, i) => {
    const x = segX.get(r.id)!;
    const w = segW.get(r.id)!;
    const earlier = r.id !== latest;
    out.push(`<rect class="band${earlier ? " earlier" : ""}" x="${x}" y="${HEAD - 4}" width="${w}" height="${height - HEAD}" opacity="0.55"/>`);
    const title = `Run ${r.id}${i > 0 ? " · resumed" : ""} · ${statusLabel(r.status)}`;
    const when = `${fmtWhen(r.startedAt).slice(5, 16)} UTC · ${fmtSecs(r.end - r.start)}`;
    out.push(`<text class="run-title" x="${x + 2}" y="14">${esc(fit(title, Math.floor(w / 6.6)))}<title>${esc(title)}</title></text>`);
    out.push(`<text class="run-sub" x="${x + 2}" y="28">${esc(fit(when, Math.floor(w / 5.8)))}<title>${esc(`started ${fmtWhen(r.startedAt)}`)}</title></text>`);
    const step = tickStep(scale);
    // Why bounded: a degenerate scale must never turn the grid into an endless loop.
    for (let s = 0, n = 0; scale > 0 && s * scale <= w + 1e-6 && n < 200; s += step, n++) {
      const tx = x + s * scale;
      out.push(`<line class="grid" x1="${tx.toFixed(2)}" y1="${HEAD - 8}" x2="${tx.toFixed(2)}" y2="${height - 4}"/>`);
      // NOTE: a label too close to the segment's end would run into the break or the next run.
      if (s * scale + 34 <= w) out.push(`<text class="tick" x="${(tx + 2).toFixed(2)}" y="${HEAD - 12}">${fmtClock(s)}</text>`);
    }
    const next = t.runs[i + 1];
    if (next) {
      const gx = x + w;
      const paused = next.start - r.end;
      out.push(`<rect class="gap" x="${gx + 4}" y="${HEAD - 4}" width="${GAP_W - 8}" height="${height - HEAD}"><title>${esc(`paused ${fmtSecs(paused)} before run ${next.id}`)}</title></rect>`);
      out.push(`<text class="gap-label" x="${gx + GAP_W / 2}" y="${HEAD - 12}" text-anchor="middle">${esc(fmtSecs(paused).replace(" ", ""))}</text>`);
    }
  });

  const xferByRunStep = new Map<string, ReportModel["timeline"]["transfers"]>();
  for (const x of t.transfers) {
    const key = `${x.runId}\u0000${x.step}`;
    (xferByRunStep.get(key) ?? xferByRunStep.set(key, []).get(key)!).push(x);
  }
  const maxChars = Math.floor((LABEL_W - 16) / 6.2);
  order.forEach((step, i) => {
    const y = HEAD + i * ROW_H;
    const bars = barsOf.get(step)!;
    const hasX = withXfer.has(step);
    const failedNow = bars.at(-1)!.result === "failed";
    out.push(`<g class="row" data-step="${esc(step)}">`);
    out.push(`<text class="lbl${hasX ? " has-xfer" : ""}${failedNow ? " failed" : ""}" x="10" y="${y + 13}">${esc(fit(step, maxChars))}<title>${esc(step)}</title></text>`);
    for (const b of bars) {
      const x = xOf(b.runId, b.start);
      const w = Math.max(MIN_BAR_W, (b.end - b.start) * scale);
      const earlier = b.runId !== latest;
      const tip = `${step} — ${RESULT_LABEL[b.result]} in run ${b.runId}, ${fmtSecs(b.end - b.start)}${b.attempts > 1 ? `, ${b.attempts} attempts` : ""}`;
      out.push(
        `<rect class="bar k-${cls(b.kind)} ${cls(b.result)}${earlier ? " earlier" : ""}" data-run="${b.runId}" data-result="${cls(b.result)}" x="${x.toFixed(2)}" y="${y + (ROW_H - BAR_H) / 2}" width="${w.toFixed(2)}" height="${BAR_H}" rx="2"><title>${esc(tip)}</title></rect>`,
      );
      if (b.result === "failed") out.push(`<path class="fail-mark" d="M${(x + w).toFixed(2)},${y + 2} l5,7 l-5,7 z"/>`);
      for (const xf of xferByRunStep.get(`${b.runId}\u0000${step}`) ?? []) {
        const fx = xOf(xf.runId, xf.start);
        const fw = Math.max(MIN_BAR_W, (xf.end - xf.start) * scale);
        const secs = xf.end - xf.start;
        const rate = xf.status === "done" && secs > 0 ? ` at ${(xf.bytes / 1e6 / secs).toFixed(1)} MB/s` : "";
        const tip2 = `${xf.label}: ${fmtBytes(xf.bytes)} ${statusLabel(xf.status)}${rate}`;
        out.push(`<rect class="xfer" x="${fx.toFixed(2)}" y="${y + ROW_H - 7}" width="${fw.toFixed(2)}" height="5"><title>${esc(tip2)}</title></rect>`);
      }
    }
    out.push(`</g>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}
