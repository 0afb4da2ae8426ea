/**
 * Completeness of planning: every resource the source project owns, as the
 * inventory found it, ends up in the plan as a step or as a skip with a
 * reason. Nothing is dropped silently. The tenant is the medium sample
 * (fixtures/tenants/medium.yaml) seeded into a simulated SCS cloud that
 * also offers a private non-SCS flavor, plus a volume snapshot, so every
 * kind is present; the target is a second, empty simulated cloud.
 *
 * The check itself is tested too: dropping any one step, or a skip's
 * reason, must be reported.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCloud } from "../../src/executor/connect.js";
import { collectInventory } from "../../src/inventory/collect.js";
import type { Inventory } from "../../src/model/inventory.js";
import { KINDS } from "../../src/kinds/index.js";
import type { InventoryCollection } from "../../src/model/inventory.js";
import { createSnapshot, waitForSnapshot } from "../../src/openstack/block-storage.js";
import { buildPlan } from "../../src/plan/build.js";
import { emptyMapping } from "../../src/mapping/mapping-file.js";
import { SKIP_REASONS, type Plan } from "../../src/model/plan.js";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { seedTenant } from "../../src/tenant/seed.js";
import { loadTenantSpec } from "../../src/tenant/spec.js";

/** The inventory collection of each kind, from the registry. */
const COLLECTION_OF_KIND: Record<string, string> = Object.fromEntries(KINDS.map((k) => [k.kind, k.collection.name]));

const DELAYS = { serverBuild: 5, serverDelete: 5, serverAction: 5, serverImage: 5, volumeCreate: 5, volumeDownload: 5, volumeDelete: 5, volumeAttach: 5, imageSave: 5 };

/** The collections whose project-owned resources must all be accounted for. */
const COLLECTIONS = [
  "keypairs",
  "networks",
  "subnets",
  "routers",
  "security_groups",
  "ports",
  "floating_ips",
  "server_groups",
  "images",
  "volumes",
  "volume_snapshots",
  "servers",
] as const satisfies readonly InventoryCollection[];
type Collection = (typeof COLLECTIONS)[number];

/** The resources of one collection that the project owns (keypairs, server groups, volumes, snapshots and servers are project-scoped APIs). */
function ownedResources(inv: Inventory, c: Collection): { id: string; name: string }[] {
  const pid = inv.meta.project_id;
  const mine = (projectId: string | null) => projectId === null || projectId === pid;
  switch (c) {
    case "networks":
    case "subnets":
    case "routers":
    case "security_groups":
    case "ports":
      return inv[c].filter((r) => mine(r.project_id));
    case "floating_ips":
      return inv.floating_ips.filter((f) => mine(f.project_id)).map((f) => ({ id: f.id, name: f.floating_ip_address }));
    case "images":
      return inv.images.filter((i) => i.owner === pid);
    default:
      return inv[c];
  }
}

/** Everything wrong with a plan's coverage of an inventory, one line each; empty when complete. */
function coverageProblems(inv: Inventory, plan: Plan): string[] {
  const problems: string[] = [];
  const stepsFor = new Map<string, [string, Plan["steps"][string]][]>();
  for (const [id, step] of Object.entries(plan.steps)) {
    const key = `${COLLECTION_OF_KIND[step.kind]}:${step.source.id}`;
    stepsFor.set(key, [...(stepsFor.get(key) ?? []), [id, step]]);
  }
  for (const c of COLLECTIONS) {
    for (const r of ownedResources(inv, c)) {
      const steps = stepsFor.get(`${c}:${r.id}`) ?? [];
      if (steps.length === 0) problems.push(`${c} ${r.name || r.id} (${r.id}): no step and no skip`);
      for (const [id, s] of steps) {
        if (s.action === "skip" && !(s.reason && (SKIP_REASONS as readonly string[]).includes(s.reason))) problems.push(`${id}: skipped without a known reason`);
      }
    }
  }
  // The other way round: a step whose source is not in the inventory was invented.
  for (const [id, s] of Object.entries(plan.steps)) {
    const coll = COLLECTION_OF_KIND[s.kind] as Collection;
    if (!ownedResources(inv, coll).some((r) => r.id === s.source.id)) problems.push(`${id}: source ${s.source.id} is not an owned ${coll} entry of the inventory`);
  }
  return problems;
}

