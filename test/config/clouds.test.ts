import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCloudConfig, listCloudNames, type LoadCloudOptions } from "../../src/config/clouds.js";
import { ConfigError } from "../../src/errors.js";
import { redact } from "../../src/log.js";

let root: string;
let opts: Required<LoadCloudOptions> & { env: Record<string, string | undefined> };

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "clouds-test-"));
  for (const d of ["cwd", "home/.config/openstack", "etc"]) mkdirSync(path.join(root, d), { recursive: true });
  opts = { env: {}, cwd: path.join(root, "cwd"), home: path.join(root, "home"), systemDir: path.join(root, "etc") };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const cloudYaml = (url: string, extra = "") => `clouds:
  src:
    auth:
      auth_url: ${url}
      username: alice
      password: pw-${url.length}-secret
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
${extra}`;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("clouds.yaml lookup", () => {
  it("takes the first file found: OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack, /etc/openstack", () => {
    write("etc/clouds.yaml", cloudYaml("https://etc.example/v3"));
    expect(loadCloudConfig("src", opts).auth.authUrl).toBe("https://etc.example/v3");
    write("home/.config/openstack/clouds.yaml", cloudYaml("https://home.example/v3"));
    expect(loadCloudConfig("src", opts).auth.authUrl).toBe("https://home.example/v3");
    write("cwd/clouds.yml", cloudYaml("https://cwd.example/v3"));
    expect(loadCloudConfig("src", opts).auth.authUrl).toBe("https://cwd.example/v3");
    const explicit = write("elsewhere/my-clouds.yaml", cloudYaml("https://explicit.example/v3"));
    opts.env.OS_CLIENT_CONFIG_FILE = explicit;
    const c = loadCloudConfig("src", opts);
    expect(c.auth.authUrl).toBe("https://explicit.example/v3");
    expect(c.source).toBe(explicit);
  });

  it("fails when OS_CLIENT_CONFIG_FILE names a missing file", () => {
    opts.env.OS_CLIENT_CONFIG_FILE = path.join(root, "nope.yaml");
    expect(configError(() => loadCloudConfig("src", opts)).message).toBe(`OS_CLIENT_CONFIG_FILE points to ${path.join(root, "nope.yaml")}, which does not exist`);
  });

  it("deep-merges secure.yaml over clouds.yaml", () => {
    write("cwd/clouds.yaml", "clouds:\n  src:\n    auth:\n      auth_url: https://k.example/v3\n      username: alice\n      project_name: demo\n    domain_name: Default\n");
    write("home/.config/openstack/secure.yaml", "clouds:\n  src:\n    auth:\n      password: from-secure-yaml\n");
    const c = loadCloudConfig("src", opts);
    expect(c.auth).toMatchObject({ username: "alice", password: "from-secure-yaml", userDomainName: "Default", projectDomainName: "Default" });
    expect(c.source).toContain("secure.yaml");
    const other = write("s/other-secure.yaml", "clouds:\n  src:\n    auth:\n      password: from-env-secure\n");
    opts.env.OS_CLIENT_SECURE_FILE = other;
    expect(loadCloudConfig("src", opts).auth.password).toBe("from-env-secure");
  });

  it("registers every secret for redaction as soon as it is read", () => {
    write("cwd/clouds.yaml", cloudYaml("https://k.example/v3"));
    const c = loadCloudConfig("src", opts);
    expect(redact(`oops ${c.auth.password}`)).toBe("oops ***");
  });
});

