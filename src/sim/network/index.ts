/**
 * The simulated Neutron under `/network`: route table for every collection
 * (list/show/create/update/delete), router interfaces, resource tags, quotas,
 * extensions and small discovery endpoints.
 *
 * API: GET /network/ (versions), GET /v2.0/, networks, subnets, ports, routers
 * (+ add/remove_router_interface), security-groups, security-group-rules,
 * floatingips, {resource}/{id}/tags[/{tag}], quotas/{project}[/details],
 * extensions[/{alias}], subnetpools, availability_zones (+ qos/policies and
 * trunks when switched on).
 *
 * Quirks: a `.json` suffix on the path is accepted as by Neutron's WSGI
 * layer; quota updates are admin-only (403 PolicyNotAuthorized); adding one
 * tag answers 201 with the body `null`, as Zed does.
 */
import type { CloudContext, SimService } from "../cloud-context.js";
import { neutronError } from "../core/errors.js";
import { Router, asObject, readJson, type Ctx, type Reply } from "../core/http.js";
import { networkResources, networkVersions } from "../versions.js";
import { getVisible, listResource, readResource, showResource, touch, type NeutronKind } from "./common.js";
import { DEFAULT_EXTENSIONS, OPTIONAL_EXTENSIONS } from "./extensions-data.js";
import { NETWORK, SUBNET, createNetwork, createSubnet, deleteNetwork, deleteSubnet, updateNetwork, updateSubnet } from "./networks.js";
import { PORT, createPort, deletePort, updatePort } from "./ports.js";
import { FLOATING_IP, createFloatingIp, deleteFloatingIp, updateFloatingIp } from "./floating-ips.js";
import { ROUTER, addInterface, createRouter, deleteRouter, removeInterface, updateRouter } from "./routers.js";
import { SECURITY_GROUP, SECURITY_GROUP_RULE, createRule, createSecurityGroup, deleteRule, deleteSecurityGroup, updateSecurityGroup } from "./security-groups.js";
import { isAdmin } from "../identity/admin.js";
import { networkQuotaDetails, networkQuotas, updateNetworkQuotas } from "./quotas.js";

interface Ops<R> {
  create?: (body: Record<string, unknown>) => R;
  update?: (rec: R, body: Record<string, unknown>) => void;
  del?: (rec: R) => void;
}

type Taggable = { id: string; tags: string[]; revision_number: number; updated_at: number };

