/**
 * The demo: two embedded simulated SCS clouds on 127.0.0.1, a sample tenant
 * seeded into the first, then the whole flow a customer would run — assess,
 * plan, apply (with progress bars), verify (deep) and report — ending with a
 * summary and where the HTML report is. No credentials, no network.
 *
 * The source cloud offers a non-SCS flavor (`m1.legacy`) next to the SCS
 * ones, so the demo shows flavor mapping; the tenant has a private image, a
 * boot-from-volume server, remote-group rules, a floating IP, and a load
 * balancer in front of the web servers with its own floating IP.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assessPortability } from "../assess/assess.js";
import { connectCloud } from "../executor/connect.js";
import { applyMigration } from "../executor/apply.js";
import type { ProgressReporter } from "../executor/progress.js";
import { verifyMigration } from "../executor/verify.js";
import { collectInventory } from "../inventory/collect.js";
import { emptyMapping } from "../mapping/mapping-file.js";
import { startSim, type SimServer } from "../sim/index.js";
import { seedTenant } from "../tenant/seed.js";
import { loadTenantSpec } from "../tenant/spec.js";
import { LoadBalancerSpec } from "../tenant/seed-load-balancers.js";
import { fmtBytes } from "../util/format.js";
import { writeMigrationReport } from "../report/write.js";
import { planMigration } from "./plan-migration.js";

/** The sample tenant shipped with the tool. */
export const DEMO_TENANT = fileURLToPath(new URL("../../fixtures/tenants/medium.yaml", import.meta.url));

export interface DemoOptions {
  name: string;
  dir: string;
  tenant?: string;
  reporter: ProgressReporter;
  say: (line: string) => void;
  /** Simulated status transition delays in ms (the demo looks like a cloud at work). */
  delayMs?: number;
}

export interface DemoResult {
  ok: boolean;
  seconds: number;
  reportHtml: string;
  steps: Record<string, number>;
  bytes: number;
  floatingIps: { old: string; new: string; on?: string }[];
}

/** Starts the two simulated clouds the demo migrates between. */
export async function startDemoClouds(delayMs: number): Promise<SimServer> {
  const d = delayMs;
  const delays = { serverBuild: 4 * d, serverDelete: d, serverAction: 2 * d, serverImage: 2 * d, volumeCreate: 2 * d, volumeDownload: 2 * d, volumeDelete: d, volumeAttach: d, imageSave: d };
  return startSim({
    clouds: [
      {
        name: "demo-src",
        region: "de-north-1",
        projectName: "acme-shop",
        delays,
        extraFlavors: [{ name: "m1.legacy", vcpus: 2, ram: 4096, disk: 20, isPublic: false }],
      },
      { name: "demo-dst", region: "de-south-2", projectName: "acme-shop", delays, externalCidr: "198.51.100.0/24" },
    ],
  });
}

/**
 * A load balancer in front of the sample tenant's web servers, with a floating
 * IP on its VIP. Added here rather than to medium.yaml, whose plans are the
 * golden files of several test suites.
 */
const DEMO_LOAD_BALANCER = LoadBalancerSpec.parse({
  name: "web-lb",
  description: "in front of the web servers",
  subnet: "frontend-subnet",
  vip_address: "10.20.1.100",
  floating_ip: true,
  pools: [{ name: "web-pool", protocol: "HTTP", members: [{ server: "web-1", protocol_port: 80 }, { server: "web-2", protocol_port: 80 }], healthmonitor: { type: "HTTP", url_path: "/" } }],
  listeners: [{ name: "http", protocol: "HTTP", protocol_port: 80, default_pool: "web-pool" }],
});

/** Runs the demo end to end. */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const t0 = Date.now();
  const { say } = o;
  say("Starting two simulated SCS clouds on 127.0.0.1 (demo-src, demo-dst) …");
  const sim = await startDemoClouds(o.delayMs ?? 150);
  const cfgDir = mkdtempSync(join(tmpdir(), "scs-migrate-demo-"));
  const cfg = join(cfgDir, "clouds.yaml");
  writeFileSync(cfg, sim.cloudsYaml(), { mode: 0o600 });
  const connect = (name: string) => connectCloud(name, { configFile: cfg });
  try {
    const spec = loadTenantSpec(o.tenant ?? DEMO_TENANT);
    if (!o.tenant && spec.load_balancers.length === 0) spec.load_balancers.push(DEMO_LOAD_BALANCER);
    say(`Seeding the sample tenant "${spec.name}" into demo-src: ${spec.servers.length} servers, ${spec.volumes.length} volumes, ${spec.networks.length} networks …`);
    const src = await connect("demo-src");
    const dst = await connect("demo-dst");
    try {
      await seedTenant(src, spec, { pollMs: 50, onProgress: () => {} });
      const assessment = assessPortability(await collectInventory(src));
      say(`Portability of the source project: ${assessment.score}/100 (grade ${assessment.grade}), ${assessment.findings.length} finding(s) — see \`scs-migrate assess\``);
      say("");
      const { plan, text } = await planMigration({ name: o.name, dir: o.dir, source: src, target: dst, mapping: emptyMapping() });
      say(text);
      void plan;
    } finally {
      src.close();
      dst.close();
    }
    say("Applying the plan …");
    const applied = await applyMigration(o.dir, { connect, reporter: o.reporter, pollMs: 50 });
    o.reporter.close();
    say("");
    say("Verifying the target against the plan, volume data included …");
    const verified = await verifyMigration(o.dir, { connect, reporter: o.reporter, deep: true, pollMs: 50 });
    // Why from the report: the lines printed here must be the rows of the report the user opens next.
    const { model, paths } = await writeMigrationReport(o.dir);
    const reportHtml = paths.html;
    const bytes = model.summary.bytesMoved;
    const floatingIps = model.floatingIps.flatMap((f) => (f.oldAddress && f.newAddress ? [{ old: f.oldAddress, new: f.newAddress, ...(f.port?.startsWith("load-balancer/") ? { on: f.port } : {}) }] : []));
    const ok = applied.status === "completed" && verified.ok;
    const seconds = (Date.now() - t0) / 1000;
    say("");
    say(`${ok ? "Migration verified" : "Migration NOT verified"}: ${Object.entries(applied.counts).map(([k, v]) => `${v} ${k}`).join(", ")}; ${fmtBytes(bytes)} copied with checksums; ${verified.checked} resources checked, ${verified.findings.filter((f) => f.severity !== "warning").length} difference(s).`);
    for (const f of floatingIps) say(`  floating IP ${f.old} → ${f.new}${"on" in f ? ` on ${f.on}` : ""} (DNS must change)`);
    say(`Total ${seconds.toFixed(1)} s. Report: ${reportHtml}`);
    return { ok, seconds, reportHtml, steps: applied.counts, bytes, floatingIps };
  } finally {
    await sim.close();
    rmSync(cfgDir, { recursive: true, force: true });
  }
}
