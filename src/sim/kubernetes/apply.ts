/**
 * Server-side apply for the Kubernetes stand-in, simplified.
 *
 * What it does as the real server does: every field manager owns the leaf
 * fields it applied (recorded in `managedFields` as FieldsV1); applying a
 * field another manager owns with a different value is a 409 Conflict naming
 * the field and the manager, unless `force`, which moves the ownership;
 * fields a manager applied before and leaves out now are removed, unless
 * another manager still owns them; an apply that changes nothing keeps the
 * resourceVersion.
 *
 * Simplifications (say so where a test relies on them):
 * - lists are atomic: applying a list replaces it whole and owns it as one
 *   field (the real server merges `listType: map` lists such as containers or
 *   env by their keys and owns each element);
 * - values that are equal count as no conflict even when another manager owns
 *   them (real SSA makes both managers co-owners; so does this);
 * - no type-aware schema: an explicit `null` is stored as null.
 */

/** A field path such as ".data.a" (keys joined with "."). */
export type FieldPath = string;

const SKIP_TOP = new Set(["apiVersion", "kind", "status"]);
const SKIP_META = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "managedFields", "selfLink"]);

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The leaf field paths an applied configuration sets. */
export function leafPaths(obj: Record<string, unknown>): Set<FieldPath> {
  const out = new Set<FieldPath>();
  const walk = (v: unknown, p: string) => {
    if (isMap(v) && Object.keys(v).length > 0) {
      for (const [k, x] of Object.entries(v)) walk(x, `${p}.${k}`);
    } else {
      out.add(p);
    }
  };
  for (const [k, v] of Object.entries(obj)) {
    if (SKIP_TOP.has(k)) continue;
    if (k === "metadata" && isMap(v)) {
      for (const [mk, mv] of Object.entries(v)) if (!SKIP_META.has(mk)) walk(mv, `.metadata.${mk}`);
      continue;
    }
    walk(v, `.${k}`);
  }
  return out;
}

// Why a list of names: in an Update (POST/PUT) entry, FieldsV1 marks a map-typed field
// with "." (the schema says which fields are maps); these are the map-typed fields of the
// kinds a migration moves. 1.20 writes no "." in Apply entries of built-in kinds, and one
// on every non-leaf field of custom resources (no schema types: everything is a map).
const MAP_FIELDS = new Set(["data", "binaryData", "stringData", "labels", "annotations", "matchLabels", "nodeSelector"]);

/** FieldsV1 (`{"f:data":{".":{},"f:a":{}}}`) of a set of leaf paths. */
export function toFieldsV1(paths: Set<FieldPath>, dots: "maps" | "all" | "none" = "maps"): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of [...paths].sort()) {
    const keys = p.split(".").slice(1);
    let node = root;
    keys.forEach((k, i) => {
      const key = `f:${k}`;
      if (!isMap(node[key])) node[key] = {};
      const child = node[key] as Record<string, unknown>;
      if (i < keys.length - 1 && (dots === "all" || (dots === "maps" && MAP_FIELDS.has(k)))) child["."] = {};
      node = child;
    });
  }
  return sortFields(root);
}

function sortFields(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(node).sort()) out[k] = isMap(node[k]) ? sortFields(node[k] as Record<string, unknown>) : node[k];
  return out;
}

/** The leaf paths of a FieldsV1 value (entries other than "f:" keys count as leaves of their parent). */
export function fromFieldsV1(f: unknown, prefix = ""): Set<FieldPath> {
  const out = new Set<FieldPath>();
  if (!isMap(f)) return out;
  for (const [k, v] of Object.entries(f)) {
    if (!k.startsWith("f:")) {
      if (k !== "." && prefix) out.add(prefix);
      continue;
    }
    const p = `${prefix}.${k.slice(2)}`;
    const children = isMap(v) ? Object.keys(v).filter((c) => c !== ".") : [];
    if (children.length === 0) out.add(p);
    else for (const c of fromFieldsV1(v, p)) out.add(c);
  }
  return out;
}

