/**
 * The kind contract: every kind in the registry, run against two simulated
 * clouds, must survive what the executor and rollback put it through.
 *
 *   crash right after the create call → rollback: find() finds what it made, nothing of the step left
 *   crash right after the create call → apply again: found by its marker, one resource
 *   crash after apply returned (outcome never recorded) → apply again: created, same id, nothing new
 *   apply again after recording → same id, nothing new, outcome unchanged or adopted
 *   verify → no findings; a change on the target → verify names the step
 *   remove, remove again → nothing of the step left on the target, find() returns null
 *
 * The kinds come from the registry, so a kind added later gets the contract
 * by being registered; it then needs an entry in CONTRACT below (how to change
 * its resource on the target, or why it is never applied), and this suite
 * fails, naming the kind, until it has one. Each (kind, action) pair is run on
 * one step of the fixture plan: the one with the fewest dependencies unless
 * the entry names another.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as compute from "../../src/openstack/compute.js";
import * as glance from "../../src/openstack/image.js";
import * as net from "../../src/openstack/network.js";
import * as lbapi from "../../src/openstack/load-balancer.js";
import * as bs from "../../src/openstack/block-storage.js";
import type { OpenStackCloud } from "../../src/openstack/cloud.js";
import type { Step } from "../../src/model/plan.js";
import type { SimStore } from "../../src/sim/index.js";
import { startSourceFixture, startTarget, type TargetFixture } from "./fixture.js";
import {
  addedSince,
  dependenciesOf,
  dieAfterFirstCreate,
  picture,
  registeredKinds,
  removedSince,
  scrub,
  SimulatedCrash,
  tableOf,
  StepDriver,
  type Picture,
  type TargetTable,
} from "./harness.js";

/** What a change on the target may use. */
interface ChangeTools {
  target: OpenStackCloud;
  store: SimStore;
  step: Step;
  stepId: string;
  targetId: string;
}

type ContractEntry =
  | {
      /** Where the step's own resource lives in the simulator (the table the target id points into). */
      table: TargetTable;
      /** Changes the step's resource on the target in place, in a way its verify() must notice. */
      change: (t: ChangeTools) => Promise<void>;
      /** Step to run the contract on instead of the one with the fewest dependencies. */
      step?: string;
    }
  | { neverApplied: string };

/** A second public key, for a keypair that was replaced on the target. */
const OTHER_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICExkK2wvzc+qZClpibIlxRXZdY1KfoKzdGpKxdtJppg other@example";

/**
 * Deletes the group's most recently made rule that matches. Why the newest: an
 * older one may be what an interrupted attempt left behind, and taking that
 * away here would hide whether remove() cleans it up.
 */
async function deleteNewestRule(target: OpenStackCloud, store: SimStore, groupId: string, match: (r: { direction: string; remote_group_id: string | null }) => boolean): Promise<void> {
  const rules = [...store.securityGroupRules.values()].filter((r) => r.security_group_id === groupId && match({ direction: r.direction, remote_group_id: r.remote_group_id ?? null }));
  const newest = rules.at(-1);
  if (!newest) throw new Error(`security group ${groupId} has no matching rule to remove`);
  await net.deleteSecurityGroupRule(target.network, newest.id);
}

