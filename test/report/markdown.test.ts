import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { renderMarkdown } from "../../src/report/markdown.js";
import { buildReportModel, type ReportModel } from "../../src/report/model.js";
import { mdCode, mdText } from "../../src/report/text.js";
import { HOSTILE, openSample } from "./sample.js";

let md: string;
let model: ReportModel;
let sample: ReturnType<typeof openSample>;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  sample = openSample((iso) => vi.setSystemTime(new Date(iso)));
  model = buildReportModel({
    plan: sample.plan,
    state: sample.state,
    now: new Date("2026-03-02T12:00:00Z"),
    verify: { ranAt: "2026-03-02T11:45:00Z", deep: false, findings: [{ step: "server/web-1", severity: "mismatch", field: "flavor", expected: "SCS-2V-4", actual: "SCS-4V-8", message: "flavor differs" }] },
  });
  md = renderMarkdown(model);
});
afterAll(() => {
  sample.cleanup();
  vi.useRealTimers();
});

/** The rows of the table that follows a heading, as arrays of cells (pipes inside cells are escaped). */
function tableAfter(heading: string): string[][] {
  const lines = md.split("\n");
  const start = lines.indexOf(heading);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const first = lines.findIndex((l, i) => i > start && l.startsWith("|"));
  const rows: string[][] = [];
  for (let i = first; i < lines.length && lines[i]!.startsWith("|"); i++) {
    rows.push(lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

const cell = (rows: string[][], key: string, col: number) => rows.find((r) => r[0] === key)?.[col];

describe("renderMarkdown", () => {
  it("leads with a verdict and a summary table with the right values", () => {
    expect(md.startsWith("# Migration report: acme-shop\n")).toBe(true);
    expect(md).toContain("**Partially failed: 13 of 15 steps done, 1 failed, 1 blocked, 1 skipped; 8.0 GiB copied in 2 transfers over 2 runs (resumed).**");
    const t = tableAfter("## Summary");
    expect(cell(t, "Source", 1)).toBe("`acme-shop` on `old-cloud` (RegionOne)");
    expect(cell(t, "Target", 1)).toBe("`acme-shop-new` on `scs-de-1` (de-1)");
    expect(cell(t, "Status", 1)).toBe("**partially failed**");
    expect(cell(t, "Started", 1)).toBe("2026-03-02 09:00:00 UTC");
    expect(cell(t, "Wall time", 1)).toBe("80 s in 2 runs (resumed; 2.5 h from first start to end)");
    expect(cell(t, "Steps", 1)).toBe("16: 12 created, 1 adopted, 1 skipped, 1 failed, 1 blocked");
    expect(cell(t, "Data moved", 1)).toBe("8.0 GiB in 2 transfers (planned 8.0 GiB)");
    expect(cell(t, "Throughput", 1)).toBe("average 209.5 MB/s, peak 268.4 MB/s");
    expect(cell(t, "Verify", 1)).toContain("failed (1 mismatch, 0 missing, 0 warning");
  });

  it("has the floating IP table old → new", () => {
    const t = tableAfter("## Floating IPs (DNS must change)");
    expect(t[0]).toEqual(["Old address", "New address", "Fixed IP", "Port", "Result"]);
    expect(t).toContainEqual(["`203.0.113.10`", "`198.51.100.23`", "`10.0.0.11`", "`port/web-1`", "created"]);
    expect(t).toContainEqual(["`203.0.113.11`", "— (not allocated)", "`10.0.0.12`", "`port/db-1`", "blocked"]);
  });

  it("has the resource mapping table with ids, results, times and attempts", () => {
    const t = tableAfter("## Resources (source → target)");
    expect(t).toHaveLength(2 + 16);
    expect(t).toContainEqual(["`security-group/web`", "adopt", "adopted", "`src-web`", "`t-sg-web`", "1.0 s", "1"]);
    expect(t).toContainEqual(["`server/db-1`", "create", "failed", "`src-db-1`", "", "13 s", "2"]);
    expect(t).toContainEqual(["`image/Ubuntu 24.04`", "skip (standard image exists on the target)", "skipped", "`src-Ubuntu 24.04`", "", "", ""]);
  });

  it("has the failures, mappings, timings and transfers", () => {
    expect(cell(tableAfter("## Failures"), "`server/db-1`", 3)).toBe("server/db-1: quota exceeded for cores: requested 8, available 4 (HTTP 403, request req-4711)");
    expect(tableAfter("## Mappings")).toContainEqual(["flavor", "`m1.small`", "`SCS-2V-4`"]);
    expect(tableAfter("## Timings")).toContainEqual(["`server`", "3", "2 min", "45 s"]);
    expect(md).toContain("Slowest 14 steps:");
    const x = tableAfter("## Transfers");
    expect(x).toContainEqual(["`image/shop-golden`", "image shop-golden", "2.0 GiB", "20 s", "107.4 MB/s", "equal", "done"]);
    expect(x).toContainEqual(["`volume/db-data`", "volume db-data", "6.0 GiB", "40 s", "161.1 MB/s", "equal", "done"]);
    expect(x).toContainEqual(["`image/shop-golden`", "image shop-golden", "0 B", "—", "—", "not compared", "interrupted"]);
    expect(tableAfter("## Verify findings")[2]).toEqual(["`server/web-1`", "mismatch", "`flavor`", "`SCS-2V-4`", "`SCS-4V-8`", "flavor differs"]);
    expect(tableAfter("## Runs")).toContainEqual(["1", "apply", "interrupted", "2026-03-02 09:00:00 UTC", "2026-03-02 09:00:10 UTC", "10 s", "yes"]);
  });

  it("keeps every table row as wide as its header", () => {
    const lines = md.split("\n");
    let width = 0;
    for (const [i, line] of lines.entries()) {
      if (!line.startsWith("|")) {
        width = 0;
        continue;
      }
      const cells = line.slice(1, -1).split(/(?<!\\)\|/).length;
      if (width === 0) width = cells;
      expect(cells, `line ${i + 1}: ${line}`).toBe(width);
    }
  });

  it("shows hostile names only inside code spans and escapes HTML in free text", () => {
    expect(md).toContain(mdCode(HOSTILE));
    expect(md).toContain("flavor \\<img src=x onerror=alert(2)\\> \\| replaced");
    const outsideCode = md.replace(/(`+)[\s\S]*?\1/g, "");
    expect(outsideCode).not.toMatch(/(?<!\\)</);
  });
});

describe("Markdown escaping", () => {
  it.each([
    ["a|b", "a\\|b"],
    ["<b>x</b>", "\\<b\\>x\\</b\\>"],
    ["snake_case_id", "snake_case_id"],
    ["_lead and trail_", "\\_lead and trail\\_"],
    ["[link](x) *em*", "\\[link\\](x) \\*em\\*"],
    ["line\nbreak", "line break"],
  ])("mdText(%j) = %j", (input, expected) => expect(mdText(input)).toBe(expected));

  it("makes code spans that survive backticks and pipes", () => {
    expect(mdCode("a`b")).toBe("`` a`b ``");
    expect(mdCode("x|y")).toBe("`x\\|y`");
    expect(mdCode("")).toBe("");
  });
});
