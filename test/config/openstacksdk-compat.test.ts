/**
 * clouds.yaml variants that work with openstacksdk / the openstack CLI must
 * work (or fail) the same way here, one test per variant.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultCloudName, loadCloudConfig, type LoadCloudOptions } from "../../src/config/clouds.js";
import { ConfigError } from "../../src/errors.js";
import { tlsOptionsOf } from "../../src/openstack/session.js";
import { HttpClient } from "../../src/openstack/http.js";

let root: string;
let opts: Required<LoadCloudOptions> & { env: Record<string, string | undefined> };

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "sdk-compat-"));
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

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const OPENRC = {
  OS_AUTH_URL: "https://keystone.example:5000/v3",
  OS_PROJECT_ID: "0123abcd",
  OS_PROJECT_NAME: "shop",
  OS_USER_DOMAIN_NAME: "Default",
  OS_PROJECT_DOMAIN_ID: "default",
  OS_USERNAME: "alice",
  OS_PASSWORD: "openrc-Secret-1",
  OS_REGION_NAME: "RegionOne",
  OS_INTERFACE: "public",
  OS_IDENTITY_API_VERSION: "3",
};

describe("cloud selection without --cloud", () => {
  it("OS_CLOUD names the default cloud", () => {
    write("cwd/clouds.yaml", "clouds:\n  a:\n    auth: {auth_url: https://a/v3, user_id: u, password: pw-secret, project_id: p}\n  b:\n    auth: {auth_url: https://b/v3, user_id: u, password: pw-secret, project_id: p}\n");
    expect(defaultCloudName(opts)).toBeUndefined();
    opts.env.OS_CLOUD = "b";
    expect(defaultCloudName(opts)).toBe("b");
    expect(loadCloudConfig(defaultCloudName(opts), opts).auth.authUrl).toBe("https://b/v3");
  });

  it("a plain openrc (only OS_* variables, no clouds.yaml) is the cloud envvars", () => {
    Object.assign(opts.env, OPENRC);
    expect(defaultCloudName(opts)).toBe("envvars");
    const c = loadCloudConfig(defaultCloudName(opts), opts);
    expect(c).toMatchObject({ name: "envvars", authType: "password", regionName: "RegionOne", auth: { username: "alice", projectId: "0123abcd", userDomainName: "Default" } });
  });

  it("the only cloud of clouds.yaml is the default", () => {
    write("cwd/clouds.yaml", "clouds:\n  only:\n    auth: {auth_url: https://o/v3, user_id: u, password: pw-secret, project_id: p}\n");
    expect(defaultCloudName(opts)).toBe("only");
  });
});

describe("profiles from clouds-public.yaml", () => {
  it("merges the vendor profile under the entry: the entry wins, auth merges key by key", () => {
    write(
      "home/.config/openstack/clouds-public.yaml",
      "public-clouds:\n  scs-vendor:\n    auth:\n      auth_url: https://keystone.vendor.example/v3\n      user_domain_name: Vendor\n    region_name: vendor-1\n    identity_api_version: 3\n    interface: public\n",
    );
    write("cwd/clouds.yaml", "clouds:\n  mine:\n    profile: scs-vendor\n    auth:\n      username: alice\n      password: pw-secret\n      project_name: shop\n      project_domain_name: Vendor\n    region_name: vendor-2\n");
    const c = loadCloudConfig("mine", opts);
    expect(c.auth).toMatchObject({ authUrl: "https://keystone.vendor.example/v3", username: "alice", userDomainName: "Vendor", projectName: "shop" });
    expect(c.regionName).toBe("vendor-2");
  });

  it("names a profile that is defined nowhere when the entry is incomplete", () => {
    const file = write("cwd/clouds.yaml", "clouds:\n  mine:\n    profile: nowhere\n    auth: {username: a, password: pw-secret, project_id: p}\n");
    const e = configError(() => loadCloudConfig("mine", opts));
    expect(e.details.join("\n")).toContain(`${file}: clouds.mine.profile: "nowhere" is not defined in any clouds-public.yaml`);
  });
});

describe("secrets and environment", () => {
  it("OS_PASSWORD beside a clouds.yaml entry is not merged (as openstacksdk), and the error says so", () => {
    write("cwd/clouds.yaml", "clouds:\n  c:\n    auth: {auth_url: https://k/v3, username: a, project_name: p}\n");
    opts.env.OS_PASSWORD = "env-only-Secret";
    const e = configError(() => loadCloudConfig("c", opts));
    expect(e.message).toMatch(/clouds\.c\.auth\.password: required$/);
    expect(e.hint).toMatch(/OS_PASSWORD is set, but OS_\* variables are not merged into a clouds\.yaml cloud/);
    expect(e.hint).toMatch(/secure\.yaml/);
  });

  it("a problem with a key from secure.yaml names secure.yaml", () => {
    write("cwd/clouds.yaml", "clouds:\n  c:\n    auth: {auth_url: https://k/v3, username: a, project_name: p}\n");
    const secure = write("cwd/secure.yaml", "clouds:\n  c:\n    auth:\n      password: [not, a, string]\n");
    const e = configError(() => loadCloudConfig("c", opts));
    expect(e.message).toBe(`${secure}: clouds.c.auth.password: must be a string`);
  });

  it("a secure.yaml that is not a mapping of clouds names secure.yaml", () => {
    write("cwd/clouds.yaml", "clouds:\n  c:\n    auth: {auth_url: https://k/v3, username: a, project_name: p}\n");
    const secure = write("cwd/secure.yaml", "clouds: just-a-string\n");
    expect(configError(() => loadCloudConfig("c", opts)).message).toBe(`${secure}: clouds: must be a mapping of cloud names`);
    write("cwd/secure.yaml", "clouds:\n  c: [1, 2]\n");
    expect(configError(() => loadCloudConfig("c", opts)).message).toBe(`${secure}: clouds.c: must be a mapping`);
    write("cwd/secure.yaml", "clouds:\n  c:\n    auth: [unclosed\n");
    expect(configError(() => loadCloudConfig("c", opts)).message).toMatch(new RegExp(`^${secure.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: YAML syntax error`));
  });
});

describe("domains, regions, auth types, TLS", () => {
  function load(entry: string) {
    write("cwd/clouds.yaml", `clouds:\n  c:\n${entry.replace(/^/gm, "    ")}\n`);
    return loadCloudConfig("c", opts);
  }

  it("omitted user and project domains fall back to the domain id default (openstackclient's OS_DEFAULT_DOMAIN)", () => {
    const c = load("auth:\n  auth_url: https://k/v3\n  username: a\n  password: pw-secret\n  project_name: p");
    expect(c.auth).toMatchObject({ userDomainId: "default", projectDomainId: "default" });
    expect(c.auth.userDomainName).toBeUndefined();
    const named = load("auth:\n  auth_url: https://k/v3\n  username: a\n  password: pw-secret\n  project_name: p\n  user_domain_name: Users");
    expect(named.auth).toMatchObject({ userDomainName: "Users", projectDomainId: "default" });
    expect(named.auth.userDomainId).toBeUndefined();
  });

  it("region_name must be one of regions: (case sensitive); without region_name the first region is used", () => {
    const base = "auth:\n  auth_url: https://k/v3\n  user_id: u\n  password: pw-secret\n  project_id: p\nregions:\n  - RegionOne\n  - name: RegionTwo\n    values: {}";
    expect(load(base).regionName).toBe("RegionOne");
    expect(load(`${base}\nregion_name: RegionTwo`).regionName).toBe("RegionTwo");
    const e = configError(() => load(`${base}\nregion_name: regionthree`));
    expect(e.message).toContain('clouds.c.region_name: "regionthree" is not one of the regions of this cloud: RegionOne, RegionTwo (region names are case sensitive)');
    opts.env.OS_REGION_NAME = "RegionTwo";
    expect(load(base).regionName).toBe("RegionTwo");
  });

  it("auth.token without auth_type means token auth (v3token)", () => {
    const c = load("auth:\n  auth_url: https://k/v3\n  token: gAAAA-some-token\n  project_name: p\n  project_domain_id: default");
    expect(c.authType).toBe("token");
    expect(c.auth.token).toBe("gAAAA-some-token");
  });

  it("a cacert file that does not exist is ignored for a plain-http cloud (as openstacksdk does) and fails an https request", async () => {
    const c = load("auth:\n  auth_url: http://127.0.0.1:1/v3\n  user_id: u\n  password: pw-secret\n  project_id: p\ncacert: /nonexistent/ca.pem");
    const tls = tlsOptionsOf(c);
    expect(tls.ca).toBeUndefined();
    expect(tls.caError).toMatch(/cannot read cacert \/nonexistent\/ca\.pem/);
    const http = new HttpClient({ tls, retries: 0 });
    try {
      const err = await http.request({ method: "GET", url: "https://127.0.0.1:1/x" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/cannot read cacert \/nonexistent\/ca\.pem: ENOENT \(needed for https:\/\/127\.0\.0\.1:1\/x\)/);
    } finally {
      http.close();
    }
    const https = load("auth:\n  auth_url: https://k/v3\n  user_id: u\n  password: pw-secret\n  project_id: p\ncacert: /nonexistent/ca.pem");
    expect(() => tlsOptionsOf(https)).toThrow(ConfigError);
  });
});
