/**
 * The medium tenant migrated between the lab's real `src` and `dst` projects
 * through the CLI, checked independently with python-openstackclient:
 * plan (mappings, skips with reasons), apply, verify (also deep), every
 * migrated resource compared field by field with its source, the markers
 * that tie each one to its source id, the bytes of a data volume digested by
 * Cinder and Glance on both sides, a second apply that creates nothing, and a
 * rollback that gives back the target exactly as it was.
 *
 * The tests of the describe block build on each other (one migration costs
 * minutes); afterAll rolls back and sweeps even when one of them failed.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLab } from "./lab.js";
import { cli, ensureBuilt, PLANS_DIR, repairSourceServers, said } from "./suite-env.js";
import { listTemps, resetMigration } from "./sweep.js";
import { comparable, projectInventory, readTenant, type TenantRead } from "./tenant-osc.js";
import { volumeDigest } from "./volume-bytes.js";

const NAME = "itest-main";
const FIXTURE = "fixtures/tenants/medium.yaml";

/** What the medium fixture holds (fixtures/tenants/medium.yaml), written out so a wrong inventory cannot agree with itself. */
const MEDIUM = {
  keypairs: ["deploy-key", "ops-key"],
  networks: ["backend-net", "frontend-net", "mgmt-net"],
  subnets: ["backend-subnet", "frontend-subnet", "mgmt-subnet"],
  routers: ["edge-router"],
  security_groups: ["app", "db", "web"],
  ports: ["app-1-port-0", "db-1-port-0", "web-1-port-0", "web-1-port-1", "web-2-port-0"],
  server_groups: ["web-spread"],
  images: ["app-image"],
  volumes: ["app-cache", "db-data", "db-root"],
  servers: ["app-1", "db-1", "web-1", "web-2"],
} as const;

const rollback = (name: string) => cli(["rollback", name, "--yes", "--poll-ms", "500"]);

let dstBefore: Record<string, string[]>;
let src: TenantRead;
let dst: TenantRead;

beforeAll(async () => {
  await ensureLab();
  await ensureBuilt();
  const notes = await resetMigration(NAME, PLANS_DIR, rollback);
  if (notes.length) console.log(`cleanup before the run:\n  ${notes.join("\n  ")}`);
  const repaired = await repairSourceServers("src");
  if (repaired.length) console.log(`hard-rebooted source servers without a fake instance: ${repaired.join(", ")}`);
});

afterAll(async () => {
  const notes = await resetMigration(NAME, PLANS_DIR, rollback);
  if (notes.length) console.log(`cleanup after the run:\n  ${notes.join("\n  ")}`);
});

