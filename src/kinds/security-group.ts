/**
 * Security groups and their rules. A created group's rules are made to equal
 * the plan's rule set exactly: missing rules are added, and the default
 * egress rules Neutron put there are removed when the source group did not
 * have them. The adopted `default` group only gets rules added (it is not
 * ours to prune); the ids of the rules added are kept so rollback can take
 * exactly those away again. Remote-group rules are a separate step
 * (`security-group-rules`), which works the same way on an existing group.
 *
 * API: /v2.0/security-groups, /v2.0/security-group-rules (409
 * SecurityGroupRuleExists for a duplicate counts as present)
 */
import { describeGroupChange } from "./security-group.change.js";
import type { Inventory } from "../model/inventory.js";
import { isScsDefaultEgressRule } from "../mapping/security-group-defaults.js";
import * as net from "../openstack/network.js";
import { statusIs } from "../errors.js";
import { canonicalJson } from "../util/digest.js";
import { userTags } from "./common.js";
import { ensureMarked, findMarked } from "./neutron-marker.js";
import {
  planSecurityGroups,
  ruleIdentity,
  type RuleFields,
  SecurityGroupParams,
  SecurityGroupRulesParams,
  type RuleParams,
} from "./security-group.plan.js";
import { defineKind, type ApplyContext, type Collector, type QuotaNeeds, type TypedStep, type VerifyFinding } from "./types.js";
import { compareFields, deleteIgnoringMissing, missing, orNull } from "./verify-helpers.js";

type TargetRule = net.SecurityGroupRule;

/** A rule's identity on the target: remote groups as target ids, "self" as the group itself. */
const keyOf = (r: RuleFields, remote: string | null): string => ruleIdentity(r, remote);

function desiredRemote(ctx: ApplyContext, r: RuleParams, groupId: string): string | null {
  if (r.remote_group === null) return null;
  return r.remote_group === "self" ? groupId : ctx.targetIdOf(r.remote_group);
}

/**
 * Adds the missing rules of `desired` to a group; removes extra rules when
 * `prune` (a group this migration made). Returns the ids of added rules.
 */
/** Rules this step added to a group it does not own, recorded one by one so a crash between two creates loses none. */
const addedRules = (ctx: ApplyContext<unknown, unknown>): string[] => (ctx.data().addedRules as string[] | undefined) ?? [];
const recordAdded = (ctx: ApplyContext<unknown, unknown>) => (id: string) => ctx.setData({ addedRules: [...new Set([...addedRules(ctx), id])] });

/** Removes the rules this step added, and forgets them. */
async function removeAdded(ctx: ApplyContext<unknown, unknown>): Promise<void> {
  for (const id of addedRules(ctx)) await deleteIgnoringMissing(net.deleteSecurityGroupRule(ctx.target.network, id));
  ctx.setData({ addedRules: [] });
}

async function syncRules(ctx: ApplyContext, groupId: string, desired: RuleParams[], prune: "all" | "none", onAdded?: (ruleId: string) => void): Promise<string[]> {
  const n = ctx.target.network;
  const group = await net.getSecurityGroup(n, groupId);
  const have = new Map<string, TargetRule>();
  for (const r of group.security_group_rules) have.set(keyOf(r, r.remote_group_id ?? null), r);
  const want = new Set<string>();
  const added: string[] = [];
  for (const r of desired) {
    const remote = desiredRemote(ctx, r, groupId);
    const key = keyOf(r, remote);
    want.add(key);
    if (have.has(key)) continue;
    try {
      const made = await net.createSecurityGroupRule(n, {
        security_group_id: groupId,
        direction: r.direction,
        ethertype: r.ethertype,
        ...(r.protocol !== null ? { protocol: r.protocol } : {}),
        ...(r.port_range_min !== null ? { port_range_min: r.port_range_min } : {}),
        ...(r.port_range_max !== null ? { port_range_max: r.port_range_max } : {}),
        ...(r.remote_ip_prefix !== null ? { remote_ip_prefix: r.remote_ip_prefix } : {}),
        ...(remote !== null ? { remote_group_id: remote } : {}),
        ...(r.description ? { description: r.description } : {}),
      });
      added.push(made.id);
      onAdded?.(made.id);
    } catch (err) {
      // Why: Neutron calls 0.0.0.0/0 and "any" duplicates of rules it already has (SCS default egress).
      if (!statusIs(err, 409)) throw err;
    }
  }
  if (prune === "all") {
    for (const [key, r] of have) {
      if (want.has(key)) continue;
      await deleteIgnoringMissing(net.deleteSecurityGroupRule(n, r.id));
      if (!isScsDefaultEgressRule(r)) ctx.warn(`removed rule ${r.id} that the plan does not have`);
    }
  }
  return added;
}

