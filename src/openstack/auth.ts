/**
 * Keystone v3 authentication: POST /v3/auth/tokens with a password,
 * application credential or token, the token from the `X-Subject-Token`
 * header, and the token body (user, project, expiry, catalog) parsed with zod.
 *
 * Quirks:
 * - The auth URL in clouds.yaml often lacks `/v3` (keystoneauth discovers the
 *   version); a URL without it gets `/v3` appended, one ending in `/v2.0` is
 *   switched to `/v3`.
 * - Application-credential requests must not carry a scope: the credential
 *   is bound to its project.
 * - Keystone answers a wrong password with 401 and a generic body, and a
 *   missing domain with 400 or 401; both become one-line `AuthError`s that
 *   name the cloud and the URL, never the credentials.
 * - A 401 with an `auth-receipt` body means multi-factor auth is required,
 *   which the tool cannot do non-interactively.
 */
import { z } from "zod";
import { ApiError, AuthError } from "../errors.js";
import { log, registerSecret } from "../log.js";
import type { ResolvedCloud } from "../config/clouds.js";
import { CatalogEntry } from "./catalog.js";
import type { HttpClient } from "./http.js";
import { faultMessage } from "./fault-message.js";
import { timestamp } from "./lenient.js";

const NamedRef = z.object({ id: z.string(), name: z.string().nullish() });
const DomainRef = z.object({ id: z.string().nullish(), name: z.string().nullish() });

