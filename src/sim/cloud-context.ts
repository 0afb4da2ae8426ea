/**
 * What every simulated service of one cloud shares: the store, the blob store,
 * the transition scheduler, the fault injector, the resolved options, and the
 * URLs under which the cloud's services are reachable.
 */
import type { FaultInjector } from "./core/faults.js";
import type { Router, Ctx } from "./core/http.js";
import type { ApiFault, ServiceKind } from "./core/errors.js";
import type { Scheduler } from "./core/scheduler.js";
import type { BlobStore } from "./store/blobs.js";
import type { SimStore } from "./store/store.js";
import type { SimDelays } from "./types.js";

/** Shared state and settings of one cloud, as services see it. */
export interface CloudContext {
  readonly name: string;
  readonly region: string;
  readonly store: SimStore;
  readonly blobs: BlobStore;
  readonly scheduler: Scheduler;
  readonly faults: FaultInjector;
  readonly delays: SimDelays;
  readonly maxPageSize: number;
  readonly tokenTtlMs: number;
  readonly zedSignatureVerifiedQuirk: boolean;
  /** `http://127.0.0.1:PORT` once listening. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:PORT` of the object-storage listener (S3 at its root, Swift under /v1). */
  readonly objectStorageUrl?: string;
  /** Endpoint ids of the catalog, stable for the cloud's lifetime. */
  readonly endpointIds: Record<string, { service: string; public: string; internal: string; admin: string }>;
}

/** One simulated service: its URL prefix, routes and per-request preparation. */
export interface SimService {
  readonly kind: ServiceKind;
  /** URL prefix, e.g. `/compute`. */
  readonly prefix: string;
  readonly router: Router;
  /** Extra response headers for every reply of this service (e.g. Nova's request id twin). */
  decorate?(ctx: Ctx): void;
  /** Runs after authentication, before the handler (microversion negotiation). */
  prepare?(ctx: Ctx): void;
  /** Rewrites the path before routing (e.g. Neutron's optional `.json` suffix). */
  normalizePath?(path: string): string;
  /** The service's answer for an unrouted path (default: webob's HTML 404). */
  notFound?(): ApiFault;
}

/** Default transition delays: small enough for tests, long enough to observe states. */
export const DEFAULT_DELAYS: SimDelays = {
  serverBuild: 200,
  serverDelete: 100,
  serverAction: 100,
  serverImage: 50,
  volumeCreate: 100,
  volumeDownload: 100,
  volumeDelete: 80,
  volumeAttach: 80,
  imageSave: 60,
  lbCreate: 150,
  lbUpdate: 60,
  lbDelete: 80,
};
