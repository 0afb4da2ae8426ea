/**
 * The simulated Octavia (load-balancer v2) under `/load-balancer`, listed in
 * the catalog as `load-balancer` (name `octavia`).
 *
 * API: GET / (versions); under /v2/lbaas (also /v2.0/lbaas): loadbalancers
 * [/{id}[/status|/stats]], listeners[/{id}[/stats]], pools[/{id}],
 * pools/{id}/members[/{id}], healthmonitors[/{id}], l7policies[/{id}],
 * l7policies/{id}/rules[/{id}], providers[/{name}/{flavor,availability_zone}_capabilities],
 * flavors[/{id}], availabilityzones[/{name}], quotas[/{project}[/default]].
 *
 * Quirks (Octavia's pagination helper and controllers): lists are oldest
 * first and always carry `<collection>_links`; a full page gets a `next`
 * link, a page asked for with a marker a `previous` link, and both links
 * keep only `limit` and `marker`: the filters are dropped, as upstream does.
 * Filters are any shown attribute plus `tags`, `tags-any`, `not-tags`,
 * `not-tags-any` (comma-separated); `fields` picks attributes. Quota changes
 * need the admin role (403 for the tenant).
 */
import type { CloudContext, SimService } from "../cloud-context.js";
import { octaviaError } from "../core/errors.js";
import { uuid } from "../core/ids.js";
import { Router, asObject, parseBool, readJson, type Ctx, type Reply } from "../core/http.js";
import { pageArray } from "../core/paging.js";
import type { SimLoadBalancerOptions } from "../types.js";
import {
  createListener, createMember, createMonitor, createPolicy, createPool, createRule, deleteChild, updateListener, updateMember,
  updateMonitor, updatePolicy, updatePool, updateRule,
} from "./children.js";
import { getOwned, lbState } from "./lifecycle.js";
import { createLoadBalancer, deleteLoadBalancer, updateLoadBalancer } from "./load-balancers.js";
import { KIND_NAME, type L7PolicyRecord, type L7RuleRecord, type LbRecord, type ListenerRecord, type MemberRecord, type MonitorRecord, type OctaviaBase, type OctaviaKind, type PoolRecord } from "./model.js";
import { lbView, listenerView, memberView, monitorView, policyView, poolView, ruleView, statusTree } from "./views.js";

const SPECIAL = new Set(["limit", "marker", "page_reverse", "sort", "sort_key", "sort_dir", "fields", "tags", "tags-any", "not-tags", "not-tags-any"]);
const PROVIDERS: Record<string, string> = {
  amphora: "The Octavia Amphora driver.",
  octavia: "Deprecated alias of the Octavia Amphora driver.",
  ovn: "Octavia OVN driver.",
};
const LBAAS = "/v2/lbaas";

function tagMatch(tags: string[], values: string[], any: boolean): boolean {
  const wanted = values.flatMap((v) => v.split(",")).filter(Boolean);
  return any ? wanted.some((t) => tags.includes(t)) : wanted.every((t) => tags.includes(t));
}

function matches(view: Record<string, unknown>, key: string, wanted: string): boolean {
  const v = view[key];
  if (typeof v === "boolean") return parseBool(wanted) === v;
  if (v === null || v === undefined) return false;
  return String(v) === wanted;
}

