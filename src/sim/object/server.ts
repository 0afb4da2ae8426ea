/**
 * The object-storage listener of a simulated cloud: one port serving the S3
 * API at its root (path-style, `http://127.0.0.1:PORT/bucket/key`) and the
 * Swift API under `/v1/AUTH_<project>`, as one Swift proxy with the s3api
 * middleware does. It has its own port because S3 owns the whole path space
 * (a bucket may be called `compute`) and because SigV4 signs the path: an
 * endpoint at the host root is what every S3 client handles without quirks.
 *
 * Quirks: a request with an AWS Authorization header is S3 even under
 * `/v1/` (s3api decides by the signature, not the path); the cloud's fault
 * switches apply (latency, resets, injected 500/503 as S3 XML or Swift
 * HTML, downloads cut mid-stream).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { log } from "../../log.js";
import type { CloudContext } from "../cloud-context.js";
import { sleep } from "../core/scheduler.js";
import { handleS3, sendS3Fault } from "./s3.js";
import type { ObjectState } from "./state.js";
import { handleSwift, sendSwiftFault, SwiftFault } from "./swift.js";
import { S3E, transId } from "./xml.js";

/** Swift's /info capabilities document (no token), as a Zed proxy with s3api and SLO shows it. */
function sendInfo(res: ServerResponse, method: string): void {
  const body = JSON.stringify({
    swift: { version: "2.30.1", max_file_size: 5368709122, max_object_name_length: 1024, container_listing_limit: 10000, account_listing_limit: 10000, max_meta_count: 90 },
    slo: { max_manifest_segments: 1000, max_manifest_size: 8388608, min_segment_size: 1 },
    s3api: { max_bucket_listing: 1000, max_parts_listing: 1000, max_upload_part_num: 10000, max_multi_delete_objects: 1000, allow_multipart_uploads: true, min_segment_size: 5242880, s3_acl: false, versioning: true },
    staticweb: {},
    tempurl: { methods: ["GET", "HEAD", "PUT", "POST", "DELETE"] },
  });
  res.writeHead(200, { "Content-Type": "application/json; charset=UTF-8", "Content-Length": String(Buffer.byteLength(body)) });
  res.end(method === "HEAD" ? "" : body);
}

/** The object-storage endpoint of one cloud. */
export class ObjectStorageServer {
  private readonly server: Server;
  private port = 0;

  constructor(
    private readonly cloud: CloudContext,
    private readonly state: ObjectState,
  ) {
    this.server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000, noDelay: true }, (req, res) => {
      this.onRequest(req, res).catch((err) => {
        log.warn("Simulated object-storage request failed", { cloud: cloud.name, error: String(err) });
        res.destroy();
      });
    });
  }

  /** `http://127.0.0.1:PORT` (the S3 endpoint). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const qi = url.indexOf("?");
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
    const isS3 = req.headers["authorization"] !== undefined || !(rawPath.startsWith("/v1/") || rawPath === "/info");
    const method = req.method ?? "GET";

    const latency = this.cloud.faults.latency();
    if (latency > 0) await sleep(latency);
    const fault = this.cloud.faults.drawRequest();
    if (fault.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault.kind === "error") {
      req.resume();
      if (isS3) {
        const rid = transId();
        sendS3Fault(res, method, { "x-amz-request-id": rid }, fault.status === 500 ? S3E.internal() : S3E.unavailable(), rawPath, rid);
      } else sendSwiftFault(res, method, fault.status);
      return;
    }
    if (isS3) return handleS3(this.cloud, this.state, req, res, rawPath, rawQuery);
    if (rawPath === "/info") return sendInfo(res, method);
    try {
      await handleSwift(this.cloud, this.state, req, res, rawPath, rawQuery);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (!req.complete) req.resume();
      sendSwiftFault(res, method, err instanceof SwiftFault ? err.status : 500);
    }
  }
}
