/**
 * S3 XML: error documents as Swift's s3api renders them, the small request
 * bodies the simulator reads (CompleteMultipartUpload, Delete,
 * VersioningConfiguration, CreateBucketConfiguration), and timestamp and
 * request-id formats.
 *
 * Quirks (s3api): the XML declaration uses single quotes; error bodies carry
 * the Code, the Message, type-specific fields (BucketName, Key) and the
 * RequestId, which is Swift's transaction id (`tx` + 21 hex + `-` + hex
 * epoch seconds), also sent as `x-amz-request-id` and `x-trans-id`.
 */
import { randomBytes } from "node:crypto";

export const XML_DECL = "<?xml version='1.0' encoding='UTF-8'?>\n";
export const S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

/** An S3 error reply; thrown by handlers. */
export class S3Fault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Escapes text for XML content. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Unescapes the five XML entities (and numeric ones). */
export function unesc(s: string): string {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** The error document of a fault. */
export function errorXml(f: S3Fault, resource: string, requestId: string): string {
  const extra = Object.entries(f.extra).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join("");
  return `${XML_DECL}<Error><Code>${f.code}</Code><Message>${esc(f.message)}</Message>${extra}<Resource>${esc(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
}

/** A Swift transaction id. */
export function transId(): string {
  return `tx${randomBytes(11).toString("hex").slice(0, 21)}-${Math.floor(Date.now() / 1000).toString(16).padStart(10, "0")}`;
}

/** `2026-12-03T14:27:47.000Z` (S3 listings). */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** RFC 1123 (Last-Modified headers), second precision. */
export function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

/** Text of every `<tag>…</tag>` directly or deeply inside `xml`. */
export function tagValues(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g");
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1]!);
  return out;
}

/** The first `<tag>` text, unescaped, or undefined. */
export function tagValue(xml: string, tag: string): string | undefined {
  const v = tagValues(xml, tag)[0];
  return v === undefined ? undefined : unesc(v.trim());
}

/** True when the body looks like one XML element named `root` (namespace allowed). */
export function hasRoot(xml: string, root: string): boolean {
  return new RegExp(`^\\s*(<\\?xml[^>]*\\?>\\s*)?<${root}(\\s[^>]*)?>[\\s\\S]*</${root}>\\s*$`).test(xml);
}

/** Common errors with s3api's messages. */
export const S3E = {
  noSuchBucket: (b: string) => new S3Fault(404, "NoSuchBucket", "The specified bucket does not exist.", { BucketName: b }),
  noSuchKey: (k: string) => new S3Fault(404, "NoSuchKey", "The specified key does not exist.", { Key: k }),
  noSuchUpload: (id: string) =>
    new S3Fault(404, "NoSuchUpload", "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.", { UploadId: id }),
  malformedXml: () => new S3Fault(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."),
  notImplemented: () => new S3Fault(501, "NotImplemented", "The requested resource is not implemented"),
  accessDenied: () => new S3Fault(403, "AccessDenied", "Access Denied."),
  invalidArgument: (name: string, value: string, msg: string) => new S3Fault(400, "InvalidArgument", msg, { ArgumentName: name, ArgumentValue: value }),
  internal: () => new S3Fault(500, "InternalError", "We encountered an internal error. Please try again."),
  unavailable: () => new S3Fault(503, "ServiceUnavailable", "Please reduce your request rate."),
};
