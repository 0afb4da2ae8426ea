/**
 * A migration killed and resumed many times has many short runs and one long
 * one. The timeline must still render (once this looped for ever: the short
 * runs took all the width and the long run's scale became zero).
 */
import { describe, expect, it } from "vitest";
import { renderTimelineSvg } from "../../src/report/html-timeline.js";
import type { ReportModel } from "../../src/report/model.js";

function timeline(shortRuns: number): ReportModel["timeline"] {
  const runs: ReportModel["timeline"]["runs"] = [];
  const bars: ReportModel["timeline"]["bars"] = [];
  let t = Date.parse("2026-11-23T10:00:00Z");
  for (let i = 1; i <= shortRuns + 1; i++) {
    const long = i === shortRuns + 1;
    const span = long ? 40_000 : 300;
    runs.push({ id: i, kind: "apply", status: long ? "completed" : "interrupted", startedAt: new Date(t).toISOString(), endedAt: new Date(t + span).toISOString(), start: t, end: t + span });
    bars.push({ step: `network/net-${i}`, kind: "network", runId: i, start: t, end: t + span, result: long ? "created" : "interrupted", attempts: 1 } as ReportModel["timeline"]["bars"][number]);
    t += span + 2_000;
  }
  return { runs, bars, transfers: [] } as unknown as ReportModel["timeline"];
}

describe("timeline of a migration resumed many times", () => {
  it.each([3, 12, 40])("renders %i short runs and one long run, every run visible", (n) => {
    const svg = renderTimelineSvg(timeline(n));
    expect(svg).not.toBeNull();
    expect(svg!.match(/class="run-title"/g)).toHaveLength(n + 1);
    const widths = [...svg!.matchAll(/<rect class="band[^"]*" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(n + 1);
    for (const w of widths) expect(w).toBeGreaterThan(0);
    // The long run stays wider than any of the short ones.
    expect(widths.at(-1)!).toBeGreaterThan(Math.max(...widths.slice(0, -1)));
  });
});
