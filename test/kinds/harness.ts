/**
 * Drives one kind's steps without the executor: an `ApplyContext` built by
 * hand over in-memory maps, with the same meaning as the executor's
 * (`makeApplyContext` in src/executor/run.ts) — an id map of finished steps,
 * crash-safe step data and temporaries that outlive a "process", a per-run
 * lookup cache, the source servers a step stopped, and waiter settings.
 *
 * This file is the only place the contract suite touches the kind interface
 * (`ResourceKind`, `ApplyContext`, the registry): when that interface changes,
 * the change here is a few lines and the suite stays as it is.
 *
 * Also here: what rollback does for one step, a picture of what a simulated
 * cloud holds (ids per table) and a way to clean up to an earlier picture,
 * and a way to make the "process" die right after its first create call on
 * the target, which is the one moment a crash test must hit.
 */
import type { ZodType } from "zod";
import { KINDS, KIND_BY_ID } from "../../src/kinds/index.js";
import type { ApplyContext, ApplyOutcome, ResourceKind, RunOptions, VerifyFinding } from "../../src/kinds/types.js";
import * as bs from "../../src/openstack/block-storage.js";
import * as compute from "../../src/openstack/compute.js";
import * as glance from "../../src/openstack/image.js";
import { deleteIgnoringMissing } from "../../src/openstack/missing.js";
import * as net from "../../src/openstack/network.js";
import * as lbapi from "../../src/openstack/load-balancer.js";
import type { OpenStackCloud } from "../../src/openstack/cloud.js";
import type { HttpRequest } from "../../src/openstack/http.js";
import type { KindId, Plan, Step } from "../../src/model/plan.js";
import type { SimStore } from "../../src/sim/index.js";

// ------------------------------------------------------------ the registry

/** A registered kind as the suite sees it. */
export interface KindEntry {
  id: KindId;
  /** Schemas the plan's params and options of this kind must satisfy (options only where the kind has one). */
  paramsSchema: ZodType;
  optionsSchema: ZodType | undefined;
}

/** Every registered kind, in registry order. */
export function registeredKinds(): KindEntry[] {
  return KINDS.map((k) => ({ id: k.kind, paramsSchema: k.paramsSchema, optionsSchema: k.optionsSchema }));
}

function kindOf(step: Step): ResourceKind {
  const k = KIND_BY_ID.get(step.kind);
  if (!k) throw new Error(`no registered kind "${step.kind}"`);
  return k;
}

// -------------------------------------------------------------- the driver

/** Every step `stepId` depends on, directly or not, in plan order (skips left out: they have nothing to apply). */
export function dependenciesOf(plan: Plan, stepId: string): string[] {
  const need = new Set<string>();
  const visit = (id: string) => {
    const s = plan.steps[id];
    if (!s) throw new Error(`the plan has no step ${id}`);
    for (const d of s.dependsOn) {
      if (need.has(d)) continue;
      need.add(d);
      visit(d);
    }
  };
  visit(stepId);
  return plan.waves.flat().filter((id) => need.has(id) && plan.steps[id]!.action !== "skip");
}

/** Poll interval of every wait: the simulator's delays are tens of milliseconds. */
const POLL_MS = 10;
const RUN_OPTIONS = (plan: Plan): RunOptions => ({ cutover: plan.options.cutover, pollMs: POLL_MS, waitTimeoutMs: 60_000 });

interface Temp {
  step: string;
  side: "source" | "target";
  kind: string;
  id: string;
  deleted: boolean;
}

/**
 * The state of one migration in memory, and the calls into a step's kind.
 * What the executor keeps in its state file (id map, step data, temps,
 * stopped source servers) lives here across `newRun()`; what lives in one
 * process (the lookup cache) does not.
 */
