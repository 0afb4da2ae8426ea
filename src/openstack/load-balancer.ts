/**
 * Octavia (load-balancer v2): load balancers and their children (listeners,
 * pools, members, health monitors, L7 policies and rules), the status tree,
 * quotas, providers, LB flavors and availability zones; waiters for the
 * asynchronous provisioning states and a retry for Octavia's 409 while a
 * load balancer is busy.
 *
 * API: /v2/lbaas/{loadbalancers,listeners,pools,healthmonitors,l7policies}[/{id}],
 * /v2/lbaas/pools/{id}/members[/{id}], /v2/lbaas/l7policies/{id}/rules[/{id}],
 * /v2/lbaas/loadbalancers/{id}/{status,stats}, /v2/lbaas/quotas/{project},
 * /v2/lbaas/providers, /v2/lbaas/flavors, /v2/lbaas/availabilityzones.
 *
 * Quirks (Octavia api-ref and source):
 * - The catalog URL has no /v2 (devstack: …/load-balancer); paths add it.
 * - Every change is asynchronous: the object and its load balancer go to
 *   PENDING_* and back to ACTIVE. Any change under a load balancer that is
 *   PENDING_* (or ERROR) is refused with 409: children get "Load Balancer
 *   <id> is immutable and cannot be updated.", the load balancer itself
 *   "Invalid state PENDING_UPDATE of loadbalancer resource <id>".
 * - A load balancer in ERROR carries no reason: the API has no fault field.
 *   The waiter names the children in ERROR from the status tree instead.
 * - Pagination: `limit`/`marker` with `*_links`, but the next link keeps only
 *   limit, sort and marker and drops the filters (`tags=`, `name=`), so the
 *   marker is taken from the link and the request is rebuilt with the filters.
 *   A page capped by the server's maximum is shorter than `limit` yet has a
 *   next link, which is why the link is read at all.
 * - Quotas are 403 ("Quota has been met for resources: Load Balancer"), not 409.
 * - Deleting a load balancer with children needs `cascade=true` (else 400).
 * Reference: https://docs.openstack.org/api-ref/load-balancer/v2/
 */
import { z } from "zod";
import { ApiError, WaitError, statusIs } from "../errors.js";
import type { QueryParams } from "./http.js";
import { Links, nextHref } from "./lenient.js";
import {
  HealthMonitor, HealthMonitorResponse, L7Policy, L7PolicyResponse, L7Rule, L7RuleResponse, LbAvailabilityZone, LbFlavor,
  Listener, ListenerResponse, LoadBalancer, LoadBalancerResponse, Member, MemberResponse, Pool, PoolResponse, Provider,
  ProviderListResponse, QuotaResponse, StatusTreeResponse, StatsResponse, type OctaviaQuota, type StatusTree,
} from "./load-balancer-schemas.js";
import type {
  CreateHealthMonitorRequest, CreateL7PolicyRequest, CreateL7RuleRequest, CreateListenerRequest, CreateLoadBalancerRequest,
  CreateMemberRequest, CreatePoolRequest, OctaviaBody,
} from "./load-balancer-requests.js";
import { call, parseBody } from "./parse.js";
import type { ServiceClient } from "./session.js";
import { sleep, waitFor, waitForDeleted, type WaitOptions } from "./waiters.js";

export * from "./load-balancer-schemas.js";
export type * from "./load-balancer-requests.js";

/** A load-balancer service client. */
export type LoadBalancerClient = ServiceClient<"load-balancer">;

const enc = encodeURIComponent;
const LBAAS = "/v2/lbaas";

/**
 * Lists every page of an Octavia collection. The next link only gives the
 * marker (it drops the filters); the request is rebuilt with the filters.
 */
