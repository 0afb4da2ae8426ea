import http from "node:http";
import { describe, expect, it } from "vitest";
import type { SimFaults } from "../../src/sim/index.js";
import { api, type Api, FAST, json, MV, token, useSim, waitFor } from "./helpers.js";

const sim = await useSim([{ name: "faultsim", delays: FAST }]);
const c = sim.cloud("faultsim");
const tok = await token(c);
const call: Api = api(c, tok, MV);
const image = (await call("GET", "/image/v2/images")).body.images[0];

async function control(f: SimFaults): Promise<void> {
  const r = await fetch(`${c.baseUrl}/_sim/faults`, { method: "POST", body: JSON.stringify(f) });
  expect(r.status).toBe(200);
}

/** Status of each of n sequential GETs, "reset" when the connection died. */
async function sequence(n: number, path = "/compute/v2.1/flavors"): Promise<Array<number | "reset">> {
  const out: Array<number | "reset"> = [];
  for (let i = 0; i < n; i++) {
    try {
      out.push((await call("GET", path)).status);
    } catch {
      out.push("reset");
    }
  }
  return out;
}

describe("faults", () => {
  it("answers injected errors with each service's real 500 body and a load balancer's 503", async () => {
    c.setFaults({ errorRate: 1, seed: 7 });
    const bodies: Record<string, Record<number, string>> = {};
    for (const [svc, path] of [["compute", "/compute/v2.1/servers"], ["network", "/network/v2.0/networks"], ["volume", "/volume/v3/{project}/volumes"], ["image", "/image/v2/images"], ["identity", "/identity/v3/auth/projects"]] as const) {
      for (let i = 0; i < 12; i++) {
        const r = await call("GET", path);
        expect([500, 503]).toContain(r.status);
        expect(r.headers.get("x-openstack-request-id")).toMatch(/^req-/);
        (bodies[svc] ??= {})[r.status] = r.text;
      }
    }
    c.setFaults({});
    expect(JSON.parse(bodies["compute"]![500]!).computeFault.code).toBe(500);
    expect(JSON.parse(bodies["compute"]![500]!).computeFault.message).toMatch(/^Unexpected API Error\./);
    expect(JSON.parse(bodies["network"]![500]!)).toEqual({ NeutronError: { type: "HTTPInternalServerError", message: "Request Failed: internal server error while processing your request.", detail: "" } });
    expect(JSON.parse(bodies["volume"]![500]!)).toEqual({ computeFault: { code: 500, message: "The server has either erred or is incapable of performing the requested operation." } });
    expect(bodies["image"]![500]).toContain("<title>500 Internal Server Error</title>");
    expect(JSON.parse(bodies["identity"]![500]!).error.title).toBe("Internal Server Error");
    expect(bodies["compute"]![503]).toContain("503 Service Unavailable");
  });

  it("produces the same fault sequence for the same seed", async () => {
    await control({ errorRate: 0.3, resetRate: 0.2, seed: 42 });
    const a = await sequence(25);
    await control({ errorRate: 0.3, resetRate: 0.2, seed: 42 });
    const b = await sequence(25);
    await control({});
    expect(a).toEqual(b);
    expect(a).toContain("reset");
    expect(a.some((s) => s === 500 || s === 503)).toBe(true);
    expect(a).toContain(200);
  });

  it("destroys sockets on reset and never faults the control endpoints", async () => {
    c.setFaults({ resetRate: 1, seed: 1 });
    await expect(call("GET", "/compute/v2.1/servers")).rejects.toThrow();
    const state = await fetch(`${c.baseUrl}/_sim/state`);
    expect(state.status).toBe(200);
    expect((await json(state)).faults).toEqual({ resetRate: 1, seed: 1 });
    await control({});
    expect((await call("GET", "/compute/v2.1/servers")).status).toBe(200);
  });

  it("adds latency to every request", async () => {
    c.setFaults({ latencyMs: 120 });
    const t0 = Date.now();
    expect((await call("GET", "/compute/v2.1/flavors")).status).toBe(200);
    const took = Date.now() - t0;
    c.setFaults({});
    expect(took).toBeGreaterThanOrEqual(110);
  });

  it("cuts image downloads after sending the full Content-Length", async () => {
    c.setFaults({ truncateRate: 1, seed: 3 });
    const port = Number(new URL(c.baseUrl).port);
    const result = await new Promise<{ declared: number; received: number; failed: boolean }>((resolve) => {
      http.get({ host: "127.0.0.1", port, path: `/image/v2/images/${image.id}/file`, headers: { "x-auth-token": tok } }, (res) => {
        let received = 0;
        const declared = Number(res.headers["content-length"]);
        res.on("data", (d: Buffer) => (received += d.length));
        res.on("end", () => resolve({ declared, received, failed: false }));
        res.on("error", () => resolve({ declared, received, failed: true }));
        res.on("aborted", () => resolve({ declared, received, failed: true }));
      }).on("error", () => resolve({ declared: -1, received: 0, failed: true }));
    });
    c.setFaults({});
    expect(result.declared).toBe(image.size);
    expect(result.failed).toBe(true);
    expect(result.received).toBeLessThan(image.size);
    const whole = await fetch(`${c.baseUrl}/image/v2/images/${image.id}/file`, { headers: { "x-auth-token": tok } });
    expect((await whole.arrayBuffer()).byteLength).toBe(image.size);
  });

  it("fails the build of named servers with No valid host", async () => {
    c.setFaults({ failServerBuild: ["doomed"] });
    const flavor = [...c.store.flavors.values()].find((f) => f.name === "SCS-2V-4-20s")!;
    const r = await call("POST", "/compute/v2.1/servers", { server: { name: "doomed", flavorRef: flavor.id, imageRef: image.id, networks: "none" } });
    expect(r.status).toBe(202);
    const id = r.body.server.id;
    await waitFor(async () => (await call("GET", `/compute/v2.1/servers/${id}`)).body.server.status, (s) => s === "ERROR");
    const s = (await call("GET", `/compute/v2.1/servers/${id}`)).body.server;
    expect(s.fault).toMatchObject({ code: 500, message: "No valid host was found. There are not enough hosts available." });
    expect(s["OS-EXT-STS:vm_state"]).toBe("error");
    const ok = await call("POST", "/compute/v2.1/servers", { server: { name: "fine", flavorRef: flavor.id, imageRef: image.id, networks: "none" } });
    await waitFor(async () => (await call("GET", `/compute/v2.1/servers/${ok.body.server.id}`)).body.server.status, (s2) => s2 === "ACTIVE");
    c.setFaults({});
  });
});
