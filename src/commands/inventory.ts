/**
 * `scs-migrate inventory --cloud NAME [--json] [--out FILE]`: every resource
 * of the project in the normalized model, as a summary table or JSON.
 */
import { collectInventory } from "../inventory/collect.js";
import { INVENTORY_COLLECTIONS, type Inventory } from "../model/inventory.js";
import { out } from "../log.js";
import { writeFileAtomic } from "../plan/io.js";
import { cloudName, connectCloud } from "../executor/connect.js";

export async function run(opts: { cloud?: string; json?: boolean; out?: string; pageSize?: number }): Promise<number> {
  const cloud = await connectCloud(cloudName(opts.cloud), opts.pageSize ? { pageSize: opts.pageSize } : {});
  try {
    const t0 = Date.now();
    const inv = await collectInventory(cloud);
    const ms = Date.now() - t0;
    const json = JSON.stringify(inv, null, 2) + "\n";
    if (opts.out) writeFileAtomic(opts.out, json);
    if (opts.json) out(json);
    else out(renderSummary(inv, ms) + (opts.out ? `\nWritten to ${opts.out}\n` : ""));
    return 0;
  } finally {
    cloud.close();
  }
}

/** The terminal summary: one line per collection with counts (owned vs visible where it differs). */
export function renderSummary(inv: Inventory, ms: number): string {
  const pid = inv.meta.project_id;
  const owned = (coll: (typeof INVENTORY_COLLECTIONS)[number]): number | null => {
    const items = inv[coll] as { project_id?: string | null; owner?: string | null; is_public?: boolean }[];
    if (coll === "images") return items.filter((i) => i.owner === pid).length;
    if (items.length > 0 && items[0] && "project_id" in items[0]) return items.filter((i) => i.project_id === pid || i.project_id === null).length;
    return null;
  };
  const lines = [
    `Project ${inv.meta.project_name ?? inv.meta.project_id} on ${inv.meta.cloud}${inv.meta.region ? ` (${inv.meta.region})` : ""}, collected in ${(ms / 1000).toFixed(1)}s`,
    "",
    `  ${"resource".padEnd(20)}${"total".padStart(7)}${"owned".padStart(8)}`,
  ];
  for (const coll of INVENTORY_COLLECTIONS) {
    const total = (inv[coll] as unknown[]).length;
    const o = owned(coll);
    lines.push(`  ${coll.padEnd(20)}${String(total).padStart(7)}${(o === null ? "" : String(o)).padStart(8)}`);
  }
  const quota = Object.entries(inv.quotas)
    .map(([k, v]) => `${k} ${v.in_use}/${v.limit < 0 ? "∞" : v.limit}`)
    .join(", ");
  if (quota) lines.push("", `Quotas (in use/limit): ${quota}`);
  if (inv.features.length > 0) lines.push("", `Provider-specific features: ${inv.features.map((f) => `${f.kind} ${f.name || f.id}`).join(", ")}`);
  return lines.join("\n");
}
