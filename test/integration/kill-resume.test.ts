/**
 * Kill and resume on real services: `apply` of the medium tenant runs as a
 * child process and is SIGKILLed between a step's create calls and the state
 * write that records them (the crash hook SCS_MIGRATE_CRASH_AFTER_APPLY of
 * src/executor/run.ts, for networks, ports, volumes, servers and the floating
 * IP) and in the middle of a volume's copy (right after its `transfer-start`
 * event), then run again until it completes. Afterwards the target holds
 * exactly one copy of everything (by name and by marker), deep verification
 * passes, no temporary resource is left on either cloud, the source servers
 * run again, and a rollback gives back the target as it was.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLab } from "./lab.js";
import { labSession } from "./lab-rest.js";
import { cli, cliStart, ensureBuilt, PLANS_DIR, repairSourceServers, said } from "./suite-env.js";
import { listTemps, resetMigration } from "./sweep.js";
import { projectInventory, readTenant } from "./tenant-osc.js";

const NAME = "itest-kill";
const rollback = (name: string) => cli(["rollback", name, "--yes", "--poll-ms", "500"]);

interface Ev {
  type: string;
  step?: string;
  id?: string;
  label?: string;
}

type Moment = { hook: string } | { midCopyOf: RegExp };

/** Runs apply once and kills it at the moment; says whether it was killed and what it saw. */
async function applyKilledAt(m: Moment): Promise<{ killed: boolean; code: number | null; note: string }> {
  const run = cliStart(["apply", NAME, "--json", "--poll-ms", "500"], "hook" in m ? { SCS_MIGRATE_CRASH_AFTER_APPLY: m.hook } : {});
  let buf = "";
  let note = "";
  let armed = true;
  const open = new Set<string>();
  run.child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      const ev = JSON.parse(line) as Ev;
      if (ev.type === "transfer-start") open.add(ev.id!);
      if (ev.type === "transfer-done") open.delete(ev.id!);
      if ("midCopyOf" in m && armed && ev.type === "transfer-start" && m.midCopyOf.test(ev.step ?? "")) {
        armed = false;
        setTimeout(() => {
          note = open.has(ev.id!) ? `killed while copying ${ev.label}` : `copy of ${ev.label} ended before the kill`;
          run.child.kill("SIGKILL");
        }, 1500);
      }
    }
  });
  const r = await run.done;
  if (!note) note = r.signal === "SIGKILL" ? `crash hook ${"hook" in m ? m.hook : ""}` : `exit ${r.code}: ${r.stderr.slice(-300)}`;
  return { killed: r.signal === "SIGKILL", code: r.code, note };
}

let dstBefore: Record<string, string[]>;

/** Steps of the migration not yet done or skipped, from `status --json` (all of the plan before the first apply). */
async function openSteps(): Promise<string[]> {
  const r = await cli(["status", NAME, "--json"]);
  if (r.code !== 0) throw new Error(`status failed: ${said(r)}`);
  if (!r.stdout.trim().startsWith("{")) {
    const plan = JSON.parse(readFileSync(path.join(PLANS_DIR, NAME, "plan.json"), "utf8")) as { steps: Record<string, { action: string }> };
    return Object.entries(plan.steps).filter(([, s]) => s.action !== "skip").map(([id]) => id);
  }
  const st = JSON.parse(r.stdout) as { steps: { step_id: string; status: string }[] };
  return st.steps.filter((s) => s.status !== "done" && s.status !== "skipped").map((s) => s.step_id);
}

beforeAll(async () => {
  await ensureLab();
  await ensureBuilt();
  const notes = await resetMigration(NAME, PLANS_DIR, rollback);
  if (notes.length) console.log(`cleanup before the run:\n  ${notes.join("\n  ")}`);
  await repairSourceServers("src");
  const seeded = await cli(["seed", "--cloud", "src", "fixtures/tenants/medium.yaml"]);
  if (seeded.code !== 0) throw new Error(`seed failed: ${said(seeded)}`);
  dstBefore = await projectInventory("dst");
});

afterAll(async () => {
  const notes = await resetMigration(NAME, PLANS_DIR, rollback);
  if (notes.length) console.log(`cleanup after the run:\n  ${notes.join("\n  ")}`);
});

