/**
 * The world the kind contract runs in: one simulated source cloud seeded with
 * test/kinds/tenant.yaml (the medium tenant, a step of every applied kind,
 * plus steps that make several calls of one sort) and a volume snapshot (the
 * tenant spec cannot express snapshots, so it is made through the API), the
 * plan built over it, and a fresh simulated target cloud per kind under test.
 *
 * Why a fresh target per kind: several kinds identify what they made by name
 * or address (keypairs, server groups, fixed IPs, subnet CIDRs), so a second
 * copy of a step next to another kind's leftovers would collide or, worse,
 * adopt the wrong resource; and "nothing is left on the target" can only be
 * judged against a target that holds nothing else of the step.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectCloud } from "../../src/executor/connect.js";
import { collectInventory } from "../../src/inventory/collect.js";
import * as bs from "../../src/openstack/block-storage.js";
import type { OpenStackCloud } from "../../src/openstack/cloud.js";
import { buildPlan } from "../../src/plan/build.js";
import { emptyMapping } from "../../src/mapping/mapping-file.js";
import type { Plan } from "../../src/model/plan.js";
import { startSim, type SimCloudOptions, type SimStore } from "../../src/sim/index.js";
import { FAST_DELAYS, seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

/** The tenant every kind is planned from. */
export const FIXTURE_TENANT = fileURLToPath(new URL("./tenant.yaml", import.meta.url));
/** Name of the snapshot added to the seeded tenant. */
export const FIXTURE_SNAPSHOT = "db-data-nightly";

/** Options of every target cloud: the end-to-end suites' target, so plans made against one fit all. */
const TARGET_OPTIONS: Omit<SimCloudOptions, "name"> = {
  delays: FAST_DELAYS,
  externalCidr: "198.51.100.0/24",
  quotas: { instances: 50, cores: 400, ram: 1024000, volumes: 60, gigabytes: 5000, security_group: 60, security_group_rule: 1000, router: 20, server_groups: 20 },
};

export interface SourceFixture {
  env: SimEnv;
  source: OpenStackCloud;
  plan: Plan;
  close(): Promise<void>;
}

/** Seeds the source, plans src → dst with an empty mapping file, and keeps a connection to the source. */
export async function startSourceFixture(name = "contract"): Promise<SourceFixture> {
  const env = await startSimEnv();
  try {
    await seed(env, "src", FIXTURE_TENANT);
    const source = await env.connect("src");
    const vol = (await bs.listVolumes(source.blockStorage, { name: "db-data" }))[0];
    if (!vol) throw new Error("the fixture tenant has no volume db-data to snapshot");
    const snap = await bs.createSnapshot(source.blockStorage, { volume_id: vol.id, name: FIXTURE_SNAPSHOT, force: true });
    await bs.waitForSnapshot(source.blockStorage, snap.id, "available", { minDelay: 10, maxDelay: 100 });
    const [src, dst] = await Promise.all([collectInventory(source), env.inventory("dst")]);
    const plan = buildPlan({ name, source: src, target: dst, mapping: emptyMapping(), options: {}, now: () => new Date(), toolVersion: "0.0.0-test" });
    const blocking = plan.preflight.findings.filter((f) => f.severity === "error");
    if (blocking.length) throw new Error(`the fixture plan has blocking findings: ${blocking.map((f) => f.message).join("; ")}`);
    return {
      env,
      source,
      plan,
      async close() {
        source.close();
        await env.close();
      },
    };
  } catch (err) {
    await env.close();
    throw err;
  }
}

export interface TargetFixture {
  cloud: OpenStackCloud;
  /** The simulator's state of the target, to count what exists and to make changes the API has no call for. */
  store: SimStore;
  close(): Promise<void>;
}

/** Starts an empty simulated target cloud and connects to it. */
export async function startTarget(): Promise<TargetFixture> {
  const sim = await startSim({ clouds: [{ name: "dst", ...TARGET_OPTIONS }] });
  const dir = mkdtempSync(join(tmpdir(), "smig-contract-"));
  try {
    const cfg = join(dir, "clouds.yaml");
    writeFileSync(cfg, sim.cloudsYaml(), { mode: 0o600 });
    const cloud = await connectCloud("dst", { configFile: cfg });
    return {
      cloud,
      store: sim.cloud("dst").store,
      async close() {
        cloud.close();
        await sim.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
