/**
 * The JSON Schema of plan.json (draft 2020-12), generated from the plan's zod
 * schema so editors can check hand edits. The closed set of kind ids comes
 * from the kind registry, which the file format itself does not know; so do
 * the per-kind params schemas, attached as `if kind == X then params: …` so an
 * editor flags a fixed IP of 999.1.1.1 or a CIDR "banana" as it is typed.
 */
import { z } from "zod";
import { KINDS } from "../kinds/index.js";
import { FORMAT_VERSION, Plan } from "../model/plan.js";

/** The JSON Schema of one kind's params, without its own `$schema` header. */
function paramsJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Plan, { target: "draft-2020-12" }) as Record<string, any>;
  const step = schema.properties.steps.additionalProperties;
  step.properties.kind = { type: "string", enum: KINDS.map((k) => k.kind) };
  // Skipped steps carry no params to check; every other step's params follow its kind.
  step.allOf = KINDS.map((k) => ({
    if: { properties: { kind: { const: k.kind }, action: { enum: ["create", "adopt"] } }, required: ["kind", "action"] },
    then: { properties: { params: paramsJsonSchema(k.paramsSchema) } },
  }));
  return { ...schema, title: "scs-migrate plan file", description: `plan.json, format ${FORMAT_VERSION}` };
}
