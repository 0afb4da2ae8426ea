/**
 * Where migrations live: `migrations-plans/<name>/` holds plan.json, plan.txt,
 * the inventories it was made from, state.db and the reports. Commands take
 * either that folder's path or just the name.
 *
 * A bare word is always a name (looked up in the plans folder), even when a
 * folder of that name happens to exist in the current directory: otherwise
 * `plan --name shop` run from a directory holding an unrelated `shop/` would
 * overwrite files there. A path is given explicitly: it contains a "/" (for
 * example `./shop`), or it names a plan.json file.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { basename, isAbsolute, join, resolve, sep } from "node:path";
import { NotFoundError, UsageError } from "../errors.js";
import { MIGRATION_NAME } from "../kinds/common.js";

export const PLANS_DIR = "migrations-plans";

/** True when the argument is meant as a path rather than a migration name. */
export function isPathLike(nameOrPath: string): boolean {
  return isAbsolute(nameOrPath) || nameOrPath.includes("/") || nameOrPath.includes(sep) || nameOrPath === "." || nameOrPath === ".." || nameOrPath.endsWith(".json");
}

/** The plans folder (SCS_MIGRATE_PLANS_DIR or ./migrations-plans). */
export function plansDir(): string {
  return resolve(process.env.SCS_MIGRATE_PLANS_DIR ?? PLANS_DIR);
}

/** The folder of a migration given its name or path. */
export function migrationDir(nameOrPath: string): string {
  if (!isPathLike(nameOrPath)) return join(plansDir(), nameOrPath);
  if (nameOrPath.endsWith(".json") && !(existsSync(nameOrPath) && statSync(nameOrPath).isDirectory())) return resolve(nameOrPath, "..");
  return resolve(nameOrPath);
}

/** The migration's name: its folder name. */
export function migrationName(dir: string): string {
  return basename(dir);
}

/** Checks a new migration name (it ends up in tags of at most 60 characters). */
export function checkMigrationName(name: string): void {
  if (!MIGRATION_NAME.test(name)) {
    throw new UsageError(`migration name "${name}" is not allowed: use 1–40 letters, digits, ".", "_" or "-", starting with a letter or digit`, {
      hint: "A name is a name, not a path; to plan into a folder of your choice, give a path containing \"/\" (e.g. --name ./shop).",
    });
  }
}

/** The folder and name of a new migration from `--name` (a name, or a path containing "/"). */
export function newMigration(nameOrPath: string): { dir: string; name: string } {
  const dir = migrationDir(nameOrPath);
  const name = isPathLike(nameOrPath) ? basename(dir) : nameOrPath;
  checkMigrationName(name);
  return { dir, name };
}

/**
 * Creates a migration folder readable by its owner only, whatever the umask:
 * plans name projects, networks and addresses, and the state holds ids.
 */
export function ensureMigrationDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

export const files = (dir: string) => ({
  plan: join(dir, "plan.json"),
  planText: join(dir, "plan.txt"),
  sourceInventory: join(dir, "inventory-source.json"),
  targetInventory: join(dir, "inventory-target.json"),
  state: join(dir, "state.db"),
  verify: join(dir, "verify.json"),
});

/** Refuses a migration whose folder or plan does not exist (exit 14), naming where it looked. */
export function requireMigration(nameOrPath: string): string {
  const dir = migrationDir(nameOrPath);
  if (!existsSync(files(dir).plan)) {
    const where = existsSync(dir) ? `${files(dir).plan} does not exist` : `no migration folder ${dir}`;
    throw new NotFoundError(`migration "${nameOrPath}" not found: ${where}`, {
      hint: isPathLike(nameOrPath)
        ? "Check the path, or create the plan with `scs-migrate plan --from SRC --to DST --name NAME`."
        : `Migrations are looked up in ${plansDir()} (set SCS_MIGRATE_PLANS_DIR to change it); give a path containing "/" for a folder elsewhere, or create it with \`scs-migrate plan\`.`,
    });
  }
  return dir;
}

/** The state file of a migration that has been applied; refuses one that has not (nothing to verify, report or roll back). */
export function requireState(dir: string): string {
  const f = files(dir);
  if (!existsSync(dir)) requireMigration(dir);
  if (!existsSync(f.state)) throw new UsageError(`${dir} has no state yet: nothing has been applied`, { hint: "Run `scs-migrate apply` first." });
  return f.state;
}