async function listOctavia<S extends z.ZodType>(
  c: LoadBalancerClient,
  path: string,
  key: string,
  item: S,
  filters: QueryParams,
  idOf: (it: z.output<S>) => string = (it) => (it as { id: string }).id,
): Promise<z.output<S>[]> {
  const Page = pageSchema(key, item);
  const limit = c.pageSize > 0 ? c.pageSize : undefined;
  const out: z.output<S>[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const res = await c.request<unknown>({ method: "GET", path, params: { ...filters, ...(limit ? { limit } : {}), ...(marker ? { marker } : {}) } });
    const body = parseBody(Page, res.data, { method: "GET", url: res.url, status: res.status, requestId: res.requestId }) as Record<string, unknown>;
    const items = (body[key] ?? []) as Array<z.output<S>>;
    let fresh = 0;
    for (const it of items) {
      if (seen.has(idOf(it))) continue;
      seen.add(idOf(it));
      out.push(it);
      fresh++;
    }
    const links = Links.safeParse(body[`${key}_links`]);
    const href = links.success ? nextHref(links.data) : undefined;
    const fromLink = href ? new URL(href, c.endpoint).searchParams.get("marker") ?? undefined : undefined;
    const last = items[items.length - 1];
    const next = fromLink ?? (limit && last !== undefined && items.length >= limit ? idOf(last) : undefined);
    // Why: a server that repeats a page (or a marker) would otherwise loop forever.
    if (!next || fresh === 0 || next === marker) break;
    marker = next;
  }
  return out;
}

function pageSchema<S extends z.ZodType>(key: string, item: S) {
  return z.object({ [key]: z.array(item).nullish(), [`${key}_links`]: z.unknown() }).loose();
}

function crud<S extends z.ZodType>(path: string, one: string, many: string, item: S, Envelope: z.ZodType) {
  const pick = (body: unknown) => (body as Record<string, z.output<S>>)[one] as z.output<S>;
  return {
    list: (c: LoadBalancerClient, filters: QueryParams = {}): Promise<z.output<S>[]> => listOctavia(c, `${LBAAS}/${path}`, many, item, filters),
    get: async (c: LoadBalancerClient, resourceId: string): Promise<z.output<S>> =>
      pick((await call(c, Envelope, { method: "GET", path: `${LBAAS}/${path}/${enc(resourceId)}` })).body),
    create: async (c: LoadBalancerClient, body: OctaviaBody): Promise<z.output<S>> =>
      pick((await call(c, Envelope, { method: "POST", path: `${LBAAS}/${path}`, json: { [one]: body } })).body),
    update: async (c: LoadBalancerClient, resourceId: string, body: OctaviaBody): Promise<z.output<S>> =>
      pick((await call(c, Envelope, { method: "PUT", path: `${LBAAS}/${path}/${enc(resourceId)}`, json: { [one]: body } })).body),
    delete: async (c: LoadBalancerClient, resourceId: string): Promise<void> => {
      await c.delete(`${LBAAS}/${path}/${enc(resourceId)}`);
    },
  };
}

const lbs = crud("loadbalancers", "loadbalancer", "loadbalancers", LoadBalancer, LoadBalancerResponse);
const listeners = crud("listeners", "listener", "listeners", Listener, ListenerResponse);
const pools = crud("pools", "pool", "pools", Pool, PoolResponse);
const monitors = crud("healthmonitors", "healthmonitor", "healthmonitors", HealthMonitor, HealthMonitorResponse);
const policies = crud("l7policies", "l7policy", "l7policies", L7Policy, L7PolicyResponse);
const members = (poolId: string) => crud(`pools/${enc(poolId)}/members`, "member", "members", Member, MemberResponse);
const rules = (policyId: string) => crud(`l7policies/${enc(policyId)}/rules`, "rule", "rules", L7Rule, L7RuleResponse);

/** Lists load balancers matching the filters (every page; `tags` for markers). */
export const listLoadBalancers: (c: LoadBalancerClient, filters?: QueryParams) => Promise<LoadBalancer[]> = lbs.list;
/** Shows one load balancer. */
export const getLoadBalancer: (c: LoadBalancerClient, id: string) => Promise<LoadBalancer> = lbs.get;
/** Creates a load balancer; it is PENDING_CREATE until `waitForLoadBalancer`. */
export const createLoadBalancer = (c: LoadBalancerClient, req: CreateLoadBalancerRequest): Promise<LoadBalancer> => lbs.create(c, req);
/** Updates a load balancer (name, description, admin_state_up, tags, vip_qos_policy_id). */
export const updateLoadBalancer: (c: LoadBalancerClient, id: string, body: OctaviaBody) => Promise<LoadBalancer> = lbs.update;

