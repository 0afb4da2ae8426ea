/**
 * The shape every resource kind has. A kind module holds every decision about
 * its kind: how it is planned from the inventory (pure), how it is created or
 * adopted on the target (idempotent, marker-based), how the target is checked
 * against the plan, and how a created resource is removed again (rollback).
 * The executor knows nothing kind-specific.
 */
import type { z } from "zod";
import type { Inventory, QuotaKey } from "../model/inventory.js";
import type { MappingFile } from "../mapping/mapping-file.js";
import type { KindId, PlanFinding, SkipReason, Step, Action } from "../model/plan.js";
import type { OpenStackCloud } from "../openstack/cloud.js";

/** A step as a kind plans it (the plan builder adds waves, integrity and ordering). */
export interface PlannedStep<P = Record<string, unknown>, O = Record<string, unknown>> {
  id: string;
  kind: KindId;
  action: Action;
  reason?: SkipReason;
  note?: string;
  dependsOn: string[];
  params: P;
  options: O;
  source: { id: string; name?: string; digest: string; facts?: Record<string, unknown> };
  bytes?: number;
}

/** Options of the whole plan that kinds read. */
export interface PlanOptions {
  cutover: "cold" | "live";
  throughputMBps: number;
}

/** Lookup from (inventory collection, source id) to step id. */
export interface StepIndex {
  of(collection: InventoryCollection, sourceId: string): string | undefined;
  /** Like `of`, but throws for an unknown id (a bug in planning). */
  must(collection: InventoryCollection, sourceId: string): string;
}

/** What a kind's plan() may read and record. Everything here is pure data. */
export interface PlanContext {
  source: Inventory;
  target: Inventory;
  mapping: MappingFile;
  options: PlanOptions;
  ids: StepIndex;
  /** Records a finding for plan.txt and pre-flight (errors block apply). */
  finding(f: PlanFinding): void;
  /** Records a mapping decision shown in the plan's `mappings` section. */
  mapped(section: "flavors" | "images" | "volumeTypes" | "availabilityZones", from: string, to: string): void;
  /** The target's external network chosen for routers and floating IPs (null when none). */
  externalNetwork: string | null;
}

/**
 * The result of applying a step. "created": this migration made the resource
 * (also when an interrupted attempt made it and this one found it by its
 * marker); rollback removes it. "adopted": it existed before and is only used.
 */
export interface ApplyOutcome {
  outcome: "created" | "adopted" | "unchanged";
  targetId: string;
  warnings?: string[];
  /** Extra facts kept in the id map (e.g. a floating IP's new address). */
  extra?: Record<string, unknown>;
}

/** Progress of a data transfer, for progress bars and the state file. */
export interface TransferProgress {
  label: string;
  bytesDone: number;
  bytesTotal: number | null;
}

/** Run-wide options the executor passes to kinds. */
export interface RunOptions {
  cutover: "cold" | "live";
  /** Poll interval floor for waiters (tests against the simulator use small values). */
  pollMs: number;
  /** Upper bound for any single wait (server build, volume copy, …). */
  waitTimeoutMs: number;
}

/** A plan step whose params and options have the kind's own types. */
export type TypedStep<P, O> = Omit<Step, "params" | "options"> & { params: P; options: O };

/** What a kind's apply(), verify() and remove() get. */
export interface ApplyContext<P = Record<string, unknown>, O = Record<string, unknown>> {
  migration: string;
  stepId: string;
  step: Step;
  /** The step's params, as the kind's params schema describes them (checked when the plan was read). */
  params: P;
  /** The step's options, as the kind's options schema describes them. */
  stepOptions: O;
  source: OpenStackCloud;
  target: OpenStackCloud;
  options: RunOptions;
  signal: AbortSignal;
  /** The target id of a finished step (throws when the step has none). */
  targetIdOf(ref: string | { $step: string }): string;
  /** Extra facts recorded with a finished step's id map entry. */
  extraOf(stepId: string): Record<string, unknown>;
  /** Records a temporary resource before relying on it; returns a function that marks it deleted. */
  recordTemp(side: "source" | "target", kind: string, id: string): () => void;
  /** Temporary resources this step recorded earlier and has not deleted (after a crash). */
  pendingTemps(): { side: "source" | "target"; kind: string; id: string; done: () => void }[];
  /** Crash-safe scratch data of this step. */
  data(): Record<string, unknown>;
  setData(patch: Record<string, unknown>): void;
  /** Starts tracking a byte transfer; the returned handle reports progress and the final checksums. */
  transfer(label: string, bytesTotal: number | null): TransferHandle;
  warn(message: string): void;
  /** A per-run cache for target lookups many steps share (flavors, external network, images by name). */
  memo<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Source servers this migration stopped (cold cutover), so they are started again afterwards. */
  sourceStopped: { mark(serverId: string): void; has(serverId: string): boolean; clear(serverId: string): void };
  /** Waiter settings for this run. */
  wait: { minDelay: number; maxDelay: number; timeoutMs: number; signal: AbortSignal };
}

export type { TransferHandle } from "../movers/image-stream.js";
import type { TransferHandle } from "../movers/image-stream.js";

/** A difference between the target and what the plan asked for. */
export interface VerifyFinding {
  step: string;
  severity: "mismatch" | "missing" | "warning";
  field: string;
  expected?: unknown;
  actual?: unknown;
  message: string;
}

export interface VerifyOptions {
  deep: boolean;
}

/** A public address that changes with the migration: old on the source, new on the target. */
export interface AddressChange {
  oldAddress: string | null;
  newAddress: string | null;
  /** The private address it points at, where it points at one. */
  fixedIp: string | null;
  /** The step of what it points at (a port), where that is a step. */
  target: string | null;
}

