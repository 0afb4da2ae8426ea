/**
 * P2, inventory: a large simulated tenant listed by the built CLI
 * (`node bin/scs-migrate.js inventory --cloud X --json`, stdout discarded)
 * and, as the peer baseline in the same run, by Debian's openstackclient
 * listing the same resources command after command. Wall times include
 * process start-up for both, as a user sees them.
 *
 * The tenant is seeded through the simulator's API with concurrency (there
 * is no bulk path in its store). One untimed run of the tool comes first: it
 * warms file caches and checks that the tool saw the whole tenant. The
 * openstackclient runs keep their output (a pipe costs nothing next to ten
 * Python start-ups) and the first is checked the same way.
 *
 * Quirk: `server list` gets `--limit -1`, because novaclient otherwise stops
 * after Nova's first page (1,000 servers) as it does on a real cloud, and
 * would list less than the tool does.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSim } from "../src/sim/index.js";
import { REPO_ROOT, runCommand, type CommandResult } from "./lib/child.js";
import { fmt, type BenchResult, type Row } from "./lib/report.js";
import { inParallel, simCall, simToken, waitVolume } from "./lib/sim-api.js";
import { median, round } from "./lib/stats.js";

/** Tenant size and repetitions of P2. */
export interface P2Config {
  servers: number;
  reps: number;
  /** Repetitions of the openstackclient baseline (each is ten Python start-ups). */
  peerReps: number;
}

export const P2_FULL: P2Config = { servers: 2000, reps: 3, peerReps: 2 };
export const P2_QUICK: P2Config = { servers: 200, reps: 3, peerReps: 1 };

const CLOUD = "bench-big";
const UNLIMITED = { instances: -1, cores: -1, ram: -1, volumes: -1, gigabytes: -1, port: -1, security_group: -1, security_group_rule: -1, network: -1, subnet: -1 } as const;
const ZERO = { serverBuild: 0, serverDelete: 0, serverAction: 0, serverImage: 0, volumeCreate: 0, volumeDownload: 0, volumeDelete: 0, volumeAttach: 0, imageSave: 0 };

/** The openstackclient commands of the baseline, in order. */
const PEER_COMMANDS: string[][] = [
  ["server", "list", "--long", "--limit", "-1"],
  ["volume", "list", "--long"],
  ["port", "list"],
  ["security", "group", "rule", "list"],
  ["network", "list"],
  ["subnet", "list"],
  ["floating", "ip", "list"],
  ["image", "list"],
  ["flavor", "list"],
  ["keypair", "list"],
];

