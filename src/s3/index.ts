/**
 * The S3 client layer: client construction and endpoint discovery
 * (client.ts), buckets and their facts (buckets.ts), listings and heads
 * (objects.ts), and the streaming cross-cloud copy (copy.ts).
 * `s3ForSession` ties them to a Keystone session: endpoint from the
 * catalog, keys from the user's EC2 credentials for the session's project.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { ec2CredentialForSession, type Ec2Keys } from "../openstack/identity.js";
import type { Session } from "../openstack/session.js";
import { discoverS3Endpoint, makeS3Client, type S3Endpoint } from "./client.js";

export * from "./client.js";
export * from "./buckets.js";
export * from "./objects.js";
export * from "./copy.js";

/** An S3 client for a connected cloud. */
export interface SessionS3 {
  client: S3Client;
  endpoint: S3Endpoint;
  keys: Ec2Keys;
  /** True when an EC2 credential was created for this (the caller may delete it afterwards). */
  createdCredential: boolean;
}

/**
 * Builds the S3 client of a session's project. `region` is the S3 signing
 * region (s3api's `location`; default the cloud's region name, else
 * us-east-1); `endpoint` overrides discovery; `createCredential: false`
 * refuses to create an EC2 credential when the user has none for the project.
 */
export async function s3ForSession(session: Session, opts: { endpoint?: string; region?: string; createCredential?: boolean } = {}): Promise<SessionS3> {
  const endpoint = discoverS3Endpoint(session.token.catalog, { region: session.cloud.regionName, interface: session.cloud.interface, explicit: opts.endpoint });
  const { keys, created } = await ec2CredentialForSession(session, opts.createCredential === undefined ? {} : { create: opts.createCredential });
  const client = makeS3Client({ endpoint: endpoint.url, region: opts.region ?? session.cloud.regionName ?? "us-east-1", accessKeyId: keys.access, secretAccessKey: keys.secret });
  return { client, endpoint, keys, createdCredential: created };
}
