/**
 * Cross-checks of the simulated object storage with real clients:
 * openstackclient (`openstack ec2 credentials create/list`, `openstack
 * container list`, `openstack object list`) sees what S3 wrote, and the AWS
 * CLI (botocore: its own signer, multipart `s3 cp`, its checksum defaults)
 * works against the simulated s3api. Each part is skipped with a message
 * when its CLI is missing; the openstack CLI's presence in CI is asserted by
 * openstack-cli.test.ts.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { s3For } from "../s3/helpers.js";
import { useSim } from "./helpers.js";

const run = promisify(execFile);

function works(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", cmd], { timeout: 60_000, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const available = works("command -v openstack >/dev/null && openstack container list --help");
const awsCli = works("command -v aws >/dev/null && aws --version");
if (!awsCli) console.warn("AWS CLI not installed: skipping the botocore cross-check of the simulated S3 API");
if (!available) console.warn("openstack CLI with object-store commands not installed: skipping the Swift cross-check (apt-get install python3-openstackclient python3-swiftclient)");

describe.skipIf(!available)("openstackclient lists what S3 wrote", async () => {
  const sim = await useSim([{ name: "oscobj" }]);
  const c = sim.cloud("oscobj");
  const { s3, session } = await s3For(c);
  afterAll(() => session.close());
  const dir = mkdtempSync(path.join(tmpdir(), "sim-obj-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cloudsFile = path.join(dir, "clouds.yaml");
  writeFileSync(cloudsFile, sim.cloudsYaml());
  await s3.send(new CreateBucketCommand({ Bucket: "cli-bucket" }));
  for (const k of ["a.txt", "dir/b.txt", "dir/c.txt"]) await s3.send(new PutObjectCommand({ Bucket: "cli-bucket", Key: k, Body: k }));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, OS_CLIENT_CONFIG_FILE: cloudsFile };
  const os = async (...args: string[]) => JSON.parse((await run("openstack", ["--os-cloud", "oscobj", ...args, "-f", "json"], { env, timeout: 60_000 })).stdout) as Array<Record<string, unknown>>;

  it("creates and lists EC2 credentials as Keystone does", async () => {
    const created = JSON.parse((await run("openstack", ["--os-cloud", "oscobj", "ec2", "credentials", "create", "-f", "json"], { env, timeout: 60_000 })).stdout) as Record<string, string>;
    expect(created["access"]).toMatch(/^[0-9a-f]{32}$/);
    expect(created["project_id"] ?? created["tenant_id"]).toBe(c.projectId);
    expect((await os("ec2", "credentials", "list")).map((x) => x["Access"])).toContain(created["access"]);
  });

  it("lists containers and objects", async () => {
    expect((await os("container", "list")).map((x) => x["Name"])).toEqual(["cli-bucket"]);
    expect((await os("object", "list", "cli-bucket")).map((x) => x["Name"])).toEqual(["a.txt", "dir/b.txt", "dir/c.txt"]);
  });
});

describe.skipIf(!awsCli)("the AWS CLI against the simulated s3api", async () => {
  const sim = await useSim([{ name: "awscli" }]);
  const c = sim.cloud("awscli");
  const { session, access, secret } = await s3For(c);
  afterAll(() => session.close());
  const dir = mkdtempSync(path.join(tmpdir(), "sim-aws-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    ...process.env, HOME: dir, AWS_ACCESS_KEY_ID: access, AWS_SECRET_ACCESS_KEY: secret, AWS_DEFAULT_REGION: c.region,
    AWS_CONFIG_FILE: path.join(dir, "none"), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
  };
  const aws = async (...args: string[]) => (await run("aws", ["--endpoint-url", c.objectStorageUrl, "--output", "json", ...args], { env, timeout: 120_000 })).stdout;

  it("creates a bucket, uploads multipart with s3 cp, and lists it", async () => {
    await aws("s3api", "create-bucket", "--bucket", "awsbucket");
    const file = path.join(dir, "f.bin");
    writeFileSync(file, Buffer.alloc(20 * 1024 * 1024, 5));
    await aws("s3", "cp", "--only-show-errors", file, "s3://awsbucket/f.bin");
    const listed = JSON.parse(await aws("s3api", "list-objects-v2", "--bucket", "awsbucket")) as { Contents: Array<{ Key: string; Size: number; ETag: string }> };
    expect(listed.Contents.map((o) => [o.Key, o.Size])).toEqual([["f.bin", 20 * 1024 * 1024]]);
    expect(listed.Contents[0]!.ETag).toMatch(/^"[0-9a-f]{32}-\d+"$/);
    expect(c.store.objects.buckets.get("awsbucket")!.objects.get("f.bin")!.size).toBe(20 * 1024 * 1024);
  });
});
