/**
 * Messages a person can act on for the auth cases that used to mislead:
 * an expired or unknown token, and an application credential next to a
 * project name that is not its own.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthError, EXIT } from "../../src/errors.js";
import { configureLogging } from "../../src/log.js";
import { OpenStackCloud } from "../../src/openstack/cloud.js";
import { FAST_HTTP, FakeOpenStack, fakeCloud, PROJECT_ID } from "../helpers/fake-openstack.js";

let fake: FakeOpenStack;
const lines: string[] = [];

beforeEach(async () => {
  fake = await FakeOpenStack.start();
  lines.length = 0;
  configureLogging({ level: "info", json: false, sink: { write: (l) => lines.push(l) } });
});
afterEach(async () => {
  await fake.close();
  configureLogging({ level: "info", sink: { write: (l) => process.stderr.write(l) } });
});

describe("token auth", () => {
  it("an expired or unknown token (Keystone's 404) is 'the token was refused', exit 4", async () => {
    fake.on("POST", "/identity/v3/auth/tokens", {
      status: 404,
      json: { error: { code: 404, title: "Not Found", message: "Could not find token: gAAAAexpired-token-value." } },
    });
    const cloud = fakeCloud(fake, { authType: "token", auth: { authUrl: fake.authUrl, token: "gAAAAexpired-token-value", projectId: PROJECT_ID } });
    const err = await OpenStackCloud.connect(cloud, { http: FAST_HTTP }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    const e = err as AuthError;
    expect(e.exitCode).toBe(EXIT.AUTH);
    expect(e.message).toMatch(/^authentication failed for cloud fake at .*: the token was refused \(expired, revoked or unknown; 404\)/);
    expect(e.message).not.toContain("not Keystone");
    expect(e.message).not.toContain("gAAAAexpired-token-value");
    expect(e.hint).toMatch(/new token/);
  });

  it("a 404 from a service that is not Keystone is still called that", async () => {
    fake.on("POST", "/identity/v3/auth/tokens", { status: 404, body: "<html>nginx</html>" });
    const err = await OpenStackCloud.connect(fakeCloud(fake), { http: FAST_HTTP }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/404 from a service that is not Keystone v3/);
  });
});

describe("application credentials", () => {
  it("warns when clouds.yaml names another project than the credential's own", async () => {
    const cloud = fakeCloud(fake, {
      authType: "v3applicationcredential",
      auth: { authUrl: fake.authUrl, applicationCredentialId: "ac-1", applicationCredentialSecret: "ac-Secret-xyz", projectName: "other-project" },
    });
    const c = await OpenStackCloud.connect(cloud, { http: FAST_HTTP });
    try {
      expect(c.projectName).toBe("demo");
      const warn = lines.find((l) => l.startsWith("WARN: "));
      expect(warn).toMatch(/cloud fake: clouds\.yaml names project other-project, but the application credential is bound to its own project demo \(.+\), which is the one used/);
    } finally {
      c.close();
    }
  });

  it("says nothing when the project is the credential's own", async () => {
    const cloud = fakeCloud(fake, {
      authType: "v3applicationcredential",
      auth: { authUrl: fake.authUrl, applicationCredentialId: "ac-1", applicationCredentialSecret: "ac-Secret-xyz", projectName: "demo" },
    });
    (await OpenStackCloud.connect(cloud, { http: FAST_HTTP })).close();
    expect(lines.filter((l) => l.startsWith("WARN: "))).toEqual([]);
  });
});
