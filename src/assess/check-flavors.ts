/**
 * Flavor checks of the portability assessment: is each flavor the project's
 * servers use one that every SCS-compatible cloud has, and is its SCS name
 * honest? Pure: reads the servers' embedded flavors (compute 2.47+, so it
 * works when the flavor object is gone or private) and the project's visible
 * flavors (`GET /flavors/detail`), which complete the extra specs when the
 * embedded flavor carries none (extra specs reach non-admins only from
 * compute 2.61 on).
 *
 * Rules:
 * - A flavor whose SCS name (its own, or a `scs:name-vN` extra spec) is one of
 *   the 15 mandatory ones is portable; declaring it only in an extra spec is
 *   worth an info (templates still say the provider's name).
 * - Any other flavor is measured against the mandatory set with the planner's
 *   own `mapFlavor` (smallest dominating, diskless + boot volume allowed): a
 *   fit with the same vCPU and RAM (RAM rounded up to the next half GiB, so
 *   3840 MiB counts as 4 GiB) is minor; only a bigger one fits → major (the
 *   move costs more); nothing fits → major, or blocker when the flavor needs
 *   special hardware (GPU, Infiniband, nested virtualisation, non-x86 CPU)
 *   that an SCS cloud need not have at all.
 * - Compliance rule of scs-0100: a name starting with `SCS-` must follow the
 *   grammar and must not promise more than the flavor gives. Checked against
 *   the measured figures and the `scs:cpu-type`/`scs:disk0-type` extra specs;
 *   the `i`/`u`/`o` qualities cannot be measured from the API and are not.
 * - Ephemeral disks and swap: SCS flavors have neither, and ephemeral content
 *   is not migrated.
 */
import type { Flavor, Server } from "../model/inventory.js";
import { mapFlavor } from "../mapping/flavor.js";
import { CPU_CLASS_RANK, CPU_TYPE_SPEC, DISK_TYPE_SPEC, formatRamMiB, profileFlavor, scsNameExtraSpecs } from "../mapping/flavor-profile.js";
import type { FlavorFacts, FlavorProfile } from "../mapping/flavor-profile.js";
import type { CpuType, DiskType, ScsFlavorSpec } from "../mapping/scs-flavor-name.js";
import { formatScsFlavorName, hasScsPrefix, parseScsFlavorName } from "../mapping/scs-flavor-name.js";
import type { AssessContext } from "./context.js";
import { finding, listNames, plural } from "./context.js";
import { MANDATORY_SCS_FLAVORS, RECOMMENDED_SCS_FLAVORS, mandatoryScsFlavors } from "../mapping/scs-standards.js";
import type { Finding, Severity } from "./types.js";

/** One flavor as the project's servers use it. */
export interface UsedFlavor {
  facts: FlavorFacts;
  servers: Server[];
}

const MANDATORY: readonly string[] = MANDATORY_SCS_FLAVORS;
const RECOMMENDED: readonly string[] = RECOMMENDED_SCS_FLAVORS;
const MANDATORY_FLAVORS: Flavor[] = mandatoryScsFlavors();

// NOTE: h and n are not ordered against each other by the standard; only SSD/NVMe promise more.
const DISK_RANK: Record<DiskType, number> = { h: 0, n: 0, s: 1, p: 2 };

/** The distinct flavors the project's servers use, with their servers, by name. */
export function usedFlavors(ctx: AssessContext): UsedFlavor[] {
  const byKey = new Map<string, UsedFlavor>();
  for (const s of ctx.inv.servers) {
    const f = s.flavor;
    const obj =
      (s.flavor_id ? ctx.inv.flavors.find((x) => x.id === s.flavor_id) : undefined) ??
      ctx.inv.flavors.find((x) => x.name === s.flavor_name && x.vcpus === f.vcpus && x.ram === f.ram && x.disk === f.disk);
    const extra = Object.keys(f.extra_specs).length > 0 ? f.extra_specs : (obj?.extra_specs ?? {});
    const specs = Object.entries(extra).sort(([a], [b]) => (a < b ? -1 : 1));
    const key = JSON.stringify([s.flavor_name, f.vcpus, f.ram, f.disk, f.ephemeral, f.swap, specs]);
    const hit = byKey.get(key);
    if (hit) hit.servers.push(s);
    else {
      const facts: FlavorFacts = { name: s.flavor_name, vcpus: f.vcpus, ram: f.ram, disk: f.disk, ephemeral: f.ephemeral, swap: f.swap, extra_specs: extra };
      byKey.set(key, { facts, servers: [s] });
    }
  }
  return [...byKey.values()].sort((a, b) => (a.facts.name < b.facts.name ? -1 : a.facts.name > b.facts.name ? 1 : 0));
}

