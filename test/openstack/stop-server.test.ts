/**
 * Stopping a source server for a cold cutover: two steps may ask at once (two
 * volumes of one server), and a stop may fail inside nova-compute, which puts
 * the server back to ACTIVE with no task — that must fail fast, not poll for
 * an hour.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as compute from "../../src/openstack/compute.js";
import type { OpenStackCloud } from "../../src/openstack/cloud.js";
import { FAST_DELAYS, seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let e: SimEnv;
let cloud: OpenStackCloud;
const wait = { minDelay: 5, maxDelay: 20, timeoutMs: 20_000 };

beforeAll(async () => {
  e = await startSimEnv({ src: { delays: { ...FAST_DELAYS, serverAction: 400 } } });
  await seed(e, "src", "fixtures/tenants/small.yaml");
  cloud = await e.connect("src");
});
afterAll(async () => {
  cloud?.close();
  await e?.close();
});

const serverId = async () => (await compute.listServers(cloud.compute)).find((s) => s.name === "web-1")!.id;

describe("stopServerAndWait", () => {
  it("stops once when two callers ask at the same time", async () => {
    const id = await serverId();
    const [a, b] = await Promise.all([compute.stopServerAndWait(cloud.compute, id, wait), compute.stopServerAndWait(cloud.compute, id, wait)]);
    expect([a.status, b.status]).toEqual(["SHUTOFF", "SHUTOFF"]);
    await compute.startServer(cloud.compute, id);
    await compute.waitForServer(cloud.compute, id, "ACTIVE", wait);
  });

  it("fails at once when Nova reverts the stop and the server is ACTIVE again", async () => {
    const id = await serverId();
    const store = e.sim.cloud("src").store;
    // What nova-compute does when the stop fails: task_state reverted, still ACTIVE.
    // Why a hook: reverting after a fixed delay raced the stop call on a loaded machine.
    const reverted = store.transitions.when((t) => t.resource === "server" && t.id === id && t.field === "task_state" && t.to === "powering-off", { after: store.transitions.mark }).then(() => {
      store.servers.get(id)!.task_state = null;
    });
    const stopping = compute.stopServerAndWait(cloud.compute, id, wait);
    // A wait that ran into its timeout would say "timed out", not "stop failed".
    await expect(stopping).rejects.toThrow(/stop failed/);
    await reverted;
  });
});
