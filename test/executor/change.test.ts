/** The structural diff behind drift details: readable paths, list members, and a bound per resource. */
import { describe, expect, it } from "vitest";
import { describeChange, diffValues, MAX_CHANGE_LINES } from "../../src/executor/change.js";

describe("describeChange", () => {
  it("names nested fields by path and plain list members by value", () => {
    const out: string[] = [];
    diffValues({ pools: [{ start: "a", end: "b" }], dns: ["1.1.1.1"] }, { pools: [{ start: "a", end: "c" }], dns: ["9.9.9.9"] }, "", out);
    expect(out).toEqual(["dns: 1.1.1.1 removed", "dns: 9.9.9.9 added", "pools[0].end changed from b to c"]);
  });

  it("ignores volatile fields and stops after a bounded number of lines", () => {
    const before = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, i]));
    const after = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, i + 1]));
    const lines = describeChange(undefined, { ...before, status: "ACTIVE" }, { ...after, status: "SHUTOFF" });
    expect(lines).toHaveLength(MAX_CHANGE_LINES + 1);
    expect(lines.at(-1)).toBe(`… and ${10 - MAX_CHANGE_LINES} more`);
    expect(lines.join("\n")).not.toMatch(/status/);
  });
});
