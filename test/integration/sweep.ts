/**
 * Leaves the lab as the suite found it, also after an aborted earlier run:
 * `resetMigration` rolls a migration back through its state file when there is
 * one, then sweeps whatever still carries the migration's markers from the
 * target and removes its temporary resources on both clouds.
 *
 * API (own REST session, lab-rest.ts): Nova /servers, Neutron /v2.0/{floatingips,
 * routers,ports,networks,security-groups}, Cinder /volumes, /snapshots, Glance
 * /v2/images.
 *
 * Quirks: a Neutron resource whose create was interrupted before its tags were
 * set carries the marker in its description only ("scs-migrate NAME SRCID
 * (creating)"); router interfaces must be removed before the router; keypairs
 * and server groups carry no marker and are left to the rollback.
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { labSession, type LabSession } from "./lab-rest.js";

type Rec = Record<string, any>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(s: LabSession, service: string, p: string, what: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const r = await s.call(service, "GET", p, undefined, [404]).catch(() => null);
    if (r === null || r?.itemNotFound || r?.error?.code === 404) return;
    const status = JSON.stringify(r).match(/"status":"([^"]+)"/)?.[1];
    if (status === undefined) return;
    await sleep(1000);
  }
  throw new Error(`${what} did not go away`);
}

/** Deletes resources carrying the markers of `migration` on `cloud` (the target). Returns what it removed. */
export async function sweepMarked(cloud: string, migration: string): Promise<string[]> {
  const s = await labSession(cloud);
  const removed: string[] = [];
  const tag = `scs-migrate:${migration}`;
  const marked = (r: Rec) => (r.tags ?? []).includes(tag) || String(r.description ?? "").startsWith(`scs-migrate ${migration} `);
  const md = (r: Rec) => (r.metadata ?? {}).scs_migrate === migration;

  for (const srv of (await s.call("compute", "GET", "/servers/detail")).servers.filter(md)) {
    await s.call("compute", "DELETE", `/servers/${srv.id}`, undefined, [404]);
    await waitGone(s, "compute", `/servers/${srv.id}`, `server ${srv.name}`);
    removed.push(`server ${srv.name}`);
  }
  const pq = `?project_id=${s.projectId}`;
  for (const f of (await s.call("network", "GET", `/v2.0/floatingips${pq}`)).floatingips.filter(marked)) {
    await s.call("network", "DELETE", `/v2.0/floatingips/${f.id}`, undefined, [404]);
    removed.push(`floating ip ${f.floating_ip_address}`);
  }
  for (const r of (await s.call("network", "GET", `/v2.0/routers${pq}`)).routers.filter(marked)) {
    const ifs = (await s.call("network", "GET", `/v2.0/ports?device_id=${r.id}&device_owner=network:router_interface`)).ports;
    for (const p of ifs) await s.call("network", "PUT", `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: p.id }, [404]);
    await s.call("network", "DELETE", `/v2.0/routers/${r.id}`, undefined, [404]);
    removed.push(`router ${r.name}`);
  }
  for (const p of (await s.call("network", "GET", `/v2.0/ports${pq}`)).ports.filter(marked)) {
    await s.call("network", "DELETE", `/v2.0/ports/${p.id}`, undefined, [404]);
    removed.push(`port ${p.name}`);
  }
  for (const n of (await s.call("network", "GET", `/v2.0/networks${pq}`)).networks.filter(marked)) {
    await s.call("network", "DELETE", `/v2.0/networks/${n.id}`, undefined, [404]);
    removed.push(`network ${n.name}`);
  }
  for (const sn of (await s.call("network", "GET", `/v2.0/subnets${pq}`)).subnets.filter(marked)) {
    await s.call("network", "DELETE", `/v2.0/subnets/${sn.id}`, undefined, [404]);
    removed.push(`subnet ${sn.name}`);
  }
  for (const g of (await s.call("network", "GET", `/v2.0/security-groups${pq}`)).security_groups.filter(marked)) {
    await s.call("network", "DELETE", `/v2.0/security-groups/${g.id}`, undefined, [404]);
    removed.push(`security group ${g.name}`);
  }
  for (const v of (await s.call("volumev3", "GET", "/volumes/detail")).volumes.filter(md)) {
    await s.call("volumev3", "DELETE", `/volumes/${v.id}?cascade=true`, undefined, [404]);
    await waitGone(s, "volumev3", `/volumes/${v.id}`, `volume ${v.name}`);
    removed.push(`volume ${v.name}`);
  }
  for (const i of (await s.call("image", "GET", `/v2/images?owner=${s.projectId}&limit=1000`)).images.filter((i: Rec) => i.scs_migrate === migration)) {
    await s.call("image", "DELETE", `/v2/images/${i.id}`, undefined, [404]);
    removed.push(`image ${i.name}`);
  }
  return removed;
}

/** Temporary resources (images, volumes, snapshots) whose name starts with `prefix` on `cloud`, as "kind name id". */
export async function listTemps(cloud: string, prefix: string): Promise<string[]> {
  const s = await labSession(cloud);
  const out: string[] = [];
  for (const i of (await s.call("image", "GET", `/v2/images?owner=${s.projectId}&limit=1000`)).images) if (String(i.name).startsWith(prefix)) out.push(`image ${i.name} ${i.id}`);
  for (const v of (await s.call("volumev3", "GET", "/volumes/detail")).volumes) if (String(v.name).startsWith(prefix)) out.push(`volume ${v.name} ${v.id}`);
  for (const sn of (await s.call("volumev3", "GET", "/snapshots/detail")).snapshots) if (String(sn.name).startsWith(prefix)) out.push(`snapshot ${sn.name} ${sn.id}`);
  return out.sort();
}

/** Deletes the temporary resources whose name starts with `prefix` on `cloud`. */
export async function sweepTemps(cloud: string, prefix: string): Promise<string[]> {
  const s = await labSession(cloud);
  const found = await listTemps(cloud, prefix);
  for (const line of found) {
    const [kind, , id] = line.split(" ");
    if (kind === "image") await s.call("image", "DELETE", `/v2/images/${id}`, undefined, [404]);
  }
  for (const line of found) {
    const [kind, , id] = line.split(" ");
    if (kind === "volume") {
      await s.call("volumev3", "DELETE", `/volumes/${id}`, undefined, [404, 400]);
      await waitGone(s, "volumev3", `/volumes/${id}`, `volume ${id}`).catch(() => undefined);
    }
  }
  for (const line of found) {
    const [kind, , id] = line.split(" ");
    if (kind === "snapshot") {
      await s.call("volumev3", "DELETE", `/snapshots/${id}`, undefined, [404, 400]);
      await waitGone(s, "volumev3", `/snapshots/${id}`, `snapshot ${id}`).catch(() => undefined);
    }
  }
  return found;
}

/**
 * Makes sure nothing of an earlier run of `migration` remains: rollback through
 * its state (when its folder in `plansDir` has one), then the marker and
 * temporary-resource sweeps; finally the migration's folder is removed.
 */
export async function resetMigration(
  migration: string,
  plansDir: string,
  rollback: (name: string) => Promise<{ code: number | null; stdout: string; stderr: string }>,
): Promise<string[]> {
  const notes: string[] = [];
  const dir = path.join(plansDir, migration);
  if (existsSync(path.join(dir, "state.db"))) {
    const r = await rollback(migration);
    notes.push(`rollback ${migration}: exit ${r.code}${r.code === 0 ? "" : ` ${r.stderr.slice(-400)}`}`);
  }
  notes.push(...(await sweepMarked("dst", migration)).map((x) => `swept ${x}`));
  for (const cloud of ["src", "dst"]) notes.push(...(await sweepTemps(cloud, `scs-migrate-tmp-${migration}-`)).map((x) => `swept ${cloud} ${x}`));
  rmSync(dir, { recursive: true, force: true });
  return notes;
}