describe(`migrating the medium tenant from src to dst (${NAME})`, () => {
  it("seeds the medium tenant into src (reusing what is there)", async () => {
    const r = await cli(["seed", "--cloud", "src", FIXTURE]);
    expect(r.code, said(r)).toBe(0);
    src = await readTenant("src");
    for (const [kind, names] of Object.entries(MEDIUM)) {
      for (const n of names) expect(src.counts[kind]?.[n], `src ${kind} ${n} exactly once`).toBe(1);
    }
    for (const s of MEDIUM.servers) expect(src.servers[s]?.status, `src server ${s}`).toBe("ACTIVE");
    dstBefore = await projectInventory("dst");
  });

  it("plans: every source resource is a step or a skip with a reason; flavors and images mapped", async () => {
    const r = await cli(["plan", "--from", "src", "--to", "dst", "--name", NAME, "-q"]);
    expect(r.code, said(r)).toBe(0);
    const plan = JSON.parse(readFileSync(path.join(PLANS_DIR, NAME, "plan.json"), "utf8"));
    const steps = plan.steps as Record<string, { kind: string; action: string; reason?: string; source: { id: string; name?: string } }>;
    for (const [id, s] of Object.entries(steps)) {
      if (s.action === "skip") expect(s.reason, `skipped step ${id} has a reason`).toMatch(/^skip_/);
    }
    const kindOf: Record<string, string> = {
      keypairs: "keypair", networks: "network", subnets: "subnet", routers: "router", security_groups: "security-group",
      ports: "port", server_groups: "server-group", images: "image", volumes: "volume", servers: "server",
    };
    for (const [kind, names] of Object.entries(MEDIUM)) {
      for (const n of names) {
        const id = src.ids[kind]![n]!;
        const step = Object.entries(steps).find(([, s]) => s.kind === kindOf[kind] && (s.source.id === id || (kind === "keypairs" && s.source.name === n)));
        expect(step, `plan step for src ${kind} ${n} (${id})`).toBeDefined();
        expect(step![1].action, `${step![0]}`).toBe("create");
      }
    }
    // the router's interface ports are recreated by the cloud, so they are skipped with a reason
    const ifacePorts = Object.entries(steps).filter(([, s]) => s.kind === "port" && s.action === "skip");
    expect(ifacePorts.map(([, s]) => s.reason).sort()).toEqual(["skip_managed_by_cloud", "skip_managed_by_cloud"]);
    // the floating IP of web-1 and the default security group (adopted and made to match)
    expect(Object.values(steps).filter((s) => s.kind === "floating-ip").map((s) => s.action)).toEqual(["create"]);
    expect(Object.values(steps).find((s) => s.kind === "security-group" && s.source.name === "default")?.action).toBe("adopt");
    // nothing of src is missing from the plan
    const planned = new Set(Object.values(steps).map((s) => s.source.id));
    for (const kind of ["networks", "subnets", "routers", "security_groups", "ports", "images", "volumes", "servers"]) {
      for (const [n, id] of Object.entries(src.ids[kind]!)) expect(planned.has(id), `src ${kind} ${n} is in the plan`).toBe(true);
    }

    expect(plan.mappings.flavors["m1.legacy"], "m1.legacy maps to an SCS flavor").toMatch(/^SCS-/);
    expect(plan.mappings.flavors["m1.legacy"]).toBe("SCS-2V-4-20s");
    expect(plan.mappings.images["Ubuntu 24.04"]).toBe("Ubuntu 24.04");
    expect(Object.values(steps).some((s) => s.kind === "image" && s.source.name === "Ubuntu 24.04" && s.action !== "skip"), "Ubuntu 24.04 is mapped, not copied").toBe(false);
    expect(plan.preflight.findings.filter((f: { severity: string }) => f.severity === "error")).toEqual([]);

    const show = await cli(["show", NAME]);
    expect(show.code, said(show)).toBe(0);
    expect(show.stdout).toMatch(/m1\.legacy → SCS-2V-4-20s/);
    expect(show.stdout).toMatch(/server\/db-1/);
    const validate = await cli(["validate", NAME]);
    expect(validate.code, said(validate)).toBe(0);
  });

  it("applies (exit 0)", async () => {
    const r = await cli(["apply", NAME, "--poll-ms", "500"]);
    expect(r.code, said(r)).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/completed/);
  });

  it("verifies (exit 0), also with --deep", async () => {
    const v = await cli(["verify", NAME, "--poll-ms", "500"]);
    expect(v.code, said(v)).toBe(0);
    expect(v.stdout).toMatch(/target matches the plan/);
    const deep = await cli(["verify", NAME, "--deep", "--json", "--poll-ms", "500"]);
    expect(deep.code, said(deep)).toBe(0);
    const j = JSON.parse(deep.stdout) as { ok: boolean; deep: boolean; findings: unknown[] };
    expect(j).toMatchObject({ ok: true, deep: true });
  });

  describe("the target, read with python-openstackclient, equals the source", () => {
    beforeAll(async () => {
      [src, dst] = await Promise.all([readTenant("src"), readTenant("dst")]);
    });

    it("holds every migrated resource exactly once", () => {
      for (const [kind, names] of Object.entries(MEDIUM)) {
        for (const n of names) expect(dst.counts[kind]?.[n], `dst ${kind} ${n}`).toBe(1);
      }
      // the root disks of image-booted servers arrive as private images, Ubuntu 24.04 is not copied
      expect(Object.keys(dst.counts.images!).sort()).toEqual(["app-1-root", "app-image", "web-1-root", "web-2-root"]);
      expect(dst.floating_ips).toHaveLength(1);
    });

    it("ties each resource to its source by markers", () => {
      const neutron = ["networks", "subnets", "routers", "security_groups", "ports"] as const;
      for (const kind of neutron) {
        for (const n of MEDIUM[kind]) {
          const tags: string[] = dst[kind][n].tags;
          expect(tags, `dst ${kind} ${n} tags`).toEqual(expect.arrayContaining([`scs-migrate:${NAME}`, `scs-migrate-src:${src.ids[kind]![n]}`]));
        }
      }
      expect(dst.floating_ips[0]!.tags).toEqual(expect.arrayContaining([`scs-migrate:${NAME}`, `scs-migrate-src:${src.floating_ips[0]!.id}`]));
      for (const n of MEDIUM.servers) expect(dst.servers[n].metadata, `server ${n}`).toMatchObject({ scs_migrate: NAME, scs_migrate_source: src.ids.servers![n] });
      for (const n of MEDIUM.volumes) expect(dst.volumes[n].metadata, `volume ${n}`).toMatchObject({ scs_migrate: NAME, scs_migrate_source: src.ids.volumes![n] });
      expect(dst.images["app-image"].properties).toMatchObject({ scs_migrate: NAME, scs_migrate_source: src.ids.images!["app-image"] });
    });

    it("keypairs: same public keys (fingerprints)", () => {
      for (const n of MEDIUM.keypairs) expect(dst.keypairs[n], `keypair ${n}`).toEqual(src.keypairs[n]);
    });

    it("networks and subnets: descriptions, CIDRs, gateways, pools, DNS, host routes, DHCP", () => {
      for (const n of MEDIUM.networks) expect(comparable(dst.networks[n]), `network ${n}`).toEqual(comparable(src.networks[n]));
      for (const n of MEDIUM.subnets) expect(comparable(dst.subnets[n]), `subnet ${n}`).toEqual(comparable(src.subnets[n]));
    });

    it("router: gateway on the external network and the same interfaces", () => {
      const r = dst.routers["edge-router"];
      expect(comparable(r)).toEqual(comparable(src.routers["edge-router"]));
      expect(r.gateway_network).toBe("public");
      expect(r.interfaces).toEqual(["backend-subnet 10.20.2.1", "frontend-subnet 10.20.1.1"]);
    });

    it("security groups: the same rule sets, remote-group rules pointing at the target's groups", () => {
      for (const n of [...MEDIUM.security_groups, "default"]) {
        expect(comparable(dst.security_groups[n]), `security group ${n}`).toEqual(comparable(src.security_groups[n]));
      }
      expect(dst.security_groups.db.rules).toContain("ingress IPv4 tcp 5432 5432 - group:app postgres from app");
      expect(dst.security_groups.app.rules).toContain("ingress IPv4 tcp 8080 8080 - group:web from web tier");
    });

    it("ports: fixed IPs, networks, security groups, owning server", () => {
      for (const n of MEDIUM.ports) expect(comparable(dst.ports[n]), `port ${n}`).toEqual(comparable(src.ports[n]));
    });

    it("server group: policy and members", () => {
      expect(comparable(dst.server_groups["web-spread"])).toEqual(comparable(src.server_groups["web-spread"]));
    });

    it("private image: same bytes (md5 and sha512), formats, properties, tags", () => {
      const a = dst.images["app-image"];
      const b = src.images["app-image"];
      expect(a.checksum).toBe(b.checksum);
      expect(a.properties.os_hash_value).toBe(b.properties.os_hash_value);
      expect(comparable(a)).toEqual(comparable(b));
      for (const s of ["web-1", "web-2", "app-1"]) expect(dst.images[`${s}-root`].status, `${s}-root`).toBe("active");
    });

    it("volumes: size, type, bootable, description, metadata, attached to the same servers", () => {
      for (const n of MEDIUM.volumes) expect(comparable(dst.volumes[n]), `volume ${n}`).toEqual(comparable(src.volumes[n]));
    });

    it("servers: ACTIVE with the mapped flavor, keypair, metadata, groups, volumes and fixed IPs", () => {
      const flavorOf: Record<string, string> = { "m1.legacy": "SCS-2V-4-20s" };
      for (const n of MEDIUM.servers) {
        const a = comparable(dst.servers[n]);
        const b = comparable(src.servers[n]);
        const fixed = (s: typeof a) => Object.fromEntries(Object.entries(s.addresses as Record<string, string[]>).map(([k, ips]) => [k, ips.filter((ip) => !ip.startsWith("203.0.113."))]));
        expect(a.status, `server ${n}`).toBe("ACTIVE");
        expect(a.flavor, `server ${n} flavor`).toBe(flavorOf[b.flavor] ?? b.flavor);
        expect({ ...a, flavor: 0, image: 0, addresses: fixed(a) }, `server ${n}`).toEqual({ ...b, flavor: 0, image: 0, addresses: fixed(b) });
        if (b.image !== "N/A") expect(a.image, `server ${n} boots from its copied root disk`).toBe(`${n}-root`);
        else expect(a.image, `server ${n} boots from a volume`).toBe("N/A");
      }
      // the source servers run again after the cold cutover
      for (const n of MEDIUM.servers) expect(src.servers[n].status, `src server ${n}`).toBe("ACTIVE");
    });

    it("floating IP: a new address on web-1's first port", () => {
      const f = dst.floating_ips[0]!;
      expect(f).toMatchObject({ port: "web-1-port-0", fixed_ip: "10.20.1.11", network: "public" });
      expect(f.address).toMatch(/^203\.0\.113\.\d+$/);
      expect(dst.servers["web-1"].addresses["frontend-net"]).toContain(f.address);
    });

    it("volume bytes: db-data digested by Cinder upload-to-image on both sides is equal", async () => {
      const [a, b] = await Promise.all([volumeDigest("src", src.ids.volumes!["db-data"]!), volumeDigest("dst", dst.ids.volumes!["db-data"]!)]);
      expect(a.size).toBe(2 * 1024 ** 3);
      expect(b, "db-data on dst vs src").toEqual(a);
    });

    it("leaves no temporary resources on either cloud", async () => {
      for (const cloud of ["src", "dst"]) expect(await listTemps(cloud, "scs-migrate-tmp-"), `${cloud} temporaries`).toEqual([]);
    });
  });

  it("a second apply creates nothing", async () => {
    const statusOf = async () => JSON.parse((await cli(["status", NAME, "--json"])).stdout) as { steps: { step_id: string; status: string; outcome?: string; target_id?: string }[] };
    const before = await projectInventory("dst");
    const s1 = await statusOf();
    const r = await cli(["apply", NAME, "--poll-ms", "500"]);
    expect(r.code, said(r)).toBe(0);
    expect(await projectInventory("dst")).toEqual(before);
    const s2 = await statusOf();
    expect(s2.steps.map((s) => [s.step_id, s.status, s.outcome, s.target_id])).toEqual(s1.steps.map((s) => [s.step_id, s.status, s.outcome, s.target_id]));
    expect(s2.steps.every((s) => s.status === "done" || s.status === "skipped"), JSON.stringify(s2.steps)).toBe(true);
  });

  it("rollback gives back the target exactly as it was", async () => {
    const r = await rollback(NAME);
    expect(r.code, said(r)).toBe(0);
    const after = await projectInventory("dst");
    for (const k of Object.keys(dstBefore)) expect(after[k], `dst ${k} after rollback`).toEqual(dstBefore[k]);
    expect(Object.keys(after).sort()).toEqual(Object.keys(dstBefore).sort());
  });
});