/** Deletes a load balancer; `cascade` also deletes every child (else Octavia refuses one with children). */
export async function deleteLoadBalancer(c: LoadBalancerClient, lbId: string, opts: { cascade?: boolean } = {}): Promise<void> {
  await c.delete(`${LBAAS}/loadbalancers/${enc(lbId)}`, opts.cascade ? { params: { cascade: "true" } } : {});
}

/** The load balancer with every child and their provisioning/operating statuses. */
export async function getLoadBalancerStatusTree(c: LoadBalancerClient, lbId: string): Promise<StatusTree> {
  return (await call(c, StatusTreeResponse, { method: "GET", path: `${LBAAS}/loadbalancers/${enc(lbId)}/status` })).body.statuses.loadbalancer;
}

/** Traffic counters of a load balancer. */
export async function getLoadBalancerStats(c: LoadBalancerClient, lbId: string): Promise<z.output<typeof StatsResponse>["stats"]> {
  return (await call(c, StatsResponse, { method: "GET", path: `${LBAAS}/loadbalancers/${enc(lbId)}/stats` })).body.stats;
}

/** Lists listeners (every page). */
export const listListeners: (c: LoadBalancerClient, filters?: QueryParams) => Promise<Listener[]> = listeners.list;
export const getListener: (c: LoadBalancerClient, id: string) => Promise<Listener> = listeners.get;
export const createListener = (c: LoadBalancerClient, req: CreateListenerRequest): Promise<Listener> => listeners.create(c, req);
export const updateListener: (c: LoadBalancerClient, id: string, body: OctaviaBody) => Promise<Listener> = listeners.update;
export const deleteListener: (c: LoadBalancerClient, id: string) => Promise<void> = listeners.delete;

/** Lists pools (every page). */
export const listPools: (c: LoadBalancerClient, filters?: QueryParams) => Promise<Pool[]> = pools.list;
export const getPool: (c: LoadBalancerClient, id: string) => Promise<Pool> = pools.get;
export const createPool = (c: LoadBalancerClient, req: CreatePoolRequest): Promise<Pool> => pools.create(c, req);
export const updatePool: (c: LoadBalancerClient, id: string, body: OctaviaBody) => Promise<Pool> = pools.update;
/** Deletes a pool with its members and health monitor. */
export const deletePool: (c: LoadBalancerClient, id: string) => Promise<void> = pools.delete;

/** Lists the members of a pool (every page). */
export const listMembers = (c: LoadBalancerClient, poolId: string, filters: QueryParams = {}): Promise<Member[]> => members(poolId).list(c, filters);
export const getMember = (c: LoadBalancerClient, poolId: string, memberId: string): Promise<Member> => members(poolId).get(c, memberId);
export const createMember = (c: LoadBalancerClient, poolId: string, req: CreateMemberRequest): Promise<Member> => members(poolId).create(c, req);
export const updateMember = (c: LoadBalancerClient, poolId: string, memberId: string, body: OctaviaBody): Promise<Member> => members(poolId).update(c, memberId, body);
export const deleteMember = (c: LoadBalancerClient, poolId: string, memberId: string): Promise<void> => members(poolId).delete(c, memberId);

/** Lists health monitors (every page). */
export const listHealthMonitors: (c: LoadBalancerClient, filters?: QueryParams) => Promise<HealthMonitor[]> = monitors.list;
export const getHealthMonitor: (c: LoadBalancerClient, id: string) => Promise<HealthMonitor> = monitors.get;
export const createHealthMonitor = (c: LoadBalancerClient, req: CreateHealthMonitorRequest): Promise<HealthMonitor> => monitors.create(c, req);
export const updateHealthMonitor: (c: LoadBalancerClient, id: string, body: OctaviaBody) => Promise<HealthMonitor> = monitors.update;
export const deleteHealthMonitor: (c: LoadBalancerClient, id: string) => Promise<void> = monitors.delete;

