/**
 * Making a plan from two live clouds: inventory both (in parallel), build the
 * plan, and write the migration folder — plan.json, plan.txt and the two
 * inventories it was made from (so the plan can be reproduced and reviewed
 * offline).
 */
import { collectInventory } from "../inventory/collect.js";
import type { Inventory } from "../model/inventory.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import { buildPlan } from "../plan/build.js";
import { writeFileAtomic, writePlan } from "../plan/io.js";
import type { MappingFile } from "../mapping/mapping-file.js";
import { renderPlan } from "../plan/render.js";
import type { Plan } from "../model/plan.js";
import { TOOL_VERSION } from "../version.js";
import { join } from "node:path";

export interface PlanMigrationInput {
  name: string;
  dir: string;
  source: OpenStackCloud;
  target: OpenStackCloud;
  mapping: MappingFile;
  cutover?: "cold" | "live";
  throughputMBps?: number;
}

export interface PlanMigrationResult {
  plan: Plan;
  text: string;
  source: Inventory;
  target: Inventory;
}

/** Inventories both clouds, builds the plan and writes the migration folder. */
export async function planMigration(i: PlanMigrationInput): Promise<PlanMigrationResult> {
  const [source, target] = await Promise.all([collectInventory(i.source), collectInventory(i.target)]);
  const plan = buildPlan({
    name: i.name,
    source,
    target,
    mapping: i.mapping,
    options: { ...(i.cutover ? { cutover: i.cutover } : {}), ...(i.throughputMBps ? { throughputMBps: i.throughputMBps } : {}) },
    now: () => new Date(),
    toolVersion: TOOL_VERSION,
  });
  // 0600 like the state: an inventory lists a project's whole layout (addresses, rules, key names).
  writeFileAtomic(join(i.dir, "inventory-source.json"), JSON.stringify(source, null, 2) + "\n", 0o600);
  writeFileAtomic(join(i.dir, "inventory-target.json"), JSON.stringify(target, null, 2) + "\n", 0o600);
  writePlan(join(i.dir, "plan.json"), plan);
  const text = renderPlan(plan);
  writeFileAtomic(join(i.dir, "plan.txt"), text);
  return { plan, text, source, target };
}
