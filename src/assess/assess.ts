/**
 * The portability assessment of one project (`scs-migrate assess --cloud SRC`):
 * how easily its resources move to another SCS-compatible cloud, as findings
 * with concrete fixes, a score and a grade. Pure: it reads a freshly collected
 * `Inventory` and makes no API calls, so every rule is testable with small
 * inventories.
 *
 * The checks live one area per file (`check-flavors.ts`, `check-servers.ts`,
 * `check-images.ts`, `check-storage.ts`, `check-network.ts`,
 * `check-features.ts`); their stable codes and categories are in `types.ts`
 * (`CHECKS`); the score formula is in `score.ts`. The measuring stick is what
 * the SCS standards guarantee on every compliant cloud (`mapping/scs-standards.ts`):
 * the 15 mandatory flavors, the scs-0102 image metadata, the scs-0104 standard
 * images, the scs-0114 volume type aspects and the scs-0123 services.
 *
 * Output is deterministic (findings sorted worst first, then by category,
 * check and resource), so two runs on the same inventory diff cleanly.
 */
import type { Inventory } from "../model/inventory.js";
import { checkFeatures } from "./check-features.js";
import { checkFlavors, usedFlavors } from "./check-flavors.js";
import { checkImages, countImages, imagesInUse } from "./check-images.js";
import { checkNetwork, networksInUse } from "./check-network.js";
import { checkServers } from "./check-servers.js";
import { checkStorage, volumesByType } from "./check-storage.js";
import { buildContext } from "./context.js";
import { deductionsFor, gradeOf, scoreOf, severityRank } from "./score.js";
import type { Assessment, Category, CategoryScore, Finding } from "./types.js";
import { CATEGORIES } from "./types.js";

/** The format version of the assessment JSON. */
export const ASSESSMENT_FORMAT_VERSION = 1;

// NOTE: code-unit order, not localeCompare, so the order is the same on every machine.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) ||
    compareText(a.id, b.id) ||
    compareText(a.resource, b.resource) ||
    compareText(a.message, b.message)
  );
}

/**
 * Assesses how portable a project is to another SCS-compatible cloud.
 * @example renderAssessment(assessPortability(inventory))
 */
export function assessPortability(inv: Inventory): Assessment {
  const ctx = buildContext(inv);
  const flavors = usedFlavors(ctx);
  const images = imagesInUse(ctx);
  const types = volumesByType(ctx);

  const findings = [
    ...checkFlavors(ctx, flavors),
    ...checkServers(ctx),
    ...checkImages(ctx, images),
    ...checkStorage(ctx, types),
    ...checkNetwork(ctx),
    ...checkFeatures(ctx),
  ].sort(compareFindings);

  const deductions = deductionsFor(findings);
  const score = scoreOf(deductions);
  const categories = Object.fromEntries(
    CATEGORIES.map((c): [Category, CategoryScore] => {
      const own = findings.filter((f) => f.category === c);
      const s = scoreOf(deductions.filter((d) => d.category === c));
      return [c, { score: s, grade: gradeOf(s, own), findings: own.length }];
    }),
  ) as Record<Category, CategoryScore>;

  return {
    formatVersion: ASSESSMENT_FORMAT_VERSION,
    project: {
      cloud: inv.meta.cloud,
      region: inv.meta.region,
      project_id: inv.meta.project_id,
      project_name: inv.meta.project_name,
      collectedAt: inv.meta.collectedAt,
    },
    score,
    grade: gradeOf(score, findings),
    categories,
    counts: {
      servers: inv.servers.length,
      flavors: flavors.length,
      images: countImages(ctx, images),
      volumes: inv.volumes.length,
      volumeTypes: types.size,
      volumeSnapshots: inv.volume_snapshots.length,
      networks: networksInUse(ctx).length,
      ports: inv.ports.length,
      floatingIps: inv.floating_ips.length,
      serverGroups: inv.server_groups.length,
      features: inv.features.length,
    },
    deductions,
    findings,
  };
}
