/**
 * Property-based tests of the parsers of user files: clouds.yaml (with
 * secure.yaml and clouds-public.yaml) and the mapping file. Whatever the
 * input — arbitrary text, arbitrary YAML structures, or cloud entries with
 * arbitrary values at the keys the loader reads — a parser either returns a
 * value or throws one of the tool's own errors (ConfigError, exit 3); never a
 * TypeError, RangeError, ReferenceError or ZodError.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadCloudConfig, listCloudNames, defaultCloudName } from "../../src/config/clouds.js";
import { ConfigError } from "../../src/errors.js";
import { parseMappingFile } from "../../src/mapping/mapping-file.js";

// PROPERTY_RUNS raises the number of cases for a deeper search (default 150 keeps the file fast).
const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
let root: string;
let n = 0;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "parser-props-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh lookup root with the given files (relative to cwd). */
function setup(files: Record<string, string>) {
  const base = path.join(root, String(n++));
  const cwd = path.join(base, "cwd");
  mkdirSync(cwd, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(cwd, name), text);
  return { env: {} as Record<string, string | undefined>, cwd, home: path.join(base, "home"), systemDir: path.join(base, "etc") };
}

/** Runs fn; true when it returned or threw a ConfigError. Anything else fails with the error shown. */
function onlyOwnErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof ConfigError) {
      expect(typeof e.message).toBe("string");
      return true;
    }
    throw e;
  }
}

/** Scalars YAML can carry, including awkward ones. */
const scalar = fc.oneof(
  fc.string(),
  fc.constantFrom("", "~", "null", "true", "yes", "0", "3", "v3", "-1", "1e400", "NaN", "__proto__", "constructor", "toString", "http://", "https://k/v3", "RegionOne,RegionTwo", ","),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("v"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie("v"), { maxKeys: 4 })),
})).v;

