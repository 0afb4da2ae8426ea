/**
 * The disaster-recovery drill as a scheduled job runs it: `drill --json` on
 * healthy clouds passes, reports a recovery time and the age of the copied
 * data (on stdout and in drill.json), and leaves the target as it found it;
 * `--keep` leaves the copy for inspection; a server that cannot be built on
 * the target fails the drill with exit 13, a summary naming the failed phase
 * and step, and still a clean target.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DrillSummary } from "../../src/journeys/drill.js";
import { EXIT } from "../../src/errors.js";
import type { Inventory } from "../../src/model/inventory.js";
import { runCli } from "../helpers/cli.js";
import { JOURNEY_TIMEOUT_MS, namesOf, projectPicture } from "../helpers/journey.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let e: SimEnv;
let before: Inventory;

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src");
  before = await e.inventory("dst");
}, JOURNEY_TIMEOUT_MS);
afterAll(async () => {
  await e?.close();
});

const drill = (name: string, extra: string[] = []) => runCli(["drill", "--from", "src", "--to", "dst", "--name", name, "--json", "--poll-ms", "10", ...extra], e.env);

/** The summary on stdout, which must be the same as drill.json in the migration folder. */
function summaryOf(name: string, stdout: string): DrillSummary {
  const printed = JSON.parse(stdout) as DrillSummary;
  const file = join(e.plans, name, "drill.json");
  expect(existsSync(file), "drill.json").toBe(true);
  expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(printed);
  return printed;
}

describe("drill", () => {
  it("passes on healthy clouds, measures recovery time and data age, and rolls back", async () => {
    const r = await drill("d1");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const s = summaryOf("d1", r.stdout);
    expect(s.status).toBe("passed");
    expect(s.failedPhase).toBeNull();
    expect(s.errors).toEqual([]);
    expect(typeof s.recoveryTimeSeconds).toBe("number");
    expect(s.recoveryTimeSeconds!).toBeGreaterThan(0);
    expect(typeof s.dataAgeSeconds).toBe("number");
    expect(s.dataAgeSeconds!).toBeGreaterThan(0);
    // The data cannot be older than the drill itself.
    expect(s.dataAgeSeconds!).toBeLessThanOrEqual(s.recoveryTimeSeconds!);
    expect(s.bytesCopied).toBeGreaterThan(0);
    expect(s.verify).toMatchObject({ ok: true, findings: 0 });
    expect(s.verify!.checked).toBeGreaterThan(0);
    expect(s.kept).toBe(false);
    expect(s.rollback).toMatchObject({ failed: 0 });
    expect(s.rollback!.removed).toBeGreaterThan(0);
    expect(s.report && existsSync(s.report), "the HTML report of the drill").toBeTruthy();
    expect(Object.keys(s.phases).sort()).toEqual(["apply", "plan", "report", "rollback", "verify"]);
    expect(Object.values(s.phases).every((p) => p.ok)).toBe(true);

    const after = await e.inventory("dst");
    expect(namesOf(after.servers)).toEqual([]);
    expect(projectPicture(after)).toEqual(projectPicture(before));
  }, JOURNEY_TIMEOUT_MS);

  it("with --keep leaves the verified copy on the target", async () => {
    const r = await drill("d2", ["--keep"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const s = summaryOf("d2", r.stdout);
    expect(s.status).toBe("passed");
    expect(s.kept).toBe(true);
    expect(s.rollback).toBeNull();
    expect(s.phases.rollback).toBeUndefined();
    expect(namesOf((await e.inventory("dst")).servers)).toEqual(["app-1", "db-1", "web-1", "web-2"]);

    const rb = await runCli(["rollback", "d2", "--yes", "--poll-ms", "10"], e.env);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(projectPicture(await e.inventory("dst"))).toEqual(projectPicture(before));
  }, JOURNEY_TIMEOUT_MS);

  it("fails with exit 13 when a server cannot be built, says where, and still cleans up", async () => {
    e.sim.cloud("dst").setFaults({ failServerBuild: ["web-1"] });
    let r;
    try {
      r = await drill("d3");
    } finally {
      e.sim.cloud("dst").setFaults({});
    }
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.DRILL_FAILED);
    const s = summaryOf("d3", r.stdout);
    expect(s.status).toBe("failed");
    expect(s.failedPhase).toBe("apply");
    expect(s.phases.apply?.ok).toBe(false);
    expect(s.errors.some((x) => x.startsWith("apply: ") && x.includes("server/web-1")), s.errors.join("\n")).toBe(true);
    expect(s.recoveryTimeSeconds).toBeNull();
    // The partial copy was rolled back.
    expect(s.rollback).toMatchObject({ failed: 0 });
    const after = await e.inventory("dst");
    expect(namesOf(after.servers)).toEqual([]);
    expect(projectPicture(after)).toEqual(projectPicture(before));
  }, JOURNEY_TIMEOUT_MS);
});
