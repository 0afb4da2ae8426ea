/**
 * A migration through a bad network: 10 % of API requests answered with real
 * 500/503 errors, connection resets, and image downloads cut off mid-stream,
 * on both clouds. The migration must complete with nothing lost: every
 * resource present once and all data equal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { seed, startSimEnv, volumeMd5, type SimEnv } from "../helpers/sim-env.js";
import { tenantView } from "../helpers/tenant-view.js";

let e: SimEnv;

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src");
});
afterAll(async () => {
  await e?.close();
});

describe("faults", () => {
  it("completes with nothing lost under 10 % errors, resets and truncated streams", async () => {
    const before = tenantView(await e.inventory("src"), volumeMd5(e, "src"));
    expect((await runCli(["plan", "--from", "src", "--to", "dst", "--name", "f1", "-q"], e.env)).code).toBe(0);
    const faults = { errorRate: 0.1, resetRate: 0.05, truncateRate: 0.3, seed: 42 };
    e.sim.cloud("src").setFaults(faults);
    e.sim.cloud("dst").setFaults({ ...faults, seed: 7 });
    const r = await runCli(["apply", "f1", "--poll-ms", "5"], e.env);
    const runs = [r];
    e.sim.cloud("src").setFaults({});
    e.sim.cloud("dst").setFaults({});
    expect(r.code, runs.map((x) => x.stdout + x.stderr).join("\n---\n")).toBe(0);
    // The faults really happened: the executor retried.
    expect(runs.map((x) => x.stderr + x.stdout).join("\n")).toMatch(/retrying|attempt/);

    const after = tenantView(await e.inventory("dst"), volumeMd5(e, "dst"));
    for (const k of ["keypairs", "networks", "subnets", "routers", "security_groups", "server_groups", "volumes", "floating_ips"] as const) {
      expect(after[k], k).toEqual(before[k]);
    }
    expect(after.images["app-image"]).toEqual(before.images["app-image"]);
    expect(Object.keys(after.servers).sort()).toEqual(Object.keys(before.servers).sort());
    for (const s of Object.values(after.servers)) expect(s.status).toBe("ACTIVE");
    const v = await runCli(["verify", "f1", "--deep", "--poll-ms", "5"], e.env);
    expect(v.code, v.stdout).toBe(0);
  });
});
