/**
 * Buckets and the facts a migration needs about each: versioning, CORS,
 * lifecycle and policy. Each fact is a `Feature`: supported with its value
 * (null when not configured), or not supported by this endpoint. Swift's
 * s3api answers 501 NotImplemented for CORS (Zed), lifecycle and policy, and
 * the source and target of a move are often different implementations, so
 * "not supported" is a result here, never an exception.
 */
import {
  GetBucketCorsCommand, GetBucketLifecycleConfigurationCommand, GetBucketPolicyCommand, GetBucketVersioningCommand,
  HeadBucketCommand, ListBucketsCommand, type CORSRule, type LifecycleRule, type S3Client,
} from "@aws-sdk/client-s3";
import { endpointOf, mapS3Error, s3Code, s3Status } from "./client.js";

/** A bucket of the listing. */
export interface BucketSummary {
  name: string;
  createdAt: Date | null;
}

/** A fact the endpoint may not support. */
export type Feature<T> = { supported: true; value: T } | { supported: false; reason: string };

/** What a migration needs to know about one bucket. */
export interface BucketFacts {
  name: string;
  /** "Disabled" when versioning was never switched on. */
  versioning: Feature<"Enabled" | "Suspended" | "Disabled">;
  cors: Feature<CORSRule[] | null>;
  lifecycle: Feature<LifecycleRule[] | null>;
  /** The policy document (JSON text). */
  policy: Feature<string | null>;
}

/** Every bucket of the credentials' project. */
export async function listBuckets(s3: S3Client): Promise<BucketSummary[]> {
  try {
    const r = await s3.send(new ListBucketsCommand({}));
    return (r.Buckets ?? []).map((b) => ({ name: b.Name ?? "", createdAt: b.CreationDate ?? null }));
  } catch (err) {
    throw mapS3Error(err, "ListBuckets", endpointOf(s3));
  }
}

/** True when the bucket exists and is ours; false on 404; errors otherwise (403: someone else's). */
export async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    if (s3Status(err) === 404) return false;
    throw mapS3Error(err, `HeadBucket ${bucket}`, endpointOf(s3));
  }
}

const UNSUPPORTED_CODES = new Set(["NotImplemented", "MethodNotAllowed", "UnsupportedOperation"]);

/** Runs one fact query: NotImplemented → unsupported; the "none configured" code → null. */
async function fact<T>(s3: S3Client, what: string, noneCodes: readonly string[], run: () => Promise<T>): Promise<Feature<T | null>> {
  try {
    return { supported: true, value: await run() };
  } catch (err) {
    const code = s3Code(err);
    if (code && noneCodes.includes(code)) return { supported: true, value: null };
    if ((code && UNSUPPORTED_CODES.has(code)) || s3Status(err) === 501) {
      return { supported: false, reason: `${code ?? "501"}: the endpoint does not implement ${what.split(" ")[0]}` };
    }
    throw mapS3Error(err, what, endpointOf(s3));
  }
}

/** Versioning, CORS, lifecycle and policy of a bucket; unsupported ones are typed results. */
export async function bucketFacts(s3: S3Client, bucket: string): Promise<BucketFacts> {
  const [versioning, cors, lifecycle, policy] = await Promise.all([
    fact(s3, `GetBucketVersioning ${bucket}`, [], async () => {
      const r = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
      return r.Status === "Enabled" || r.Status === "Suspended" ? r.Status : "Disabled";
    }),
    fact(s3, `GetBucketCors ${bucket}`, ["NoSuchCORSConfiguration"], async () => (await s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? []),
    fact(s3, `GetBucketLifecycleConfiguration ${bucket}`, ["NoSuchLifecycleConfiguration"], async () => (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? []),
    fact(s3, `GetBucketPolicy ${bucket}`, ["NoSuchBucketPolicy"], async () => (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null),
  ]);
  const v: BucketFacts["versioning"] = versioning.supported ? { supported: true, value: versioning.value ?? "Disabled" } : versioning;
  return { name: bucket, versioning: v, cors, lifecycle, policy };
}