/** "2 vCPU, 4 GiB RAM, 20 GB root disk". */
export function describeFigures(f: Pick<FlavorFacts, "vcpus" | "ram" | "disk">): string {
  return `${f.vcpus} vCPU, ${formatRamMiB(f.ram)} RAM, ${f.disk > 0 ? `${f.disk} GB root disk` : "no root disk"}`;
}

/** How a flavor lands on the mandatory SCS set. */
type MandatoryFit =
  | { kind: "equal"; target: Flavor; bootVolumeGB: number | null }
  | { kind: "larger"; target: Flavor; bootVolumeGB: number | null }
  | { kind: "none"; reason: string; special: string[] };

function fitOnMandatory(facts: FlavorFacts, p: FlavorProfile): MandatoryFit {
  const m = mapFlavor(facts, MANDATORY_FLAVORS);
  if (!m.ok) {
    const special = [
      p.gpu ? "a GPU" : "",
      p.ib ? "Infiniband" : "",
      p.nestedVirt ? "nested virtualisation" : "",
      p.arch !== "x86_64" ? `CPU architecture ${p.arch}` : "",
    ].filter(Boolean);
    // Why: the planner's reason speaks of "the target" and repeats the need; here the target is the mandatory set.
    const reason = m.reason
      .replace(/^flavor .*?: /, "")
      .replace(/; need .*$/, "")
      .replace(/^no target flavor has /, "none has ")
      .replace(/target flavor/g, "mandatory flavor");
    return { kind: "none", reason, special };
  }
  const target = MANDATORY_FLAVORS.find((f) => f.id === m.target.id)!;
  const roundedRam = Math.ceil(facts.ram / 512) * 512;
  const equal = target.vcpus === facts.vcpus && target.ram <= roundedRam;
  return { kind: equal ? "equal" : "larger", target, bootVolumeGB: m.bootVolumeGB };
}

function fitSeverity(fit: MandatoryFit): Severity {
  if (fit.kind === "equal") return "minor";
  if (fit.kind === "larger") return "major";
  return fit.special.length > 0 ? "blocker" : "major";
}

function withVolume(name: string, bootVolumeGB: number | null): string {
  return bootVolumeGB ? `${name} with a ${bootVolumeGB} GB boot volume` : name;
}

function fitText(fit: MandatoryFit): string {
  if (fit.kind === "equal") return `the mandatory ${withVolume(fit.target.name, fit.bootVolumeGB)} matches it`;
  if (fit.kind === "larger") {
    return `the smallest mandatory flavor that fits is ${withVolume(fit.target.name, fit.bootVolumeGB)} (${describeFigures(fit.target)}), bigger than it`;
  }
  const hw = fit.special.length ? `; it needs ${fit.special.join(", ")}, which SCS clouds need not offer at all` : "";
  return `no mandatory SCS flavor fits it (${fit.reason})${hw}`;
}

/** The SCS name a flavor's own figures would have (RAM rounded down to what the grammar allows, so it never overstates), or null below 0.5 GiB. */
export function suggestScsName(facts: FlavorFacts, p: FlavorProfile = profileFlavor(facts)): string | null {
  const gib = facts.ram / 1024;
  const ramGiB = gib < 10 ? Math.floor(gib * 2) / 2 : Math.floor(gib);
  if (ramGiB <= 0 || facts.vcpus < 1) return null;
  const spec: ScsFlavorSpec = {
    vcpus: facts.vcpus,
    cpuType: p.cpuType,
    insecure: p.insecure,
    ramGiB,
    ramNoEcc: p.ramNoEcc,
    ramOversub: p.ramOversub,
    disk: facts.disk > 0 ? { count: 1, sizeGB: facts.disk, type: p.diskType } : null,
    hypervisor: null,
    nestedVirt: p.nestedVirt,
    cpuArch: p.spec?.cpuArch ?? null,
    gpu: p.gpu,
    ib: p.ib,
  };
  return formatScsFlavorName(spec);
}

