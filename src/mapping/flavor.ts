/**
 * Flavor mapping: which target flavor a source server gets. Pure: it reads a
 * server's embedded flavor (compute 2.47+ `server.flavor`, so it works when the
 * source flavor object is gone) and the target's `GET /flavors/detail` list.
 *
 * Rules, first match wins:
 * 1. `override`: the mapping file's `flavors` entry for the source name (a
 *    target flavor name, or id); naming a flavor the target lacks is an error,
 *    never a silent fall-through.
 * 2. `same-name`: the source name is a valid SCS name and the target has a
 *    flavor of that name (v1 colon spellings compare equal to v2).
 * 3. `scs-name-extra-spec`: a `scs:name-vN` extra spec of the source names an
 *    SCS flavor the target has (by name, or declared by a target flavor's own
 *    `scs:name-vN`); the source's own SCS name also matches target
 *    declarations here.
 * 4. `smallest-dominating` / `diskless-plus-boot-volume`: the smallest target
 *    flavor that is not smaller than the source in vCPU, RAM, CPU class and
 *    root disk. A source with a fixed root disk of D GB may instead land on a
 *    diskless target plus a D GB boot volume, which is what SCS recommends
 *    (docs: user-docs/usage-hints/diskless-flavor).
 *
 * Choosing between a local-disk fit and diskless + volume: take the smaller
 * by vCPU, then RAM; on a tie take the local-disk flavor, because it changes
 * less (the server keeps an image-booted local root disk). So `SCS-4V-16-50`
 * goes to `SCS-4V-16-100s` on a target with the 15 mandatory flavors, and
 * `SCS-2V-8-20` to `SCS-2V-8` + 20 GB volume.
 *
 * "Smallest" orders by vCPU, RAM, root disk, then CPU class (lower first, so a
 * shared flavor wins over an equally sized dedicated one), then name (code-unit
 * order, deterministic across locales).
 *
 * Dominance:
 * - CPU class C > T > V > L; a flavor without class info counts as V (noted).
 * - Insecure `i`, no-ECC `u` and oversubscribed-RAM `o` targets only for a
 *   source with the same flag; an unknown source counts as without them.
 * - Architecture (x86_64 unless `_a`/`_r`), nested virtualisation (`_hwv`,
 *   or bare metal), GPU (same vendor; pass-through only from pass-through;
 *   compute units and VRAM not fewer) and Infiniband are required when the
 *   source has them. Hypervisor, CPU generation and frequency are not.
 * - Root disk types: a network (`n`) or diskless+volume target is fine for
 *   any source; a local SSD/NVMe (`s`/`p`, treated as one fast class) target is
 *   fine for any source; a local HDD (`h`) or a target of unspecified type
 *   (it may be HDD) only for a source that is not `s`/`p`.
 * - Ephemeral disk and swap are not required (ephemeral content is not
 *   migrated; SCS flavors have neither); a shortfall is noted.
 */
import type { Flavor } from "../model/inventory.js";
import {
  CPU_CLASS_RANK,
  formatRamMiB,
  profileFlavor,
  type FlavorFacts,
  type FlavorProfile,
} from "./flavor-profile.js";
import type { CpuType } from "./scs-flavor-name.js";

/** Flavor overrides from the mapping file: source flavor name → target flavor name (or id). */
export type FlavorOverrides = Record<string, string>;

/** The rules that can decide a flavor mapping, in order. */
export const FLAVOR_BASES = [
  "override",
  "same-name",
  "scs-name-extra-spec",
  "smallest-dominating",
  "diskless-plus-boot-volume",
] as const;
/** Which rule decided a flavor mapping. */
export type FlavorBasis = (typeof FLAVOR_BASES)[number];

/** A target flavor was found. */
export interface FlavorMatch {
  ok: true;
  basis: FlavorBasis;
  target: { id: string; name: string };
  /** GB of a boot volume to create from the copied root disk; null when the target's local disk holds it (or the source has none). */
  bootVolumeGB: number | null;
  /** Why this target, in a sentence or two, for plan.txt. */
  note: string;
}

/** No target flavor: an override named a missing flavor, or nothing fits. */
export interface FlavorMiss {
  ok: false;
  basis: "override-missing" | "no-fit";
  reason: string;
}

/** The outcome of mapping one flavor. */
export type FlavorMapping = FlavorMatch | FlavorMiss;