export class StepDriver {
  readonly ids = new Map<string, { targetId: string; extra: Record<string, unknown> }>();
  readonly warnings: { step: string; message: string }[] = [];
  readonly transfers: { step: string; label: string; bytes: number | null; status: "running" | "done" | "failed" }[] = [];
  private readonly stepData = new Map<string, string>();
  private readonly temps: Temp[] = [];
  /** Source server id → the step that stopped it (the executor's `stopped:<id>` meta rows). */
  private readonly stopped = new Map<string, string>();
  private memo = new Map<string, Promise<unknown>>();
  private readonly options: RunOptions;
  private readonly abort = new AbortController();

  constructor(
    readonly plan: Plan,
    readonly source: OpenStackCloud,
    readonly target: OpenStackCloud,
    readonly migration: string = plan.name,
  ) {
    this.options = RUN_OPTIONS(plan);
  }

  /** A new run, as after a restart: the per-run lookup cache is gone, everything the state file holds stays. */
  newRun(): void {
    this.memo = new Map();
  }

  step(stepId: string): Step {
    const s = this.plan.steps[stepId];
    if (!s) throw new Error(`the plan has no step ${stepId}`);
    return s;
  }

  /** The context a kind gets for a step; built fresh for every call, as the executor does. */
  context(stepId: string): ApplyContext {
    const step = this.step(stepId);
    const signal = this.abort.signal;
    const idOf = (ref: string | { $step: string }): string => {
      const id = typeof ref === "string" ? ref : ref.$step;
      const m = this.ids.get(id);
      if (!m) throw new Error(`${stepId}: step ${id} has no target resource yet`);
      return m.targetId;
    };
    const memo = this.memo;
    return {
      migration: this.migration,
      stepId,
      step,
      params: step.params,
      stepOptions: step.options,
      source: this.source,
      target: this.target,
      options: this.options,
      signal,
      targetIdOf: idOf,
      extraOf: (id) => structuredClone(this.ids.get(id)?.extra ?? {}),
      recordTemp: (side, kind, id) => {
        const t: Temp = { step: stepId, side, kind, id, deleted: false };
        this.temps.push(t);
        return () => {
          t.deleted = true;
        };
      },
      pendingTemps: () =>
        this.temps
          .filter((t) => t.step === stepId && !t.deleted)
          .map((t) => ({ side: t.side, kind: t.kind, id: t.id, done: () => void (t.deleted = true) })),
      // Why JSON: the executor keeps step data as JSON, so a kind never gets back the object it wrote.
      data: () => JSON.parse(this.stepData.get(stepId) ?? "{}") as Record<string, unknown>,
      setData: (patch) => {
        const now = JSON.parse(this.stepData.get(stepId) ?? "{}") as Record<string, unknown>;
        this.stepData.set(stepId, JSON.stringify({ ...now, ...patch }));
      },
      transfer: (label, bytesTotal) => {
        const row = { step: stepId, label, bytes: bytesTotal, status: "running" as "running" | "done" | "failed" };
        this.transfers.push(row);
        return {
          progress: () => {},
          done: (r) => {
            row.status = "done";
            row.bytes = r.bytes;
          },
          failed: () => {
            row.status = "failed";
          },
        };
      },
      warn: (message) => void this.warnings.push({ step: stepId, message }),
      memo: <T>(key: string, fn: () => Promise<T>): Promise<T> => {
        let v = memo.get(key);
        if (!v) {
          v = fn().catch((err: unknown) => {
            memo.delete(key);
            throw err;
          });
          memo.set(key, v);
        }
        return v as Promise<T>;
      },
      sourceStopped: {
        mark: (id) => void this.stopped.set(id, stepId),
        has: (id) => this.stopped.has(id),
        clear: (id) => void this.stopped.delete(id),
      },
      wait: { minDelay: POLL_MS, maxDelay: POLL_MS * 20, timeoutMs: this.options.waitTimeoutMs, signal },
    };
  }

  /** One call of the step's apply(); the outcome is not recorded (see `record`). */
  apply(stepId: string): Promise<ApplyOutcome> {
    return kindOf(this.step(stepId)).apply(this.context(stepId));
  }

