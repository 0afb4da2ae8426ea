/**
 * Helpers for the S3 suites: a Keystone session on a simulated cloud (the
 * tool's own client layer), its EC2 key pair, and an S3 client for it.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { ResolvedCloud } from "../../src/config/clouds.js";
import { Session } from "../../src/openstack/session.js";
import { s3ForSession } from "../../src/s3/index.js";
import type { SimCloud } from "../../src/sim/index.js";

/** The resolved clouds.yaml entry of a simulated cloud (password auth). */
export function simResolved(c: SimCloud): ResolvedCloud {
  return {
    name: c.name,
    source: "test",
    authType: "password",
    auth: { authUrl: c.authUrl, username: c.username, password: c.password, userDomainName: c.userDomain, projectName: c.projectName, projectDomainName: c.projectDomain },
    regionName: c.region,
    interface: "public",
    verify: true,
    cacert: null,
    cert: null,
    key: null,
    identityApiVersion: "3",
  };
}

/** A session, and an S3 client found through its catalog with a fresh EC2 credential. */
export async function s3For(c: SimCloud): Promise<{ session: Session; s3: S3Client; access: string; secret: string }> {
  const session = await Session.connect(simResolved(c), { http: { retries: 1, retryBaseMs: 1, retryMaxMs: 5, timeoutMs: 10_000 } });
  const r = await s3ForSession(session);
  return { session, s3: r.client, access: r.keys.access, secret: r.keys.secret };
}