function findOpenstack(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v openstack"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Builds the tool once; a failing build (someone's work in progress) is recorded, and dist/ is used as emitted. */
function buildCli(log: (s: string) => void): string | null {
  const t0 = performance.now();
  try {
    execFileSync(process.execPath, [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    log(`P2: built the CLI in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return null;
  } catch (err) {
    const out = String((err as { stdout?: Buffer }).stdout ?? "").trim().split("\n").slice(0, 5).join("\n");
    log(`P2: the build reported errors; timing dist/ as emitted:\n${out}`);
    return out || "tsc failed";
  }
}

/** Runs P2 and returns its figures. */
export async function runP2(cfg: P2Config, log: (s: string) => void): Promise<Omit<BenchResult, "wallSeconds">> {
  const buildProblem = buildCli(log);
  if (!existsSync(path.join(REPO_ROOT, "dist", "cli.js"))) throw new Error("dist/cli.js is missing after the build");
  const dir = mkdtempSync(path.join(tmpdir(), "scs-bench-p2-"));
  const sim = await startSim({ clouds: [{ name: CLOUD, quotas: UNLIMITED, delays: ZERO, dataDir: path.join(dir, "data") }] });
  try {
    const c = sim.cloud(CLOUD);
    const cloudsFile = path.join(dir, "clouds.yaml");
    writeFileSync(cloudsFile, sim.cloudsYaml(), { mode: 0o600 });
    const call = simCall(c, await simToken(c));

    // Seed: 1 network, N servers (one port each), 2N more ports, 2N volumes, 0.15N groups of 8 extra rules.
    const t0 = performance.now();
    const n = cfg.servers;
    const net = (await call("POST", "/network/v2.0/networks", { network: { name: "big" } })).network;
    await call("POST", "/network/v2.0/subnets", { subnet: { name: "big-sub", network_id: net.id, cidr: "10.128.0.0/17", ip_version: 4 } });
    const flavor = [...c.store.flavors.values()].find((f) => f.name === "SCS-2V-4-20s")!;
    const image = [...c.store.images.values()][0]!;
    await inParallel(n, 32, async (i) => {
      await call("POST", "/compute/v2.1/servers", { server: { name: `s${i}`, flavorRef: flavor.id, imageRef: image.id, networks: [{ uuid: net.id }] } });
    });
    await inParallel(2 * n, 32, async (i) => {
      await call("POST", "/network/v2.0/ports", { port: { network_id: net.id, name: `p${i}` } });
    });
    const vols: string[] = [];
    await inParallel(2 * n, 32, async (i) => {
      vols.push((await call("POST", "/volume/v3/{project}/volumes", { volume: { size: 1, name: `v${i}` } })).volume.id);
    });
    const groups = Math.round(0.15 * n);
    await inParallel(groups, 16, async (i) => {
      const g = (await call("POST", "/network/v2.0/security-groups", { security_group: { name: `g${i}` } })).security_group;
      for (let p = 0; p < 8; p++) {
        await call("POST", "/network/v2.0/security-group-rules", { security_group_rule: { security_group_id: g.id, direction: "ingress", protocol: "tcp", port_range_min: 1000 + p, port_range_max: 1000 + p } });
      }
    });
    for (const v of vols) await waitVolume(call, v, "available");
    const counts = { servers: c.store.servers.size, volumes: c.store.volumes.size, ports: c.store.ports.size, securityGroups: groups + 1, rules: (groups + 1) * 2 + groups * 8 };
    log(`P2: seeded ${counts.servers} servers, ${counts.volumes} volumes, ${counts.ports} ports, ${groups} groups in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, OS_CLIENT_CONFIG_FILE: cloudsFile, LANG: "C.UTF-8" };
    const cli = [path.join(REPO_ROOT, "bin", "scs-migrate.js"), "inventory", "--cloud", CLOUD, "--json"];
    const ours = async (capture: boolean): Promise<CommandResult> => {
      const r = await runCommand(process.execPath, cli, { env, captureStdout: capture });
      if (r.code !== 0) throw new Error(`scs-migrate inventory exited ${r.code}: ${r.stderr.trim().slice(-800)}`);
      return r;
    };
    // Untimed check run: the tool must see the whole tenant.
    const inv = JSON.parse((await ours(true)).stdout) as Record<string, unknown[]>;
    const seen = { servers: inv.servers?.length, volumes: inv.volumes?.length, ports: inv.ports?.length, securityGroups: inv.security_groups?.length };
    for (const k of ["servers", "volumes", "ports", "securityGroups"] as const) {
      if (seen[k] !== counts[k]) throw new Error(`the tool's inventory has ${seen[k]} ${k}, the simulator ${counts[k]}`);
    }
    const oursRuns: CommandResult[] = [];
    for (let i = 0; i < cfg.reps; i++) oursRuns.push(await ours(false));
    const oursMs = median(oursRuns.map((r) => r.ms));
    const oursRss = Math.max(...oursRuns.map((r) => r.maxRssKiB ?? 0)) / 1024;
    log(`P2: scs-migrate inventory: ${fmt(oursMs / 1000, 2)} s`);

    const rows: Row[] = [
      { metric: "tenant", value: `${counts.servers} servers`, note: `${counts.volumes} volumes, ${counts.ports} ports, ${counts.securityGroups} groups, ${counts.rules} rules` },
      { metric: "scs-migrate inventory --json", value: `${fmt(oursMs / 1000, 2)} s`, note: `peak RSS ${fmt(oursRss)} MiB` },
    ];
    const data: Record<string, unknown> = {
      tenant: counts,
      ours: { ms: round(oursMs, 0), samplesMs: oursRuns.map((r) => round(r.ms, 0)), maxRssMiB: round(oursRss, 1) },
      reps: cfg.reps,
      ...(buildProblem ? { buildProblem } : {}),
    };
    const unavailable: string[] = [];
    const openstack = findOpenstack();
    if (!openstack) {
      const msg = "openstack CLI not installed: P2 peer baseline unavailable (apt-get install python3-openstackclient)";
      log(`P2: ${msg}`);
      unavailable.push(msg);
      data.peer = { unavailable: msg };
    } else {
      const peerOnce = async (check: boolean) => {
        const per: Record<string, { ms: number; rssMiB: number | null; items?: number }> = {};
        let total = 0;
        for (const args of PEER_COMMANDS) {
          const r = await runCommand(openstack, ["--os-cloud", CLOUD, ...args, "-f", "json"], { env, captureStdout: check });
          if (r.code !== 0) throw new Error(`openstack ${args.join(" ")} exited ${r.code} against the simulator: ${r.stderr.trim().slice(-800)}`);
          total += r.ms;
          per[args.join(" ")] = { ms: round(r.ms, 0), rssMiB: r.maxRssKiB === null ? null : round(r.maxRssKiB / 1024, 1), ...(check ? { items: (JSON.parse(r.stdout) as unknown[]).length } : {}) };
        }
        return { total, per };
      };
      let peer: Record<string, unknown>;
      try {
        const runs: Awaited<ReturnType<typeof peerOnce>>[] = [];
        for (let i = 0; i < cfg.peerReps; i++) runs.push(await peerOnce(true));
        const items = (k: string) => runs[0]!.per[k]?.items;
        const peerSeen = { servers: items("server list --long --limit -1"), volumes: items("volume list --long"), ports: items("port list"), rules: items("security group rule list") };
        const peerMs = median(runs.map((r) => r.total));
        const peerRss = Math.max(...runs.flatMap((r) => Object.values(r.per).map((x) => x.rssMiB ?? 0)));
        const perCommandMs = Object.fromEntries(PEER_COMMANDS.map((a) => [a.join(" "), round(median(runs.map((r) => r.per[a.join(" ")]!.ms)), 0)]));
        peer = { ms: round(peerMs, 0), samplesMs: runs.map((r) => round(r.total, 0)), perCommandMs, maxRssMiB: round(peerRss, 1), seen: peerSeen, reps: cfg.peerReps };
        data.ratioPeerOverOurs = round(peerMs / oursMs, 2);
        log(`P2: openstackclient, ${PEER_COMMANDS.length} commands: ${fmt(peerMs / 1000, 2)} s`);
        rows.push(
          { metric: `openstack CLI, ${PEER_COMMANDS.length} list commands`, value: `${fmt(peerMs / 1000, 2)} s`, note: `peak RSS ${fmt(peerRss)} MiB per command; saw ${peerSeen.servers} servers, ${peerSeen.volumes} volumes, ${peerSeen.ports} ports, ${peerSeen.rules} rules` },
          { metric: "speed-up over openstackclient", value: `${fmt(peerMs / oursMs, 2)}×`, note: "openstack time / scs-migrate time" },
        );
      } catch (err) {
        const msg = `openstackclient against the simulator failed: ${(err as Error).message}`;
        log(`P2: ${msg}`);
        unavailable.push(msg);
        peer = { unavailable: msg };
      }
      data.peer = peer;
    }
    return { id: "p2", title: "inventory of a large tenant (built CLI vs openstackclient)", rows, data, ...(unavailable.length ? { unavailable } : {}) };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
