/**
 * Nova keypairs. Keypairs carry no tags or metadata, so identity is name +
 * public key: a keypair of that name with the same key is adopted, with
 * another key the step fails (CannotConvergeError) rather than overwrite it.
 * A keypair belongs to the user of the target credentials.
 *
 * API: GET/POST /os-keypairs, GET/DELETE /os-keypairs/{name}
 */
import * as compute from "../openstack/compute.js";
import { CannotConvergeError } from "../errors.js";
import { KeypairParams, planKeypairs } from "./keypair.plan.js";
import { defineKind, type Collector } from "./types.js";
import { compareFields, deleteIgnoringMissing, missing, orNull } from "./verify-helpers.js";

/** Keypairs of the user; the API identifies them by name. */
export const keypairs: Collector<"keypairs"> = {
  name: "keypairs",
  async collect(cx) {
    const list = await compute.listKeypairs(cx.cloud.compute);
    return list.map((k) => ({ id: k.name, name: k.name, type: k.type, public_key: k.public_key, fingerprint: k.fingerprint }));
  },
};

export const keypair = defineKind<KeypairParams>({
  kind: "keypair",
  color: "#9b8bd6",
  collection: keypairs,
  describe: (step) => step.note ?? step.params.type,
  quotaNeeds: (step) => (step.action === "create" ? { key_pairs: 1 } : {}),
  driftCandidates: (inv) => inv.keypairs,
  lane: () => "api",
  paramsSchema: KeypairParams,
  plan: planKeypairs,

  async find(ctx) {
    const p = ctx.params;
    const kp = await orNull(compute.getKeypair(ctx.target.compute, p.name));
    return kp && kp.public_key.trim() === p.public_key ? kp.name : null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const existing = await orNull(compute.getKeypair(ctx.target.compute, p.name));
    if (existing) {
      if (existing.public_key.trim() !== p.public_key.trim()) {
        throw new CannotConvergeError(`${ctx.stepId}: the target has a keypair "${p.name}" with a different public key`, {
          hint: "Rename or delete one of them, then run apply again.",
        });
      }
      // Why: with action "create" the key was not there at planning, so this is our own earlier, interrupted attempt.
      return { outcome: ctx.step.action === "adopt" ? "adopted" : "created", targetId: existing.name };
    }
    const kp = await compute.createKeypair(ctx.target.compute, { name: p.name, public_key: p.public_key, type: p.type });
    return { outcome: "created", targetId: kp.name };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const kp = await orNull(compute.getKeypair(ctx.target.compute, targetId));
    if (!kp) return [missing(ctx)];
    return compareFields(ctx, { public_key: p.public_key, type: p.type }, { public_key: kp.public_key.trim(), type: kp.type }, ["public_key", "type"]);
  },

  async remove(ctx, targetId) {
    await deleteIgnoringMissing(compute.deleteKeypair(ctx.target.compute, targetId));
  },
});