  /** Records an outcome as the executor does once apply() returned. */
  record(stepId: string, out: ApplyOutcome): void {
    this.ids.set(stepId, { targetId: out.targetId, extra: structuredClone(out.extra ?? {}) });
  }

  /** Applies a step and records its outcome. */
  async applyAndRecord(stepId: string): Promise<ApplyOutcome> {
    const out = await this.apply(stepId);
    this.record(stepId, out);
    return out;
  }

  /** Every step `stepId` depends on, in plan order (see `dependenciesOf`). */
  dependenciesOf(stepId: string): string[] {
    return dependenciesOf(this.plan, stepId);
  }

  /** Applies (and records) the step's dependencies in plan order; returns their ids. */
  async applyDependencies(stepId: string): Promise<string[]> {
    const deps = this.dependenciesOf(stepId);
    for (const d of deps) {
      try {
        await this.applyAndRecord(d);
      } catch (err) {
        throw new Error(`dependency ${d} of ${stepId} could not be applied: ${(err as Error).message}`, { cause: err });
      }
    }
    return deps;
  }

  find(stepId: string): Promise<string | null> {
    return kindOf(this.step(stepId)).find(this.context(stepId));
  }

  verify(stepId: string, targetId: string, deep = false): Promise<VerifyFinding[]> {
    return kindOf(this.step(stepId)).verify(this.context(stepId), targetId, { deep });
  }

  remove(stepId: string, targetId: string): Promise<void> {
    return kindOf(this.step(stepId)).remove(this.context(stepId), targetId);
  }

  /**
   * What rollback does for one step (src/executor/rollback.ts): the recorded
   * target id, or else what find() finds, is removed; the temporaries the
   * step recorded are deleted on their cloud; the step starts afresh.
   * Returns the id that was removed, if any.
   */
  async rollbackStep(stepId: string): Promise<string | null> {
    const targetId = this.ids.get(stepId)?.targetId ?? (await this.find(stepId));
    if (targetId) await this.remove(stepId, targetId);
    for (const t of this.liveTemps(stepId)) {
      const cloud = t.side === "source" ? this.source : this.target;
      if (t.kind === "image") await deleteIgnoringMissing(glance.deleteImage(cloud.image, t.id));
      else if (t.kind === "volume") await deleteIgnoringMissing(bs.deleteVolume(cloud.blockStorage, t.id));
      else if (t.kind === "snapshot") await deleteIgnoringMissing(bs.deleteSnapshot(cloud.blockStorage, t.id));
      else throw new Error(`${stepId} recorded a temporary ${t.kind} that rollback cannot delete`);
      t.deleted = true;
    }
    this.ids.delete(stepId);
    this.stepData.delete(stepId);
    return targetId;
  }

  /** Temporaries a step recorded and has not marked deleted. */
  liveTemps(stepId: string): Temp[] {
    return this.temps.filter((t) => t.step === stepId && !t.deleted);
  }

  /** Starts the source servers steps stopped, as the executor does at the end of a run. */
  async restartStoppedSources(): Promise<string[]> {
    const started: string[] = [];
    for (const id of [...this.stopped.keys()]) {
      if (await compute.startServerIfStopped(this.source.compute, id, { minDelay: POLL_MS, maxDelay: POLL_MS * 20, timeoutMs: 60_000 })) started.push(id);
      this.stopped.delete(id);
    }
    return started;
  }
}

// ------------------------------------------------- what the target holds

/** The simulator tables that hold a tenant's resources. */
const TABLES = [
  "keypairs",
  "serverGroups",
  "servers",
  "networks",
  "subnets",
  "ports",
  "routers",
  "securityGroups",
  "securityGroupRules",
  "floatingIps",
  "volumes",
  "snapshots",
  "images",
  ...(["loadBalancers", "lbListeners", "lbPools", "lbMembers", "lbHealthMonitors", "lbL7Policies", "lbL7Rules"] as const),
] as const;
export type TargetTable = (typeof TABLES)[number];