describe("cloud selection", () => {
  beforeEach(() => {
    write("cwd/clouds.yaml", `${cloudYaml("https://k.example/v3")}  dst:\n    auth:\n      auth_url: https://d.example/v3\n      user_id: u1\n      password: x-secret\n      project_id: p1\n`);
  });

  it("lists the known clouds when the name is unknown", () => {
    const e = configError(() => loadCloudConfig("prod", opts));
    expect(e.message).toBe(`cloud "prod" not found in ${path.join(root, "cwd/clouds.yaml")}; known clouds: src, dst`);
  });

  it("uses OS_CLOUD when no name is given, and asks when there are several", () => {
    expect(configError(() => loadCloudConfig(undefined, opts)).message).toMatch(/^no cloud selected; .* defines: src, dst$/);
    opts.env.OS_CLOUD = "dst";
    expect(loadCloudConfig(undefined, opts).name).toBe("dst");
  });

  it("falls back to OS_* variables when no name is given and OS_AUTH_URL is set, or with the name envvars", () => {
    Object.assign(opts.env, {
      OS_AUTH_URL: "https://env.example:5000",
      OS_USERNAME: "envuser",
      OS_PASSWORD: "env-password",
      OS_PROJECT_NAME: "envproj",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_ID: "default",
      OS_REGION_NAME: "R2",
      OS_INTERFACE: "internal",
      OS_IDENTITY_API_VERSION: "3",
    });
    for (const c of [loadCloudConfig(undefined, opts), loadCloudConfig("envvars", opts)]) {
      expect(c).toMatchObject({
        name: "envvars",
        source: "environment (OS_*)",
        authType: "password",
        regionName: "R2",
        interface: "internal",
        auth: { authUrl: "https://env.example:5000", username: "envuser", password: "env-password", projectName: "envproj", userDomainName: "Default", projectDomainId: "default" },
      });
    }
    expect(listCloudNames(opts)).toEqual(["src", "dst", "envvars"]);
  });

  it("names OS_* variables in problems of the environment cloud", () => {
    opts.env.OS_AUTH_URL = "https://env.example/v3";
    opts.env.OS_USERNAME = "u";
    const e = configError(() => loadCloudConfig("envvars", opts));
    expect(e.message).toMatch(/^environment: OS_PASSWORD: required \(and 1 more\)$/);
    expect(e.details).toEqual(["environment: OS_PASSWORD: required", "environment: OS_PROJECT_NAME: required (or project_id): the tool works on one project"]);
  });
});

describe("auth types", () => {
  function load(entry: string) {
    write("cwd/clouds.yaml", `clouds:\n  c:\n${entry.replace(/^/gm, "    ")}\n`);
    return loadCloudConfig("c", opts);
  }

  it("password with ids", () => {
    const c = load("auth:\n  auth_url: https://k/v3\n  user_id: u1\n  password: pw-secret\n  project_id: p1");
    expect(c.authType).toBe("password");
    expect(c.auth).toEqual({ authUrl: "https://k/v3", userId: "u1", password: "pw-secret", projectId: "p1" });
  });

  it("password with domain_name for both domains (openstacksdk's fallback), tenant_name alias and endpoint_type alias", () => {
    const c = load("auth:\n  auth_url: https://k/v3/\n  username: a\n  password: pw-secret\n  tenant_name: t\n  domain_name: Dom\nendpoint_type: admin\nauth_type: v3password");
    expect(c.auth).toMatchObject({ authUrl: "https://k/v3", username: "a", projectName: "t", userDomainName: "Dom", projectDomainName: "Dom" });
    expect(c.interface).toBe("admin");
  });

  it("password with default_domain_id as the last fallback", () => {
    const c = load("auth:\n  auth_url: https://k/v3\n  username: a\n  password: pw-secret\n  project_name: p\n  default_domain_id: default\n  user_domain_name: Users");
    expect(c.auth).toMatchObject({ userDomainName: "Users", projectDomainId: "default" });
    expect(c.auth.userDomainId).toBeUndefined();
  });

  it("openstackclient's OS_DEFAULT_DOMAIN fills both domains", () => {
    Object.assign(opts.env, { OS_AUTH_URL: "https://k/v3", OS_USERNAME: "a", OS_PASSWORD: "pw-secret", OS_PROJECT_NAME: "p", OS_DEFAULT_DOMAIN: "default" });
    expect(loadCloudConfig("envvars", opts).auth).toMatchObject({ userDomainId: "default", projectDomainId: "default" });
  });

  it("application credential by id, and by name with the user", () => {
    const byId = load("auth_type: v3applicationcredential\nauth:\n  auth_url: https://k/v3\n  application_credential_id: ac1\n  application_credential_secret: ac-secret");
    expect(byId.authType).toBe("v3applicationcredential");
    expect(byId.auth).toEqual({ authUrl: "https://k/v3", applicationCredentialId: "ac1", applicationCredentialSecret: "ac-secret" });
    const byName = load(
      "auth_type: v3applicationcredential\nauth:\n  auth_url: https://k/v3\n  application_credential_name: ci\n  application_credential_secret: ac-secret\n  username: bob\n  user_domain_id: default",
    );
    expect(byName.auth).toMatchObject({ applicationCredentialName: "ci", username: "bob", userDomainId: "default" });
    const missing = configError(() => load("auth_type: v3applicationcredential\nauth:\n  auth_url: https://k/v3\n  application_credential_name: ci\n  application_credential_secret: s3cret"));
    expect(missing.message).toContain("clouds.c.auth.username: required with application_credential_name (or user_id)");
  });

  it("token and v3token with project scope", () => {
    for (const t of ["token", "v3token"]) {
      const c = load(`auth_type: ${t}\nauth:\n  auth_url: https://k/v3\n  token: gAAAA-token\n  project_id: p1`);
      expect(c.authType).toBe("token");
      expect(c.auth).toEqual({ authUrl: "https://k/v3", token: "gAAAA-token", projectId: "p1" });
    }
  });

  it("TLS settings: verify false, insecure, cacert relative to the working directory", () => {
    const base = "auth:\n  auth_url: https://k/v3\n  user_id: u\n  password: pw-secret\n  project_id: p";
    expect(load(`${base}\nverify: false`).verify).toBe(false);
    expect(load(`${base}\ninsecure: true`).verify).toBe(false);
    const c = load(`${base}\ncacert: certs/ca.pem\ncert: ~/client.pem`);
    expect(c.verify).toBe(true);
    expect(c.cacert).toBe(path.join(opts.cwd, "certs/ca.pem"));
    expect(c.cert).toBe(path.join(opts.home, "client.pem"));
  });

  it("rejects Keystone v2 and unsupported auth types", () => {
    const base = "auth:\n  auth_url: https://k/v3\n  user_id: u\n  password: pw-secret\n  project_id: p";
    expect(configError(() => load(`${base}\nidentity_api_version: 2`)).message).toContain("clouds.c.identity_api_version: must be 3 (Keystone v2 is not supported)");
    expect(configError(() => load(`${base}\nauth_type: v3oidcpassword`)).message).toContain('clouds.c.auth_type: "v3oidcpassword" is not supported');
  });
});

