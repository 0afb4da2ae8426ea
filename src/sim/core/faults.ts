/**
 * Fault injection: latency, server errors, connection resets and truncated
 * image downloads, driven by a seeded PRNG so that a test gets the same fault
 * sequence on every run.
 *
 * Quirks: the draws happen in a fixed order per request (reset, then error,
 * then the 500/503 choice), and only when the matching rate is non-zero, so
 * switching one fault on does not shift the sequence of another. The control
 * endpoints (`/_sim/*`) never reach this module.
 */
import type { SimFaults } from "../types.js";

/** mulberry32: a tiny, fast, seedable 32-bit PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fault decision for one API request. */
export type RequestFault = { kind: "none" } | { kind: "reset" } | { kind: "error"; status: 500 | 503 };

/** Holds the current faults and draws decisions from the seeded sequence. */
export class FaultInjector {
  private faults: SimFaults = {};
  private rand: () => number = mulberry32(Date.now());
  private failBuild = new Set<string>();
  private failLb = new Set<string>();

  /** Replaces the fault set; reseeds the PRNG (random seed when none is given). */
  set(f: SimFaults): void {
    this.faults = { ...f };
    this.failBuild = new Set(f.failServerBuild ?? []);
    this.failLb = new Set(f.failLoadBalancerCreate ?? []);
    this.rand = mulberry32(f.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /** The current fault set (for /_sim/state). */
  get(): SimFaults {
    return { ...this.faults };
  }

  /** Milliseconds of latency to add to each request. */
  latency(): number {
    return this.faults.latencyMs ?? 0;
  }

  /** Decides whether this request is reset, failed, or served. */
  drawRequest(): RequestFault {
    const { resetRate = 0, errorRate = 0 } = this.faults;
    if (resetRate > 0 && this.rand() < resetRate) return { kind: "reset" };
    if (errorRate > 0 && this.rand() < errorRate) return { kind: "error", status: this.rand() < 0.5 ? 500 : 503 };
    return { kind: "none" };
  }

  /** For an image download of `size` bytes: the byte count after which to cut, or undefined. */
  drawTruncate(size: number): number | undefined {
    const { truncateRate = 0 } = this.faults;
    if (truncateRate <= 0 || size <= 0 || !(this.rand() < truncateRate)) return undefined;
    return Math.floor(this.rand() * size);
  }

  /** True when a server with this name must fail to build. */
  failsBuild(name: string): boolean {
    return this.failBuild.has(name);
  }

  /** True when a load balancer with this name must end its creation in ERROR. */
  failsLoadBalancer(name: string): boolean {
    return this.failLb.has(name);
  }
}
