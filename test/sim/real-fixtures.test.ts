/**
 * The simulator against the real services: requests recorded from the lab's
 * OpenStack Zed (fixtures/real/, see its README) are replayed against a
 * simulated cloud, and the answers must match — the same status and error body
 * for failures, the same fields for created resources. A difference found on
 * the real services is fixed in src/sim and stays fixed through this file.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { api, FAST, token, useSim, type Api } from "./helpers.js";

interface Exchange {
  request: { method: string; path: string; headers: Record<string, string>; body?: unknown };
  status: number;
  headers: Record<string, string | boolean>;
  body: unknown;
}

const sim = await useSim([{ name: "realsim", delays: FAST }]);
const c = sim.cloud("realsim");
const tok = await token(c);
const call: Api = api(c, tok, { "OpenStack-API-Version": "compute 2.79, volume 3.60" });

const PREFIX: Record<string, string> = { nova: "/compute", cinder: "/volume", neutron: "/network", glance: "/image" };
const load = (file: string) => JSON.parse(readFileSync(new URL(`../../fixtures/real/${file}`, import.meta.url), "utf8")) as Exchange;
const PROJECT_IN_PATH = /\/v3\/[0-9a-f]{32}\//;
/** The recorded path on the simulator: service prefix, and the simulated project where Cinder puts one. */
const simPath = (service: string, path: string) => PREFIX[service] + path.replace(PROJECT_IN_PATH, `/v3/${c.projectId}/`);
/** Project ids in bodies differ between the clouds; everything else must not. */
const normalize = (body: unknown) => JSON.parse(JSON.stringify(body).replace(/[0-9a-f]{32}/g, "<project>"));

describe("failures answer as the real services do", () => {
  for (const service of ["nova", "cinder", "neutron", "glance"]) {
    it(`${service}: a token Keystone never issued`, async () => {
      const x = load(`${service}/401-bad-token.json`);
      const r = await fetch(c.baseUrl + simPath(service, x.request.path), { method: x.request.method, headers: { "x-auth-token": "gAAAAABnot-a-token", accept: "application/json" } });
      expect(r.status).toBe(x.status);
      const text = await r.text();
      if (typeof x.body === "object" && x.body !== null) expect(normalize(JSON.parse(text))).toEqual(normalize(x.body));
      else expect(text).toBe(x.body);
    });

    it(`${service}: a resource that does not exist`, async () => {
      const x = load(`${service}/404-not-found.json`);
      const r = await call(x.request.method, simPath(service, x.request.path).replace(`/v3/${c.projectId}/`, "/v3/{project}/"), undefined, { Accept: x.request.headers["Accept"] ?? "application/json" });
      expect(r.status).toBe(x.status);
      if (typeof x.body === "object" && x.body !== null) expect(normalize(r.body)).toEqual(normalize(x.body));
      else expect(r.text).toBe(x.body);
    });
  }
});

describe("created resources carry the real services' fields", () => {
  const cases: [string, string, (x: Exchange) => unknown][] = [
    ["neutron", "network-create.json", (x) => x.request.body],
    ["neutron", "security-group-create.json", (x) => x.request.body],
  ];
  for (const [service, file, body] of cases) {
    it(`${service}/${file}`, async () => {
      const x = load(`${service}/${file}`);
      const r = await call(x.request.method, simPath(service, x.request.path), body(x));
      expect(r.status).toBe(x.status);
      const [key] = Object.keys(x.body as object);
      const real = Object.keys((x.body as Record<string, object>)[key!]!).sort();
      expect(Object.keys(r.body[key!]).sort()).toEqual(real);
    });
  }

  it("cinder/volume-create.json", async () => {
    const x = load("cinder/volume-create.json");
    const req = x.request.body as { volume: Record<string, unknown> };
    const r = await call("POST", "/volume/v3/{project}/volumes", { volume: { ...req.volume, volume_type: undefined } });
    expect(r.status).toBe(x.status);
    const real = Object.keys((x.body as { volume: object }).volume).sort();
    expect(Object.keys(r.body.volume).sort()).toEqual(real);
  });

  it("glance/image-create.json", async () => {
    const x = load("glance/image-create.json");
    const r = await call("POST", "/image/v2/images", x.request.body);
    expect(r.status).toBe(x.status);
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(x.body as object).sort());
  });
});
