/**
 * Records real responses of the lab into fixtures/real/ (the fidelity loop:
 * the simulator's conformance tests replay them).
 *
 *   npx tsx test/openstack-lab/capture.ts [OUT_DIR]      (default fixtures/real)
 *   env OSLAB_CLOUDS_YAML (default /var/lib/oslab/out/clouds.yaml)
 *
 * It works in two throwaway projects with a throwaway member user, so the
 * captures show what a tenant sees and nothing in src/dst is touched:
 * `scs-migrate-capture` (everything else) and `scs-migrate-capture-quota`
 * (tiny quotas, for the quota errors). Both, the user and all resources are
 * deleted at the end, and also at the start when an interrupted run left them.
 * Secrets (passwords, tokens, adminPass, EC2 secrets, S3 signatures) are
 * replaced before writing; ids and EC2 access keys are kept.
 *
 * API: see the two scenario files; keystone /v3/projects, /v3/users,
 * /v3/projects/{p}/users/{u}/roles/{r} for the throwaway identities.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { call, expectStatus, FixtureWriter, login, registerSecret, type Session } from "./capture-http.js";
import { deleteUser, findByName, purgeProject } from "./capture-cleanup.js";
import { captureBasics } from "./capture-basics.js";
import { captureWorkloads } from "./capture-workloads.js";
import { captureOctavia } from "./capture-octavia.js";
import { captureS3 } from "./capture-s3.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KEYSTONE = "http://127.0.0.1:5000/v3";
const CLOUDS_YAML = process.env.OSLAB_CLOUDS_YAML ?? "/var/lib/oslab/out/clouds.yaml";
const MAIN_PROJECT = "scs-migrate-capture";
const QUOTA_PROJECT = "scs-migrate-capture-quota";
const CAPTURE_USER = "scs-migrate-capture-user";

/** What the scenarios get: sessions, ids and the writer. */
export interface CaptureContext {
  keystone: string;
  admin: Session;
  user: Session;
  quotaUser: Session;
  userName: string;
  userPassword: string;
  out: FixtureWriter;
}

async function cleanup(admin: Session): Promise<void> {
  for (const name of [MAIN_PROJECT, QUOTA_PROJECT]) {
    const id = await findByName(admin, KEYSTONE, "projects", name);
    if (!id) continue;
    await purgeProject(admin, id);
    await call("DELETE", `${KEYSTONE}/projects/${id}`, { token: admin.token });
    process.stderr.write(`cleanup: project ${name} deleted\n`);
  }
  const uid = await findByName(admin, KEYSTONE, "users", CAPTURE_USER);
  if (uid) {
    await deleteUser(admin, KEYSTONE, uid);
    process.stderr.write(`cleanup: user ${CAPTURE_USER} deleted\n`);
  }
}

async function setupIdentities(admin: Session, password: string): Promise<void> {
  const tok = { token: admin.token };
  const roles = await call("GET", `${KEYSTONE}/roles`, tok);
  const roleId = (n: string) => (roles.reply.body.roles as { id: string; name: string }[]).find((r) => r.name === n)!.id;
  const hasRole = (n: string) => (roles.reply.body.roles as { name: string }[]).some((r) => r.name === n);
  const user = expectStatus(
    "create user",
    await call("POST", `${KEYSTONE}/users`, {
      ...tok,
      json: { user: { name: CAPTURE_USER, domain_id: "default", password, description: "scs-migrate capture.ts" } },
    }),
    201,
  ).body.user;
  for (const name of [MAIN_PROJECT, QUOTA_PROJECT]) {
    const project = expectStatus(
      `create project ${name}`,
      await call("POST", `${KEYSTONE}/projects`, {
        ...tok,
        json: { project: { name, domain_id: "default", description: "throwaway project of capture.ts" } },
      }),
      201,
    ).body.project;
    // load-balancer_member: Octavia's default policy wants it for any call; only
    // in the main project, so the quota project shows the refusal without it
    const lbRole = name === MAIN_PROJECT && hasRole("load-balancer_member") ? ["load-balancer_member"] : [];
    for (const role of ["member", "reader", ...lbRole]) {
      expectStatus(
        `grant ${role}`,
        await call("PUT", `${KEYSTONE}/projects/${project.id}/users/${user.id}/roles/${roleId(role)}`, tok),
        204,
      );
    }
  }
}

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, "fixtures/real"));
  const clouds = parseYaml(readFileSync(CLOUDS_YAML, "utf8")) as {
    clouds: Record<string, { auth: { username: string; password: string; project_name: string } }>;
  };
  const adminAuth = clouds.clouds.admin!.auth;
  const admin = await login(KEYSTONE, adminAuth.username, adminAuth.password, adminAuth.project_name);
  await cleanup(admin);

  const userPassword = `cap-${randomBytes(12).toString("hex")}`;
  registerSecret(userPassword);
  await setupIdentities(admin, userPassword);
  // written fresh each run so files of removed captures do not linger
  for (const dir of ["keystone", "nova", "cinder", "glance", "neutron", "octavia", "s3", "swift", "sequences"]) {
    rmSync(path.join(out, dir), { recursive: true, force: true });
  }
  const writer = new FixtureWriter(out);
  const t0 = Date.now();
  try {
    const user = await login(KEYSTONE, CAPTURE_USER, userPassword, MAIN_PROJECT);
    const quotaUser = await login(KEYSTONE, CAPTURE_USER, userPassword, QUOTA_PROJECT);
    const ctx: CaptureContext = { keystone: KEYSTONE, admin, user, quotaUser, userName: CAPTURE_USER, userPassword, out: writer };
    const basics = await captureBasics(ctx);
    await captureWorkloads(ctx, basics);
    await captureOctavia(ctx, basics);
    await captureS3(ctx);
  } finally {
    await cleanup(admin);
  }
  const versions = await call("GET", "http://127.0.0.1:8774/", {});
  writer.finish({
    captured_at: new Date().toISOString().slice(0, 10),
    cloud: "test/openstack-lab (OpenStack Zed, Debian 12 packages)",
    nova_max_microversion: versions.reply.body.versions?.find((v: { id: string }) => v.id === "v2.1")?.version,
    seconds: Math.round((Date.now() - t0) / 1000),
  });
  process.stderr.write(`capture: ${writer.index.length} files in ${out} (${Math.round((Date.now() - t0) / 1000)} s)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`capture failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
