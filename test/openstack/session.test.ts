import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, AuthError, ConfigError, EXIT, UnreachableError } from "../../src/errors.js";
import { configureLogging } from "../../src/log.js";
import { chooseEndpoint, CatalogEntry } from "../../src/openstack/catalog.js";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import { listKeypairs } from "../../src/openstack/compute.js";
import { buildAuthRequest, identityBase } from "../../src/openstack/auth.js";
import { FAST_HTTP, FakeOpenStack, fakeCloud, PASSWORD, PROJECT_ID, USER_ID } from "../helpers/fake-openstack.js";

let fake: FakeOpenStack;
const lines: string[] = [];

beforeEach(async () => {
  fake = await FakeOpenStack.start();
  lines.length = 0;
  configureLogging({ level: "debug", json: false, sink: { write: (l) => lines.push(l) } });
});
afterEach(async () => {
  await fake.close();
  configureLogging({ level: "info", sink: { write: (l) => process.stderr.write(l) } });
});

describe("Keystone session", () => {
  it("authenticates with password and scope, and exposes the token's facts", async () => {
    const cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP });
    try {
      const [auth] = fake.callsTo("POST", "/identity/v3/auth/tokens");
      expect(auth?.json).toEqual({
        auth: {
          identity: { methods: ["password"], password: { user: { name: "alice", domain: { name: "Default" }, password: PASSWORD } } },
          scope: { project: { name: "demo", domain: { name: "Default" } } },
        },
      });
      expect(cloud.projectId).toBe(PROJECT_ID);
      expect(cloud.projectName).toBe("demo");
      expect(cloud.userId).toBe(USER_ID);
      expect(cloud.compute.endpoint).toBe(`${fake.url}/compute/v2.1`);
      expect(cloud.network.endpoint).toBe(`${fake.url}/network`);
      expect(cloud.image.endpoint).toBe(`${fake.url}/image`);
      expect(cloud.blockStorage.endpoint).toBe(`${fake.url}/volume/v3/${PROJECT_ID}`);
    } finally {
      cloud.close();
    }
  });

  it("sends the token on service calls and never logs it", async () => {
    fake.on("GET", "/compute/v2.1/os-keypairs", { json: { keypairs: [] } });
    const cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP });
    try {
      await listKeypairs(cloud.compute);
      const call = fake.callsTo("GET", "/compute/v2.1/os-keypairs")[0];
      expect(call?.headers["x-auth-token"]).toBe(fake.issued[0]);
      expect(lines.join("")).toContain("/compute/v2.1/os-keypairs");
      expect(lines.join("")).not.toContain(fake.issued[0]!);
      expect(lines.join("")).not.toContain(PASSWORD);
    } finally {
      cloud.close();
    }
  });

  it("re-authenticates on 401 and repeats the request once", async () => {
    fake.on("GET", "/compute/v2.1/os-keypairs", { json: { keypairs: [] } });
    const cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP });
    try {
      fake.revokeTokens();
      await listKeypairs(cloud.compute);
      expect(fake.issued).toHaveLength(2);
      const calls = fake.callsTo("GET", "/compute/v2.1/os-keypairs");
      expect(calls.map((c) => c.headers["x-auth-token"])).toEqual([fake.issued[0], fake.issued[1]]);
    } finally {
      cloud.close();
    }
  });

  it("gives up with an AuthError (exit 4) when even a fresh token is refused", async () => {
    fake.on("GET", "/compute/v2.1/os-keypairs", { status: 401, json: { error: { code: 401, message: "nope" } } });
    const cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP });
    try {
      const err = await listKeypairs(cloud.compute).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).exitCode).toBe(EXIT.AUTH);
      expect((err as AuthError).message).toMatch(/^compute on cloud fake refused a fresh token \(GET http:\/\/127\.0\.0\.1:\d+\/compute\/v2\.1\/os-keypairs\?limit=1000: 401, request req-\d+\)$/);
      expect((err as AuthError).hint).toMatch(/role/);
      expect(fake.callsTo("GET", "/compute/v2.1/os-keypairs")).toHaveLength(2);
    } finally {
      cloud.close();
    }
  });

  it("renews the token before it expires", async () => {
    fake.on("GET", "/compute/v2.1/os-keypairs", { json: { keypairs: [] } });
    let now = Date.now();
    const cloud = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP, session: { now: () => now } });
    try {
      await listKeypairs(cloud.compute);
      expect(fake.issued).toHaveLength(1);
      now += 3600_000 - 60_000; // one minute before expiry: inside the 5-minute margin
      await Promise.all([listKeypairs(cloud.compute), listKeypairs(cloud.compute)]);
      expect(fake.issued).toHaveLength(2);
      const tokens = fake.callsTo("GET", "/compute/v2.1/os-keypairs").map((c) => c.headers["x-auth-token"]);
      expect(tokens).toEqual([fake.issued[0], fake.issued[1], fake.issued[1]]);
    } finally {
      cloud.close();
    }
  });

  it("reports a wrong password as one AuthError line naming cloud and URL, without the password", async () => {
    const err = await OpenStackCloud.connect(fakeCloud(fake, { auth: { ...fakeCloud(fake).auth, password: "wrong-password-123" } }), {
      http: FAST_HTTP,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    const msg = (err as AuthError).message;
    expect(msg).toMatch(/^authentication failed for cloud fake at http:\/\/127\.0\.0\.1:\d+\/identity\/v3: 401 The request you have made requires authentication\. \(request req-\d+\)$/);
    expect(msg).not.toContain("wrong-password-123");
    expect(msg).not.toContain("\n");
    expect(fake.callsTo("POST", "/identity/v3/auth/tokens")).toHaveLength(1);
  });

  it("reports an unreachable Keystone as UnreachableError after retrying", async () => {
    const url = fake.url;
    await fake.close();
    const cloud = fakeCloud(fake);
    cloud.auth.authUrl = `${url}/identity/v3`;
    const err = await OpenStackCloud.connect(cloud, { http: FAST_HTTP }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+\/identity\/v3\/auth\/tokens: connection refused \(ECONNREFUSED\); gave up after 4 attempts in \d+ m?s$/);
    expect(lines.filter((l) => l.includes("Retrying request"))).toHaveLength(FAST_HTTP.retries);
    fake = await FakeOpenStack.start(); // for afterEach
  });

  it("fails connect for a region without compute, naming the regions there are", async () => {
    const err = await OpenStackCloud.connect(fakeCloud(fake, { regionName: "RegionTwo" }), { http: FAST_HTTP }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe("region RegionTwo has no compute endpoint; the catalog's regions for it: RegionOne");
  });

  it("says auth_url is not Keystone when another service answers", async () => {
    fake.on("POST", "/identity/glance/v3/auth/tokens", { status: 300, json: { versions: [{ id: "v2.15", status: "CURRENT" }] } });
    const cloud = fakeCloud(fake);
    cloud.auth.authUrl = `${fake.url}/identity/glance`;
    const err = await OpenStackCloud.connect(cloud, { http: FAST_HTTP }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/^authentication failed for cloud fake at http:\/\/127\.0\.0\.1:\d+\/identity\/glance: 300 from a service that is not Keystone v3/);
    expect((err as AuthError).hint).toMatch(/auth_url/);
  });

  it("builds application-credential and token auth bodies as Keystone expects", () => {
    const base = fakeCloud(fake);
    expect(
      buildAuthRequest({ ...base, authType: "v3applicationcredential", auth: { authUrl: base.auth.authUrl, applicationCredentialId: "ac1", applicationCredentialSecret: "sec" } }),
    ).toEqual({ auth: { identity: { methods: ["application_credential"], application_credential: { id: "ac1", secret: "sec" } } } });
    expect(
      buildAuthRequest({
        ...base,
        authType: "v3applicationcredential",
        auth: { authUrl: base.auth.authUrl, applicationCredentialName: "ci", applicationCredentialSecret: "sec", username: "bob", userDomainId: "default" },
      }),
    ).toEqual({
      auth: { identity: { methods: ["application_credential"], application_credential: { name: "ci", secret: "sec", user: { name: "bob", domain: { id: "default" } } } } },
    });
    expect(buildAuthRequest({ ...base, authType: "token", auth: { authUrl: base.auth.authUrl, token: "t0k3n", projectId: "p1" } })).toEqual({
      auth: { identity: { methods: ["token"], token: { id: "t0k3n" } }, scope: { project: { id: "p1" } } },
    });
  });

  it("derives the Keystone v3 URL from auth_url forms seen in clouds.yaml files", () => {
    expect(identityBase("https://k.example.com:5000/v3/")).toBe("https://k.example.com:5000/v3");
    expect(identityBase("https://k.example.com:5000")).toBe("https://k.example.com:5000/v3");
    expect(identityBase("https://k.example.com/identity/v2.0")).toBe("https://k.example.com/identity/v3");
  });
});

describe("catalog endpoint choice", () => {
  const ep = (url: string, iface: string, region: string) => ({ interface: iface, region_id: region, region, url });
  const catalog = [
    { type: "volumev2", endpoints: [ep("https://c.example/v2/p1", "public", "R1")] },
    { type: "volumev3", endpoints: [ep("https://c.example/v3/p1", "public", "R1"), ep("https://c2.example/v3/p1", "public", "R2")] },
    { type: "network", endpoints: [ep("https://n.example/v2.0/", "public", "R1"), ep("https://n-int.example", "internal", "R1")] },
    { type: "image", endpoints: [ep("https://g.example/v2", "public", "R1")] },
    { type: "compute", endpoints: [ep("https://nova.example/v2.1/p1", "publicURL", "R1")] },
  ].map((e) => CatalogEntry.parse(e));

  it("finds Cinder under its aliases, preferring v3, in the named region", () => {
    expect(chooseEndpoint(catalog, "block-storage", { region: "R1", interface: "public" })).toBe("https://c.example/v3/p1");
    expect(chooseEndpoint(catalog, "block-storage", { region: "R2", interface: "public" })).toBe("https://c2.example/v3/p1");
  });

  it("strips version suffixes the service clients add themselves", () => {
    expect(chooseEndpoint(catalog, "network", { region: "R1", interface: "public" })).toBe("https://n.example");
    expect(chooseEndpoint(catalog, "image", { region: "R1", interface: "public" })).toBe("https://g.example");
    expect(chooseEndpoint(catalog, "compute", { region: "R1", interface: "public" })).toBe("https://nova.example/v2.1/p1");
  });

  it("honours the interface", () => {
    expect(chooseEndpoint(catalog, "network", { region: "R1", interface: "internal" })).toBe("https://n-int.example");
  });

  it("asks for a region when the catalog has several and none is set", () => {
    expect(() => chooseEndpoint(catalog, "block-storage", { region: null, interface: "public" })).toThrow(/several regions \(R1, R2\); set region_name/);
  });

  it("says which regions exist when the configured one has no endpoint", () => {
    expect(() => chooseEndpoint(catalog, "block-storage", { region: "R3", interface: "public" })).toThrow(
      /^region R3 has no block-storage endpoint; the catalog's regions for it: R1, R2$/,
    );
  });

  it("names what the catalog has when a service is missing", () => {
    expect(() => chooseEndpoint(catalog, "object-store", { region: "R1", interface: "public" })).toThrow(
      /no public endpoint for service object-store .* in region R1; the catalog has: volumev2, volumev3, network, image, compute/,
    );
  });
});
