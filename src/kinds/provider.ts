/**
 * Collections of the cloud rather than of a kind: what the project uses but
 * does not own (flavors, volume types, availability zones), its quotas, and
 * the provider-specific features assess reports. They are never steps; the
 * planner maps them. Flavors are a shared call because servers read their
 * figures from them on older clouds.
 */
import * as bs from "../openstack/block-storage.js";
import * as compute from "../openstack/compute.js";
import * as net from "../openstack/network.js";
import type { Flavor, Quotas } from "../model/inventory.js";
import * as lbapi from "../openstack/load-balancer.js";
import { lbFlavors, lbProviders, listOctaviaOnce, type OctaviaListing } from "./load-balancer.collect.js";
import type { CollectContext, Collector } from "./types.js";

/** Flavors with their extra specs (inline from compute 2.61; older clouds need one call per flavor). */
export function listFlavorModels(cx: CollectContext): Promise<Flavor[]> {
  const c = cx.cloud.compute;
  return cx.once("compute.flavors", async () => {
    const flavors = await compute.listFlavors(c, { is_public: "None" });
    return Promise.all(
      flavors.map(async (f) => ({
        id: f.id,
        name: f.name,
        vcpus: f.vcpus,
        ram: f.ram,
        disk: f.disk,
        ephemeral: f.ephemeral,
        swap: f.swap,
        is_public: f.is_public,
        description: f.description,
        extra_specs: f.extra_specs ?? (await cx.optional(`extra specs of flavor ${f.name}`, () => compute.getFlavorExtraSpecs(c, f.id), {})),
      })),
    );
  });
}

/** Neutron ports, listed once for ports, servers and routers. */
export const listPortsOnce = (cx: CollectContext) => cx.once("network.ports", () => net.listPorts(cx.cloud.network));
/** Neutron networks, listed once for networks and features. */
export const listNetworksOnce = (cx: CollectContext) => cx.once("network.networks", () => net.listNetworks(cx.cloud.network));

export const flavors: Collector<"flavors"> = { name: "flavors", collect: listFlavorModels };

export const volumeTypes: Collector<"volume_types"> = {
  name: "volume_types",
  async collect(cx) {
    const b = cx.cloud.blockStorage;
    const [types, defaultType] = await Promise.all([
      cx.optional("volume types", () => bs.listVolumeTypes(b), []),
      cx.optional("default volume type", () => bs.getDefaultVolumeType(b), null),
    ]);
    return types.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      is_public: t.is_public,
      is_default: defaultType ? t.id === defaultType.id : t.name === "__DEFAULT__",
      extra_specs: t.extra_specs,
    }));
  },
};

export const availabilityZones: Collector<"availability_zones"> = {
  name: "availability_zones",
  keepOrder: true,
  async collect(cx) {
    const [computeZones, volumeZones] = await Promise.all([
      cx.optional("compute availability zones", () => compute.listAvailabilityZones(cx.cloud.compute), []),
      cx.optional("volume availability zones", () => bs.listAvailabilityZones(cx.cloud.blockStorage), []),
    ]);
    return [
      ...computeZones.map((z) => ({ service: "compute" as const, name: z.name, available: z.available })),
      ...volumeZones.map((z) => ({ service: "volume" as const, name: z.name, available: z.available })),
    ];
  },
};

/** Quota keys of the model and where each service reports them. */
const QUOTA_SOURCES: [keyof Quotas, "compute" | "volume" | "network", string][] = [
  ["instances", "compute", "instances"],
  ["cores", "compute", "cores"],
  ["ram", "compute", "ram"],
  ["key_pairs", "compute", "key_pairs"],
  ["server_groups", "compute", "server_groups"],
  ["volumes", "volume", "volumes"],
  ["gigabytes", "volume", "gigabytes"],
  ["snapshots", "volume", "snapshots"],
  ["networks", "network", "network"],
  ["subnets", "network", "subnet"],
  ["ports", "network", "port"],
  ["routers", "network", "router"],
  ["floatingips", "network", "floatingip"],
  ["security_groups", "network", "security_group"],
  ["security_group_rules", "network", "security_group_rule"],
];

export const quotas: Collector<"quotas"> = {
  name: "quotas",
  async collect(cx) {
    const pid = cx.cloud.projectId;
    const [computeQ, volumeQ, networkQ] = await Promise.all([
      cx.optional("compute quotas", () => compute.getQuotaSet(cx.cloud.compute, pid), {}),
      cx.optional("volume quotas", () => bs.getQuotaUsage(cx.cloud.blockStorage, pid), {}),
      cx.optional("network quotas", () => net.getQuotaDetails(cx.cloud.network, pid), {}),
    ]);
    const by = { compute: computeQ, volume: volumeQ, network: networkQ } as Record<string, Record<string, { limit: number; in_use: number }>>;
    const out: Quotas = {};
    for (const [key, service, name] of QUOTA_SOURCES) {
      const v = by[service]![name];
      if (v) out[key] = { limit: v.limit, in_use: v.in_use };
    }
    return { ...out, ...(await octaviaQuotas(cx)) };
  },
};