/** A list reply over `items` (the caller's, in Octavia's order) with filters, fields and paging. */
function listing<R extends OctaviaBase>(ctx: Ctx, cloud: CloudContext, key: string, items: R[], view: (r: R) => Record<string, unknown>): Reply {
  const q = ctx.query;
  const [all, any, notAll, notAny] = ["tags", "tags-any", "not-tags", "not-tags-any"].map((k) => q.getAll(k)) as [string[], string[], string[], string[]];
  const filters = [...new Set(q.keys())].filter((k) => !SPECIAL.has(k)).map((k) => [k, q.getAll(k)] as const);
  const pred = (r: R): boolean => {
    if (all.length && !tagMatch(r.tags, all, false)) return false;
    if (any.length && !tagMatch(r.tags, any, true)) return false;
    if (notAll.length && tagMatch(r.tags, notAll, false)) return false;
    if (notAny.length && tagMatch(r.tags, notAny, true)) return false;
    if (filters.length === 0) return true;
    const v = view(r);
    // Why: Octavia filters on its columns, some of which views show differently (listener loadbalancer_id).
    const row = (k: string) => (k in v ? v : (r as unknown as Record<string, unknown>));
    return filters.every(([k, values]) => values.some((w) => matches(row(k), k, w)));
  };
  const raw = q.get("limit");
  const max = cloud.maxPageSize > 0 ? cloud.maxPageSize : 1000;
  if (raw !== null && !/^\d+$/.test(raw)) throw octaviaError(400, `Supplied pagination limit '${raw}' is not valid.`);
  const limit = raw === null || Number(raw) === 0 ? max : Math.min(Number(raw), max);
  const marker = q.get("marker") ?? undefined;
  const page = pageArray(items, (r) => r.id, pred, limit, marker);
  if (!page.markerFound) throw octaviaError(400, `Supplied pagination marker '${marker}' is not valid.`);
  const fields = q.getAll("fields");
  const shown = page.items.map((r) => {
    const v = view(r);
    return fields.length ? Object.fromEntries(fields.filter((f) => f in v).map((f) => [f, v[f]])) : v;
  });
  const href = (m: string) => `${cloud.baseUrl}/load-balancer${ctx.path}?limit=${limit}&marker=${m}`;
  const links: Array<{ href: string; rel: string }> = [];
  if (page.items.length > 0) {
    if (marker !== undefined) links.push({ href: href(page.items[0]!.id), rel: "previous" });
    if (page.items.length >= limit) links.push({ href: href(page.items[page.items.length - 1]!.id), rel: "next" });
  }
  return { status: 200, body: { [key]: shown, [`${key}_links`]: links } };
}

function configure(cloud: CloudContext, opts: SimLoadBalancerOptions): void {
  const s = lbState(cloud);
  if (opts.providers) s.providers = [...opts.providers];
  s.flavors = (opts.flavors ?? []).map((f) => ({ id: f.id ?? uuid(), name: f.name, description: f.description ?? "", enabled: f.enabled ?? true, flavor_profile_id: uuid() }));
  s.availabilityZones = [...(opts.availabilityZones ?? [])];
  s.quotas = { ...s.quotas, ...opts.quotas };
}

type Body = Record<string, unknown>;

/** The caller's objects of a kind, oldest first. */
function mine<R extends OctaviaBase>(cloud: CloudContext, kind: OctaviaKind, extra: (x: R) => boolean = () => true): R[] {
  const pid = cloud.store.identity.projectId;
  return (lbState(cloud).table(kind).ordered("oldest") as unknown as R[]).filter((x) => x.project_id === pid && extra(x));
}

/** `{<key>: {...}}` from the request body, or wsme's 400. */
async function bodyOf(ctx: Ctx, key: string): Promise<Body> {
  const inner = asObject(asObject(await readJson(ctx, () => octaviaError(400, "Malformed request body")))?.[key]);
  if (!inner) throw octaviaError(400, `Invalid input for field/attribute ${key}. Value: 'None'. Mandatory field missing.`);
  return inner;
}

function one(key: string, v: Record<string, unknown>, status = 200): Reply {
  return { status, body: { [key]: v } };
}

const STATS = { bytes_in: 0, total_connections: 0, active_connections: 0, bytes_out: 0, request_errors: 0 };

function versions(cloud: CloudContext): Reply {
  const links = [{ href: `${cloud.baseUrl}/load-balancer/v2`, rel: "self" }];
  return {
    status: 200,
    body: {
      versions: [
        { id: "v2.0", status: "SUPPORTED", updated: "2016-12-11T00:00:00Z", links },
        { id: "v2.27", status: "CURRENT", updated: "2023-05-05T00:00:00Z", links },
      ],
    },
  };
}

