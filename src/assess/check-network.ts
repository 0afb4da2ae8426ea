/**
 * Network checks of the portability assessment. Pure: reads networks, ports
 * and floating IPs (`GET /v2.0/networks`, `/ports`, `/floatingips`) from the
 * inventory.
 *
 * Rules:
 * - Ports of the project on a network another project shares with it (not
 *   an external one): that network is the provider's or a neighbour's, and
 *   does not exist on another cloud → major.
 * - A network of the project that is shared: the RBAC grants name this
 *   cloud's project ids → minor.
 * - Ports of servers (or reserved, unbound ports) directly on an external
 *   network: the addresses and the network belong to the provider → major.
 *   Router gateways and floating IP ports (`device_owner` `network:*`) are
 *   the normal way to reach the outside and are not counted.
 * - Every floating IP changes its address on the move (DESIGN: "Floating IPs
 *   cannot keep their addresses") → minor each, so DNS and allow-lists get
 *   updated; the score caps the check, so many addresses do not sink it.
 */
import type { Port } from "../model/inventory.js";
import type { AssessContext } from "./context.js";
import { finding, listNames, nameOf, plural, ref } from "./context.js";
import type { Finding } from "./types.js";

/** The server (or device) a port belongs to, for messages. */
function ownerOf(ctx: AssessContext, p: Port): string {
  const s = ctx.serverById.get(p.device_id);
  if (s) return nameOf(s);
  return p.name || p.id;
}

/** Networks the project owns or has ports on. */
export function networksInUse(ctx: AssessContext): string[] {
  const ids = new Set(ctx.inv.networks.filter((n) => n.project_id === ctx.projectId).map((n) => n.id));
  for (const p of ctx.inv.ports) ids.add(p.network_id);
  return [...ids].sort();
}

/** Findings about the project's networks, ports and floating IPs. */
export function checkNetwork(ctx: AssessContext): Finding[] {
  const out: Finding[] = [];
  const portsByNetwork = new Map<string, Port[]>();
  for (const p of ctx.inv.ports) portsByNetwork.set(p.network_id, [...(portsByNetwork.get(p.network_id) ?? []), p]);

  for (const n of [...ctx.inv.networks].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1))) {
    const ports = portsByNetwork.get(n.id) ?? [];
    const own = n.project_id === ctx.projectId;
    if (n.external) {
      const direct = ports.filter((p) => !p.device_owner.startsWith("network:"));
      if (direct.length === 0) continue;
      const addrs = direct.flatMap((p) => p.fixed_ips.map((f) => f.ip_address));
      const at = addrs.length ? ` (addresses ${listNames(addrs)})` : "";
      out.push(
        finding(
          "port-on-provider-network",
          "major",
          ref("network", n),
          `${plural(direct.length, "port")} of ${listNames([...new Set(direct.map((p) => ownerOf(ctx, p)))])} sit directly on provider network ${nameOf(n)}${at}; provider networks and their addresses differ on every cloud`,
          `Attach these servers to a project network behind a router and reach them through floating IPs or a load balancer, or plan for new addresses on the target's default external network (scs-0126) and update DNS.`,
        ),
      );
      continue;
    }
    if (!n.shared) continue;
    if (own) {
      out.push(
        finding(
          "network-shared-own",
          "minor",
          ref("network", n),
          `network ${nameOf(n)} of this project is shared with other projects; the grants (RBAC) name this cloud's project ids`,
          `Share the new network again on the target: openstack network rbac create --type network --action access_as_shared --target-project <target project id> ${JSON.stringify(nameOf(n))}.`,
        ),
      );
    } else if (ports.length > 0) {
      out.push(
        finding(
          "network-shared-foreign",
          "major",
          ref("network", n),
          `${plural(ports.length, "port")} of ${listNames([...new Set(ports.map((p) => ownerOf(ctx, p)))])} sit on network ${nameOf(n)}, which another project shares with this one; it does not exist on another cloud`,
          `Recreate it as a network of the project on the target (same subnets and addresses), or agree an equivalent shared network with the target provider before the move.`,
        ),
      );
    }
  }

  for (const f of [...ctx.inv.floating_ips].sort((a, b) => (a.floating_ip_address < b.floating_ip_address ? -1 : 1))) {
    const port = f.port_id ? ctx.portById.get(f.port_id) : undefined;
    const to = port ? ` (on ${ownerOf(ctx, port)}${f.fixed_ip_address ? `, ${f.fixed_ip_address}` : ""})` : " (not attached)";
    out.push(
      finding(
        "floating-ip",
        "minor",
        `floating-ip/${f.floating_ip_address}`,
        `floating IP ${f.floating_ip_address}${to} cannot move: the target allocates a new address`,
        `Lower the TTL of DNS records pointing at ${f.floating_ip_address} before the move; afterwards update them and any allow-lists (the migration report lists old → new addresses).`,
      ),
    );
  }
  return out;
}
