/**
 * The inventory model of Octavia (see inventory.ts for the model's rules):
 * one item per load balancer with its whole tree (listeners with L7 policies
 * and rules, pools with members and health monitor), and the providers and
 * LB flavors a cloud offers.
 */
import { z } from "zod";

const Str = z.string();
const OptStr = z.string().nullable();
const Tags = z.array(z.string());
const StrMap = z.record(z.string(), z.string());

/**
 * Octavia load balancers with their whole tree (listeners with L7 policies and
 * rules, pools with members and health monitor), as one item per load
 * balancer: the tree is planned and applied per load balancer, and nesting
 * keeps the references (default pool, redirect pool) inside one item.
 */
export const LbMember = z.object({
  id: Str,
  name: Str,
  address: Str,
  protocol_port: z.number().int(),
  subnet_id: OptStr,
  weight: z.number().int(),
  backup: z.boolean(),
  monitor_address: OptStr,
  monitor_port: z.number().int().nullable(),
  admin_state_up: z.boolean(),
  tags: Tags,
});
export type LbMember = z.infer<typeof LbMember>;

export const LbHealthMonitor = z.object({
  id: Str,
  name: Str,
  type: Str,
  delay: z.number().int(),
  timeout: z.number().int(),
  max_retries: z.number().int(),
  max_retries_down: z.number().int().nullable(),
  http_method: OptStr,
  url_path: OptStr,
  expected_codes: OptStr,
  admin_state_up: z.boolean(),
  tags: Tags,
});
export type LbHealthMonitor = z.infer<typeof LbHealthMonitor>;

export const LbSessionPersistence = z.object({ type: Str, cookie_name: OptStr, persistence_timeout: z.number().int().nullable(), persistence_granularity: OptStr });

export const LbPool = z.object({
  id: Str,
  name: Str,
  description: Str,
  protocol: Str,
  lb_algorithm: Str,
  session_persistence: LbSessionPersistence.nullable(),
  tls_enabled: z.boolean(),
  tls_container_ref: OptStr,
  ca_tls_container_ref: OptStr,
  admin_state_up: z.boolean(),
  tags: Tags,
  members: z.array(LbMember).default([]),
  healthmonitor: LbHealthMonitor.nullable().default(null),
});
export type LbPool = z.infer<typeof LbPool>;

export const LbL7Rule = z.object({
  id: Str,
  type: Str,
  compare_type: Str,
  key: OptStr,
  value: Str,
  invert: z.boolean(),
  admin_state_up: z.boolean(),
  tags: Tags,
});
export type LbL7Rule = z.infer<typeof LbL7Rule>;

export const LbL7Policy = z.object({
  id: Str,
  name: Str,
  description: Str,
  action: Str,
  position: z.number().int(),
  redirect_pool_id: OptStr,
  redirect_url: OptStr,
  redirect_prefix: OptStr,
  redirect_http_code: z.number().int().nullable(),
  admin_state_up: z.boolean(),
  tags: Tags,
  rules: z.array(LbL7Rule).default([]),
});
export type LbL7Policy = z.infer<typeof LbL7Policy>;

export const LbListener = z.object({
  id: Str,
  name: Str,
  description: Str,
  protocol: Str,
  protocol_port: z.number().int(),
  connection_limit: z.number().int(),
  default_pool_id: OptStr,
  default_tls_container_ref: OptStr,
  sni_container_refs: z.array(Str).default([]),
  client_ca_tls_container_ref: OptStr.default(null),
  insert_headers: StrMap,
  allowed_cidrs: z.array(Str).default([]),
  timeout_client_data: z.number().int().nullable(),
  timeout_member_connect: z.number().int().nullable(),
  timeout_member_data: z.number().int().nullable(),
  timeout_tcp_inspect: z.number().int().nullable(),
  admin_state_up: z.boolean(),
  tags: Tags,
  l7policies: z.array(LbL7Policy).default([]),
});
export type LbListener = z.infer<typeof LbListener>;

export const LoadBalancer = z.object({
  id: Str,
  name: Str,
  description: Str,
  project_id: OptStr,
  provisioning_status: Str,
  vip_address: OptStr,
  vip_port_id: OptStr,
  vip_subnet_id: OptStr,
  vip_network_id: OptStr,
  provider: OptStr,
  flavor_id: OptStr,
  availability_zone: OptStr,
  admin_state_up: z.boolean(),
  tags: Tags,
  listeners: z.array(LbListener).default([]),
  pools: z.array(LbPool).default([]),
});
export type LoadBalancer = z.infer<typeof LoadBalancer>;

/** Octavia provider drivers and LB flavors a cloud offers (mapped by name, like compute flavors). */
export const LbProvider = z.object({ name: Str, description: Str });
export type LbProvider = z.infer<typeof LbProvider>;
export const LbFlavor = z.object({ id: Str, name: Str, description: Str, enabled: z.boolean() });
export type LbFlavor = z.infer<typeof LbFlavor>;
