/**
 * Keystone EC2 credentials in the simulator (OS-EC2 and /v3/credentials
 * views, Keystone's errors) and the tool's client calls for them; the
 * secret never reaches a log line or an error message.
 */
import { describe, expect, it } from "vitest";
import { configureLogging, log } from "../../src/log.js";
import { createEc2Credential, deleteEc2Credential, ec2CredentialForSession, identityClient, listEc2Credentials, listEc2CredentialsGeneric } from "../../src/openstack/identity.js";
import { Session } from "../../src/openstack/session.js";
import { makeS3Client, listBuckets } from "../../src/s3/index.js";
import { api, json, token, useSim } from "./helpers.js";
import { simResolved } from "../s3/helpers.js";
import { createHash } from "node:crypto";

describe("simulated Keystone EC2 credentials", async () => {
  const sim = await useSim([{ name: "ec2sim" }]);
  const c = sim.cloud("ec2sim");
  const tok = await token(c);
  const call = api(c, tok);
  const userId = c.store.identity.userId;

  it("creates, shows, lists and deletes like Keystone", async () => {
    const r = await call("POST", `/identity/v3/users/${userId}/credentials/OS-EC2`, { tenant_id: c.projectId });
    expect(r.status).toBe(201);
    const cred = r.body.credential;
    expect(Object.keys(cred).sort()).toEqual(["access", "links", "secret", "tenant_id", "trust_id", "user_id"]);
    expect(cred).toMatchObject({ user_id: userId, tenant_id: c.projectId, trust_id: null });
    expect(cred.access).toMatch(/^[0-9a-f]{32}$/);
    expect(cred.secret).toMatch(/^[0-9a-f]{32}$/);
    expect(cred.links.self).toBe(`${c.baseUrl}/identity/v3/users/${userId}/credentials/OS-EC2/${cred.access}`);

    const shown = await call("GET", `/identity/v3/users/${userId}/credentials/OS-EC2/${cred.access}`);
    expect(shown.body.credential).toEqual(cred);
    const list = await call("GET", `/identity/v3/users/${userId}/credentials/OS-EC2`);
    expect(list.body.credentials).toEqual([cred]);
    expect(list.body.links).toEqual({ self: `${c.baseUrl}/identity/v3/users/${userId}/credentials/OS-EC2`, previous: null, next: null });

    const generic = await call("GET", "/identity/v3/credentials?type=ec2");
    const id = createHash("sha256").update(cred.access).digest("hex");
    expect(generic.body.credentials).toEqual([
      { user_id: userId, project_id: c.projectId, type: "ec2", blob: `{"access": "${cred.access}", "secret": "${cred.secret}", "trust_id": null}`, id, links: { self: `${c.baseUrl}/identity/v3/credentials/${id}` } },
    ]);

    expect((await call("DELETE", `/identity/v3/users/${userId}/credentials/OS-EC2/${cred.access}`)).status).toBe(204);
    const gone = await call("GET", `/identity/v3/users/${userId}/credentials/OS-EC2/${cred.access}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: { code: 404, message: `Could not find credential: ${id}.`, title: "Not Found" } });
  });

  it("answers Keystone's errors for an unknown project, another user and no token", async () => {
    const noProject = await call("POST", `/identity/v3/users/${userId}/credentials/OS-EC2`, { tenant_id: "nope" });
    expect(noProject.status).toBe(404);
    expect(noProject.body.error.message).toBe("Could not find project: nope.");
    const other = await call("GET", `/identity/v3/users/someoneelse/credentials/OS-EC2`);
    expect(other.status).toBe(403);
    const anon = await fetch(`${c.baseUrl}/identity/v3/users/${userId}/credentials/OS-EC2`);
    expect(anon.status).toBe(401);
    expect((await json(anon)).error.code).toBe(401);
  });

  it("works through the tool's identity client and never logs the secret", async () => {
    const lines: string[] = [];
    configureLogging({ sink: { write: (l) => lines.push(l) }, level: "debug" });
    const session = await Session.connect(simResolved(c));
    try {
      const client = identityClient(session);
      const keys = await createEc2Credential(client, session.token.userId, session.token.projectId);
      expect(keys.projectId).toBe(c.projectId);
      expect((await listEc2Credentials(client, session.token.userId)).map((k) => k.access)).toContain(keys.access);
      expect((await listEc2CredentialsGeneric(client, session.token.userId)).find((k) => k.access === keys.access)?.secret).toBe(keys.secret);
      const again = await ec2CredentialForSession(session);
      expect(again.created).toBe(false);

      log.info("Using EC2 credential", { access: keys.access, secret: keys.secret, note: `secret=${keys.secret}` });
      const s3 = makeS3Client({ endpoint: c.objectStorageUrl, region: c.region, accessKeyId: keys.access, secretAccessKey: `${keys.secret}x` });
      const err = (await listBuckets(s3).then(() => new Error("expected a failure"), (e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/SignatureDoesNotMatch/);
      log.error(err.message, { error: String(err), stack: err.stack });
      const all = lines.join("\n");
      expect(all).toContain(keys.access);
      expect(all).not.toContain(keys.secret);
      expect(err.message).not.toContain(keys.secret);

      await deleteEc2Credential(client, session.token.userId, keys.access);
      expect((await listEc2Credentials(client, session.token.userId)).map((k) => k.access)).not.toContain(keys.access);
    } finally {
      session.close();
      configureLogging({ sink: { write: (l) => process.stderr.write(l) }, level: "info" });
    }
  });
});
