/**
 * Glance's JSON-patch image update (PATCH /v2/images/{id} with
 * `application/openstack-images-v2.1-json-patch`, or the v2.0 variant), and
 * the schema checks shared with image create.
 *
 * Quirks (checked on Zed): another content type is a 415 with an
 * `Accept-Patch` header; a read-only attribute is a 403 "Attribute 'x' is
 * read-only."; removing a missing property is a 409 "Property x does not
 * exist." under webob's default conflict text; extra properties must be
 * strings (400 with jsonschema's message); all operations apply or none does.
 */
import { ApiFault, glanceError, WEBOB_DEFAULT_EXPLANATION } from "../core/errors.js";
import type { ImageRecord } from "../store/records.js";
import { CONTAINER_FORMATS, DISK_FORMATS, READ_ONLY, VISIBILITIES } from "./model.js";

/** Content types Glance accepts for PATCH. */
export const PATCH_TYPES = ["application/openstack-images-v2.0-json-patch", "application/openstack-images-v2.1-json-patch"];

/** Python's repr of a JSON value, as jsonschema messages print it. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `'${k}': ${pyRepr(x)}`).join(", ")}}`;
  return String(v);
}

/** Glance's 400 for a value that fails the image schema. */
export function schemaError(summary: string, validator: string, schemaPath: string, schema: string, instancePath: string, value: unknown): ApiFault {
  return glanceError(
    400,
    `Provided object does not match schema 'image': ${summary}\n\nFailed validating '${validator}' in ${schemaPath}:\n    ${schema}\n\nOn ${instancePath}:\n    ${pyRepr(value)}`,
  );
}

/** Validates one core or extra attribute value; returns the value to store. */
export function checkAttribute(key: string, value: unknown): unknown {
  const enumCheck = (allowed: Array<string | null>, desc: string) => {
    if (!allowed.includes(value as string | null)) {
      throw schemaError(`${pyRepr(value)} is not one of ${pyRepr(allowed)}`, "enum", `schema['properties']['${key}']`, `{'description': '${desc}', 'enum': ${pyRepr(allowed)}, 'type': ['null', 'string']}`, `instance['${key}']`, value);
    }
    return value;
  };
  switch (key) {
    case "disk_format":
      return enumCheck(DISK_FORMATS, "Format of the disk");
    case "container_format":
      return enumCheck(CONTAINER_FORMATS, "Format of the container");
    case "visibility":
      if (!VISIBILITIES.includes(value as string)) {
        throw schemaError(`${pyRepr(value)} is not one of ${pyRepr(VISIBILITIES)}`, "enum", "schema['properties']['visibility']", `{'description': 'Scope of image accessibility', 'enum': ${pyRepr(VISIBILITIES)}, 'type': 'string'}`, "instance['visibility']", value);
      }
      return value;
    case "protected":
    case "os_hidden":
      if (typeof value !== "boolean") {
        throw schemaError(`${pyRepr(value)} is not of type 'boolean'`, "type", `schema['properties']['${key}']`, "{'type': 'boolean'}", `instance['${key}']`, value);
      }
      return value;
    case "min_disk":
    case "min_ram":
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
        throw schemaError(`${pyRepr(value)} is not of type 'integer'`, "type", `schema['properties']['${key}']`, "{'type': 'integer', 'minimum': 0}", `instance['${key}']`, value);
      }
      return value;
    case "name":
      if (value !== null && typeof value !== "string") {
        throw schemaError(`${pyRepr(value)} is not of type 'null', 'string'`, "type", "schema['properties']['name']", "{'maxLength': 255, 'type': ['null', 'string']}", "instance['name']", value);
      }
      return value;
    case "tags":
      if (!Array.isArray(value) || value.some((t) => typeof t !== "string")) {
        throw schemaError(`${pyRepr(value)} is not of type 'array'`, "type", "schema['properties']['tags']", "{'items': {'maxLength': 255, 'type': 'string'}, 'type': 'array'}", "instance['tags']", value);
      }
      return [...new Set(value as string[])];
    default:
      if (typeof value !== "string") {
        throw schemaError(`${pyRepr(value)} is not of type 'string'`, "type", "schema['additionalProperties']", "{'type': 'string'}", `instance['${key}']`, value);
      }
      return value;
  }
}

const WRITABLE_CORE = new Set(["name", "visibility", "protected", "os_hidden", "min_disk", "min_ram", "disk_format", "container_format", "tags"]);

/** Applies a JSON-patch document to an image, all or nothing. */
export function applyPatch(img: ImageRecord, doc: unknown): void {
  if (!Array.isArray(doc)) throw glanceError(400, "Request body must be a JSON array of operation objects.");
  const core: Record<string, unknown> = {
    name: img.name, visibility: img.visibility, protected: img.protected, os_hidden: img.os_hidden, min_disk: img.min_disk,
    min_ram: img.min_ram, disk_format: img.disk_format, container_format: img.container_format, tags: [...img.tags],
  };
  const props: Record<string, string> = { ...img.properties };
  for (const raw of doc) {
    const o = raw as Record<string, unknown>;
    const op = o?.["op"];
    if (op !== "add" && op !== "replace" && op !== "remove") {
      throw glanceError(400, `Invalid operation: \`${String(op)}\`. It must be one of the following: add, remove, replace.`);
    }
    const path = typeof o["path"] === "string" ? o["path"] : "";
    const key = path.replace(/^\//, "");
    if (!key || key.includes("/")) throw glanceError(400, `Invalid JSON pointer for this resource: '${path}'`);
    if (READ_ONLY.has(key) || key === "id" || key === "owner") throw glanceError(403, `Attribute '${key}' is read-only.`);
    if (WRITABLE_CORE.has(key)) {
      if (op === "remove") throw glanceError(403, `Attribute '${key}' is read-only.`);
      if ((key === "disk_format" || key === "container_format") && img.status !== "queued") {
        throw glanceError(403, `Attribute ${key} can be only replaced for a queued image.`);
      }
      core[key] = checkAttribute(key, o["value"]);
      continue;
    }
    if (op === "remove" || (op === "replace" && !(key in props))) {
      if (!(key in props)) throw glanceError(409, WEBOB_DEFAULT_EXPLANATION[409]!, `Property ${key} does not exist.`);
      delete props[key];
      continue;
    }
    props[key] = checkAttribute(key, o["value"]) as string;
  }
  img.name = core["name"] as string | null;
  img.visibility = core["visibility"] as string;
  img.protected = core["protected"] as boolean;
  img.os_hidden = core["os_hidden"] as boolean;
  img.min_disk = core["min_disk"] as number;
  img.min_ram = core["min_ram"] as number;
  img.disk_format = core["disk_format"] as string | null;
  img.container_format = core["container_format"] as string | null;
  img.tags = core["tags"] as string[];
  img.properties = props;
  img.updated_at = Date.now();
}
