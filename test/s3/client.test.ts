/**
 * S3 endpoint discovery from a Keystone catalog (an `s3` entry, else the
 * Swift `object-store` entry without its account path, else explicit
 * config) and the mapping of SDK errors to the tool's typed errors.
 */
import { S3ServiceException } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { ApiError, AuthError, NotFoundError, UnreachableError } from "../../src/errors.js";
import { registerSecret } from "../../src/log.js";
import type { CatalogEntry } from "../../src/openstack/catalog.js";
import { discoverS3Endpoint, mapS3Error, s3UrlFromSwift } from "../../src/s3/index.js";

const entry = (type: string, url: string, region = "RegionOne"): CatalogEntry => ({
  type, name: type, endpoints: [{ interface: "public", region, region_id: region, url }],
});
const opts = { region: "RegionOne", interface: "public" as const };

describe("S3 endpoint discovery", () => {
  it("prefers an s3 entry", () => {
    const cat = [entry("object-store", "https://swift.example.com/v1/AUTH_abc"), entry("s3", "https://s3.example.com/")];
    expect(discoverS3Endpoint(cat, opts)).toEqual({ url: "https://s3.example.com", source: "catalog:s3" });
  });

  it("falls back to object-store without the Swift account path (s3api and RGW serve S3 at the root)", () => {
    expect(discoverS3Endpoint([entry("object-store", "https://objects.example.com:8080/v1/AUTH_abc")], opts)).toEqual({ url: "https://objects.example.com:8080", source: "catalog:object-store" });
    expect(s3UrlFromSwift("https://rgw.example.com/swift/v1/AUTH_abc")).toBe("https://rgw.example.com");
    expect(s3UrlFromSwift("https://rgw.example.com/swift/v1")).toBe("https://rgw.example.com");
  });

  it("takes explicit config over the catalog, and names the catalog's types when nothing fits", () => {
    expect(discoverS3Endpoint([entry("s3", "https://s3.example.com")], { ...opts, explicit: "https://mine.example.com/" })).toEqual({ url: "https://mine.example.com", source: "config" });
    expect(() => discoverS3Endpoint([entry("compute", "https://nova")], opts)).toThrow(NotFoundError);
    expect(() => discoverS3Endpoint([entry("compute", "https://nova")], opts)).toThrow(/object-store.*the catalog has: compute/);
  });
});

describe("S3 error mapping", () => {
  const sdkError = (name: string, status: number, message = "msg") =>
    new S3ServiceException({ name, $fault: status < 500 ? "client" : "server", $metadata: { httpStatusCode: status, requestId: "tx123" }, message });

  it("maps credential failures to AuthError and keeps secrets out", () => {
    registerSecret("very-secret-value-123");
    const e = mapS3Error(sdkError("SignatureDoesNotMatch", 403, "bad very-secret-value-123"), "GetObject b/k", "https://s3");
    expect(e).toBeInstanceOf(AuthError);
    expect(e.message).not.toContain("very-secret-value-123");
    expect(e.message).toMatch(/GetObject b\/k at https:\/\/s3: SignatureDoesNotMatch \(403\).*request tx123/);
  });

  it("maps service errors to ApiError with status and retryability", () => {
    const nf = mapS3Error(sdkError("NoSuchKey", 404), "GetObject b/k", "https://s3") as ApiError;
    expect([nf.status, nf.retryable, nf.fault, nf.method]).toEqual([404, false, "client", "GET"]);
    const busy = mapS3Error(sdkError("SlowDown", 503), "PutObject b/k", "https://s3") as ApiError;
    expect([busy.status, busy.retryable, busy.fault]).toEqual([503, true, "server"]);
    const ni = mapS3Error(sdkError("NotImplemented", 501), "GetBucketPolicy b", "https://s3") as ApiError;
    expect(ni.retryable).toBe(false);
  });

  it("maps socket failures", () => {
    expect(mapS3Error(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "ListBuckets", "https://s3")).toBeInstanceOf(UnreachableError);
    const reset = mapS3Error(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "GetObject b/k", "https://s3") as ApiError;
    expect([reset.fault, reset.retryable]).toEqual(["network", true]);
  });
});
