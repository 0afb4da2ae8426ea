/**
 * Object-storage state of one simulated cloud: Keystone EC2 credentials,
 * buckets (= Swift containers) with their objects, multipart uploads in
 * progress, and an event log tests use to count what reached the service.
 *
 * Quirks: bucket names are unique per cloud (as on a Swift cluster with
 * s3api, where a name taken by another project answers BucketAlreadyExists);
 * an object is a list of immutable blob segments, like the SLO manifest
 * Swift's s3api writes for a completed multipart upload, so completing an
 * upload copies no bytes and parts share blobs with nothing else.
 */
import type { Blob, BlobStore } from "../store/blobs.js";

/** A Keystone EC2 credential (type `ec2` in /v3/credentials). */
export interface Ec2CredRecord {
  /** sha256 hex of `access`: the /v3/credentials id, as Keystone derives it. */
  id: string;
  access: string;
  secret: string;
  userId: string;
  projectId: string;
}

/** Headers of an object that are stored and returned as given. */
export interface ObjectHeaders {
  contentType: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  /** User metadata, keys lower-case without the `x-amz-meta-` / `x-object-meta-` prefix. */
  meta: Record<string, string>;
}

/** One stored object. */
export interface ObjectRecord extends ObjectHeaders {
  key: string;
  segments: Blob[];
  size: number;
  /** Unquoted ETag: md5 hex, or md5-of-part-md5s + "-N" for multipart objects. */
  etag: string;
  lastModified: number;
}

/** One bucket / container. */
export interface BucketRecord {
  name: string;
  projectId: string;
  createdAt: number;
  versioning?: "Enabled" | "Suspended";
  /** Raw CORSConfiguration XML (only when the cloud supports bucket CORS). */
  cors?: string;
  /** Container metadata (`X-Container-Meta-*`), keys lower-case without prefix. */
  meta: Record<string, string>;
  read?: string;
  write?: string;
  objects: Map<string, ObjectRecord>;
  /** Sorted keys cache, dropped on every insert or delete. */
  sorted?: string[];
}

/** One uploaded part of a multipart upload. */
export interface PartRecord {
  partNumber: number;
  blob: Blob;
  etag: string;
  size: number;
  lastModified: number;
}

/** A multipart upload in progress. */
export interface UploadRecord extends ObjectHeaders {
  id: string;
  bucket: string;
  key: string;
  initiated: number;
  parts: Map<number, PartRecord>;
}

/** What tests may count: every successful data-carrying call. */
export interface ObjectEvent {
  op: "put-object" | "upload-part" | "complete-upload" | "abort-upload" | "delete-object" | "get-object" | "copy-object";
  bucket: string;
  key: string;
  partNumber?: number;
  bytes?: number;
  api: "s3" | "swift";
}

const MAX_EVENTS = 100_000;

/** All object-storage state of a cloud. */
export class ObjectState {
  readonly ec2Creds = new Map<string, Ec2CredRecord>();
  readonly buckets = new Map<string, BucketRecord>();
  readonly uploads = new Map<string, UploadRecord>();
  readonly events: ObjectEvent[] = [];
  /** Answer bucket CORS calls (newer Swift) instead of NotImplemented (Zed's s3api). */
  corsSupported = false;
  /** Decode aws-chunked bodies (newer Swift) instead of 501 NotImplemented as Zed's s3api. */
  awsChunkedSupported = false;
  /** Byte and object quotas of the project (-1: unlimited), like Swift's account quotas. */
  quotaBytes = -1;
  quotaObjects = -1;

  constructor(private readonly blobs: BlobStore) {}

  /** Records an event (bounded, oldest dropped first). */
  record(ev: ObjectEvent): void {
    if (this.events.length >= MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS + 1);
    this.events.push(ev);
  }

  /** The EC2 credential of an access key. */
  credByAccess(access: string): Ec2CredRecord | undefined {
    for (const c of this.ec2Creds.values()) if (c.access === access) return c;
    return undefined;
  }

  /** Sorted keys of a bucket (cached). */
  sortedKeys(b: BucketRecord): string[] {
    b.sorted ??= [...b.objects.keys()].sort(byteOrder);
    return b.sorted;
  }

  /** Stores an object, releasing the segments of the one it replaces. */
  putObject(b: BucketRecord, rec: ObjectRecord): void {
    const old = b.objects.get(rec.key);
    if (!old) b.sorted = undefined;
    b.objects.set(rec.key, rec);
    if (old) for (const s of old.segments) this.blobs.release(s);
  }

  /** Deletes an object; false when there was none. */
  deleteObject(b: BucketRecord, key: string): boolean {
    const old = b.objects.get(key);
    if (!old) return false;
    b.objects.delete(key);
    b.sorted = undefined;
    for (const s of old.segments) this.blobs.release(s);
    return true;
  }

  /** Drops an upload and its parts' bytes. */
  dropUpload(u: UploadRecord, keep: ReadonlySet<Blob> = new Set()): void {
    this.uploads.delete(u.id);
    for (const p of u.parts.values()) if (!keep.has(p.blob)) this.blobs.release(p.blob);
  }

  /** Bytes and objects used by a project. */
  usage(projectId: string): { bytes: number; objects: number; containers: number } {
    let bytes = 0;
    let objects = 0;
    let containers = 0;
    for (const b of this.buckets.values()) {
      if (b.projectId !== projectId) continue;
      containers++;
      for (const o of b.objects.values()) {
        bytes += o.size;
        objects++;
      }
    }
    return { bytes, objects, containers };
  }
}

/** S3 and Swift list keys in UTF-8 byte order. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
