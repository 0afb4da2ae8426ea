/**
 * Seeding Neutron resources of a tenant spec: networks with their subnets,
 * routers (gateway, interfaces, routes), security groups with their rules,
 * and standalone ports. Each step reuses what a previous run made.
 *
 * Quirks: tags cannot be given on create without the `tag-creation`
 * extension, so a twin's key mark is set right after creating it; a re-run
 * interrupted in between creates that twin again (the unmarked one is left
 * for the user to notice, as any half-made resource would be).
 */
import * as net from "../openstack/network.js";
import type { Network } from "../openstack/network.js";
import { ConfigError, statusIs } from "../errors.js";
import { keyOf, type PortSpec } from "./spec.js";
import { keyTag, matches, twinNames, type SeedCtx } from "./seed-context.js";

const markOf = (tags: string[]) => tags.find((t) => t.startsWith("seed-key:"))?.slice("seed-key:".length);

async function markTwin(sc: SeedCtx, twins: Set<string>, resource: net.TaggableResource, s: { key?: string | undefined; name: string }, id: string): Promise<void> {
  if (twins.has(s.name)) await net.replaceTags(sc.cloud.network, resource, id, [keyTag(keyOf(s))]);
}

/** Networks and their subnets. */
export async function seedNetworks(sc: SeedCtx, nets: Network[]): Promise<void> {
  const n = sc.cloud.network;
  const subs = await net.listSubnets(n);
  const netTwins = twinNames(sc.spec.networks);
  const subTwins = twinNames(sc.spec.networks.flatMap((x) => x.subnets));
  for (const ns of sc.spec.networks) {
    let netw = nets.find((x) => x.project_id === sc.pid && matches(ns, netTwins, x, markOf(x.tags)));
    if (netw) sc.reused(`network/${keyOf(ns)}`);
    else {
      netw = await net.createNetwork(n, {
        name: ns.name,
        description: ns.description,
        ...(ns.mtu !== undefined ? { mtu: ns.mtu } : {}),
        ...(ns.port_security_enabled !== undefined ? { port_security_enabled: ns.port_security_enabled } : {}),
      });
      await markTwin(sc, netTwins, "networks", ns, netw.id);
      sc.made(`network/${keyOf(ns)}`);
    }
    sc.r.networks[keyOf(ns)] = netw.id;
    for (const ss of ns.subnets) {
      const have = subs.find((x) => x.network_id === netw!.id && matches(ss, subTwins, x, markOf(x.tags)));
      if (have) {
        sc.reused(`subnet/${keyOf(ss)}`);
        sc.r.subnets[keyOf(ss)] = have.id;
        continue;
      }
      const sub = await net.createSubnet(n, {
        name: ss.name,
        description: ss.description,
        network_id: netw.id,
        ip_version: ss.ip_version,
        cidr: ss.cidr,
        enable_dhcp: ss.enable_dhcp,
        ...(ss.gateway_ip !== undefined ? { gateway_ip: ss.gateway_ip } : {}),
        ...(ss.allocation_pools ? { allocation_pools: ss.allocation_pools } : {}),
        dns_nameservers: ss.dns_nameservers,
        host_routes: ss.host_routes,
        ...(ss.ipv6_ra_mode ? { ipv6_ra_mode: ss.ipv6_ra_mode } : {}),
        ...(ss.ipv6_address_mode ? { ipv6_address_mode: ss.ipv6_address_mode } : {}),
      });
      await markTwin(sc, subTwins, "subnets", ss, sub.id);
      sc.r.subnets[keyOf(ss)] = sub.id;
      sc.made(`subnet/${keyOf(ss)}`);
    }
  }
}

/** The cloud's external network for gateways and floating IPs (the default one first). */
export function externalNetwork(nets: Network[]): Network | undefined {
  return nets.filter((x) => x.external).sort((a, b) => Number(b.is_default) - Number(a.is_default) || a.name.localeCompare(b.name))[0];
}

