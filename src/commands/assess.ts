/**
 * `scs-migrate assess --cloud SRC`: how portable a project is between SCS
 * clouds, with a score, a grade and what to change. Read-only.
 */
import { assessPortability } from "../assess/assess.js";
import { renderAssessment } from "../assess/render.js";
import { collectInventory } from "../inventory/collect.js";
import { out } from "../log.js";
import { writeFileAtomic } from "../plan/io.js";
import { cloudName, connectCloud } from "../executor/connect.js";

export async function run(opts: { cloud?: string; json?: boolean; out?: string; minScore?: number }): Promise<number> {
  const cloud = await connectCloud(cloudName(opts.cloud));
  try {
    const a = assessPortability(await collectInventory(cloud));
    if (opts.out) writeFileAtomic(opts.out, JSON.stringify(a, null, 2) + "\n");
    out(opts.json ? JSON.stringify(a, null, 2) : renderAssessment(a));
    // Why: lets CI gate on portability ("fail when the score drops below 80").
    return opts.minScore !== undefined && a.score < opts.minScore ? 1 : 0;
  } finally {
    cloud.close();
  }
}
