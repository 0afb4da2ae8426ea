/**
 * Two simulated SCS clouds for end-to-end tests, a clouds.yaml for them, a
 * plans folder, and the environment the CLI needs to use both. The source
 * offers a non-SCS flavor (`m1.legacy`), like a provider one switches away
 * from. Delays are small so a medium migration runs in seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectCloud } from "../../src/executor/connect.js";
import { collectInventory } from "../../src/inventory/collect.js";
import type { Inventory } from "../../src/model/inventory.js";
import type { OpenStackCloud } from "../../src/openstack/cloud.js";
import { startSim, type SimCloudOptions, type SimServer } from "../../src/sim/index.js";
import { seedTenant } from "../../src/tenant/seed.js";
import { loadTenantSpec, type TenantSpec } from "../../src/tenant/spec.js";

export const FAST_DELAYS = { serverBuild: 20, serverDelete: 10, serverAction: 10, serverImage: 10, volumeCreate: 10, volumeDownload: 10, volumeDelete: 10, volumeAttach: 10, imageSave: 10 };

export interface SimEnv {
  sim: SimServer;
  dir: string;
  cfg: string;
  plans: string;
  env: Record<string, string>;
  connect(name: string): Promise<OpenStackCloud>;
  inventory(name: string): Promise<Inventory>;
  close(): Promise<void>;
}

/** Starts "src" and "dst" (names overridable) with fast delays. */
export async function startSimEnv(over: { src?: Partial<SimCloudOptions>; dst?: Partial<SimCloudOptions> } = {}): Promise<SimEnv> {
  const sim = await startSim({
    clouds: [
      { name: "src", delays: FAST_DELAYS, extraFlavors: [{ name: "m1.legacy", vcpus: 2, ram: 4096, disk: 20, isPublic: false }], ...over.src },
      // Room for several migrations of the medium tenant side by side.
      { name: "dst", delays: FAST_DELAYS, externalCidr: "198.51.100.0/24", quotas: { instances: 50, cores: 400, ram: 1024000, volumes: 60, gigabytes: 5000, security_group: 60, security_group_rule: 1000, router: 20, server_groups: 20 }, ...over.dst },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), "smig-e2e-"));
  const cfg = join(dir, "clouds.yaml");
  writeFileSync(cfg, sim.cloudsYaml(), { mode: 0o600 });
  const plans = join(dir, "plans");
  const connect = (name: string) => connectCloud(name, { configFile: cfg });
  return {
    sim,
    dir,
    cfg,
    plans,
    env: { OS_CLIENT_CONFIG_FILE: cfg, SCS_MIGRATE_PLANS_DIR: plans },
    connect,
    async inventory(name) {
      const c = await connect(name);
      try {
        return await collectInventory(c);
      } finally {
        c.close();
      }
    },
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Seeds a tenant spec (default: the medium fixture) into a cloud of the env. */
export async function seed(env: SimEnv, cloud: string, spec: TenantSpec | string = "fixtures/tenants/medium.yaml"): Promise<void> {
  const c = await env.connect(cloud);
  try {
    await seedTenant(c, typeof spec === "string" ? loadTenantSpec(spec) : spec, { pollMs: 10, onProgress: () => {} });
  } finally {
    c.close();
  }
}

const EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

/**
 * The MD5 of a simulated volume's bytes. The simulator stores a blank volume
 * as no bytes at all, and one made from a 0-byte image as an empty blob; both
 * are the same blank disk, so both read as the MD5 of nothing.
 */
export function volumeMd5(env: SimEnv, cloud: string): (volumeId: string) => string | null {
  return (id) => {
    const v = env.sim.cloud(cloud).store.volumes.get(id);
    return v ? (v.blob?.md5 ?? EMPTY_MD5) : null;
  };
}
