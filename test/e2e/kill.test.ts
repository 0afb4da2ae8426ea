/**
 * Kill and resume: `apply` runs as a child process and is SIGKILLed at more
 * than twenty different moments — after the n-th event of a run, in the
 * middle of image and volume transfers, and between a step's create calls and
 * the state write that records them (the crash hook) — and is run again each
 * time. Afterwards the target must hold exactly one copy of everything, equal
 * to the source, with verified data and no temporary resources anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTenantSpec } from "../../src/tenant/spec.js";
import { runCli, startCli } from "../helpers/cli.js";
import { seed, startSimEnv, type SimEnv } from "../helpers/sim-env.js";
import { tenantView } from "../helpers/tenant-view.js";

let e: SimEnv;

type Moment = { after: "event"; n: number } | { after: "transfer"; label: RegExp } | { after: "hook"; steps: string };

/** Runs apply once; kills it at the moment. Returns whether it was killed and how it ended. */
async function applyUntil(m: Moment): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  const env = { ...e.env, ...(m.after === "hook" ? { SCS_MIGRATE_CRASH_AFTER_APPLY: m.steps } : {}) };
  const run = startCli(["apply", "k1", "--json", "--poll-ms", "5"], env);
  let events = 0;
  let killed = false;
  let buf = "";
  run.child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{") || killed) continue;
      const ev = JSON.parse(line) as { type: string; label?: string };
      events++;
      if (m.after === "event" && events >= m.n) {
        killed = true;
        run.child.kill("SIGKILL");
      }
      if (m.after === "transfer" && ev.type === "transfer-start" && m.label.test(ev.label ?? "")) {
        killed = true;
        setTimeout(() => run.child.kill("SIGKILL"), 15);
      }
    }
  });
  const r = await run.done;
  return { killed: r.signal === "SIGKILL", code: r.code, stderr: r.stderr };
}

beforeAll(async () => {
  e = await startSimEnv();
  const spec = loadTenantSpec("fixtures/tenants/medium.yaml");
  // Bulky data so that transfers last long enough to be cut.
  spec.images.push({ name: "bulk-image", content: { size_mb: 96 }, disk_format: "raw", container_format: "bare", visibility: "private", min_disk: 0, min_ram: 0, tags: [], properties: {} });
  spec.volumes.find((v) => v.name === "db-data")!.content = { size_mb: 64 };
  await seed(e, "src", spec);
});
afterAll(async () => {
  await e?.close();
});

describe("kill and resume", () => {
  it("converges to exactly one verified copy after 20+ SIGKILLs", async () => {
    const before = tenantView(await e.inventory("src"), (id) => e.sim.cloud("src").store.volumes.get(id)?.blob?.md5 ?? null);
    expect((await runCli(["plan", "--from", "src", "--to", "dst", "--name", "k1", "-q"], e.env)).code).toBe(0);

    const moments: Moment[] = [
      { after: "hook", steps: "keypair/*" },
      { after: "event", n: 2 },
      { after: "hook", steps: "network/*" },
      { after: "event", n: 3 },
      { after: "hook", steps: "subnet/*" },
      { after: "hook", steps: "security-group/web" },
      { after: "event", n: 4 },
      { after: "hook", steps: "security-group-rules/*" },
      { after: "hook", steps: "server-group/*" },
      { after: "transfer", label: /bulk-image/ },
      { after: "hook", steps: "port/*" },
      { after: "event", n: 3 },
      { after: "transfer", label: /bulk-image/ },
      { after: "hook", steps: "image/*" },
      { after: "hook", steps: "router/*" },
      { after: "transfer", label: /db-data/ },
      { after: "event", n: 5 },
      { after: "hook", steps: "volume/*" },
      { after: "transfer", label: /root disk/ },
      { after: "hook", steps: "server/*" },
      { after: "event", n: 4 },
      { after: "hook", steps: "server/*" },
      { after: "hook", steps: "floating-ip/*" },
      { after: "event", n: 3 },
      { after: "event", n: 6 },
      { after: "hook", steps: "server/*" },
    ];
    let kills = 0;
    const log: string[] = [];
    for (const m of moments) {
      const r = await applyUntil(m);
      if (r.killed) kills++;
      log.push(`${JSON.stringify(m)} → ${r.killed ? "killed" : `exit ${r.code}`}`);
    }
    let final = await runCli(["apply", "k1", "--poll-ms", "5"], e.env);
    for (let i = 0; i < 3 && final.code !== 0; i++) final = await runCli(["apply", "k1", "--poll-ms", "5"], e.env);
    expect(final.code, `${final.stdout}\n${final.stderr}\n${log.join("\n")}`).toBe(0);
    expect(kills, log.join("\n")).toBeGreaterThanOrEqual(20);

    const dst = await e.inventory("dst");
    // No duplicates: one of each name per kind.
    for (const coll of ["keypairs", "networks", "subnets", "routers", "security_groups", "server_groups", "images", "volumes", "servers"] as const) {
      const names = (dst[coll] as { name: string; project_id?: string | null; owner?: string | null }[])
        .filter((r) => !("project_id" in r) || r.project_id === dst.meta.project_id || r.project_id === null)
        .filter((r) => !("owner" in r) || r.owner === dst.meta.project_id)
        .map((r) => r.name);
      expect(names.length, `${coll}: ${names.join(", ")}`).toBe(new Set(names).size);
    }
    expect(dst.floating_ips).toHaveLength(1);
    expect(dst.ports.filter((p) => p.device_owner.startsWith("compute:"))).toHaveLength(5);

    const after = tenantView(dst, (id) => e.sim.cloud("dst").store.volumes.get(id)?.blob?.md5 ?? null);
    for (const k of ["keypairs", "networks", "subnets", "routers", "security_groups", "server_groups", "volumes", "floating_ips"] as const) {
      expect(after[k], k).toEqual(before[k]);
    }
    expect(after.images["bulk-image"]).toEqual(before.images["bulk-image"]);
    expect(after.images["app-image"]).toEqual(before.images["app-image"]);
    expect(Object.keys(after.servers).sort()).toEqual(Object.keys(before.servers).sort());

    for (const cloud of ["src", "dst"]) {
      const inv = await e.inventory(cloud);
      const temps = [...inv.images, ...inv.volumes, ...inv.volume_snapshots].filter((r) => r.name.startsWith("scs-migrate-tmp-"));
      expect(temps.map((t) => `${t.name} ${t.id}`), `${cloud} temporaries`).toEqual([]);
      if (cloud === "src") expect(inv.servers.every((s) => s.status === "ACTIVE"), "source servers running again").toBe(true);
    }
    const v = await runCli(["verify", "k1", "--deep", "--poll-ms", "5"], e.env);
    expect(v.code, v.stdout).toBe(0);
  });
});
