/**
 * Planning of Nova keypairs. Only the public half exists server-side, so a
 * keypair migrates as a re-import of `public_key`; private keys never move.
 * Keypairs belong to the user, not the project: on the target they belong to
 * the user the target credentials name. A keypair of the same name and key on
 * the target is adopted; the same name with another key is a plan error.
 */
import { z } from "zod";
import type { PlanContext, PlannedStep } from "./types.js";
import { excluded, skipFor, stepFor } from "./plan-helpers.js";

export const KeypairParams = z
  .object({
    name: z.string().min(1),
    public_key: z.string().min(20),
    type: z.enum(["ssh", "x509"]),
  })
  .strict();
export type KeypairParams = z.infer<typeof KeypairParams>;

export function planKeypairs(ctx: PlanContext): PlannedStep[] {
  return ctx.source.keypairs.map((kp) => {
    const id = ctx.ids.must("keypairs", kp.id);
    const src = { id: kp.id, name: kp.name };
    if (excluded(ctx, id)) return skipFor("keypair", id, src, kp, "skip_excluded_by_user", "excluded by the mapping file");
    const params: KeypairParams = { name: kp.name, public_key: kp.public_key.trim(), type: kp.type === "x509" ? "x509" : "ssh" };
    const existing = ctx.target.keypairs.find((k) => k.name === kp.name);
    if (existing && existing.public_key.trim() !== params.public_key) {
      ctx.finding({
        severity: "error",
        code: "keypair_conflict",
        step: id,
        message: `keypair "${kp.name}" exists on the target with a different public key; rename one of them or delete the target's`,
      });
    }
    const same = existing && existing.public_key.trim() === params.public_key;
    return stepFor("keypair", id, src, kp, {
      action: same ? "adopt" : "create",
      ...(same ? { note: "the same key already exists on the target" } : {}),
      params,
      facts: { fingerprint: kp.fingerprint },
    });
  });
}