/** What a valid SCS name promises and the flavor does not give, one phrase each. */
export function overstatements(spec: ScsFlavorSpec, f: FlavorFacts): string[] {
  const out: string[] = [];
  if (spec.vcpus > f.vcpus) out.push(`${spec.vcpus} vCPU named, ${f.vcpus} provided`);
  if (spec.ramGiB * 1024 > f.ram) out.push(`${formatRamMiB(spec.ramGiB * 1024)} RAM named, ${formatRamMiB(f.ram)} provided`);
  const size = spec.disk?.sizeGB ?? null;
  if (size !== null && f.disk < size) out.push(`${size} GB root disk named, ${f.disk > 0 ? `${f.disk} GB` : "none"} provided`);
  const cpuSpec = f.extra_specs["scs:cpu-type"];
  const cpu = cpuSpec ? CPU_TYPE_SPEC[cpuSpec] : undefined;
  if (cpu && CPU_CLASS_RANK[cpu] < CPU_CLASS_RANK[spec.cpuType]) out.push(`CPU class ${spec.cpuType} named, scs:cpu-type is ${cpuSpec}`);
  const diskSpec = f.extra_specs["scs:disk0-type"];
  const disk = diskSpec ? DISK_TYPE_SPEC[diskSpec] : undefined;
  const named = spec.disk?.type ?? null;
  if (named && disk && DISK_RANK[disk] < DISK_RANK[named]) out.push(`disk type ${named} named, scs:disk0-type is ${diskSpec}`);
  return out;
}

function usedBy(u: UsedFlavor): string {
  return `used by ${plural(u.servers.length, "server")}: ${listNames(u.servers.map((s) => s.name || s.id))}`;
}

function complianceFindings(u: UsedFlavor, p: FlavorProfile): Finding[] {
  const f = u.facts;
  const resource = `flavor/${f.name}`;
  const out: Finding[] = [];
  const invalid: string[] = [];
  if (hasScsPrefix(f.name)) {
    const own = parseScsFlavorName(f.name);
    if (!own.spec) invalid.push(own.reason);
  }
  for (const { key, value } of scsNameExtraSpecs(f.extra_specs)) {
    const parsed = parseScsFlavorName(value.trim());
    if (!parsed.spec) invalid.push(`${key}: ${parsed.reason}`);
  }
  if (invalid.length > 0) {
    out.push(
      finding(
        "flavor-scs-invalid",
        "major",
        resource,
        `${invalid.join("; ")}; ${usedBy(u)}`,
        `Report it to the provider: a name starting with SCS- must follow the scs-0100 grammar. Tools cannot map it by name, so the move maps it by its figures (${describeFigures(f)}).`,
      ),
    );
  }
  const named: { name: string; spec: ScsFlavorSpec }[] = [];
  const own = p.ownScsName ? parseScsFlavorName(f.name).spec : null;
  if (own && p.ownScsName) named.push({ name: p.ownScsName, spec: own });
  for (const n of p.declaredScsNames) {
    const spec = parseScsFlavorName(n).spec;
    if (spec && !named.some((x) => x.name === n)) named.push({ name: n, spec });
  }
  const over = named.flatMap(({ name, spec }) => {
    const problems = overstatements(spec, f);
    return problems.length ? [`${name}: ${problems.join(", ")}`] : [];
  });
  if (over.length > 0) {
    out.push(
      finding(
        "flavor-scs-overstated",
        "major",
        resource,
        `the SCS name promises more than the flavor provides (${over.join("; ")}), which scs-0100 forbids; ${usedBy(u)}`,
        `Report it to the provider (figures or name must change). Size the target by what the servers really had (${describeFigures(f)}), not by the name: a compliant target gives what the name says, so expect a bigger, dearer flavor.`,
      ),
    );
  }
  return out;
}

