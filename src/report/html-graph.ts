/**
 * The dependency graph as an inline SVG: one column per wave, one box per step
 * (filled by its result), one curve per dependency. Inside a column, steps
 * are ordered by the mean position of what they depend on (one barycentre
 * pass, left to right), which untangles most edges of real plans at no cost;
 * the first column is ordered by kind. Sizes are fixed, so a plan of 1,000+
 * steps gives a tall picture that scrolls rather than an unreadable small one.
 */
import { KINDS } from "../kinds/index.js";
import type { ReportModel } from "./model.js";
import { esc, RESULT_LABEL, stepName } from "./text.js";

const NODE_W = 176;
const NODE_H = 34;
const COL_GAP = 52;
const ROW_GAP = 8;
const PAD = 14;
const HEAD = 30;
const CHAR_W = 6.5;

/** A CSS class fragment from a kind or result (which the schema restricts anyway). */
export const cls = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, "");

/** Widest picture that is shrunk to the page width rather than scrolled (keeps ~6 waves readable). */
const SHRINK_MAX_W = 1500;

/** The opening tag of an inline SVG: shrinks to the page when moderately wide, scrolls when huge. */
export function svgOpen(width: number, height: number, label: string): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  const fitStyle = w <= SHRINK_MAX_W ? ` style="width:100%;max-width:${w}px;height:auto"` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"${fitStyle} role="img" aria-label="${esc(label)}">`;
}

/** Cuts text to fit `max` characters, marking the cut. */
export const fit = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`);

const kindRank = (k: string) => {
  const i = KINDS.findIndex((x) => x.kind === k);
  return i < 0 ? KINDS.length : i;
};

/** Node positions: column per wave, rows ordered by barycentre of dependencies. */
export function layoutGraph(graph: ReportModel["graph"]): { pos: Map<string, { x: number; y: number }>; width: number; height: number } {
  const kindOf = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const deps = new Map<string, string[]>();
  for (const e of graph.edges) (deps.get(e.to) ?? deps.set(e.to, []).get(e.to)!).push(e.from);
  const row = new Map<string, number>();
  const pos = new Map<string, { x: number; y: number }>();
  let maxRows = 0;
  graph.waves.forEach((wave, col) => {
    const keyed = wave.map((id) => {
      const ys = (deps.get(id) ?? []).map((d) => row.get(d)).filter((y): y is number => y !== undefined);
      const bary = ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.POSITIVE_INFINITY;
      return { id, bary, rank: kindRank(kindOf.get(id) ?? "") };
    });
    keyed.sort((a, b) => (col === 0 ? 0 : a.bary - b.bary) || a.rank - b.rank || a.id.localeCompare(b.id, "en", { numeric: true }));
    // Why: rows are re-numbered to 0..n-1 so that the next column's barycentres use visual order, not gaps.
    keyed.forEach((k, i) => {
      row.set(k.id, i);
      pos.set(k.id, { x: PAD + col * (NODE_W + COL_GAP), y: HEAD + PAD + i * (NODE_H + ROW_GAP) });
    });
    maxRows = Math.max(maxRows, wave.length);
  });
  const cols = Math.max(1, graph.waves.length);
  return { pos, width: PAD * 2 + cols * NODE_W + (cols - 1) * COL_GAP, height: HEAD + PAD * 2 + Math.max(1, maxRows) * (NODE_H + ROW_GAP) - ROW_GAP };
}

/** Renders the graph SVG. */
export function renderGraphSvg(graph: ReportModel["graph"]): string {
  const { pos, width, height } = layoutGraph(graph);
  const resultOf = new Map(graph.nodes.map((n) => [n.id, n.result]));
  const out: string[] = [];
  out.push(
    svgOpen(width, height, `Dependency graph of ${graph.nodes.length} steps in ${graph.waves.length} waves`),
    `<defs><marker id="g-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#9aa6b4"/></marker></defs>`,
  );
  graph.waves.forEach((wave, col) => {
    const x = PAD + col * (NODE_W + COL_GAP);
    out.push(`<rect class="col" x="${x - 6}" y="${HEAD - 4}" width="${NODE_W + 12}" height="${height - HEAD}" rx="8"/>`);
    out.push(`<text class="wave-label" x="${x}" y="${HEAD - 12}">Wave ${col + 1} · ${wave.length} ${wave.length === 1 ? "step" : "steps"}</text>`);
  });
  out.push(`<g class="edges">`);
  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x - 2;
    const y2 = b.y + NODE_H / 2;
    const dx = Math.max(24, (x2 - x1) / 2);
    const fromResult = resultOf.get(e.from);
    const bad = (fromResult === "failed" || fromResult === "blocked") && resultOf.get(e.to) === "blocked";
    out.push(
      `<path class="edge${bad ? " bad" : ""}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}" marker-end="url(#g-arrow)"/>`,
    );
  }
  out.push(`</g><g class="nodes">`);
  const maxChars = Math.floor((NODE_W - 26) / CHAR_W);
  for (const n of graph.nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    out.push(
      `<g class="node r-${cls(n.result)}" data-step="${esc(n.id)}" data-result="${cls(n.result)}" transform="translate(${p.x},${p.y})">`,
      `<title>${esc(n.id)} — ${esc(n.action)}, ${RESULT_LABEL[n.result]}</title>`,
      `<rect class="box" width="${NODE_W}" height="${NODE_H}" rx="6"/>`,
      `<circle class="dot" cx="${NODE_W - 11}" cy="11" r="4"/>`,
      `<text class="k" x="9" y="13">${esc(n.kind)}${n.action === "create" ? "" : ` · ${esc(n.action)}`}</text>`,
      `<text class="n" x="9" y="27">${esc(fit(stepName(n.id), maxChars))}</text>`,
      `</g>`,
    );
  }
  out.push(`</g></svg>`);
  return out.join("\n");
}
