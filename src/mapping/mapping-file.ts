/**
 * The mapping file: the user's decisions that the planner cannot derive
 * (`scs-migrate plan <name> --map map.yaml`). YAML or JSON (JSON is YAML 1.2,
 * so one parser reads both). No API calls; the file is read once and validated
 * whole, so the user sees every problem at once.
 *
 * Quirks:
 * - Unknown top-level keys are errors, not ignored: a typo such as `flavour:`
 *   would otherwise silently drop the user's overrides.
 * - Duplicate YAML keys are errors (the yaml package's default), for the same
 *   reason.
 * - An empty file (or one with only comments) is the empty mapping.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigError } from "../errors.js";
import { parseYamlText } from "../util/yaml.js";

const Name = z.string().trim().min(1, "must not be empty");
const NameMap = (what: string) =>
  z.record(z.string().min(1, "keys must not be empty"), Name).default({}).describe(what);

/** The mapping file schema; field descriptions reach the generated JSON Schema. */
export const MappingFileSchema = z
  .strictObject({
    flavors: NameMap("source flavor name → target flavor name (or id); wins over the automatic flavor rules"),
    images: NameMap('source image name → target image name, or "copy" to copy the image even if the target has a match'),
    volumeTypes: NameMap("source volume type name → target volume type name"),
    availabilityZones: NameMap("source availability zone → target availability zone (servers and volumes)"),
    loadBalancerProviders: NameMap("source Octavia provider (amphora, ovn, …) → target provider; by default the same name"),
    loadBalancerFlavors: NameMap("source load-balancer flavor name → target load-balancer flavor name; by default the same name"),
    externalNetwork: Name.nullable()
      .default(null)
      .describe("name or id of the target external network for router gateways and floating IPs"),
    statelessServers: z
      .array(Name)
      .default([])
      .describe("names of servers whose root disk is not copied: they boot from the mapped standard image"),
    exclude: z
      .array(Name)
      .default([])
      .describe('step ids or globs ("*" any run of characters, "?" one character) left out of the plan, e.g. "server/test-*"'),
    throughputMBps: z
      .number()
      .positive()
      .finite()
      .nullable()
      .default(null)
      .describe("expected copy throughput in MB/s, used only for time estimates"),
  })
  .describe("scs-migrate mapping file");

/** A validated mapping file, with every key present. */
export type MappingFile = z.output<typeof MappingFileSchema>;

/** A fresh empty mapping (no overrides, nothing excluded). */
export function emptyMapping(): MappingFile {
  return MappingFileSchema.parse({});
}

/** The empty mapping, frozen; use it when no mapping file is given. */
export const EMPTY_MAPPING: Readonly<MappingFile> = deepFreeze(emptyMapping());

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Formats a zod issue path the way users read it: `flavors["m1.large"]`, `exclude[2]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** Validates mapping file text; `source` names the file in errors. Throws ConfigError listing every issue. */
export function parseMappingFile(text: string, source: string): MappingFile {
  const raw: unknown =
    parseYamlText(text, {
      source,
      syntaxError: (errs) =>
        new ConfigError(`mapping file ${source} is not valid YAML or JSON`, {
          details: errs.map((e) => (e.line !== undefined ? `line ${e.line}, column ${e.col ?? 1}: ${e.message}` : e.message)),
          hint: `Fix the syntax in ${source} and run the command again.`,
        }),
    }) ?? {};
  const parsed = MappingFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      // Why: zod reports a bad record key as "Invalid key in record" and keeps the useful message one level down.
      const inner = i.code === "invalid_key" ? i.issues[0]?.message : undefined;
      return `${formatIssuePath(i.path)}: ${inner ?? i.message}`;
    });
    throw new ConfigError(`mapping file ${source} has ${issues.length} problem${issues.length === 1 ? "" : "s"}`, {
      details: issues,
      hint: `Fix the listed entries in ${source} and run the command again.`,
    });
  }
  return parsed.data;
}

/** Reads and validates a mapping file; throws ConfigError naming the file when it cannot be read or is invalid. */
export async function loadMappingFile(path: string): Promise<MappingFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : `cannot be read (${String(err)})`;
    throw new ConfigError(`mapping file ${path} ${why}`, { cause: err });
  }
  return parseMappingFile(text, path);
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** The first `exclude` pattern that matches a step id (exact id or glob), or null. */
export function matchExclude(stepId: string, patterns: readonly string[]): string | null {
  for (const p of patterns) {
    if (p === stepId || globToRegExp(p).test(stepId)) return p;
  }
  return null;
}

/** The JSON Schema of the mapping file (draft 2020-12, input side: every key is optional, as users write it). */
export function mappingJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(MappingFileSchema, { target: "draft-2020-12", io: "input" }), title: "scs-migrate mapping file" };
}
