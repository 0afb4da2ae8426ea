/**
 * Captures of Octavia (load-balancer v2, Zed) as a member with the
 * load-balancer_member role: discovery, 401/404, the create/show/list bodies
 * of every object of a full load balancer (listener, pool, member, health
 * monitor, L7 policy and rule), the 409 a change gets while the load balancer
 * is PENDING_*, the status tree, the 400 of a delete without cascade, and the
 * provisioning sequences of create and cascade delete.
 *
 * API: GET / and /v2; /v2/lbaas/providers; POST|GET /v2/lbaas/loadbalancers,
 * /listeners, /pools, /pools/{id}/members, /healthmonitors, /l7policies,
 * /l7policies/{id}/rules; GET /v2/lbaas/loadbalancers/{id}/status;
 * DELETE /v2/lbaas/loadbalancers/{id}?cascade=true; GET /v2/lbaas/quotas/{p}.
 *
 * Quirks: the lab runs Octavia's noop amphora/compute/network drivers, so the
 * VIP port id and the amphora are fake while everything the API answers comes
 * from the real code; operating_status stays OFFLINE (no health manager, no
 * heartbeats). Every change locks the load balancer (PENDING_UPDATE) until the
 * worker is done: the next change must wait for ACTIVE or gets 409.
 */
import type { BasicsResult } from "./capture-basics.js";
import { MISSING_ID } from "./capture-basics.js";
import type { CaptureContext } from "./capture.js";
import { call, expectStatus, recordSequence, type Exchange, type SequenceStep } from "./capture-http.js";

type Json = Record<string, any>;

const BAD_TOKEN = "gAAAAABinvalidtokeninvalidtokeninvalidtokeninvalidtokeninvalidtoken";

