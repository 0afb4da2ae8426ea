/**
 * The kind registry, in default order. The DAG (dependsOn) decides what runs
 * first; this order only makes planning output and ties deterministic.
 */
import { planFloatingIps } from "./floating-ip.plan.js";
import { planImages } from "./image.plan.js";
import { planKeypairs } from "./keypair.plan.js";
import { planNetworks } from "./network.plan.js";
import { planPorts } from "./port.plan.js";
import { planRouters } from "./router.plan.js";
import { planSecurityGroups } from "./security-group.plan.js";
import { planServerGroups } from "./server-group.plan.js";
import { planServers } from "./server.plan.js";
import { planSubnets } from "./subnet.plan.js";
import { planVolumes } from "./volume.plan.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const KINDS: { plan(ctx: PlanContext): PlannedStep[] }[] = [
  { plan: planKeypairs }, // no dependencies; servers reference them by name
  { plan: planNetworks }, // networks → subnets → routers; everything attachable needs them
  { plan: planSubnets },
  { plan: planRouters },
  { plan: planSecurityGroups }, // before ports; rules that reference other groups come in a second step
  { plan: planPorts }, // before servers, so fixed IPs are kept
  { plan: planServerGroups }, // before servers (scheduler hint)
  { plan: planImages }, // before servers booted from image; upload is long
  { plan: planVolumes }, // before servers; data copy is the long pole of a migration
  { plan: planServers }, // needs all of the above
  { plan: planFloatingIps }, // last: needs the server's port and the router to the outside
];

import { z } from "zod";
import type { KindId, Step } from "../plan/schema.js";
import { FloatingIpParams } from "./floating-ip.plan.js";
import { ImageParams } from "./image.plan.js";
import { KeypairParams } from "./keypair.plan.js";
import { NetworkParams } from "./network.plan.js";
import { PortParams } from "./port.plan.js";
import { RouterParams } from "./router.plan.js";
import { SecurityGroupParams, SecurityGroupRulesParams } from "./security-group.plan.js";
import { ServerGroupParams } from "./server-group.plan.js";
import { ServerOptions, ServerParams } from "./server.plan.js";
import { SubnetParams } from "./subnet.plan.js";
import { VolumeOptions, VolumeParams } from "./volume.plan.js";

/** The params (and, where a kind has them, options) schema of every kind; skipped steps carry empty params. */
const SCHEMAS: Record<KindId, { params: z.ZodType; options?: z.ZodType }> = {
  keypair: { params: KeypairParams },
  network: { params: NetworkParams },
  subnet: { params: SubnetParams },
  router: { params: RouterParams },
  "security-group": { params: SecurityGroupParams },
  "security-group-rules": { params: SecurityGroupRulesParams },
  port: { params: PortParams },
  "server-group": { params: ServerGroupParams },
  image: { params: ImageParams },
  volume: { params: VolumeParams, options: VolumeOptions },
  server: { params: ServerParams, options: ServerOptions },
  "floating-ip": { params: FloatingIpParams },
  "volume-snapshot": { params: z.object({}) },
};

/** Checks a step's params and options against its kind's schemas (hand edits); returns "params.x: problem" lines. */
export function checkStepParams(_id: string, step: Step): string[] {
  if (step.action === "skip") return [];
  const s = SCHEMAS[step.kind];
  const problems: string[] = [];
  for (const [section, schema] of [["params", s.params], ["options", s.options]] as const) {
    if (!schema) continue;
    const r = schema.safeParse(step[section]);
    if (!r.success) for (const i of r.error.issues) problems.push(`${section}${i.path.length ? "." + i.path.join(".") : ""}: ${i.message}`);
  }
  return problems;
}
