/**
 * One cloud entry of clouds.yaml (or the OS_* variables) turned into a
 * validated `ResolvedCloud`. The key fix-ups follow openstacksdk's
 * `magic_fixes` so that a clouds.yaml that works with the `openstack` CLI
 * works here too:
 * - `-` in keys means `_`; `tenant_*` means `project_*`, `user_name` means
 *   `username`, `auth_token` means `token`, `endpoint_type` means `interface`,
 *   `auth_plugin` means `auth_type`;
 * - auth options may sit at the top level of the entry (always so for OS_*
 *   variables) and are moved into `auth`;
 * - `domain_id`/`domain_name` fill in the user and project domains when the
 *   entry is project-scoped (openstacksdk `_handle_domain_id`), and
 *   `default_domain_id`/`default_domain_name` are the last fallback for both
 *   (keystoneauth's generic password plugin; `default_domain`, as
 *   openstackclient's OS_DEFAULT_DOMAIN, is a domain id);
 * - `insecure: true` means `verify: false`.
 * Every problem is collected (zod for types, then the cross-field rules), so
 * the user sees all of them at once.
 */
import path from "node:path";
import { z } from "zod";
import { registerSecret } from "../log.js";

/** The authentication methods the tool supports (Keystone v3 only). */
export type AuthType = "password" | "v3applicationcredential" | "token";

/** Credentials and scope, with openstacksdk's aliases already resolved. */
export interface ResolvedAuth {
  authUrl: string;
  username?: string;
  userId?: string;
  password?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  token?: string;
}

/** A cloud ready to connect to: everything the session needs, nothing left to guess. */
export interface ResolvedCloud {
  /** The clouds.yaml name, or "envvars" for OS_* variables. */
  name: string;
  /** Where the settings came from (file paths or "environment (OS_*)"), for messages. */
  source: string;
  authType: AuthType;
  auth: ResolvedAuth;
  regionName: string | null;
  interface: "public" | "internal" | "admin";
  /** TLS verification of every endpoint (false only when the user says so). */
  verify: boolean;
  /** CA bundle file (PEM) that replaces the system CAs. */
  cacert: string | null;
  /** Client certificate and key files (PEM) for mutual TLS. */
  cert: string | null;
  key: string | null;
  identityApiVersion: "3";
}

const AUTH_KEYS = [
  "auth_url",
  "username",
  "user_id",
  "password",
  "user_domain_name",
  "user_domain_id",
  "project_name",
  "project_id",
  "project_domain_name",
  "project_domain_id",
  "domain_name",
  "domain_id",
  "default_domain_name",
  "default_domain_id",
  "application_credential_id",
  "application_credential_name",
  "application_credential_secret",
  "token",
] as const;

const ALIASES: Record<string, string> = {
  tenant_id: "project_id",
  tenant_name: "project_name",
  user_name: "username",
  auth_token: "token",
  // openstackclient's --os-default-domain (OS_DEFAULT_DOMAIN): a domain id
  default_domain: "default_domain_id",
};

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function underscoreKeys(d: Dict): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(d)) out[k.replace(/-/g, "_")] = v;
  return out;
}

function applyAliases(d: Dict): void {
  for (const [alias, target] of Object.entries(ALIASES)) {
    if (alias in d) {
      if (!(target in d)) d[target] = d[alias];
      delete d[alias];
    }
  }
}

/** openstacksdk's key fix-ups on one cloud entry; returns the top level and the auth block separately. */
export function normalizeCloudEntry(entry: Dict): { top: Dict; auth: Dict } {
  const top = underscoreKeys(entry);
  const auth = isDict(top.auth) ? underscoreKeys(top.auth) : {};
  delete top.auth;
  applyAliases(top);
  applyAliases(auth);
  if ("endpoint_type" in top) {
    if (!("interface" in top)) top.interface = top.endpoint_type;
    delete top.endpoint_type;
  }
  if ("auth_plugin" in top) {
    if (!("auth_type" in top)) top.auth_type = top.auth_plugin;
    delete top.auth_plugin;
  }
  for (const k of AUTH_KEYS) {
    if (k in top) {
      if (!(k in auth)) auth[k] = top[k];
      delete top[k];
    }
  }
  const projectScoped = auth.project_id !== undefined || auth.project_name !== undefined;
  // NOTE: a fallback fills a domain only when neither its id nor its name is set, so an explicit
  // user_domain_name is never overridden by domain_id/default_domain_id (keystoneauth lets ids win).
  for (const who of ["user", "project"] as const) {
    const has = () => auth[`${who}_domain_id`] !== undefined || auth[`${who}_domain_name`] !== undefined;
    for (const prefix of projectScoped ? ["domain", "default_domain"] : ["default_domain"]) {
      if (has()) break;
      if (auth[`${prefix}_id`] !== undefined) auth[`${who}_domain_id`] = auth[`${prefix}_id`];
      else if (auth[`${prefix}_name`] !== undefined) auth[`${who}_domain_name`] = auth[`${prefix}_name`];
    }
  }
  if (projectScoped) {
    delete auth.domain_id;
    delete auth.domain_name;
  }
  delete auth.default_domain_id;
  delete auth.default_domain_name;
  return { top, auth };
}