async function ruleFindings(ctx: ApplyContext, groupId: string, desired: RuleParams[], exact: boolean): Promise<VerifyFinding[]> {
  const group = await orNull(net.getSecurityGroup(ctx.target.network, groupId));
  if (!group) return [missing(ctx)];
  const have = new Set(group.security_group_rules.map((r) => keyOf(r, r.remote_group_id ?? null)));
  const want = new Set(desired.map((r) => keyOf(r, desiredRemote(ctx, r, groupId))));
  const out: VerifyFinding[] = [];
  for (const k of want) if (!have.has(k)) out.push({ step: ctx.stepId, severity: "mismatch", field: "rules", expected: JSON.parse(k), actual: null, message: `${ctx.stepId}: rule missing on the target: ${k}` });
  if (exact) for (const k of have) if (!want.has(k)) out.push({ step: ctx.stepId, severity: "mismatch", field: "rules", expected: null, actual: JSON.parse(k), message: `${ctx.stepId}: extra rule on the target: ${k}` });
  return out;
}

async function findDefaultGroup(ctx: ApplyContext): Promise<string | null> {
  const groups = await net.listSecurityGroups(ctx.target.network, { name: "default", project_id: ctx.target.projectId });
  return groups[0]?.id ?? null;
}

export const securityGroups: Collector<"security_groups"> = {
  name: "security_groups",
  async collect(cx) {
    return (await net.listSecurityGroups(cx.cloud.network)).map((sg) => ({
      id: sg.id,
      name: sg.name,
      description: sg.description,
      stateful: sg.stateful,
      project_id: sg.project_id,
      tags: sg.tags,
      rules: sg.security_group_rules
        .map((r) => ({
          id: r.id,
          direction: r.direction,
          ethertype: r.ethertype,
          protocol: r.protocol,
          port_range_min: r.port_range_min,
          port_range_max: r.port_range_max,
          remote_ip_prefix: r.remote_ip_prefix,
          remote_group_id: r.remote_group_id,
          description: r.description,
        }))
        .sort((a, x) => a.id.localeCompare(x.id)),
    }));
  },
};

/** Rules Neutron adds to every new group on an SCS cloud (IPv4 and IPv6 egress). */
const DEFAULT_RULES_PER_GROUP = 2;

/** A new group brings the default rules and the source's other rules; an adopted one only what it lacks. */
function groupQuotaNeeds(step: TypedStep<SecurityGroupParams, unknown>, target: Inventory): QuotaNeeds {
  const p = step.params;
  const rules = p.rules.map((r) => ({ ...r, remote_group_id: r.remote_group === null ? null : "group" }));
  if (step.action === "create") {
    return { security_groups: 1, security_group_rules: DEFAULT_RULES_PER_GROUP + rules.filter((r) => !isScsDefaultEgressRule(r)).length };
  }
  const existing = target.security_groups.find((g) => g.name === p.name);
  return { security_group_rules: Math.max(0, rules.length - (existing?.rules.length ?? 0)) };
}

