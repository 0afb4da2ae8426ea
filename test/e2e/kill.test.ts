/**
 * Kill and resume: `apply` runs as a child process and is SIGKILLed at more
 * than twenty different moments — right after a step was recorded, in the
 * middle of image and volume transfers, and between a step's create calls and
 * the state write that records them (the crash hook, aimed at a different
 * kind each time) — and is run again each time until a run completes. Afterwards the target must hold exactly one copy of everything, equal
 * to the source, with verified data and no temporary resources anywhere.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTenantSpec } from "../../src/tenant/spec.js";
import { runCli, startCli } from "../helpers/cli.js";
import { seed, startSimEnv, volumeMd5, type SimEnv } from "../helpers/sim-env.js";
import { tenantView } from "../helpers/tenant-view.js";

let e: SimEnv;

/** How one run is ended: after its first recorded step, by the crash hook on a step, or mid-transfer. */
type Moment = { after: "step-done" } | { after: "hook"; step: string } | { after: "transfer" };

interface RunOutcome {
  killed: boolean;
  code: number | null;
  stderr: string;
  done: string[];
  transferCut: boolean;
}

/** Runs apply once and kills it at the moment; returns what it recorded before dying. */
async function applyUntil(m: Moment): Promise<RunOutcome> {
  const env = { ...e.env, ...(m.after === "hook" ? { SCS_MIGRATE_CRASH_AFTER_APPLY: m.step } : {}) };
  // Two API lanes keep each run's progress small, so kills land all through the migration.
  const run = startCli(["apply", "k1", "--json", "--poll-ms", "5", "--api-concurrency", "2"], env);
  const done: string[] = [];
  let killed = false;
  let transferCut = false;
  let buf = "";
  const kill = () => {
    killed = true;
    run.child.kill("SIGKILL");
  };
  run.child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{") || killed) continue;
      const ev = JSON.parse(line) as { type: string; step?: string };
      if (ev.type === "step-done" && ev.step) done.push(ev.step);
      if (m.after === "step-done" && ev.type === "step-done") kill();
      if (m.after === "transfer" && ev.type === "transfer-start") {
        transferCut = true;
        killed = true;
        setTimeout(() => run.child.kill("SIGKILL"), 15);
      }
      // A run with no transfer left to cut still dies after its second recorded step.
      if (m.after === "transfer" && ev.type === "step-done" && done.length >= 2) kill();
    }
  });
  const r = await run.done;
  return { killed: r.signal === "SIGKILL", code: r.code, stderr: r.stderr, done, transferCut };
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
    const before = tenantView(await e.inventory("src"), volumeMd5(e, "src"));
    expect((await runCli(["plan", "--from", "src", "--to", "dst", "--name", "k1", "-q"], e.env)).code).toBe(0);

    const plan = JSON.parse(readFileSync(join(e.plans, "k1", "plan.json"), "utf8")) as { steps: Record<string, { action: string; dependsOn: string[] }> };
    const done = new Set(Object.entries(plan.steps).filter(([, st]) => st.action === "skip").map(([id]) => id));
    const ready = () => Object.entries(plan.steps).filter(([id, st]) => !done.has(id) && st.dependsOn.every((d) => done.has(d))).map(([id]) => id);
    const hookedKinds = new Set<string>();
    let kills = 0;
    let hooks = 0;
    let cuts = 0;
    let completed = false;
    const log: string[] = [];
    for (let i = 0; i < 80 && !completed; i++) {
      // Rotate through the three moments; the hook goes to a step that can run now, preferring kinds not hit yet.
      let m: Moment = i % 3 === 0 ? { after: "step-done" } : i % 3 === 1 ? { after: "transfer" } : { after: "step-done" };
      if (i % 3 === 2) {
        const candidates = ready();
        // Cheap API kinds first: a hook on a long copy lets many other steps finish before it fires.
        const kindOf = (id: string) => id.split("/")[0]!;
        const slow = (id: string) => ["image", "volume", "server"].includes(kindOf(id));
        const fresh = candidates.filter((id) => !hookedKinds.has(kindOf(id)));
        const pick = fresh.find((id) => !slow(id)) ?? candidates.find((id) => !slow(id)) ?? fresh[0] ?? candidates[0];
        if (pick) m = { after: "hook", step: pick };
      }
      const r = await applyUntil(m);
      // What the state file recorded (a run may die between a state write and the event the test reads).
      const status = JSON.parse((await runCli(["status", "k1", "--json"], e.env)).stdout) as { steps: { step_id: string; status: string }[] };
      for (const st of status.steps) if (st.status === "done" || st.status === "skipped") done.add(st.step_id);
      if (r.killed) {
        kills++;
        if (m.after === "hook") {
          hooks++;
          hookedKinds.add(m.step.split("/")[0]!);
        }
        if (r.transferCut) cuts++;
      } else {
        expect(r.code, r.stderr).toBe(0);
        completed = true;
      }
      log.push(`${JSON.stringify(m)} → ${r.killed ? "killed" : `exit ${r.code}`} (${r.done.length} recorded)`);
    }
    let final = await runCli(["apply", "k1", "--poll-ms", "5"], e.env);
    for (let i = 0; i < 3 && final.code !== 0; i++) final = await runCli(["apply", "k1", "--poll-ms", "5"], e.env);
    expect(final.code, `${final.stdout}\n${final.stderr}\n${log.join("\n")}`).toBe(0);
    console.info(`kill test: ${kills} kills (${hooks} between create and state write on ${[...hookedKinds].join(", ")}; ${cuts} mid-transfer) in ${log.length} runs`);
    expect(kills, log.join("\n")).toBeGreaterThanOrEqual(20);
    // Kills between a create call and its state write hit many kinds, and transfers were cut.
    expect(hooks, log.join("\n")).toBeGreaterThanOrEqual(6);
    expect(hookedKinds.size, [...hookedKinds].join(", ")).toBeGreaterThanOrEqual(6);
    expect(cuts, log.join("\n")).toBeGreaterThanOrEqual(3);

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

    const after = tenantView(dst, volumeMd5(e, "dst"));
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
  }, 600_000);
});