/** The body of POST /v3/auth/tokens (and GET /v3/auth/tokens). */
export const TokenResponse = z.object({
  token: z.object({
    methods: z.array(z.string()).optional(),
    expires_at: timestamp(),
    issued_at: timestamp(),
    audit_ids: z.array(z.string()).optional(),
    user: NamedRef.extend({ domain: DomainRef.nullish(), password_expires_at: timestamp() }),
    project: NamedRef.extend({ domain: DomainRef.nullish() }).nullish(),
    domain: NamedRef.nullish(),
    system: z.record(z.string(), z.unknown()).nullish(),
    is_domain: z.boolean().nullish(),
    roles: z
      .array(NamedRef)
      .nullish()
      .transform((v) => v ?? []),
    catalog: z
      .array(CatalogEntry)
      .nullish()
      .transform((v) => v ?? []),
    application_credential: z.object({ id: z.string(), name: z.string().nullish(), restricted: z.boolean().nullish() }).nullish(),
  }),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** The 401 body Keystone sends when another auth method (MFA) is required. */
export const AuthReceiptResponse = z.object({
  receipt: z.object({
    expires_at: timestamp(),
    issued_at: timestamp(),
    methods: z.array(z.string()),
    user: NamedRef.extend({ domain: DomainRef.nullish() }),
  }),
  required_auth_methods: z.array(z.array(z.string())),
});

/** A project-scoped token and what came with it. */
export interface Token {
  value: string;
  expiresAt: Date;
  issuedAt: Date | null;
  userId: string;
  userName: string | null;
  projectId: string;
  projectName: string | null;
  projectDomainId: string | null;
  roles: string[];
  catalog: CatalogEntry[];
}

/** The Keystone v3 base URL derived from a clouds.yaml auth_url. */
export function identityBase(authUrl: string): string {
  const u = authUrl.replace(/\/+$/, "");
  if (/\/v3$/.test(u)) return u;
  if (/\/v2\.0$/.test(u)) return u.replace(/\/v2\.0$/, "/v3");
  return `${u}/v3`;
}

function domainOf(id: string | undefined, name: string | undefined): { id: string } | { name: string } | undefined {
  if (id !== undefined) return { id };
  if (name !== undefined) return { name };
  return undefined;
}

function projectScope(a: ResolvedCloud["auth"]): Record<string, unknown> {
  if (a.projectId !== undefined) return { project: { id: a.projectId } };
  return { project: { name: a.projectName, domain: domainOf(a.projectDomainId, a.projectDomainName) } };
}

/** The JSON body of POST /v3/auth/tokens for a resolved cloud (contains secrets: never log it). */
export function buildAuthRequest(cloud: ResolvedCloud): Record<string, unknown> {
  const a = cloud.auth;
  const user = (): Record<string, unknown> =>
    a.userId !== undefined ? { id: a.userId } : { name: a.username, domain: domainOf(a.userDomainId, a.userDomainName) };
  switch (cloud.authType) {
    case "password":
      return {
        auth: {
          identity: { methods: ["password"], password: { user: { ...user(), password: a.password } } },
          scope: projectScope(a),
        },
      };
    case "v3applicationcredential":
      return {
        auth: {
          identity: {
            methods: ["application_credential"],
            application_credential:
              a.applicationCredentialId !== undefined
                ? { id: a.applicationCredentialId, secret: a.applicationCredentialSecret }
                : { name: a.applicationCredentialName, secret: a.applicationCredentialSecret, user: user() },
          },
        },
      };
    case "token":
      return { auth: { identity: { methods: ["token"], token: { id: a.token } }, scope: projectScope(a) } };
  }
}

/** Authenticates and returns a project-scoped token; failures are AuthError (credentials) or UnreachableError. */
export async function authenticate(http: HttpClient, cloud: ResolvedCloud, signal?: AbortSignal): Promise<Token> {
  const url = `${identityBase(cloud.auth.authUrl)}/auth/tokens`;
  const where = `cloud ${cloud.name} at ${cloud.auth.authUrl}`;
  let res;
  try {
    res = await http.request<unknown>({
      method: "POST",
      url,
      json: buildAuthRequest(cloud),
      // Why: issuing a token has no side effect, so resets may be retried.
      idempotent: true,
      describe: { service: "identity", path: "/auth/tokens" },
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (err instanceof ApiError && err.status !== undefined && err.status < 500 && err.status !== 429) {
      const receipt = err.body ? AuthReceiptResponse.safeParse(safeJson(err.body)) : undefined;
      // Why: an answer that quotes our request (a careless proxy, a debug mode) would show the credential
      // request; redaction hides the secrets, but the request has no place in a message at all.
      const rawFault = faultMessage(err.body) ?? "";
      const fault = /\\?"(?:auth|identity|password|application_credential|methods)\\?"\s*:/.test(rawFault) ? "(the answer quotes the request; not shown)" : rawFault;
      // Why: Keystone answers an expired, revoked or unknown token with 404 (or 401), not a missing endpoint.
      const tokenRefused = cloud.authType === "token" && (err.status === 404 || err.status === 401) && (err.status === 401 || looksLikeKeystoneError(err.body));
      const why = receipt?.success
        ? `multi-factor authentication required (${receipt.data.required_auth_methods.map((m) => m.join("+")).join(" or ")})`
        : tokenRefused
          ? `the token was refused (expired, revoked or unknown; ${err.status})`
          : err.status === 401 || err.status === 400 || err.status === 403
            ? `${err.status} ${fault}`.trim()
            : `${err.status} from a service that is not Keystone v3`;
      const hint = tokenRefused
        ? "Get a new token (openstack token issue) and set it as auth.token (or OS_TOKEN), or use a password or an application credential for unattended runs."
        : err.status === 401 || err.status === 400 || err.status === 403
          ? `Check the credentials, domains and project of this cloud in ${cloud.source}.`
          : "Check auth_url in clouds.yaml: it must point to Keystone (e.g. https://keystone.example.com:5000/v3).";
      throw new AuthError(`authentication failed for ${where}: ${why}${err.requestId ? ` (request ${err.requestId})` : ""}`, {
        cause: err,
        hint,
      });
    }
    throw err;
  }
  const value = res.headers["x-subject-token"];
  if (!value) throw new AuthError(`authentication failed for ${where}: Keystone sent no X-Subject-Token header`);
  registerSecret(value);
  const parsed = TokenResponse.safeParse(res.data);
  if (!parsed.success) {
    throw new AuthError(`authentication failed for ${where}: unexpected token body (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  }
  const t = parsed.data.token;
  if (!t.project) {
    throw new AuthError(`the token for ${where} is not scoped to a project`, {
      hint: "Set project_name (and project_domain_name) or project_id for this cloud.",
    });
  }
  if (cloud.authType === "v3applicationcredential") warnOtherProject(cloud, t.project);
  const expiresAt = t.expires_at ? new Date(t.expires_at) : new Date(Date.now() + 3600_000);
  return {
    value,
    expiresAt,
    issuedAt: t.issued_at ? new Date(t.issued_at) : null,
    userId: t.user.id,
    userName: t.user.name ?? null,
    projectId: t.project.id,
    projectName: t.project.name ?? null,
    projectDomainId: t.project.domain?.id ?? null,
    roles: t.roles.map((r) => r.name ?? r.id),
    catalog: t.catalog,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** True when an error body has Keystone's shape: {"error": {"code", "title", "message"}}. */
function looksLikeKeystoneError(body: string | undefined): boolean {
  const j = body ? safeJson(body) : undefined;
  const e = j && typeof j === "object" ? (j as { error?: unknown }).error : undefined;
  return Boolean(e && typeof e === "object" && "message" in e);
}

/**
 * An application credential is bound to the project it was created in; a
 * project named beside it in clouds.yaml is ignored (as openstacksdk does).
 * Say so when that project is another one, so nobody migrates the wrong one.
 */
function warnOtherProject(cloud: ResolvedCloud, project: { id: string; name?: string | null | undefined }): void {
  const a = cloud.auth;
  const otherId = a.projectId !== undefined && a.projectId !== project.id;
  const otherName = a.projectId === undefined && a.projectName !== undefined && project.name != null && a.projectName !== project.name;
  if (!otherId && !otherName) return;
  log.warn(
    `cloud ${cloud.name}: clouds.yaml names project ${a.projectId ?? a.projectName}, but the application credential is bound to its own project ${project.name ?? project.id} (${project.id}), which is the one used`,
  );
}