const CPU_CLASS_WORDS: Record<CpuType, string> = {
  L: "L (crowded vCPU)",
  V: "V (shared vCPU)",
  T: "T (dedicated thread)",
  C: "C (dedicated core)",
};

interface Candidate {
  flavor: Flavor;
  p: FlavorProfile;
}

interface Constraint {
  /** True for requirements unusual enough to name in a note (most flavors are secure, ECC, x86_64). */
  notable?: (src: FlavorProfile) => boolean;
  /** What the source needs, or null when this constraint does not apply to it. */
  need(src: FlavorProfile): string | null;
  ok(src: FlavorProfile, tgt: FlavorProfile): boolean;
  /** The best the target offers on this dimension, for "no fit" messages. */
  best?(targets: FlavorProfile[]): string;
}

const CONSTRAINTS: Constraint[] = [
  {
    need: (s) => `≥ ${s.vcpus} vCPU`,
    ok: (s, t) => t.vcpus >= s.vcpus,
    best: (ts) => `largest: ${Math.max(...ts.map((t) => t.vcpus))} vCPU`,
  },
  {
    need: (s) => `≥ ${formatRamMiB(s.ramMiB)} RAM`,
    ok: (s, t) => t.ramMiB >= s.ramMiB,
    best: (ts) => `largest: ${formatRamMiB(Math.max(...ts.map((t) => t.ramMiB)))}`,
  },
  {
    need: (s) => (s.cpuType === "L" ? null : `CPU class ${CPU_CLASS_WORDS[s.cpuType]} or better`),
    ok: (s, t) => CPU_CLASS_RANK[t.cpuType] >= CPU_CLASS_RANK[s.cpuType],
    best: (ts) => `best: ${ts.map((t) => t.cpuType).sort((a, b) => CPU_CLASS_RANK[b] - CPU_CLASS_RANK[a])[0]}`,
  },
  { need: (s) => (s.insecure ? null : "a CPU with guaranteed mitigations (no i)"), ok: (s, t) => s.insecure || !t.insecure },
  { need: (s) => (s.ramNoEcc ? null : "ECC RAM (no u)"), ok: (s, t) => s.ramNoEcc || !t.ramNoEcc },
  { need: (s) => (s.ramOversub ? null : "RAM that is not oversubscribed (no o)"), ok: (s, t) => s.ramOversub || !t.ramOversub },
  { need: (s) => `a CPU of architecture ${s.arch}`, ok: (s, t) => s.arch === t.arch, notable: (s) => s.arch !== "x86_64" },
  {
    need: (s) => (s.nestedVirt ? "nested virtualisation (_hwv or bare metal)" : null),
    ok: (s, t) => !s.nestedVirt || t.nestedVirt || t.hypervisor === "bms",
    notable: () => true,
  },
  { need: (s) => (s.gpu ? gpuNeed(s) : null), ok: gpuOk, notable: () => true },
  { need: (s) => (s.ib ? "Infiniband (_ib)" : null), ok: (s, t) => !s.ib || t.ib, notable: () => true },
];

function gpuNeed(s: FlavorProfile): string {
  const g = s.gpu!;
  const figures = [
    g.computeUnits !== null ? `≥ ${g.computeUnits} compute units` : "",
    g.vramGiB !== null ? `≥ ${g.vramGiB} GiB VRAM` : "",
  ].filter(Boolean);
  return `a ${g.passthrough ? "pass-through" : "virtual or pass-through"} GPU of vendor ${g.vendor}${figures.length ? ` with ${figures.join(" and ")}` : ""}`;
}

function gpuOk(s: FlavorProfile, t: FlavorProfile): boolean {
  const need = s.gpu;
  if (!need) return true;
  const have = t.gpu;
  if (!have || have.vendor !== need.vendor) return false;
  if (need.passthrough && !have.passthrough) return false;
  if (need.computeUnits !== null && (have.computeUnits ?? 0) < need.computeUnits) return false;
  if (need.vramGiB !== null && (have.vramGiB ?? 0) < need.vramGiB) return false;
  return true;
}

/** True when a target root disk of type `tgt` may hold a source root disk of type `src` (see the module header). */
export function diskTypeAcceptable(src: FlavorProfile["diskType"], tgt: FlavorProfile["diskType"]): boolean {
  if (tgt === "n" || tgt === "s" || tgt === "p") return true;
  return src !== "s" && src !== "p";
}

function localDiskOk(s: FlavorProfile, t: FlavorProfile): boolean {
  return t.diskGB >= s.diskGB && diskTypeAcceptable(s.diskType, t.diskType);
}

