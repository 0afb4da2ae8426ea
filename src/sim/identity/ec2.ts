/**
 * Keystone EC2 credentials, the keys S3 clients sign with on SCS clouds:
 * POST/GET /v3/users/{user_id}/credentials/OS-EC2, GET/DELETE
 * /v3/users/{user_id}/credentials/OS-EC2/{access}, and the same credentials
 * as `type: "ec2"` entries of /v3/credentials.
 *
 * Quirks (Keystone's users API):
 * - access and secret are uuid4 hex strings; the /v3/credentials id is the
 *   SHA-256 hex of the access key, and the blob is Python's json.dumps of
 *   `{"access", "secret", "trust_id"}` (", " and ": " separators);
 * - the OS-EC2 view says `tenant_id`, /v3/credentials says `project_id`;
 * - creating one needs `tenant_id` (a missing or unknown project is 404
 *   "Could not find project: …"); an unknown access key is 404 "Could not
 *   find credential: <sha256>." (the policy target lookup fails first);
 * - another user's credentials are 403 as for every user-owned resource.
 */
import { createHash, randomUUID } from "node:crypto";
import type { CloudContext } from "../cloud-context.js";
import { keystoneError } from "../core/errors.js";
import { asObject, readJson, type Ctx, type Reply, type Router } from "../core/http.js";
import type { Ec2CredRecord } from "../object/state.js";

const bad = (msg: string) => keystoneError(400, msg, "Bad Request");

/** Keystone's hash_access_key. */
export function hashAccessKey(access: string): string {
  return createHash("sha256").update(access, "utf8").digest("hex");
}

function pyJson(c: Ec2CredRecord): string {
  return `{"access": ${JSON.stringify(c.access)}, "secret": ${JSON.stringify(c.secret)}, "trust_id": null}`;
}

/** Adds the EC2 credential routes to the identity router. */
export function addEc2Routes(r: Router, cloud: CloudContext): void {
  const id = cloud.store.identity;
  const creds = () => cloud.store.objects.ec2Creds;
  const base = () => `${cloud.baseUrl}/identity/v3`;
  const ec2View = (c: Ec2CredRecord) => ({
    user_id: c.userId,
    tenant_id: c.projectId,
    access: c.access,
    secret: c.secret,
    trust_id: null,
    links: { self: `${base()}/users/${c.userId}/credentials/OS-EC2/${c.access}` },
  });
  const credView = (c: Ec2CredRecord) => ({
    user_id: c.userId,
    project_id: c.projectId,
    type: "ec2",
    blob: pyJson(c),
    id: c.id,
    links: { self: `${base()}/credentials/${c.id}` },
  });
  const ownUser = (ctx: Ctx) => {
    if (ctx.params[0] !== id.userId) throw keystoneError(403, "You are not authorized to perform the requested action: identity:ec2_list_credentials.", "Forbidden");
  };
  const find = (credId: string) => {
    const c = creds().get(credId);
    if (!c) throw keystoneError(404, `Could not find credential: ${credId}.`, "Not Found");
    return c;
  };

  r.add("POST", "/v3/users/:id/credentials/OS-EC2", async (ctx): Promise<Reply> => {
    ownUser(ctx);
    const body = asObject(await readJson(ctx, bad)) ?? {};
    const tenant = body["tenant_id"];
    if (tenant !== id.projectId) throw keystoneError(404, `Could not find project: ${typeof tenant === "string" ? tenant : "None"}.`, "Not Found");
    const access = randomUUID().replace(/-/g, "");
    const rec: Ec2CredRecord = { id: hashAccessKey(access), access, secret: randomUUID().replace(/-/g, ""), userId: id.userId, projectId: tenant };
    creds().set(rec.id, rec);
    return { status: 201, body: { credential: ec2View(rec) } };
  });

  r.add("GET", "/v3/users/:id/credentials/OS-EC2", (ctx): Reply => {
    ownUser(ctx);
    const list = [...creds().values()].filter((c) => c.userId === id.userId);
    return {
      status: 200,
      body: { credentials: list.map(ec2View), links: { self: `${base()}/users/${id.userId}/credentials/OS-EC2`, previous: null, next: null } },
    };
  });

  r.add("GET", "/v3/users/:id/credentials/OS-EC2/:access", (ctx): Reply => {
    ownUser(ctx);
    return { status: 200, body: { credential: ec2View(find(hashAccessKey(ctx.params[1]!))) } };
  });

  r.add("DELETE", "/v3/users/:id/credentials/OS-EC2/:access", (ctx): Reply => {
    ownUser(ctx);
    creds().delete(find(hashAccessKey(ctx.params[1]!)).id);
    return { status: 204 };
  });

  r.add("GET", "/v3/credentials", (ctx): Reply => {
    const type = ctx.query.get("type");
    const user = ctx.query.get("user_id");
    const list = [...creds().values()].filter((c) => (type === null || type === "ec2") && (user === null || c.userId === user));
    return { status: 200, body: { credentials: list.map(credView), links: { next: null, self: `${base()}/credentials`, previous: null } } };
  });

  r.add("GET", "/v3/credentials/:cid", (ctx): Reply => ({ status: 200, body: { credential: credView(find(ctx.params[0]!)) } }));

  r.add("DELETE", "/v3/credentials/:cid", (ctx): Reply => {
    creds().delete(find(ctx.params[0]!).id);
    return { status: 204 };
  });
}
