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
    const isS3 = req.headers["authorization"] !== undefined || !rawPath.startsWith("/v1/");
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