describe("broken files", () => {
  it("names the file and line of a YAML syntax error", () => {
    const file = write("cwd/clouds.yaml", "clouds:\n  src:\n    auth:\n      auth_url: [unclosed\n      username: a\n");
    const e = configError(() => loadCloudConfig("src", opts));
    expect(e.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: YAML syntax error: `));
    const line = Number(/:(\d+):\d+: YAML/.exec(e.message)?.[1]);
    expect(line).toBeGreaterThanOrEqual(4);
  });

  it("names the file and the key path of a missing or wrong key, listing every problem", () => {
    const file = write("cwd/clouds.yaml", "clouds:\n  src:\n    auth:\n      username: alice\n      password: pw-secret\n      project_name: demo\n      user_domain_name: Default\n      project_domain_name: 7\n    interface: outside\n");
    const e = configError(() => loadCloudConfig("src", opts));
    expect(e.message).toBe(`${file}: clouds.src.auth.auth_url: required (and 1 more)`);
    expect(e.details).toEqual([`${file}: clouds.src.auth.auth_url: required`, `${file}: clouds.src.interface: "outside" is not one of public, internal, admin`]);
    expect(e.message).not.toContain("pw-secret");
  });

  it("reports a non-URL auth_url and a cloud that is not a mapping", () => {
    const file = write("cwd/clouds.yaml", "clouds:\n  a:\n    auth:\n      auth_url: keystone.example\n      user_id: u\n      password: pw-secret\n      project_id: p\n  b: just-a-string\n");
    expect(configError(() => loadCloudConfig("a", opts)).message).toBe(`${file}: clouds.a.auth.auth_url: must be an http(s) URL`);
    expect(configError(() => loadCloudConfig("b", opts)).message).toBe(`${file}: clouds.b: must be a mapping`);
  });
});
