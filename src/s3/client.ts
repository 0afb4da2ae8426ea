/**
 * The S3 client of the tool, on the AWS SDK v3: how it is configured for SCS
 * object storage, where its endpoint comes from, and how SDK errors become
 * the tool's typed errors.
 *
 * Configuration, and why:
 * - path-style addressing: SCS endpoints rarely have wildcard DNS/TLS for
 *   virtual-host buckets;
 * - `requestChecksumCalculation`/`responseChecksumValidation` WHEN_REQUIRED:
 *   SDKs since early 2025 send CRC32 checksums (as aws-chunked trailers on
 *   streams) by default, which Swift's s3api in Debian 12 (Zed) does not
 *   understand; with WHEN_REQUIRED only operations that need one carry it;
 * - DeleteObjects gets a Content-MD5: s3api requires it there, and the SDK now
 *   sends only a CRC32;
 * - the SDK's own retries (standard mode) and timeouts: a connect timeout,
 *   and a socket idle timeout that never cuts a long but moving transfer.
 *
 * Endpoint discovery: an explicit URL wins; otherwise the catalog's `s3`
 * entry; otherwise the `object-store` entry with its Swift path
 * (`/v1/AUTH_…`, optionally below `/swift`) removed, because s3api and RGW
 * serve S3 at the root of the same host.
 */
import { createHash } from "node:crypto";
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { ApiError, AuthError, UnreachableError, type MigrateError } from "../errors.js";
import { redact, registerSecret } from "../log.js";
import type { CatalogEntry } from "../openstack/catalog.js";
import { chooseEndpoint } from "../openstack/catalog.js";

/** What a client is made from. */
export interface S3ClientConfig {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Attempts per call including the first (SDK standard retry mode). Default 5. */
  maxAttempts?: number;
  /** TCP connect timeout in ms. Default 10 s. */
  connectTimeoutMs?: number;
  /** Socket idle timeout in ms (no byte moving). Default 120 s. */
  idleTimeoutMs?: number;
}

const configs = new WeakMap<S3Client, S3ClientConfig>();
const twins = new WeakMap<S3Client, S3Client>();

/** The endpoint URL a client was made for (for messages). */
export function endpointOf(s3: S3Client): string {
  return configs.get(s3)?.endpoint ?? "(s3 endpoint)";
}

/**
 * The same client without retries, for uploads whose body is a one-shot
 * stream: a retry could not replay it and would hang on the missing bytes.
 */
export function noRetryTwin(s3: S3Client): S3Client {
  const cfg = configs.get(s3);
  if (!cfg) return s3;
  let t = twins.get(s3);
  if (!t) {
    t = makeS3Client({ ...cfg, maxAttempts: 1 });
    twins.set(s3, t);
  }
  return t;
}

/** Makes an S3 client for SCS object storage (see the module comment for each setting). */
export function makeS3Client(cfg: S3ClientConfig): S3Client {
  registerSecret(cfg.secretAccessKey);
  // Why: the tool supports Node 20 and pins the SDK; the SDK's multi-line Node 22 notice would only garble CLI output.
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  const client = new S3Client({
    endpoint: cfg.endpoint,
    region: cfg.region,
    forcePathStyle: true,
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
    // Why: Swift s3api (Zed) rejects the default CRC32 trailers; see the module comment.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: cfg.maxAttempts ?? 5,
    retryMode: "standard",
    requestHandler: { connectionTimeout: cfg.connectTimeoutMs ?? 10_000, requestTimeout: cfg.idleTimeoutMs ?? 120_000 },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const req = args.request as { headers?: Record<string, string>; body?: unknown };
      if (context.commandName === "DeleteObjectsCommand" && req.headers && (typeof req.body === "string" || req.body instanceof Uint8Array)) {
        req.headers["content-md5"] = createHash("md5").update(req.body).digest("base64");
      }
      return next(args);
    },
    { step: "build", name: "scsContentMd5ForDeleteObjects" },
  );
  configs.set(client, cfg);
  return client;
}

/** Where an S3 endpoint came from. */
export interface S3Endpoint {
  url: string;
  source: "config" | "catalog:s3" | "catalog:object-store";
}