function addLoadBalancerRoutes(r: Router, cloud: CloudContext): void {
  const s = lbState(cloud);
  const LB = `${LBAAS}/loadbalancers`;
  const view = (x: LbRecord) => lbView(s, x);
  const get = (ctx: Ctx) => getOwned<LbRecord>(cloud, "loadbalancer", ctx.params[0]!);
  r.add("GET", LB, (ctx) => listing(ctx, cloud, "loadbalancers", mine<LbRecord>(cloud, "loadbalancer"), view));
  r.add("POST", LB, async (ctx) => one("loadbalancer", view(createLoadBalancer(cloud, await bodyOf(ctx, "loadbalancer"))), 201));
  r.add("GET", `${LB}/:id`, (ctx) => one("loadbalancer", view(get(ctx))));
  r.add("PUT", `${LB}/:id`, async (ctx) => {
    const lb = get(ctx);
    updateLoadBalancer(cloud, lb, await bodyOf(ctx, "loadbalancer"));
    return one("loadbalancer", view(lb));
  });
  r.add("DELETE", `${LB}/:id`, (ctx): Reply => {
    deleteLoadBalancer(cloud, get(ctx), parseBool(ctx.query.get("cascade")) === true);
    return { status: 204 };
  });
  r.add("GET", `${LB}/:id/status`, (ctx): Reply => ({ status: 200, body: statusTree(s, get(ctx)) }));
  r.add("GET", `${LB}/:id/stats`, (ctx): Reply => (get(ctx), { status: 200, body: { stats: STATS } }));
}

/** How a collection shows, creates and updates its objects. */
interface Ops<R> {
  view: (x: R) => Record<string, unknown>;
  create: (b: Body) => R;
  update: (x: R, b: Body) => void;
}

/** A top-level collection of load-balancer children (listeners, pools, …). */
function addCollection<R extends OctaviaBase>(r: Router, cloud: CloudContext, path: string, kind: OctaviaKind, key: string, many: string, ops: Ops<R>): void {
  const coll = `${LBAAS}/${path}`;
  const get = (ctx: Ctx) => getOwned<R>(cloud, kind, ctx.params[0]!);
  r.add("GET", coll, (ctx) => listing(ctx, cloud, many, mine<R>(cloud, kind), ops.view));
  r.add("POST", coll, async (ctx) => one(key, ops.view(ops.create(await bodyOf(ctx, key))), 201));
  r.add("GET", `${coll}/:id`, (ctx) => one(key, ops.view(get(ctx))));
  r.add("PUT", `${coll}/:id`, async (ctx) => {
    const x = get(ctx);
    ops.update(x, await bodyOf(ctx, key));
    return one(key, ops.view(x));
  });
  r.add("DELETE", `${coll}/:id`, (ctx): Reply => (deleteChild(cloud, kind, get(ctx)), { status: 204 }));
}

/** Where a sub-collection hangs: its parent kind and how a child names its parent. */
interface Parent<R> {
  path: string;
  kind: OctaviaKind;
  of: (x: R) => string;
}