/** Builds the network service of a cloud. */
export function networkService(cloud: CloudContext): SimService {
  const r = new Router();
  const base = () => cloud.baseUrl;
  const taggable = new Map<string, NeutronKind<Taggable>>();

  function crud<R extends Taggable>(kind: NeutronKind<R>, ops: Ops<R>): void {
    const coll = `/v2.0/${kind.urlName}`;
    taggable.set(kind.urlName, kind as unknown as NeutronKind<Taggable>);
    r.add("GET", coll, (ctx) => listResource(ctx, cloud, kind, (x) => x.id));
    r.add("GET", `${coll}/:id`, (ctx) => showResource(ctx, cloud, kind, ctx.params[0]!));
    if (ops.create) {
      const create = ops.create;
      r.add("POST", coll, async (ctx): Promise<Reply> => {
        const body = await readJson(ctx, (m) => neutronError(400, "BadRequest", m));
        const plural = asObject(body)?.[kind.collection];
        if (Array.isArray(plural)) {
          const made = plural.map((b) => create(asObject(b) ?? {}));
          return { status: 201, body: { [kind.collection]: made.map((x) => kind.view(x, cloud)) } };
        }
        const one = asObject(asObject(body)?.[kind.singular]);
        if (!one) throw neutronError(400, "BadRequest", `Bad ${kind.singular} request: Resource body required.`);
        return { status: 201, body: { [kind.singular]: kind.view(create(one), cloud) } };
      });
    }
    if (ops.update) {
      const update = ops.update;
      r.add("PUT", `${coll}/:id`, async (ctx): Promise<Reply> => {
        const rec = getVisible(cloud, kind, ctx.params[0]!);
        update(rec, await readResource(ctx, kind.singular));
        return { status: 200, body: { [kind.singular]: kind.view(rec, cloud) } };
      });
    }
    if (ops.del) {
      const del = ops.del;
      r.add("DELETE", `${coll}/:id`, (ctx): Reply => {
        del(getVisible(cloud, kind, ctx.params[0]!));
        return { status: 204 };
      });
    }
  }

  r.add("GET", "", () => networkVersions(base()), { auth: false });
  r.add("GET", "/v2.0", () => networkResources(base()));

  crud(NETWORK, {
    create: (b) => createNetwork(cloud, b),
    update: (n, b) => updateNetwork(cloud, n, b),
    del: (n) => deleteNetwork(cloud, n),
  });
  crud(SUBNET, {
    create: (b) => createSubnet(cloud, b, typeof b["network_id"] === "string" ? cloud.store.networks.get(b["network_id"]) : undefined),
    update: (s, b) => updateSubnet(s, b),
    del: (s) => deleteSubnet(cloud, s),
  });
  crud(PORT, { create: (b) => createPort(cloud, b), update: (p, b) => updatePort(cloud, p, b), del: (p) => deletePort(cloud, p) });
  crud(ROUTER, { create: (b) => createRouter(cloud, b), update: (x, b) => updateRouter(cloud, x, b), del: (x) => deleteRouter(cloud, x) });
  crud(SECURITY_GROUP, {
    create: (b) => createSecurityGroup(cloud, b),
    update: (g, b) => updateSecurityGroup(g, b),
    del: (g) => deleteSecurityGroup(cloud, g),
  });
  // Rules have no tag sub-resource and no update.
  r.add("GET", "/v2.0/security-group-rules", (ctx) => listResource(ctx, cloud, SECURITY_GROUP_RULE, (x) => x.id));
  r.add("GET", "/v2.0/security-group-rules/:id", (ctx) => showResource(ctx, cloud, SECURITY_GROUP_RULE, ctx.params[0]!));
  r.add("POST", "/v2.0/security-group-rules", async (ctx): Promise<Reply> => {
    const body = asObject(await readJson(ctx, (m) => neutronError(400, "BadRequest", m)));
    const many = body?.["security_group_rules"];
    if (Array.isArray(many)) {
      const made = many.map((b) => createRule(cloud, asObject(b) ?? {}));
      return { status: 201, body: { security_group_rules: made.map((x) => SECURITY_GROUP_RULE.view(x, cloud)) } };
    }
    const one = asObject(body?.["security_group_rule"]);
    if (!one) throw neutronError(400, "BadRequest", "Bad security_group_rule request: Resource body required.");
    return { status: 201, body: { security_group_rule: SECURITY_GROUP_RULE.view(createRule(cloud, one), cloud) } };
  });
  r.add("DELETE", "/v2.0/security-group-rules/:id", (ctx): Reply => {
    deleteRule(cloud, getVisible(cloud, SECURITY_GROUP_RULE, ctx.params[0]!));
    return { status: 204 };
  });
  crud(FLOATING_IP, { create: (b) => createFloatingIp(cloud, b), update: (f, b) => updateFloatingIp(cloud, f, b), del: (f) => deleteFloatingIp(cloud, f) });

  const routerInterface = (add: boolean) => async (ctx: Ctx): Promise<Reply> => {
    const router = getVisible(cloud, ROUTER, ctx.params[0]!);
    const body = asObject(await readJson(ctx, (m) => neutronError(400, "BadRequest", m))) ?? {};
    return { status: 200, body: add ? addInterface(cloud, router, body) : removeInterface(cloud, router, body) };
  };
  r.add("PUT", "/v2.0/routers/:id/add_router_interface", routerInterface(true));
  r.add("PUT", "/v2.0/routers/:id/remove_router_interface", routerInterface(false));

  // Resource tags (standard-attr-tag).
  const tagged = (ctx: Ctx): Taggable => {
    const kind = taggable.get(ctx.params[0]!);
    if (!kind) throw neutronError(404, "HTTPNotFound", "The resource could not be found.");
    return getVisible(cloud, kind, ctx.params[1]!);
  };
  r.add("GET", "/v2.0/:res/:id/tags", (ctx): Reply => ({ status: 200, body: { tags: [...tagged(ctx).tags] } }));
  r.add("PUT", "/v2.0/:res/:id/tags", async (ctx): Promise<Reply> => {
    const rec = tagged(ctx);
    const body = asObject(await readJson(ctx, (m) => neutronError(400, "BadRequest", m)));
    const tags = body?.["tags"];
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string" || t.length > 255)) {
      throw neutronError(400, "HTTPBadRequest", "Invalid input for tags. Reason: Invalid data format.");
    }
    rec.tags = [...new Set(tags as string[])];
    touch(rec);
    return { status: 200, body: { tags: [...rec.tags] } };
  });
  r.add("DELETE", "/v2.0/:res/:id/tags", (ctx): Reply => {
    const rec = tagged(ctx);
    rec.tags = [];
    touch(rec);
    return { status: 204 };
  });
  r.add("GET", "/v2.0/:res/:id/tags/:tag", (ctx): Reply => {
    if (!tagged(ctx).tags.includes(ctx.params[2]!)) throw neutronError(404, "TagNotFound", `Tag ${ctx.params[2]} could not be found.`);
    return { status: 204 };
  });
  r.add("PUT", "/v2.0/:res/:id/tags/:tag", (ctx): Reply => {
    const rec = tagged(ctx);
    if (!rec.tags.includes(ctx.params[2]!)) {
      rec.tags.push(ctx.params[2]!);
      touch(rec);
    }
    return { status: 201, body: null };
  });
  r.add("DELETE", "/v2.0/:res/:id/tags/:tag", (ctx): Reply => {
    const rec = tagged(ctx);
    if (!rec.tags.includes(ctx.params[2]!)) throw neutronError(404, "TagNotFound", `Tag ${ctx.params[2]} could not be found.`);
    rec.tags = rec.tags.filter((t) => t !== ctx.params[2]);
    touch(rec);
    return { status: 204 };
  });

  // Quotas.
  const ownProject = (ctx: Ctx) => {
    if (ctx.params[0] !== cloud.store.identity.projectId) {
      throw neutronError(403, "PolicyNotAuthorized", "rule:get_quota is disallowed by policy");
    }
  };
  r.add("GET", "/v2.0/quotas/:pid", (ctx): Reply => (ownProject(ctx), { status: 200, body: { quota: networkQuotas(cloud) } }));
  r.add("GET", "/v2.0/quotas/:pid/details", (ctx): Reply => (ownProject(ctx), { status: 200, body: { quota: networkQuotaDetails(cloud) } }));
  r.add("GET", "/v2.0/quotas/:pid/default", (ctx): Reply => (ownProject(ctx), { status: 200, body: { quota: networkQuotas(cloud) } }));
  r.add("PUT", "/v2.0/quotas/:pid", async (ctx): Promise<Reply> => {
    if (!isAdmin(cloud, ctx)) throw neutronError(403, "PolicyNotAuthorized", "rule:update_quota is disallowed by policy");
    return { status: 200, body: { quota: updateNetworkQuotas(cloud, ctx.params[0]!, await readJson(ctx, (m) => neutronError(400, "BadRequest", m))) } };
  });
  r.add("GET", "/v2.0/quotas", (): Reply => ({ status: 200, body: { quotas: [] } }));

  // Extensions.
  const extensions = () => {
    const list = DEFAULT_EXTENSIONS.map(([alias, name, description, updated]) => ({ name, alias, description, updated, links: [] }));
    for (const e of cloud.store.networkExtensions) {
      const x = OPTIONAL_EXTENSIONS[e];
      if (x) list.push({ name: x[1], alias: x[0], description: x[2], updated: x[3], links: [] });
    }
    return list;
  };
  r.add("GET", "/v2.0/extensions", (): Reply => ({ status: 200, body: { extensions: extensions() } }));
  r.add("GET", "/v2.0/extensions/:alias", (ctx): Reply => {
    const e = extensions().find((x) => x.alias === ctx.params[0]);
    if (!e) throw neutronError(404, "HTTPNotFound", `Extension with alias ${ctx.params[0]} does not exist`);
    return { status: 200, body: { extension: e } };
  });

  r.add("GET", "/v2.0/subnetpools", (): Reply => ({ status: 200, body: { subnetpools: [] } }));
  r.add("GET", "/v2.0/availability_zones", (): Reply => ({
    status: 200,
    body: { availability_zones: [{ name: "nova", resource: "network", state: "available" }, { name: "nova", resource: "router", state: "available" }] },
  }));
  const optional = (ext: string, key: string) => (): Reply => {
    if (!cloud.store.networkExtensions.has(ext)) throw neutronError(404, "HTTPNotFound", "The resource could not be found.");
    return { status: 200, body: { [key]: [] } };
  };
  r.add("GET", "/v2.0/qos/policies", optional("qos", "policies"));
  r.add("GET", "/v2.0/qos/rule-types", optional("qos", "rule_types"));
  r.add("GET", "/v2.0/trunks", optional("trunk", "trunks"));

  return {
    kind: "network",
    prefix: "/network",
    router: r,
    normalizePath: (p) => (p.endsWith(".json") ? p.slice(0, -5) : p),
    notFound: () => neutronError(404, "HTTPNotFound", "The resource could not be found."),
  };
}
