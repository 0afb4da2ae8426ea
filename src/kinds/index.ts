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
