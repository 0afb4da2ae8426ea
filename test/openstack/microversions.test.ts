import { afterEach, describe, expect, it } from "vitest";
import { configureLogging } from "../../src/log.js";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import { createServerGroup, listKeypairs } from "../../src/openstack/compute.js";
import { listVolumes } from "../../src/openstack/block-storage.js";
import { listNetworks } from "../../src/openstack/network.js";
import { chooseMicroversion, compareMicroversions, rangeFromDocument, versionDocumentUrl } from "../../src/openstack/microversions.js";
import { FAST_HTTP, FakeOpenStack, fakeCloud } from "../helpers/fake-openstack.js";

let fake: FakeOpenStack | undefined;
let cloud: OpenStackCloud | undefined;
const lines: string[] = [];

async function connect(opts: { computeMax?: string; volumeMax?: string } = {}) {
  fake = await FakeOpenStack.start(opts);
  lines.length = 0;
  configureLogging({ level: "info", json: false, sink: { write: (l) => lines.push(l) } });
  cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP });
  return { fake, cloud };
}

afterEach(async () => {
  cloud?.close();
  await fake?.close();
  configureLogging({ level: "info", sink: { write: (l) => process.stderr.write(l) } });
});

describe("microversion negotiation", () => {
  it("asks for compute 2.79 and volume 3.60 when the services support more, and sends them", async () => {
    const { fake, cloud } = await connect();
    expect(cloud.microversions).toEqual({ compute: "2.79", volume: "3.60" });
    fake.on("GET", "/compute/v2.1/os-keypairs", { json: { keypairs: [] } });
    fake.on("GET", /\/volumes\/detail$/, { json: { volumes: [] } });
    fake.on("GET", "/network/v2.0/networks", { json: { networks: [] } });
    await listKeypairs(cloud.compute);
    await listVolumes(cloud.blockStorage);
    await listNetworks(cloud.network);
    const nova = fake.callsTo("GET", "/compute/v2.1/os-keypairs")[0]!;
    expect(nova.headers["openstack-api-version"]).toBe("compute 2.79");
    expect(nova.headers["x-openstack-nova-api-version"]).toBe("2.79");
    expect(fake.callsTo("GET", /\/volumes\/detail$/)[0]!.headers["openstack-api-version"]).toBe("volume 3.60");
    expect(fake.callsTo("GET", "/network/v2.0/networks")[0]!.headers["openstack-api-version"]).toBeUndefined();
    // one version document per service, not per request
    expect(fake.callsTo("GET", "/compute/v2.1")).toHaveLength(1);
    expect(fake.callsTo("GET", "/volume/v3")).toHaveLength(1);
  });

  it("uses the service's maximum when it is older, and says so", async () => {
    const { fake, cloud } = await connect({ computeMax: "2.60", volumeMax: "3.50" });
    expect(cloud.microversions).toEqual({ compute: "2.60", volume: "3.50" });
    expect(lines.some((l) => l.includes("compute supports microversions up to 2.60; using 2.60 instead of 2.79"))).toBe(true);
    // below 2.64 a server group is created with a policies list
    fake.on("POST", "/compute/v2.1/os-server-groups", (req) => ({ json: { server_group: { id: "g1", name: req.json.server_group.name, policies: ["affinity"], members: [] } } }));
    const g = await createServerGroup(cloud.compute, { name: "grp", policy: "affinity" });
    expect(fake.callsTo("POST", "/compute/v2.1/os-server-groups")[0]!.json).toEqual({ server_group: { name: "grp", policies: ["affinity"] } });
    expect(g.policy).toBe("affinity");
  });

  it("sends policy and rules from 2.64 on", async () => {
    const { fake, cloud } = await connect();
    fake.on("POST", "/compute/v2.1/os-server-groups", (req) => ({ json: { server_group: { id: "g1", ...req.json.server_group, members: [] } } }));
    await createServerGroup(cloud.compute, { name: "grp", policy: "anti-affinity", rules: { max_server_per_host: 2 } });
    expect(fake.callsTo("POST", "/compute/v2.1/os-server-groups")[0]!.json).toEqual({
      server_group: { name: "grp", policy: "anti-affinity", rules: { max_server_per_host: 2 } },
    });
  });

  it("sends no microversion to a service without microversions", async () => {
    const { fake, cloud } = await connect({ computeMax: "" });
    expect(cloud.microversions.compute).toBeUndefined();
    fake.on("GET", "/compute/v2.1/os-keypairs", { json: { keypairs: [] } });
    await listKeypairs(cloud.compute);
    expect(fake.callsTo("GET", "/compute/v2.1/os-keypairs")[0]!.headers["openstack-api-version"]).toBeUndefined();
  });
});

describe("version documents", () => {
  it("reads Nova's single version and Cinder's version list", () => {
    expect(rangeFromDocument({ version: { id: "v2.1", status: "CURRENT", version: "2.93", min_version: "2.1" } }, "2")).toEqual({ min: "2.1", max: "2.93" });
    expect(
      rangeFromDocument(
        {
          versions: [
            { id: "v2.0", status: "DEPRECATED", version: "", min_version: "" },
            { id: "v2.1", status: "CURRENT", version: "2.104", min_version: "2.1" },
          ],
        },
        "2",
      ),
    ).toEqual({ min: "2.1", max: "2.104" });
    expect(rangeFromDocument({ versions: [{ id: "v3.0", status: "CURRENT", version: "3.70", min_version: "3.0" }] }, "3")).toEqual({ min: "3.0", max: "3.70" });
  });

  it("compares microversions numerically and picks min(wanted, max)", () => {
    expect(compareMicroversions("2.100", "2.79")).toBeGreaterThan(0);
    expect(chooseMicroversion("2.79", { min: "2.1", max: "2.100" })).toBe("2.79");
    expect(chooseMicroversion("2.79", { min: "2.1", max: "2.60" })).toBe("2.60");
    expect(chooseMicroversion("2.79", { min: null, max: null })).toBeUndefined();
  });

  it("finds the version document of an endpoint", () => {
    expect(versionDocumentUrl("http://h:8774/v2.1")).toBe("http://h:8774/v2.1/");
    expect(versionDocumentUrl("http://h:8774/v2.1/abc123")).toBe("http://h:8774/v2.1/");
    expect(versionDocumentUrl("https://h/volume/v3/abc123")).toBe("https://h/volume/v3/");
  });
});
