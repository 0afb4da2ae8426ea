/**
 * `scs-migrate sim`: starts simulated SCS clouds on 127.0.0.1, writes a
 * clouds.yaml for them (usable by this tool and by openstackclient) with a
 * `<name>-admin` entry per cloud for the provider's admin, sets the projects'
 * quotas if asked, seeds a tenant if asked, and runs until interrupted.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_QUOTAS, startSim, type QuotaName } from "../sim/index.js";
import { out } from "../log.js";
import { UsageError } from "../errors.js";
import { loadTenantSpec } from "../tenant/spec.js";
import { seedTenant } from "../tenant/seed.js";
import { connectCloud } from "../executor/connect.js";

/** Parses `--quota KEY=N` values into the simulator's quota map. */
export function parseQuotaOptions(values: readonly string[]): Partial<Record<QuotaName, number>> {
  const quotas: Partial<Record<QuotaName, number>> = {};
  for (const v of values) {
    const m = /^([a-z_]+)=(-?\d+)$/.exec(v.trim());
    if (!m) throw new UsageError(`--quota takes KEY=N (e.g. instances=2), not "${v}"`);
    const key = m[1]!;
    const n = Number(m[2]);
    if (!(key in DEFAULT_QUOTAS)) throw new UsageError(`--quota: unknown quota "${key}"; known: ${Object.keys(DEFAULT_QUOTAS).join(", ")}`);
    if (n < -1) throw new UsageError(`--quota ${key}: a limit is -1 (unlimited) or more, not ${n}`);
    quotas[key as QuotaName] = n;
  }
  return quotas;
}

export async function run(opts: { clouds: string; out: string; seed?: string; delay: number; quota?: string[] }): Promise<number> {
  const names = opts.clouds.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError("--clouds needs at least one name");
  const d = opts.delay;
  const quotas = parseQuotaOptions(opts.quota ?? []);
  const delays = { serverBuild: 4 * d, serverDelete: d, serverAction: 2 * d, serverImage: 2 * d, volumeCreate: 2 * d, volumeDownload: 2 * d, volumeDelete: d, volumeAttach: d, imageSave: d };
  const sim = await startSim({
    clouds: names.map((name, i) => ({
      name,
      delays,
      quotas,
      // Distinct floating IP ranges per cloud, as two providers would have.
      externalCidr: `${i === 0 ? "203.0.113" : i === 1 ? "198.51.100" : `192.0.${i}`}.0/24`,
      // The first cloud also offers a non-SCS flavor, as a provider switching away from would.
      ...(i === 0 ? { extraFlavors: [{ name: "m1.legacy", vcpus: 2, ram: 4096, disk: 20, isPublic: false }] } : {}),
    })),
  });
  const path = resolve(opts.out);
  writeFileSync(path, sim.cloudsYaml({ admin: true }), { mode: 0o600 });
  out(`Simulated clouds running: ${sim.clouds.map((c) => `${c.name} (${c.authUrl})`).join(", ")}`);
  out(`clouds.yaml written to ${path} (admin entries: ${names.map((n) => `${n}-admin`).join(", ")}); use it with: export OS_CLIENT_CONFIG_FILE=${path}`);
  if (opts.seed) {
    const spec = loadTenantSpec(opts.seed);
    const cloud = await connectCloud(names[0]!, { configFile: path });
    const admin = await connectCloud(`${names[0]!}-admin`, { configFile: path });
    try {
      const r = await seedTenant(cloud, spec, { pollMs: 20, onProgress: () => {}, admin });
      out(`Seeded "${spec.name}" into ${names[0]}: ${r.created} resources`);
      for (const s of r.skipped) out(`  skipped: ${s}`);
    } finally {
      cloud.close();
      admin.close();
    }
  }
  out("Press Ctrl-C to stop.");
  await new Promise<void>((resolveWait) => {
    const stop = () => resolveWait();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await sim.close();
  out("Stopped.");
  return 0;
}
