import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configureLogging } from "../../src/log.js";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import { listKeypairs, listServerGroups, listServers } from "../../src/openstack/compute.js";
import { listImages } from "../../src/openstack/image.js";
import { listNetworks } from "../../src/openstack/network.js";
import { listVolumes } from "../../src/openstack/block-storage.js";
import { resolveGlanceNext, resolveNextLink } from "../../src/openstack/pagination.js";
import { FAST_HTTP, FakeOpenStack, fakeCloud, type FakeRequest } from "../helpers/fake-openstack.js";

let fake: FakeOpenStack;
let cloud: OpenStackCloud;
const lines: string[] = [];
const PAGE = 7;

beforeEach(async () => {
  fake = await FakeOpenStack.start();
  cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP, pageSize: PAGE });
  lines.length = 0;
  configureLogging({ level: "info", json: false, sink: { write: (l) => lines.push(l) } });
});
afterEach(async () => {
  cloud.close();
  await fake.close();
  configureLogging({ level: "info", sink: { write: (l) => process.stderr.write(l) } });
});

const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

/** The page after `marker` (or from the start), as a marker-paginating service computes it. */
function page<T extends { id: string }>(items: T[], req: FakeRequest): { slice: T[]; full: boolean; limit: number } {
  const limit = Number(req.query.get("limit") ?? 1000);
  const marker = req.query.get("marker");
  const start = marker ? items.findIndex((i) => i.id === marker) + 1 : 0;
  const slice = items.slice(start, start + limit);
  return { slice, full: slice.length === limit, limit };
}

