/**
 * Neutron routers: created with the gateway on the target's external network,
 * then the interfaces (by subnet, or through a port with the source's address
 * where it was not the subnet gateway), then the extra routes (which need the
 * interfaces first: Neutron rejects a nexthop it cannot reach).
 *
 * API: /v2.0/routers, PUT /v2.0/routers/{id}/add_router_interface and
 * remove_router_interface, PUT /v2.0/routers/{id}/tags
 */
import { listPortsOnce } from "./provider.js";
import * as net from "../openstack/network.js";
import { NotFoundError } from "../errors.js";
import { markerTags, userTags } from "./common.js";
import { ensureMarked, findMarked } from "./neutron-marker.js";
import { planRouters, RouterParams } from "./router.plan.js";
import { defineKind, type ApplyContext, type Collector } from "./types.js";
import { compareFields, deleteIgnoringMissing, missing, mismatch, orNull, sorted } from "./verify-helpers.js";

type Ctx = ApplyContext<RouterParams>;

/** The target's external network id by name (memoised per run). */
export function externalNetworkId(ctx: ApplyContext<unknown, unknown>, name: string): Promise<string> {
  return ctx.memo(`external-network:${name}`, async () => {
    const nets = await net.listNetworks(ctx.target.network, { name, "router:external": "true" });
    const hit = nets[0] ?? (await net.listNetworks(ctx.target.network, { name }))[0];
    if (!hit) throw new NotFoundError(`external network "${name}" does not exist on the target`, { hint: "Set externalNetwork in the mapping file and re-plan." });
    return hit.id;
  });
}

/** Routers, with their interfaces read from the `network:router_interface*` ports. */
export const routers: Collector<"routers"> = {
  name: "routers",
  async collect(cx) {
    const [list, ports] = await Promise.all([net.listRouters(cx.cloud.network), listPortsOnce(cx)]);
    const interfacesOf = new Map<string, { subnet_id: string; port_id: string; ip_address: string }[]>();
    for (const p of ports) {
      if (!p.device_owner.startsWith("network:router_interface") && p.device_owner !== "network:ha_router_replicated_interface") continue;
      for (const ip of p.fixed_ips) {
        (interfacesOf.get(p.device_id) ?? interfacesOf.set(p.device_id, []).get(p.device_id)!).push({ subnet_id: ip.subnet_id, port_id: p.id, ip_address: ip.ip_address });
      }
    }
    return list.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      admin_state_up: r.admin_state_up,
      external_gateway: r.external_gateway_info,
      interfaces: (interfacesOf.get(r.id) ?? []).sort((a, x) => a.subnet_id.localeCompare(x.subnet_id)),
      routes: r.routes,
      project_id: r.project_id,
      tags: r.tags,
    }));
  },
};

