/**
 * The plan file (plan.json): the reviewable contract between a person and the
 * executor. Each step has three sections, as in os-migrate: `params` (the
 * desired target resource, editable, compared for idempotence), `options` (how
 * to migrate, editable) and `source` (read-only facts; apply uses them only for
 * the staleness check). `integrity` is a digest over everything that is NOT
 * meant to be edited (ids, kinds, dependencies, waves, source facts, cloud
 * identities), so a hand edit of params/options is fine and any other change
 * is caught as tampering.
 */
import { z } from "zod";

/** Owned by this file, independent of the tool version. Bump on any incompatible change. */
export const FORMAT_VERSION = 1;

/**
 * A kind id (`server`, `security-group`, …): stable, it appears in plan files,
 * the state DB and logs. The set of ids is the kind registry's
 * (`src/kinds/index.ts`); the plan reader refuses ids it does not know.
 */
export const KindId = z.string().regex(/^[a-z][a-z0-9-]*$/);
export type KindId = string;

export const ACTIONS = ["create", "adopt", "skip"] as const;
export const Action = z.enum(ACTIONS).describe("create: make it on the target; adopt: use what exists there; skip: leave out (see reason)");
export type Action = z.infer<typeof Action>;

/** Why a step is skipped: a stable enum so tooling can filter. */
export const SKIP_REASONS = [
  "skip_standard_image_on_target",
  "skip_public_resource",
  "skip_managed_by_cloud",
  "skip_excluded_by_user",
  "skip_volume_snapshot_not_migrated",
  "skip_unsupported",
  "skip_image_not_active",
  "skip_volume_not_available",
  "skip_server_not_running",
  "skip_stateless_root_disk",
] as const;
export const SkipReason = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReason>;

/** A reference to another planned step, resolved through the id map at apply time. */
export const StepRef = z.object({ $step: z.string() }).strict();
export type StepRef = z.infer<typeof StepRef>;

/** A reference to something that already exists on the target, by name. */
export const NameRef = z.object({ name: z.string() }).strict();
export type NameRef = z.infer<typeof NameRef>;

export const StepSource = z
  .object({
    id: z.string().describe("the source resource id"),
    name: z.string().optional(),
    digest: z.string().describe("sha256 of the canonical source resource at planning time"),
    facts: z.record(z.string(), z.unknown()).optional().describe("informational: status, size, …"),
  })
  .strict();
export type StepSource = z.infer<typeof StepSource>;

export const Step = z
  .object({
    kind: KindId,
    action: Action,
    reason: SkipReason.optional().describe("why the step is skipped (action skip only)"),
    note: z.string().optional().describe("a human explanation shown in plan.txt"),
    dependsOn: z.array(z.string()),
    params: z.record(z.string(), z.unknown()).describe("the desired target resource, in the API's own field names; editable"),
    options: z.record(z.string(), z.unknown()).describe("how to migrate this step; editable"),
    source: StepSource,
    bytes: z.number().int().min(0).optional().describe("bytes this step copies"),
  })
  .strict();
export type Step = z.infer<typeof Step>;

export const CloudRef = z
  .object({
    cloud: z.string(),
    region: z.string().nullable(),
    project_id: z.string(),
    project_name: z.string().nullable(),
    auth_url: z.string(),
    inventoryDigest: z.string(),
  })
  .strict();
export type CloudRef = z.infer<typeof CloudRef>;

export const Finding = z
  .object({
    severity: z.enum(["error", "warning", "info"]),
    code: z.string(),
    step: z.string().optional(),
    message: z.string(),
  })
  .strict();
export type PlanFinding = z.infer<typeof Finding>;

export const QuotaCheck = z
  .object({
    resource: z.string(),
    needed: z.number().int(),
    in_use: z.number().int(),
    limit: z.number().int(),
    ok: z.boolean(),
  })
  .strict();
export type QuotaCheck = z.infer<typeof QuotaCheck>;

export const Plan = z
  .object({
    formatVersion: z.literal(FORMAT_VERSION),
    tool: z.object({ name: z.literal("scs-migrate"), version: z.string() }).strict(),
    name: z.string(),
    createdAt: z.string(),
    source: CloudRef,
    target: CloudRef,
    options: z
      .object({
        cutover: z.enum(["cold", "live"]).describe("cold: stop a server before copying its disks; live: snapshot while it runs"),
        throughputMBps: z.number().positive(),
      })
      .strict(),
    mappings: z
      .object({
        flavors: z.record(z.string(), z.string()),
        images: z.record(z.string(), z.string()),
        volumeTypes: z.record(z.string(), z.string()),
        availabilityZones: z.record(z.string(), z.string()),
        externalNetwork: z.string().nullable(),
      })
      .strict(),
    preflight: z
      .object({
        quotas: z.array(QuotaCheck),
        findings: z.array(Finding),
      })
      .strict(),
    estimate: z
      .object({
        bytes: z.number().int().min(0),
        seconds: z.number().min(0),
      })
      .strict(),
    waves: z.array(z.array(z.string())),
    steps: z.record(z.string(), Step),
    integrity: z.string().describe("sha256 over the parts of the plan that must not be edited"),
  })
  .strict();
export type Plan = z.infer<typeof Plan>;

/** The plan's mapping sections with the words plan.txt (`short`) and the report (`label`) use for them. */
export const MAPPING_SECTIONS = [
  { key: "flavors", label: "flavor", short: "flavor" },
  { key: "images", label: "image", short: "image" },
  { key: "volumeTypes", label: "volume type", short: "volume type" },
  { key: "availabilityZones", label: "availability zone", short: "zone" },
] as const;
