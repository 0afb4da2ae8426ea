/**
 * External (public) network choice on the target: where routers get their
 * gateway and floating IPs come from. Pure: reads the target's
 * `GET /v2.0/networks` entries (`router:external`, `is_default`) from the
 * inventory.
 *
 * Rules, first match wins: the mapping file's `externalNetwork` (name or id;
 * it must be an external network) → the external network marked
 * `is_default` (scs-0126 draft: one per project) → the only external network →
 * none, an error that lists the candidates so the user can pick one.
 *
 * Quirks:
 * - Neutron allows one `is_default` external network per project, but a
 *   project may see another project's shared default too; if several are
 *   marked, the first by name wins and the note says so.
 */
import type { Network } from "../model/inventory.js";

/** Why an external network was chosen. */
export type ExternalNetworkBasis = "override" | "is-default" | "only-external";

/** The outcome of choosing the target's external network. */
export type ExternalNetworkChoice =
  | { ok: true; network: { id: string; name: string }; basis: ExternalNetworkBasis; note: string }
  | { ok: false; reason: string; candidates: string[] };

function byName(a: Network, b: Network): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1;
}

/** Chooses the target's external network by override, `is_default`, or uniqueness. */
export function chooseExternalNetwork(
  targetNetworks: Network[],
  override: string | null | undefined = null,
): ExternalNetworkChoice {
  const external = targetNetworks.filter((n) => n.external).sort(byName);
  const candidates = external.map((n) => n.name || n.id);
  const listed = candidates.length ? candidates.join(", ") : "none";
  const pick = (n: Network, basis: ExternalNetworkBasis, note: string): ExternalNetworkChoice => ({
    ok: true,
    network: { id: n.id, name: n.name },
    basis,
    note,
  });

  if (override) {
    const hit =
      targetNetworks.find((n) => n.name === override && n.external) ??
      targetNetworks.find((n) => n.id === override) ??
      targetNetworks.find((n) => n.name === override);
    if (!hit) {
      return { ok: false, reason: `external network ${override} from the mapping file does not exist on the target (external networks: ${listed})`, candidates };
    }
    if (!hit.external) {
      return { ok: false, reason: `network ${override} from the mapping file is not an external network on the target (external networks: ${listed})`, candidates };
    }
    return pick(hit, "override", "mapping file");
  }

  const defaults = external.filter((n) => n.is_default);
  if (defaults.length > 0) {
    const more = defaults.length > 1 ? ` (first by name of ${defaults.length} marked default)` : "";
    return pick(defaults[0]!, "is-default", `external network marked is_default${more}`);
  }
  if (external.length === 1) return pick(external[0]!, "only-external", "the only external network");
  if (external.length === 0) {
    return { ok: false, reason: "the target has no external network; routers and floating IPs cannot be recreated", candidates };
  }
  return {
    ok: false,
    reason: `the target has ${external.length} external networks and none is marked default (${listed}); set externalNetwork in the mapping file`,
    candidates,
  };
}