export const router = defineKind<RouterParams>({
  kind: "router",
  color: "#1d4f80",
  collection: routers,
  describe: (step) => `${step.params.interfaces.length} interface(s)${step.params.external_gateway ? `, gateway on ${step.params.external_gateway.network.name}` : ""}`,
  quotaNeeds: (step) => ({
    routers: 1,
    // Why: interfaces on an address other than the gateway are ports of the project.
    ports: step.params.interfaces.filter((i) => i.ip_address !== null).length,
  }),
  driftCandidates: (inv) => inv.routers,
  needsExternalNetwork: (step) => step.params.external_gateway !== null,
  lane: () => "api",
  paramsSchema: RouterParams,
  plan: planRouters,

  async find(ctx) {
    return (await findMarked(ctx, (f) => net.listRouters(ctx.target.network, f)))?.id ?? null;
  },

  async apply(ctx) {
    const p = ctx.params;
    const n = ctx.target.network;
    const gateway = p.external_gateway
      ? { network_id: await externalNetworkId(ctx, p.external_gateway.network.name), ...(p.external_gateway.enable_snat === false ? { enable_snat: false } : {}) }
      : null;
    const { resource, outcome } = await ensureMarked(ctx, {
      resource: "routers",
      list: (f) => net.listRouters(n, f),
      create: (description) => net.createRouter(n, { name: p.name, description, admin_state_up: p.admin_state_up, ...(gateway ? { external_gateway_info: gateway } : {}) }),
      update: (id, body) => net.updateRouter(n, id, body),
      description: p.description,
      tags: p.tags,
    });
    const id = resource.id;
    const ports = await net.listPorts(n, { device_id: id });
    const onSubnet = new Set(ports.filter((x) => x.device_owner.startsWith("network:router_interface")).flatMap((x) => x.fixed_ips.map((f) => f.subnet_id)));
    for (const itf of p.interfaces) {
      const subnetId = ctx.targetIdOf(itf.subnet_id);
      if (onSubnet.has(subnetId)) continue;
      if (itf.ip_address === null) {
        await net.addRouterInterface(n, id, { subnet_id: subnetId });
      } else {
        // A port with the source's interface address, tagged so a retry finds it.
        const tags = [...markerTags(ctx.migration, ctx.step.source.id), `scs-migrate-rif:${subnetId.slice(0, 36)}`];
        let port = (await net.listPorts(n, { tags: tags.join(",") }))[0];
        if (!port) {
          const sub = await net.getSubnet(n, subnetId);
          port = await net.createPort(n, { network_id: sub.network_id, fixed_ips: [{ subnet_id: subnetId, ip_address: itf.ip_address }], name: "" });
          await net.replaceTags(n, "ports", port.id, tags);
        }
        await net.addRouterInterface(n, id, { port_id: port.id });
      }
    }
    if (p.routes.length > 0) await net.updateRouter(n, id, { routes: p.routes });
    return { outcome, targetId: id };
  },

  async verify(ctx, targetId) {
    const p = ctx.params;
    const n = ctx.target.network;
    const t = await orNull(net.getRouter(n, targetId));
    if (!t) return [missing(ctx)];
    const findings = compareFields(ctx, { ...p, routes: sorted(p.routes) }, { ...t, tags: userTags(t.tags), routes: sorted(t.routes) }, ["name", "description", "admin_state_up", "routes", "tags"]);
    const gw = p.external_gateway ? await externalNetworkId(ctx, p.external_gateway.network.name) : null;
    if ((t.external_gateway_info?.network_id ?? null) !== gw) findings.push(mismatch(ctx, "external_gateway_info.network_id", gw, t.external_gateway_info?.network_id ?? null, "gateway network"));
    const ports = await net.listPorts(n, { device_id: targetId });
    const have = new Set(ports.filter((x) => x.device_owner.startsWith("network:router_interface")).flatMap((x) => x.fixed_ips.map((f) => f.subnet_id)));
    for (const itf of p.interfaces) {
      const sid = ctx.targetIdOf(itf.subnet_id);
      if (!have.has(sid)) findings.push(mismatch(ctx, `interfaces[${itf.subnet_id.$step}]`, "attached", "missing", `interface on ${itf.subnet_id.$step}`));
    }
    return findings;
  },

  async remove(ctx, targetId) {
    const n = ctx.target.network;
    const r = await orNull(net.getRouter(n, targetId));
    if (!r) return;
    if (r.routes.length > 0) await net.updateRouter(n, targetId, { routes: [] });
    for (const port of await net.listPorts(n, { device_id: targetId })) {
      if (!port.device_owner.startsWith("network:router_interface")) continue;
      await deleteIgnoringMissing(net.removeRouterInterface(n, targetId, { port_id: port.id }));
    }
    await deleteIgnoringMissing(net.deleteRouter(n, targetId));
    // Ports made for interfaces on non-gateway addresses stay behind when the interface is removed by port.
    for (const port of await net.listPorts(n, { tags: markerTags(ctx.migration, ctx.step.source.id).join(",") })) {
      await deleteIgnoringMissing(net.deletePort(n, port.id));
    }
  },
});
