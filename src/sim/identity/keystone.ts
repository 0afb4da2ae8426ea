/**
 * The simulated Keystone v3 under `/identity`.
 *
 * API: GET /identity, GET /identity/v3 (version documents); POST, GET, HEAD,
 * DELETE /v3/auth/tokens; GET /v3/auth/projects, /v3/auth/catalog;
 * GET /v3/projects/{id}, /v3/projects (admin), /v3/users/{id}, /v3/users/{id}/projects;
 * POST/GET/DELETE /v3/users/{id}/application_credentials[/{id}]; EC2
 * credentials (OS-EC2 and /v3/credentials, see ec2.ts).
 *
 * Quirks: the token validation call answers 404 "Could not recognize Fernet
 * token" for a bad subject token (not 401); a member asking for another
 * project gets 403 "…identity:get_project." as in Zed's default policy.
 */
import type { CloudContext, SimService } from "../cloud-context.js";
import { keystoneError } from "../core/errors.js";
import { Router, asObject, readJson, type Ctx, type Reply } from "../core/http.js";
import { hexId, secretString } from "../core/ids.js";
import { isoMicrosZ } from "../core/time.js";
import type { AppCredRecord } from "../store/records.js";
import { identityV3, identityVersions } from "../versions.js";
import { isAdmin } from "./admin.js";
import { catalog, issueToken, tokenBody, validateToken } from "./tokens.js";
import { addEc2Routes } from "./ec2.js";

const bad = (msg: string) => keystoneError(400, msg, "Bad Request");

