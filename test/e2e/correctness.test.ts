/**
 * Correctness of what a migration carries and says, through the built CLI
 * against two simulated clouds seeded with the small tenant: address pairs
 * that follow the new port's MAC, verify of every port attribute the plan
 * carries, a second generation after rollback, field-level drift, quotas
 * re-checked at apply time, interrupted transfers, and honest counts.
 *
 * Each test rolls its migration back, so the next one starts from an empty
 * target project.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import * as net from "../../src/openstack/network.js";
import { runCli } from "../helpers/cli.js";
import { JOURNEY_TIMEOUT_MS } from "../helpers/journey.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let e: SimEnv;

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src", "fixtures/tenants/small.yaml");
}, JOURNEY_TIMEOUT_MS);
afterAll(async () => {
  await e?.close();
});

const plan = (name: string) => runCli(["plan", "--from", "src", "--to", "dst", "--name", name, "-q"], e.env);
const apply = (name: string) => runCli(["apply", name, "--poll-ms", "10"], e.env);
const rollback = (name: string) => runCli(["rollback", name, "--yes", "--poll-ms", "10"], e.env);

/** Runs fn with a connected cloud of the env, closing it afterwards. */
async function withCloud<T>(name: string, fn: (c: Awaited<ReturnType<SimEnv["connect"]>>) => Promise<T>): Promise<T> {
  const c = await e.connect(name);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

const FOREIGN_MAC = "fa:16:3e:00:00:99";

describe("ports", () => {
  it("plans a pair with the port's own MAC without a MAC, keeps a foreign one, and verify checks pairs, port security and admin state", async () => {
    // A VIP pair given without a MAC (Neutron stores the port's own) and one with another port's MAC.
    await withCloud("src", async (src) => {
      const port = (await net.listPorts(src.network, { fixed_ips: "ip_address=10.30.0.10" }))[0]!;
      await net.updatePort(src.network, port.id, { allowed_address_pairs: [{ ip_address: "10.30.0.100" }, { ip_address: "10.30.0.101", mac_address: FOREIGN_MAC }] });
    });
    expect((await plan("pairs")).code).toBe(0);
    const planned = JSON.parse(readFileSync(join(e.plans, "pairs", "plan.json"), "utf8"));
    const portStep = Object.values(planned.steps as Record<string, { kind: string; params: { allowed_address_pairs: unknown[] } }>).find((s) => s.kind === "port")!;
    expect(portStep.params.allowed_address_pairs).toEqual([{ ip_address: "10.30.0.100" }, { ip_address: "10.30.0.101", mac_address: FOREIGN_MAC }]);
    const r = await apply("pairs");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await withCloud("dst", async (dst) => {
      const port = (await net.listPorts(dst.network, { fixed_ips: "ip_address=10.30.0.10" }))[0]!;
      const byIp = new Map(port.allowed_address_pairs.map((a) => [a.ip_address, a.mac_address]));
      expect(byIp.get("10.30.0.100")).toBe(port.mac_address);
      expect(byIp.get("10.30.0.101")).toBe(FOREIGN_MAC);
      expect((await runCli(["verify", "pairs"], e.env)).code).toBe(0);
      await net.updatePort(dst.network, port.id, { allowed_address_pairs: [{ ip_address: "10.30.0.100" }], admin_state_up: false });
    });
    const v = await runCli(["verify", "pairs"], e.env);
    expect(v.code, v.stdout + v.stderr).toBe(EXIT.VERIFY_MISMATCH);
    expect(v.stdout + v.stderr).toMatch(/allowed address pairs/);
    expect(v.stdout + v.stderr).toMatch(/admin_state_up/);
    expect((await rollback("pairs")).code).toBe(0);
  }, JOURNEY_TIMEOUT_MS);
});
