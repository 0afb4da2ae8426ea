/**
 * A run's settings as `status` and the reports show them: what an apply run
 * records now, what older state files recorded (null for "the default", or
 * nothing at all), and verify and rollback runs.
 */
import { describe, expect, it } from "vitest";
import { describeRunSettings, runSettings } from "../../src/report/run-settings.js";

const line = (options: Record<string, unknown>) => describeRunSettings(runSettings({ options }));

describe("run settings", () => {
  it("an apply run: cutover, concurrency, attempts; drift check only when it was off", () => {
    const options = { cutover: "live", apiConcurrency: 4, copyConcurrency: 1, stepAttempts: 3, pollMs: 1000, waitTimeoutMs: 3_600_000, driftCheck: true };
    expect(runSettings({ options })).toEqual({ cutover: "live", apiConcurrency: 4, copyConcurrency: 1, stepAttempts: 3, concurrency: null, deep: null, driftCheck: true });
    expect(line(options)).toBe("live cutover, API concurrency 4, copy concurrency 1, 3 attempts per step");
    expect(line({ ...options, driftCheck: false })).toBe("live cutover, API concurrency 4, copy concurrency 1, 3 attempts per step, source not checked for drift");
  });

  it("an apply run of an older state file: what it recorded, nothing invented", () => {
    expect(line({ cutover: "cold", pollMs: 1000, waitTimeoutMs: 3_600_000, apiConcurrency: null, copyConcurrency: null })).toBe("cold cutover");
    expect(line({})).toBe("");
    expect(runSettings({ options: { cutover: "warm" } }).cutover).toBeNull();
  });

  it("verify and rollback runs", () => {
    expect(line({ deep: true, concurrency: 8 })).toBe("deep (volume data compared), concurrency 8");
    expect(line({ deep: false })).toBe("not deep");
    expect(line({ concurrency: 6 })).toBe("concurrency 6");
  });
});