describe(`kill and resume on real services (${NAME})`, () => {
  it("converges to exactly one verified copy after SIGKILLs between create and state write and during a volume copy", async () => {
    const p = await cli(["plan", "--from", "src", "--to", "dst", "--name", NAME, "-q"]);
    expect(p.code, said(p)).toBe(0);

    // Each moment is used only while a step it can hit is still open; a hook that
    // matches nothing would let the run go to the end and leave nothing to kill.
    const moments: { prefix: string; m: Moment }[] = [
      { prefix: "network/", m: { hook: "network/*" } },
      { prefix: "security-group/", m: { hook: "security-group/*" } },
      { prefix: "port/", m: { hook: "port/*" } },
      { prefix: "router/", m: { hook: "router/*" } },
      { prefix: "floating-ip/", m: { hook: "floating-ip/*" } },
      { prefix: "volume/", m: { midCopyOf: /^volume\// } },
      { prefix: "volume/", m: { hook: "volume/*" } },
      { prefix: "server/", m: { hook: "server/*" } },
    ];
    const log: string[] = [];
    let hookKills = 0;
    let copyKills = 0;
    for (const { prefix, m } of moments) {
      const open = await openSteps();
      if (!open.some((id) => id.startsWith(prefix))) {
        log.push(`${prefix}: nothing open any more, moment skipped`);
        continue;
      }
      const r = await applyKilledAt(m);
      log.push(`${"hook" in m ? `hook ${m.hook}` : `mid-copy ${m.midCopyOf}`} → ${r.note}`);
      if (r.killed && "hook" in m) hookKills++;
      if (r.killed && r.note.startsWith("killed while copying")) copyKills++;
    }
    let final = await cli(["apply", NAME, "--poll-ms", "500"]);
    for (let i = 0; i < 2 && final.code !== 0; i++) final = await cli(["apply", NAME, "--poll-ms", "500"]);
    console.log(`kill sequence:\n  ${log.join("\n  ")}`);
    expect(final.code, `${said(final)}\n${log.join("\n")}`).toBe(0);
    expect(hookKills, log.join("\n")).toBeGreaterThanOrEqual(4);
    expect(copyKills, log.join("\n")).toBe(1);

    // exactly one of everything, by name and by marker
    const dst = await readTenant("dst");
    const expected: Record<string, string[]> = {
      keypairs: ["deploy-key", "ops-key"],
      networks: ["backend-net", "frontend-net", "mgmt-net"],
      subnets: ["backend-subnet", "frontend-subnet", "mgmt-subnet"],
      routers: ["edge-router"],
      security_groups: ["app", "db", "default", "web"],
      ports: ["app-1-port-0", "db-1-port-0", "web-1-port-0", "web-1-port-1", "web-2-port-0"],
      server_groups: ["web-spread"],
      images: ["app-1-root", "app-image", "web-1-root", "web-2-root"],
      volumes: ["app-cache", "db-data", "db-root"],
      servers: ["app-1", "db-1", "web-1", "web-2"],
    };
    for (const [kind, names] of Object.entries(expected)) {
      expect(dst.counts[kind], `dst ${kind} by name`).toEqual(Object.fromEntries(names.map((n) => [n, 1])));
    }
    const s = await labSession("dst");
    const q = `project_id=${s.projectId}&tags=scs-migrate:${NAME}`;
    const byTag = {
      networks: (await s.call("network", "GET", `/v2.0/networks?${q}`)).networks.length,
      subnets: (await s.call("network", "GET", `/v2.0/subnets?${q}`)).subnets.length,
      routers: (await s.call("network", "GET", `/v2.0/routers?${q}`)).routers.length,
      security_groups: (await s.call("network", "GET", `/v2.0/security-groups?${q}`)).security_groups.length,
      ports: (await s.call("network", "GET", `/v2.0/ports?${q}`)).ports.length,
      floating_ips: (await s.call("network", "GET", `/v2.0/floatingips?${q}`)).floatingips.length,
      servers: (await s.call("compute", "GET", "/servers/detail")).servers.filter((x: any) => x.metadata?.scs_migrate === NAME).length,
      volumes: (await s.call("volumev3", "GET", "/volumes/detail")).volumes.filter((x: any) => x.metadata?.scs_migrate === NAME).length,
      images: (await s.call("image", "GET", `/v2/images?owner=${s.projectId}`)).images.filter((x: any) => x.scs_migrate === NAME).length,
    };
    expect(byTag, "dst resources carrying the marker").toEqual({ networks: 3, subnets: 3, routers: 1, security_groups: 3, ports: 5, floating_ips: 1, servers: 4, volumes: 3, images: 4 });
    // nothing half-made: no resource still carries the description marker of an interrupted create
    const half = (await s.call("network", "GET", `/v2.0/ports?project_id=${s.projectId}`)).ports.filter((x: any) => String(x.description).startsWith("scs-migrate "));
    expect(half.map((x: any) => x.id), "ports with a creating marker").toEqual([]);
    for (const n of expected.servers!) expect(dst.servers[n].status, `dst server ${n}`).toBe("ACTIVE");
    expect(dst.floating_ips.map((f) => f.port)).toEqual(["web-1-port-0"]);

    const deep = await cli(["verify", NAME, "--deep", "--poll-ms", "500"]);
    expect(deep.code, said(deep)).toBe(0);

    for (const cloud of ["src", "dst"]) expect(await listTemps(cloud, "scs-migrate-tmp-"), `${cloud} temporaries`).toEqual([]);
    const src = await readTenant("src");
    for (const n of expected.servers!) expect(src.servers[n].status, `src server ${n} runs again`).toBe("ACTIVE");

    const rb = await rollback(NAME);
    expect(rb.code, said(rb)).toBe(0);
    const after = await projectInventory("dst");
    for (const k of Object.keys(dstBefore)) expect(after[k], `dst ${k} after rollback`).toEqual(dstBefore[k]);
  });
});