/** A sub-collection: members of a pool, rules of an L7 policy. */
function addSub<P extends OctaviaBase, R extends OctaviaBase>(
  r: Router, cloud: CloudContext, parent: Parent<R>, kind: OctaviaKind, key: string, many: string,
  ops: Omit<Ops<R>, "create"> & { create: (p: P, b: Body) => R },
): void {
  const coll = `${LBAAS}/${parent.path}/:pid/${many}`;
  const owner = (ctx: Ctx) => getOwned<P>(cloud, parent.kind, ctx.params[0]!);
  const child = (ctx: Ctx): R => {
    const p = owner(ctx);
    const x = getOwned<R>(cloud, kind, ctx.params[1]!);
    if (parent.of(x) !== p.id) throw octaviaError(404, `${KIND_NAME[kind]} ${ctx.params[1]} not found.`);
    return x;
  };
  r.add("GET", coll, (ctx) => {
    const p = owner(ctx);
    return listing(ctx, cloud, many, mine<R>(cloud, kind, (x) => parent.of(x) === p.id), ops.view);
  });
  r.add("POST", coll, async (ctx) => {
    const p = owner(ctx);
    return one(key, ops.view(ops.create(p, await bodyOf(ctx, key))), 201);
  });
  r.add("GET", `${coll}/:id`, (ctx) => one(key, ops.view(child(ctx))));
  r.add("PUT", `${coll}/:id`, async (ctx) => {
    const x = child(ctx);
    ops.update(x, await bodyOf(ctx, key));
    return one(key, ops.view(x));
  });
  r.add("DELETE", `${coll}/:id`, (ctx): Reply => (deleteChild(cloud, kind, child(ctx)), { status: 204 }));
}

/** Builds the load-balancer service of a cloud. */
export function loadBalancerService(cloud: CloudContext, opts: SimLoadBalancerOptions = {}): SimService {
  configure(cloud, opts);
  const r = new Router();
  const s = lbState(cloud);
  r.add("GET", "", () => versions(cloud), { auth: false });
  r.add("GET", "/v2", () => versions(cloud), { auth: false });
  addLoadBalancerRoutes(r, cloud);
  addCollection<ListenerRecord>(r, cloud, "listeners", "listener", "listener", "listeners", {
    view: (x) => listenerView(s, x), create: (b) => createListener(cloud, b), update: (x, b) => updateListener(cloud, x, b),
  });
  r.add("GET", `${LBAAS}/listeners/:id/stats`, (ctx): Reply => (getOwned(cloud, "listener", ctx.params[0]!), { status: 200, body: { stats: STATS } }));
  addCollection<PoolRecord>(r, cloud, "pools", "pool", "pool", "pools", {
    view: (x) => poolView(s, x), create: (b) => createPool(cloud, b), update: (x, b) => updatePool(cloud, x, b),
  });
  addCollection<MonitorRecord>(r, cloud, "healthmonitors", "healthmonitor", "healthmonitor", "healthmonitors", {
    view: monitorView, create: (b) => createMonitor(cloud, b), update: (x, b) => updateMonitor(cloud, x, b),
  });
  addCollection<L7PolicyRecord>(r, cloud, "l7policies", "l7policy", "l7policy", "l7policies", {
    view: (x) => policyView(s, x), create: (b) => createPolicy(cloud, b), update: (x, b) => updatePolicy(cloud, x, b),
  });
  addSub<PoolRecord, MemberRecord>(r, cloud, { path: "pools", kind: "pool", of: (m) => m.pool_id }, "member", "member", "members", {
    view: memberView, create: (p, b) => createMember(cloud, p, b), update: (x, b) => updateMember(cloud, x, b),
  });
  addSub<L7PolicyRecord, L7RuleRecord>(r, cloud, { path: "l7policies", kind: "l7policy", of: (x) => x.l7policy_id }, "l7rule", "rule", "rules", {
    view: ruleView, create: (p, b) => createRule(cloud, p, b), update: (x, b) => updateRule(cloud, x, b),
  });
  addCatalogRoutes(r, cloud);
  return {
    kind: "load-balancer",
    prefix: "/load-balancer",
    router: r,
    normalizePath: (p) => p.replace(/^\/v2\.0(?=\/|$)/, "/v2"),
    notFound: () => octaviaError(404, "The resource could not be found."),
  };
}