/** Octavia's tables live under `store.octavia`. */
const OCTAVIA_TABLES = {
  loadBalancers: "loadBalancers", lbListeners: "listeners", lbPools: "pools", lbMembers: "members",
  lbHealthMonitors: "healthMonitors", lbL7Policies: "l7policies", lbL7Rules: "l7rules",
} as const;

/** A table of the simulator by its name here. */
export function tableOf(store: SimStore, t: TargetTable): { has(id: string): boolean; get(id: string): unknown; keys(): Iterable<string> } {
  return t in OCTAVIA_TABLES ? store.octavia[OCTAVIA_TABLES[t as keyof typeof OCTAVIA_TABLES]] : store[t as Exclude<TargetTable, keyof typeof OCTAVIA_TABLES>];
}

/** Ids per table of a simulated cloud. */
export type Picture = Record<TargetTable, Set<string>>;

export function picture(store: SimStore): Picture {
  const out = {} as Picture;
  for (const t of TABLES) out[t] = new Set(tableOf(store, t).keys());
  return out;
}

/** What `after` holds that `before` did not, per table (tables without additions left out). */
export function addedSince(before: Picture, after: Picture): Partial<Record<TargetTable, string[]>> {
  const out: Partial<Record<TargetTable, string[]>> = {};
  for (const t of TABLES) {
    const added = [...after[t]].filter((id) => !before[t].has(id)).sort();
    if (added.length) out[t] = added;
  }
  return out;
}

/** What `before` held that `after` does not, per table. */
export function removedSince(before: Picture, after: Picture): Partial<Record<TargetTable, string[]>> {
  return addedSince(after, before);
}

/**
 * Deletes what a cloud holds beyond `before`, through the API, newest kinds of
 * dependants first. For tests that must go on from a clean cloud after a
 * phase that left something behind (which that phase has reported already).
 */
export async function scrub(cloud: OpenStackCloud, store: SimStore, before: Picture): Promise<void> {
  const left = addedSince(before, picture(store));
  const n = cloud.network;
  const del: Record<TargetTable, (id: string) => Promise<unknown>> = {
    servers: async (id) => {
      await deleteIgnoringMissing(compute.deleteServer(cloud.compute, id));
      await compute.waitForServerDeleted(cloud.compute, id, { minDelay: POLL_MS, maxDelay: POLL_MS * 20, timeoutMs: 60_000 });
    },
    floatingIps: (id) => deleteIgnoringMissing(net.deleteFloatingIp(n, id)),
    routers: async (id) => {
      for (const p of await net.listPorts(n, { device_id: id })) await deleteIgnoringMissing(net.removeRouterInterface(n, id, { port_id: p.id }));
      await deleteIgnoringMissing(net.deleteRouter(n, id));
    },
    ports: (id) => deleteIgnoringMissing(net.deletePort(n, id)),
    securityGroupRules: (id) => deleteIgnoringMissing(net.deleteSecurityGroupRule(n, id)),
    securityGroups: (id) => deleteIgnoringMissing(net.deleteSecurityGroup(n, id)),
    subnets: (id) => deleteIgnoringMissing(net.deleteSubnet(n, id)),
    networks: (id) => deleteIgnoringMissing(net.deleteNetwork(n, id)),
    snapshots: (id) => deleteIgnoringMissing(bs.deleteSnapshot(cloud.blockStorage, id)),
    volumes: (id) => deleteIgnoringMissing(bs.deleteVolume(cloud.blockStorage, id)),
    images: (id) => deleteIgnoringMissing(glance.deleteImage(cloud.image, id)),
    keypairs: (id) => deleteIgnoringMissing(compute.deleteKeypair(cloud.compute, id)),
    serverGroups: (id) => deleteIgnoringMissing(compute.deleteServerGroup(cloud.compute, id)),
    loadBalancers: async (id) => {
      const c = cloud.loadBalancer;
      const wait = { minDelay: POLL_MS, maxDelay: POLL_MS * 20, timeoutMs: 60_000 };
      await lbapi.retryWhileImmutable(c, id, () => deleteIgnoringMissing(lbapi.deleteLoadBalancer(c, id, { cascade: true })), wait);
      await lbapi.waitForLoadBalancerGone(c, id, wait);
    },
    // Children go with their load balancer (cascade) or with it being scrubbed; one left under an older load balancer is deleted alone.
    lbListeners: (id) => lbChild(cloud, store, "listeners", id, () => lbapi.deleteListener(cloud.loadBalancer, id)),
    lbPools: (id) => lbChild(cloud, store, "pools", id, () => lbapi.deletePool(cloud.loadBalancer, id)),
    lbMembers: async () => {},
    lbHealthMonitors: (id) => lbChild(cloud, store, "healthMonitors", id, () => lbapi.deleteHealthMonitor(cloud.loadBalancer, id)),
    lbL7Policies: (id) => lbChild(cloud, store, "l7policies", id, () => lbapi.deleteL7Policy(cloud.loadBalancer, id)),
    lbL7Rules: async () => {},
  };
  // Why this order: a resource goes before what it uses (servers before ports and volumes, routers before subnets).
  const order: TargetTable[] = ["lbL7Policies", "lbListeners", "lbHealthMonitors", "lbPools", "loadBalancers", "servers", "floatingIps", "routers", "ports", "securityGroupRules", "securityGroups", "subnets", "networks", "snapshots", "volumes", "images", "keypairs", "serverGroups"];
  for (const t of order) for (const id of left[t] ?? []) if (tableOf(store, t).has(id)) await del[t](id);
}

