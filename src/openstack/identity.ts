/**
 * Keystone calls beyond authentication: EC2 credentials, the access/secret
 * pairs S3 clients sign with on SCS clouds (Swift s3api and Ceph RGW both
 * validate them against Keystone).
 *
 * Quirks:
 * - the identity endpoint in the catalog may or may not end in `/v3`, so
 *   paths are built on `identityBase` like authentication does;
 * - the OS-EC2 API calls the project `tenant_id` (the /v3/credentials view
 *   calls it `project_id` and keeps access and secret in a JSON `blob`);
 * - every secret parsed here is registered for redaction at once, so it can
 *   never reach a log line, an error message or a state row.
 */
import { z } from "zod";
import { NotFoundError } from "../errors.js";
import { registerSecret } from "../log.js";
import { identityBase } from "./auth.js";
import { call } from "./parse.js";
import { ServiceClient, type Session } from "./session.js";

export type IdentityClient = ServiceClient<"identity">;

/** The identity service client of a session. */
export function identityClient(session: Session): IdentityClient {
  return new ServiceClient(session, "identity");
}

/** One EC2 credential as the OS-EC2 API shows it. */
export const Ec2Credential = z.object({
  user_id: z.string(),
  tenant_id: z.string().nullish(),
  access: z.string(),
  secret: z.string(),
  trust_id: z.string().nullish(),
  links: z.object({ self: z.string() }).partial().nullish(),
});
export const Ec2CredentialResponse = z.object({ credential: Ec2Credential });
export const Ec2CredentialListResponse = z.object({ credentials: z.array(Ec2Credential) });

/** One entry of /v3/credentials (`blob` is JSON text; for `ec2` it holds access and secret). */
export const CredentialEntry = z.object({
  id: z.string(),
  type: z.string(),
  user_id: z.string(),
  project_id: z.string().nullish(),
  blob: z.string(),
});
export const CredentialListResponse = z.object({ credentials: z.array(CredentialEntry) });

/** An EC2 key pair of a user, bound to one project. */
export interface Ec2Keys {
  access: string;
  /** Registered for redaction: never printed. */
  secret: string;
  userId: string;
  projectId: string | null;
}

function keysOf(c: z.infer<typeof Ec2Credential>): Ec2Keys {
  registerSecret(c.secret);
  return { access: c.access, secret: c.secret, userId: c.user_id, projectId: c.tenant_id ?? null };
}

function ec2Url(client: IdentityClient, userId: string, access?: string): string {
  const base = `${identityBase(client.endpoint)}/users/${encodeURIComponent(userId)}/credentials/OS-EC2`;
  return access === undefined ? base : `${base}/${encodeURIComponent(access)}`;
}

/** POST /v3/users/{user}/credentials/OS-EC2: a new key pair for the project. */
export async function createEc2Credential(client: IdentityClient, userId: string, projectId: string): Promise<Ec2Keys> {
  const { body } = await call(client, Ec2CredentialResponse, { method: "POST", path: ec2Url(client, userId), json: { tenant_id: projectId } });
  return keysOf(body.credential);
}

/** GET /v3/users/{user}/credentials/OS-EC2: every key pair of the user (all projects). */
export async function listEc2Credentials(client: IdentityClient, userId: string): Promise<Ec2Keys[]> {
  const { body } = await call(client, Ec2CredentialListResponse, { method: "GET", path: ec2Url(client, userId) });
  return body.credentials.map(keysOf);
}

/** DELETE /v3/users/{user}/credentials/OS-EC2/{access}. */
export async function deleteEc2Credential(client: IdentityClient, userId: string, access: string): Promise<void> {
  await client.request({ method: "DELETE", path: ec2Url(client, userId, access) });
}

/** GET /v3/credentials?type=ec2&user_id=…: the same key pairs through the generic credentials API. */
export async function listEc2CredentialsGeneric(client: IdentityClient, userId: string): Promise<Ec2Keys[]> {
  const { body } = await call(client, CredentialListResponse, {
    method: "GET",
    path: `${identityBase(client.endpoint)}/credentials`,
    params: { type: "ec2", user_id: userId },
  });
  const out: Ec2Keys[] = [];
  for (const c of body.credentials) {
    if (c.type !== "ec2") continue;
    const blob = z.object({ access: z.string(), secret: z.string() }).safeParse(safeJson(c.blob));
    if (!blob.success) continue;
    registerSecret(blob.data.secret);
    out.push({ access: blob.data.access, secret: blob.data.secret, userId: c.user_id, projectId: c.project_id ?? null });
  }
  return out;
}

/** An EC2 key pair of the session's user for the session's project: an existing one, or a new one. */
export async function ec2CredentialForSession(session: Session, opts: { create?: boolean } = {}): Promise<{ keys: Ec2Keys; created: boolean }> {
  const client = identityClient(session);
  const { userId, projectId } = session.token;
  const existing = (await listEc2Credentials(client, userId)).find((k) => k.projectId === projectId);
  if (existing) return { keys: existing, created: false };
  if (opts.create === false) {
    throw new NotFoundError(`user ${userId} has no EC2 credential for project ${projectId}`, { hint: "Create one with: openstack ec2 credentials create" });
  }
  return { keys: await createEc2Credential(client, userId, projectId), created: true };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
