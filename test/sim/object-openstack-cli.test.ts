/**
 * Cross-check of the simulated Swift API with Debian's openstackclient
 * (`openstack container list`, `openstack object list`, which need
 * python3-swiftclient): objects written over S3 are listed over Swift.
 * Skipped with a message when the CLI or its object-store commands are
 * missing; the CLI's presence in CI is asserted by openstack-cli.test.ts.
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

function hasObjectCommands(): boolean {
  try {
    execFileSync("sh", ["-c", "command -v openstack >/dev/null && openstack container list --help >/dev/null 2>&1"], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}
const available = hasObjectCommands();
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

  it("lists containers and objects", async () => {
    expect((await os("container", "list")).map((x) => x["Name"])).toEqual(["cli-bucket"]);
    expect((await os("object", "list", "cli-bucket")).map((x) => x["Name"])).toEqual(["a.txt", "dir/b.txt", "dir/c.txt"]);
  });
});