/** Builds the identity service of a cloud. */
export function identityService(cloud: CloudContext): SimService {
  const store = cloud.store;
  const id = store.identity;
  const r = new Router();
  const base = () => cloud.baseUrl;

  const projectView = (p = { id: id.projectId, name: id.projectName }) => ({
    id: p.id,
    name: p.name,
    domain_id: id.domainId,
    description: `simulated project ${p.name}`,
    enabled: true,
    parent_id: id.domainId,
    is_domain: false,
    tags: [],
    options: {},
    links: { self: `${base()}/identity/v3/projects/${p.id}` },
  });
  const adminProject = { id: store.admin.projectId, name: store.admin.projectName };

  const forbidden = (action: string) =>
    keystoneError(403, `You are not authorized to perform the requested action: ${action}.`, "Forbidden");

  const appCredView = (a: AppCredRecord, withSecret: boolean) => ({
    id: a.id,
    name: a.name,
    description: a.description,
    user_id: a.user_id,
    project_id: a.project_id,
    system: null,
    expires_at: a.expires_at === null ? null : isoMicrosZ(a.expires_at),
    unrestricted: a.unrestricted ? true : null,
    roles: id.roles.map((x) => ({ id: x.id, name: x.name, domain_id: null, description: null, options: { immutable: true } })),
    ...(withSecret ? { secret: a.secret } : {}),
    links: { self: `${base()}/identity/v3/application_credentials/${a.id}` },
  });

  const ownUser = (ctx: Ctx) => {
    if (ctx.params[0] !== id.userId) throw forbidden("identity:get_user");
  };

  r.add("GET", "", () => identityVersions(base()), { auth: false });
  r.add("GET", "/v3", () => identityV3(base()), { auth: false });

  r.add(
    "POST",
    "/v3/auth/tokens",
    async (ctx): Promise<Reply> => {
      const body = await readJson(ctx, bad);
      const rec = issueToken(cloud, body, Date.now());
      const noCatalog = ctx.query.has("nocatalog");
      return { status: 201, body: tokenBody(cloud, rec, !noCatalog), headers: { "X-Subject-Token": rec.token, Vary: "X-Auth-Token" } };
    },
    { auth: false },
  );

  r.add("GET", "/v3/auth/tokens", (ctx): Reply => {
    const subject = ctx.req.headers["x-subject-token"];
    const rec = validateToken(cloud, typeof subject === "string" ? subject : undefined, Date.now());
    if (!rec) throw keystoneError(404, "Could not recognize Fernet token", "Not Found");
    return { status: 200, body: tokenBody(cloud, rec, !ctx.query.has("nocatalog")), headers: { "X-Subject-Token": rec.token, Vary: "X-Auth-Token" } };
  });

  r.add("DELETE", "/v3/auth/tokens", (ctx): Reply => {
    const subject = ctx.req.headers["x-subject-token"];
    if (typeof subject !== "string" || !store.tokens.delete(subject)) {
      throw keystoneError(404, "Could not recognize Fernet token", "Not Found");
    }
    return { status: 204 };
  });

  r.add("GET", "/v3/auth/projects", (): Reply => ({
    status: 200,
    body: { projects: [projectView()], links: { next: null, self: `${base()}/identity/v3/auth/projects`, previous: null } },
  }));

  r.add("GET", "/v3/auth/catalog", (ctx): Reply => ({
    status: 200,
    body: { catalog: catalog(cloud, ctx.auth?.projectId), links: { self: `${base()}/identity/v3/auth/catalog`, previous: null, next: null } },
  }));

  r.add("GET", "/v3/projects/:id", (ctx): Reply => {
    if (isAdmin(cloud, ctx)) {
      const p = [projectView(), projectView(adminProject)].find((x) => x.id === ctx.params[0]);
      if (!p) throw keystoneError(404, `Could not find project: ${ctx.params[0]}.`, "Not Found");
      return { status: 200, body: { project: p } };
    }
    if (ctx.params[0] !== id.projectId) throw forbidden("identity:get_project");
    return { status: 200, body: { project: projectView() } };
  });

  // Why: openstackclient resolves `quota set <project>` by name through this list (admin only).
  r.add("GET", "/v3/projects", (ctx): Reply => {
    if (!isAdmin(cloud, ctx)) throw forbidden("identity:list_projects");
    const name = ctx.query.get("name");
    const list = [projectView(adminProject), projectView()].filter((p) => name === null || p.name === name);
    return { status: 200, body: { projects: list, links: { next: null, self: `${base()}/identity/v3/projects`, previous: null } } };
  });

  r.add("GET", "/v3/users/:id", (ctx): Reply => {
    ownUser(ctx);
    return {
      status: 200,
      body: {
        user: {
          id: id.userId,
          name: id.username,
          domain_id: id.domainId,
          enabled: true,
          default_project_id: id.projectId,
          password_expires_at: null,
          options: {},
          links: { self: `${base()}/identity/v3/users/${id.userId}` },
        },
      },
    };
  });

  r.add("GET", "/v3/users/:id/projects", (ctx): Reply => {
    ownUser(ctx);
    return { status: 200, body: { projects: [projectView()], links: { next: null, self: `${base()}/identity/v3/users/${id.userId}/projects`, previous: null } } };
  });

  r.add("POST", "/v3/users/:id/application_credentials", async (ctx): Promise<Reply> => {
    ownUser(ctx);
    const body = asObject(asObject(await readJson(ctx, bad))?.["application_credential"]);
    if (!body || typeof body["name"] !== "string") throw bad("Invalid input for field 'name': 'name' is a required property");
    const name = body["name"];
    if ([...store.appCreds.values()].some((a) => a.name === name)) {
      throw keystoneError(409, `Conflict occurred attempting to store application_credential - Duplicate entry found with name ${name}.`, "Conflict");
    }
    const expires = typeof body["expires_at"] === "string" ? Date.parse(body["expires_at"]) : NaN;
    const rec: AppCredRecord = {
      id: hexId(),
      name,
      description: typeof body["description"] === "string" ? body["description"] : null,
      secret: typeof body["secret"] === "string" ? body["secret"] : secretString(),
      user_id: id.userId,
      project_id: ctx.auth?.projectId ?? id.projectId,
      expires_at: Number.isNaN(expires) ? null : expires,
      unrestricted: body["unrestricted"] === true,
    };
    store.appCreds.set(rec.id, rec);
    return { status: 201, body: { application_credential: appCredView(rec, true) } };
  });

  r.add("GET", "/v3/users/:id/application_credentials", (ctx): Reply => {
    ownUser(ctx);
    const name = ctx.query.get("name");
    const list = [...store.appCreds.values()].filter((a) => name === null || a.name === name);
    return {
      status: 200,
      body: {
        application_credentials: list.map((a) => appCredView(a, false)),
        links: { next: null, self: `${base()}/identity/v3/users/${id.userId}/application_credentials`, previous: null },
      },
    };
  });

  const findAppCred = (ctx: Ctx) => {
    ownUser(ctx);
    const a = store.appCreds.get(ctx.params[1]!);
    if (!a) throw keystoneError(404, `Could not find application credential: ${ctx.params[1]}.`, "Not Found");
    return a;
  };
  r.add("GET", "/v3/users/:id/application_credentials/:ac", (ctx): Reply => ({
    status: 200,
    body: { application_credential: appCredView(findAppCred(ctx), false) },
  }));
  r.add("DELETE", "/v3/users/:id/application_credentials/:ac", (ctx): Reply => {
    const a = findAppCred(ctx);
    store.appCreds.delete(a.id);
    for (const [t, rec] of store.tokens) if (rec.appCred?.id === a.id) store.tokens.delete(t);
    return { status: 204 };
  });

  addEc2Routes(r, cloud);

  return { kind: "identity", prefix: "/identity", router: r };
}
