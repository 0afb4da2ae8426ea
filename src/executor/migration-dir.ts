/**
 * Where migrations live: `migrations-plans/<name>/` holds plan.json, plan.txt,
 * the inventories it was made from, state.db and the reports. Commands take
 * either that folder's path or just the name.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { MIGRATION_NAME } from "../kinds/common.js";

export const PLANS_DIR = "migrations-plans";

/** The folder of a migration given its name or path. */
export function migrationDir(nameOrPath: string): string {
  if (existsSync(nameOrPath) && statSync(nameOrPath).isDirectory()) return resolve(nameOrPath);
  if (nameOrPath.endsWith(".json") && existsSync(nameOrPath)) return resolve(nameOrPath, "..");
  const base = process.env.SCS_MIGRATE_PLANS_DIR ?? PLANS_DIR;
  return resolve(base, nameOrPath);
}

/** The migration's name: its folder name. */
export function migrationName(dir: string): string {
  return basename(dir);
}

/** Checks a new migration name (it ends up in tags of at most 60 characters). */
export function checkMigrationName(name: string): void {
  if (!MIGRATION_NAME.test(name)) {
    throw new UsageError(`migration name "${name}" is not allowed: use 1–40 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
}

export const files = (dir: string) => ({
  plan: join(dir, "plan.json"),
  planText: join(dir, "plan.txt"),
  sourceInventory: join(dir, "inventory-source.json"),
  targetInventory: join(dir, "inventory-target.json"),
  state: join(dir, "state.db"),
  verify: join(dir, "verify.json"),
});

/** The state file of a migration that has been applied; refuses one that has not (nothing to verify, report or roll back). */
export function requireState(dir: string): string {
  const f = files(dir);
  if (!existsSync(f.state)) throw new UsageError(`${dir} has no state yet: nothing has been applied`);
  return f.state;
}