/** Lists L7 policies (every page). */
export const listL7Policies: (c: LoadBalancerClient, filters?: QueryParams) => Promise<L7Policy[]> = policies.list;
export const getL7Policy: (c: LoadBalancerClient, id: string) => Promise<L7Policy> = policies.get;
export const createL7Policy = (c: LoadBalancerClient, req: CreateL7PolicyRequest): Promise<L7Policy> => policies.create(c, req);
export const updateL7Policy: (c: LoadBalancerClient, id: string, body: OctaviaBody) => Promise<L7Policy> = policies.update;
export const deleteL7Policy: (c: LoadBalancerClient, id: string) => Promise<void> = policies.delete;

/** Lists the rules of an L7 policy (every page). */
export const listL7Rules = (c: LoadBalancerClient, policyId: string, filters: QueryParams = {}): Promise<L7Rule[]> => rules(policyId).list(c, filters);
export const getL7Rule = (c: LoadBalancerClient, policyId: string, ruleId: string): Promise<L7Rule> => rules(policyId).get(c, ruleId);
export const createL7Rule = (c: LoadBalancerClient, policyId: string, req: CreateL7RuleRequest): Promise<L7Rule> => rules(policyId).create(c, req);
export const updateL7Rule = (c: LoadBalancerClient, policyId: string, ruleId: string, body: OctaviaBody): Promise<L7Rule> => rules(policyId).update(c, ruleId, body);
export const deleteL7Rule = (c: LoadBalancerClient, policyId: string, ruleId: string): Promise<void> => rules(policyId).delete(c, ruleId);

/** Lists the provider drivers the cloud offers (amphora, ovn, …). */
export async function listProviders(c: LoadBalancerClient): Promise<Provider[]> {
  return (await call(c, ProviderListResponse, { method: "GET", path: `${LBAAS}/providers` })).body.providers;
}

/** Lists the load-balancer flavors (every page). */
export async function listLbFlavors(c: LoadBalancerClient, filters: QueryParams = {}): Promise<LbFlavor[]> {
  return listOctavia(c, `${LBAAS}/flavors`, "flavors", LbFlavor, filters);
}

/** Lists the load-balancer availability zones (every page). */
export async function listLbAvailabilityZones(c: LoadBalancerClient, filters: QueryParams = {}): Promise<LbAvailabilityZone[]> {
  return listOctavia(c, `${LBAAS}/availabilityzones`, "availability_zones", LbAvailabilityZone, filters, (z0) => z0.name);
}

// ------------------------------------------------------------ waiting

/** A load balancer that went to provisioning_status ERROR; `fault` says what is known. */
export class LoadBalancerFailedError extends WaitError {
  constructor(
    message: string,
    readonly loadBalancerId: string,
    readonly fault: string,
  ) {
    super(message, `loadbalancer/${loadBalancerId}`, "ERROR", "terminal");
  }
}

/** True when an Octavia PENDING_* status says a change is still being applied. */
export function isPending(status: string | null | undefined): boolean {
  return typeof status === "string" && status.toUpperCase().startsWith("PENDING_");
}

function inError(tree: StatusTree): string[] {
  const out: string[] = [];
  const add = (kind: string, n: { id: string; name?: string; provisioning_status: string | null; operating_status?: string | null }) => {
    if (n.provisioning_status === "ERROR" || n.operating_status === "ERROR") out.push(`${kind} ${n.name || n.id} (${n.provisioning_status}/${n.operating_status ?? "-"})`);
  };
  for (const l of tree.listeners) {
    add("listener", l);
    for (const p of l.l7policies) add("l7policy", { ...p, operating_status: null });
  }
  for (const p of tree.pools) {
    add("pool", p);
    for (const m of p.members) add("member", { ...m, name: m.name || `${m.address}:${m.protocol_port}` });
    if (p.healthmonitor) add("healthmonitor", { ...p.healthmonitor, operating_status: null, provisioning_status: p.healthmonitor.provisioning_status });
  }
  return out;
}

