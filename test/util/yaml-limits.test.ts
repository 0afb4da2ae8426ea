/**
 * Every reader of a user's YAML refuses the same hostile input the same way:
 * a ConfigError (exit 3) naming the file, never a parser exception.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCloudConfig } from "../../src/config/clouds.js";
import { ConfigError, EXIT } from "../../src/errors.js";
import { loadMappingFile, parseMappingFile } from "../../src/mapping/mapping-file.js";
import { loadTenantSpec } from "../../src/tenant/spec.js";
import { parseYamlText } from "../../src/util/yaml.js";

const BOMB = [
  "a: &a [x, x, x, x, x, x, x, x, x]",
  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
  "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
  "",
].join("\n");

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "yaml-limits-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(root, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function configError(fn: () => unknown): Promise<ConfigError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const dirs = () => ({ env: {} as Record<string, string | undefined>, cwd: path.join(root, "cwd"), home: path.join(root, "home"), systemDir: path.join(root, "etc") });

describe("alias bombs", () => {
  it("clouds.yaml", async () => {
    const file = write("cwd/clouds.yaml", `clouds:\n  x:\n    auth: {auth_url: https://k/v3}\n${BOMB.replace(/^/gm, "  ")}`);
    const e = await configError(() => loadCloudConfig("x", dirs()));
    expect(e.exitCode).toBe(EXIT.CONFIG);
    expect(e.message).toBe(`${file}: too many YAML aliases (more than 100 expansions); refusing a possible alias bomb`);
  });

  it("secure.yaml", async () => {
    write("cwd/clouds.yaml", "clouds:\n  x:\n    auth: {auth_url: https://k/v3, user_id: u, project_id: p}\n");
    const secure = write("cwd/secure.yaml", BOMB);
    expect((await configError(() => loadCloudConfig("x", dirs()))).message).toContain(`${secure}: too many YAML aliases`);
  });

  it("clouds-public.yaml", async () => {
    write("cwd/clouds.yaml", "clouds:\n  x:\n    profile: p\n    auth: {user_id: u, password: pw-secret, project_id: p}\n");
    const pub = write("cwd/clouds-public.yaml", BOMB);
    expect((await configError(() => loadCloudConfig("x", dirs()))).message).toContain(`${pub}: too many YAML aliases`);
  });

  it("the mapping file", async () => {
    const file = write("map.yaml", BOMB);
    expect((await configError(() => loadMappingFile(file))).message).toContain(`${file}: too many YAML aliases`);
  });

  it("the tenant spec", async () => {
    const file = write("spec.yaml", BOMB);
    expect((await configError(() => loadTenantSpec(file))).message).toContain(`${file}: too many YAML aliases`);
  });
});

describe("other limits", () => {
  it("refuses a file larger than the limit, naming it", async () => {
    const e = await configError(() => parseYamlText("a: 1\n".repeat(100), { source: "big.yaml", maxBytes: 100 }));
    expect(e.message).toBe("big.yaml: the file is too large (500 bytes; at most 100 are read)");
  });

  it("deep nesting and unresolved aliases are syntax errors, not parser exceptions", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    expect((await configError(() => parseMappingFile(deep, "deep.yaml"))).message).toBe("mapping file deep.yaml is not valid YAML or JSON");
    expect((await configError(() => parseYamlText("a: *nowhere\n", { source: "x.yaml" }))).message).toMatch(/^x\.yaml(:\d+:\d+)?: YAML syntax error: /);
  });
});