/**
 * Octavia's quota has limits only; what is in use is counted from the
 * project's objects. null (the cloud's default) is read as unlimited, which
 * is what Octavia's shipped default (-1) means.
 */
async function octaviaQuotas(cx: CollectContext): Promise<Quotas> {
  if (!cx.cloud.has("load-balancer")) return {};
  const [q, o] = await Promise.all([
    cx.optional("load-balancer quotas", () => lbapi.getLoadBalancerQuota(cx.cloud.loadBalancer, cx.cloud.projectId), null),
    listOctaviaOnce(cx),
  ]);
  if (!q) return {};
  const members = [...o.members.values()].reduce((n, m) => n + m.length, 0);
  const pairs: [keyof Quotas, number | null, number][] = [
    ["load_balancers", q.loadbalancer, o.lbs.length],
    ["lb_listeners", q.listener, o.listeners.length],
    ["lb_pools", q.pool, o.pools.length],
    ["lb_members", q.member, members],
    ["lb_health_monitors", q.healthmonitor, o.monitors.length],
    ["lb_l7_policies", q.l7policy, o.policies.length],
  ];
  return Object.fromEntries(pairs.map(([k, limit, used]) => [k, { limit: limit ?? -1, in_use: used }]));
}

/** Load-balancer settings that do not carry over by themselves: provider flavors, Barbican certificates, zones. */
function octaviaFeatures(o: OctaviaListing): { kind: string; id: string; name: string; detail: string }[] {
  const out: { kind: string; id: string; name: string; detail: string }[] = [];
  for (const lb of o.lbs) {
    if (lb.flavor_id) out.push({ kind: "lb-flavor", id: lb.id, name: lb.name, detail: `load-balancer flavor ${lb.flavor_id} (provider ${lb.provider ?? "default"})` });
    if (lb.availability_zone) out.push({ kind: "lb-availability-zone", id: lb.id, name: lb.name, detail: `availability zone ${lb.availability_zone}` });
  }
  for (const l of o.listeners) {
    const refs = [l.default_tls_container_ref, ...l.sni_container_refs, l.client_ca_tls_container_ref].filter((r): r is string => !!r);
    if (refs.length) out.push({ kind: "lb-tls-secret", id: l.id, name: l.name, detail: `${l.protocol} listener on port ${l.protocol_port} uses ${refs.length} Barbican reference(s)` });
  }
  for (const p of o.pools) {
    if (p.tls_container_ref || p.ca_tls_container_ref) out.push({ kind: "lb-tls-secret", id: p.id, name: p.name, detail: "pool re-encrypts to members with Barbican certificates" });
  }
  return out;
}

export const features: Collector<"features"> = {
  name: "features",
  keepOrder: true,
  async collect(cx) {
    const pid = cx.cloud.projectId;
    const n = cx.cloud.network;
    const [qosPolicies, trunks, ports, networks, octavia] = await Promise.all([
      cx.optional("QoS policies", () => net.listQosPolicies(n), []),
      cx.optional("trunks", () => net.listTrunks(n), []),
      listPortsOnce(cx),
      listNetworksOnce(cx),
      listOctaviaOnce(cx),
    ]);
    return [
      ...qosPolicies.filter((p) => p.project_id === pid).map((p) => ({ kind: "qos-policy", id: p.id, name: p.name, detail: `${p.rules.length} rule(s)` })),
      ...trunks.map((t) => ({ kind: "trunk", id: t.id, name: t.name, detail: `parent port ${t.port_id}, ${t.sub_ports.length} subport(s)` })),
      ...ports.filter((p) => p.qos_policy_id).map((p) => ({ kind: "port-qos", id: p.id, name: p.name, detail: `QoS policy ${p.qos_policy_id}` })),
      ...networks.filter((x) => x.qos_policy_id && x.project_id === pid).map((x) => ({ kind: "network-qos", id: x.id, name: x.name, detail: `QoS policy ${x.qos_policy_id}` })),
      ...octaviaFeatures(octavia),
    ];
  },
};

/** Every collection that is not a kind's, in summary order. */
export const PROVIDER_COLLECTORS: readonly Collector[] = [flavors, volumeTypes, lbProviders, lbFlavors, availabilityZones, quotas, features];
