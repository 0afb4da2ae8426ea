/**
 * One simulated cloud: its state, its HTTP listener on an ephemeral port of
 * 127.0.0.1, and the services mounted under their devstack-style prefixes
 * (`/identity`, `/compute`, `/network`, `/volume`, `/image`, and unless
 * switched off `/load-balancer`) plus the `/_sim/*` control endpoints; object
 * storage (S3 + Swift) has a second listener, see object/server.ts.
 *
 * Quirks: keep-alive is on with a long idle timeout and no request timeout,
 * because multi-GiB image uploads and downloads run for many seconds;
 * Nagle is off so small JSON replies leave at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { log } from "../log.js";
import { DEFAULT_DELAYS, type CloudContext, type SimService } from "./cloud-context.js";
import { computeService } from "./compute/index.js";
import { control } from "./control.js";
import { FaultInjector } from "./core/faults.js";
import { hexId } from "./core/ids.js";
import { Scheduler } from "./core/scheduler.js";
import { dispatch } from "./dispatch.js";
import { identityService } from "./identity/keystone.js";
import { imageService } from "./image/index.js";
import { loadBalancerService } from "./load-balancer/index.js";
import { networkService } from "./network/index.js";
import { ObjectStorageServer } from "./object/server.js";
import { seedCloud } from "./standard-content.js";
import { BlobStore } from "./store/blobs.js";
import { releaseHashWorkers, retainHashWorkers } from "./store/hashing.js";
import { SimStore } from "./store/store.js";
import type { SimCloud, SimCloudOptions, SimDelays, SimFaults } from "./types.js";
import { volumeService } from "./volume/index.js";

const CATALOG_TYPES = ["identity", "compute", "network", "volumev3", "block-storage", "image", "object-store", "s3"];

/** A running simulated cloud. */
export class SimCloudImpl implements SimCloud, CloudContext {
  readonly name: string;
  readonly region: string;
  readonly store: SimStore;
  readonly blobs: BlobStore;
  readonly scheduler: Scheduler;
  readonly faults = new FaultInjector();
  readonly delays: SimDelays;
  readonly maxPageSize: number;
  readonly tokenTtlMs: number;
  readonly zedSignatureVerifiedQuirk: boolean;
  readonly endpointIds: CloudContext["endpointIds"] = {};
  readonly userDomain = "Default";
  readonly projectDomain = "Default";
  private port = 0;
  private closed = false;
  private readonly server: Server;
  private readonly services: SimService[];
  private readonly objectServer: ObjectStorageServer;

  constructor(opts: SimCloudOptions) {
    this.name = opts.name;
    this.region = opts.region ?? "RegionOne";
    this.delays = { ...DEFAULT_DELAYS, ...opts.delays };
    this.maxPageSize = opts.maxPageSize ?? 1000;
    this.tokenTtlMs = opts.tokenTtlMs ?? 24 * 3600 * 1000;
    this.zedSignatureVerifiedQuirk = opts.zedSignatureVerifiedQuirk ?? true;
    this.blobs = new BlobStore(opts.dataDir, opts.name);
    retainHashWorkers();
    this.store = new SimStore(
      {
        projectName: opts.projectName ?? opts.name,
        username: opts.username ?? `${opts.name}-user`,
        password: opts.password ?? randomBytes(18).toString("base64url"),
      },
      opts.quotas ?? {},
      this.blobs,
    );
    this.scheduler = new Scheduler((err) => log.warn("Simulated transition failed", { cloud: this.name, error: String(err) }));
    const lbEnabled = opts.loadBalancer?.enabled !== false;
    for (const t of [...CATALOG_TYPES, ...(lbEnabled ? ["load-balancer"] : [])]) this.endpointIds[t] = { service: hexId(), public: hexId(), internal: hexId(), admin: hexId() };
    seedCloud(this, opts);
    this.services = [identityService(this), computeService(this), networkService(this), volumeService(this), imageService(this)];
    if (lbEnabled) this.services.push(loadBalancerService(this, opts.loadBalancer));
    const os = opts.objectStorage ?? {};
    this.store.objects.corsSupported = os.corsSupported ?? false;
    this.store.objects.awsChunkedSupported = os.awsChunked ?? false;
    this.store.objects.quotaBytes = os.quotaBytes ?? -1;
    this.store.objects.quotaObjects = os.quotaObjects ?? -1;
    this.objectServer = new ObjectStorageServer(this, this.store.objects);
    this.server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000, noDelay: true }, (req, res) => this.onRequest(req, res));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    if (url.startsWith("/_sim/")) {
      void control(this, (f) => this.setFaults(f), url.split("?")[0]!, req, res);
      return;
    }
    dispatch(this, this.services, req, res).catch((err) => {
      log.warn("Simulated request failed", { cloud: this.name, error: String(err) });
      res.destroy();
    });
  }

  /** Starts listening on ephemeral ports of 127.0.0.1 (the APIs, and object storage). */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
    await this.objectServer.listen();
  }

  /** S3 endpoint (path-style, at the root) and Swift base (`/v1/AUTH_<project>` below it). */
  get objectStorageUrl(): string {
    return this.objectServer.url;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get dataDir(): string {
    return this.blobs.dir;
  }

  get authUrl(): string {
    return `${this.baseUrl}/identity/v3`;
  }

  get projectId(): string {
    return this.store.identity.projectId;
  }

  get projectName(): string {
    return this.store.identity.projectName;
  }

  get username(): string {
    return this.store.identity.username;
  }

  get password(): string {
    return this.store.identity.password;
  }

  get adminUsername(): string {
    return this.store.admin.username;
  }

  get adminPassword(): string {
    return this.store.admin.password;
  }

  get adminProjectName(): string {
    return this.store.admin.projectName;
  }

  get adminProjectId(): string {
    return this.store.admin.projectId;
  }

  setFaults(f: SimFaults): void {
    this.faults.set(f);
  }

  /** Stops listening, cancels transitions, drops connections, removes owned data. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.close();
    await Promise.all([
      new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      }),
      this.objectServer.close(),
    ]);
    this.blobs.close();
    await releaseHashWorkers();
  }
}