/** Routers: gateway, interfaces, routes. */
export async function seedRouters(sc: SeedCtx, external: Network | undefined): Promise<void> {
  const n = sc.cloud.network;
  const routers = await net.listRouters(n);
  const twins = twinNames(sc.spec.routers);
  for (const rs of sc.spec.routers) {
    let router = routers.find((x) => x.project_id === sc.pid && matches(rs, twins, x, markOf(x.tags)));
    if (router) sc.reused(`router/${keyOf(rs)}`);
    else {
      if (rs.external_gateway && !external) throw new ConfigError(`router ${rs.name} wants an external gateway but cloud ${sc.cloud.name} has no external network`);
      router = await net.createRouter(n, {
        name: rs.name,
        description: rs.description,
        ...(rs.external_gateway && external ? { external_gateway_info: { network_id: external.id } } : {}),
      });
      await markTwin(sc, twins, "routers", rs, router.id);
      sc.made(`router/${keyOf(rs)}`);
    }
    sc.r.routers[keyOf(rs)] = router.id;
    const attached = new Set((await net.listPorts(n, { device_id: router.id })).flatMap((p) => p.fixed_ips.map((f) => f.subnet_id)));
    for (const s of rs.interfaces) {
      const sid = sc.r.subnets[s]!;
      if (attached.has(sid)) continue;
      await net.addRouterInterface(n, router.id, { subnet_id: sid });
    }
    if (rs.routes.length > 0) await net.updateRouter(n, router.id, { routes: rs.routes });
  }
}

/** Security groups first, then their rules (a rule may reference any group). */
export async function seedSecurityGroups(sc: SeedCtx): Promise<void> {
  const n = sc.cloud.network;
  const groups = await net.listSecurityGroups(n);
  const twins = twinNames(sc.spec.security_groups);
  for (const gs of sc.spec.security_groups) {
    let grp = groups.find((x) => x.project_id === sc.pid && matches(gs, twins, x, markOf(x.tags)));
    if (grp) sc.reused(`security-group/${keyOf(gs)}`);
    else {
      grp = await net.createSecurityGroup(n, { name: gs.name, description: gs.description });
      await markTwin(sc, twins, "security-groups", gs, grp.id);
      sc.made(`security-group/${keyOf(gs)}`);
    }
    sc.r.securityGroups[keyOf(gs)] = grp.id;
  }
  const defaultGroup = groups.find((x) => x.name === "default" && x.project_id === sc.pid);
  if (defaultGroup) sc.r.securityGroups["default"] ??= defaultGroup.id;
  for (const gs of sc.spec.security_groups) {
    for (const rule of gs.rules) {
      try {
        await net.createSecurityGroupRule(n, {
          security_group_id: sc.r.securityGroups[keyOf(gs)],
          direction: rule.direction,
          ethertype: rule.ethertype,
          ...(rule.protocol !== null ? { protocol: rule.protocol } : {}),
          ...(rule.port_range_min !== null ? { port_range_min: rule.port_range_min } : {}),
          ...(rule.port_range_max !== null ? { port_range_max: rule.port_range_max } : {}),
          ...(rule.remote_ip_prefix !== null ? { remote_ip_prefix: rule.remote_ip_prefix } : {}),
          ...(rule.remote_group !== null ? { remote_group_id: sc.r.securityGroups[rule.remote_group] } : {}),
          ...(rule.description ? { description: rule.description } : {}),
        });
      } catch (err) {
        // Why: a re-run finds its rules already there; Neutron answers 409 SecurityGroupRuleExists.
        if (!statusIs(err, 409)) throw err;
      }
    }
  }
}

function portBody(sc: SeedCtx, ps: PortSpec): Record<string, unknown> {
  return {
    name: ps.name,
    description: ps.description,
    network_id: sc.r.networks[ps.network],
    ...(ps.fixed_ips.length
      ? { fixed_ips: ps.fixed_ips.map((f) => ({ ...(f.subnet ? { subnet_id: sc.r.subnets[f.subnet] } : {}), ...(f.ip_address ? { ip_address: f.ip_address } : {}) })) }
      : {}),
    ...(ps.security_groups ? { security_groups: ps.security_groups.map((g) => sc.r.securityGroups[g]!) } : {}),
    ...(ps.port_security_enabled !== undefined ? { port_security_enabled: ps.port_security_enabled } : {}),
    ...(ps.allowed_address_pairs.length ? { allowed_address_pairs: ps.allowed_address_pairs } : {}),
  };
}

/** Standalone ports (VIPs, ports a server is booted with later). */
export async function seedPorts(sc: SeedCtx): Promise<void> {
  if (sc.spec.ports.length === 0) return;
  const n = sc.cloud.network;
  const twins = twinNames(sc.spec.ports);
  for (const ps of sc.spec.ports) {
    const existing = await net.listPorts(n, { name: ps.name, network_id: sc.r.networks[ps.network]! });
    const have = existing.find((x) => matches(ps, twins, x, markOf(x.tags)));
    if (have) {
      sc.reused(`port/${keyOf(ps)}`);
      sc.r.ports[keyOf(ps)] = have.id;
      continue;
    }
    const port = await net.createPort(n, portBody(sc, ps));
    await markTwin(sc, twins, "ports", ps, port.id);
    sc.r.ports[keyOf(ps)] = port.id;
    sc.made(`port/${keyOf(ps)}`);
  }
}