const CONTRACT: Partial<Record<string, ContractEntry>> = {
  keypair: {
    table: "keypairs",
    // Nova cannot update a keypair: another key under the same name is the change a person would make.
    change: async ({ target, targetId }) => {
      await compute.deleteKeypair(target.compute, targetId);
      await compute.createKeypair(target.compute, { name: targetId, public_key: OTHER_PUBLIC_KEY });
    },
  },
  network: { table: "networks", change: async ({ target, targetId }) => void (await net.updateNetwork(target.network, targetId, { description: "changed on the target" })) },
  subnet: { table: "subnets", change: async ({ target, targetId }) => void (await net.updateSubnet(target.network, targetId, { dns_nameservers: ["192.0.2.53"] })) },
  router: { table: "routers", change: async ({ target, targetId }) => void (await net.updateRouter(target.network, targetId, { admin_state_up: false })) },
  "security-group": {
    table: "securityGroups",
    change: async ({ target, store, step, targetId }) => {
      if (step.action === "adopt") {
        // An adopted group is only checked for the rules the plan wants: take one of them away.
        await deleteNewestRule(target, store, targetId, (r) => r.direction === "ingress");
        return;
      }
      await net.createSecurityGroupRule(target.network, { security_group_id: targetId, direction: "ingress", ethertype: "IPv4", protocol: "tcp", port_range_min: 3306, port_range_max: 3306, remote_ip_prefix: "0.0.0.0/0" });
    },
  },
  "security-group-rules": {
    table: "securityGroups",
    // Rules added to the adopted default group outlive a rollback unless remove() takes each one away.
    step: "security-group-rules/default",
    change: async ({ target, store, targetId }) => deleteNewestRule(target, store, targetId, (r) => !!r.remote_group_id && r.remote_group_id !== targetId),
  },
  port: { table: "ports", change: async ({ target, targetId }) => void (await net.updatePort(target.network, targetId, { name: "renamed-on-target" })) },
  "server-group": {
    table: "serverGroups",
    // Nova has no update call for server groups; the simulator's record is changed instead.
    change: async ({ store, targetId }) => {
      const g = store.serverGroups.get(targetId);
      if (!g) throw new Error(`server group ${targetId} is not on the target`);
      g.policy = g.policy === "affinity" ? "anti-affinity" : "affinity";
    },
  },
  image: { table: "images", change: async ({ target, targetId }) => void (await glance.updateImage(target.image, targetId, [{ op: "replace", path: "/min_ram", value: 4096 }])) },
  volume: {
    table: "volumes",
    // The one with data: the copy path is what the contract should exercise.
    step: "volume/db-data",
    change: async ({ target, targetId }) => void (await bs.updateVolume(target.blockStorage, targetId, { description: "changed on the target" })),
  },
  server: { table: "servers", change: async ({ target, targetId }) => void (await compute.setServerMetadata(target.compute, targetId, { role: "changed-on-target" })) },
  "floating-ip": { table: "floatingIps", change: async ({ target, targetId }) => void (await net.disassociateFloatingIp(target.network, targetId)) },
  "load-balancer": {
    table: "loadBalancers",
    change: async ({ target, targetId }) => {
      await lbapi.updateLoadBalancer(target.loadBalancer, targetId, { description: "changed on the target" });
      await lbapi.waitForLoadBalancer(target.loadBalancer, targetId, { minDelay: 10, maxDelay: 200, timeoutMs: 30_000 });
    },
  },
  "load-balancer-config": {
    // The step's target id is its load balancer's; its own objects (pools, listeners, …) are judged by the whole picture.
    table: "loadBalancers",
    change: async ({ target, store, targetId }) => {
      const pool = [...store.octavia.pools.values()].find((p) => p.loadbalancer_id === targetId && p.lb_algorithm !== "SOURCE_IP");
      if (!pool) throw new Error(`load balancer ${targetId} has no pool to change`);
      await lbapi.updatePool(target.loadBalancer, pool.id, { lb_algorithm: "SOURCE_IP" });
      await lbapi.waitForLoadBalancer(target.loadBalancer, targetId, { minDelay: 10, maxDelay: 200, timeoutMs: 30_000 });
    },
  },
  "volume-snapshot": { neverApplied: "snapshots stay on the source; the volume's current data is copied" },
};

/**
 * Outcomes a second apply of a step whose outcome is already recorded may
 * report. `ApplyOutcome` calls a resource found by its marker "created" (right
 * after a crash, rollback must remove it), and the executor never applies a
 * step whose outcome it recorded, so a kind is not told which case it is in:
 * what the contract holds a second apply to is "nothing new", the same target
 * id and no new resource (checked beside this).
 */
