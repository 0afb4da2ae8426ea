/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, opening report.html from a file:// URL as a person would.
 * It checks what a reader sees (graph, timeline, the DNS table, a working
 * filter), that nothing is fetched besides the file, and that the inline
 * script runs under the page's own Content-Security-Policy.
 *
 * A second page holds a 1,200-step report: it must still render, scrollable.
 *
 * Without /usr/bin/chromium the test is skipped with a message, except in CI
 * (CI=true), where a missing browser is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildReportModel } from "../../src/report/model.js";
import { writeReport } from "../../src/report/write.js";
import { largePlan, openSample, writeLargeState } from "./sample.js";
import { StateStore } from "../../src/executor/state.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

if (!HAVE_CHROMIUM && process.env.CI !== "true") {
  console.warn(`html-browser.test.ts: skipped, ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

describe.runIf(!HAVE_CHROMIUM && process.env.CI === "true")("report.html in Chromium (CI)", () => {
  it("needs Chromium at /usr/bin/chromium", () => {
    throw new Error(`${CHROMIUM} is missing; CI must install Debian's chromium package to run the browser test`);
  });
});

describe.runIf(HAVE_CHROMIUM)("report.html in headless Chromium", () => {
  let sample: ReturnType<typeof openSample>;
  let work: string;
  let context: BrowserContext;
  let page: Page;
  let fileUrl: string;
  const requests: string[] = [];
  const problems: string[] = [];
  const dialogs: string[] = [];
  let stepCount = 0;
  let executedCount = 0;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    sample = openSample((iso) => vi.setSystemTime(new Date(iso)));
    vi.useRealTimers();
    const model = buildReportModel({ plan: sample.plan, state: sample.state, now: new Date("2026-03-02T12:00:00Z") });
    stepCount = model.graph.nodes.length;
    executedCount = new Set(model.timeline.bars.map((b) => b.step)).size;
    const paths = writeReport(sample.dir, model);
    fileUrl = pathToFileURL(paths.html).href;
    work = mkdtempSync(join(tmpdir(), "smig-chromium-"));
    // Why: a persistent context on a fresh folder is the documented way to give Chromium its own user data dir.
    context = await chromium.launchPersistentContext(join(work, "profile"), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 900 } });
    context.on("request", (r) => requests.push(r.url()));
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(fileUrl, { waitUntil: "load" });
  });

  afterAll(async () => {
    await context?.close();
    sample?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("renders without console errors, dialogs or any request besides the file", async () => {
    await page.waitForLoadState("networkidle");
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([fileUrl]);
    expect(await page.title()).toBe("Migration report: acme-shop");
    expect(await page.locator("script").count()).toBe(1);
  });

  it("draws the dependency graph: one visible node per step", async () => {
    await expect.poll(() => page.locator("#graph svg").count()).toBe(1);
    const boxes = await page.$$eval("#graph svg [data-step]", (els) => els.map((e) => ({ id: e.getAttribute("data-step"), ...e.getBoundingClientRect().toJSON() })));
    expect(boxes).toHaveLength(stepCount);
    expect(new Set(boxes.map((b) => b.id)).size).toBe(stepCount);
    for (const b of boxes) {
      expect(b.width, `${b.id} width`).toBeGreaterThan(20);
      expect(b.height, `${b.id} height`).toBeGreaterThan(10);
    }
    expect(boxes.map((b) => b.id)).toContain("server/<script>alert(1)<_script>");
  });

  it("highlights a node's edges when pointed at (the inline script runs under the CSP)", async () => {
    await page.locator('#graph svg [data-step="server/db-1"]').hover();
    const lit = await page.$$eval("#graph svg .edge.hl", (els) => els.map((e) => `${e.getAttribute("data-from")} → ${e.getAttribute("data-to")}`));
    expect(lit.sort()).toEqual(["keypair/deploy → server/db-1", "port/db-1 → server/db-1", "server/db-1 → floating-ip/203.0.113.11", "volume/db-data → server/db-1"]);
  });

  it("draws the timeline: a row per executed step and bars of non-zero width", async () => {
    const rows = await page.$$eval("#timeline svg [data-step]", (els) =>
      els.map((e) => ({ id: e.getAttribute("data-step"), bars: [...e.querySelectorAll("rect.bar")].map((b) => b.getBoundingClientRect().width) })),
    );
    expect(rows).toHaveLength(executedCount);
    for (const r of rows) {
      expect(r.bars.length, `${r.id} bars`).toBeGreaterThan(0);
      for (const w of r.bars) expect(w, `${r.id} bar width`).toBeGreaterThan(0);
    }
    expect(rows.find((r) => r.id === "image/shop-golden")!.bars).toHaveLength(2);
    const xfers = await page.$$eval("#timeline svg rect.xfer", (els) => els.map((e) => e.getBoundingClientRect().width));
    expect(xfers).toHaveLength(3); // two finished copies and the one cut off by the kill in run 1
    for (const w of xfers) expect(w).toBeGreaterThan(0);
  });

  it("shows the floating IP table with old and new addresses in one row", async () => {
    const row = page.locator('#floating-ips tr[data-step="floating-ip/203.0.113.10"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator("td.old").innerText()).toBe("203.0.113.10");
    expect(await row.locator("td.new").innerText()).toBe("198.51.100.23");
    expect(await page.locator("#floating-ips").innerText()).toContain("203.0.113.11");
    expect(await page.locator("#summary").isVisible()).toBe(true);
  });

  it("filters the resource table as the reader types", async () => {
    const all = await page.locator("#resources tbody tr").count();
    expect(all).toBe(stepCount);
    await page.locator("#resource-filter").fill("db-1");
    const visible = await page.$$eval("#resources tbody tr", (trs) => trs.filter((t) => !(t as unknown as { hidden: boolean }).hidden).map((t) => t.getAttribute("data-step")));
    expect(visible.sort()).toEqual(["floating-ip/203.0.113.11", "port/db-1", "server/db-1"]); // the blocked IP names server/db-1 in its error
    await page.locator("#resource-filter").fill("");
    expect(await page.$$eval("#resources tbody tr", (trs) => trs.filter((t) => !(t as unknown as { hidden: boolean }).hidden).length)).toBe(all);
  });

  it("still renders a report of 1,200 executed steps", async () => {
    const dir = join(work, "large");
    mkdirSync(dir);
    const state = StateStore.open(join(dir, "state.db"));
    const plan = largePlan();
    vi.useFakeTimers({ toFake: ["Date"] });
    writeLargeState(state, plan, (iso) => vi.setSystemTime(new Date(iso)));
    vi.useRealTimers();
    const paths = writeReport(dir, buildReportModel({ plan, state, now: new Date("2026-03-05T09:00:00Z") }));
    state.close();
    const big = await context.newPage();
    const errors: string[] = [];
    big.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    big.on("pageerror", (e) => errors.push(e.message));
    await big.goto(pathToFileURL(paths.html).href, { waitUntil: "load" });
    const nodes = await big.$$eval("#graph svg [data-step]", (els) => els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0).length);
    expect(nodes).toBe(1200);
    const bars = await big.$$eval("#timeline svg [data-step] rect.bar", (els) => els.map((e) => e.getBoundingClientRect().width).filter((w) => w > 0).length);
    expect(bars).toBe(1200);
    // The figures scroll inside their cards instead of stretching the page.
    const graphBox = await big.locator("#graph .figure").boundingBox();
    expect(graphBox!.height).toBeLessThan(900);
    expect(await big.locator("#graph .figure").evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
    expect(errors).toEqual([]);
    await big.close();
  });

  it("takes a non-trivial full-page screenshot", async () => {
    const png = join(work, "report.png");
    await page.screenshot({ path: png, fullPage: true });
    const buf = readFileSync(png);
    expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(buf.subarray(12, 16).toString("latin1")).toBe("IHDR");
    const width = buf.readUInt32BE(16);
    const height = buf.readUInt32BE(20);
    expect(width).toBe(1400);
    expect(height).toBeGreaterThan(2500);
    expect(statSync(png).size).toBeGreaterThan(50_000);
  });
});