/** Runs the Octavia captures in the main capture project; deletes what it made. */
export async function captureOctavia(ctx: CaptureContext, basics: BasicsResult): Promise<void> {
  const { user, out } = ctx;
  const root = user.endpoints["load-balancer"];
  if (!root) {
    process.stderr.write("capture: no load-balancer endpoint in the catalog, Octavia skipped\n");
    return;
  }
  const lbaas = `${root}/v2/lbaas`;
  const tok = { token: user.token };

  const lbState = async (id: string): Promise<Json> => {
    const r = await call("GET", `${lbaas}/loadbalancers/${id}`, tok);
    if (r.reply.status === 404) return { http: 404 };
    const lb = r.reply.body.loadbalancer;
    return { provisioning_status: lb.provisioning_status, operating_status: lb.operating_status };
  };
  const waitActive = async (id: string) => {
    const seq = await recordSequence(() => lbState(id), (s) => s.provisioning_status === "ACTIVE" || s.provisioning_status === "ERROR", { intervalMs: 100, timeoutMs: 120_000 });
    if (seq.last.provisioning_status !== "ACTIVE") throw new Error(`load balancer ${id} ended in ${JSON.stringify(seq.last)}`);
    return seq;
  };
  const sequence = (name: string, description: string, first: { exchange: Exchange }, poll: string, seq: { steps: SequenceStep[]; elapsed_ms: number }) =>
    out.write("sequences", name, description, {
      request: first.exchange.request,
      response: { status: first.exchange.status, headers: first.exchange.headers, body: first.exchange.body },
      poll,
      interval_ms: 100,
      steps: seq.steps,
      elapsed_ms: seq.elapsed_ms,
    });

  // -------------------------------------------------- discovery, 401, 404
  out.exchange("octavia", "versions-root", "GET / (no token): version discovery", await call("GET", `${root}/`, {}));
  out.exchange("octavia", "401-bad-token", "GET /v2/lbaas/loadbalancers with a token Keystone never issued", await call("GET", `${lbaas}/loadbalancers`, { token: BAD_TOKEN }));
  out.exchange("octavia", "404-not-found", "GET /v2/lbaas/loadbalancers/{missing id}", await call("GET", `${lbaas}/loadbalancers/${MISSING_ID}`, tok));
  out.exchange("octavia", "404-pool-not-found", "GET /v2/lbaas/pools/{missing id}", await call("GET", `${lbaas}/pools/${MISSING_ID}`, tok));
  out.exchange("octavia", "providers-list", "GET /v2/lbaas/providers as a member: the enabled provider drivers", await call("GET", `${lbaas}/providers`, tok));
  out.exchange("octavia", "quota-show", "GET /v2/lbaas/quotas/{project} as a member of that project", await call("GET", `${lbaas}/quotas/${user.projectId}`, tok));
  out.exchange("octavia", "loadbalancers-list-empty", "GET /v2/lbaas/loadbalancers in a project without load balancers", await call("GET", `${lbaas}/loadbalancers`, tok));
  // the capture user holds only member and reader in the quota project
  out.exchange(
    "octavia",
    "403-member-without-load-balancer-role",
    "GET /v2/lbaas/loadbalancers as a project member without the load-balancer_member role: 403, Octavia's default policy refuses",
    await call("GET", `${lbaas}/loadbalancers`, { token: ctx.quotaUser.token }),
  );

  // ------------------------------------------------------- load balancer
  const t0 = Date.now();
  const lbCreate = await call("POST", `${lbaas}/loadbalancers`, {
    ...tok,
    json: { loadbalancer: { name: "cap-lb", description: "capture load balancer", vip_subnet_id: basics.subnetId, admin_state_up: true, tags: ["cap"] } },
  });
  const lb = expectStatus("create load balancer", lbCreate, 201).body.loadbalancer;
  // Why right after the create: the worker holds the load balancer in
  // PENDING_CREATE for a few hundred ms (taskflow, certificate for the amphora)
  const immutable = await call("PUT", `${lbaas}/loadbalancers/${lb.id}`, { ...tok, json: { loadbalancer: { description: "changed while pending" } } });
  out.exchange("octavia", "loadbalancer-create", "POST /v2/lbaas/loadbalancers with vip_subnet_id: 201, PENDING_CREATE / OFFLINE", lbCreate);
  if (immutable.reply.status === 409) {
    out.exchange("octavia", "409-loadbalancer-immutable", "PUT /v2/lbaas/loadbalancers/{id} while it is PENDING_CREATE: 409 immutable", immutable);
  } else {
    process.stderr.write(`capture: the change right after create answered ${immutable.reply.status}, not 409 (the worker was faster)\n`);
  }
  sequence("octavia-loadbalancer-create", "POST /v2/lbaas/loadbalancers until provisioning_status ACTIVE", lbCreate, "GET /v2/lbaas/loadbalancers/{id}", await waitActive(lb.id).then((s) => ({ ...s, elapsed_ms: Date.now() - t0 })));
  out.exchange("octavia", "loadbalancer-show-active", "GET /v2/lbaas/loadbalancers/{id} once ACTIVE (noop amphora: operating_status OFFLINE)", await call("GET", `${lbaas}/loadbalancers/${lb.id}`, tok));

  // ------------------------------------------------------------ listener
  const lsCreate = await call("POST", `${lbaas}/listeners`, {
    ...tok,
    json: { listener: { name: "cap-listener", protocol: "HTTP", protocol_port: 80, loadbalancer_id: lb.id, connection_limit: 1000, insert_headers: { "X-Forwarded-For": "true" }, tags: ["cap"] } },
  });
  const listener = expectStatus("create listener", lsCreate, 201).body.listener;
  const pendingUpdate = await call("POST", `${lbaas}/pools`, {
    ...tok,
    json: { pool: { name: "cap-pool-too-early", protocol: "HTTP", lb_algorithm: "ROUND_ROBIN", listener_id: listener.id } },
  });
  out.exchange("octavia", "listener-create", "POST /v2/lbaas/listeners HTTP:80 with insert_headers: 201, PENDING_CREATE", lsCreate);
  if (pendingUpdate.reply.status === 409) {
    out.exchange("octavia", "409-pool-create-while-pending-update", "POST /v2/lbaas/pools right after a listener create, while the load balancer is PENDING_UPDATE: 409", pendingUpdate);
  } else {
    process.stderr.write(`capture: the pool create right after the listener answered ${pendingUpdate.reply.status}, not 409\n`);
    if (pendingUpdate.reply.status === 201) await call("DELETE", `${lbaas}/pools/${pendingUpdate.reply.body.pool.id}`, tok);
  }
  await waitActive(lb.id);
  out.exchange("octavia", "listener-show", "GET /v2/lbaas/listeners/{id} once the load balancer is ACTIVE", await call("GET", `${lbaas}/listeners/${listener.id}`, tok));

  // ---------------------------------------------------------------- pool
  const poolCreate = await call("POST", `${lbaas}/pools`, {
    ...tok,
    json: { pool: { name: "cap-pool", protocol: "HTTP", lb_algorithm: "ROUND_ROBIN", listener_id: listener.id, session_persistence: { type: "HTTP_COOKIE" }, tags: ["cap"] } },
  });
  const pool = expectStatus("create pool", poolCreate, 201).body.pool;
  out.exchange("octavia", "pool-create", "POST /v2/lbaas/pools on the listener, HTTP_COOKIE persistence", poolCreate);
  await waitActive(lb.id);
  out.exchange("octavia", "pool-show", "GET /v2/lbaas/pools/{id}", await call("GET", `${lbaas}/pools/${pool.id}`, tok));

  // ------------------------------------------------------------- members
  const memberIds: string[] = [];
  for (const [i, address] of ["10.99.0.11", "10.99.0.12"].entries()) {
    const m = await call("POST", `${lbaas}/pools/${pool.id}/members`, {
      ...tok,
      json: { member: { name: `cap-member-${i + 1}`, address, protocol_port: 8080, subnet_id: basics.subnetId, weight: 1 + i, tags: ["cap"] } },
    });
    memberIds.push(expectStatus("create member", m, 201).body.member.id);
    if (i === 0) out.exchange("octavia", "member-create", "POST /v2/lbaas/pools/{id}/members with subnet_id and weight", m);
    await waitActive(lb.id);
  }
  out.exchange("octavia", "member-show", "GET /v2/lbaas/pools/{id}/members/{id} (no health monitor yet: NO_MONITOR)", await call("GET", `${lbaas}/pools/${pool.id}/members/${memberIds[0]}`, tok));
  out.exchange("octavia", "members-list", "GET /v2/lbaas/pools/{id}/members", await call("GET", `${lbaas}/pools/${pool.id}/members`, tok));

  // ------------------------------------------------------ health monitor
  const hmCreate = await call("POST", `${lbaas}/healthmonitors`, {
    ...tok,
    json: { healthmonitor: { name: "cap-hm", pool_id: pool.id, type: "HTTP", delay: 5, timeout: 3, max_retries: 3, max_retries_down: 3, http_method: "GET", url_path: "/healthz", expected_codes: "200-204", tags: ["cap"] } },
  });
  const hm = expectStatus("create health monitor", hmCreate, 201).body.healthmonitor;
  out.exchange("octavia", "healthmonitor-create", "POST /v2/lbaas/healthmonitors HTTP GET /healthz", hmCreate);
  await waitActive(lb.id);
  out.exchange("octavia", "healthmonitor-show", "GET /v2/lbaas/healthmonitors/{id}", await call("GET", `${lbaas}/healthmonitors/${hm.id}`, tok));

  // ------------------------------------------------------ L7 policy/rule
  const l7Create = await call("POST", `${lbaas}/l7policies`, {
    ...tok,
    json: { l7policy: { name: "cap-l7-redirect", listener_id: listener.id, action: "REDIRECT_TO_URL", redirect_url: "https://example.org/", redirect_http_code: 301, position: 1, tags: ["cap"] } },
  });
  const l7 = expectStatus("create l7policy", l7Create, 201).body.l7policy;
  out.exchange("octavia", "l7policy-create", "POST /v2/lbaas/l7policies REDIRECT_TO_URL with redirect_http_code 301", l7Create);
  await waitActive(lb.id);
  const ruleCreate = await call("POST", `${lbaas}/l7policies/${l7.id}/rules`, {
    ...tok,
    json: { rule: { type: "PATH", compare_type: "STARTS_WITH", value: "/old", invert: false, tags: ["cap"] } },
  });
  const rule = expectStatus("create l7rule", ruleCreate, 201).body.rule;
  out.exchange("octavia", "l7rule-create", "POST /v2/lbaas/l7policies/{id}/rules PATH STARTS_WITH /old (the body key is rule, not l7rule)", ruleCreate);
  await waitActive(lb.id);
  out.exchange("octavia", "l7policy-show", "GET /v2/lbaas/l7policies/{id} (rules as id references)", await call("GET", `${lbaas}/l7policies/${l7.id}`, tok));
  out.exchange("octavia", "l7rule-show", "GET /v2/lbaas/l7policies/{id}/rules/{id}", await call("GET", `${lbaas}/l7policies/${l7.id}/rules/${rule.id}`, tok));

  // --------------------------------------------------------------- lists
  const lists: [string, string][] = [
    ["loadbalancers-list", "loadbalancers"],
    ["listeners-list", "listeners"],
    ["pools-list", "pools"],
    ["healthmonitors-list", "healthmonitors"],
    ["l7policies-list", "l7policies"],
    [`l7rules-list`, `l7policies/${l7.id}/rules`],
  ];
  for (const [name, path] of lists) {
    out.exchange("octavia", name, `GET /v2/lbaas/${path.replace(l7.id, "{id}")}`, await call("GET", `${lbaas}/${path}`, tok));
  }
  out.exchange("octavia", "loadbalancers-list-limit1", "GET /v2/lbaas/loadbalancers?limit=1: loadbalancers_links", await call("GET", `${lbaas}/loadbalancers?limit=1`, tok));
  out.exchange("octavia", "loadbalancer-status-tree", "GET /v2/lbaas/loadbalancers/{id}/status: the status tree of the whole load balancer", await call("GET", `${lbaas}/loadbalancers/${lb.id}/status`, tok));
  out.exchange("octavia", "loadbalancer-stats", "GET /v2/lbaas/loadbalancers/{id}/stats (noop amphora: all zero)", await call("GET", `${lbaas}/loadbalancers/${lb.id}/stats`, tok));

  // ------------------------------------------------------------- deletes
  out.exchange("octavia", "400-loadbalancer-delete-with-children", "DELETE /v2/lbaas/loadbalancers/{id} without cascade while it has a listener and a pool", await call("DELETE", `${lbaas}/loadbalancers/${lb.id}`, tok));
  const memberDelete = await call("DELETE", `${lbaas}/pools/${pool.id}/members/${memberIds[1]}`, tok);
  out.exchange("octavia", "member-delete", "DELETE /v2/lbaas/pools/{id}/members/{id}: 204", memberDelete);
  await waitActive(lb.id);
  const t1 = Date.now();
  const cascade = await call("DELETE", `${lbaas}/loadbalancers/${lb.id}?cascade=true`, tok);
  expectStatus("cascade delete", cascade, 204);
  out.exchange("octavia", "loadbalancer-delete-cascade", "DELETE /v2/lbaas/loadbalancers/{id}?cascade=true: 204", cascade);
  const gone = await recordSequence(() => lbState(lb.id), (s) => s.http === 404 || s.provisioning_status === "DELETED", { intervalMs: 100, timeoutMs: 120_000, t0: t1 });
  sequence("octavia-loadbalancer-delete-cascade", "DELETE /v2/lbaas/loadbalancers/{id}?cascade=true until the load balancer is gone", cascade, "GET /v2/lbaas/loadbalancers/{id}", gone);
  out.exchange("octavia", "404-loadbalancer-after-delete", "GET /v2/lbaas/loadbalancers/{id} after the cascade delete", await call("GET", `${lbaas}/loadbalancers/${lb.id}`, tok));
  out.exchange("octavia", "404-listener-after-cascade", "GET /v2/lbaas/listeners/{id} after the cascade delete of its load balancer", await call("GET", `${lbaas}/listeners/${listener.id}`, tok));
}