const REAPPLY_OUTCOMES = ["unchanged", "adopted", "created"];

const HOOK_TIMEOUT = 120_000;
const STEP_TIMEOUT = 60_000;

const fx = await startSourceFixture();
afterAll(() => fx.close());

const kinds = registeredKinds();
const stepsOf = (kind: string) => Object.entries(fx.plan.steps).filter(([, s]) => s.kind === kind);

/** The step of each (kind, action) the contract runs on. */
function chosenSteps(kind: string, entry: Exclude<ContractEntry, { neverApplied: string }>): string[] {
  const byAction = new Map<string, string[]>();
  for (const [id, s] of stepsOf(kind)) if (s.action !== "skip") (byAction.get(s.action) ?? byAction.set(s.action, []).get(s.action)!).push(id);
  const out: string[] = [];
  for (const [action, ids] of byAction) {
    const pinned = entry.step && fx.plan.steps[entry.step]?.action === action ? entry.step : undefined;
    out.push(pinned ?? [...ids].sort((a, b) => dependenciesOf(fx.plan, a).length - dependenciesOf(fx.plan, b).length || a.localeCompare(b))[0]!);
  }
  return out;
}

/** The leftovers with enough of each record to recognise it in a failure message. */
function describeLeft(store: SimStore, left: Partial<Record<TargetTable, string[]>>): string {
  const parts: string[] = [];
  for (const [table, ids] of Object.entries(left) as [TargetTable, string[]][]) {
    for (const id of ids) {
      const r = tableOf(store, table).get(id) as Record<string, unknown> | undefined;
      const brief = r ? Object.fromEntries(Object.entries(r).filter(([k]) => ["name", "status", "properties", "direction", "protocol", "port_range_min", "remote_ip_prefix", "remote_group_id", "security_group_id", "description"].includes(k))) : {};
      parts.push(`${table}/${id} ${JSON.stringify(brief)}`);
    }
  }
  return parts.join("; ") || "nothing";
}

const fmt = (x: unknown) => JSON.stringify(x);

describe("the contract table", () => {
  it("has an entry for every registered kind", () => {
    const missing = kinds.map((k) => k.id).filter((id) => !CONTRACT[id]);
    expect(missing, `registered kinds without an entry in CONTRACT (test/kinds/contract.test.ts): ${missing.join(", ")}; add how to change the kind's resource on the target, or why it is never applied`).toEqual([]);
  });

  it("has no entry for a kind that is not registered", () => {
    const ids = new Set<string>(kinds.map((k) => k.id));
    expect(Object.keys(CONTRACT).filter((id) => !ids.has(id))).toEqual([]);
  });
});

