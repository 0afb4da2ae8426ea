/**
 * Reading and writing plan files. Writing is deterministic: keys in schema
 * order, steps sorted by id, two-space JSON, trailing newline, so two plans of
 * the same clouds differ only in `createdAt`. Reading checks the format
 * version first (with a message that says what to do), then the schema, then
 * the semantics, and reports every problem found, not just the first.
 */
import { readFileSync, writeFileSync, mkdirSync, renameSync, existsSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { localFileError, NotFoundError, PlanFileError } from "../errors.js";
import { digestOf } from "../util/digest.js";
import { checkGraph } from "./graph.js";
import { FORMAT_VERSION, Plan, type Step } from "../model/plan.js";

/** The file name of a plan inside its migration folder. */
export const PLAN_FILE = "plan.json";

/** Resolves a migration folder or a plan.json path to the plan file path. */
export function planPathOf(dirOrFile: string): string {
  if (existsSync(dirOrFile) && statSync(dirOrFile).isDirectory()) return join(dirOrFile, PLAN_FILE);
  return dirOrFile;
}

/** The digest over everything in a plan that must not be edited by hand. */
export function computeIntegrity(plan: Omit<Plan, "integrity"> | Plan): string {
  const steps: Record<string, unknown> = {};
  for (const id of Object.keys(plan.steps).sort()) {
    const s = plan.steps[id]!;
    steps[id] = { kind: s.kind, action: s.action, reason: s.reason, dependsOn: s.dependsOn, source: s.source, bytes: s.bytes };
  }
  return digestOf({
    formatVersion: plan.formatVersion,
    name: plan.name,
    source: plan.source,
    target: plan.target,
    waves: plan.waves,
    steps,
  });
}

/** The digest of the whole plan as written (a run records it; resuming with another plan is refused). */
export function planDigest(plan: Plan): string {
  return digestOf(plan);
}

function orderStep(s: Step): Step {
  const out: Record<string, unknown> = { kind: s.kind, action: s.action };
  if (s.reason !== undefined) out.reason = s.reason;
  if (s.note !== undefined) out.note = s.note;
  out.dependsOn = [...s.dependsOn].sort();
  out.params = s.params;
  out.options = s.options;
  out.source = s.source;
  if (s.bytes !== undefined) out.bytes = s.bytes;
  return out as Step;
}

/** Serialises a plan deterministically (schema key order, sorted steps, trailing newline). */
export function serializePlan(plan: Plan): string {
  const steps: Record<string, Step> = {};
  for (const id of Object.keys(plan.steps).sort()) steps[id] = orderStep(plan.steps[id]!);
  const ordered: Plan = {
    formatVersion: plan.formatVersion,
    tool: plan.tool,
    name: plan.name,
    createdAt: plan.createdAt,
    source: plan.source,
    target: plan.target,
    options: plan.options,
    mappings: plan.mappings,
    preflight: plan.preflight,
    estimate: plan.estimate,
    waves: plan.waves.map((w) => [...w].sort()),
    steps,
    integrity: plan.integrity,
  };
  return JSON.stringify(ordered, null, 2) + "\n";
}

/**
 * Writes a file atomically (temp file + rename), creating the folder. Owner-only
 * by default: plans and inventories name projects, networks and addresses. A
 * failed write (disk full, a folder in the way) removes its temporary file and
 * is raised as a LocalFileError naming the path.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    if (existsSync(path) && statSync(path).isDirectory()) {
      throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR", path });
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, text, { mode });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw localFileError(err, path) ?? err;
  }
}

export function writePlan(path: string, plan: Plan): void {
  writeFileAtomic(path, serializePlan(plan));
}

/** Collects every `{ "$step": id }` reference inside a value. */
export function stepRefsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => stepRefsIn(v, out));
  else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.$step === "string" && Object.keys(o).length === 1) out.push(o.$step);
    else for (const v of Object.values(o)) stepRefsIn(v, out);
  }
  return out;
}