const KEYS = [
  "auth", "auth_type", "auth-type", "auth_plugin", "region_name", "region-name", "regions", "interface", "endpoint_type", "verify", "insecure", "cacert", "cert", "key",
  "identity_api_version", "profile", "cloud", "domain_id", "domain_name", "default_domain",
];
const AUTH_KEYS = [
  "auth_url", "username", "user_name", "user_id", "password", "user_domain_name", "user_domain_id", "project_name", "tenant_name", "project_id", "tenant_id",
  "project_domain_name", "project_domain_id", "domain_id", "domain_name", "default_domain_id", "default_domain_name", "application_credential_id",
  "application_credential_name", "application_credential_secret", "token", "auth_token",
];
const entry = fc.record(
  {
    ...Object.fromEntries(KEYS.map((k) => [k, value])),
    auth: fc.oneof(value, fc.record(Object.fromEntries(AUTH_KEYS.map((k) => [k, fc.oneof(scalar, value)])), { requiredKeys: [] })),
    regions: fc.oneof(value, fc.array(fc.oneof(fc.string(), fc.record({ name: scalar, values: value }, { requiredKeys: [] })), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);
/** Text made of YAML's syntax tokens: anchors, aliases, tags, merge keys, flow and block markers. */
const yamlSoup = fc
  .array(fc.constantFrom("a", "b", ":", " ", "  ", "\n", "*a", "&a", "*", "&", "- ", "[", "]", "{", "}", "'", '"', "!", "!!str", "!!binary", "!!set", "<<", "? ", "#", "|", ">", ",", "%YAML 1.1\n", "---\n", "...\n", "clouds", "auth", "\t", "\\u0000"), { maxLength: 60 })
  .map((parts) => parts.join(""));

const cloudName = fc.oneof(fc.constantFrom("c", "__proto__", "constructor", "envvars", "toString"), fc.string({ maxLength: 6 }));

describe("clouds.yaml, secure.yaml and clouds-public.yaml", () => {
  it("arbitrary text as clouds.yaml", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), cloudName, (text, name) => {
        const dirs = setup({ "clouds.yaml": text });
        return onlyOwnErrors(() => loadCloudConfig(name, dirs)) && onlyOwnErrors(() => listCloudNames(dirs)) && onlyOwnErrors(() => defaultCloudName(dirs));
      }),
      { numRuns: RUNS },
    );
  });

  it("YAML token soup as clouds.yaml and secure.yaml (aliases without anchors, tags, merge keys)", () => {
    fc.assert(
      fc.property(yamlSoup, yamlSoup, (clouds, secure) => {
        const dirs = setup({ "clouds.yaml": clouds, "secure.yaml": secure });
        return onlyOwnErrors(() => loadCloudConfig("a", dirs));
      }),
      { numRuns: RUNS },
    );
  });

  it("arbitrary YAML structures as clouds.yaml and secure.yaml", () => {
    fc.assert(
      fc.property(value, value, cloudName, (clouds, secure, name) => {
        const dirs = setup({ "clouds.yaml": stringify(clouds), "secure.yaml": stringify(secure) });
        return onlyOwnErrors(() => loadCloudConfig(name, dirs)) && onlyOwnErrors(() => loadCloudConfig(undefined, dirs));
      }),
      { numRuns: RUNS },
    );
  });

  it("cloud entries with arbitrary values at every key the loader reads, with secure.yaml and a profile", () => {
    fc.assert(
      fc.property(cloudName, entry, entry, entry, fc.dictionary(fc.constantFrom("OS_REGION_NAME", "OS_PASSWORD", "OS_AUTH_URL", "OS_CLOUD", "OS_USERNAME"), fc.string({ maxLength: 10 })), (name, e, s, p, env) => {
        const dirs = setup({
          "clouds.yaml": stringify({ clouds: { [name]: e } }),
          "secure.yaml": stringify({ clouds: { [name]: s } }),
          "clouds-public.yaml": stringify({ "public-clouds": { [typeof (e as { profile?: unknown }).profile === "string" ? ((e as { profile: string }).profile) : "p"]: p } }),
        });
        Object.assign(dirs.env, env);
        return onlyOwnErrors(() => loadCloudConfig(name, dirs)) && onlyOwnErrors(() => loadCloudConfig("envvars", dirs));
      }),
      { numRuns: RUNS },
    );
  });

  it("arbitrary OS_* environments (openrc)", () => {
    const envKey = fc.constantFrom(...["AUTH_URL", "USERNAME", "PASSWORD", "PROJECT_NAME", "PROJECT_ID", "USER_DOMAIN_NAME", "PROJECT_DOMAIN_ID", "REGION_NAME", "INTERFACE", "IDENTITY_API_VERSION", "AUTH_TYPE", "TOKEN", "CACERT", "INSECURE", "DEFAULT_DOMAIN", "APPLICATION_CREDENTIAL_ID", "APPLICATION_CREDENTIAL_SECRET"].map((k) => `OS_${k}`));
    fc.assert(
      fc.property(fc.dictionary(envKey, fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("https://k/v3", "3", "true", "v3token"))), (env) => {
        const dirs = setup({});
        Object.assign(dirs.env, env);
        return onlyOwnErrors(() => loadCloudConfig(defaultCloudName(dirs), dirs));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the mapping file", () => {
  it("arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => onlyOwnErrors(() => parseMappingFile(text, "map.yaml"))),
      { numRuns: RUNS * 2 },
    );
  });

  it("YAML token soup", () => {
    fc.assert(
      fc.property(yamlSoup, (text) => onlyOwnErrors(() => parseMappingFile(text, "map.yaml"))),
      { numRuns: RUNS * 2 },
    );
  });

  it("arbitrary YAML structures, also under the known keys", () => {
    const mapping = fc.record(
      Object.fromEntries(["flavors", "images", "volumeTypes", "availabilityZones", "externalNetwork", "statelessServers", "exclude", "throughputMBps", "__proto__"].map((k) => [k, value])),
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(value, mapping), fc.boolean(), (data, asJson) => onlyOwnErrors(() => parseMappingFile(asJson ? (JSON.stringify(data) ?? "") : stringify(data), "map.yaml"))),
      { numRuns: RUNS * 2 },
    );
  });
});