/** Strips the Swift account path from an object-store URL: s3api/RGW serve S3 at that host's root. */
export function s3UrlFromSwift(url: string): string {
  const u = new URL(url.trim());
  u.pathname = u.pathname.replace(/\/+$/, "").replace(/(\/swift)?\/v1(\/AUTH_[^/]*)?$/i, "") || "/";
  u.search = "";
  return u.toString().replace(/\/+$/, "");
}

/** The S3 endpoint: explicit config, else the catalog's `s3`, else `object-store` minus its Swift path. */
export function discoverS3Endpoint(
  catalog: readonly CatalogEntry[],
  opts: { region: string | null; interface: "public" | "internal" | "admin"; explicit?: string | undefined },
): S3Endpoint {
  if (opts.explicit) return { url: opts.explicit.replace(/\/+$/, ""), source: "config" };
  const s3 = catalog.find((e) => e.type === "s3");
  if (s3) {
    const ep = s3.endpoints.find((e) => e.interface.replace(/URL$/, "") === opts.interface && (opts.region === null || (e.region_id ?? e.region) === opts.region));
    if (ep) return { url: ep.url.replace(/\/+$/, ""), source: "catalog:s3" };
  }
  return { url: s3UrlFromSwift(chooseEndpoint(catalog, "object-store", opts)), source: "catalog:object-store" };
}

const NETWORK_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE", "TimeoutError", "RequestTimeout"]);
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** Codes that mean the credentials themselves are wrong. */
const AUTH_CODES = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"]);

/** The HTTP method of an S3 operation name, for ApiError (which speaks HTTP). */
function httpMethodOf(what: string): string {
  const op = what.split(" ")[0] ?? "";
  if (/^Head/.test(op)) return "HEAD";
  if (/^(Get|List)/.test(op)) return "GET";
  if (/^(Put|UploadPart|CopyObject)/.test(op)) return "PUT";
  if (/^(Delete|Abort)/.test(op) && op !== "DeleteObjects") return "DELETE";
  return "POST";
}

/** Turns an SDK or socket error into the tool's typed error; `what` names the call ("PutObject b/k"). */
export function mapS3Error(err: unknown, what: string, endpoint: string): MigrateError {
  if (err instanceof ApiError || err instanceof AuthError || err instanceof UnreachableError) return err;
  if (err instanceof S3ServiceException) {
    const status = err.$metadata?.httpStatusCode;
    const rid = err.$metadata?.requestId;
    const code = err.name;
    const msg = redact(`${what} at ${endpoint}: ${code}${status ? ` (${status})` : ""}: ${err.message}${rid ? ` (request ${rid})` : ""}`);
    if (AUTH_CODES.has(code)) {
      return new AuthError(msg, { cause: err, hint: "Check the EC2 access key and secret (openstack ec2 credentials list) and the S3 endpoint's region." });
    }
    const retryable = status === undefined || status >= 500 || status === 429 || code === "SlowDown" || code === "RequestTimeout";
    return new ApiError(msg, {
      method: httpMethodOf(what),
      url: endpoint,
      status,
      requestId: rid,
      body: code,
      fault: status !== undefined && status < 500 ? "client" : "server",
      retryable: retryable && status !== 501,
      cause: err,
    });
  }
  const e = err as { code?: string; name?: string; message?: string };
  const code = e?.code ?? e?.name ?? "";
  const msg = redact(`${what} at ${endpoint}: ${e?.message ?? String(err)}`);
  if (UNREACHABLE_CODES.has(code)) return new UnreachableError(msg, { cause: err, hint: "Check the S3 endpoint URL and that it is reachable from here." });
  return new ApiError(msg, { method: httpMethodOf(what), url: endpoint, fault: "network", retryable: NETWORK_CODES.has(code) || code === "", cause: err });
}

/** The HTTP status of an SDK error (undefined for non-HTTP failures). */
export function s3Status(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata?.httpStatusCode : undefined;
}

/** The S3 error code of an SDK error (`NoSuchKey`, `NotImplemented`, …). */
export function s3Code(err: unknown): string | undefined {
  return err instanceof S3ServiceException ? err.name : undefined;
}
