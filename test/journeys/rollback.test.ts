/**
 * `rollback` returns the target project to exactly what it was before the
 * migration. The target is not empty to begin with: it holds its own
 * network, router, security group, keypair, volume and a server with a
 * floating IP, and its `default` security group is adopted by the migration,
 * which adds the one rule the source's default group has in addition. After
 * the rollback every pre-existing resource is still there with the same id,
 * the default group has its own rules again (same rule ids), and nothing the
 * migration made is left: no port, volume, image or floating IP. The source
 * project, whose servers the cold cutover stopped, is as it was too.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import type { Inventory } from "../../src/model/inventory.js";
import * as net from "../../src/openstack/network.js";
import { runCli } from "../helpers/cli.js";
import { JOURNEY_TIMEOUT_MS, namesOf, planAndApply, projectPicture } from "../helpers/journey.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

const RESIDENT = `
name: resident
keypairs:
  - name: resident-key
    public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg resident@example
networks:
  - name: resident-net
    subnets: [{ name: resident-subnet, cidr: 10.99.0.0/24 }]
routers:
  - { name: resident-router, external_gateway: true, interfaces: [resident-subnet] }
security_groups:
  - name: resident-sg
    rules: [{ protocol: tcp, port_range_min: 8443, port_range_max: 8443, remote_ip_prefix: 10.0.0.0/8 }]
volumes:
  - { name: resident-vol, size: 1 }
servers:
  - name: resident-vm
    flavor: SCS-2V-4-20s
    image: Ubuntu 24.04
    key_name: resident-key
    security_groups: [resident-sg]
    ports: [{ network: resident-net }]
    volumes: [resident-vol]
    floating_ip: true
`;

/** The rule the source's default group has beyond the cloud's standard ones. */
const EXTRA_DEFAULT_RULE = { direction: "ingress", ethertype: "IPv4", protocol: "tcp", port_range_min: 9100, port_range_max: 9100, remote_ip_prefix: "10.0.0.0/8" } as const;

let e: SimEnv;
let before: Inventory;
let sourceBefore: Inventory;

const defaultGroup = (inv: Inventory) => inv.security_groups.find((g) => g.name === "default" && g.project_id === inv.meta.project_id)!;
const hasExtraRule = (inv: Inventory) => defaultGroup(inv).rules.some((r) => r.port_range_min === 9100 && r.remote_ip_prefix === "10.0.0.0/8");

beforeAll(async () => {
  e = await startSimEnv();
  await seed(e, "src");
  const spec = join(e.dir, "resident.yaml");
  writeFileSync(spec, RESIDENT);
  await seed(e, "dst", spec);
  const src = await e.connect("src");
  try {
    const def = (await net.listSecurityGroups(src.network, { name: "default", project_id: src.projectId }))[0]!;
    await net.createSecurityGroupRule(src.network, { security_group_id: def.id, ...EXTRA_DEFAULT_RULE });
  } finally {
    src.close();
  }
  before = await e.inventory("dst");
  sourceBefore = await e.inventory("src");
  await planAndApply(e, "r1");
}, JOURNEY_TIMEOUT_MS);
afterAll(async () => {
  await e?.close();
});

describe("rollback", () => {
  it("the migration really changed the target (so the comparison below means something)", async () => {
    const applied = await e.inventory("dst");
    expect(namesOf(applied.servers)).toEqual(["app-1", "db-1", "resident-vm", "web-1", "web-2"]);
    expect(hasExtraRule(before)).toBe(false);
    expect(hasExtraRule(applied)).toBe(true);
    expect(applied.floating_ips.length).toBe(2);
  }, JOURNEY_TIMEOUT_MS);

  it("refuses without --yes when not on a terminal, and deletes nothing", async () => {
    const applied = projectPicture(await e.inventory("dst"));
    const r = await runCli(["rollback", "r1", "--poll-ms", "10"], e.env);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/--yes/);
    expect(projectPicture(await e.inventory("dst"))).toEqual(applied);
  }, JOURNEY_TIMEOUT_MS);

  it("with --yes leaves the target exactly as it was before the migration", async () => {
    const r = await runCli(["rollback", "r1", "--yes", "--poll-ms", "10"], e.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Rollback of r1: \d+ resource\(s\) removed/);
    const after = await e.inventory("dst");

    // What a user looks at first: nothing of the migration is left.
    expect(namesOf(after.servers)).toEqual(["resident-vm"]);
    expect(namesOf(after.volumes)).toEqual(["resident-vol"]);
    expect(after.ports.map((p) => p.id).sort()).toEqual(before.ports.map((p) => p.id).sort());
    expect(after.floating_ips.map((f) => f.id)).toEqual(before.floating_ips.map((f) => f.id));
    expect(after.images.map((i) => i.id).sort()).toEqual(before.images.map((i) => i.id).sort());
    expect(defaultGroup(after).id).toBe(defaultGroup(before).id);
    expect(defaultGroup(after).rules.map((r) => r.id).sort()).toEqual(defaultGroup(before).rules.map((r) => r.id).sort());

    // And the whole project, resource by resource, ids included.
    expect(projectPicture(after)).toEqual(projectPicture(before));
  }, JOURNEY_TIMEOUT_MS);

  it("a second rollback changes nothing and says so", async () => {
    const r = await runCli(["rollback", "r1", "--yes", "--poll-ms", "10"], e.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Rollback of r1: 0 resource\(s\) removed/);
    expect(projectPicture(await e.inventory("dst"))).toEqual(projectPicture(before));
  }, JOURNEY_TIMEOUT_MS);

  it("left the source project as it was (servers running again, no temporary copies)", async () => {
    expect(projectPicture(await e.inventory("src"))).toEqual(projectPicture(sourceBefore));
  }, JOURNEY_TIMEOUT_MS);
});
