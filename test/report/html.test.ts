import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { StateStore } from "../../src/executor/state.js";
import { registerSecret } from "../../src/log.js";
import { renderHtml } from "../../src/report/html.js";
import { layoutGraph } from "../../src/report/html-graph.js";
import { buildReportModel, type ReportModel } from "../../src/report/model.js";
import { writeReport } from "../../src/report/write.js";
import { HOSTILE, largePlan, openSample } from "./sample.js";

let sample: ReturnType<typeof openSample>;
let model: ReportModel;
let html: string;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  sample = openSample((iso) => vi.setSystemTime(new Date(iso)));
  vi.useRealTimers();
  model = buildReportModel({ plan: sample.plan, state: sample.state, now: new Date("2026-03-02T12:00:00Z") });
  html = renderHtml(model);
});
afterAll(() => sample.cleanup());

const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** The markup of the card section with this id. */
function sectionOf(page: string, id: string): string {
  const start = page.indexOf(`<section class="card" id="${id}">`);
  expect(start, `section #${id}`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf("</section>", start));
}

const dataSteps = (markup: string) => [...markup.matchAll(/data-step="([^"]*)"/g)].map((m) => unescape(m[1]!));

describe("renderHtml", () => {
  it("has the sections the page promises, with stable ids", () => {
    for (const id of ["summary", "floating-ips", "failures", "graph", "timeline", "transfers", "timings", "resources", "mappings", "findings", "runs"]) sectionOf(html, id);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain("<title>Migration report: acme-shop</title>");
  });

  it("draws one graph node per step", () => {
    const graph = sectionOf(html, "graph");
    expect(graph).toContain("<svg");
    expect(dataSteps(graph).sort()).toEqual(Object.keys(sample.plan.steps).sort());
    expect(graph.match(/<path class="edge/g)).toHaveLength(18);
  });

  it("draws one timeline row per executed step, every bar with a positive width", () => {
    const timeline = sectionOf(html, "timeline");
    const executed = [...new Set(model.timeline.bars.map((b) => b.step))];
    expect(dataSteps(timeline).sort()).toEqual(executed.sort());
    const widths = [...timeline.matchAll(/<rect class="bar [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(model.timeline.bars.length);
    for (const w of widths) expect(w).toBeGreaterThan(0);
    expect(timeline.match(/class="xfer"/g)).toHaveLength(3);
  });

  it("shows old and new floating IP addresses side by side", () => {
    const fips = sectionOf(html, "floating-ips");
    expect(fips).toMatch(/203\.0\.113\.10<\/td><td>→<\/td><td class="addr mono to new">198\.51\.100\.23</);
    expect(fips).toContain("203.0.113.11");
    expect(fips).toContain("not allocated");
  });

  it("escapes user data: a step named <script> yields no script element", () => {
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;_script&gt;");
    expect(dataSteps(sectionOf(html, "resources"))).toContain(HOSTILE);
  });

  it("loads nothing from anywhere: only data: URIs, no imports, a CSP naming the one script", () => {
    const refs = [...html.matchAll(/\b(?:src|href|xlink:href|action)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
    for (const r of refs) expect(r).toMatch(/^data:/);
    expect(html).not.toMatch(/@import|url\((?!#)/i);
    for (const m of html.matchAll(/https?:\/\/[^\s"'<)]+/g)) expect(m[0]).toBe("http://www.w3.org/2000/svg");
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = createHash("sha256").update(script).digest("base64");
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain("default-src 'none'");
  });

  it("never shows a registered secret", () => {
    sample.state.markFailed("server/db-1", "token Kq77-html-secret-value rejected");
    registerSecret("Kq77-html-secret-value");
    const page = renderHtml(buildReportModel({ plan: sample.plan, state: sample.state, now: new Date() }));
    expect(page).not.toContain("Kq77-html-secret-value");
    expect(sectionOf(page, "failures")).toContain("token *** rejected");
  });
});

describe("renderHtml for a large plan that has not run", () => {
  it("renders every node without overlaps and every edge left to right", () => {
    const dir = mkdtempSync(join(tmpdir(), "smig-report-large-"));
    const state = StateStore.open(join(dir, "state.db"));
    const m = buildReportModel({ plan: largePlan(), state, now: new Date() });
    state.close();
    rmSync(dir, { recursive: true, force: true });
    const page = renderHtml(m);
    expect(dataSteps(sectionOf(page, "graph"))).toHaveLength(1200);
    expect(sectionOf(page, "timeline")).toContain("No step has run yet.");
    expect(m.summary).toMatchObject({ status: "not_run", runs: 0, wallSeconds: null });
    expect(m.summary.steps.byResult.pending).toBe(1200);
    const { pos, width, height } = layoutGraph(m.graph);
    const seen = new Set<string>();
    for (const p of pos.values()) {
      const key = `${p.x},${p.y}`;
      expect(seen.has(key), `two nodes at ${key}`).toBe(false);
      seen.add(key);
      expect(p.x).toBeLessThan(width);
      expect(p.y).toBeLessThan(height);
    }
    for (const e of m.graph.edges) expect(pos.get(e.from)!.x, `${e.from} → ${e.to}`).toBeLessThan(pos.get(e.to)!.x);
  });
});

describe("writeReport", () => {
  it("writes report.md, report.html and report.json, and the JSON is the model", () => {
    const paths = writeReport(sample.dir, model);
    expect(paths).toEqual({ markdown: `${sample.dir}/report.md`, html: `${sample.dir}/report.html`, json: `${sample.dir}/report.json` });
    for (const p of Object.values(paths)) expect(existsSync(p)).toBe(true);
    expect(JSON.parse(readFileSync(paths.json, "utf8"))).toEqual(model);
    expect(readFileSync(paths.html, "utf8")).toBe(renderHtml(model));
    expect(readFileSync(paths.markdown, "utf8")).toContain("# Migration report: acme-shop");
  });
});