describe("pagination styles", () => {
  it("follows Nova's servers_links, rebasing links that name another host", async () => {
    const servers = Array.from({ length: 20 }, (_, i) => ({ id: uuid(i), name: `vm-${i}`, status: "ACTIVE", flavor: { vcpus: 1, ram: 512, disk: 1 } }));
    fake.on("GET", "/compute/v2.1/servers/detail", (req) => {
      const { slice, full, limit } = page(servers, req);
      const last = slice[slice.length - 1];
      const links = full && last ? [{ rel: "next", href: `http://nova-internal.example:8774/compute/v2.1/servers/detail?limit=${limit}&marker=${last.id}` }] : [];
      return { json: { servers: slice, servers_links: links } };
    });
    const all = await listServers(cloud.compute, { status: "ACTIVE" });
    expect(all.map((s) => s.name)).toEqual(servers.map((s) => s.name));
    const calls = fake.callsTo("GET", "/compute/v2.1/servers/detail");
    expect(calls).toHaveLength(3);
    expect(calls[0]!.query.get("limit")).toBe("7");
    expect(calls[0]!.query.get("status")).toBe("ACTIVE");
    expect(calls[2]!.query.get("marker")).toBe(uuid(13));
  });

  it("follows Glance's relative next link under an endpoint with a path prefix", async () => {
    const images = Array.from({ length: 16 }, (_, i) => ({ id: uuid(i), name: `img-${i}`, status: "active", visibility: "private" }));
    fake.on("GET", "/image/v2/images", (req) => {
      const { slice, full, limit } = page(images, req);
      const last = slice[slice.length - 1];
      return { json: { images: slice, first: "/v2/images", schema: "/v2/schemas/images", ...(full && last ? { next: `/v2/images?marker=${last.id}&limit=${limit}` } : {}) } };
    });
    const all = await listImages(cloud.image, { visibility: "private", tag: ["a", "b"] });
    expect(all).toHaveLength(16);
    const calls = fake.callsTo("GET", "/image/v2/images");
    expect(calls).toHaveLength(3);
    expect(calls[0]!.query.getAll("tag")).toEqual(["a", "b"]);
    expect(calls[1]!.query.get("marker")).toBe(uuid(6));
  });

  it("follows Neutron's links and stops at the empty last page", async () => {
    const nets = Array.from({ length: 14 }, (_, i) => ({ id: uuid(i), name: `net-${i}` }));
    fake.on("GET", "/network/v2.0/networks", (req) => {
      const { slice, full, limit } = page(nets, req);
      const last = slice[slice.length - 1];
      const links = full && last ? [{ rel: "next", href: `${fake.url}/network/v2.0/networks?limit=${limit}&marker=${last.id}` }] : [];
      return { json: { networks: slice, networks_links: links } };
    });
    const all = await listNetworks(cloud.network);
    expect(all).toHaveLength(14);
    expect(fake.callsTo("GET", "/network/v2.0/networks")).toHaveLength(3);
  });

  it("falls back to limit+marker when a full page comes without links (Neutron with links off, Cinder)", async () => {
    const vols = Array.from({ length: 15 }, (_, i) => ({ id: uuid(i), name: `vol-${i}`, size: 1, status: "available" }));
    fake.on("GET", /^\/volume\/v3\/[^/]+\/volumes\/detail$/, (req) => ({ json: { volumes: page(vols, req).slice } }));
    const all = await listVolumes(cloud.blockStorage);
    expect(all.map((v) => v.name)).toEqual(vols.map((v) => v.name));
    const markers = fake.callsTo("GET", /\/volumes\/detail$/).map((c) => c.query.get("marker"));
    expect(markers).toEqual([null, uuid(6), uuid(13)]);
  });

  it("pages Nova server groups by limit and offset", async () => {
    const groups = Array.from({ length: 9 }, (_, i) => ({ id: uuid(i), name: `g-${i}`, policy: "anti-affinity", rules: {}, members: [] }));
    fake.on("GET", "/compute/v2.1/os-server-groups", (req) => {
      const limit = Number(req.query.get("limit"));
      const offset = Number(req.query.get("offset") ?? 0);
      return { json: { server_groups: groups.slice(offset, offset + limit) } };
    });
    const all = await listServerGroups(cloud.compute);
    expect(all).toHaveLength(9);
    expect(fake.callsTo("GET", "/compute/v2.1/os-server-groups").map((c) => c.query.get("offset"))).toEqual([null, "7"]);
  });

  it("stops with a warning when the server repeats the same next link", async () => {
    const kps = Array.from({ length: 7 }, (_, i) => ({ keypair: { name: `kp-${i}`, public_key: "ssh-ed25519 AAAA", fingerprint: "fp" } }));
    fake.on("GET", "/compute/v2.1/os-keypairs", () => ({
      json: { keypairs: kps, keypairs_links: [{ rel: "next", href: `${fake.url}/compute/v2.1/os-keypairs?limit=7&marker=kp-6` }] },
    }));
    const all = await listKeypairs(cloud.compute);
    expect(all.map((k) => k.name)).toEqual(kps.map((k) => k.keypair.name));
    expect(fake.callsTo("GET", "/compute/v2.1/os-keypairs")).toHaveLength(2);
    expect(lines.some((l) => l.startsWith("WARN: The service repeated a next link while listing keypairs; stopping"))).toBe(true);
  });

  it("stops with a warning when a marker-paged service keeps answering the same page", async () => {
    const vols = Array.from({ length: 7 }, (_, i) => ({ id: uuid(i), name: `vol-${i}`, size: 1, status: "available" }));
    fake.on("GET", /\/volumes\/detail$/, { json: { volumes: vols } });
    const all = await listVolumes(cloud.blockStorage);
    expect(all).toHaveLength(7);
    expect(fake.callsTo("GET", /\/volumes\/detail$/).length).toBeLessThanOrEqual(3);
    expect(lines.some((l) => l.startsWith("WARN: The service repeated"))).toBe(true);
  });
});

describe("next link resolution", () => {
  it("keeps links on the endpoint's origin and rebases others", () => {
    expect(resolveNextLink("https://api.example/compute/v2.1", "https://api.example/compute/v2.1/servers?marker=x")).toBe("https://api.example/compute/v2.1/servers?marker=x");
    expect(resolveNextLink("https://api.example/compute/v2.1", "http://10.0.0.5:8774/compute/v2.1/servers?marker=x")).toBe(
      "https://api.example/compute/v2.1/servers?marker=x",
    );
  });

  it("resolves Glance's next under the endpoint root", () => {
    expect(resolveGlanceNext("https://api.example/image", "/v2/images?marker=m")).toBe("https://api.example/image/v2/images?marker=m");
    expect(resolveGlanceNext("https://glance.example:9292", "/v2/images?marker=m")).toBe("https://glance.example:9292/v2/images?marker=m");
  });
});
