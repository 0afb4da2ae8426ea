/**
 * A tenant of the size the benchmarks use — 2,000 servers, 4,000 volumes,
 * 6,000 ports, 300 security groups with 3,000 rules — built through the API
 * and listed back page by page. Asserts completeness, not speed.
 */
import { describe, expect, it } from "vitest";
import { MV, api, token, useSim, type Api } from "./helpers.js";

const UNLIMITED = { instances: -1, cores: -1, ram: -1, volumes: -1, gigabytes: -1, port: -1, security_group: -1, security_group_rule: -1 } as const;
const sim = await useSim([{ name: "bigsim", quotas: UNLIMITED, delays: { serverBuild: 0, volumeCreate: 0 } }]);
const c = sim.cloud("bigsim");
const call: Api = api(c, await token(c), MV);

async function inParallel(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function listAll(first: string, key: string, nextOf: (b: any) => string | undefined): Promise<string[]> {
  const ids: string[] = [];
  let url: string | undefined = first;
  while (url) {
    const r = await call("GET", url.startsWith("http") ? url.slice(c.baseUrl.length) : url);
    expect(r.status).toBe(200);
    for (const x of r.body[key]) ids.push(x.id);
    url = nextOf(r.body);
  }
  return ids;
}
const next = (k: string) => (b: any) => (b[k] as Array<{ rel: string; href: string }> | undefined)?.find((l) => l.rel === "next")?.href;

describe("scale", () => {
  it("holds and lists 2,000 servers, 4,000 volumes, 6,000 ports and 300 groups with 3,000 rules", { timeout: 180_000 }, async () => {
    const net = (await call("POST", "/network/v2.0/networks", { network: { name: "big" } })).body.network;
    await call("POST", "/network/v2.0/subnets", { subnet: { network_id: net.id, cidr: "10.128.0.0/18", ip_version: 4 } });
    const flavor = [...c.store.flavors.values()].find((f) => f.name === "SCS-2V-4-20s")!;
    const image = [...c.store.images.values()][0]!;

    await inParallel(2000, 32, async (i) => {
      const r = await call("POST", "/compute/v2.1/servers", { server: { name: `s${i}`, flavorRef: flavor.id, imageRef: image.id, networks: [{ uuid: net.id }] } });
      expect(r.status).toBe(202);
    });
    await inParallel(4000, 32, async (i) => {
      expect((await call("POST", "/network/v2.0/ports", { port: { network_id: net.id, name: `p${i}` } })).status).toBe(201);
    });
    await inParallel(4000, 32, async (i) => {
      expect((await call("POST", "/volume/v3/{project}/volumes", { volume: { size: 1, name: `v${i}` } })).status).toBe(202);
    });
    await inParallel(300, 16, async (i) => {
      const g = (await call("POST", "/network/v2.0/security-groups", { security_group: { name: `g${i}` } })).body.security_group;
      for (let p = 0; p < 8; p++) {
        const r = await call("POST", "/network/v2.0/security-group-rules", { security_group_rule: { security_group_id: g.id, direction: "ingress", protocol: "tcp", port_range_min: 1000 + p, port_range_max: 1000 + p } });
        expect(r.status).toBe(201);
      }
    });
    while (c.store.volumes.size > 0 && [...c.store.volumes.values()].some((v) => v.status !== "available")) await new Promise((r) => setTimeout(r, 20));

    const servers = await listAll("/compute/v2.1/servers/detail?limit=500", "servers", next("servers_links"));
    expect(new Set(servers).size).toBe(2000);
    const ports = await listAll("/network/v2.0/ports?limit=1000", "ports", next("ports_links"));
    expect(new Set(ports).size).toBe(6000);
    const volumes = await listAll("/volume/v3/{project}/volumes/detail?limit=1000", "volumes", next("volumes_links"));
    expect(new Set(volumes).size).toBe(4000);
    const groups = await listAll("/network/v2.0/security-groups?limit=100", "security_groups", next("security_groups_links"));
    expect(groups).toHaveLength(301);
    const rules = await listAll("/network/v2.0/security-group-rules?limit=1000", "security_group_rules", next("security_group_rules_links"));
    expect(rules).toHaveLength(300 * 10 + 4);

    const one = c.store.servers.ordered("oldest")[1234]!;
    const byDevice = (await call("GET", `/network/v2.0/ports?device_id=${one.id}`)).body.ports;
    expect(byDevice).toHaveLength(1);
    expect(byDevice[0].status).toBe("ACTIVE");
    const named = (await call("GET", "/volume/v3/{project}/volumes/detail?name=v3999")).body.volumes;
    expect(named).toHaveLength(1);
    const addresses = new Set([...c.store.ports.values()].flatMap((p) => p.fixed_ips.map((f) => f.ip_address)));
    expect(addresses.size).toBe(6000);
  });
});