/** Deletes one Octavia child and waits until its load balancer is ACTIVE again. */
async function lbChild(cloud: OpenStackCloud, store: SimStore, table: "listeners" | "pools" | "healthMonitors" | "l7policies", id: string, del: () => Promise<void>): Promise<void> {
  const lbId = store.octavia[table].get(id)?.loadbalancer_id;
  if (!lbId) return;
  const wait = { minDelay: POLL_MS, maxDelay: POLL_MS * 20, timeoutMs: 60_000 };
  await lbapi.retryWhileImmutable(cloud.loadBalancer, lbId, () => deleteIgnoringMissing(del()), wait);
  await lbapi.waitForLoadBalancer(cloud.loadBalancer, lbId, wait);
}

// ------------------------------------------------------------ the crash

/** The error the "dead" process's calls fail with. */
export class SimulatedCrash extends Error {
  constructor(what: string) {
    super(`simulated crash: the process died after ${what}`);
  }
}

/** Calls that make something on the target (not actions, not authentication). */
function isCreate(req: HttpRequest): boolean {
  return req.method === "POST" && !/\/action$|\/auth\/tokens$/.test(new URL(req.url).pathname);
}

/**
 * Makes the target's HTTP client behave as if the process died right after
 * its first create call returned: that call takes effect on the cloud, every
 * later call fails, so nothing after it (tagging, state writes, the outcome)
 * happens. `revive()` restores the client for the next "process".
 */
export function dieAfterFirstCreate(cloud: OpenStackCloud): { died: () => string | null; revive: () => void } {
  const http = cloud.session.http;
  const original = http.request;
  let diedAfter: string | null = null;
  http.request = async function patched<T>(this: typeof http, req: HttpRequest) {
    if (diedAfter) throw new SimulatedCrash(diedAfter);
    const res = await original.call(http, req);
    if (isCreate(req) && res.status < 300) diedAfter = `${req.method} ${new URL(req.url).pathname}`;
    return res as never as Awaited<ReturnType<typeof original<T>>>;
  } as typeof http.request;
  return {
    died: () => diedAfter,
    revive: () => {
      Reflect.deleteProperty(http, "request");
    },
  };
}
