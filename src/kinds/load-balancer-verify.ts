/**
 * Verify of a load balancer's tree: every object the config step carries is
 * found by its marker and compared field by field with the plan (members
 * with their resolved address, listeners with their default pool, L7 policies
 * with their redirect pool).
 */
import { userTags } from "./common.js";
import type { LbMemberParams, LoadBalancerConfigParams } from "./load-balancer.plan.js";
import type { MarkedTree } from "./load-balancer-tree.js";
import type { ApplyContext, VerifyFinding } from "./types.js";
import { compareFields, missing } from "./verify-helpers.js";

type Ctx = ApplyContext<LoadBalancerConfigParams>;

/** Listener timeouts, compared where the source set them (else the target's default stands). */
const TIMEOUTS = ["timeout_client_data", "timeout_member_connect", "timeout_member_data", "timeout_tcp_inspect"] as const;

/** Compares one object, naming it in the field (`pools[web].lb_algorithm`). */
function compare(ctx: Ctx, where: string, expected: Record<string, unknown>, actual: Record<string, unknown>, fields: string[]): VerifyFinding[] {
  const e = { ...expected, tags: [...((expected.tags as string[]) ?? [])].sort() };
  const a = { ...actual, tags: userTags((actual.tags as string[]) ?? []) };
  return compareFields(ctx, e, a, [...fields, "admin_state_up", "tags"]).map((f) => ({
    ...f,
    field: `${where}.${f.field}`,
    message: `${ctx.stepId}: ${where}.${f.field} is ${JSON.stringify(f.actual)} on the target, expected ${JSON.stringify(f.expected)}`,
  }));
}

const gone = (ctx: Ctx, where: string): VerifyFinding => missing(ctx, `${ctx.stepId}: ${where} not found on the target`);

export async function verifyTree(ctx: Ctx, have: MarkedTree, addressOf: (m: LbMemberParams) => Promise<string>): Promise<VerifyFinding[]> {
  const out: VerifyFinding[] = [];
  const poolId = new Map<string, string>();
  for (const p of ctx.params.pools) {
    const where = `pools[${p.name || p.src}]`;
    const pool = have.pools.get(p.src);
    if (!pool) {
      out.push(gone(ctx, where));
      continue;
    }
    poolId.set(p.src, pool.id);
    const sp = pool.session_persistence ? { type: pool.session_persistence.type, cookie_name: pool.session_persistence.cookie_name } : null;
    out.push(...compare(ctx, where, p, { ...pool, session_persistence: sp }, ["name", "description", "protocol", "lb_algorithm", "session_persistence"]));
    for (const m of p.members) {
      const mw = `${where}.members[${m.name || m.src}]`;
      const got = have.members.get(m.src);
      if (!got || got.pool_id !== pool.id) {
        out.push(gone(ctx, mw));
        continue;
      }
      const subnet = m.subnet_id ? ctx.targetIdOf(m.subnet_id) : got.subnet_id;
      out.push(...compare(ctx, mw, { ...m, address: await addressOf(m), subnet_id: subnet }, got, ["name", "address", "protocol_port", "subnet_id", "weight", "backup", "monitor_address", "monitor_port"]));
    }
    const hm = p.healthmonitor;
    if (hm) {
      const got = have.monitors.get(hm.src);
      if (!got) out.push(gone(ctx, `${where}.healthmonitor`));
      else out.push(...compare(ctx, `${where}.healthmonitor`, hm, got, ["name", "type", "delay", "timeout", "max_retries", "max_retries_down", "http_method", "url_path", "expected_codes"]));
    }
  }
  for (const l of ctx.params.listeners) {
    const where = `listeners[${l.name || l.src}]`;
    const got = have.listeners.get(l.src);
    if (!got) {
      out.push(gone(ctx, where));
      continue;
    }
    const expected = { ...l, default_pool_id: l.default_pool ? poolId.get(l.default_pool) ?? l.default_pool : null, allowed_cidrs: l.allowed_cidrs };
    out.push(...compare(ctx, where, expected, { ...got, allowed_cidrs: [...got.allowed_cidrs].sort() }, ["name", "description", "protocol", "protocol_port", "connection_limit", "default_pool_id", "insert_headers", "allowed_cidrs", ...TIMEOUTS.filter((t) => l[t] !== null)]));
    for (const p of l.l7policies) {
      const pw = `${where}.l7policies[${p.name || p.src}]`;
      const pol = have.policies.get(p.src);
      if (!pol) {
        out.push(gone(ctx, pw));
        continue;
      }
      const pe = { ...p, redirect_pool_id: p.redirect_pool ? poolId.get(p.redirect_pool) ?? p.redirect_pool : null };
      out.push(...compare(ctx, pw, pe, pol, ["name", "description", "action", "position", "redirect_pool_id", "redirect_url", "redirect_prefix", "redirect_http_code"]));
      for (const r of p.rules) {
        const rule = have.rules.get(r.src);
        if (!rule || rule.policy_id !== pol.id) out.push(gone(ctx, `${pw}.rules[${r.src}]`));
        else out.push(...compare(ctx, `${pw}.rules[${r.src}]`, r, rule, ["type", "compare_type", "key", "value", "invert"]));
      }
    }
  }
  return out;
}