let sim: SimServer;
let dir: string;
let source: Inventory;
let plan: Plan;

beforeAll(async () => {
  sim = await startSim({
    clouds: [
      { name: "src", region: "de-north-1", projectName: "acme-shop", delays: DELAYS, extraFlavors: [{ name: "m1.legacy", vcpus: 2, ram: 4096, disk: 20, isPublic: false }] },
      { name: "dst", region: "de-south-2", projectName: "acme-shop", delays: DELAYS, externalCidr: "198.51.100.0/24" },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), "smig-complete-"));
  const cfg = join(dir, "clouds.yaml");
  writeFileSync(cfg, sim.cloudsYaml(), { mode: 0o600 });
  const src = await connectCloud("src", { configFile: cfg });
  const dst = await connectCloud("dst", { configFile: cfg });
  try {
    await seedTenant(src, loadTenantSpec("fixtures/tenants/medium.yaml"), { pollMs: 10, onProgress: () => {} });
    // The medium tenant has no volume snapshot; one is needed so that kind is checked too.
    const vols = (await collectInventory(src)).volumes;
    const data = vols.find((v) => v.name === "db-data")!;
    const snap = await createSnapshot(src.blockStorage, { volume_id: data.id, name: "db-data-nightly", force: true });
    await waitForSnapshot(src.blockStorage, snap.id, "available", { minDelay: 10, maxDelay: 50, timeoutMs: 10_000 });
    source = await collectInventory(src);
    const target = await collectInventory(dst);
    plan = buildPlan({ name: "complete", source, target, mapping: emptyMapping(), options: {}, now: () => new Date("2026-01-01T00:00:00Z"), toolVersion: "0.0.0-test" });
  } finally {
    src.close();
    dst.close();
  }
});

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("plan completeness (medium tenant from a simulated cloud)", () => {
  it("has every kind of owned resource in the inventory, so the check covers them all", () => {
    for (const c of COLLECTIONS) expect(ownedResources(source, c).length, `${c} in the seeded source`).toBeGreaterThan(0);
    expect(source.flavors.map((f) => f.name)).toContain("m1.legacy");
  });

  it("plans every owned resource as a step or as a skip with a reason", () => {
    expect(coverageProblems(source, plan)).toEqual([]);
    const skips = Object.entries(plan.steps).filter(([, s]) => s.action === "skip");
    expect(skips.map(([id, s]) => `${id} ${s.reason}`).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^volume-snapshot\/db-data-nightly skip_volume_snapshot_not_migrated$/), expect.stringMatching(/^port\/.* skip_managed_by_cloud$/)]),
    );
  });

  it.each(COLLECTIONS)("notices when a step for one of the %s is dropped", (c) => {
    const victim = ownedResources(source, c)[0]!;
    const damaged: Plan = structuredClone(plan);
    for (const [id, s] of Object.entries(damaged.steps)) {
      if (s.source.id === victim.id && COLLECTION_OF_KIND[s.kind] === c) delete damaged.steps[id];
    }
    expect(coverageProblems(source, damaged)).toEqual([`${c} ${victim.name || victim.id} (${victim.id}): no step and no skip`]);
  });

  it("notices a skip without a reason and a step with no source in the inventory", () => {
    const damaged: Plan = structuredClone(plan);
    const [skipId] = Object.entries(damaged.steps).find(([, s]) => s.action === "skip")!;
    delete damaged.steps[skipId]!.reason;
    damaged.steps["volume/ghost"] = { ...structuredClone(damaged.steps[Object.keys(damaged.steps).find((k) => k.startsWith("volume/"))!]!), source: { id: "8d1f6c1e-0000-4000-8000-000000000000", digest: "sha256:0" } };
    expect(coverageProblems(source, damaged)).toEqual([`${skipId}: skipped without a known reason`, "volume/ghost: source 8d1f6c1e-0000-4000-8000-000000000000 is not an owned volumes entry of the inventory"]);
  });
});
