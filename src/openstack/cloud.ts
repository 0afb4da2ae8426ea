/**
 * `OpenStackCloud`: one connected cloud as the rest of the tool sees it. It
 * authenticates, picks the endpoints of the four services the tool uses from
 * the catalog, negotiates the Nova and Cinder microversions once, and hands
 * out the service clients the functions in compute.ts, network.ts,
 * block-storage.ts and image.ts take as their first argument.
 *
 * Compute must be in the catalog for the cloud's region and interface, so a
 * wrong region fails `connect` (ConfigError naming the regions there are).
 * Another service missing from the catalog does not fail `connect`; using its
 * client does (NotFoundError naming the service and what the catalog has).
 */
import type { ResolvedCloud } from "../config/clouds.js";
import type { ServiceName } from "./catalog.js";
import type { HttpOptions } from "./http.js";
import { negotiateMicroversion, WANTED_MICROVERSIONS } from "./microversions.js";
import { ServiceClient, Session, type SessionOptions } from "./session.js";
import type { BlockStorageClient } from "./block-storage.js";
import type { ComputeClient } from "./compute.js";
import type { ImageClient } from "./image.js";
import type { LoadBalancerClient } from "./load-balancer.js";
import type { NetworkClient } from "./network.js";

/** Options of `OpenStackCloud.connect`. */
export interface ConnectOptions {
  http?: HttpOptions;
  /** Items per page for every list (default 1000; tests use small sizes). */
  pageSize?: number;
  /** Microversions to ask for instead of the defaults (`compute`, `block-storage`). */
  microversions?: Partial<Record<keyof typeof WANTED_MICROVERSIONS, string>>;
  /** Token renewal margin and clock (tests). */
  session?: Omit<SessionOptions, "http">;
}

/** One connected cloud: identity facts, service clients and negotiated microversions. */
export class OpenStackCloud {
  /** Negotiated microversions by header name ("compute", "volume"), as inventory meta records them. */
  readonly microversions: Record<string, string> = {};
  private readonly clients = new Map<ServiceName, ServiceClient | Error>();

  private constructor(
    readonly session: Session,
    private readonly pageSize: number,
  ) {}

  /** Authenticates, reads the catalog and negotiates microversions. */
  static async connect(resolved: ResolvedCloud, opts: ConnectOptions = {}): Promise<OpenStackCloud> {
    const session = await Session.connect(resolved, { ...opts.session, ...(opts.http ? { http: opts.http } : {}) });
    const cloud = new OpenStackCloud(session, opts.pageSize ?? 1000);
    try {
      // Why: every use of the tool needs Nova; a wrong region or interface should fail here, not at the first call.
      void cloud.compute;
      const wanted = { ...WANTED_MICROVERSIONS, ...opts.microversions };
      const jobs: Promise<void>[] = [];
      if (session.has("compute")) {
        jobs.push(
          negotiateMicroversion(cloud.client("compute"), wanted.compute).then((v) => {
            if (v) cloud.microversions.compute = v;
          }),
        );
      }
      if (session.has("block-storage")) {
        jobs.push(
          negotiateMicroversion(cloud.client("block-storage"), wanted["block-storage"]).then((v) => {
            if (v) cloud.microversions.volume = v;
          }),
        );
      }
      await Promise.all(jobs);
    } catch (err) {
      session.close();
      throw err;
    }
    return cloud;
  }

  private client<S extends ServiceName>(service: S): ServiceClient<S> {
    let c = this.clients.get(service);
    if (!c) {
      try {
        c = new ServiceClient(this.session, service, { pageSize: this.pageSize });
      } catch (err) {
        c = err instanceof Error ? err : new Error(String(err));
      }
      this.clients.set(service, c);
    }
    if (c instanceof Error) throw c;
    return c as ServiceClient<S>;
  }

  /** The clouds.yaml name. */
  get name(): string {
    return this.session.cloud.name;
  }
  /** The region in use (null when the cloud has only one and none was named). */
  get region(): string | null {
    return this.session.cloud.regionName;
  }
  get projectId(): string {
    return this.session.token.projectId;
  }
  get projectName(): string | null {
    return this.session.token.projectName;
  }
  get authUrl(): string {
    return this.session.cloud.auth.authUrl;
  }
  get userId(): string {
    return this.session.token.userId;
  }
  /** Role names of the token (e.g. to tell an admin from a member). */
  get roles(): string[] {
    return this.session.token.roles;
  }

  /** Nova. */
  get compute(): ComputeClient {
    return this.client("compute");
  }
  /** Neutron. */
  get network(): NetworkClient {
    return this.client("network");
  }
  /** Cinder v3. */
  get blockStorage(): BlockStorageClient {
    return this.client("block-storage");
  }
  /** Glance v2. */
  get image(): ImageClient {
    return this.client("image");
  }

  /** Octavia (load-balancer v2); using it fails when the catalog has no load-balancer entry (check `has`). */
  get loadBalancer(): LoadBalancerClient {
    return this.client("load-balancer");
  }

  /** True when the catalog offers the service. */
  has(service: ServiceName): boolean {
    return this.session.has(service);
  }

  /** Closes keep-alive connections; the object must not be used afterwards. */
  close(): void {
    this.session.close();
  }
}
