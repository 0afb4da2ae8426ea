/**
 * The shape every resource kind has. A kind module holds every decision about
 * its kind: how it is planned from the inventory (pure), how it is created or
 * adopted on the target (idempotent, marker-based), how the target is checked
 * against the plan, and how a created resource is removed again (rollback).
 * The executor knows nothing kind-specific.
 */
import type { z } from "zod";
import type { Inventory } from "../model/inventory.js";
import type { MappingFile } from "../mapping/mapping-file.js";
import type { KindId, PlanFinding, SkipReason, Step, Action } from "../model/plan.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import type { StepIndex } from "../plan/step-ids.js";

/** A step as a kind plans it (the plan builder adds waves, integrity and ordering). */
export interface PlannedStep {
  id: string;
  kind: KindId;
  action: Action;
  reason?: SkipReason;
  note?: string;
  dependsOn: string[];
  params: Record<string, unknown>;
  options: Record<string, unknown>;
  source: { id: string; name?: string; digest: string; facts?: Record<string, unknown> };
  bytes?: number;
}

/** Options of the whole plan that kinds read. */
export interface PlanOptions {
  cutover: "cold" | "live";
  throughputMBps: number;
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

/** What a kind's apply(), verify() and remove() get. */
export interface ApplyContext {
  migration: string;
  stepId: string;
  step: Step;
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

/** One resource kind. */
export interface ResourceKind {
  readonly kind: KindId;
  /** Which executor lane runs its steps: cheap API calls, or long data copies. */
  lane(step: Step): "api" | "copy";
  /** zod schema of `params` (validate checks hand edits against it). */
  readonly paramsSchema: z.ZodType;
  /** zod schema of `options`, where the kind has options. */
  readonly optionsSchema?: z.ZodType;
  /** Pure: the steps for this kind's source resources. */
  plan(ctx: PlanContext): PlannedStep[];
  /** Finds this step's resource on the target by its marker (or name and content where the API has no markers). */
  find(ctx: ApplyContext): Promise<string | null>;
  /** Idempotent: find by marker and adopt, or create. Safe to call again after a crash. */
  apply(ctx: ApplyContext): Promise<ApplyOutcome>;
  /** Read-only: does the target match the plan? */
  verify(ctx: ApplyContext, targetId: string, opts: VerifyOptions): Promise<VerifyFinding[]>;
  /** After a step failed for good: removes its temporary resources (snapshots, images) so a failed run leaves no garbage. */
  cleanup?(ctx: ApplyContext): Promise<void>;
  /** Deletes what this step created on the target (rollback); absent resources are fine. */
  remove(ctx: ApplyContext, targetId: string): Promise<void>;
}