/** What a kind's quota needs add up to, per quota key. */
export type QuotaNeeds = Partial<Record<QuotaKey, number>>;

/** The inventory collections (everything of an inventory but its meta). */
export type InventoryCollection = Exclude<keyof Inventory, "meta">;

/** What a collector gets: the connected cloud and shared, memoised list calls. */
export interface CollectContext {
  readonly cloud: OpenStackCloud;
  /** One call shared by every collector that needs it (ports for servers and routers); started once. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** A call a cloud may forbid or lack (403, 404, 501): yields the fallback, with a debug line. */
  optional<T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T>;
}

/** How one inventory collection is listed and normalised into the model. */
export interface Collector<C extends InventoryCollection = InventoryCollection> {
  readonly name: C;
  /** Keep the API's order (by default items are sorted by id, so two inventories of one project are identical). */
  readonly keepOrder?: boolean;
  collect(cx: CollectContext): Promise<Inventory[C]>;
}

/** Labels of step ids (`network/<label>`) for one inventory's resources; "" means "use the short source id". */
export type StepLabels = (inv: Inventory) => (resource: any) => string;

/** A source resource that, if new since the plan, would be left behind (drift). Ownership fields are checked by the caller. */
export interface DriftCandidate {
  id: string;
  name: string;
  project_id?: string | null;
  owner?: string | null;
}

/** What a kind offers the executor around a run (kind-specific work the executor must not know). */
export interface RunHooks {
  /** After every run: undo what a cutover left (e.g. start source servers a cold cutover stopped). Returns names of what it restored. */
  afterRun?(ctx: RunHookContext): Promise<string[]>;
  /** Deletes one temporary resource of this kind's temp kinds (snapshots, volumes, images a copy made). */
  removeTemp?(cloud: OpenStackCloud, tempKind: string, id: string): Promise<boolean>;
}

/** What run hooks get. */
export interface RunHookContext {
  source: OpenStackCloud;
  target: OpenStackCloud;
  options: RunOptions;
  /** Source servers this migration stopped and nothing has started again yet (a failed step, an interrupted run). */
  sourceStopped: { list(): string[]; clear(serverId: string): void };
  warn(message: string): void;
}

/**
 * One resource kind: everything about it in one place. P and O are the types
 * of its steps' params and options (their zod schemas are part of the kind),
 * so kind code reads `ctx.params` without casts.
 */
export interface ResourceKind<P = any, O = any> extends RunHooks {
  /** The kind id: stable, in plan files, the state and logs. Never rename. */
  readonly kind: KindId;
  /** The inventory collection its source resources come from (several kinds may share one). */
  readonly collection: Collector;
  /** Step-id labels for its collection's resources (read from the first kind of a collection); default: the name. */
  readonly stepLabels?: StepLabels;
  /** Seconds one step takes on a typical cloud besides data (create + wait), for the plan's estimate; default 3. */
  readonly apiSeconds?: number;
  /** Colour of its steps in the report's graph and timeline. */
  readonly color: string;
  /** Which executor lane runs its steps: cheap API calls, or long data copies. */
  lane(step: Step): "api" | "copy";
  /** zod schema of `params` (validate checks hand edits against it). */
  readonly paramsSchema: z.ZodType<P>;
  /** zod schema of `options`, where the kind has options. */
  readonly optionsSchema?: z.ZodType<O>;
  /** Pure: the steps for this kind's source resources (their params follow paramsSchema; skips have none). */
  plan(ctx: PlanContext): PlannedStep[];
  /** One line for plan.txt and the report: what the (non-skip) step does. */
  describe(step: TypedStep<P, O>): string;
  /** What a create/adopt step consumes of the target's quotas. */
  quotaNeeds?(step: TypedStep<P, O>, target: Inventory): QuotaNeeds;
  /**
   * The public address a step's resource had and has now (floating IPs; load
   * balancer VIPs), for the report's old → new table that DNS changes follow.
   * `extra` is what apply recorded with the target id.
   */
  addressChange?(step: TypedStep<P, O>, extra: Record<string, unknown>): AddressChange;
  /** Whether the step needs the target's external network (routers with a gateway, floating IPs). */
  needsExternalNetwork?(step: TypedStep<P, O>): boolean;
  /** Source resources of this kind that are owned by the project and would be migrated, for drift (new ones are drift). */
  driftCandidates?(inv: Inventory): DriftCandidate[];
  /**
   * How a source resource changed since the plan, for the fields a structural
   * diff would describe unreadably (list items named by position, such as
   * security-group rules): readable lines, and the fields they cover (left out
   * of the generic diff). Drift uses a structural diff for everything else.
   */
  describeChange?(before: any, after: any): { lines: string[]; fields: string[] };
  /** Finds this step's resource on the target by its marker (or name and content where the API has no markers). */
  find(ctx: ApplyContext<P, O>): Promise<string | null>;
  /** Idempotent: find by marker and adopt, or create. Safe to call again after a crash. */
  apply(ctx: ApplyContext<P, O>): Promise<ApplyOutcome>;
  /** Read-only: does the target match the plan? */
  verify(ctx: ApplyContext<P, O>, targetId: string, opts: VerifyOptions): Promise<VerifyFinding[]>;
  /** After a step failed for good: removes its temporary resources (snapshots, images) so a failed run leaves no garbage. */
  cleanup?(ctx: ApplyContext<P, O>): Promise<void>;
  /** Deletes what this step created on the target (rollback); absent resources are fine. */
  remove(ctx: ApplyContext<P, O>, targetId: string): Promise<void>;
}

/** Declares a kind with its params and options types (`defineKind<NetworkParams>({...})`). */
export function defineKind<P, O = Record<string, never>>(k: ResourceKind<P, O>): ResourceKind<P, O> {
  return k;
}
