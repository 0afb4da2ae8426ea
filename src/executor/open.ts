/**
 * Opening a migration: the one routine apply, verify, rollback, report, the
 * drill and the demo go through. In order it reads and checks the plan
 * (schema, integrity, each step's params against its kind), opens the state,
 * takes the lock when the caller writes to a cloud, connects both clouds and
 * checks they are the projects the plan was made for.
 *
 * Why one routine: anything that fails half-way through the opening (an
 * unreadable plan, a held lock, a refused password, the wrong project) must
 * leave nothing behind, or the next run finds the lock held and the SQLite
 * file busy. Every resource taken so far is released before the error leaves
 * this function; after it returns, the caller's `close()` releases them all.
 */
import { checkStepParams } from "../kinds/index.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import { readPlan } from "../plan/io.js";
import type { Plan } from "../model/plan.js";
import { ConfigError } from "../errors.js";
import { acquireLock, type HeldLock } from "./lock.js";
import { files, migrationDir, requireState } from "./migration-dir.js";
import { StateStore } from "./state.js";

/** How to reach a cloud by its clouds.yaml name (the CLI connects; tests and the demo inject). */
export type Connector = (cloudName: string) => Promise<OpenStackCloud>;

/** The operations that write to a cloud and therefore hold the migration's lock. */
export type LockOperation = "apply" | "verify" | "rollback";

export interface OpenOptions {
  /** Take the lock for this operation (apply, rollback, verify --deep); false or absent for readers. */
  lock?: LockOperation | false;
  /** Connect both clouds with this and check their projects; absent for offline uses (report, status). */
  connect?: Connector;
  /** Refuse a migration that was never applied (verify, rollback) instead of creating an empty state. */
  requireState?: boolean;
  /** Checks of the plan made before anything is opened (apply: pre-flight errors, run options). */
  checkPlan?: (plan: Plan) => void;
  /** Checks of the state made under the lock, before any cloud is contacted (apply: resuming another plan). */
  checkState?: (plan: Plan, state: StateStore) => void;
}

/** An opened migration: its plan and state, and the lock when one was asked for. */
export interface OpenedMigration {
  dir: string;
  plan: Plan;
  state: StateStore;
  lock: HeldLock | null;
  /** Releases the clouds, the lock and the state; safe to call more than once. */
  close(): void;
}

/** An opened migration with both clouds connected and checked. */
export interface ConnectedMigration extends OpenedMigration {
  source: OpenStackCloud;
  target: OpenStackCloud;
}

/** Checks that a connected cloud is the project a plan side was made for. */
export function checkSide(which: "source" | "target", side: Plan["source"], cloud: OpenStackCloud): void {
  if (cloud.projectId !== side.project_id) {
    throw new ConfigError(
      `cloud "${side.cloud}" now gives project ${cloud.projectName ?? cloud.projectId} (${cloud.projectId}), but the plan's ${which} is project ${side.project_name ?? side.project_id} (${side.project_id})`,
      { hint: "Use the credentials the plan was made with, or make a new plan." },
    );
  }
}

/** Opens the migration `nameOrDir` (a name under the plans folder, or a folder path). */
export async function openMigration(nameOrDir: string, o: OpenOptions & { connect: Connector }): Promise<ConnectedMigration>;
export async function openMigration(nameOrDir: string, o?: OpenOptions): Promise<OpenedMigration>;
export async function openMigration(nameOrDir: string, o: OpenOptions = {}): Promise<OpenedMigration | ConnectedMigration> {
  const dir = migrationDir(nameOrDir);
  const f = files(dir);
  const plan = readPlan(f.plan, checkStepParams);
  o.checkPlan?.(plan);
  const state = StateStore.open(o.requireState ? requireState(dir) : f.state);
  let lock: HeldLock | null = null;
  const clouds: OpenStackCloud[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const c of clouds) {
      try {
        c.close();
      } catch {
        // a cloud that cannot close must not keep the lock and the state held
      }
    }
    lock?.release();
    state.close();
  };
  try {
    if (o.lock) lock = acquireLock(state, o.lock, plan.name);
    o.checkState?.(plan, state);
    const opened: OpenedMigration = { dir, plan, state, lock, close };
    if (!o.connect) return opened;
    const source = await o.connect(plan.source.cloud);
    clouds.push(source);
    const target = await o.connect(plan.target.cloud);
    clouds.push(target);
    checkSide("source", plan.source, source);
    checkSide("target", plan.target, target);
    return { ...opened, source, target };
  } catch (err) {
    close();
    throw err;
  }
}
