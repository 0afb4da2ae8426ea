/**
 * Removes everything capture.ts made: the throwaway projects with all their
 * servers, volumes, images, floating IPs, routers, ports, networks, security
 * groups and quota overrides, then the throwaway user with its keypairs.
 * Runs as the lab admin, both after a capture and before one (leftovers of an
 * interrupted run), so it finds resources by project rather than by memory.
 *
 * API: nova GET /servers/detail?all_tenants=1&project_id=, DELETE /servers/{id},
 * GET|DELETE /os-keypairs?user_id= (2.10+), DELETE /os-quota-sets/{project};
 * cinder GET /volumes/detail?all_tenants=1&project_id=, POST
 * /volumes/{id}/action os-reset_status, DELETE /volumes/{id}, DELETE
 * /os-quota-sets/{project}; glance GET /v2/images?owner=, DELETE; neutron
 * floatingips, routers (remove_router_interface, clear gateway), ports,
 * networks, security-groups, DELETE /v2.0/quotas/{project}; octavia GET
 * /v2/lbaas/loadbalancers?project_id=, DELETE ?cascade=true; keystone DELETE
 * /v3/projects/{id}, /v3/users/{id}.
 *
 * Quirks: a project's "default" security group can only be deleted by an admin;
 * nova deletes the ports it created, router interface ports must be removed
 * through the router.
 */
import { call, type Session } from "./capture-http.js";

async function waitGone(what: string, list: () => Promise<unknown[]>, timeoutMs = 180_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const left = await list();
    if (left.length === 0) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`cleanup: ${left.length} ${what} still there`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function getList(admin: Session, url: string, key: string): Promise<any[]> {
  const r = await call("GET", url, { token: admin.token, headers: { "OpenStack-API-Version": "compute 2.79, volume 3.60" } });
  if (r.reply.status !== 200) throw new Error(`cleanup: GET ${url}: HTTP ${r.reply.status}`);
  return r.reply.body[key] ?? [];
}

/** Deletes every resource of one project (servers first, networks last) and its quota overrides. */
export async function purgeProject(admin: Session, projectId: string): Promise<void> {
  // an empty or odd id would turn the project filters below into "everything"
  if (!/^[0-9a-f]{32}$/.test(projectId)) throw new Error(`cleanup: refusing odd project id ${JSON.stringify(projectId)}`);
  const nova = admin.endpoints.compute!;
  const cinder = admin.endpoints.volumev3!;
  const glance = admin.endpoints.image!;
  const neutron = `${admin.endpoints.network!}/v2.0`;
  const tok = { token: admin.token };

  // load balancers first: a cascade delete takes the whole tree with it
  const lbaas = admin.endpoints["load-balancer"] ? `${admin.endpoints["load-balancer"]}/v2/lbaas` : undefined;
  if (lbaas) {
    const lbs = () => getList(admin, `${lbaas}/loadbalancers?project_id=${projectId}`, "loadbalancers");
    for (const lb of await lbs()) {
      if (!String(lb.provisioning_status).startsWith("PENDING_")) await call("DELETE", `${lbaas}/loadbalancers/${lb.id}?cascade=true`, tok);
    }
    await waitGone("load balancers", async () => (await lbs()).filter((lb) => lb.provisioning_status !== "DELETED"));
  }

  const servers = () => getList(admin, `${nova}/servers/detail?all_tenants=1&project_id=${projectId}`, "servers");
  for (const s of await servers()) await call("DELETE", `${nova}/servers/${s.id}`, tok);
  await waitGone("servers", servers);

  const volumes = () => getList(admin, `${cinder}/volumes/detail?all_tenants=1&project_id=${projectId}`, "volumes");
  const snapshots = () => getList(admin, `${cinder}/snapshots/detail?all_tenants=1&project_id=${projectId}`, "snapshots");
  for (const s of await snapshots()) await call("DELETE", `${cinder}/snapshots/${s.id}`, tok);
  await waitGone("snapshots", snapshots);
  for (const v of await volumes()) {
    if (!["available", "error"].includes(v.status)) {
      await call("POST", `${cinder}/volumes/${v.id}/action`, {
        ...tok,
        json: { "os-reset_status": { status: "available", attach_status: "detached" } },
      });
    }
    await call("DELETE", `${cinder}/volumes/${v.id}`, tok);
  }
  await waitGone("volumes", volumes);

  for (const img of await getList(admin, `${glance}/v2/images?owner=${projectId}`, "images")) {
    if (img.protected) {
      await call("PATCH", `${glance}/v2/images/${img.id}`, {
        ...tok,
        json: [{ op: "replace", path: "/protected", value: false }],
        contentType: "application/openstack-images-v2.1-json-patch",
      });
    }
    await call("DELETE", `${glance}/v2/images/${img.id}`, tok);
  }

  for (const f of await getList(admin, `${neutron}/floatingips?project_id=${projectId}`, "floatingips")) {
    await call("DELETE", `${neutron}/floatingips/${f.id}`, tok);
  }
  for (const r of await getList(admin, `${neutron}/routers?project_id=${projectId}`, "routers")) {
    const ifaces = await getList(admin, `${neutron}/ports?device_id=${r.id}&device_owner=network:router_interface`, "ports");
    for (const p of ifaces) {
      await call("PUT", `${neutron}/routers/${r.id}/remove_router_interface`, { ...tok, json: { port_id: p.id } });
    }
    await call("PUT", `${neutron}/routers/${r.id}`, { ...tok, json: { router: { external_gateway_info: {} } } });
    await call("DELETE", `${neutron}/routers/${r.id}`, tok);
  }
  for (const p of await getList(admin, `${neutron}/ports?project_id=${projectId}`, "ports")) {
    await call("DELETE", `${neutron}/ports/${p.id}`, tok);
  }
  for (const n of await getList(admin, `${neutron}/networks?project_id=${projectId}`, "networks")) {
    await call("DELETE", `${neutron}/networks/${n.id}`, tok);
  }
  for (const g of await getList(admin, `${neutron}/security-groups?project_id=${projectId}`, "security_groups")) {
    await call("DELETE", `${neutron}/security-groups/${g.id}`, tok);
  }

  await call("DELETE", `${nova}/os-quota-sets/${projectId}`, tok);
  await call("DELETE", `${cinder}/os-quota-sets/${projectId}`, tok);
  await call("DELETE", `${neutron}/quotas/${projectId}`, tok);
}

/** Deletes a user's keypairs, then the user. */
export async function deleteUser(admin: Session, keystone: string, userId: string): Promise<void> {
  const nova = admin.endpoints.compute!;
  const kps = await call("GET", `${nova}/os-keypairs?user_id=${userId}`, {
    token: admin.token,
    headers: { "OpenStack-API-Version": "compute 2.79" },
  });
  for (const k of kps.reply.body?.keypairs ?? []) {
    await call("DELETE", `${nova}/os-keypairs/${encodeURIComponent(k.keypair.name)}?user_id=${userId}`, {
      token: admin.token,
      headers: { "OpenStack-API-Version": "compute 2.79" },
    });
  }
  await call("DELETE", `${keystone}/users/${userId}`, { token: admin.token });
}

/** Finds a project or user by name; undefined when absent. */
export async function findByName(admin: Session, keystone: string, kind: "projects" | "users", name: string): Promise<string | undefined> {
  const r = await call("GET", `${keystone}/${kind}?name=${encodeURIComponent(name)}`, { token: admin.token });
  return r.reply.body?.[kind]?.[0]?.id;
}