function nonDiskOk(s: FlavorProfile, t: FlavorProfile): boolean {
  return CONSTRAINTS.every((c) => c.ok(s, t));
}

function compareSize(a: FlavorProfile, b: FlavorProfile): number {
  return (
    a.vcpus - b.vcpus ||
    a.ramMiB - b.ramMiB ||
    a.diskGB - b.diskGB ||
    CPU_CLASS_RANK[a.cpuType] - CPU_CLASS_RANK[b.cpuType] ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

function smallest(cands: Candidate[]): Candidate | undefined {
  return [...cands].sort((a, b) => compareSize(a.p, b.p))[0];
}

/**
 * Maps a source flavor (a server's embedded flavor plus its name) to a target flavor by the rules in the module header.
 * @example mapFlavor({ name: "m1.small", vcpus: 1, ram: 2048, disk: 20, ephemeral: 0, swap: 0, extra_specs: {} }, targets, {})
 */
export function mapFlavor(src: FlavorFacts, targetFlavors: Flavor[], overrides: FlavorOverrides = {}): FlavorMapping {
  const sp = profileFlavor(src);
  const cands: Candidate[] = targetFlavors.map((flavor) => ({ flavor, p: profileFlavor(flavor) }));

  const override = Object.hasOwn(overrides, src.name) ? overrides[src.name] : undefined;
  if (override !== undefined) {
    const hit = cands.find((c) => c.flavor.name === override) ?? cands.find((c) => c.flavor.id === override);
    if (!hit) {
      return {
        ok: false,
        basis: "override-missing",
        reason: `flavor ${src.name}: the mapping file maps it to ${override}, which does not exist on the target`,
      };
    }
    const lacks = CONSTRAINTS.filter((c) => c.need(sp) !== null && !c.ok(sp, hit.p)).map((c) => c.need(sp)!);
    if (sp.diskGB > 0 && hit.p.diskGB >= sp.diskGB && !diskTypeAcceptable(sp.diskType, hit.p.diskType)) {
      lacks.push(`a root disk type at least as fast as ${sp.diskType}`);
    }
    const warn = lacks.length ? `; it lacks ${lacks.join(", ")}` : "";
    return finish(sp, hit, "override", `mapping file maps ${src.name} to ${hit.flavor.name}${warn}`);
  }

  if (sp.ownScsName) {
    const hit =
      cands.find((c) => c.flavor.name === src.name) ?? cands.find((c) => c.p.ownScsName === sp.ownScsName);
    if (hit) return finish(sp, hit, "same-name", `same SCS name ${hit.flavor.name} on the target`);
  }

  const byName = matchDeclaredName(sp, cands);
  if (byName) return finish(sp, byName.cand, "scs-name-extra-spec", byName.note);

  return fitBySize(sp, cands);
}

function matchDeclaredName(sp: FlavorProfile, cands: Candidate[]): { cand: Candidate; note: string } | null {
  for (const name of sp.declaredScsNames) {
    const hit = cands.find((c) => c.p.ownScsName === name);
    if (hit) return { cand: hit, note: `source declares scs:name ${name}; the target has ${hit.flavor.name}` };
  }
  const names = [...(sp.ownScsName ? [sp.ownScsName] : []), ...sp.declaredScsNames];
  for (const name of names) {
    const hit = smallest(cands.filter((c) => c.p.declaredScsNames.includes(name)));
    if (hit) return { cand: hit, note: `target flavor ${hit.flavor.name} declares scs:name ${name}` };
  }
  return null;
}

function fitBySize(sp: FlavorProfile, cands: Candidate[]): FlavorMapping {
  const base = cands.filter((c) => nonDiskOk(sp, c.p));
  const needText = describeNeed(sp);
  if (sp.diskGB === 0) {
    const best = smallest(base);
    if (best) return finish(sp, best, "smallest-dominating", `smallest target flavor with ${needText}`);
    return noFit(sp, cands);
  }
  const local = smallest(base.filter((c) => localDiskOk(sp, c.p)));
  const diskless = smallest(base.filter((c) => c.p.diskGB === 0));
  if (!local && !diskless) return noFit(sp, cands);
  // Why: smaller by vCPU then RAM wins; a tie goes to the local disk, which keeps the server's shape.
  const volumeWins =
    diskless !== undefined &&
    (local === undefined ||
      diskless.p.vcpus < local.p.vcpus ||
      (diskless.p.vcpus === local.p.vcpus && diskless.p.ramMiB < local.p.ramMiB));
  if (volumeWins) {
    const alt = local ? `; smaller than the local-disk fit ${local.flavor.name}` : "; no target flavor has a suitable local disk";
    return finish(
      sp,
      diskless,
      "diskless-plus-boot-volume",
      `smallest target flavor with ${needText}: ${diskless.flavor.name} has no root disk, so the ${sp.diskGB} GB root disk becomes a boot volume${alt}`,
    );
  }
  const chosen = local!;
  const tie = diskless ? `; preferred over ${diskless.flavor.name} + ${sp.diskGB} GB boot volume (same vCPU and RAM, keeps a local root disk)` : "";
  return finish(sp, chosen, "smallest-dominating", `smallest target flavor with ${needText}${tie}`);
}

function describeNeed(sp: FlavorProfile): string {
  const parts = [`≥ ${sp.vcpus} vCPU`, `≥ ${formatRamMiB(sp.ramMiB)} RAM`];
  if (sp.diskGB > 0) parts.push(`≥ ${sp.diskGB} GB root disk${sp.diskType ? ` (${sp.diskType})` : ""}`);
  parts.push(`CPU class ${sp.cpuType}${sp.cpuTypeSource === "assumed" ? " (source has no class info, counted as V)" : ""}`);
  for (const c of CONSTRAINTS) {
    const n = c.need(sp);
    if (n && c.notable?.(sp)) parts.push(n);
  }
  return parts.join(", ");
}

function finish(sp: FlavorProfile, cand: Candidate, basis: FlavorBasis, note: string): FlavorMatch {
  const t = cand.p;
  const notes = [note];
  let bootVolumeGB: number | null = null;
  if (sp.diskGB > 0 && t.diskGB < sp.diskGB) {
    bootVolumeGB = sp.diskGB;
    if (basis !== "diskless-plus-boot-volume") {
      notes.push(`the ${sp.diskGB} GB root disk becomes a boot volume (target root disk: ${t.diskGB} GB)`);
    }
  } else if (sp.diskGB > 0 && sp.diskType === "n" && t.diskType !== "n" && t.diskType !== null) {
    notes.push("the root disk moves from network to local storage");
  }
  if (basis === "same-name" || basis === "scs-name-extra-spec") {
    if (sp.vcpus > t.vcpus) notes.push(`the source has ${sp.vcpus} vCPU, the target ${t.vcpus}`);
    if (sp.ramMiB > t.ramMiB) notes.push(`the source has ${formatRamMiB(sp.ramMiB)} RAM, the target ${formatRamMiB(t.ramMiB)}`);
  }
  if (t.cpuTypeSource === "assumed" && basis !== "same-name") {
    notes.push(`${t.name} has no CPU class info, counted as V`);
  }
  if (sp.ephemeralGB > t.ephemeralGB) notes.push(`ephemeral disk ${sp.ephemeralGB} GB → ${t.ephemeralGB} GB (its content is not migrated)`);
  if (sp.swapMiB > t.swapMiB) notes.push(`swap ${sp.swapMiB} MiB → ${t.swapMiB} MiB`);
  return { ok: true, basis, target: { id: cand.flavor.id, name: cand.flavor.name }, bootVolumeGB, note: notes.join("; ") };
}

function noFit(sp: FlavorProfile, cands: Candidate[]): FlavorMiss {
  const prefix = `flavor ${sp.name}`;
  if (cands.length === 0) return { ok: false, basis: "no-fit", reason: `${prefix}: the target has no flavors` };
  const ps = cands.map((c) => c.p);
  const missing: string[] = [];
  for (const c of CONSTRAINTS) {
    const need = c.need(sp);
    if (need === null || ps.some((t) => c.ok(sp, t))) continue;
    missing.push(c.best ? `${need} (${c.best(ps)})` : need);
  }
  if (sp.diskGB > 0 && !ps.some((t) => t.diskGB === 0 || localDiskOk(sp, t))) {
    missing.push(`a root disk of ≥ ${sp.diskGB} GB${sp.diskType ? ` fit for type ${sp.diskType}` : ""} or no root disk`);
  }
  const needText = `need ${describeNeed(sp)}`;
  if (missing.length > 0) {
    return { ok: false, basis: "no-fit", reason: `${prefix}: no target flavor has ${missing.join("; none has ")}; ${needText}` };
  }
  return { ok: false, basis: "no-fit", reason: `${prefix}: no single target flavor combines ${describeNeed(sp)}` };
}
