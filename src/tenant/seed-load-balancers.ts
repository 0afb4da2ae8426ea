/**
 * The load-balancer part of a tenant spec and its seeding: Octavia load
 * balancers with listeners, pools (members by server name or by address),
 * health monitors, L7 policies and rules, and a floating IP on the VIP.
 * Kept apart from seed.ts so the tenant spec's other groups stay as they are;
 * seeding is idempotent by load-balancer name (an existing one is reused
 * whole).
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";
import * as lbapi from "../openstack/load-balancer.js";
import * as net from "../openstack/network.js";
import type { OpenStackCloud } from "../openstack/cloud.js";

const Name = z.string().min(1);

const MemberSpec = z
  .object({
    server: Name.optional().describe("a server of the spec: its fixed IP on the member subnet"),
    address: z.string().optional().describe("a fixed address (e.g. a server outside the tenant)"),
    protocol_port: z.number().int().min(1).max(65535),
    weight: z.number().int().min(0).max(256).default(1),
  })
  .strict()
  .refine((m) => !!m.server !== !!m.address, "a member has either server or address");

const MonitorSpec = z
  .object({
    type: z.enum(["HTTP", "HTTPS", "PING", "TCP", "TLS-HELLO", "UDP-CONNECT"]),
    delay: z.number().int().positive().default(5),
    timeout: z.number().int().positive().default(3),
    max_retries: z.number().int().min(1).max(10).default(3),
    url_path: z.string().optional(),
    expected_codes: z.string().optional(),
  })
  .strict();

const PoolSpec = z
  .object({
    name: Name,
    protocol: z.enum(["HTTP", "HTTPS", "TCP", "UDP", "PROXY"]),
    lb_algorithm: z.enum(["ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP"]).default("ROUND_ROBIN"),
    session_persistence: z.object({ type: z.enum(["SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE"]), cookie_name: z.string().optional() }).strict().optional(),
    members: z.array(MemberSpec).default([]),
    healthmonitor: MonitorSpec.optional(),
  })
  .strict();

const RuleSpec = z
  .object({
    type: z.enum(["HOST_NAME", "PATH", "FILE_TYPE", "HEADER", "COOKIE"]),
    compare_type: z.enum(["REGEX", "STARTS_WITH", "ENDS_WITH", "CONTAINS", "EQUAL_TO"]),
    value: z.string(),
    key: z.string().optional(),
  })
  .strict();

const PolicySpec = z
  .object({
    name: Name,
    action: z.enum(["REDIRECT_TO_POOL", "REDIRECT_TO_URL", "REJECT"]),
    position: z.number().int().min(1).default(1),
    redirect_pool: Name.optional(),
    redirect_url: z.string().optional(),
    rules: z.array(RuleSpec).default([]),
  })
  .strict();

const ListenerSpec = z
  .object({
    name: Name,
    protocol: z.enum(["HTTP", "HTTPS", "TCP", "UDP", "TERMINATED_HTTPS"]),
    protocol_port: z.number().int().min(1).max(65535),
    default_pool: Name.optional(),
    default_tls_container_ref: z.string().optional().describe("a Barbican container ref (TERMINATED_HTTPS)"),
    l7policies: z.array(PolicySpec).default([]),
  })
  .strict();

export const LoadBalancerSpec = z
  .object({
    name: Name,
    description: z.string().default(""),
    subnet: Name.describe("the spec subnet of the VIP (and of members given by server)"),
    vip_address: z.string().optional(),
    provider: z.string().optional(),
    floating_ip: z.boolean().default(false).describe("a floating IP on the VIP port"),
    pools: z.array(PoolSpec).default([]),
    listeners: z.array(ListenerSpec).default([]),
  })
  .strict();
export type LoadBalancerSpec = z.infer<typeof LoadBalancerSpec>;

/** The spec section (`load_balancers:`). */
export const LoadBalancersSpec = z.array(LoadBalancerSpec).default([]);

export interface LbSeedContext {
  cloud: OpenStackCloud;
  subnets: Record<string, string>;
  servers: Record<string, string>;
  wait: { minDelay: number; maxDelay: number; timeoutMs: number };
  made(what: string): void;
  reused(what: string): void;
}

