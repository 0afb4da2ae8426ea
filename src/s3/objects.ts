/**
 * Object listing and lookup: ListObjectsV2 page by page as an async
 * iterator (continuation tokens followed until the listing is complete),
 * and HeadObject with the metadata a copy carries over.
 *
 * Quirks: a page may be empty but truncated (delimiter roll-ups); the loop
 * follows `NextContinuationToken` and stops only on `IsTruncated: false`,
 * guarding against an endpoint that repeats a token.
 */
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { ApiError } from "../errors.js";
import { endpointOf, mapS3Error, s3Status } from "./client.js";

/** One object of a listing. */
export interface ObjectSummary {
  key: string;
  size: number;
  /** Unquoted ETag (`md5` or `md5-N` for multipart uploads). */
  etag: string;
  lastModified: Date | null;
}

/** What HeadObject tells about an object. */
export interface ObjectHead {
  size: number;
  etag: string;
  lastModified: Date | null;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  cacheControl: string | undefined;
  contentDisposition: string | undefined;
  metadata: Record<string, string>;
}

/** Removes the quotes S3 puts around ETags. */
export function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^W\//, "").replace(/"/g, "");
}

/** Options of a listing. */
export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  startAfter?: string;
  /** Keys per page (max-keys); the endpoint may cap it (1000 on S3 and s3api). */
  pageSize?: number;
}

/** A page of a listing: objects and the common prefixes rolled up at the delimiter. */
export interface ObjectPage {
  objects: ObjectSummary[];
  prefixes: string[];
}

/** Lists a bucket page by page. */
export async function* listObjectPages(s3: S3Client, bucket: string, opts: ListOptions = {}): AsyncGenerator<ObjectPage> {
  let token: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    let r;
    try {
      r = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          MaxKeys: opts.pageSize ?? 1000,
          ...(opts.prefix !== undefined ? { Prefix: opts.prefix } : {}),
          ...(opts.delimiter !== undefined ? { Delimiter: opts.delimiter } : {}),
          ...(token === undefined && opts.startAfter !== undefined ? { StartAfter: opts.startAfter } : {}),
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }),
      );
    } catch (err) {
      throw mapS3Error(err, `ListObjectsV2 ${bucket}`, endpointOf(s3));
    }
    yield {
      objects: (r.Contents ?? []).map((o) => ({ key: o.Key ?? "", size: o.Size ?? 0, etag: unquote(o.ETag), lastModified: o.LastModified ?? null })),
      prefixes: (r.CommonPrefixes ?? []).map((p) => p.Prefix ?? ""),
    };
    if (!r.IsTruncated) return;
    token = r.NextContinuationToken;
    if (!token || seen.has(token)) {
      throw new ApiError(`ListObjectsV2 ${bucket} at ${endpointOf(s3)}: truncated listing without a new continuation token`, {
        method: "GET", url: endpointOf(s3), fault: "server", retryable: false,
      });
    }
    seen.add(token);
  }
}

/** Every object of a bucket (convenience over `listObjectPages`). */
export async function* listObjects(s3: S3Client, bucket: string, opts: ListOptions = {}): AsyncGenerator<ObjectSummary> {
  for await (const page of listObjectPages(s3, bucket, opts)) yield* page.objects;
}

/** HeadObject; null when the object does not exist. */
export async function headObject(s3: S3Client, bucket: string, key: string): Promise<ObjectHead | null> {
  try {
    const r = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      size: r.ContentLength ?? 0,
      etag: unquote(r.ETag),
      lastModified: r.LastModified ?? null,
      contentType: r.ContentType,
      contentEncoding: r.ContentEncoding,
      cacheControl: r.CacheControl,
      contentDisposition: r.ContentDisposition,
      metadata: r.Metadata ?? {},
    };
  } catch (err) {
    if (s3Status(err) === 404) return null;
    throw mapS3Error(err, `HeadObject ${bucket}/${key}`, endpointOf(s3));
  }
}
