/**
 * Planning of security groups and their rules. A group is created with every
 * rule that needs no other group (CIDR rules and rules that reference the
 * group itself); rules that reference other groups form a second step per
 * group (`security-group-rules/<name>`), which depends on every group it
 * references. That breaks the cycles mutual references would make (web ↔ app).
 *
 * The rule list in params is the complete desired set. A new group on an SCS
 * cloud already holds the default egress rules (scs-0115); apply counts them
 * as present and removes them only when the source group lacks them.
 * The project's `default` group exists on both sides and is adopted.
 */
import { z } from "zod";
import { Cidr, PortNumber, portRangeProblems, Protocol } from "./param-types.js";
import type { SecurityGroup, SecurityGroupRule } from "../model/inventory.js";
import { canonicalJson } from "../util/digest.js";
import { ref, StepRefSchema, userTags } from "./common.js";
import { excluded, nameClash, owned, skipFor, stepFor } from "./plan-helpers.js";
import type { PlanContext, PlannedStep } from "./types.js";

export const RuleParams = z
  .object({
    direction: z.enum(["ingress", "egress"]),
    ethertype: z.enum(["IPv4", "IPv6"]),
    protocol: Protocol.nullable(),
    port_range_min: PortNumber.nullable(),
    port_range_max: PortNumber.nullable(),
    remote_ip_prefix: Cidr.nullable(),
    remote_group: z.union([z.literal("self"), StepRefSchema]).nullable(),
    description: z.string(),
  })
  .strict()
  .superRefine((r, ctx) => {
    for (const message of portRangeProblems(r)) ctx.addIssue({ code: "custom", message, path: ["port_range_min"] });
  });
export type RuleParams = z.infer<typeof RuleParams>;

export const SecurityGroupParams = z
  .object({
    name: z.string(),
    description: z.string(),
    stateful: z.boolean(),
    rules: z.array(RuleParams),
    tags: z.array(z.string()),
  })
  .strict();
export type SecurityGroupParams = z.infer<typeof SecurityGroupParams>;

export const SecurityGroupRulesParams = z
  .object({
    security_group: StepRefSchema,
    rules: z.array(RuleParams),
  })
  .strict();
export type SecurityGroupRulesParams = z.infer<typeof SecurityGroupRulesParams>;

/** The fields that make a rule what it is (no id, no description), on either side. */
export interface RuleFields {
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
}

/**
 * The one identity of a security-group rule, for planning, apply and verify:
 * everything but its id and description, with `remote` naming the remote
 * group in whatever terms the caller compares (step ids in plans, target ids
 * on the target, "self").
 */
export function ruleIdentity(r: RuleFields, remote: string | null): string {
  return canonicalJson({
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: normaliseProtocol(r.protocol),
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    // Why: Neutron treats 0.0.0.0/0 and ::/0 as "any" when it looks for duplicates.
    remote_ip_prefix: r.remote_ip_prefix === "0.0.0.0/0" || r.remote_ip_prefix === "::/0" || r.remote_ip_prefix === "" ? null : r.remote_ip_prefix,
    remote,
  });
}

/** A planned rule's identity (remote groups as step ids). */
export function ruleKey(r: Omit<RuleParams, "description">): string {
  return ruleIdentity(r, r.remote_group === null ? null : r.remote_group === "self" ? "self" : r.remote_group.$step);
}

const PROTOCOL_NUMBERS: Record<string, string> = { "1": "icmp", "6": "tcp", "17": "udp", "58": "ipv6-icmp", "112": "vrrp", "132": "sctp" };

/** Neutron accepts protocol names and numbers; compare them as names. */
export function normaliseProtocol(p: string | null): string | null {
  if (p === null || p === "" || p === "any") return null;
  const lower = p.toLowerCase();
  if (lower === "icmpv6") return "ipv6-icmp";
  return PROTOCOL_NUMBERS[lower] ?? lower;
}

function ruleParams(r: SecurityGroupRule, group: SecurityGroup, stepOfGroup: (id: string) => string | undefined): RuleParams | { foreign: string } {
  let remote: RuleParams["remote_group"] = null;
  if (r.remote_group_id) {
    if (r.remote_group_id === group.id) remote = "self";
    else {
      const s = stepOfGroup(r.remote_group_id);
      if (!s) return { foreign: r.remote_group_id };
      remote = ref(s);
    }
  }
  return {
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix,
    remote_group: remote,
    description: r.description,
  };
}

const byKey = (a: RuleParams, b: RuleParams) => ruleKey(a).localeCompare(ruleKey(b));

export function planSecurityGroups(ctx: PlanContext): PlannedStep[] {
  const { source } = ctx;
  const out: PlannedStep[] = [];
  const mine = source.security_groups.filter((g) => owned(source, g.project_id));
  const stepOfGroup = (gid: string) => (mine.some((g) => g.id === gid) ? ctx.ids.of("security_groups", gid) : undefined);
  for (const g of mine) {
    const id = ctx.ids.must("security_groups", g.id);
    const src = { id: g.id, name: g.name };
    if (excluded(ctx, id)) {
      out.push(skipFor("security-group", id, src, g, "skip_excluded_by_user", "excluded by the mapping file"));
      continue;
    }
    const local: RuleParams[] = [];
    const remote: RuleParams[] = [];
    for (const r of g.rules) {
      const p = ruleParams(r, g, stepOfGroup);
      if ("foreign" in p) {
        ctx.finding({
          severity: "warning",
          code: "rule_remote_group_foreign",
          step: id,
          message: `a rule of "${g.name}" references security group ${p.foreign}, which the project does not own; the rule is left out`,
        });
        continue;
      }
      if (p.remote_group === null || p.remote_group === "self") local.push(p);
      else remote.push(p);
    }
    local.sort(byKey);
    remote.sort(byKey);
    const isDefault = g.name === "default";
    if (!isDefault) {
      nameClash(ctx, id, "security group", g.name, ctx.target.security_groups.filter((t) => owned(ctx.target, t.project_id)).map((t) => t.name));
    }
    const params: SecurityGroupParams = { name: g.name, description: g.description, stateful: g.stateful, rules: local, tags: userTags(g.tags) };
    out.push(
      stepFor("security-group", id, src, g, {
        action: isDefault ? "adopt" : "create",
        ...(isDefault ? { note: "every project has a default group; its rules are made to match" } : {}),
        params,
        facts: { rules: g.rules.length },
      }),
    );
    if (remote.length > 0) {
      const rulesId = id.replace(/^security-group\//, "security-group-rules/");
      const deps = [id, ...remote.map((r) => (r.remote_group as { $step: string }).$step)];
      const rp: SecurityGroupRulesParams = { security_group: ref(id), rules: remote };
      out.push(stepFor("security-group-rules", rulesId, src, g, { dependsOn: deps, params: rp, note: `${remote.length} rule(s) referencing other groups` }));
    }
  }
  return out;
}
