import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import {
  addRouterInterface,
  associateFloatingIp,
  createNetwork,
  deleteNetwork,
  disassociateFloatingIp,
  getQuotaDetails,
  listQosPolicies,
  listSecurityGroups,
  listTrunks,
  removeRouterInterface,
  replaceTags,
  setRouterGateway,
} from "../../src/openstack/network.js";
import { FAST_HTTP, FakeOpenStack, fakeCloud, PROJECT_ID } from "../helpers/fake-openstack.js";

let fake: FakeOpenStack;
let cloud: OpenStackCloud;

beforeEach(async () => {
  fake = await FakeOpenStack.start();
  cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP });
});
afterEach(async () => {
  cloud.close();
  await fake.close();
});

describe("neutron resources", () => {
  it("creates a network under its body key and maps router:external and tenant_id", async () => {
    fake.on("POST", "/network/v2.0/networks", (req) => ({
      status: 201,
      json: { network: { id: "n1", tenant_id: PROJECT_ID, "router:external": "False", mtu: 1450, status: "ACTIVE", ...req.json.network } },
    }));
    const n = await createNetwork(cloud.network, { name: "app", admin_state_up: true });
    expect(fake.callsTo("POST", "/network/v2.0/networks")[0]!.json).toEqual({ network: { name: "app", admin_state_up: true } });
    expect(n).toMatchObject({ id: "n1", name: "app", external: false, project_id: PROJECT_ID, mtu: 1450, description: "", tags: [], shared: false });
    fake.on("DELETE", "/network/v2.0/networks/n1", { status: 204 });
    await deleteNetwork(cloud.network, "n1");
    expect(fake.callsTo("DELETE", "/network/v2.0/networks/n1")).toHaveLength(1);
  });

  it("accepts the default group's rules with null descriptions", async () => {
    fake.on("GET", "/network/v2.0/security-groups", {
      json: {
        security_groups: [
          {
            id: "sg1",
            name: "default",
            stateful: true,
            tenant_id: PROJECT_ID,
            description: "Default security group",
            security_group_rules: [
              { id: "r1", security_group_id: "sg1", ethertype: "IPv4", direction: "egress", protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, description: null, tags: [] },
            ],
            tags: [],
          },
        ],
      },
    });
    const [sg] = await listSecurityGroups(cloud.network);
    expect(sg!.security_group_rules[0]).toMatchObject({ id: "r1", direction: "egress", ethertype: "IPv4", protocol: null, description: "", project_id: null });
    expect(sg!.project_id).toBe(PROJECT_ID);
  });

  it("adds and removes router interfaces and sets the gateway", async () => {
    const iface = { id: "r1", subnet_id: "s1", subnet_ids: ["s1"], port_id: "p1", network_id: "n1", project_id: PROJECT_ID, tenant_id: PROJECT_ID, tags: [] };
    fake.on("PUT", "/network/v2.0/routers/r1/add_router_interface", { json: iface });
    fake.on("PUT", "/network/v2.0/routers/r1/remove_router_interface", { json: iface });
    fake.on("PUT", "/network/v2.0/routers/r1", (req) => ({ json: { router: { id: "r1", name: "r", ...req.json.router } } }));
    expect((await addRouterInterface(cloud.network, "r1", { subnet_id: "s1" })).port_id).toBe("p1");
    await removeRouterInterface(cloud.network, "r1", { port_id: "p1" });
    const r = await setRouterGateway(cloud.network, "r1", { network_id: "ext", enable_snat: true });
    expect(r.external_gateway_info).toEqual({ network_id: "ext", enable_snat: true, external_fixed_ips: [] });
    const cleared = await setRouterGateway(cloud.network, "r1", null);
    expect(fake.callsTo("PUT", "/network/v2.0/routers/r1").map((c) => c.json)).toEqual([
      { router: { external_gateway_info: { network_id: "ext", enable_snat: true } } },
      { router: { external_gateway_info: {} } },
    ]);
    expect(cleared.external_gateway_info).toBeNull();
    expect(fake.callsTo("PUT", "/network/v2.0/routers/r1/remove_router_interface")[0]!.json).toEqual({ port_id: "p1" });
  });

  it("associates and disassociates floating IPs through port_id", async () => {
    fake.on("PUT", "/network/v2.0/floatingips/f1", (req) => ({
      json: { floatingip: { id: "f1", floating_ip_address: "203.0.113.5", floating_network_id: "ext", status: "DOWN", ...req.json.floatingip } },
    }));
    const a = await associateFloatingIp(cloud.network, "f1", "p1", "10.0.0.5");
    expect(a.port_id).toBe("p1");
    const d = await disassociateFloatingIp(cloud.network, "f1");
    expect(d.port_id).toBeNull();
    expect(fake.callsTo("PUT", "/network/v2.0/floatingips/f1").map((c) => c.json)).toEqual([
      { floatingip: { port_id: "p1", fixed_ip_address: "10.0.0.5" } },
      { floatingip: { port_id: null } },
    ]);
  });

  it("replaces tags with PUT /{resource}/{id}/tags", async () => {
    fake.on("PUT", "/network/v2.0/security-groups/sg1/tags", (req) => ({ json: { tags: req.json.tags } }));
    expect(await replaceTags(cloud.network, "security-groups", "sg1", ["scs-migrate", "src:abc"])).toEqual(["scs-migrate", "src:abc"]);
  });

  it("returns quota details with usage named in_use", async () => {
    fake.on("GET", `/network/v2.0/quotas/${PROJECT_ID}/details`, { json: { quota: { network: { used: 3, limit: 100, reserved: 0 }, port: { used: 0, limit: -1, reserved: 0 } } } });
    expect(await getQuotaDetails(cloud.network, PROJECT_ID)).toEqual({ network: { in_use: 3, limit: 100, reserved: 0 }, port: { in_use: 0, limit: -1, reserved: 0 } });
  });

  it("returns empty QoS and trunk lists when the extensions are missing (404)", async () => {
    // no routes: the fake answers 404 like Neutron without the extension
    expect(await listQosPolicies(cloud.network)).toEqual([]);
    expect(await listTrunks(cloud.network)).toEqual([]);
  });
});
