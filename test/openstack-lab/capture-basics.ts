/**
 * Captures that need no workload: Keystone tokens, version documents, 401s
 * and 404s of every service, flavors, limits, Neutron security groups, the
 * project network (with its 409s) and the quota errors of Nova, Cinder and
 * Neutron in the tiny-quota project.
 *
 * API: keystone POST/GET /v3/auth/tokens, GET /v3/auth/projects; version roots
 * of all services; nova GET /servers, /servers/{id}, /flavors/detail, /limits,
 * POST /servers; cinder GET|POST /volumes; glance GET /v2/images[/{id}];
 * neutron GET|POST security-groups, security-group-rules, networks, subnets,
 * routers (add_router_interface), ports, floatingips.
 *
 * Quirks seen here: Glance answers 401 in HTML; Cinder and Neutron need a token
 * for their versioned roots, Nova and Glance do not; Nova's quota error is 403
 * (not 413) while Cinder's is 413 and Neutron's is 409.
 */
import type { CaptureContext } from "./capture.js";
import { call, expectStatus } from "./capture-http.js";

/** Microversion headers the tool sends. */
export const NOVA_MV = { "OpenStack-API-Version": "compute 2.79" };
export const CINDER_MV = { "OpenStack-API-Version": "volume 3.60" };

/** A UUID that exists nowhere. */
export const MISSING_ID = "00000000-0000-4000-8000-000000000000";

/** A syntactically valid token that Keystone never issued. */
const BAD_TOKEN = "gAAAAABinvalidtokeninvalidtokeninvalidtokeninvalidtokeninvalidtoken";

/** Ids made here and used by the workload captures. */
export interface BasicsResult {
  networkId: string;
  subnetId: string;
  securityGroup: string;
  keyName: string;
  publicNetworkId: string;
  serverGroupId: string;
}

