/**
 * What every seeding step shares: the cloud (and optional admin identity),
 * the waiting policy, progress lines, the result being filled, and how a
 * resource is recognised again on a re-run.
 *
 * Same-named resources: when two resources of one kind share a name, each is
 * marked with its spec key (Neutron tag `seed-key:<key>`, volume and server
 * metadata / image property `seed_key`), and a re-run finds it by that mark
 * instead of by name. Resources with a unique name carry no mark, so specs
 * without twins seed exactly as before.
 */
import type { OpenStackCloud } from "../openstack/cloud.js";
import { keyOf, type TenantSpec } from "./spec.js";

export interface SeedOptions {
  /** First poll delay of waiters (the simulator answers in milliseconds, real clouds in seconds). */
  pollMs?: number;
  timeoutMs?: number;
  onProgress?: (line: string) => void;
  /** The provider's admin identity, for what a member may not do (private flavors, quotas). */
  admin?: OpenStackCloud;
}

/** Ids of what seed made or found, by spec key (the name unless the spec gives a `key`). */
export interface SeedResult {
  networks: Record<string, string>;
  subnets: Record<string, string>;
  routers: Record<string, string>;
  securityGroups: Record<string, string>;
  ports: Record<string, string>;
  keypairs: string[];
  flavors: Record<string, string>;
  serverGroups: Record<string, string>;
  images: Record<string, string>;
  volumes: Record<string, string>;
  servers: Record<string, string>;
  floatingIps: Record<string, string>;
  created: number;
  reused: number;
  /** What was left out, with why (e.g. no admin identity for a private flavor). */
  skipped: string[];
}

export type Wait = { minDelay: number; maxDelay: number; timeoutMs: number };

/** The state one seeding run threads through its steps. */
export interface SeedCtx {
  cloud: OpenStackCloud;
  admin: OpenStackCloud | undefined;
  spec: TenantSpec;
  pid: string;
  wait: Wait;
  r: SeedResult;
  made(what: string): void;
  reused(what: string): void;
  skip(what: string): void;
}

/** Builds the context of one run. */
export function seedContext(cloud: OpenStackCloud, spec: TenantSpec, opts: SeedOptions, say: (l: string) => void): SeedCtx {
  const wait = { minDelay: opts.pollMs ?? 1000, maxDelay: Math.max(opts.pollMs ?? 1000, 5000), timeoutMs: opts.timeoutMs ?? 15 * 60_000 };
  const r: SeedResult = {
    networks: {}, subnets: {}, routers: {}, securityGroups: {}, ports: {}, keypairs: [], flavors: {}, serverGroups: {},
    images: {}, volumes: {}, servers: {}, floatingIps: {}, created: 0, reused: 0, skipped: [],
  };
  return {
    cloud, admin: opts.admin, spec, pid: cloud.projectId, wait, r,
    made: (what) => {
      r.created++;
      say(`Created ${what}`);
    },
    reused: (what) => {
      r.reused++;
      say(`Reused ${what}`);
    },
    skip: (what) => {
      r.skipped.push(what);
      say(`Skipped ${what}`);
    },
  };
}

/** Names used by more than one resource of a kind (those resources get a key mark). */
export function twinNames(list: ReadonlyArray<{ name: string }>): Set<string> {
  const seen = new Set<string>();
  const twins = new Set<string>();
  for (const x of list) (seen.has(x.name) ? twins : seen).add(x.name);
  return twins;
}

/** The Neutron tag marking a twin with its spec key. */
export function keyTag(key: string): string {
  return `seed-key:${key}`;
}

/** The metadata/property key marking a twin (volumes, servers, images). */
export const KEY_PROPERTY = "seed_key";

/** Whether `have` is what spec resource `s` describes: same name, and the same key mark for twins. */
export function matches(s: { key?: string | undefined; name: string }, twins: Set<string>, have: { name: string }, mark: string | undefined): boolean {
  return have.name === s.name && (!twins.has(s.name) || mark === keyOf(s));
}
