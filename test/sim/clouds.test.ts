import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { MANDATORY_FLAVORS, startSim } from "../../src/sim/index.js";
import { api, FAST, json, token, useSim } from "./helpers.js";

const sim = await useSim([
  { name: "simsrc", delays: FAST },
  { name: "simdst", region: "de-1", projectName: "acme", username: "alice", password: "pw-dst", delays: FAST },
]);

describe("several clouds", () => {
  it("runs independent clouds on their own ports with their own ids and state", async () => {
    const src = sim.cloud("simsrc");
    const dst = sim.cloud("simdst");
    expect(src.baseUrl).not.toBe(dst.baseUrl);
    expect(src.projectId).not.toBe(dst.projectId);
    expect(src.projectId).toMatch(/^[0-9a-f]{32}$/);
    const s = api(src, await token(src));
    const d = api(dst, await token(dst));
    await s("POST", "/network/v2.0/networks", { network: { name: "only-in-src" } });
    expect((await s("GET", "/network/v2.0/networks?name=only-in-src")).body.networks).toHaveLength(1);
    expect((await d("GET", "/network/v2.0/networks?name=only-in-src")).body.networks).toHaveLength(0);
    const srcUbuntu = (await s("GET", "/image/v2/images?name=Ubuntu%2024.04")).body.images[0];
    const dstUbuntu = (await d("GET", "/image/v2/images?name=Ubuntu%2024.04")).body.images[0];
    expect(srcUbuntu.id).not.toBe(dstUbuntu.id);
    expect(srcUbuntu.os_version).toBe(dstUbuntu.os_version);
    // A token of one cloud is worthless on the other.
    expect((await api(dst, await token(src))("GET", "/compute/v2.1/servers")).status).toBe(401);
    const t = (await d("GET", "/identity/v3/auth/tokens", undefined, { "x-subject-token": await token(dst) })).body.token;
    expect(t.catalog[0].endpoints[0].region).toBe("de-1");
    expect(t.project.name).toBe("acme");
    expect(t.user.name).toBe("alice");
  });

  it("renders clouds.yaml in openstacksdk's format", () => {
    const doc = parse(sim.cloudsYaml());
    expect(Object.keys(doc.clouds)).toEqual(["simsrc", "simdst"]);
    const dst = sim.cloud("simdst");
    expect(doc.clouds.simdst).toEqual({
      auth: { auth_url: dst.authUrl, username: "alice", password: "pw-dst", project_name: "acme", user_domain_name: "Default", project_domain_name: "Default" },
      region_name: "de-1",
      interface: "public",
      identity_api_version: 3,
    });
    expect(dst.authUrl).toBe(`${dst.baseUrl}/identity/v3`);
  });

  it("preloads the SCS standard content, or nothing but the built-ins with standard: false", async () => {
    const bare = await startSim({ clouds: [{ name: "bare", standard: false, extraFlavors: [{ name: "m1.small", vcpus: 1, ram: 2048, disk: 20 }] }] });
    try {
      const b = bare.cloud("bare");
      const call = api(b, await token(b));
      expect((await call("GET", "/compute/v2.1/flavors")).body.flavors.map((f: { name: string }) => f.name)).toEqual(["m1.small"]);
      expect((await call("GET", "/image/v2/images")).body.images).toEqual([]);
      expect((await call("GET", "/network/v2.0/networks")).body.networks).toEqual([]);
      expect((await call("GET", "/network/v2.0/security-groups")).body.security_groups.map((g: { name: string }) => g.name)).toEqual(["default"]);
      expect((await call("GET", "/volume/v3/{project}/types")).body.volume_types.map((t: { name: string }) => t.name)).toEqual(["__DEFAULT__"]);
    } finally {
      await bare.close();
    }
    const std = sim.cloud("simsrc");
    const names = [...std.store.flavors.values()].map((f) => f.name).sort();
    expect(names).toEqual([...MANDATORY_FLAVORS].sort());
    const f = [...std.store.flavors.values()].find((x) => x.name === "SCS-1L-1")!;
    expect(f).toMatchObject({ vcpus: 1, ram: 1024, disk: 0, extra_specs: { "scs:cpu-type": "crowded-core", "scs:name-v1": "SCS-1L:1", "scs:name-v2": "SCS-1L-1" } });
    expect(f.extra_specs["scs:disk0-type"]).toBeUndefined();
  });

  it("keeps bytes in the given data dir and removes its own temp dir on close", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "simdata-"));
    const s = await startSim({ clouds: [{ name: "withdir", dataDir: dir }, { name: "tempdir" }] });
    expect(s.cloud("withdir").dataDir).toBe(dir);
    const ownDir = s.cloud("tempdir").dataDir;
    expect(readdirSync(dir).filter((f) => /^[0-9a-f]{128}$/.test(f))).toHaveLength(1);
    expect(existsSync(ownDir)).toBe(true);
    await s.close();
    expect(existsSync(ownDir)).toBe(false);
    expect(existsSync(dir)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it("exposes the state through /_sim/state for other processes", async () => {
    const src = sim.cloud("simsrc");
    const state = await json(await fetch(`${src.baseUrl}/_sim/state`));
    expect(state.name).toBe("simsrc");
    expect(state.projectId).toBe(src.projectId);
    expect(state.networks.map((n: { name: string }) => n.name)).toEqual(expect.arrayContaining(["public", "only-in-src"]));
    expect(state.images[0].blob).toMatchObject({ size: 1024 * 1024 });
  });

  it("refuses duplicate cloud names", async () => {
    await expect(startSim({ clouds: [{ name: "x" }, { name: "x" }] })).rejects.toThrow(/duplicate/);
  });
});