export function getPath(obj: unknown, p: FieldPath): unknown {
  let node: unknown = obj;
  for (const k of p.split(".").slice(1)) {
    if (!isMap(node)) return undefined;
    node = node[k];
  }
  return node;
}

/** Removes the field at p and then every map that became empty on the way up. */
export function deletePath(obj: Record<string, unknown>, p: FieldPath): void {
  const keys = p.split(".").slice(1);
  const chain: Record<string, unknown>[] = [obj];
  let node: unknown = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isMap(node) || !isMap(node[k])) return;
    node = node[k];
    chain.push(node as Record<string, unknown>);
  }
  delete (chain[chain.length - 1] as Record<string, unknown>)[keys[keys.length - 1] as string];
  for (let i = chain.length - 1; i > 0; i--) {
    if (Object.keys(chain[i] as object).length > 0) break;
    delete (chain[i - 1] as Record<string, unknown>)[keys[i - 1] as string];
  }
}

/** Maps merge key by key; everything else (scalars, lists) is replaced. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isMap(v) && isMap(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : structuredClone(v);
  }
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export interface ManagedEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fields: Set<FieldPath>;
}

export interface ApplyConflict {
  manager: string;
  apiVersion: string;
  field: FieldPath;
}

export interface ApplyResult {
  object: Record<string, unknown>;
  managed: ManagedEntry[];
  conflicts: ApplyConflict[];
  changed: boolean;
}

/**
 * Applies `config` as `manager` onto `live` (undefined: a create). Returns
 * the conflicts instead of a result when there are any and `force` is off.
 */
export function serverSideApply(
  live: Record<string, unknown> | undefined,
  liveManaged: ManagedEntry[],
  config: Record<string, unknown>,
  opts: { manager: string; force: boolean; apiVersion: string; now: string },
): ApplyResult {
  const owned = leafPaths(config);
  const mine = liveManaged.find((m) => m.manager === opts.manager && m.operation === "Apply");
  const others = liveManaged.filter((m) => m !== mine);
  const conflicts: ApplyConflict[] = [];
  if (live) {
    for (const m of others) {
      for (const f of m.fields) {
        if (owned.has(f) && !deepEqual(getPath(live, f), getPath(config, f))) conflicts.push({ manager: m.manager, apiVersion: m.apiVersion, field: f });
      }
    }
  }
  if (conflicts.length > 0 && !opts.force) return { object: live ?? {}, managed: liveManaged, conflicts, changed: false };

  let obj: Record<string, unknown> = structuredClone(live ?? {});
  for (const f of mine?.fields ?? []) {
    if (!owned.has(f) && !others.some((m) => m.fields.has(f))) deletePath(obj, f);
  }
  obj = deepMerge(obj, config);
  const forced = new Set(conflicts.map((c) => c.field));
  const managed: ManagedEntry[] = [];
  for (const m of liveManaged) {
    if (m === mine) continue;
    const fields = new Set([...m.fields].filter((f) => !forced.has(f)));
    if (fields.size > 0) managed.push({ ...m, fields });
  }
  const sameFields = mine !== undefined && mine.fields.size === owned.size && [...owned].every((f) => mine.fields.has(f));
  const changed = !live || !deepEqual(stripMeta(live), stripMeta(obj)) || !sameFields || forced.size > 0;
  managed.unshift({ manager: opts.manager, operation: "Apply", apiVersion: opts.apiVersion, time: changed ? opts.now : (mine?.time ?? opts.now), fields: owned });
  // Why the original order when nothing changed: the real server then returns the stored object untouched.
  return { object: obj, managed: changed ? managed : liveManaged, conflicts, changed };
}

function stripMeta(o: Record<string, unknown>): unknown {
  const m = isMap(o.metadata) ? { ...o.metadata } : {};
  delete m.managedFields;
  delete m.resourceVersion;
  return { ...o, metadata: m };
}