const asString = (v: unknown) => (typeof v === "number" ? String(v) : v);
const S = z.preprocess(asString, z.string({ error: "must be a string" }).min(1, { error: "must not be empty" })).optional();
const BoolLike = z
  .union([z.boolean(), z.enum(["true", "false", "True", "False", "yes", "no", "1", "0"])], {
    error: "must be true or false",
  })
  .optional();

const AuthShape = z.object({
  auth_url: z
    .preprocess(asString, z.string({ error: "must be a string" }))
    .optional()
    .refine((v) => v === undefined || /^https?:\/\/[^/\s]+/i.test(v), { error: "must be an http(s) URL" }),
  username: S,
  user_id: S,
  password: S,
  user_domain_name: S,
  user_domain_id: S,
  project_name: S,
  project_id: S,
  project_domain_name: S,
  project_domain_id: S,
  domain_name: S,
  domain_id: S,
  application_credential_id: S,
  application_credential_name: S,
  application_credential_secret: S,
  token: S,
});

const TopShape = z.object({
  auth_type: S,
  region_name: S,
  regions: z.array(z.union([z.string(), z.object({ name: z.string() }).loose()])).optional(),
  interface: S,
  verify: BoolLike,
  insecure: BoolLike,
  cacert: S,
  cert: S,
  key: S,
  identity_api_version: z.union([z.string(), z.number()], { error: "must be 3" }).optional(),
});

const AUTH_TYPES: Record<string, AuthType> = {
  password: "password",
  v3password: "password",
  v3applicationcredential: "v3applicationcredential",
  applicationcredential: "v3applicationcredential",
  token: "token",
  v3token: "token",
};

const INTERFACES: Record<string, ResolvedCloud["interface"]> = {
  public: "public",
  publicurl: "public",
  internal: "internal",
  internalurl: "internal",
  admin: "admin",
  adminurl: "admin",
};

function truthy(v: unknown): boolean {
  return v === true || (typeof v === "string" && ["true", "yes", "1"].includes(v.toLowerCase()));
}

/**
 * The region, as openstacksdk's `_get_region` picks it: the one asked for
 * (region_name, or OS_REGION_NAME), which must be in `regions` when the cloud
 * lists them; else the first of `regions`; else none. A comma-separated
 * region_name is a list (openstacksdk's legacy form): its first entry.
 */
function selectRegion(regions: (string | { name: string })[] | undefined, wanted: string | undefined, fail: (why: string) => void): string | null {
  const names = (regions ?? []).map((r) => (typeof r === "string" ? r : r.name));
  if (names.length === 0) {
    if (wanted === undefined) return null;
    const list = wanted.split(",").map((r) => r.trim()).filter(Boolean);
    return list[0] ?? null;
  }
  if (wanted === undefined) return names[0] ?? null;
  if (!names.includes(wanted)) {
    fail(`"${wanted}" is not one of the regions of this cloud: ${names.join(", ")} (region names are case sensitive)`);
    return null;
  }
  return wanted;
}

/** Names a key the way the user wrote it: a clouds.yaml path or an OS_* variable. */
export type KeyNamer = (key: string, inAuth: boolean) => string;