export const securityGroup = defineKind<SecurityGroupParams>({
  kind: "security-group",
  color: "#e07b39",
  collection: securityGroups,
  describe: (step) => `${step.params.rules.length} rule(s)${step.action === "adopt" ? ", made to match" : ""}`,
  quotaNeeds: groupQuotaNeeds,
  driftCandidates: (inv) => inv.security_groups,
  describeChange: describeGroupChange,
  lane: () => "api",
  paramsSchema: SecurityGroupParams,
  plan: planSecurityGroups,

  async find(ctx) {
    // Why: an adopted group is the target's own; only rules this migration recorded as added make it ours to touch.
    if (ctx.step.action === "adopt") return addedRules(ctx).length ? findDefaultGroup(ctx) : null;
    return (await findMarked(ctx, (f) => net.listSecurityGroups(ctx.target.network, f)))?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const n = ctx.target.network;
    if (ctx.step.action === "adopt") {
      const id = await findDefaultGroup(ctx);
      if (!id) throw new Error(`${ctx.stepId}: the target project has no "${p.name}" security group to adopt`);
      await syncRules(ctx, id, p.rules, "none", recordAdded(ctx));
      return { outcome: "adopted", targetId: id };
    }
    const { resource, outcome } = await ensureMarked(ctx, {
      resource: "security-groups",
      list: (f) => net.listSecurityGroups(n, f),
      create: (description) => net.createSecurityGroup(n, { name: p.name, description, ...(p.stateful ? {} : { stateful: false }) }),
      update: (id, body) => net.updateSecurityGroup(n, id, body),
      description: p.description,
      tags: p.tags,
    });
    await syncRules(ctx, resource.id, p.rules, "all");
    return { outcome, targetId: resource.id };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const g = await orNull(net.getSecurityGroup(ctx.target.network, targetId));
    if (!g) return [missing(ctx)];
    const adopt = ctx.step.action === "adopt";
    const findings = adopt ? [] : compareFields(ctx, p, { ...g, tags: userTags(g.tags) }, ["name", "description", "stateful", "tags"]);
    // Remote-group rules belong to the security-group-rules step; leave them out of the exact comparison.
    const remoteKeys = new Set(g.security_group_rules.filter((r) => r.remote_group_id && r.remote_group_id !== targetId).map((r) => keyOf(r, r.remote_group_id ?? null)));
    const local = await ruleFindings(ctx, targetId, p.rules, !adopt);
    return [...findings, ...local.filter((f) => !(f.actual && remoteKeys.has(canonicalJson(f.actual))))];
  },

  async remove(ctx, targetId) {
    if (ctx.step.action === "adopt") return removeAdded(ctx);
    await deleteIgnoringMissing(net.deleteSecurityGroup(ctx.target.network, targetId));
  },
});

export const securityGroupRules = defineKind<SecurityGroupRulesParams>({
  kind: "security-group-rules",
  color: "#f2ab73",
  collection: securityGroups,
  describe: (step) => `${step.params.rules.length} rule(s) referencing other groups`,
  quotaNeeds: (step) => ({ security_group_rules: step.params.rules.length }),
  describeChange: describeGroupChange,
  lane: () => "api",
  paramsSchema: SecurityGroupRulesParams,
  plan: () => [], // planned together with its group by security-group

  async find(ctx) {
    // Why: the group belongs to another step; this step owns only the rules it recorded as added.
    if (addedRules(ctx).length === 0) return null;
    try {
      return ctx.targetIdOf(ctx.params.security_group);
    } catch {
      return null;
    }
  },

  async apply(ctx) {
    const p = ctx.params;
    const groupId = ctx.targetIdOf(p.security_group);
    await syncRules(ctx, groupId, p.rules, "none", recordAdded(ctx));
    return { outcome: "created", targetId: groupId };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    return ruleFindings(ctx, targetId, p.rules, false);
  },

  remove: removeAdded,
});