/** Providers, LB flavors, availability zones and quotas. */
function addCatalogRoutes(r: Router, cloud: CloudContext): void {
  const s = lbState(cloud);
  r.add("GET", `${LBAAS}/providers`, (): Reply => ({
    status: 200,
    body: { providers: s.providers.map((name) => ({ name, description: PROVIDERS[name] ?? `The ${name} provider driver.` })) },
  }));
  const provider = (ctx: Ctx) => {
    if (!s.providers.includes(ctx.params[0]!)) throw octaviaError(400, `Provider '${ctx.params[0]}' is not enabled.`);
  };
  r.add("GET", `${LBAAS}/providers/:name/flavor_capabilities`, (ctx): Reply => (provider(ctx), {
    status: 200,
    body: { flavor_capabilities: [{ name: "loadbalancer_topology", description: "The load balancer topology. One of: SINGLE - One amphora per load balancer. ACTIVE_STANDBY - Two amphora per load balancer." }] },
  }));
  r.add("GET", `${LBAAS}/providers/:name/availability_zone_capabilities`, (ctx): Reply => (provider(ctx), {
    status: 200,
    body: { availability_zone_capabilities: [{ name: "compute_zone", description: "The compute availability zone." }] },
  }));
  const flavorView = (f: (typeof s.flavors)[number]) => ({ id: f.id, name: f.name, description: f.description, enabled: f.enabled });
  r.add("GET", `${LBAAS}/flavors`, (): Reply => ({ status: 200, body: { flavors: s.flavors.map(flavorView), flavors_links: [] } }));
  r.add("GET", `${LBAAS}/flavors/:id`, (ctx): Reply => {
    const f = s.flavors.find((x) => x.id === ctx.params[0]);
    if (!f) throw octaviaError(404, `Flavor ${ctx.params[0]} not found.`);
    return { status: 200, body: { flavor: flavorView(f) } };
  });
  const azView = (name: string) => ({ name, description: "", enabled: true });
  r.add("GET", `${LBAAS}/availabilityzones`, (): Reply => ({ status: 200, body: { availability_zones: s.availabilityZones.map(azView), availability_zones_links: [] } }));
  r.add("GET", `${LBAAS}/availabilityzones/:name`, (ctx): Reply => {
    if (!s.availabilityZones.includes(ctx.params[0]!)) throw octaviaError(404, `Availability Zone ${ctx.params[0]} not found.`);
    return { status: 200, body: { availability_zone: azView(ctx.params[0]!) } };
  });
  // Why: Octavia answers both spellings (the pre-Rocky `load_balancer`/`health_monitor` too); octaviaclient reads the old ones.
  const quota = (q: Record<OctaviaKind, number> = s.quotas) => ({
    loadbalancer: q.loadbalancer, load_balancer: q.loadbalancer, listener: q.listener, member: q.member, pool: q.pool,
    healthmonitor: q.healthmonitor, health_monitor: q.healthmonitor, l7policy: q.l7policy, l7rule: q.l7rule,
  });
  const own = (ctx: Ctx) => {
    if (ctx.params[0] !== cloud.store.identity.projectId) throw octaviaError(403, "Policy does not allow this request to be performed.");
  };
  r.add("GET", `${LBAAS}/quotas`, (): Reply => ({ status: 200, body: { quotas: [{ ...quota(), project_id: cloud.store.identity.projectId }], quotas_links: [] } }));
  r.add("GET", `${LBAAS}/quotas/:pid`, (ctx): Reply => (own(ctx), { status: 200, body: { quota: quota() } }));
  r.add("GET", `${LBAAS}/quotas/:pid/default`, (ctx): Reply => (own(ctx), {
    status: 200,
    body: { quota: quota({ loadbalancer: -1, listener: -1, member: -1, pool: -1, healthmonitor: -1, l7policy: -1, l7rule: -1 }) },
  }));
  const refuse = (): Reply => {
    throw octaviaError(403, "Policy does not allow this request to be performed.");
  };
  r.add("PUT", `${LBAAS}/quotas/:pid`, refuse);
  r.add("DELETE", `${LBAAS}/quotas/:pid`, refuse);
}