function portabilityFinding(u: UsedFlavor, p: FlavorProfile): Finding | null {
  const f = u.facts;
  const resource = `flavor/${f.name}`;
  const names = [...(p.ownScsName ? [p.ownScsName] : []), ...p.declaredScsNames];
  const mandatory = names.find((n) => MANDATORY.includes(n));
  if (mandatory) {
    if (p.ownScsName) return null;
    return finding(
      "flavor-scs-declared-only",
      "info",
      resource,
      `${f.name} declares the mandatory SCS name ${mandatory} only in an extra spec; ${usedBy(u)}`,
      `Use ${mandatory} in templates and scripts instead of ${f.name}: that name exists on every SCS cloud, ${f.name} only here.`,
    );
  }
  const fit = fitOnMandatory(f, p);
  const severity = fitSeverity(fit);
  const scsName = names[0] ?? null;
  if (scsName === null) {
    const suggested = suggestScsName(f, p);
    const assumed = p.cpuTypeSource === "assumed" ? " (CPU class not declared, counted as V)" : "";
    const own = suggested ? `; by its figures its SCS name would be ${suggested}${assumed}` : "";
    const declare = suggested ? ` Ask the provider to declare scs:name-v2=${suggested} on ${f.name}, so tools can map it by name.` : "";
    const use =
      fit.kind === "equal"
        ? `Use ${withVolume(fit.target.name, fit.bootVolumeGB)} in templates and scripts instead of ${f.name}: every SCS cloud has it.`
        : fit.kind === "larger"
          ? `Resize to a mandatory SCS size before the move (the nearest that is not smaller is ${fit.target.name}), or check that the target offers ${describeFigures(f)} at a fair price.`
          : `Check that the target offers a flavor with ${describeFigures(f)}${fit.special.length ? ` and ${fit.special.join(", ")}` : ""} before committing.`;
    return finding(
      "flavor-not-scs",
      severity,
      resource,
      `${f.name} (${describeFigures(f)}) has no valid SCS name (neither a valid SCS-… name nor a scs:name-vN extra spec)${own}; ${fitText(fit)}; ${usedBy(u)}`,
      use + declare,
    );
  }
  const recommended = names.find((n) => RECOMMENDED.includes(n));
  const alt =
    fit.kind === "none"
      ? `Check that the target offers ${recommended ?? scsName} before committing.`
      : `Check that the target offers ${recommended ?? scsName}, or use the mandatory ${withVolume(fit.target.name, fit.bootVolumeGB)}, which every SCS cloud has.`;
  if (recommended) {
    return finding(
      "flavor-scs-recommended",
      severity,
      resource,
      `${recommended} is a recommended SCS flavor, not a mandatory one: only the 15 mandatory flavors exist on every compliant cloud; ${fitText(fit)}; ${usedBy(u)}`,
      alt,
    );
  }
  return finding(
    "flavor-scs-other",
    severity,
    resource,
    `${scsName} is a valid SCS name but neither mandatory nor recommended, so SCS clouds need not offer it; ${fitText(fit)}; ${usedBy(u)}`,
    alt,
  );
}

function extraDiskFinding(u: UsedFlavor): Finding | null {
  const f = u.facts;
  if (f.ephemeral <= 0 && f.swap <= 0) return null;
  const parts = [f.ephemeral > 0 ? `an ephemeral disk of ${f.ephemeral} GB (its content is not migrated)` : "", f.swap > 0 ? `${f.swap} MiB swap` : ""].filter(Boolean);
  const fixes = [
    f.ephemeral > 0 ? "Move data off the ephemeral disk (often /mnt) onto a volume before the move." : "",
    f.swap > 0 ? "Replace the swap disk by a swap file in the guest." : "",
  ].filter(Boolean);
  return finding(
    "flavor-ephemeral-swap",
    f.ephemeral > 0 ? "major" : "minor",
    `flavor/${f.name}`,
    `${f.name} has ${parts.join(" and ")}; SCS flavors have neither; ${usedBy(u)}`,
    fixes.join(" "),
  );
}

/** Findings about the flavors the project's servers use. */
export function checkFlavors(ctx: AssessContext, used: UsedFlavor[] = usedFlavors(ctx)): Finding[] {
  const out: Finding[] = [];
  for (const u of used) {
    const p = profileFlavor(u.facts);
    out.push(...complianceFindings(u, p));
    const portability = portabilityFinding(u, p);
    if (portability) out.push(portability);
    const extra = extraDiskFinding(u);
    if (extra) out.push(extra);
  }
  return out;
}