/** Semantic checks that the schema cannot express. Returns every problem as "where: what". */
export function semanticProblems(plan: Plan, checkParams?: (id: string, step: Step) => string[]): string[] {
  const problems: string[] = [];
  const ids = Object.keys(plan.steps);
  const known = new Set(ids);
  const { dangling, cycles } = checkGraph(ids.map((id) => ({ id, dependsOn: plan.steps[id]!.dependsOn })));
  for (const d of dangling) problems.push(`steps.${d.step}.dependsOn: unknown step "${d.missing}"`);
  for (const c of cycles) problems.push(`steps: dependency cycle ${c.join(" → ")}`);

  const waveOf = new Map<string, number>();
  plan.waves.forEach((w, i) =>
    w.forEach((id) => {
      if (!known.has(id)) problems.push(`waves[${i}]: unknown step "${id}"`);
      if (waveOf.has(id)) problems.push(`waves[${i}]: step "${id}" appears in more than one wave`);
      waveOf.set(id, i);
    }),
  );
  for (const id of ids) {
    const step = plan.steps[id]!;
    const w = waveOf.get(id);
    if (w === undefined) problems.push(`waves: step "${id}" is in no wave`);
    for (const dep of step.dependsOn) {
      const dw = waveOf.get(dep);
      if (w !== undefined && dw !== undefined && dw >= w) problems.push(`waves: "${id}" (wave ${w}) depends on "${dep}" (wave ${dw}), which does not come before it`);
    }
    if (!id.startsWith(`${step.kind}/`)) problems.push(`steps.${id}: id does not start with its kind "${step.kind}/"`);
    if (step.action === "skip" && !step.reason) problems.push(`steps.${id}.reason: a skipped step needs a reason`);
    if (step.action !== "skip" && step.reason) problems.push(`steps.${id}.reason: only skipped steps carry a reason`);
    for (const ref of stepRefsIn(step.params)) {
      if (!known.has(ref)) problems.push(`steps.${id}.params: reference to unknown step "${ref}"`);
      else if (!step.dependsOn.includes(ref)) problems.push(`steps.${id}.params: references "${ref}" but does not depend on it`);
      else if (plan.steps[ref]!.action === "skip" && step.action !== "skip")
        problems.push(`steps.${id}.params: references skipped step "${ref}"`);
    }
    if (checkParams) for (const p of checkParams(id, step)) problems.push(`steps.${id}.${p}`);
  }
  if (plan.integrity !== computeIntegrity(plan)) {
    problems.push(
      "integrity: the plan was changed outside params/options (ids, kinds, actions, dependencies, waves or source facts); re-run `scs-migrate plan` instead of editing those",
    );
  }
  return problems;
}

/**
 * How deep a plan may nest. Real plans nest about eight levels; checking the
 * depth before the schema keeps a hand-made 20,000-level value from
 * overflowing the stack of the recursive checks below.
 */
export const MAX_PLAN_DEPTH = 64;

/** The path of the first value nested deeper than max levels, or undefined. Iterative, so it cannot overflow. */
export function tooDeep(value: unknown, max: number): string | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: "(top)" }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (!v || typeof v !== "object") continue;
    if (depth >= max) return path.length > 120 ? `${path.slice(0, 120)}…` : path;
    for (const [k, child] of Object.entries(v)) {
      if (child && typeof child === "object") stack.push({ v: child, depth: depth + 1, path: path === "(top)" ? k : `${path}.${k}` });
    }
  }
  return undefined;
}

/** Parses plan text, collecting every problem into one PlanFileError. */
export function parsePlan(text: string, where: string, checkParams?: (id: string, step: Step) => string[]): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PlanFileError(`${where}: not valid JSON (${(err as Error).message})`, [], {
      hint: "Restore the file from version control or re-run `scs-migrate plan`.",
    });
  }
  const deep = tooDeep(raw, MAX_PLAN_DEPTH);
  if (deep) {
    throw new PlanFileError(`${where}: invalid plan (nested more than ${MAX_PLAN_DEPTH} levels deep at ${deep})`, [`${deep}: nesting deeper than ${MAX_PLAN_DEPTH} levels`], {
      hint: "No plan needs that much nesting: restore the file from version control or re-run `scs-migrate plan`.",
    });
  }
  const version = raw && typeof raw === "object" ? (raw as Record<string, unknown>).formatVersion : undefined;
  if (version !== FORMAT_VERSION) {
    throw new PlanFileError(
      `${where}: plan format ${JSON.stringify(version ?? null)} is not supported; this version of scs-migrate reads format ${FORMAT_VERSION}`,
      [`formatVersion: expected ${FORMAT_VERSION}, received ${JSON.stringify(version ?? null)}`],
      { hint: "Re-run `scs-migrate plan` with this version of the tool to write a plan it can apply." },
    );
  }
  const parsed = Plan.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
    throw new PlanFileError(`${where}: invalid plan (${issues.length} problem${issues.length === 1 ? "" : "s"})`, issues, {
      hint: "Fix the listed fields, or re-run `scs-migrate plan`.",
    });
  }
  const problems = semanticProblems(parsed.data, checkParams);
  if (problems.length > 0) {
    throw new PlanFileError(`${where}: invalid plan (${problems.length} problem${problems.length === 1 ? "" : "s"})`, problems, {
      hint: "Fix the listed problems, or re-run `scs-migrate plan`.",
    });
  }
  return parsed.data;
}

/** Reads and checks a plan file (a migration folder or a plan.json path). */
export function readPlan(dirOrFile: string, checkParams?: (id: string, step: Step) => string[]): Plan {
  const path = planPathOf(dirOrFile);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NotFoundError(`${path}: no plan file there`, { hint: "Create one with `scs-migrate plan --from SRC --to DST --name NAME`." });
    }
    throw new PlanFileError(`${path}: cannot read plan (${(err as NodeJS.ErrnoException).code ?? String(err)})`, [], {
      hint: "Create one with `scs-migrate plan --from SRC --to DST --name NAME`.",
    });
  }
  return parsePlan(text, path, checkParams);
}
