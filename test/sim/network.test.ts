import { describe, expect, it } from "vitest";
import { api, token, useSim, type Api } from "./helpers.js";

const sim = await useSim([{ name: "neutronsim", quotas: { network: 3, security_group_rule: 40 }, networkExtensions: ["trunk"] }]);
const c = sim.cloud("neutronsim");
const call: Api = api(c, await token(c));
const N = "/network/v2.0";

const net = (await call("POST", `${N}/networks`, { network: { name: "app" } })).body.network;
const sub = (await call("POST", `${N}/subnets`, { subnet: { name: "app-sub", network_id: net.id, cidr: "10.5.0.7/24", ip_version: 4 } })).body.subnet;

describe("neutron", () => {
  it("creates networks and subnets with Neutron's defaults", async () => {
    expect(net).toMatchObject({ name: "app", mtu: 1450, status: "ACTIVE", shared: false, "router:external": false, port_security_enabled: true, project_id: c.projectId, tenant_id: c.projectId });
    // As the lab's Neutron (Zed) answers: is_default on every network.
    expect(net.is_default).toBe(false);
    expect(sub).toMatchObject({ cidr: "10.5.0.0/24", gateway_ip: "10.5.0.1", allocation_pools: [{ start: "10.5.0.2", end: "10.5.0.254" }], enable_dhcp: true });
    const pub = (await call("GET", `${N}/networks?router:external=True`)).body.networks;
    expect(pub).toHaveLength(1);
    expect(pub[0]).toMatchObject({ name: "public", is_default: true, shared: false, "router:external": true });
  });

  it("refuses tags in a create or update body with Zed's message (tags are set through /tags)", async () => {
    const post = await call("POST", `${N}/networks`, { network: { name: "tagged", tags: ["a"] } });
    expect(post.status).toBe(400);
    expect(post.body.NeutronError.message).toBe("Attribute 'tags' not allowed in POST");
    const put = await call("PUT", `${N}/networks/${net.id}`, { network: { tags: ["a"] } });
    expect(put.body.NeutronError.message).toBe("Attribute 'tags' not allowed in PUT");
  });

  it("rejects an overlapping CIDR and an invalid one with 400 InvalidInput", async () => {
    const overlap = await call("POST", `${N}/subnets`, { subnet: { network_id: net.id, cidr: "10.5.0.128/25", ip_version: 4 } });
    expect(overlap.status).toBe(400);
    expect(overlap.body).toEqual({ NeutronError: { type: "InvalidInput", message: `Invalid input for operation: Requested subnet with cidr: 10.5.0.128/25 for network: ${net.id} overlaps with another subnet.`, detail: "" } });
    const bad = await call("POST", `${N}/subnets`, { subnet: { network_id: net.id, cidr: "10.6.0.0/33", ip_version: 4 } });
    expect(bad.body.NeutronError).toEqual({ type: "InvalidInput", message: "Invalid input for operation: 10.6.0.0/33 is not in a CIDR format.", detail: "" });
  });

  it("allocates fixed IPs and refuses an address in use with 409 IpAddressAlreadyAllocated", async () => {
    const p1 = (await call("POST", `${N}/ports`, { port: { network_id: net.id, name: "p1" } })).body.port;
    expect(p1.fixed_ips).toEqual([{ subnet_id: sub.id, ip_address: "10.5.0.2" }]);
    expect(p1.mac_address).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    expect(p1).toMatchObject({ status: "DOWN", device_id: "", "binding:vnic_type": "normal" });
    const sg = (await call("GET", `${N}/security-groups?name=default`)).body.security_groups[0];
    expect(p1.security_groups).toEqual([sg.id]);
    const p2 = await call("POST", `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: "10.5.0.50" }] } });
    expect(p2.status).toBe(201);
    const clash = await call("POST", `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: "10.5.0.50" }] } });
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({ NeutronError: { type: "IpAddressAlreadyAllocated", message: `IP address 10.5.0.50 already allocated in subnet ${sub.id}`, detail: "" } });
    const outside = await call("POST", `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: "10.99.0.5" }] } });
    expect(outside.body.NeutronError).toEqual({ type: "InvalidIpForNetwork", message: "IP address 10.99.0.5 is not a valid IP for any of the subnets on the specified network.", detail: "" });
    const byIp = (await call("GET", `${N}/ports?fixed_ips=ip_address%3D10.5.0.50`)).body.ports;
    expect(byIp.map((p: { id: string }) => p.id)).toEqual([p2.body.port.id]);
  });

  it("gives a new security group the two default egress rules and 409s duplicates naming the existing rule", async () => {
    const g = (await call("POST", `${N}/security-groups`, { security_group: { name: "web" } })).body.security_group;
    const rules = g.security_group_rules.map((r: Record<string, unknown>) => [r["direction"], r["ethertype"], r["protocol"], r["remote_ip_prefix"]]);
    expect(rules).toEqual([["egress", "IPv4", null, null], ["egress", "IPv6", null, null]]);
    const dupEgress = await call("POST", `${N}/security-group-rules`, { security_group_rule: { security_group_id: g.id, direction: "egress", ethertype: "IPv4" } });
    expect(dupEgress.status).toBe(409);
    const egressId = g.security_group_rules[0].id;
    expect(dupEgress.body).toEqual({ NeutronError: { type: "SecurityGroupRuleExists", message: `Security group rule already exists. Rule id is ${egressId}.`, detail: "" } });
    const ssh = await call("POST", `${N}/security-group-rules`, { security_group_rule: { security_group_id: g.id, direction: "ingress", protocol: "tcp", port_range_min: 22, port_range_max: 22, remote_ip_prefix: "0.0.0.0/0" } });
    expect(ssh.status).toBe(201);
    expect(ssh.body.security_group_rule).toMatchObject({ normalized_cidr: "0.0.0.0/0", description: "", protocol: "tcp" });
    const byNumber = await call("POST", `${N}/security-group-rules`, { security_group_rule: { security_group_id: g.id, direction: "ingress", protocol: "6", port_range_min: 22, port_range_max: 22, remote_ip_prefix: "0.0.0.0/0" } });
    expect(byNumber.body.NeutronError.message).toBe(`Security group rule already exists. Rule id is ${ssh.body.security_group_rule.id}.`);
    const fromGroup = await call("POST", `${N}/security-group-rules`, { security_group_rule: { security_group_id: g.id, direction: "ingress", remote_group_id: g.id } });
    expect(fromGroup.body.security_group_rule.remote_group_id).toBe(g.id);
    const conflict = await call("POST", `${N}/security-group-rules`, { security_group_rule: { security_group_id: g.id, direction: "ingress", ethertype: "IPv4", remote_ip_prefix: "::/0" } });
    expect(conflict.body.NeutronError.type).toBe("SecurityGroupRuleParameterConflict");
  });

  it("keeps the project's default group with its four rules and refuses to delete it", async () => {
    const d = (await call("GET", `${N}/security-groups?name=default`)).body.security_groups[0];
    expect(d.description).toBe("Default security group");
    const summary = d.security_group_rules.map((r: Record<string, unknown>) => `${r["direction"]}/${r["ethertype"]}/${r["remote_group_id"] === d.id ? "self" : "any"}`).sort();
    expect(summary).toEqual(["egress/IPv4/any", "egress/IPv6/any", "ingress/IPv4/self", "ingress/IPv6/self"]);
    const del = await call("DELETE", `${N}/security-groups/${d.id}`);
    expect(del.body).toEqual({ NeutronError: { type: "SecurityGroupCannotRemoveDefault", message: "Insufficient rights for removing default security group.", detail: "" } });
  });

  it("connects routers, allocates floating IPs and associates them through the router", async () => {
    const pub = (await call("GET", `${N}/networks?name=public`)).body.networks[0];
    const port = (await call("POST", `${N}/ports`, { port: { network_id: net.id, name: "fip-target" } })).body.port;
    const fip = (await call("POST", `${N}/floatingips`, { floatingip: { floating_network_id: pub.id } })).body.floatingip;
    expect(fip.floating_ip_address).toMatch(/^203\.0\.113\.\d+$/);
    const unreachable = await call("PUT", `${N}/floatingips/${fip.id}`, { floatingip: { port_id: port.id } });
    expect(unreachable.status).toBe(404);
    expect(unreachable.body.NeutronError.type).toBe("ExternalGatewayForFloatingIPNotFound");
    const router = (await call("POST", `${N}/routers`, { router: { name: "r", external_gateway_info: { network_id: pub.id } } })).body.router;
    expect(router.external_gateway_info.external_fixed_ips[0].ip_address).toMatch(/^203\.0\.113\./);
    const itf = await call("PUT", `${N}/routers/${router.id}/add_router_interface`, { subnet_id: sub.id });
    expect(itf.body).toMatchObject({ id: router.id, subnet_id: sub.id, network_id: net.id });
    const again = await call("PUT", `${N}/routers/${router.id}/add_router_interface`, { subnet_id: sub.id });
    expect(again.body.NeutronError.message).toBe(`Bad router request: Router already has a port on subnet ${sub.id}.`);
    const gwPort = (await call("GET", `${N}/ports/${itf.body.port_id}`)).body.port;
    expect(gwPort).toMatchObject({ device_owner: "network:router_interface", fixed_ips: [{ subnet_id: sub.id, ip_address: "10.5.0.1" }] });
    const assoc = await call("PUT", `${N}/floatingips/${fip.id}`, { floatingip: { port_id: port.id } });
    expect(assoc.body.floatingip).toMatchObject({ port_id: port.id, fixed_ip_address: port.fixed_ips[0].ip_address, router_id: router.id, port_details: { name: "fip-target" } });
    expect((await call("DELETE", `${N}/routers/${router.id}`)).body.NeutronError.type).toBe("RouterInUse");
    expect((await call("DELETE", `${N}/ports/${itf.body.port_id}`)).body.NeutronError.type).toBe("L3PortInUse");
  });

  it("enforces quotas with 409 OverQuota and reports usage in quota details", async () => {
    expect((await call("POST", `${N}/networks`, { network: { name: "n2" } })).status).toBe(201);
    expect((await call("POST", `${N}/networks`, { network: { name: "n3" } })).status).toBe(201);
    const over = await call("POST", `${N}/networks`, { network: { name: "n4" } });
    expect(over.status).toBe(409);
    expect(over.body).toEqual({ NeutronError: { type: "OverQuota", message: "Quota exceeded for resources: ['network'].", detail: "" } });
    const details = (await call("GET", `${N}/quotas/${c.projectId}/details`)).body.quota;
    expect(details.network).toEqual({ limit: 3, used: 3, reserved: 0 });
    expect((await call("PUT", `${N}/quotas/${c.projectId}`, { quota: { network: 10 } })).status).toBe(403);
  });

  it("tags resources and filters by tags; supports fields and rejects unknown filters", async () => {
    expect((await call("PUT", `${N}/networks/${net.id}/tags`, { tags: ["blue", "prod"] })).body).toEqual({ tags: ["blue", "prod"] });
    const one = await call("PUT", `${N}/networks/${net.id}/tags/extra`);
    expect(one.status).toBe(201);
    expect(one.text).toBe("null");
    const hit = (await call("GET", `${N}/networks?tags=blue,extra&fields=id&fields=name`)).body.networks;
    expect(hit).toEqual([{ id: net.id, name: "app" }]);
    expect((await call("GET", `${N}/networks?tags-any=nothing`)).body.networks).toEqual([]);
    expect((await call("DELETE", `${N}/networks/${net.id}/tags/zz`)).body.NeutronError).toEqual({ type: "TagNotFound", message: "Tag zz could not be found.", detail: "" });
    const bad = await call("GET", `${N}/ports?bogus=1`);
    expect(bad.status).toBe(400);
    expect(bad.body.NeutronError).toEqual({ type: "HTTPBadRequest", message: "['bogus'] is invalid attribute for filtering", detail: "" });
  });

  it("lists extensions with tag and router support, trunk only when switched on", async () => {
    const aliases = (await call("GET", `${N}/extensions`)).body.extensions.map((e: { alias: string }) => e.alias);
    expect(aliases).toEqual(expect.arrayContaining(["standard-attr-tag", "router", "standard-attr-description", "security-group", "trunk"]));
    expect(aliases).not.toContain("qos");
  });

  it("refuses to delete a network with ports and answers unknown paths with NeutronError", async () => {
    const del = await call("DELETE", `${N}/networks/${net.id}`);
    expect(del.status).toBe(409);
    expect(del.body.NeutronError.type).toBe("NetworkInUse");
    const unknown = await call("GET", `${N}/bogus`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ NeutronError: { type: "HTTPNotFound", message: "The resource could not be found.", detail: "" } });
    expect((await call("GET", `${N}/networks/nope`)).body.NeutronError).toEqual({ type: "NetworkNotFound", message: "Network nope could not be found.", detail: "" });
  });
});