/** Resolves one cloud entry; returns the cloud or every problem found, each as "where: what". */
export function resolveCloudEntry(
  name: string,
  source: string,
  entry: Record<string, unknown>,
  keyName: KeyNamer,
  opts: { cwd: string; home: string },
): { cloud: ResolvedCloud; issues: [] } | { cloud: null; issues: string[] } {
  const { top, auth } = normalizeCloudEntry(entry);
  // Why: secrets are registered before anything can fail, so no later message can leak them.
  for (const k of ["password", "application_credential_secret", "token"]) {
    if (typeof auth[k] === "string") registerSecret(auth[k]);
  }
  const issues: string[] = [];
  const collect = (r: z.ZodSafeParseResult<unknown>, inAuth: boolean) => {
    if (r.success) return;
    for (const iss of r.error.issues) issues.push(`${keyName(String(iss.path[0] ?? ""), inAuth)}: ${iss.message}`);
  };
  const a = AuthShape.safeParse(auth);
  const t = TopShape.safeParse(top);
  collect(a, true);
  collect(t, false);
  const A = (a.success ? a.data : {}) as z.infer<typeof AuthShape>;
  const T = (t.success ? t.data : {}) as z.infer<typeof TopShape>;
  const need = (key: string, inAuth: boolean, why = "required") => issues.push(`${keyName(key, inAuth)}: ${why}`);

  if (a.success && A.auth_url === undefined) need("auth_url", true);

  let authType: AuthType | undefined;
  const rawType = T.auth_type;
  if (rawType !== undefined) {
    authType = AUTH_TYPES[rawType.toLowerCase()];
    if (!authType) {
      need("auth_type", false, `"${rawType}" is not supported (use password, v3applicationcredential or token)`);
    }
  } else if (A.application_credential_secret !== undefined || A.application_credential_id !== undefined) {
    authType = "v3applicationcredential";
  } else if (A.token !== undefined && A.password === undefined) {
    authType = "token";
  } else {
    authType = "password";
  }

  // Why: openstackclient (osc-lib's OS_DEFAULT_DOMAIN, "default" unless set) fills the domains a
  // password login leaves out, so a clouds.yaml that works with `openstack` works here.
  if (a.success && authType === "password") {
    if (A.user_id === undefined && A.user_domain_id === undefined && A.user_domain_name === undefined) A.user_domain_id = "default";
    if (A.project_id === undefined && A.project_domain_id === undefined && A.project_domain_name === undefined) A.project_domain_id = "default";
  }
  const userDomain = A.user_domain_id !== undefined || A.user_domain_name !== undefined;
  const projectDomain = A.project_domain_id !== undefined || A.project_domain_name !== undefined;
  const domainWhy = (who: "user" | "project") =>
    `required with ${who === "user" ? "username" : "project_name"} (or set ${who}_domain_id, domain_name or default_domain_name)`;
  const checkProject = () => {
    if (A.project_id === undefined && A.project_name === undefined) need("project_name", true, "required (or project_id): the tool works on one project");
    else if (A.project_id === undefined && !projectDomain) need("project_domain_name", true, domainWhy("project"));
  };
  if (a.success && authType === "password") {
    if (A.password === undefined) need("password", true);
    if (A.username === undefined && A.user_id === undefined) need("username", true, "required (or user_id)");
    else if (A.user_id === undefined && !userDomain) need("user_domain_name", true, domainWhy("user"));
    checkProject();
  } else if (a.success && authType === "v3applicationcredential") {
    if (A.application_credential_secret === undefined) need("application_credential_secret", true);
    if (A.application_credential_id === undefined) {
      if (A.application_credential_name === undefined) need("application_credential_id", true, "required (or application_credential_name with username)");
      else if (A.user_id === undefined && A.username === undefined) need("username", true, "required with application_credential_name (or user_id)");
      else if (A.user_id === undefined && !userDomain) need("user_domain_name", true, domainWhy("user"));
    }
  } else if (a.success && authType === "token") {
    if (A.token === undefined) need("token", true);
    checkProject();
  }

  let iface: ResolvedCloud["interface"] = "public";
  if (T.interface !== undefined) {
    const i = INTERFACES[T.interface.toLowerCase()];
    if (i) iface = i;
    else need("interface", false, `"${T.interface}" is not one of public, internal, admin`);
  }
  if (T.identity_api_version !== undefined && !/^3(\.\d+)?$/.test(String(T.identity_api_version))) {
    need("identity_api_version", false, `must be 3 (Keystone v${T.identity_api_version} is not supported)`);
  }

  if (issues.length > 0 || !authType || A.auth_url === undefined) return { cloud: null, issues };

  const resolvePath = (p: string | undefined): string | null => {
    if (p === undefined) return null;
    const expanded = p === "~" || p.startsWith("~/") ? path.join(opts.home, p.slice(1)) : p;
    return path.resolve(opts.cwd, expanded);
  };
  const regionName = selectRegion(T.regions, T.region_name, (why) => need("region_name", false, why));
  if (issues.length > 0) return { cloud: null, issues };
  const verify = T.insecure !== undefined && truthy(T.insecure) ? false : T.verify === undefined ? true : truthy(T.verify);

  const resolvedAuth: ResolvedAuth = { authUrl: A.auth_url.replace(/\/+$/, "") };
  const copy: [keyof typeof A, keyof ResolvedAuth][] = [
    ["username", "username"],
    ["user_id", "userId"],
    ["password", "password"],
    ["user_domain_name", "userDomainName"],
    ["user_domain_id", "userDomainId"],
    ["project_name", "projectName"],
    ["project_id", "projectId"],
    ["project_domain_name", "projectDomainName"],
    ["project_domain_id", "projectDomainId"],
    ["application_credential_id", "applicationCredentialId"],
    ["application_credential_name", "applicationCredentialName"],
    ["application_credential_secret", "applicationCredentialSecret"],
    ["token", "token"],
  ];
  for (const [from, to] of copy) {
    const v = A[from];
    if (typeof v === "string") resolvedAuth[to] = v;
  }
  return {
    cloud: {
      name,
      source,
      authType,
      auth: resolvedAuth,
      regionName,
      interface: iface,
      verify,
      cacert: resolvePath(T.cacert),
      cert: resolvePath(T.cert),
      key: resolvePath(T.key),
      identityApiVersion: "3",
    },
    issues: [],
  };
}
