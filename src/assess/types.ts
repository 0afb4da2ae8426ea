/**
 * The shapes of a portability assessment (`scs-migrate assess`): findings,
 * the stable check codes that produce them, the score and grades. The JSON
 * output of the command is an `Assessment` as is, so every field here is plain
 * data and the check codes are a closed, documented set that tooling can
 * filter on.
 */

/** How much a finding hurts portability, worst first. */
export const SEVERITIES = ["blocker", "major", "minor", "info"] as const;
/** How much a finding hurts portability: blocker (check the target before moving), major (needs work or costs more), minor (small change), info (worth knowing). */
export type Severity = (typeof SEVERITIES)[number];

/** The areas the assessment scores separately, in report order. */
export const CATEGORIES = ["compute", "images", "storage", "network", "features"] as const;
/** An area with its own sub-score. */
export type Category = (typeof CATEGORIES)[number];

/** Letter grades, best first. */
export type Grade = "A" | "B" | "C" | "D" | "E";

/** Every check the assessment runs: stable code → category and what it looks for. */
export const CHECKS = {
  "flavor-not-scs": { category: "compute", title: "flavor in use without an SCS name" },
  "flavor-scs-declared-only": { category: "compute", title: "flavor declares its SCS name only in an extra spec" },
  "flavor-scs-recommended": { category: "compute", title: "recommended (not mandatory) SCS flavor in use" },
  "flavor-scs-other": { category: "compute", title: "SCS flavor in use that is neither mandatory nor recommended" },
  "flavor-scs-invalid": { category: "compute", title: "flavor name starts with SCS- but breaks the scs-0100 grammar" },
  "flavor-scs-overstated": { category: "compute", title: "SCS name promises more than the flavor provides" },
  "flavor-ephemeral-swap": { category: "compute", title: "flavor with ephemeral disk or swap" },
  "server-diskless-image-boot": { category: "compute", title: "server booted from an image on a diskless flavor" },
  "server-user-data": { category: "compute", title: "server created with user data" },
  "server-config-drive": { category: "compute", title: "server with a config drive" },
  "server-group-affinity": { category: "compute", title: "server group with hard affinity" },
  "server-group-anti-affinity": { category: "compute", title: "server group with hard anti-affinity" },
  "image-metadata-missing": { category: "images", title: "image without the mandatory scs-0102 metadata" },
  "image-provider-nonstandard": { category: "images", title: "server booted from a provider image that is not a standard image" },
  "image-not-guaranteed": { category: "images", title: "standard image that scs-0104 does not make mandatory" },
  "image-gone": { category: "images", title: "server booted from an image that no longer exists" },
  "image-shared": { category: "images", title: "image shared with other projects" },
  "volume-type-no-aspects": { category: "storage", title: "volume type without [scs:…] aspects" },
  "volume-encrypted": { category: "storage", title: "volumes of an encrypted type" },
  "volume-multiattach": { category: "storage", title: "multi-attach volume" },
  "volume-snapshots": { category: "storage", title: "volume with snapshots" },
  "network-shared-foreign": { category: "network", title: "ports on a network shared by another project" },
  "network-shared-own": { category: "network", title: "project network shared with other projects" },
  "port-on-provider-network": { category: "network", title: "ports directly on a provider (external) network" },
  "floating-ip": { category: "network", title: "floating IP address (changes on the move)" },
  "provider-feature": { category: "features", title: "provider-specific feature in use" },
  "availability-zone": { category: "features", title: "resources placed in a named availability zone" },
} as const satisfies Record<string, { category: Category; title: string }>;

/** A stable check code, e.g. "flavor-not-scs". */
export type CheckId = keyof typeof CHECKS;

/** One thing that makes the project harder to move, with what to change. */
export interface Finding {
  /** Stable check code (see `CHECKS`). */
  id: CheckId;
  severity: Severity;
  category: Category;
  /** "<kind>/<name>", e.g. "flavor/m1.small". */
  resource: string;
  /** What was found, naming the resource and the figures. */
  message: string;
  /** What to change, concretely. */
  fix: string;
}

/** What one check took off the score. */
export interface CheckDeduction {
  id: CheckId;
  category: Category;
  findings: number;
  /** Points before the cap. */
  raw: number;
  /** Points taken off the score (raw, capped). */
  points: number;
  cap: number;
}

/** A score with its grade and the number of findings behind it. */
export interface CategoryScore {
  score: number;
  grade: Grade;
  findings: number;
}

/** How many resources of each kind were looked at. */
export interface AssessCounts {
  servers: number;
  /** Distinct flavors the project's servers use. */
  flavors: number;
  /** Images servers booted from (directly or via a volume) plus images the project owns. */
  images: number;
  volumes: number;
  /** Volume types the project's volumes use. */
  volumeTypes: number;
  volumeSnapshots: number;
  /** Networks the project owns or has ports on. */
  networks: number;
  ports: number;
  floatingIps: number;
  serverGroups: number;
  /** Provider-specific features the inventory reported. */
  features: number;
}

/** The portability report of one project; the JSON output of `assess`. */
export interface Assessment {
  formatVersion: 1;
  project: {
    cloud: string;
    region: string | null;
    project_id: string;
    project_name: string | null;
    collectedAt: string;
  };
  /** 0–100, see `src/assess/score.ts` for the formula. */
  score: number;
  grade: Grade;
  categories: Record<Category, CategoryScore>;
  counts: AssessCounts;
  /** Per check that found something, what it took off. */
  deductions: CheckDeduction[];
  /** Worst first, then by category, check and resource. */
  findings: Finding[];
}
