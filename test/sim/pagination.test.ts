import { describe, expect, it } from "vitest";
import { FAST, MV, api, token, useSim, waitFor, type Api } from "./helpers.js";

const sim = await useSim([{ name: "pagesim", maxPageSize: 3, delays: FAST, quotas: { instances: -1, cores: -1, ram: -1, volumes: -1, snapshots: -1, gigabytes: -1, network: -1, subnet: -1, port: -1, router: -1, floatingip: -1, security_group: -1, security_group_rule: -1 } }]);
const c = sim.cloud("pagesim");
const call: Api = api(c, await token(c), { ...MV, "OpenStack-API-Version": "compute 2.79, volume 3.60" });
const COUNT = 7;

const pub = (await call("GET", "/network/v2.0/networks?name=public")).body.networks[0];
const flavor = [...c.store.flavors.values()].find((f) => f.name === "SCS-1V-2")!;
const image = [...c.store.images.values()][0]!;
const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGkgKNl1YO6l7eaGZbISkezSxxQVa1zdEW1AjWH4Fbj root@vm";
for (let i = 0; i < COUNT; i++) {
  const net = (await call("POST", "/network/v2.0/networks", { network: { name: `n${i}` } })).body.network;
  const sub = (await call("POST", "/network/v2.0/subnets", { subnet: { network_id: net.id, cidr: `10.${i}.0.0/24`, ip_version: 4 } })).body.subnet;
  const router = (await call("POST", "/network/v2.0/routers", { router: { name: `r${i}`, external_gateway_info: { network_id: pub.id } } })).body.router;
  await call("PUT", `/network/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id });
  const port = (await call("POST", "/network/v2.0/ports", { port: { network_id: net.id } })).body.port;
  await call("POST", "/network/v2.0/floatingips", { floatingip: { floating_network_id: pub.id, port_id: port.id } });
  await call("POST", "/network/v2.0/security-groups", { security_group: { name: `g${i}` } });
  await call("POST", "/compute/v2.1/os-keypairs", { keypair: { name: `k${i}`, public_key: key } });
  await call("POST", "/image/v2/images", { name: `img${i}` });
  await call("POST", "/compute/v2.1/servers", { server: { name: `s${i}`, flavorRef: flavor.id, networks: "none", block_device_mapping_v2: [{ boot_index: 0, source_type: "image", destination_type: "volume", uuid: image.id, volume_size: 1 }] } });
  const vol = (await call("POST", "/volume/v3/{project}/volumes", { volume: { size: 1, name: `v${i}` } })).body.volume;
  await waitFor(async () => (await call("GET", `/volume/v3/{project}/volumes/${vol.id}`)).body.volume.status, (s) => s === "available");
  await call("POST", "/volume/v3/{project}/snapshots", { snapshot: { volume_id: vol.id } });
}

/** Follows a collection's links the way the service's clients do; returns the ids seen and the page sizes. */
async function walk(first: string, key: string, next: (body: any) => string | undefined): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let url: string | undefined = first;
  for (let guard = 0; url && guard < 100; guard++) {
    const r = await call("GET", url.startsWith("http") ? url.slice(c.baseUrl.length) : url);
    expect(r.status).toBe(200);
    const items = r.body[key] as Array<Record<string, any>>;
    sizes.push(items.length);
    for (const it of items) ids.push(String(it["id"] ?? it["keypair"]?.["name"]));
    url = next(r.body);
  }
  return { ids, sizes };
}
const linkNext = (key: string) => (b: any) => (b[key] as Array<{ rel: string; href: string }> | undefined)?.find((l) => l.rel === "next")?.href;

const cases: Array<[string, string, string, (b: any) => string | undefined, () => number]> = [
  ["nova servers", "/compute/v2.1/servers/detail", "servers", linkNext("servers_links"), () => c.store.servers.size],
  ["nova flavors", "/compute/v2.1/flavors/detail", "flavors", linkNext("flavors_links"), () => c.store.flavors.size],
  ["nova keypairs", "/compute/v2.1/os-keypairs", "keypairs", linkNext("keypairs_links"), () => c.store.keypairs.size],
  ["neutron networks", "/network/v2.0/networks", "networks", linkNext("networks_links"), () => c.store.networks.size],
  ["neutron subnets", "/network/v2.0/subnets", "subnets", linkNext("subnets_links"), () => [...c.store.subnets.values()].filter((s) => s.project_id === c.projectId).length],
  ["neutron ports", "/network/v2.0/ports", "ports", linkNext("ports_links"), () => [...c.store.ports.values()].filter((p) => p.project_id === c.projectId).length],
  ["neutron routers", "/network/v2.0/routers", "routers", linkNext("routers_links"), () => c.store.routers.size],
  ["neutron floating ips", "/network/v2.0/floatingips", "floatingips", linkNext("floatingips_links"), () => c.store.floatingIps.size],
  ["neutron security groups", "/network/v2.0/security-groups", "security_groups", linkNext("security_groups_links"), () => c.store.securityGroups.size],
  ["neutron security group rules", "/network/v2.0/security-group-rules", "security_group_rules", linkNext("security_group_rules_links"), () => c.store.securityGroupRules.size],
  ["cinder volumes", "/volume/v3/{project}/volumes/detail", "volumes", linkNext("volumes_links"), () => c.store.volumes.size],
  ["cinder snapshots", "/volume/v3/{project}/snapshots/detail", "snapshots", linkNext("snapshots_links"), () => c.store.snapshots.size],
  ["glance images", "/image/v2/images", "images", (b) => (b.next ? `/image${b.next}` : undefined), () => c.store.images.size],
];

describe("pagination", () => {
  for (const [name, path, key, next, total] of cases) {
    it(`${name}: limit/marker pages cover every item once`, async () => {
      const sep = path.includes("?") ? "&" : "?";
      const withLimit = await walk(`${path}${sep}limit=2`, key, next);
      expect(withLimit.sizes.every((n) => n <= 2)).toBe(true);
      expect(new Set(withLimit.ids).size).toBe(withLimit.ids.length);
      expect(withLimit.ids.length).toBe(total());
      // Without a limit the server-side maximum (3) applies, with links to the rest.
      const capped = await walk(path, key, next);
      expect(capped.sizes[0]).toBe(3);
      expect(new Set(capped.ids)).toEqual(new Set(withLimit.ids));
    });
  }

  it("continues after a marker and rejects unknown markers in each service's way", async () => {
    const all = (await walk("/network/v2.0/ports", "ports", linkNext("ports_links"))).ids;
    const after = (await call("GET", `/network/v2.0/ports?limit=2&marker=${all[1]}`)).body.ports.map((p: { id: string }) => p.id);
    expect(after).toEqual(all.slice(2, 4));
    expect((await call("GET", "/compute/v2.1/servers?marker=nope")).body).toEqual({ badRequest: { code: 400, message: "marker [nope] not found" } });
    expect((await call("GET", "/network/v2.0/ports?marker=nope")).status).toBe(404);
    expect((await call("GET", "/volume/v3/{project}/volumes?marker=nope")).body).toEqual({ itemNotFound: { code: 404, message: "Volume nope could not be found." } });
    expect((await call("GET", "/image/v2/images?marker=nope")).status).toBe(400);
  });
});
