/**
 * Shared steps of the user-journey tests (test/journeys/): plan and apply a
 * migration through the CLI, and a comparable picture of a whole project for
 * "is the target exactly as it was before?" checks.
 *
 * Quirks: the project picture keeps ids (a rollback must not replace a
 * pre-existing resource with a look-alike) but drops what a cloud changes on
 * its own when something else happens: update times, revision numbers and
 * the inventory's own metadata (collection time, microversions).
 */
import { expect } from "vitest";
import type { Inventory } from "../../src/model/inventory.js";
import { runCli, type CliResult } from "./cli.js";
import type { SimEnv } from "./sim-env.js";

/**
 * Time limit of one journey test or setup hook. Why: a journey is several CLI
 * runs, each a new process against two simulated clouds; on an idle machine a
 * test takes seconds, on a shared, busy one several times as long.
 */
export const JOURNEY_TIMEOUT_MS = 120_000;

/** Runs `plan` and `apply` for the env's src → dst and expects both to succeed. */
export async function planAndApply(e: SimEnv, name: string, planArgs: string[] = []): Promise<{ plan: CliResult; apply: CliResult }> {
  const plan = await runCli(["plan", "--from", "src", "--to", "dst", "--name", name, "-q", ...planArgs], e.env);
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  const apply = await runCli(["apply", name, "--poll-ms", "10"], e.env);
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);
  return { plan, apply };
}

const VOLATILE = new Set(["updated_at", "revision_number"]);

function stripVolatile(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripVolatile);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, x]) => [k, stripVolatile(x)]),
    );
  }
  return v;
}

/** Every resource collection of a project, sorted by id, without volatile fields. */
export function projectPicture(inv: Inventory): Record<string, unknown[]> {
  const { meta: _meta, ...rest } = inv;
  const out: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (!Array.isArray(v)) {
      out[k] = [stripVolatile(v)];
      continue;
    }
    const items = (v as Array<{ id?: string; name?: string; rules?: Array<{ id: string }> }>).map((x) => {
      // Why: rule order in API answers is not part of a group's identity.
      const y = Array.isArray(x.rules) ? { ...x, rules: [...x.rules].sort((a, b) => a.id.localeCompare(b.id)) } : x;
      return stripVolatile(y);
    });
    out[k] = items.sort((a, b) => key(a).localeCompare(key(b)));
  }
  return out;
}

const key = (x: unknown): string => {
  const o = x as { id?: unknown; name?: unknown };
  return String(o.id ?? o.name ?? JSON.stringify(x));
};

/** Names of the resources in a collection (for readable failure messages). */
export const namesOf = (xs: Array<{ name?: string | null }>): string[] => xs.map((x) => x.name ?? "?").sort();
