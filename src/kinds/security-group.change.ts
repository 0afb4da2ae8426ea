/**
 * How a source security group changed since the plan, in words: rules are
 * named by what they allow ("rule ingress tcp/443 from 0.0.0.0/0 added")
 * rather than by their position in a list, which a reviewer cannot read and
 * which shifts when one rule goes.
 */
import type { SecurityGroup, SecurityGroupRule } from "../model/inventory.js";
import { shortId } from "./common.js";
import { normaliseProtocol, ruleIdentity } from "./security-group.plan.js";

/** "rule ingress tcp/443 from 0.0.0.0/0", "rule egress any to any (IPv6)". */
export function describeRule(r: SecurityGroupRule): string {
  const proto = normaliseProtocol(r.protocol) ?? "any";
  const min = r.port_range_min;
  const max = r.port_range_max;
  const ports = min === null ? "" : max === null || max === min ? `/${min}` : `/${min}-${max}`;
  const remote = r.remote_group_id ? `group ${shortId(r.remote_group_id)}` : r.remote_ip_prefix || "any";
  const dir = r.direction === "ingress" ? "from" : "to";
  return `rule ${r.direction} ${proto}${ports} ${dir} ${remote}${r.ethertype === "IPv6" ? " (IPv6)" : ""}`;
}

/** Rules removed, added and re-described between two versions of a group. */
export function describeGroupChange(before: SecurityGroup, after: SecurityGroup): { lines: string[]; fields: string[] } {
  const key = (r: SecurityGroupRule) => ruleIdentity(r, r.remote_group_id);
  const was = new Map(before.rules.map((r) => [key(r), r]));
  const now = new Map(after.rules.map((r) => [key(r), r]));
  const lines: string[] = [];
  for (const [k, r] of was) if (!now.has(k)) lines.push(`${describeRule(r)} removed`);
  for (const [k, r] of now) {
    const old = was.get(k);
    if (!old) lines.push(`${describeRule(r)} added`);
    else if (old.description !== r.description) lines.push(`${describeRule(r)}: description changed from ${JSON.stringify(old.description)} to ${JSON.stringify(r.description)}`);
  }
  return { lines, fields: ["rules"] };
}
