/**
 * Keystone v3 token issuing: password (user by id or by name + domain),
 * application credential (id + secret, or name + user + secret) and token
 * methods, project scope (by id or by name + domain), and the token body with
 * its service catalog.
 *
 * Quirks (as Keystone does): a request without scope is scoped to the user's
 * default project; every credential failure is the same 401 with no hint of
 * which part was wrong; a re-scoped token keeps the original expiry and audit
 * chain; an application-credential token is always scoped to the credential's
 * project. The provider's `admin` user (password only) is scoped to the
 * `admin` project, where it holds the admin role.
 */
import { ApiFault, keystoneError } from "../core/errors.js";
import { asObject } from "../core/http.js";
import { tokenString } from "../core/ids.js";
import { isoMicrosZ } from "../core/time.js";
import type { CloudContext } from "../cloud-context.js";
import type { TokenRecord } from "../store/records.js";
import { randomBytes } from "node:crypto";

const UNAUTHORIZED = "The request you have made requires authentication.";

function unauthorized(): ApiFault {
  return keystoneError(401, UNAUTHORIZED, "Unauthorized");
}

function badRequest(what: string): ApiFault {
  return keystoneError(
    400,
    `${what} The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
    "Bad Request",
  );
}

function auditId(): string {
  return randomBytes(16).toString("base64url").slice(0, 22);
}

function domainMatches(cloud: CloudContext, d: Record<string, unknown> | undefined): boolean {
  if (!d) return false;
  const id = identity(cloud);
  return d["id"] === id.domainId || d["name"] === id.domainName;
}

function identity(cloud: CloudContext) {
  return cloud.store.identity;
}

/** Checks a `user` object (id, or name + domain) against the cloud's user. */
function userMatches(cloud: CloudContext, u: Record<string, unknown> | undefined): boolean {
  if (!u) throw badRequest("Expecting to find user in password.");
  const id = identity(cloud);
  if (typeof u["id"] === "string") return u["id"] === id.userId;
  if (typeof u["name"] !== "string") throw badRequest("Expecting to find name or id in user.");
  const dom = asObject(u["domain"]);
  if (!dom) throw badRequest("Expecting to find domain in user.");
  return u["name"] === id.username && domainMatches(cloud, dom);
}

/** Checks a password-auth `user` object against the provider's admin user. */
function adminMatches(cloud: CloudContext, u: Record<string, unknown> | undefined): boolean {
  const a = cloud.store.admin;
  if (!u || u["password"] !== a.password) return false;
  if (typeof u["id"] === "string") return u["id"] === a.userId;
  return u["name"] === a.username && domainMatches(cloud, asObject(u["domain"]));
}

/** The project a token is scoped to, from the request's `scope` (null: unscoped); throws Keystone's errors. */
function scopedProject(cloud: CloudContext, scope: unknown, userId: string, projectId: string | null, isAppCred: boolean): string | null {
  const store = cloud.store;
  if (scope === "unscoped") return null;
  if (scope === undefined) return projectId;
  const s = asObject(scope);
  const p = asObject(s?.["project"]);
  if (p) {
    // Why: each user holds roles on one project only (the admin on `admin`).
    const own = userId === store.admin.userId ? { id: store.admin.projectId, name: store.admin.projectName } : { id: store.identity.projectId, name: store.identity.projectName };
    const ok =
      typeof p["id"] === "string"
        ? p["id"] === own.id
        : p["name"] === own.name && domainMatches(cloud, asObject(p["domain"]));
    if (!ok) throw unauthorized();
    if (isAppCred && projectId !== store.identity.projectId) throw unauthorized();
    return own.id;
  }
  // Why: the simulated users hold roles only on their projects.
  if (s && (s["domain"] || s["system"])) throw unauthorized();
  throw badRequest("Expecting to find project in scope.");
}

/** Issues a token for a POST /v3/auth/tokens body; throws Keystone's errors. */
export function issueToken(cloud: CloudContext, body: unknown, now: number): TokenRecord {
  const store = cloud.store;
  const auth = asObject(asObject(body)?.["auth"]);
  if (!auth) throw badRequest("Expecting to find auth in request body.");
  const ident = asObject(auth["identity"]);
  if (!ident) throw badRequest("Expecting to find identity in auth.");
  const methods = ident["methods"];
  if (!Array.isArray(methods) || methods.length === 0) throw badRequest("Expecting to find methods in identity.");

  let projectId: string | null = store.identity.projectId;
  let userId = store.identity.userId;
  let expiresAt = now + cloud.tokenTtlMs;
  let auditIds = [auditId()];
  let appCred: TokenRecord["appCred"];
  const usedMethods: string[] = [];

  for (const m of methods) {
    if (m === "password") {
      const pw = asObject(ident["password"]);
      if (!pw) throw badRequest("Expecting to find password in identity.");
      const user = asObject(pw["user"]);
      if (userMatches(cloud, user) && user?.["password"] === store.identity.password) userId = store.identity.userId;
      else if (adminMatches(cloud, user)) {
        userId = store.admin.userId;
        projectId = store.admin.projectId;
      } else throw unauthorized();
      usedMethods.push("password");
    } else if (m === "application_credential") {
      const ac = asObject(ident["application_credential"]);
      if (!ac) throw badRequest("Expecting to find application_credential in identity.");
      let rec;
      if (typeof ac["id"] === "string") {
        rec = store.appCreds.get(ac["id"]);
      } else if (typeof ac["name"] === "string") {
        if (!userMatches(cloud, asObject(ac["user"]))) throw unauthorized();
        rec = [...store.appCreds.values()].find((a) => a.name === ac["name"]);
      } else {
        throw badRequest("Expecting to find name or ID in application credential.");
      }
      if (!rec || rec.secret !== ac["secret"] || (rec.expires_at !== null && rec.expires_at <= now)) throw unauthorized();
      projectId = rec.project_id;
      appCred = { id: rec.id, name: rec.name };
      usedMethods.push("application_credential");
    } else if (m === "token") {
      const t = asObject(ident["token"]);
      if (!t || typeof t["id"] !== "string") throw badRequest("Expecting to find id in token.");
      const prev = validateToken(cloud, t["id"], now);
      if (!prev) throw keystoneError(404, "Could not recognize Fernet token", "Not Found");
      // Why: Keystone keeps the original expiry and appends the audit chain on re-scope.
      expiresAt = prev.expiresAt;
      auditIds = [auditId(), prev.auditIds[0]!];
      userId = prev.userId;
      projectId = prev.projectId ?? (userId === store.admin.userId ? store.admin.projectId : store.identity.projectId);
      usedMethods.push(...prev.methods.filter((x) => !usedMethods.includes(x)));
      if (!usedMethods.includes("token")) usedMethods.push("token");
    } else {
      throw unauthorized();
    }
  }

  projectId = scopedProject(cloud, auth["scope"], userId, projectId, appCred !== undefined);

  const rec: TokenRecord = {
    token: tokenString(),
    userId,
    projectId,
    methods: usedMethods,
    issuedAt: now,
    expiresAt,
    auditIds,
    ...(appCred ? { appCred } : {}),
  };
  store.tokens.set(rec.token, rec);
  return rec;
}

/** The token record if valid and unexpired (expired ones are dropped). */
export function validateToken(cloud: CloudContext, token: string | undefined, now: number): TokenRecord | undefined {
  if (!token) return undefined;
  const rec = cloud.store.tokens.get(token);
  if (!rec) return undefined;
  if (rec.expiresAt <= now) {
    cloud.store.tokens.delete(token);
    return undefined;
  }
  return rec;
}

/** The service catalog as Keystone renders it in tokens (Cinder's URL names the token's project). */
export function catalog(cloud: CloudContext, projectId?: string | null): unknown[] {
  const base = cloud.baseUrl;
  const pid = projectId ?? cloud.store.identity.projectId;
  const urls: Record<string, [string, string]> = {
    compute: ["nova", `${base}/compute/v2.1`],
    volumev3: ["cinderv3", `${base}/volume/v3/${pid}`],
    "block-storage": ["cinder", `${base}/volume/v3/${pid}`],
    network: ["neutron", `${base}/network`],
    image: ["glance", `${base}/image`],
    identity: ["keystone", `${base}/identity`],
  };
  if (cloud.endpointIds["load-balancer"]) urls["load-balancer"] = ["octavia", `${base}/load-balancer`];
  if (cloud.objectStorageUrl) {
    // Why: SCS clouds register Swift (+ s3api at the proxy root) as object-store, many also S3 as its own type.
    urls["object-store"] = ["swift", `${cloud.objectStorageUrl}/v1/AUTH_${pid}`];
    urls["s3"] = ["s3", cloud.objectStorageUrl];
  }
  return Object.entries(urls).map(([type, [name, url]]) => {
    const ids = cloud.endpointIds[type]!;
    return {
      endpoints: (["public", "internal", "admin"] as const).map((iface) => ({
        id: ids[iface],
        interface: iface,
        region_id: cloud.region,
        url,
        region: cloud.region,
      })),
      id: ids.service,
      type,
      name,
    };
  });
}

/** The token body (`{"token": …}`), with catalog for project-scoped tokens. */
export function tokenBody(cloud: CloudContext, rec: TokenRecord, withCatalog = true): Record<string, unknown> {
  const id = cloud.store.identity;
  const admin = rec.userId === cloud.store.admin.userId ? cloud.store.admin : undefined;
  const token: Record<string, unknown> = {
    methods: rec.methods,
    user: { domain: { id: id.domainId, name: id.domainName }, id: rec.userId, name: admin?.username ?? id.username, password_expires_at: null },
    audit_ids: rec.auditIds,
    expires_at: isoMicrosZ(rec.expiresAt),
    issued_at: isoMicrosZ(rec.issuedAt),
  };
  if (rec.projectId) {
    token["project"] = { domain: { id: id.domainId, name: id.domainName }, id: rec.projectId, name: admin?.projectName ?? id.projectName };
    token["is_domain"] = false;
    token["roles"] = (admin?.roles ?? id.roles).map((r) => ({ id: r.id, name: r.name }));
    if (withCatalog) token["catalog"] = catalog(cloud, rec.projectId);
  }
  if (rec.appCred) token["application_credential"] = { id: rec.appCred.id, name: rec.appCred.name, restricted: true };
  return { token };
}
