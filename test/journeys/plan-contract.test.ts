/**
 * The plan is the contract: a migration planned with live cutover is applied
 * live or not at all. `apply --cutover cold` is refused with the usage exit
 * code and a hint to plan again, before anything is opened: nothing on the
 * target, no state, no lock. `--cutover live` (the plan's) is accepted, and
 * `apply` without it applies the plan's. What each run did (its cutover and
 * concurrency) is in `status`, `status --json` and the report.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { JOURNEY_TIMEOUT_MS, projectPicture } from "../helpers/journey.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let e: SimEnv;

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src", "fixtures/tenants/small.yaml");
  const plan = await runCli(["plan", "--from", "src", "--to", "dst", "--name", "live1", "--cutover", "live", "-q"], e.env);
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
}, JOURNEY_TIMEOUT_MS);
afterAll(async () => {
  await e?.close();
});

interface StatusJson {
  runs: { id: number; kind: string; options: Record<string, unknown>; settings: Record<string, unknown> }[];
  lock: unknown;
}

describe("apply keeps to the plan's cutover", () => {
  it("refuses a cutover other than the plan's: usage exit code, a hint, nothing created, no lock", async () => {
    const before = projectPicture(await e.inventory("dst"));
    const r = await runCli(["apply", "live1", "--cutover", "cold", "--poll-ms", "10"], e.env);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.USAGE);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^scs-migrate: --cutover cold differs from the plan's cutover \(live\)/);
    expect(r.stderr).toMatch(/^hint: .*plan again with --cutover cold/m);
    expect(projectPicture(await e.inventory("dst"))).toEqual(before);
    expect(existsSync(join(e.plans, "live1", "state.db")), "no state opened for a refused apply").toBe(false);
  }, JOURNEY_TIMEOUT_MS);

  it("accepts the plan's cutover, records it with the run options, and status and the report show them", async () => {
    const r = await runCli(["apply", "live1", "--cutover", "live", "--api-concurrency", "5", "--poll-ms", "10"], e.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Without --cutover the plan's applies (the completed migration just resumes).
    const again = await runCli(["apply", "live1", "--poll-ms", "10"], e.env);
    expect(again.code, again.stdout + again.stderr).toBe(0);

    const json = JSON.parse((await runCli(["status", "live1", "--json"], e.env)).stdout) as StatusJson;
    expect(json.lock).toBeNull();
    const applies = json.runs.filter((x) => x.kind === "apply");
    expect(applies).toHaveLength(2);
    expect(applies[0]!.options).toMatchObject({ cutover: "live", apiConcurrency: 5, copyConcurrency: 2, stepAttempts: 6, driftCheck: true });
    expect(applies[0]!.settings).toMatchObject({ cutover: "live", apiConcurrency: 5, copyConcurrency: 2, stepAttempts: 6 });
    expect(applies[1]!.options).toMatchObject({ cutover: "live", apiConcurrency: 8 });

    const text = (await runCli(["status", "live1"], e.env)).stdout;
    expect(text).toMatch(/^ {2}run 1: apply completed, started \S+; live cutover, API concurrency 5, copy concurrency 2, 6 attempts per step$/m);
    expect(text).toMatch(/^ {2}run 2: apply completed, .*; live cutover, API concurrency 8,/m);

    const md = readFileSync(join(e.plans, "live1", "report.md"), "utf8");
    expect(md).toMatch(/^\| Cutover \| live \(/m);
    expect(md).toContain("- Run 1 (apply): live cutover, API concurrency 5, copy concurrency 2, 6 attempts per step");
    const html = readFileSync(join(e.plans, "live1", "report.html"), "utf8");
    expect(html).toContain("<td>live cutover, API concurrency 5, copy concurrency 2, 6 attempts per step</td>");
    const model = JSON.parse(readFileSync(join(e.plans, "live1", "report.json"), "utf8")) as { summary: { cutover: string }; runs: { settings: { cutover: string } }[] };
    expect(model.summary.cutover).toBe("live");
    expect(model.runs.map((x) => x.settings.cutover)).toEqual(["live", "live"]);
  }, JOURNEY_TIMEOUT_MS);
});
