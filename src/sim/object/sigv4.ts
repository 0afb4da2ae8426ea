/**
 * SigV4 verification for the simulated S3 API. The signature is never
 * computed here by hand: the received request's canonical parts (method, raw
 * path, decoded query, the headers named in SignedHeaders, the declared
 * payload hash) are signed again with `@smithy/signature-v4` and the stored
 * secret, and the two signatures are compared in constant time.
 *
 * Quirks (as s3api with Keystone): an unknown access key is 403
 * InvalidAccessKeyId, a wrong signature 403 SignatureDoesNotMatch, a request
 * older or newer than 15 minutes 403 RequestTimeTooSkewed; anonymous
 * requests are 403 AccessDenied. Presigned URLs and SigV2 are not supported
 * (the tool's client never uses them).
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Ec2CredRecord, ObjectState } from "./state.js";
import { S3Fault } from "./xml.js";

/** node:crypto behind the Checksum interface the signer takes. */
export class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
  }
  update(data: SourceData): void {
    this.h.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/** What the signer feeds its hash (smithy's SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBytes(d: SourceData): string | Uint8Array {
  if (typeof d === "string") return d;
  return ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

/** The identity a verified request acts as. */
export interface S3Caller {
  cred: Ec2CredRecord;
  /** The declared payload hash (hex, UNSIGNED-PAYLOAD or a STREAMING-… value). */
  payloadHash: string;
}

/** Decodes a raw query string the way the signer expects it (values decoded, repeated keys as arrays). */
export function decodeQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of raw.split("&")) {
    if (!part) continue;
    const i = part.indexOf("=");
    const k = safeDecode(i < 0 ? part : part.slice(0, i));
    const v = i < 0 ? "" : safeDecode(part.slice(i + 1));
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function parseAmzDate(s: string | undefined): Date | undefined {
  const m = s ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** Verifies the request's SigV4 Authorization header; throws the S3 error a real endpoint answers. */
export async function verifySigV4(state: ObjectState, req: IncomingMessage, rawPath: string, rawQuery: string, now = Date.now()): Promise<S3Caller> {
  const auth = header(req, "authorization");
  if (!auth) throw new S3Fault(403, "AccessDenied", "Access Denied.");
  const m = AUTH_RE.exec(auth);
  if (!m) {
    throw new S3Fault(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.");
  }
  const [, access, , region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const cred = state.credByAccess(access);
  if (!cred) {
    throw new S3Fault(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", { AWSAccessKeyId: access });
  }
  const date = parseAmzDate(header(req, "x-amz-date"));
  if (!date) throw new S3Fault(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  if (Math.abs(now - date.getTime()) > MAX_SKEW_MS) {
    throw new S3Fault(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.");
  }
  const payloadHash = header(req, "x-amz-content-sha256");
  if (!payloadHash) throw new S3Fault(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");

  const signed = signedList.split(";");
  const headers: Record<string, string> = {};
  for (const h of signed) {
    const v = header(req, h);
    if (v !== undefined) headers[h] = v.trim().replace(/\s+/g, " ");
  }
  const host = header(req, "host") ?? "";
  const signer = new SignatureV4({
    service,
    region,
    credentials: { accessKeyId: cred.access, secretAccessKey: cred.secret },
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const again = await signer.sign(
    {
      method: req.method ?? "GET",
      protocol: "http:",
      hostname: host.replace(/:\d+$/, ""),
      path: rawPath,
      query: decodeQuery(rawQuery),
      headers,
    },
    { signingDate: date, signableHeaders: new Set(signed), unsignableHeaders: new Set() },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(again.headers["authorization"] ?? ""))?.[1] ?? "";
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw new S3Fault(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", {
      AWSAccessKeyId: access,
    });
  }
  return { cred, payloadHash };
}