/** Runs the captures without workloads and leaves a network, a router, a security group and a keypair behind. */
export async function captureBasics(ctx: CaptureContext): Promise<BasicsResult> {
  const { user, out, keystone } = ctx;
  const nova = user.endpoints.compute!;
  const cinder = user.endpoints.volumev3!;
  const glance = user.endpoints.image!;
  const neutron = `${user.endpoints.network!}/v2.0`;
  const tok = { token: user.token };

  // ---------------------------------------------------------------- keystone
  out.exchange("keystone", "token-issue-password", "POST /v3/auth/tokens, password, project scope: 201, catalog in the body, token in X-Subject-Token", user.issue);
  out.exchange(
    "keystone",
    "401-token-issue-bad-password",
    "POST /v3/auth/tokens with a wrong password",
    await call("POST", `${keystone}/auth/tokens`, {
      json: {
        auth: {
          identity: { methods: ["password"], password: { user: { name: ctx.userName, domain: { name: "Default" }, password: "wrong-password" } } },
          scope: { project: { name: "scs-migrate-capture", domain: { name: "Default" } } },
        },
      },
    }),
  );
  out.exchange("keystone", "401-bad-token", "GET /v3/auth/projects with a token Keystone never issued", await call("GET", `${keystone}/auth/projects`, { token: BAD_TOKEN }));
  out.exchange(
    "keystone",
    "404-validate-bad-subject-token",
    "GET /v3/auth/tokens: valid X-Auth-Token, invalid X-Subject-Token",
    await call("GET", `${keystone}/auth/tokens`, { ...tok, headers: { "X-Subject-Token": BAD_TOKEN } }),
  );
  out.exchange("keystone", "auth-projects", "GET /v3/auth/projects: the projects the user may scope to", await call("GET", `${keystone}/auth/projects`, tok));

  // ---------------------------------------------------------- version docs
  const versionDocs: [string, string, string, boolean][] = [
    ["keystone", "versions-root", "http://127.0.0.1:5000/", false],
    ["keystone", "version-v3", "http://127.0.0.1:5000/v3", false],
    ["nova", "versions-root", "http://127.0.0.1:8774/", false],
    ["nova", "version-v2.1", "http://127.0.0.1:8774/v2.1/", false],
    ["cinder", "versions-root", "http://127.0.0.1:8776/", false],
    ["cinder", "version-v3", "http://127.0.0.1:8776/v3/", true],
    ["glance", "versions-root", "http://127.0.0.1:9292/", false],
    ["glance", "versions", "http://127.0.0.1:9292/versions", false],
    ["neutron", "versions-root", "http://127.0.0.1:9696/", false],
    ["neutron", "version-v2.0", "http://127.0.0.1:9696/v2.0/", true],
  ];
  for (const [svc, name, url, auth] of versionDocs) {
    out.exchange(svc, name, `GET ${new URL(url).pathname}${auth ? " (with token)" : " (no token)"}: version discovery`, await call("GET", url, auth ? tok : {}));
  }
  out.exchange("cinder", "401-version-v3-no-token", "GET /v3/ without a token", await call("GET", "http://127.0.0.1:8776/v3/", {}));

  // ----------------------------------------------------- 401 and 404 each
  const probes: [string, string, string][] = [
    ["nova", `${nova}/servers`, `${nova}/servers/${MISSING_ID}`],
    ["cinder", `${cinder}/volumes`, `${cinder}/volumes/${MISSING_ID}`],
    ["glance", `${glance}/v2/images`, `${glance}/v2/images/${MISSING_ID}`],
    ["neutron", `${neutron}/networks`, `${neutron}/networks/${MISSING_ID}`],
  ];
  for (const [svc, list, missing] of probes) {
    out.exchange(svc, "401-bad-token", `GET ${new URL(list).pathname} with a token Keystone never issued`, await call("GET", list, { token: BAD_TOKEN }));
    const mv = svc === "nova" ? NOVA_MV : svc === "cinder" ? CINDER_MV : {};
    out.exchange(svc, "404-not-found", `GET ${new URL(missing).pathname.replace(MISSING_ID, "{missing id}")}`, await call("GET", missing, { ...tok, headers: mv }));
  }
  out.exchange(
    "glance",
    "404-not-found-accept-any",
    "GET /v2/images/{missing id} with Accept: */* (what curl sends): the error body is HTML",
    await call("GET", `${glance}/v2/images/${MISSING_ID}`, { ...tok, headers: { Accept: "*/*" } }),
  );
  out.exchange("nova", "404-flavor", "GET /flavors/{missing id}", await call("GET", `${nova}/flavors/${MISSING_ID}`, { ...tok, headers: NOVA_MV }));

  // ---------------------------------------------------- flavors and limits
  out.exchange("nova", "flavors-detail-2.79", "GET /flavors/detail at 2.79: extra_specs inline (2.61+), description (2.55+)", await call("GET", `${nova}/flavors/detail`, { ...tok, headers: NOVA_MV }));
  out.exchange("nova", "flavors-detail-2.1", "GET /flavors/detail without microversion: no extra_specs", await call("GET", `${nova}/flavors/detail`, tok));
  out.exchange("nova", "limits", "GET /limits at 2.79 (absolute limits and usage)", await call("GET", `${nova}/limits`, { ...tok, headers: NOVA_MV }));
  out.exchange("cinder", "limits", "GET /limits at 3.60", await call("GET", `${cinder}/limits`, { ...tok, headers: CINDER_MV }));

  // --------------------------------------------------- security groups
  out.exchange(
    "neutron",
    "security-groups-default-new-project",
    "GET /v2.0/security-groups in a project's first Neutron call: Neutron creates the default group (2 ingress from itself, 2 egress)",
    await call("GET", `${neutron}/security-groups?project_id=${user.projectId}`, tok),
  );
  const sgCreate = await call("POST", `${neutron}/security-groups`, { ...tok, json: { security_group: { name: "cap-web", description: "web tier" } } });
  const sg = expectStatus("create SG", sgCreate, 201).body.security_group;
  out.exchange("neutron", "security-group-create", "POST /v2.0/security-groups: the new group already has egress IPv4 and IPv6 rules", sgCreate);
  out.exchange(
    "neutron",
    "security-group-rule-create",
    "POST /v2.0/security-group-rules: ingress tcp 22 from 0.0.0.0/0",
    await call("POST", `${neutron}/security-group-rules`, {
      ...tok,
      json: { security_group_rule: { security_group_id: sg.id, direction: "ingress", ethertype: "IPv4", protocol: "tcp", port_range_min: 22, port_range_max: 22, remote_ip_prefix: "0.0.0.0/0", description: "ssh" } },
    }),
  );
  out.exchange(
    "neutron",
    "409-security-group-rule-duplicate",
    "POST /v2.0/security-group-rules repeating the default egress IPv4 rule: SecurityGroupRuleExists",
    await call("POST", `${neutron}/security-group-rules`, {
      ...tok,
      json: { security_group_rule: { security_group_id: sg.id, direction: "egress", ethertype: "IPv4" } },
    }),
  );
  out.exchange(
    "neutron",
    "409-security-group-rule-duplicate-cidr",
    "POST /v2.0/security-group-rules repeating the default egress IPv4 rule with remote_ip_prefix 0.0.0.0/0 written out",
    await call("POST", `${neutron}/security-group-rules`, {
      ...tok,
      json: { security_group_rule: { security_group_id: sg.id, direction: "egress", ethertype: "IPv4", remote_ip_prefix: "0.0.0.0/0" } },
    }),
  );

  // ------------------------------------------------------------ network
  const pub = await call("GET", `${neutron}/networks?router:external=true&is_default=true`, tok);
  out.exchange("neutron", "networks-external-default", "GET /v2.0/networks?router:external=true&is_default=true: how a tenant finds the default external network", pub);
  const publicNetworkId = expectStatus("list public", pub, 200).body.networks[0].id as string;
  const netCreate = await call("POST", `${neutron}/networks`, { ...tok, json: { network: { name: "cap-net", description: "capture network" } } });
  const net = expectStatus("create net", netCreate, 201).body.network;
  out.exchange("neutron", "network-create", "POST /v2.0/networks (tenant network, vxlan)", netCreate);
  const subCreate = await call("POST", `${neutron}/subnets`, {
    ...tok,
    json: {
      subnet: {
        name: "cap-subnet", network_id: net.id, ip_version: 4, cidr: "10.99.0.0/24", gateway_ip: "10.99.0.1",
        allocation_pools: [{ start: "10.99.0.10", end: "10.99.0.200" }], dns_nameservers: ["9.9.9.9"],
        host_routes: [{ destination: "192.168.100.0/24", nexthop: "10.99.0.254" }],
      },
    },
  });
  const subnet = expectStatus("create subnet", subCreate, 201).body.subnet;
  out.exchange("neutron", "subnet-create", "POST /v2.0/subnets with pools, DNS and a host route", subCreate);
  const rtCreate = await call("POST", `${neutron}/routers`, {
    ...tok,
    json: { router: { name: "cap-router", external_gateway_info: { network_id: publicNetworkId } } },
  });
  const router = expectStatus("create router", rtCreate, 201).body.router;
  out.exchange("neutron", "router-create-with-gateway", "POST /v2.0/routers with external_gateway_info as a member", rtCreate);
  out.exchange(
    "neutron",
    "router-add-interface",
    "PUT /v2.0/routers/{id}/add_router_interface by subnet_id",
    await call("PUT", `${neutron}/routers/${router.id}/add_router_interface`, { ...tok, json: { subnet_id: subnet.id } }),
  );
  const fixed = { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: "10.99.0.50" }] };
  out.exchange("neutron", "port-create-fixed-ip", "POST /v2.0/ports with a fixed IP", await call("POST", `${neutron}/ports`, { ...tok, json: { port: { name: "cap-port-1", ...fixed } } }));
  out.exchange("neutron", "409-ip-address-in-use", "POST /v2.0/ports asking for the same fixed IP again: IpAddressAlreadyAllocated", await call("POST", `${neutron}/ports`, { ...tok, json: { port: { name: "cap-port-2", ...fixed } } }));
  out.exchange(
    "neutron",
    "400-ip-outside-subnet",
    "POST /v2.0/ports with a fixed IP outside the subnet's CIDR",
    await call("POST", `${neutron}/ports`, { ...tok, json: { port: { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: "10.98.0.5" }] } } }),
  );
  out.exchange(
    "neutron",
    "400-subnet-cidr-overlap",
    "POST /v2.0/subnets with a CIDR overlapping one on the same network: 400 InvalidInput (not 409)",
    await call("POST", `${neutron}/subnets`, { ...tok, json: { subnet: { network_id: net.id, ip_version: 4, cidr: "10.99.0.0/25" } } }),
  );
  // two networks are visible (cap-net and the shared external one): pages 1, 2 and an empty 3
  let next: string | undefined = `${neutron}/networks?limit=1`;
  for (let page = 1; next && page <= 5; page++) {
    const r = await call("GET", next, tok);
    out.exchange("neutron", `networks-list-limit1-page${page}`, page === 1 ? "GET /v2.0/networks?limit=1: networks_links with rel=next and rel=previous (absolute URLs)" : `GET the next link of page ${page - 1}`, r);
    next = (r.reply.body.networks_links ?? []).find((l: { rel: string }) => l.rel === "next")?.href;
  }

  // ------------------------------------------------------------ keypair
  out.exchange(
    "nova",
    "keypair-import",
    "POST /os-keypairs with public_key at 2.79 (201; no private_key in the answer)",
    await call("POST", `${nova}/os-keypairs`, {
      ...tok,
      headers: NOVA_MV,
      json: { keypair: { name: "cap-key", type: "ssh", public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMud2K70d6KGdHId/P2o/5nIDYxNXeGTzOr73GnBoGbN deploy@example" } },
    }),
  );
  out.exchange(
    "nova",
    "409-keypair-exists",
    "POST /os-keypairs with a name already taken",
    await call("POST", `${nova}/os-keypairs`, {
      ...tok,
      headers: NOVA_MV,
      json: { keypair: { name: "cap-key", type: "ssh", public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMud2K70d6KGdHId/P2o/5nIDYxNXeGTzOr73GnBoGbN deploy@example" } },
    }),
  );

  const sgrp = await call("POST", `${nova}/os-server-groups`, { ...tok, headers: NOVA_MV, json: { server_group: { name: "cap-spread", policy: "soft-anti-affinity" } } });
  const serverGroupId = expectStatus("server group", sgrp, 200).body.server_group.id as string;
  out.exchange("nova", "server-group-create", "POST /os-server-groups at 2.79 (policy + rules form of 2.64+): 200, not 201", sgrp);

  // ------------------------------------------- placement-related lookups
  out.exchange("nova", "availability-zones", "GET /os-availability-zone as a member", await call("GET", `${nova}/os-availability-zone`, { ...tok, headers: NOVA_MV }));
  out.exchange("cinder", "availability-zones", "GET /os-availability-zone as a member", await call("GET", `${cinder}/os-availability-zone`, { ...tok, headers: CINDER_MV }));
  out.exchange("cinder", "types-list", "GET /types at 3.60 as a member: names, descriptions with [scs:...] aspects, no extra_specs", await call("GET", `${cinder}/types`, { ...tok, headers: CINDER_MV }));

  await captureQuotaErrors(ctx);
  return { networkId: net.id, subnetId: subnet.id, securityGroup: "cap-web", keyName: "cap-key", publicNetworkId, serverGroupId };
}

/** Flavor id by name (public flavors). */
export async function findFlavor(nova: string, token: string, name: string): Promise<string> {
  const r = await call("GET", `${nova}/flavors?is_public=true`, { token });
  const f = (r.reply.body.flavors as { id: string; name: string }[]).find((x) => x.name === name);
  if (!f) throw new Error(`flavor ${name} not found: run npm run lab:up`);
  return f.id;
}

/** Finds the lab's public Ubuntu 24.04 image id. */
export async function findUbuntu(glance: string, token: string): Promise<string> {
  const r = await call("GET", `${glance}/v2/images?name=${encodeURIComponent("Ubuntu 24.04")}`, { token });
  const img = r.reply.body.images?.[0];
  if (!img) throw new Error("image Ubuntu 24.04 not found: run npm run lab:up");
  return img.id;
}

async function captureQuotaErrors(ctx: CaptureContext): Promise<void> {
  const { admin, quotaUser: q, out } = ctx;
  const nova = q.endpoints.compute!;
  const cinder = q.endpoints.volumev3!;
  const neutron = `${q.endpoints.network!}/v2.0`;
  const tok = { token: q.token };
  const adm = { token: admin.token };
  const pid = q.projectId;
  expectStatus("nova quota", await call("PUT", `${admin.endpoints.compute!}/os-quota-sets/${pid}`, { ...adm, json: { quota_set: { instances: 0 } } }), 200);
  expectStatus("cinder quota", await call("PUT", `${admin.endpoints.volumev3!}/os-quota-sets/${pid}`, { ...adm, json: { quota_set: { volumes: 0 } } }), 200);
  expectStatus("neutron quota", await call("PUT", `${admin.endpoints.network!}/v2.0/quotas/${pid}`, { ...adm, json: { quota: { security_group: 1 } } }), 200);

  const flavor = await findFlavor(nova, q.token, "SCS-2V-4-20s");
  const image = await findUbuntu(q.endpoints.image!, q.token);
  out.exchange(
    "nova",
    "403-quota-instances",
    "POST /servers with an instances quota of 0: 403 (Nova's quota errors are 403, not 413)",
    await call("POST", `${nova}/servers`, { ...tok, headers: NOVA_MV, json: { server: { name: "cap-quota-vm", flavorRef: flavor, imageRef: image, networks: "none" } } }),
  );
  out.exchange(
    "nova",
    "quota-set-detail",
    "GET /os-quota-sets/{project}/detail as a member of that project: limit, in_use, reserved",
    await call("GET", `${nova}/os-quota-sets/${pid}/detail`, { ...tok, headers: NOVA_MV }),
  );
  out.exchange(
    "cinder",
    "413-quota-volumes",
    "POST /volumes with a volumes quota of 0: 413 VolumeLimitExceeded",
    await call("POST", `${cinder}/volumes`, { ...tok, headers: CINDER_MV, json: { volume: { size: 1, name: "cap-quota-vol" } } }),
  );
  expectStatus("cinder quota", await call("PUT", `${admin.endpoints.volumev3!}/os-quota-sets/${pid}`, { ...adm, json: { quota_set: { volumes: 10, gigabytes: 1 } } }), 200);
  out.exchange(
    "cinder",
    "413-quota-gigabytes",
    "POST /volumes of 2 GB with a gigabytes quota of 1: 413 VolumeSizeExceedsAvailableQuota",
    await call("POST", `${cinder}/volumes`, { ...tok, headers: CINDER_MV, json: { volume: { size: 2, name: "cap-quota-vol" } } }),
  );
  out.exchange(
    "cinder",
    "quota-set-usage",
    "GET /os-quota-sets/{project}?usage=true as a member: limit, in_use, reserved, allocated per resource",
    await call("GET", `${cinder}/os-quota-sets/${pid}?usage=true`, { ...tok, headers: CINDER_MV }),
  );
  // the default group is created on the first call and counts against the quota
  await call("GET", `${neutron}/security-groups`, tok);
  out.exchange(
    "neutron",
    "409-quota-security-group",
    "POST /v2.0/security-groups with a security_group quota of 1 (the default group uses it): 409 OverQuota",
    await call("POST", `${neutron}/security-groups`, { ...tok, json: { security_group: { name: "cap-quota-sg" } } }),
  );
  out.exchange("neutron", "quota-details", "GET /v2.0/quotas/{project}/details as a member: limit, used, reserved", await call("GET", `${neutron}/quotas/${pid}/details`, tok));
}
