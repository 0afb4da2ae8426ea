/**
 * Pre-flight quota checks: what the planned steps will consume on the target,
 * against the target project's limits and current use, before anything is
 * created. Everything here is computed from the plan and the target
 * inventory; nothing is asked of the cloud.
 */
import type { Inventory, QuotaKey } from "../model/inventory.js";
import type { PlannedStep } from "../kinds/types.js";
import { isScsDefaultEgressRule } from "../mapping/security-group-defaults.js";
import type { QuotaCheck } from "../model/plan.js";

/** Rules Neutron adds to every new group on an SCS cloud (IPv4 and IPv6 egress). */
const DEFAULT_RULES_PER_GROUP = 2;

/** What the create steps of a plan need, per quota key. */
export function quotaNeeds(steps: PlannedStep[], target: Inventory): Partial<Record<QuotaKey, number>> {
  const need: Partial<Record<QuotaKey, number>> = {};
  const add = (k: QuotaKey, n: number) => {
    if (n > 0) need[k] = (need[k] ?? 0) + n;
  };
  for (const s of steps) {
    if (s.action === "skip") continue;
    const p = s.params as Record<string, any>;
    switch (s.kind) {
      case "keypair":
        if (s.action === "create") add("key_pairs", 1);
        break;
      case "network":
        add("networks", 1);
        break;
      case "subnet":
        add("subnets", 1);
        break;
      case "router":
        add("routers", 1);
        // Interfaces on an address other than the gateway are ports of the project.
        add("ports", (p.interfaces as { ip_address: string | null }[]).filter((i) => i.ip_address !== null).length);
        break;
      case "port":
        add("ports", 1);
        break;
      case "floating-ip":
        add("floatingips", 1);
        break;
      case "server-group":
        add("server_groups", 1);
        break;
      case "security-group": {
        const rules = (p.rules as (Omit<Parameters<typeof isScsDefaultEgressRule>[0], "remote_group_id"> & { remote_group: unknown })[]).map(
          (r) => ({ ...r, remote_group_id: r.remote_group === null ? null : "group" }),
        );
        if (s.action === "create") {
          add("security_groups", 1);
          add("security_group_rules", DEFAULT_RULES_PER_GROUP + rules.filter((r) => !isScsDefaultEgressRule(r)).length);
        } else {
          const existing = target.security_groups.find((g) => g.name === p.name);
          add("security_group_rules", Math.max(0, rules.length - (existing?.rules.length ?? 0)));
        }
        break;
      }
      case "security-group-rules":
        add("security_group_rules", (p.rules as unknown[]).length);
        break;
      case "volume":
        add("volumes", 1);
        add("gigabytes", p.size as number);
        break;
      case "server": {
        add("instances", 1);
        const flavor = p.flavor_ref ? target.flavors.find((f) => f.name === (p.flavor_ref as { name: string }).name) : undefined;
        if (flavor) {
          add("cores", flavor.vcpus);
          add("ram", flavor.ram);
        }
        if (typeof p.boot_volume_size === "number") {
          add("volumes", 1);
          add("gigabytes", p.boot_volume_size);
        }
        break;
      }
      default:
        break;
    }
  }
  return need;
}

/** Compares needs with the target's quotas; unknown quotas are not checked. */
export function checkQuotas(need: Partial<Record<QuotaKey, number>>, target: Inventory): QuotaCheck[] {
  const out: QuotaCheck[] = [];
  for (const key of Object.keys(need).sort() as QuotaKey[]) {
    const q = target.quotas[key];
    if (!q) continue;
    const needed = need[key] ?? 0;
    out.push({ resource: key, needed, in_use: q.in_use, limit: q.limit, ok: q.limit < 0 || q.in_use + needed <= q.limit });
  }
  return out;
}