/** Seeds every load balancer of the spec; returns the VIP floating IPs by load-balancer name. */
export async function seedLoadBalancers(cx: LbSeedContext, specs: LoadBalancerSpec[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (specs.length === 0) return out;
  if (!cx.cloud.has("load-balancer")) throw new ConfigError(`the spec has load balancers but cloud ${cx.cloud.name} offers no load-balancer service`);
  for (const spec of specs) {
    const lb = await seedOne(cx, spec);
    if (spec.floating_ip) out[spec.name] = await vipFloatingIp(cx, lb);
  }
  return out;
}

async function seedOne(cx: LbSeedContext, spec: LoadBalancerSpec): Promise<lbapi.LoadBalancer> {
  const c = cx.cloud.loadBalancer;
  const have = (await lbapi.listLoadBalancers(c, { name: spec.name }))[0];
  if (have) {
    cx.reused(`load-balancer/${spec.name}`);
    return lbapi.waitForLoadBalancer(c, have.id, cx.wait);
  }
  const subnetId = cx.subnets[spec.subnet];
  if (!subnetId) throw new ConfigError(`load balancer ${spec.name}: no subnet "${spec.subnet}" in the spec`);
  const created = await lbapi.createLoadBalancer(c, {
    name: spec.name, description: spec.description, vip_subnet_id: subnetId,
    ...(spec.vip_address ? { vip_address: spec.vip_address } : {}), ...(spec.provider ? { provider: spec.provider } : {}),
  });
  const lbId = created.id;
  const step = async <T>(fn: () => Promise<T>): Promise<T> => {
    const r = await lbapi.retryWhileImmutable(c, lbId, fn, cx.wait);
    await lbapi.waitForLoadBalancer(c, lbId, cx.wait);
    return r;
  };
  await lbapi.waitForLoadBalancer(c, lbId, cx.wait);
  const poolIds: Record<string, string> = {};
  for (const p of spec.pools) {
    const pool = await step(() => lbapi.createPool(c, { loadbalancer_id: lbId, name: p.name, protocol: p.protocol, lb_algorithm: p.lb_algorithm, ...(p.session_persistence ? { session_persistence: p.session_persistence } : {}) }));
    poolIds[p.name] = pool.id;
    for (const m of p.members) {
      const address = m.address ?? (await serverAddress(cx, m.server!, subnetId));
      await step(() => lbapi.createMember(c, pool.id, { address, protocol_port: m.protocol_port, weight: m.weight, ...(m.server ? { subnet_id: subnetId, name: m.server } : {}) }));
    }
    if (p.healthmonitor) {
      const hm = p.healthmonitor;
      await step(() => lbapi.createHealthMonitor(c, { pool_id: pool.id, ...hm }));
    }
  }
  for (const l of spec.listeners) {
    const pool = l.default_pool ? poolIds[l.default_pool] : undefined;
    if (l.default_pool && !pool) throw new ConfigError(`listener ${l.name}: no pool "${l.default_pool}" in load balancer ${spec.name}`);
    const listener = await step(() =>
      lbapi.createListener(c, {
        loadbalancer_id: lbId, name: l.name, protocol: l.protocol, protocol_port: l.protocol_port,
        ...(pool ? { default_pool_id: pool } : {}), ...(l.default_tls_container_ref ? { default_tls_container_ref: l.default_tls_container_ref } : {}),
      }),
    );
    for (const p of l.l7policies) {
      const redirect = p.redirect_pool ? poolIds[p.redirect_pool] : undefined;
      const policy = await step(() =>
        lbapi.createL7Policy(c, { listener_id: listener.id, name: p.name, action: p.action, position: p.position, ...(redirect ? { redirect_pool_id: redirect } : {}), ...(p.redirect_url ? { redirect_url: p.redirect_url } : {}) }),
      );
      for (const r of p.rules) await step(() => lbapi.createL7Rule(c, policy.id, r));
    }
  }
  cx.made(`load-balancer/${spec.name}`);
  return lbapi.getLoadBalancer(c, lbId);
}

async function serverAddress(cx: LbSeedContext, server: string, subnetId: string): Promise<string> {
  const id = cx.servers[server];
  if (!id) throw new ConfigError(`member: no server "${server}" in the spec`);
  const ports = await net.listPorts(cx.cloud.network, { device_id: id });
  const ip = ports.flatMap((p) => p.fixed_ips).find((f) => f.subnet_id === subnetId);
  if (!ip) throw new ConfigError(`member: server ${server} has no address on the load balancer's subnet`);
  return ip.ip_address;
}

async function vipFloatingIp(cx: LbSeedContext, lb: lbapi.LoadBalancer): Promise<string> {
  const n = cx.cloud.network;
  if (!lb.vip_port_id) throw new ConfigError(`load balancer ${lb.name} has no VIP port`);
  const have = (await net.listFloatingIps(n, { port_id: lb.vip_port_id }))[0];
  if (have) return have.floating_ip_address;
  const external = (await net.listNetworks(n)).filter((x) => x.external).sort((a, b) => Number(b.is_default) - Number(a.is_default) || a.name.localeCompare(b.name))[0];
  if (!external) throw new ConfigError(`load balancer ${lb.name} wants a floating IP but cloud ${cx.cloud.name} has no external network`);
  const fip = await net.createFloatingIp(n, { floating_network_id: external.id, port_id: lb.vip_port_id });
  cx.made(`floating-ip/${fip.floating_ip_address}`);
  return fip.floating_ip_address;
}
