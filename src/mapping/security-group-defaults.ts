/**
 * The egress rules every new security group already has on an SCS cloud
 * (scs-0115: default rules allow all egress, IPv4 and IPv6). Neutron adds them
 * when `POST /v2.0/security-groups` creates a group, so importing the source's
 * copies of them answers 409 "Security group rule already exists"; the planner
 * counts them as present instead of creating them.
 *
 * Quirks (checked against Neutron on Zed):
 * - The default rules have `protocol: null` and `remote_ip_prefix: null`.
 *   Neutron treats `0.0.0.0/0` (IPv4) and `::/0` (IPv6) as the same prefix
 *   and `"any"` as the same protocol, so rules written that way are also
 *   duplicates (409). `protocol: "0"` is stored as its own rule and is not one.
 *   https://docs.openstack.org/api-ref/network/v2/#create-security-group-rule
 */
import type { SecurityGroupRule } from "../model/inventory.js";

/** The rule fields that decide whether a rule is a default egress rule. */
export type RuleShape = Pick<
  SecurityGroupRule,
  "direction" | "ethertype" | "protocol" | "port_range_min" | "port_range_max" | "remote_ip_prefix" | "remote_group_id"
>;

const ANY_PREFIX: Record<RuleShape["ethertype"], string> = { IPv4: "0.0.0.0/0", IPv6: "::/0" };

/** True when a rule is one of the two egress rules a new group on an SCS cloud already has (any protocol, port and remote). */
export function isScsDefaultEgressRule(rule: RuleShape): boolean {
  if (rule.direction !== "egress") return false;
  if (rule.ethertype !== "IPv4" && rule.ethertype !== "IPv6") return false;
  const protocol = rule.protocol?.toLowerCase() ?? null;
  if (protocol !== null && protocol !== "any") return false;
  if (rule.port_range_min !== null || rule.port_range_max !== null) return false;
  if (rule.remote_group_id) return false;
  const prefix = rule.remote_ip_prefix;
  return prefix === null || prefix === "" || prefix === ANY_PREFIX[rule.ethertype];
}
