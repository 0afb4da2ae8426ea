/**
 * Step ids: `<kind>/<readable name>`, stable across runs of `plan` so that two
 * plans diff line by line. Names come from the source resources; where a name
 * is empty or not unique within its kind, a short prefix of the source id is
 * appended (`network/app~1a2b3c4d`), which is deterministic and still readable.
 * Unnamed ports are named after their server and network, unnamed boot volumes
 * after their server.
 */
import type { Inventory } from "../model/inventory.js";
import type { KindId } from "../model/plan.js";

type Collection =
  | "keypairs"
  | "networks"
  | "subnets"
  | "routers"
  | "security_groups"
  | "ports"
  | "server_groups"
  | "images"
  | "volumes"
  | "servers"
  | "floating_ips"
  | "volume_snapshots";

const KIND_OF: Record<Collection, KindId> = {
  keypairs: "keypair",
  networks: "network",
  subnets: "subnet",
  routers: "router",
  security_groups: "security-group",
  ports: "port",
  server_groups: "server-group",
  images: "image",
  volumes: "volume",
  servers: "server",
  floating_ips: "floating-ip",
  volume_snapshots: "volume-snapshot",
};

/** Lookup from (collection, source id) to step id. */
export interface StepIndex {
  of(collection: Collection, sourceId: string): string | undefined;
  /** Like `of`, but throws for an unknown id (a bug in planning). */
  must(collection: Collection, sourceId: string): string;
}

const clean = (s: string) => s.replace(/\//g, "_").trim();
const short = (id: string) => id.replace(/-/g, "").slice(0, 8);

function assign(kind: KindId, items: { id: string; label: string }[], out: Map<string, string>): void {
  const count = new Map<string, number>();
  for (const it of items) count.set(it.label, (count.get(it.label) ?? 0) + 1);
  for (const it of items) {
    const label = it.label === "" ? short(it.id) : (count.get(it.label) ?? 0) > 1 ? `${it.label}~${short(it.id)}` : it.label;
    out.set(it.id, `${kind}/${label}`);
  }
}

/** Assigns step ids to every resource of the source inventory. */
export function buildStepIndex(inv: Inventory): StepIndex {
  const maps = new Map<Collection, Map<string, string>>();
  const put = (c: Collection, items: { id: string; label: string }[]) => {
    const m = new Map<string, string>();
    assign(KIND_OF[c], items, m);
    maps.set(c, m);
  };
  const named = <T extends { id: string; name: string }>(xs: T[]) => xs.map((x) => ({ id: x.id, label: clean(x.name) }));

  put("keypairs", named(inv.keypairs));
  put("networks", named(inv.networks));
  put("subnets", named(inv.subnets));
  put("routers", named(inv.routers));
  put("security_groups", named(inv.security_groups));
  put("server_groups", named(inv.server_groups));
  put("images", named(inv.images));
  put("servers", named(inv.servers));
  put("volume_snapshots", named(inv.volume_snapshots));
  put("floating_ips", inv.floating_ips.map((f) => ({ id: f.id, label: f.floating_ip_address })));

  const serverName = new Map(inv.servers.map((s) => [s.id, clean(s.name) || short(s.id)]));
  const netName = new Map(inv.networks.map((n) => [n.id, clean(n.name) || short(n.id)]));
  put(
    "ports",
    inv.ports.map((p) => {
      if (p.name) return { id: p.id, label: clean(p.name) };
      const owner = serverName.get(p.device_id);
      const net = netName.get(p.network_id) ?? short(p.network_id);
      if (owner) return { id: p.id, label: `${owner}:${net}` };
      return { id: p.id, label: `${net}:${p.fixed_ips[0]?.ip_address ?? short(p.id)}` };
    }),
  );

  const bootOf = new Map<string, string>();
  for (const s of inv.servers) for (const v of s.volumes) if (v.boot_index === 0) bootOf.set(v.volume_id, serverName.get(s.id)!);
  put(
    "volumes",
    inv.volumes.map((v) => {
      if (v.name) return { id: v.id, label: clean(v.name) };
      const owner = bootOf.get(v.id);
      return { id: v.id, label: owner ? `${owner}-root` : "" };
    }),
  );

  return {
    of: (c, id) => maps.get(c)?.get(id),
    must: (c, id) => {
      const s = maps.get(c)?.get(id);
      if (!s) throw new Error(`no step id for ${c} ${id}`);
      return s;
    },
  };
}
