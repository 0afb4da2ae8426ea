/**
 * The provider's admin identity: user `admin` with the admin role on project
 * `admin`, which may set the tenant's quotas (Nova, Cinder, Neutron) and
 * manage flavors, while the member gets each service's real policy error.
 * Checked over HTTP always, and with openstackclient where it is installed.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { SimCloud } from "../../src/sim/index.js";
import { FAST, MV, api, token, useSim } from "./helpers.js";

async function adminToken(c: SimCloud, scope: Record<string, unknown> | undefined = { project: { name: "admin", domain: { name: "Default" } } }): Promise<Response> {
  return fetch(`${c.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "admin", domain: { name: "Default" }, password: c.adminPassword } } },
        ...(scope ? { scope } : {}),
      },
    }),
  });
}

describe("simulated admin identity", async () => {
  const sim = await useSim([{ name: "adm", delays: FAST }]);
  const c = sim.cloud("adm");
  const member = api(c, await token(c), MV);
  const adminRes = await adminToken(c);
  const admin = api(c, adminRes.headers.get("x-subject-token")!, MV);
  const cinderAdmin = `/volume/v3/${c.adminProjectId}/os-quota-sets/${c.projectId}`;

  it("authenticates admin on the admin project with the admin role, by default and by scope", async () => {
    expect(adminRes.status).toBe(201);
    const t = ((await adminRes.json()) as any).token;
    expect(t.user.name).toBe("admin");
    expect(t.project).toMatchObject({ id: c.adminProjectId, name: "admin" });
    expect(t.roles.map((r: { name: string }) => r.name)).toContain("admin");
    const cinder = t.catalog.find((s: { type: string }) => s.type === "volumev3");
    expect(cinder.endpoints[0].url).toBe(`${c.baseUrl}/volume/v3/${c.adminProjectId}`);
    expect((await adminToken(c, undefined)).status).toBe(201);
    // Each user holds roles on its own project only.
    expect((await adminToken(c, { project: { id: c.projectId } })).status).toBe(401);
  });

  it("answers the member's quota updates with each service's policy error", async () => {
    const nova = await member("PUT", `/compute/v2.1/os-quota-sets/${c.projectId}`, { quota_set: { instances: 3 } });
    expect(nova.status).toBe(403);
    expect(nova.body).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed." } });
    const cinder = await member("PUT", `/volume/v3/${c.projectId}/os-quota-sets/${c.projectId}`, { quota_set: { volumes: 5 } });
    expect(cinder.status).toBe(403);
    expect(cinder.body).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow volume_extension:quotas:update to be performed." } });
    const neutron = await member("PUT", `/network/v2.0/quotas/${c.projectId}`, { quota: { network: 7 } });
    expect(neutron.status).toBe(403);
    expect(neutron.body).toEqual({ NeutronError: { type: "PolicyNotAuthorized", message: "rule:update_quota is disallowed by policy", detail: "" } });
    expect(c.store.quotas.instances).toBe(10);
  });

  it("lets the admin set Nova, Cinder and Neutron quotas, which the member then sees and hits", async () => {
    const nova = await admin("PUT", `/compute/v2.1/os-quota-sets/${c.projectId}`, { quota_set: { instances: 3, cores: 6 } });
    expect(nova.status).toBe(200);
    expect(nova.body.quota_set).toMatchObject({ instances: 3, cores: 6 });
    expect(nova.body.quota_set.id).toBeUndefined();
    expect((await member("GET", "/compute/v2.1/limits")).body.limits.absolute.maxTotalInstances).toBe(3);

    const cinder = await admin("PUT", cinderAdmin, { quota_set: { volumes: 1 } });
    expect(cinder.status).toBe(200);
    expect(cinder.body.quota_set.volumes).toBe(1);
    expect((await member("POST", "/volume/v3/{project}/volumes", { volume: { size: 1, name: "q1" } })).status).toBe(202);
    const over = await member("POST", "/volume/v3/{project}/volumes", { volume: { size: 1, name: "q2" } });
    expect(over.status).toBe(413);

    const neutron = await admin("PUT", `/network/v2.0/quotas/${c.projectId}`, { quota: { network: 7, router: "4" } });
    expect(neutron.status).toBe(200);
    expect(neutron.body.quota).toMatchObject({ network: 7, router: 4 });
    expect((await member("GET", `/network/v2.0/quotas/${c.projectId}`)).body.quota.network).toBe(7);
  });

  it("refuses unknown keys, bad values and limits below usage as the services do", async () => {
    const nova = await admin("PUT", `/compute/v2.1/os-quota-sets/${c.projectId}`, { quota_set: { bogus: 1 } });
    expect(nova.status).toBe(400);
    expect(nova.body.badRequest.message).toContain("Additional properties are not allowed ('bogus' was unexpected)");
    expect((await admin("PUT", cinderAdmin, { quota_set: { volumes: -2 } })).body).toEqual({ badRequest: { code: 400, message: "volumes must be >= -1" } });
    const below = await admin("PUT", cinderAdmin, { quota_set: { volumes: 0 } });
    expect(below.status).toBe(400);
    expect(below.body.badRequest.message).toBe(`Quota limit invalid for project '${c.projectId}' for resource 'volumes': limit of 0 is less than in-use value of 1`);
    const neutron = await admin("PUT", `/network/v2.0/quotas/${c.projectId}`, { quota: { networks: 1 } });
    expect(neutron.body.NeutronError).toMatchObject({ type: "HTTPBadRequest", message: "Unrecognized attribute(s) 'networks'" });
    expect(c.store.quotas.volumes).toBe(1);
  });

  it("creates a private flavor and shares it with the project; the member cannot", async () => {
    const denied = await member("POST", "/compute/v2.1/flavors", { flavor: { name: "x", ram: 512, vcpus: 1, disk: 1 } });
    expect(denied.body).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed." } });
    const f = await admin("POST", "/compute/v2.1/flavors", { flavor: { name: "private-1", ram: 1024, vcpus: 1, disk: 5, "os-flavor-access:is_public": false } });
    expect(f.status).toBe(200);
    const id = f.body.flavor.id;
    expect((await member("GET", `/compute/v2.1/flavors/${id}`)).status).toBe(404);
    const grant = await member("POST", `/compute/v2.1/flavors/${id}/action`, { addTenantAccess: { tenant: c.projectId } });
    expect(grant.body.forbidden.message).toBe("Policy doesn't allow os_compute_api:os-flavor-access:add_tenant_access to be performed.");
    expect((await admin("POST", `/compute/v2.1/flavors/${id}/os-extra_specs`, { extra_specs: { "hw:cpu_policy": "shared" } })).status).toBe(200);
    const ok = await admin("POST", `/compute/v2.1/flavors/${id}/action`, { addTenantAccess: { tenant: c.projectId } });
    expect(ok.body).toEqual({ flavor_access: [{ flavor_id: id, tenant_id: c.projectId }] });
    const seen = await member("GET", `/compute/v2.1/flavors/${id}`);
    expect(seen.body.flavor).toMatchObject({ name: "private-1", "os-flavor-access:is_public": false, extra_specs: { "hw:cpu_policy": "shared" } });
  });

  it("serves the admin only quota and flavor management, not the tenant's resources", async () => {
    const servers = await admin("GET", "/compute/v2.1/servers");
    expect(servers.status).toBe(403);
    expect((await admin("GET", "/network/v2.0/networks")).status).toBe(403);
    expect((await admin("GET", `/identity/v3/projects?name=${c.projectName}`)).body.projects.map((p: { id: string }) => p.id)).toEqual([c.projectId]);
    expect((await member("GET", "/identity/v3/projects")).status).toBe(403);
  });

  it("writes a <name>-admin entry into clouds.yaml on request", () => {
    expect(Object.keys(parse(sim.cloudsYaml()).clouds)).toEqual(["adm"]);
    const doc = parse(sim.cloudsYaml({ admin: true }));
    expect(Object.keys(doc.clouds)).toEqual(["adm", "adm-admin"]);
    expect(doc.clouds["adm-admin"].auth).toMatchObject({ username: "admin", password: c.adminPassword, project_name: "admin" });
  });
});

function findCli(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v openstack"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const cli = findCli();
if (!cli) console.warn("openstack CLI not installed: skipping `openstack quota set` against the simulator (apt-get install python3-openstackclient)");

describe.skipIf(!cli)("openstack quota set against the simulator", async () => {
  const run = promisify(execFile);
  const sim = await useSim([{ name: "oscq", delays: FAST }]);
  const c = sim.cloud("oscq");
  const dir = mkdtempSync(path.join(tmpdir(), "sim-quota-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = path.join(dir, "clouds.yaml");
  writeFileSync(cfg, sim.cloudsYaml({ admin: true }));
  const osc = (cloud: string, ...args: string[]) => run(cli!, ["--os-cloud", cloud, ...args], { env: { ...process.env, OS_CLIENT_CONFIG_FILE: cfg } });

  it("works as admin and is refused (403) as member", async () => {
    await osc("oscq-admin", "quota", "set", "--instances", "3", "--volumes", "4", "--networks", "5", c.projectId);
    expect(c.store.quotas).toMatchObject({ instances: 3, volumes: 4, network: 5 });
    const err = await osc("oscq", "quota", "set", "--instances", "4", c.projectId).then(() => undefined, (e: { stderr: string }) => e);
    expect(err?.stderr).toMatch(/403|not authorized|Policy doesn't allow/i);
    expect(c.store.quotas.instances).toBe(3);
  });
});
