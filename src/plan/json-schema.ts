/**
 * The JSON Schema of plan.json (draft 2020-12), generated from the plan's zod
 * schema so editors can check hand edits. The closed set of kind ids comes
 * from the kind registry, which the file format itself does not know.
 */
import { z } from "zod";
import { KINDS } from "../kinds/index.js";
import { FORMAT_VERSION, Plan } from "../model/plan.js";

export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Plan, { target: "draft-2020-12" }) as Record<string, any>;
  const step = schema.properties.steps.additionalProperties;
  step.properties.kind = { type: "string", enum: KINDS.map((k) => k.kind) };
  return { ...schema, title: "scs-migrate plan file", description: `plan.json, format ${FORMAT_VERSION}` };
}
