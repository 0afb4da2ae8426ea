import { describe, expect, it } from "vitest";
import { api, json, token, useSim } from "./helpers.js";

const sim = await useSim([{ name: "authsim", password: "s3cret-pw" }, { name: "shortttl", tokenTtlMs: 1000 }]);
const c = sim.cloud("authsim");

const post = (body: unknown) =>
  fetch(`${c.authUrl}/auth/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const password = (pw: string, scope?: unknown) => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: c.username, domain: { name: "Default" }, password: pw } } },
    ...(scope ? { scope } : {}),
  },
});

describe("keystone", () => {
  it("issues a project-scoped token with a catalog of every service", async () => {
    const r = await post(password("s3cret-pw", { project: { name: c.projectName, domain: { id: "default" } } }));
    expect(r.status).toBe(201);
    expect(r.headers.get("x-subject-token")).toMatch(/^gAAAAAB/);
    expect(r.headers.get("x-openstack-request-id")).toMatch(/^req-[0-9a-f-]{36}$/);
    const t = (await json(r)).token;
    expect(t.project).toEqual({ domain: { id: "default", name: "Default" }, id: c.projectId, name: c.projectName });
    expect(t.methods).toEqual(["password"]);
    expect(t.roles.map((x: { name: string }) => x.name).sort()).toEqual(["member", "reader"]);
    expect(Date.parse(t.expires_at)).toBeGreaterThan(Date.now() - 1000);
    const types = t.catalog.map((s: { type: string }) => s.type);
    expect(types).toEqual(expect.arrayContaining(["identity", "compute", "network", "volumev3", "image"]));
    const vol = t.catalog.find((s: { type: string }) => s.type === "volumev3");
    expect(vol.endpoints.map((e: { interface: string }) => e.interface).sort()).toEqual(["admin", "internal", "public"]);
    expect(vol.endpoints[0]).toMatchObject({ region: "RegionOne", region_id: "RegionOne", url: `${c.baseUrl}/volume/v3/${c.projectId}` });
  });

  it("scopes to the default project when no scope is given", async () => {
    const t = (await json(await post(password("s3cret-pw")))).token;
    expect(t.project.id).toBe(c.projectId);
  });

  it("answers a wrong password with Keystone's 401 body", async () => {
    const r = await post(password("wrong"));
    expect(r.status).toBe(401);
    expect(await json(r)).toEqual({ error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" } });
  });

  it("rejects a scope to an unknown project with 401", async () => {
    const r = await post(password("s3cret-pw", { project: { id: "0000" } }));
    expect(r.status).toBe(401);
  });

  it("answers a malformed request with 400", async () => {
    const r = await post({ auth: { identity: { methods: ["application_credential"], application_credential: { secret: "x" } } } });
    expect(r.status).toBe(400);
    expect((await json(r)).error.message).toContain("Expecting to find name or ID in application credential.");
  });

  it("authenticates with an application credential by id and by name", async () => {
    const tok = await token(c);
    const call = api(c, tok);
    const me = (await call("GET", "/identity/v3/auth/tokens", undefined, { "x-subject-token": tok })).body.token.user.id;
    const made = await call("POST", `/identity/v3/users/${me}/application_credentials`, { application_credential: { name: "ci" } });
    expect(made.status).toBe(201);
    const { id, secret } = made.body.application_credential;
    const byId = await post({ auth: { identity: { methods: ["application_credential"], application_credential: { id, secret } } } });
    expect(byId.status).toBe(201);
    const t = (await json(byId)).token;
    expect(t.methods).toEqual(["application_credential"]);
    expect(t.application_credential).toMatchObject({ id, name: "ci" });
    const byName = await post({
      auth: { identity: { methods: ["application_credential"], application_credential: { name: "ci", secret, user: { name: c.username, domain: { name: "Default" } } } } },
    });
    expect(byName.status).toBe(201);
    const bad = await post({ auth: { identity: { methods: ["application_credential"], application_credential: { id, secret: "nope" } } } });
    expect(bad.status).toBe(401);
  });

  it("re-scopes with the token method, keeping the expiry", async () => {
    const first = await post(password("s3cret-pw"));
    const tok = first.headers.get("x-subject-token")!;
    const exp = (await json(first)).token.expires_at;
    const r = await post({ auth: { identity: { methods: ["token"], token: { id: tok } }, scope: { project: { id: c.projectId } } } });
    expect(r.status).toBe(201);
    const t = (await json(r)).token;
    expect(t.methods).toEqual(["password", "token"]);
    expect(t.expires_at).toBe(exp);
  });

  it("validates tokens and answers 404 for an unknown subject token", async () => {
    const tok = await token(c);
    const call = api(c, tok);
    const ok = await call("GET", "/identity/v3/auth/tokens", undefined, { "x-subject-token": tok });
    expect(ok.status).toBe(200);
    expect(ok.body.token.project.id).toBe(c.projectId);
    const bad = await call("GET", "/identity/v3/auth/tokens", undefined, { "x-subject-token": "gAAAAABnope" });
    expect(bad.status).toBe(404);
    expect(bad.body).toEqual({ error: { code: 404, message: "Could not recognize Fernet token", title: "Not Found" } });
  });

  it("rejects missing, bogus and expired tokens on every service with the service's 401", async () => {
    const tok = await token(c);
    expect((await api(c, tok)("GET", "/compute/v2.1/servers")).status).toBe(200);
    const paths = ["/compute/v2.1/servers", "/network/v2.0/networks", "/volume/v3/{project}/volumes", "/image/v2/images"];
    for (const p of paths) {
      const r = await api(c, "bogus")("GET", p);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe(`Keystone uri="${c.baseUrl}/identity"`);
      if (p.startsWith("/image")) expect(r.text).toContain("<title>401 Unauthorized</title>");
      else expect(r.body).toEqual({ error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } });
    }
    const short = sim.cloud("shortttl");
    const shortTok = await token(short);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await api(short, shortTok)("GET", "/compute/v2.1/servers");
    expect(expired.status).toBe(401);
    const fresh = await token(short);
    expect((await api(short, fresh)("GET", "/compute/v2.1/servers")).status).toBe(200);
  });

  it("serves the version documents without a token", async () => {
    const root = await fetch(`${c.baseUrl}/identity`);
    expect(root.status).toBe(300);
    expect((await json(root)).versions.values[0].id).toBe("v3.14");
    const v3 = await fetch(c.authUrl);
    expect(v3.status).toBe(200);
    expect((await json(v3)).version.links[0].href).toBe(`${c.baseUrl}/identity/v3/`);
  });
});
