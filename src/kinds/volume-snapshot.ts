/**
 * Cinder volume snapshots: never migrated (a snapshot is a point-in-time copy
 * inside one storage backend; the volume's current data is what moves). The
 * kind exists so that every snapshot appears in the plan as a skipped step
 * with its reason, and nothing in the inventory is silently left out.
 */
import { z } from "zod";
import { defineKind } from "./types.js";
import { volumeSnapshots } from "./volume.js";

export const volumeSnapshot = defineKind<Record<string, never>>({
  kind: "volume-snapshot",
  color: "#9c755f",
  collection: volumeSnapshots,
  describe: (step) => step.note ?? "",
  lane: () => "api",
  paramsSchema: z.object({}),
  plan: () => [], // planned as skips by the volume kind, next to their volumes
  find: async () => null,
  apply: async (ctx) => {
    throw new Error(`${ctx.stepId}: volume snapshots are not migrated`);
  },
  verify: async () => [],
  remove: async () => {},
});