for (const { id: kind } of kinds) {
  const entry = CONTRACT[kind];
  if (!entry) {
    describe(kind, () => {
      it("has an entry in the contract table", () => {
        expect.fail(`kind ${kind} is registered but has no entry in CONTRACT (test/kinds/contract.test.ts): add how to change its resource on the target, or why it is never applied`);
      });
    });
    continue;
  }

  if ("neverApplied" in entry) {
    describe(`${kind} (never applied: ${entry.neverApplied})`, () => {
      it("the fixture plan has steps of this kind, and every one is a skip with a reason", () => {
        const steps = stepsOf(kind);
        expect(steps.length, `the fixture tenant has no ${kind} step`).toBeGreaterThan(0);
        for (const [id, s] of steps) {
          expect(s.action, `${id} is planned as "${s.action}"`).toBe("skip");
          expect(s.reason, `${id} has no skip reason`).toBeTruthy();
        }
      });
    });
    continue;
  }

  const chosen = chosenSteps(kind, entry);
  describe(kind, () => {
    it("the fixture plan has a step of this kind to apply", () => {
      expect(chosen.length, `the fixture tenant plans no ${kind} step to apply; add one to the fixture`).toBeGreaterThan(0);
    });
  });

  for (const stepId of chosen) {
    const step = fx.plan.steps[stepId]!;
    const firstOutcome = step.action === "adopt" ? "adopted" : "created";

    describe(`${kind}: ${stepId} (${step.action})`, () => {
      let tgt: TargetFixture | undefined;
      let d: StepDriver;
      /** The target and source before the step's first apply (its dependencies applied). */
      let before: Picture;
      let sourceBefore: Picture;
      let targetId: string | undefined;
      let afterApply: Picture | undefined;
      const srcStore = fx.env.sim.cloud("src").store;

      beforeAll(async () => {
        tgt = await startTarget();
        d = new StepDriver(fx.plan, fx.source, tgt.cloud);
        await d.applyDependencies(stepId);
        before = picture(tgt.store);
        sourceBefore = picture(srcStore);
      }, HOOK_TIMEOUT);

      afterAll(async () => {
        await d?.restartStoppedSources();
        await tgt?.close();
      });

      /** The resources of the step's table added since before the step, with the target id. */
      const own = (id: string) => {
        const added = addedSince(before, picture(tgt!.store))[entry.table] ?? [];
        return [...new Set([...added, ...(tableOf(tgt!.store, entry.table).has(id) ? [id] : [])])].sort();
      };

      it(
        "a crash right after its create call, then rollback: what the crash made is found and removed, nothing of the step left",
        async ({ annotate }) => {
          const crash = dieAfterFirstCreate(tgt!.cloud);
          try {
            await d.apply(stepId);
          } catch (err) {
            if (!(err instanceof SimulatedCrash)) throw err;
          } finally {
            crash.revive();
          }
          d.newRun();
          const removedId = await d.rollbackStep(stepId);
          await annotate(`died after ${crash.died() ?? "no create call"}; rollback removed ${removedId ?? "nothing (find() found nothing)"}`);
          await d.restartStoppedSources();
          const left = addedSince(before, picture(tgt!.store));
          const leftText = describeLeft(tgt!.store, left);
          const leftOnSource = addedSince(sourceBefore, picture(srcStore));
          // The later phases start from clean clouds, so each reports only what it leaves itself.
          await scrub(tgt!.cloud, tgt!.store, before);
          await scrub(fx.source, srcStore, sourceBefore);
          expect(left, `left on the target: ${leftText}`).toEqual({});
          expect(leftOnSource, "left on the source").toEqual({});
        },
        STEP_TIMEOUT,
      );

      it(
        "a crash right after its create call, then apply: completes, finds what the crash made, one resource",
        async ({ annotate }) => {
          const crash = dieAfterFirstCreate(tgt!.cloud);
          let crashed: unknown = null;
          try {
            await d.apply(stepId);
          } catch (err) {
            crashed = err;
          } finally {
            crash.revive();
          }
          // Where the create call is the attempt's last, the "dead" process had nothing left to do and apply returned.
          if (crashed && !(crashed instanceof SimulatedCrash)) throw crashed;
          await annotate(crash.died() ? `died after ${crash.died()}${crashed ? "" : " (its last call: apply returned)"}` : "made no create call");
          d.newRun();
          const out = await d.apply(stepId);
          expect(out.outcome).toBe(firstOutcome);
          expect(own(out.targetId), `${entry.table} of the step on the target after the crash (${crash.died() ?? "no create call"}) and a new apply`).toEqual([out.targetId]);
          targetId = out.targetId;
        },
        STEP_TIMEOUT,
      );

      it(
        "a crash after apply returned (outcome never recorded), then apply: same outcome and id, nothing new or replaced",
        async () => {
          expect(targetId, "an earlier phase failed").toBeDefined();
          const pic = picture(tgt!.store);
          d.newRun();
          const out = await d.apply(stepId);
          expect(out.outcome).toBe(firstOutcome);
          expect(out.targetId).toBe(targetId);
          expect(addedSince(pic, picture(tgt!.store)), "made on the target by the second apply").toEqual({});
          expect(removedSince(pic, picture(tgt!.store)), "deleted on the target by the second apply").toEqual({});
          expect(own(out.targetId)).toEqual([targetId]);
          d.record(stepId, out);
          afterApply = picture(tgt!.store);
        },
        STEP_TIMEOUT,
      );

      it(
        step.action === "adopt" ? "find() returns the target id or null (an adopted resource is not ours to remove)" : "find() returns the target id",
        async () => {
          expect(targetId, "an earlier phase failed").toBeDefined();
          const found = await d.find(stepId);
          if (step.action === "adopt" && found === null) return;
          expect(found).toBe(targetId);
        },
        STEP_TIMEOUT,
      );

      // The outcome is recorded now, as after a completed run: the step's own id is in the id map.
      let again: { outcome: string; targetId: string } | undefined;
      it(
        "apply again after its outcome was recorded: same id, nothing new or replaced on the target",
        async () => {
          expect(afterApply, "an earlier phase failed").toBeDefined();
          d.newRun();
          again = await d.apply(stepId);
          expect(again.targetId).toBe(targetId);
          expect(addedSince(afterApply!, picture(tgt!.store)), "made on the target by applying again").toEqual({});
          expect(removedSince(afterApply!, picture(tgt!.store)), "deleted on the target by applying again").toEqual({});
        },
        STEP_TIMEOUT,
      );

      it("apply again: outcome unchanged or adopted", () => {
        expect(again, "an earlier phase failed").toBeDefined();
        expect(REAPPLY_OUTCOMES, `${stepId} applied again reports "${again!.outcome}"`).toContain(again!.outcome);
      });

      it(
        "verify (deep: data compared where the kind copies data): no findings",
        async () => {
          expect(targetId, "an earlier phase failed").toBeDefined();
          const findings = (await d.verify(stepId, targetId!, true)).filter((f) => f.severity !== "warning");
          expect(findings.map((f) => f.message)).toEqual([]);
        },
        STEP_TIMEOUT,
      );

      it(
        "a change on the target: verify names the step",
        async () => {
          expect(targetId, "an earlier phase failed").toBeDefined();
          await entry.change({ target: tgt!.cloud, store: tgt!.store, step, stepId, targetId: targetId! });
          const findings = (await d.verify(stepId, targetId!)).filter((f) => f.severity !== "warning");
          expect(findings.length, "verify found nothing after the change").toBeGreaterThan(0);
          for (const f of findings) expect(f.step, fmt(f)).toBe(stepId);
        },
        STEP_TIMEOUT,
      );

      let removed = false;
      it(
        "remove, then remove again: no error",
        async () => {
          expect(targetId, "an earlier phase failed").toBeDefined();
          d.newRun();
          await d.remove(stepId, targetId!);
          await d.remove(stepId, targetId!);
          removed = true;
        },
        STEP_TIMEOUT,
      );

      it("after remove: nothing the step made is left on the target", () => {
        expect(removed, "an earlier phase failed").toBe(true);
        const left = addedSince(before, picture(tgt!.store));
        expect(left, `left on the target: ${describeLeft(tgt!.store, left)}`).toEqual({});
      });

      it(
        "after remove: no temporaries left on the source or recorded as live",
        async () => {
          expect(removed, "an earlier phase failed").toBe(true);
          await d.restartStoppedSources();
          expect(addedSince(sourceBefore, picture(srcStore)), "temporaries left on the source").toEqual({});
          expect(d.liveTemps(stepId), "temporaries still recorded as live").toEqual([]);
        },
        STEP_TIMEOUT,
      );

      it(
        "after remove: find() returns null",
        async () => {
          expect(removed, "an earlier phase failed").toBe(true);
          expect(await d.find(stepId)).toBeNull();
        },
        STEP_TIMEOUT,
      );
    });
  }
}
