/**
 * Planning of Octavia load balancers.
 *
 * Design: two steps per load balancer, not one per Octavia object.
 * `load-balancer/<name>` creates the load balancer (VIP on the migrated
 * subnet, same VIP address); `load-balancer-config/<name>` carries its
 * listeners, pools, members, health monitors and L7 policies and rules as the
 * step's work list. Why: Octavia serialises every change under a load
 * balancer (each one makes it PENDING_UPDATE and refuses the next with 409
 * until it is ACTIVE again), so steps per object could never run side by side;
 * they would only add dozens of steps to a plan, each racing the others for the
 * same immutable load balancer. One config step runs the changes in one waiter
 * sequence (create, wait for ACTIVE, next) and still finds each object it made
 * by its own marker tags, so a crash between two creates adopts rather than
 * duplicates. The load balancer is its own step because it is what other steps
 * (the floating IP on its VIP) and rollback (cascade delete) point at.
 *
 * Members whose address is a fixed IP of a migrated port become references to
 * that port's step, resolved at apply to the target port's address. Listeners
 * that terminate TLS with Barbican certificates are skipped with a hint: the
 * certificate cannot be read with member rights in a portable way, so it must
 * be stored on the target first.
 */
import { z } from "zod";
import type { Inventory, LbListener, LbPool, LoadBalancer } from "../model/inventory.js";
import { NameRefSchema, ref, StepRefSchema, userTags } from "./common.js";
import { excluded, owned, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const LoadBalancerParams = z
  .object({
    name: z.string(),
    description: z.string(),
    vip_subnet_id: StepRefSchema,
    vip_address: z.string().nullable(),
    provider: z.string().nullable(),
    flavor: NameRefSchema.nullable(),
    admin_state_up: z.boolean(),
    tags: z.array(z.string()),
  })
  .strict();
export type LoadBalancerParams = z.infer<typeof LoadBalancerParams>;

/** Common fields of every child: `src` is the source object's id, which its marker tag names. */
const child = { src: z.string(), admin_state_up: z.boolean(), tags: z.array(z.string()) };

/** A member's address: as it is (outside the tenant), or the fixed IP of a migrated port. */
export const MemberAddress = z.union([z.string(), z.object({ port: StepRefSchema, ip: z.string() }).strict()]);

const Member = z.object({
  ...child,
  name: z.string(),
  address: MemberAddress,
  protocol_port: z.number().int(),
  subnet_id: StepRefSchema.nullable(),
  weight: z.number().int(),
  backup: z.boolean(),
  monitor_address: z.string().nullable(),
  monitor_port: z.number().int().nullable(),
}).strict();

const HealthMonitor = z.object({
  ...child,
  name: z.string(),
  type: z.string(),
  delay: z.number().int(),
  timeout: z.number().int(),
  max_retries: z.number().int(),
  max_retries_down: z.number().int().nullable(),
  http_method: z.string().nullable(),
  url_path: z.string().nullable(),
  expected_codes: z.string().nullable(),
}).strict();

const Pool = z.object({
  ...child,
  name: z.string(),
  description: z.string(),
  protocol: z.string(),
  lb_algorithm: z.string(),
  session_persistence: z.object({ type: z.string(), cookie_name: z.string().nullable() }).strict().nullable(),
  members: z.array(Member),
  healthmonitor: HealthMonitor.nullable(),
}).strict();

const Rule = z.object({ ...child, type: z.string(), compare_type: z.string(), key: z.string().nullable(), value: z.string(), invert: z.boolean() }).strict();

const Policy = z.object({
  ...child,
  name: z.string(),
  description: z.string(),
  action: z.string(),
  position: z.number().int(),
  /** The `src` of a pool in this step. */
  redirect_pool: z.string().nullable(),
  redirect_url: z.string().nullable(),
  redirect_prefix: z.string().nullable(),
  redirect_http_code: z.number().int().nullable(),
  rules: z.array(Rule),
}).strict();

const Listener = z.object({
  ...child,
  name: z.string(),
  description: z.string(),
  protocol: z.string(),
  protocol_port: z.number().int(),
  connection_limit: z.number().int(),
  /** The `src` of a pool in this step. */
  default_pool: z.string().nullable(),
  insert_headers: z.record(z.string(), z.string()),
  allowed_cidrs: z.array(z.string()),
  timeout_client_data: z.number().int().nullable(),
  timeout_member_connect: z.number().int().nullable(),
  timeout_member_data: z.number().int().nullable(),
  timeout_tcp_inspect: z.number().int().nullable(),
  l7policies: z.array(Policy),
}).strict();

export const LoadBalancerConfigParams = z
  .object({ load_balancer: StepRefSchema, pools: z.array(Pool), listeners: z.array(Listener) })
  .strict();
export type LoadBalancerConfigParams = z.infer<typeof LoadBalancerConfigParams>;
export type LbMemberParams = z.infer<typeof Member>;
export type LbPoolParams = z.infer<typeof Pool>;
export type LbListenerParams = z.infer<typeof Listener>;

/** Whether a listener needs certificates from Barbican (which the tool cannot copy). */
export function barbicanRefs(l: LbListener): string[] {
  return [l.default_tls_container_ref, ...l.sni_container_refs, l.client_ca_tls_container_ref].filter((r): r is string => !!r);
}

/** The config step id of a load balancer step. */
export const configStepId = (lbStep: string): string => lbStep.replace(/^load-balancer\//, "load-balancer-config/");

/** Whether the target offers Octavia (unknown for inventories written before `meta.services`: assumed yes). */
export function targetOffersLoadBalancing(target: Inventory): boolean {
  return !target.meta.services || target.meta.services.includes("load-balancer");
}

/** The target provider for a source provider: same name, else the mapping file, else an error finding. */
function mapProvider(ctx: PlanContext, id: string, lb: LoadBalancer): string | null | undefined {
  if (!lb.provider) return null;
  const offered = ctx.target.lb_providers.map((p) => p.name);
  const mapped = ctx.mapping.loadBalancerProviders[lb.provider];
  if (mapped) return mapped;
  if (offered.length === 0 || offered.includes(lb.provider)) return lb.provider;
  ctx.finding({ severity: "error", code: "lb_provider_unmapped", step: id, message: `load balancer ${lb.name}: the target has no Octavia provider "${lb.provider}" (it has ${offered.join(", ")}); map it under loadBalancerProviders in the mapping file` });
  return undefined;
}

/** The target LB flavor (by name) for the source's flavor id. */
function mapFlavor(ctx: PlanContext, id: string, lb: LoadBalancer): { name: string } | null | undefined {
  if (!lb.flavor_id) return null;
  const name = ctx.source.lb_flavors.find((f) => f.id === lb.flavor_id)?.name ?? lb.flavor_id;
  const mapped = ctx.mapping.loadBalancerFlavors[name];
  if (mapped) return { name: mapped };
  if (ctx.target.lb_flavors.some((f) => f.name === name && f.enabled)) return { name };
  ctx.finding({ severity: "error", code: "lb_flavor_unmapped", step: id, message: `load balancer ${lb.name}: the target has no load-balancer flavor "${name}"; map it under loadBalancerFlavors in the mapping file` });
  return undefined;
}

function lbStep(ctx: PlanContext, lb: LoadBalancer, id: string, src: { id: string; name: string }): PlannedStep {
  const facts = { vip_address: lb.vip_address, vip_port_id: lb.vip_port_id };
  // Why the whole item: drift compares the digest of the inventory item with the step's.
  const lbOnly = lb;
  if (excluded(ctx, id)) return skipFor("load-balancer", id, src, lbOnly, "skip_excluded_by_user", "excluded by the mapping file", facts);
  if (lb.provisioning_status !== "ACTIVE") {
    return skipFor("load-balancer", id, src, lbOnly, "skip_unsupported", `provisioning_status ${lb.provisioning_status} on the source: migrate it once it is ACTIVE`, facts);
  }
  const subnetStep = lb.vip_subnet_id ? ctx.ids.of("subnets", lb.vip_subnet_id) : undefined;
  if (!subnetStep) {
    ctx.finding({ severity: "warning", code: "lb_vip_subnet_unmigrated", step: id, message: `load balancer ${lb.name}: its VIP is on subnet ${lb.vip_subnet_id ?? "?"}, which is not migrated` });
    return skipFor("load-balancer", id, src, lbOnly, "skip_unsupported", "VIP on a subnet the migration does not create", facts);
  }
  const provider = mapProvider(ctx, id, lb);
  const flavor = mapFlavor(ctx, id, lb);
  if (lb.availability_zone) {
    ctx.finding({ severity: "warning", code: "lb_availability_zone_dropped", step: id, message: `load balancer ${lb.name}: availability zone "${lb.availability_zone}" is provider-specific; the target places it by default` });
  }
  const params: LoadBalancerParams = {
    name: lb.name,
    description: lb.description,
    vip_subnet_id: ref(subnetStep),
    vip_address: lb.vip_address,
    provider: provider ?? lb.provider,
    flavor: flavor === undefined ? null : flavor,
    admin_state_up: lb.admin_state_up,
    tags: userTags(lb.tags),
  };
  return stepFor("load-balancer", id, src, lbOnly, { dependsOn: [subnetStep], params, note: "VIP keeps its address", facts });
}

export function planLoadBalancers(ctx: PlanContext): PlannedStep[] {
  const out: PlannedStep[] = [];
  const mine = ctx.source.load_balancers.filter((lb) => owned(ctx.source, lb.project_id));
  let serviceReported = false;
  for (const lb of mine) {
    const id = ctx.ids.must("load_balancers", lb.id);
    const src = { id: lb.id, name: lb.name };
    const step = lbStep(ctx, lb, id, src);
    out.push(step);
    if (step.action === "skip") continue;
    if (!targetOffersLoadBalancing(ctx.target) && !serviceReported) {
      serviceReported = true;
      ctx.finding({ severity: "error", code: "service_missing_on_target", step: id, message: `the target offers no load-balancer service (Octavia): ${mine.length} load balancer(s) cannot be created` });
    }
    out.push(...planConfig(ctx, lb, id));
  }
  return out;
}

/** The config step of a load balancer, and skips for what of its tree cannot move. */
function planConfig(ctx: PlanContext, lb: LoadBalancer, lbStepId: string): PlannedStep[] {
  const id = configStepId(lbStepId);
  const out: PlannedStep[] = [];
  const deps = new Set<string>([lbStepId]);
  const listeners: LbListenerParams[] = [];
  for (const l of lb.listeners) {
    const refs = barbicanRefs(l);
    if (refs.length > 0) {
      const sid = `${id}:${l.name || l.protocol_port}`;
      const note = `${l.protocol} listener on port ${l.protocol_port} uses Barbican certificate(s) ${refs.join(", ")}: store the certificate in the target's key manager and create the listener there (the tool cannot read Barbican secrets portably with member rights)`;
      ctx.finding({ severity: "warning", code: "lb_listener_barbican", step: sid, message: note });
      out.push(skipFor("load-balancer-config", sid, { id: l.id, name: l.name }, l, "skip_unsupported", note, { protocol: l.protocol, protocol_port: l.protocol_port }));
      continue;
    }
    listeners.push(listenerParams(l));
  }
  const pools = lb.pools.map((p) => poolParams(ctx, id, p, deps));
  const params: LoadBalancerConfigParams = { load_balancer: ref(lbStepId), pools, listeners };
  const counts = { listeners: listeners.length, pools: pools.length, members: pools.reduce((n, p) => n + p.members.length, 0) };
  out.unshift(stepFor("load-balancer-config", id, { id: lb.id, name: lb.name }, lb, { dependsOn: [...deps], params, facts: counts }));
  return out;
}

function listenerParams(l: LbListener): LbListenerParams {
  return {
    src: l.id, name: l.name, description: l.description, protocol: l.protocol, protocol_port: l.protocol_port,
    connection_limit: l.connection_limit, default_pool: l.default_pool_id, insert_headers: l.insert_headers,
    allowed_cidrs: [...l.allowed_cidrs].sort(), timeout_client_data: l.timeout_client_data, timeout_member_connect: l.timeout_member_connect,
    timeout_member_data: l.timeout_member_data, timeout_tcp_inspect: l.timeout_tcp_inspect,
    admin_state_up: l.admin_state_up, tags: userTags(l.tags),
    l7policies: l.l7policies.map((p) => ({
      src: p.id, name: p.name, description: p.description, action: p.action, position: p.position,
      redirect_pool: p.redirect_pool_id, redirect_url: p.redirect_url, redirect_prefix: p.redirect_prefix,
      redirect_http_code: p.redirect_http_code, admin_state_up: p.admin_state_up, tags: userTags(p.tags),
      rules: p.rules.map((r) => ({ src: r.id, type: r.type, compare_type: r.compare_type, key: r.key, value: r.value, invert: r.invert, admin_state_up: r.admin_state_up, tags: userTags(r.tags) })),
    })),
  };
}

function poolParams(ctx: PlanContext, stepId: string, p: LbPool, deps: Set<string>): LbPoolParams {
  if (p.tls_container_ref || p.ca_tls_container_ref) {
    ctx.finding({ severity: "warning", code: "lb_pool_barbican", step: stepId, message: `pool ${p.name || p.id} re-encrypts to its members with Barbican certificates; the copy talks to them without TLS until the certificates are stored on the target and set on the pool` });
  }
  const hm = p.healthmonitor;
  return {
    src: p.id, name: p.name, description: p.description, protocol: p.protocol, lb_algorithm: p.lb_algorithm,
    session_persistence: p.session_persistence ? { type: p.session_persistence.type, cookie_name: p.session_persistence.cookie_name } : null,
    admin_state_up: p.admin_state_up, tags: userTags(p.tags),
    members: p.members.map((m) => {
      const address = memberAddress(ctx, stepId, m, deps);
      const subnet = m.subnet_id ? ctx.ids.of("subnets", m.subnet_id) : undefined;
      if (subnet) deps.add(subnet);
      return {
        src: m.id, name: m.name, address, protocol_port: m.protocol_port, subnet_id: subnet ? ref(subnet) : null, weight: m.weight, backup: m.backup,
        monitor_address: m.monitor_address, monitor_port: m.monitor_port, admin_state_up: m.admin_state_up, tags: userTags(m.tags),
      };
    }),
    healthmonitor: hm
      ? {
          src: hm.id, name: hm.name, type: hm.type, delay: hm.delay, timeout: hm.timeout, max_retries: hm.max_retries, max_retries_down: hm.max_retries_down,
          http_method: hm.http_method, url_path: hm.url_path, expected_codes: hm.expected_codes, admin_state_up: hm.admin_state_up, tags: userTags(hm.tags),
        }
      : null,
  };
}

/** A member pointing at a migrated port follows it; anything else keeps its address, with a warning. */
function memberAddress(ctx: PlanContext, stepId: string, m: LbPool["members"][number], deps: Set<string>): LbMemberParams["address"] {
  const port = ctx.source.ports.find((p) => p.fixed_ips.some((f) => f.ip_address === m.address && (!m.subnet_id || f.subnet_id === m.subnet_id)));
  const candidate = port && owned(ctx.source, port.project_id) && !port.device_owner.startsWith("network:") ? ctx.ids.of("ports", port.id) : undefined;
  // An excluded port has no target copy to follow: the member then keeps its address like one outside the tenant.
  const portStep = candidate && !excluded(ctx, candidate) ? candidate : undefined;
  if (portStep) {
    deps.add(portStep);
    return { port: ref(portStep), ip: m.address };
  }
  ctx.finding({ severity: "warning", code: "lb_member_outside_tenant", step: stepId, message: `member ${m.name || m.address}:${m.protocol_port} is not an address of a migrated port; the copy keeps pointing at ${m.address}` });
  return m.address;
}