/** What is known about why a load balancer is in ERROR (Octavia's API has no fault field). */
export async function describeLoadBalancerFault(c: LoadBalancerClient, lb: LoadBalancer): Promise<string> {
  const parts = [`provider ${lb.provider ?? "unknown"}`, `operating_status ${lb.operating_status || "unknown"}`];
  try {
    const failed = inError(await getLoadBalancerStatusTree(c, lb.id));
    if (failed.length > 0) parts.push(`in ERROR: ${failed.join(", ")}`);
  } catch {
    // The status tree only adds detail; its failure must not hide the ERROR itself.
  }
  return `${parts.join("; ")}; Octavia reports no reason through its API (the provider's logs, e.g. octavia-worker, have it)`;
}

/**
 * Waits until the load balancer leaves PENDING_*: returns it when ACTIVE,
 * throws LoadBalancerFailedError on ERROR, WaitError on DELETED or timeout.
 */
export async function waitForLoadBalancer(c: LoadBalancerClient, lbId: string, opts: Partial<WaitOptions<LoadBalancer>> = {}): Promise<LoadBalancer> {
  try {
    return await waitFor(() => getLoadBalancer(c, lbId), {
      what: `loadbalancer/${lbId}`,
      ...opts,
      success: ["ACTIVE"],
      failure: ["DELETED", ...(opts.failure ?? [])],
      statusOf: (lb) => lb.provisioning_status,
    });
  } catch (err) {
    if (err instanceof WaitError && err.reason === "terminal" && err.lastStatus?.toUpperCase() === "ERROR") {
      // Why: the load balancer may be gone by now (a cleanup elsewhere); the ERROR is still the answer.
      const lb = await getLoadBalancer(c, lbId).catch(() => undefined);
      if (!lb) throw err;
      const fault = await describeLoadBalancerFault(c, lb);
      throw new LoadBalancerFailedError(`load balancer ${lb.name || lbId} went to ERROR: ${fault}`, lbId, fault);
    }
    throw err;
  }
}

/** Waits until a load balancer is gone (404 or DELETED); an ERROR during deletion fails the wait. */
export async function waitForLoadBalancerGone(c: LoadBalancerClient, lbId: string, opts: Partial<WaitOptions<LoadBalancer>> = {}): Promise<void> {
  await waitForDeleted(() => getLoadBalancer(c, lbId), {
    what: `loadbalancer/${lbId}`,
    ...opts,
    goneStatuses: ["DELETED"],
    statusOf: (lb) => lb.provisioning_status,
  });
}

/**
 * True for Octavia's 409 while a load balancer is busy: "… is immutable and
 * cannot be updated." (children) or "Invalid state PENDING_… of
 * loadbalancer resource …" (the load balancer itself).
 */
export function isImmutableConflict(err: unknown): boolean {
  if (!(err instanceof ApiError) || !statusIs(err, 409)) return false;
  const text = `${err.message} ${err.body ?? ""}`;
  return /is immutable and cannot be updated|Invalid state \w+ of loadbalancer resource/i.test(text);
}

/** Options of `retryWhileImmutable`. */
export interface ImmutableRetryOptions extends Partial<WaitOptions<LoadBalancer>> {
  /** Attempts of the call in all (default 5). */
  attempts?: number;
  /** Pause after a 409 before waiting (ms, default 0). */
  pauseMs?: number;
}

/**
 * Runs a mutating call under a load balancer; on Octavia's "immutable" 409
 * waits for the load balancer to be ACTIVE again and repeats the call.
 */
export async function retryWhileImmutable<T>(c: LoadBalancerClient, lbId: string, fn: () => Promise<T>, opts: ImmutableRetryOptions = {}): Promise<T> {
  const { attempts = 5, pauseMs = 0, ...wait } = opts;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!isImmutableConflict(err) || i >= attempts) throw err;
      if (pauseMs > 0) await sleep(pauseMs, wait.signal);
      await waitForLoadBalancer(c, lbId, wait);
    }
  }
}

/** Reads a project's load-balancer quota (-1 unlimited). */
export async function getLoadBalancerQuota(c: LoadBalancerClient, projectId: string): Promise<OctaviaQuota> {
  return (await call(c, QuotaResponse, { method: "GET", path: `${LBAAS}/quotas/${enc(projectId)}` })).body.quota;
}
