/**
 * The kind registry, in default order, with why each kind sits where it does.
 * The DAG (dependsOn) decides what runs first; this order only makes planning
 * output and the order of equal steps deterministic.
 */
import type { KindId, Step } from "../model/plan.js";
import { floatingIp } from "./floating-ip.js";
import { image } from "./image.js";
import { keypair } from "./keypair.js";
import { loadBalancer } from "./load-balancer.js";
import { loadBalancerConfig } from "./load-balancer-config.js";
import { LOAD_BALANCER_SERVICE } from "./load-balancer.collect.js";
import type { ServiceName } from "../openstack/catalog.js";
import { network } from "./network.js";
import { port } from "./port.js";
import { router } from "./router.js";
import { securityGroup, securityGroupRules } from "./security-group.js";
import { serverGroup } from "./server-group.js";
import { server } from "./server.js";
import { subnet } from "./subnet.js";
import { PROVIDER_COLLECTORS } from "./provider.js";
import type { Collector, ResourceKind } from "./types.js";
import { volume } from "./volume.js";
import { volumeSnapshot } from "./volume-snapshot.js";

export const KINDS: readonly ResourceKind<any, any>[] = [
  keypair, // no dependencies; servers reference them by name
  network, // networks → subnets → routers; everything attachable needs them
  subnet,
  router,
  securityGroup, // before ports; rules that reference other groups come in a second step
  securityGroupRules,
  port, // before servers, so fixed IPs are kept
  serverGroup, // before servers (scheduler hint)
  image, // before servers booted from image; upload is long
  volume, // before servers; data copy is the long pole of a migration
  server, // needs all of the above
  loadBalancer, // needs its VIP subnet; before floating IPs, which may point at its VIP port
  loadBalancerConfig, // listeners, pools, members (the migrated ports' addresses), monitors, L7: needs the load balancer
  floatingIp, // last: needs the server's port (or a load balancer's VIP port) and the router to the outside
  volumeSnapshot, // never applied: listed so the plan shows every snapshot as skipped
];

/** Services a cloud may lack, which kinds depend on; the inventory records which ones a cloud offers. */
export const OPTIONAL_SERVICES: readonly ServiceName[] = [LOAD_BALANCER_SERVICE];

/** Kinds by id, for the executor. */
export const KIND_BY_ID: ReadonlyMap<KindId, ResourceKind<any, any>> = new Map(KINDS.map((k) => [k.kind, k]));

/** The kind whose step ids a collection's resources get: the first registered kind of that collection. */
export const KIND_OF_COLLECTION: ReadonlyMap<string, ResourceKind<any, any>> = new Map(
  [...KINDS].reverse().map((k) => [k.collection.name, k]),
);

/** Every inventory collection: the kinds' (once each, in registry order), then the provider's. */
export const COLLECTORS: readonly Collector[] = [...new Set(KINDS.map((k) => k.collection)), ...PROVIDER_COLLECTORS];

/** Checks a step's params (and options, where the kind has a schema for them) after hand edits; returns "params.x: problem" lines. */
export function checkStepParams(_id: string, step: Step): string[] {
  if (step.action === "skip") return [];
  const kind = KIND_BY_ID.get(step.kind);
  if (!kind) return [`kind: no such kind "${step.kind}"`];
  const problems: string[] = [];
  const sections: [string, unknown, ResourceKind["paramsSchema"] | undefined][] = [
    ["params", step.params, kind.paramsSchema],
    ["options", step.options, kind.optionsSchema],
  ];
  for (const [section, value, schema] of sections) {
    if (!schema) continue;
    const r = schema.safeParse(value);
    if (!r.success) for (const i of r.error.issues) problems.push(`${section}${i.path.length ? "." + i.path.join(".") : ""}: ${i.message}`);
  }
  return problems;
}
