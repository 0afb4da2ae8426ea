/**
 * The plan builder: a pure function of (source inventory, target inventory,
 * mapping file, options, clock) → Plan. Each kind plans its own resources; the
 * builder adds the target choices shared by kinds (external network), the
 * pre-flight quota checks, the estimate, the waves and the integrity digest.
 * Re-running it on the same inventories gives byte-identical steps.
 */
import type { Inventory } from "../model/inventory.js";
import { unmatchedMappingEntries } from "./unmatched-mapping.js";
import { KIND_BY_ID, KINDS } from "../kinds/index.js";
import type { PlanContext, PlannedStep, PlanOptions } from "../kinds/types.js";
import { digestOf } from "../util/digest.js";
import { computeWaves } from "./graph.js";
import { computeIntegrity, stepRefsIn } from "./io.js";
import { chooseExternalNetwork } from "../mapping/external-network.js";
import type { MappingFile } from "../mapping/mapping-file.js";
import { checkQuotas, quotaNeeds, quotaShortfall } from "./preflight.js";
import { FORMAT_VERSION, type Plan, type PlanFinding, type Step } from "../model/plan.js";
import { buildStepIndex } from "./step-ids.js";

export const DEFAULT_THROUGHPUT_MBPS = 100;
/** Seconds an API step takes on a typical cloud (create + wait), for the estimate. */
const SECONDS_PER_API_STEP = 3;
const API_CONCURRENCY_FOR_ESTIMATE = 8;

export interface BuildInput {
  name: string;
  source: Inventory;
  target: Inventory;
  mapping: MappingFile;
  options: Partial<PlanOptions>;
  now: () => Date;
  toolVersion: string;
}

/** The inventory digest a plan records for each side. */
export function inventoryDigest(inv: Inventory): string {
  // collectedAt changes every time; it is not part of what was found.
  return digestOf({ ...inv, meta: { ...inv.meta, collectedAt: undefined } });
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Builds a plan. Findings with severity "error" mean the plan cannot be applied as it is. */
export function buildPlan(input: BuildInput): Plan {
  const { source, target, mapping } = input;
  const options: PlanOptions = {
    cutover: input.options.cutover ?? "cold",
    throughputMBps: input.options.throughputMBps ?? mapping.throughputMBps ?? DEFAULT_THROUGHPUT_MBPS,
  };
  const findings: PlanFinding[] = [];
  const mappings: Plan["mappings"] = { flavors: {}, images: {}, volumeTypes: {}, availabilityZones: {}, externalNetwork: null };

  const ext = chooseExternalNetwork(target.networks, mapping.externalNetwork);
  if (ext.ok) mappings.externalNetwork = ext.network.name;

  const ctx: PlanContext = {
    source,
    target,
    mapping,
    options,
    ids: buildStepIndex(source),
    finding: (f) => findings.push(f),
    mapped: (section, from, to) => {
      mappings[section][from] = to;
    },
    externalNetwork: ext.ok ? ext.network.name : null,
  };

  const planned: PlannedStep[] = KINDS.flatMap((k) => k.plan(ctx));
  findings.push(...unmatchedMappingEntries(mapping, source, planned.map((s) => s.id)));
  const needsExternal = planned.some((s) => s.action !== "skip" && !!KIND_BY_ID.get(s.kind)?.needsExternalNetwork?.(s));
  if (!ext.ok && needsExternal) {
    findings.push({ severity: "error", code: "no_external_network", message: `${ext.reason} (candidates: ${ext.candidates.join(", ") || "none"})` });
  }

  // Why: a step that refers to a skipped one (a server whose volume or keypair is excluded) cannot be
  // applied, and the plan reader refuses such a plan; say so in plan.txt when the plan is made.
  const skipped = new Map(planned.filter((s) => s.action === "skip").map((s) => [s.id, s]));
  for (const s of planned) {
    if (s.action === "skip") continue;
    for (const ref of [...new Set(stepRefsIn(s.params))].sort()) {
      const sk = skipped.get(ref);
      if (!sk) continue;
      findings.push({
        severity: "error",
        code: "needs_skipped_step",
        step: s.id,
        message: `${s.id} needs ${ref}, which is skipped (${sk.note ?? sk.reason}); skip ${s.id} as well, or stop skipping ${ref}`,
      });
    }
  }

  const seen = new Set<string>();
  for (const s of planned) {
    if (seen.has(s.id)) findings.push({ severity: "error", code: "duplicate_step", step: s.id, message: `two source resources map to step ${s.id}` });
    seen.add(s.id);
  }

  const quotas = checkQuotas(quotaNeeds(planned, target), target);
  for (const q of quotas) {
    if (!q.ok) {
      findings.push({
        severity: "error",
        code: "quota_shortfall",
        message: quotaShortfall(q),
      });
    }
  }

  const steps: Record<string, Step> = {};
  for (const s of planned) {
    const { id, ...rest } = s;
    steps[id] = rest as Step;
  }
  const waves = computeWaves(planned.map((s) => ({ id: s.id, dependsOn: s.dependsOn })));
  const active = planned.filter((s) => s.action !== "skip");
  const bytes = active.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const apiSeconds = active.reduce((n, s) => n + (KIND_BY_ID.get(s.kind)?.apiSeconds ?? SECONDS_PER_API_STEP), 0);
  const seconds = bytes / (options.throughputMBps * 1e6) + apiSeconds / API_CONCURRENCY_FOR_ESTIMATE;

  findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.step ?? "").localeCompare(b.step ?? "") ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
  for (const section of ["flavors", "images", "volumeTypes", "availabilityZones"] as const) {
    mappings[section] = Object.fromEntries(Object.entries(mappings[section]).sort(([a], [b]) => a.localeCompare(b)));
  }

  const plan: Omit<Plan, "integrity"> = {
    formatVersion: FORMAT_VERSION,
    tool: { name: "scs-migrate", version: input.toolVersion },
    name: input.name,
    createdAt: input.now().toISOString(),
    source: cloudRef(source),
    target: cloudRef(target),
    options,
    mappings,
    preflight: { quotas, findings },
    estimate: { bytes, seconds: Math.round(seconds) },
    waves,
    steps,
  };
  return { ...plan, integrity: computeIntegrity(plan) };
}

function cloudRef(inv: Inventory): Plan["source"] {
  return {
    cloud: inv.meta.cloud,
    region: inv.meta.region,
    project_id: inv.meta.project_id,
    project_name: inv.meta.project_name,
    auth_url: inv.meta.auth_url,
    inventoryDigest: inventoryDigest(inv),
  };
}

/** Whether a plan has findings that block apply. */
export function blockingFindings(plan: Plan): PlanFinding[] {
  return plan.preflight.findings.filter((f) => f.severity === "error");
}
