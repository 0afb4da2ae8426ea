/**
 * The command table and the single top-level error handler. Each command
 * lives in `src/commands/<name>.ts` and is imported lazily, so `--help` and
 * small commands start fast. Errors become one line on stderr (plus a hint and
 * detail lines where the error carries them) and a documented exit code.
 */
import { Command, CommanderError, Option } from "commander";
import { EXIT, InternalError, MigrateError } from "./errors.js";
import { configureLogging, redact } from "./log.js";
import { TOOL_VERSION } from "./version.js";

type Action = (...args: any[]) => Promise<number | void>;

/** The exit code the last command's `run` returned (commands return a code instead of exiting). */
let actionCode: number | undefined;

/** Lazily loads `src/commands/<file>.ts` and calls its `run`. */
function lazy(file: string): (...args: any[]) => Promise<void> {
  return async (...args: any[]) => {
    const mod = (await import(`./commands/${file}.js`)) as { run: Action };
    const code = await mod.run(...args);
    if (typeof code === "number") actionCode = code;
  };
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("scs-migrate")
    .description("Move a tenant's workloads from one Sovereign Cloud Stack cloud to another.")
    .version(TOOL_VERSION, "-V, --version")
    .option("-v, --verbose", "debug logging (requests, timings)")
    .option("--log-json", "log lines as JSON objects")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ outputError: (str, write) => write(redact(str)) })
    .exitOverride();

  program.hook("preAction", (cmd) => {
    const o = cmd.optsWithGlobals() as { verbose?: boolean; logJson?: boolean };
    configureLogging({ ...(o.verbose ? { level: "debug" as const } : {}), json: Boolean(o.logJson) });
  });

  const cloudOpt = () => new Option("--cloud <name>", "cloud name in clouds.yaml (or 'envvars' for OS_* variables)");

  program
    .command("sim")
    .description("start simulated SCS clouds on 127.0.0.1 and write a clouds.yaml for them; runs until interrupted")
    .option("--clouds <names>", "comma-separated cloud names", "simsrc,simdst")
    .option("--out <file>", "where to write clouds.yaml", "clouds.yaml")
    .option("--seed <spec>", "seed this tenant spec into the first cloud")
    .option("--delay <ms>", "status transition delay in ms", "100")
    .option("--quota <key=n>", "set a quota of the simulated projects at start (repeatable, e.g. --quota instances=2); -1 is unlimited", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(lazy("sim"));

  program
    .command("seed")
    .description("create the resources of a tenant spec (YAML/JSON) in a cloud")
    .addOption(cloudOpt().makeOptionMandatory())
    .argument("<spec>", "tenant spec file, e.g. fixtures/tenants/medium.yaml")
    .option("--poll-ms <ms>", "first poll interval while waiting for resources", (v) => Number.parseInt(v, 10))
    .option("--admin-cloud <name>", "admin identity (clouds.yaml name) for the spec's quotas and private flavors; skipped without it")
    .action(lazy("seed"));

  program
    .command("inventory")
    .description("list every resource of a project in the normalized model")
    .addOption(cloudOpt().makeOptionMandatory())
    .option("--json", "print the inventory as JSON instead of a summary table")
    .option("--out <file>", "also write the inventory JSON to this file")
    .option("--page-size <n>", "page size for list calls", (v) => Number.parseInt(v, 10))
    .action(lazy("inventory"));

  program
    .command("assess")
    .description("portability report of one project: SCS conformance of flavors, images, volume types, provider-specific features; score and fixes")
    .addOption(cloudOpt().makeOptionMandatory())
    .option("--json", "print the assessment as JSON")
    .option("--out <file>", "also write the JSON to this file")
    .option("--min-score <n>", "exit 1 when the score is below n (for CI gates)", (v) => Number.parseInt(v, 10))
    .action(lazy("assess"));

  const int = (v: string) => Number.parseInt(v, 10);
  const cutover = () => new Option("--cutover <mode>", "cold: stop servers before copying their disks; live: snapshot them running").choices(["cold", "live"]);

  program
    .command("plan")
    .description("inventory both clouds and write a reviewable plan: migrations-plans/NAME/plan.json and plan.txt")
    .requiredOption("--from <cloud>", "source cloud (clouds.yaml name)")
    .requiredOption("--to <cloud>", "target cloud (clouds.yaml name)")
    .option("--name <name>", "migration name (default FROM-to-TO)")
    .option("--map <file>", "mapping file (YAML or JSON) with overrides")
    .addOption(cutover().default("cold"))
    .option("--throughput <MBps>", "copy throughput for the time estimate", (v) => Number.parseFloat(v))
    .option("--page-size <n>", "page size for list calls", int)
    .option("-q, --quiet", "do not print the plan, only where it was written")
    .action(lazy("plan"));

  program
    .command("apply")
    .description("execute a plan; running it again resumes (state in migrations-plans/NAME/state.db)")
    .argument("<migration>", "migration name or folder")
    // Why not an override: the plan is the reviewed contract; a different mode means planning again.
    .addOption(new Option("--cutover <mode>", "the plan's cutover, as a check: a different one is refused (plan again with --cutover)").choices(["cold", "live"]))
    .option("--api-concurrency <n>", "parallel API steps", int)
    .option("--copy-concurrency <n>", "parallel data copies", int)
    .option("--step-attempts <n>", "attempts per step on transient API or transfer errors (default 6)", int)
    .option("--json", "progress as JSON event lines on stdout")
    .option("--poll-ms <ms>", "first poll interval while waiting for resources", int)
    .action(lazy("apply"));

  program
    .command("status")
    .description("per-step status of a migration from its state file")
    .argument("<migration>", "migration name or folder")
    .option("--json", "as JSON")
    .action(lazy("status"));

  program
    .command("force-unlock")
    .description("remove a migration's lock (only when you are sure no process holds it)")
    .argument("<migration>", "migration name or folder")
    .argument("<lock-id>", "the lock id that `status` or the lock error shows")
    .action(lazy("force-unlock"));

  program
    .command("verify")
    .description("compare the target with the plan for every applied step; exit 12 on any mismatch")
    .argument("<migration>", "migration name or folder")
    .option("--deep", "also compare volume data by checksum (exports volumes on both clouds)")
    .option("--json", "findings as JSON")
    .option("--poll-ms <ms>", "first poll interval while waiting for exports", int)
    .action(lazy("verify"));

  program
    .command("report")
    .description("write the migration report: report.md, report.html (self-contained) and report.json")
    .argument("<migration>", "migration name or folder")
    .action(lazy("report"));

  program
    .command("rollback")
    .description("delete everything the migration created on the target, in reverse order")
    .argument("<migration>", "migration name or folder")
    .option("-y, --yes", "do not ask (required when not on a terminal)")
    .option("--json", "progress as JSON event lines")
    .option("--poll-ms <ms>", "first poll interval while waiting for deletions", int)
    .action(lazy("rollback"));

  program
    .command("drill")
    .description("disaster-recovery drill: plan, apply, verify, report and roll back unattended; JSON summary with recovery time; exit 13 on any failure")
    .requiredOption("--from <cloud>", "source cloud (clouds.yaml name)")
    .requiredOption("--to <cloud>", "target cloud (clouds.yaml name)")
    .option("--name <name>", "migration name (default drill-<UTC time>)")
    .option("--map <file>", "mapping file")
    .option("--keep", "keep the copy on the target (skip the rollback)")
    .option("--deep", "verify volume data by checksum")
    .addOption(cutover().default("live"))
    .option("--json", "only the JSON summary (no progress lines)")
    .option("--poll-ms <ms>", "first poll interval while waiting for resources", int)
    .option("--api-concurrency <n>", "parallel API steps", int)
    .option("--copy-concurrency <n>", "parallel data copies", int)
    .action(lazy("drill"));

  program
    .command("demo")
    .description("the whole flow between two embedded simulated SCS clouds: seed, assess, plan, apply, verify, report (no credentials, no network)")
    .option("--name <name>", "migration name", "demo")
    .option("--tenant <spec>", "tenant spec to seed (default: the medium sample tenant)")
    .option("--delay <ms>", "simulated status transition delay", int)
    .option("--json", "JSON events and a JSON summary instead of text")
    .action(lazy("demo"));

  program
    .command("show")
    .description("render a plan for review and write plan.txt beside it")
    .argument("<migration>", "migration name or folder (migrations-plans/NAME)")
    .option("--no-write", "only print, do not (re)write plan.txt")
    .action(lazy("show"));

  program
    .command("validate")
    .description("check a plan file offline and list every problem")
    .argument("<migration>", "migration name, folder or plan.json path")
    .action(lazy("validate"));

  return program;
}

/** Runs the CLI and exits with the code the outcome maps to. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  let code: number = EXIT.OK;
  try {
    actionCode = undefined;
    await program.parseAsync(argv);
    code = actionCode ?? EXIT.OK;
  } catch (err) {
    code = handleError(err);
  }
  process.exitCode = code;

}

/** Maps any thrown value to an exit code after printing it as one line (plus hint/details). */
export function handleError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
      return EXIT.OK;
    }
    // commander already printed its message
    return EXIT.USAGE;
  }
  if (err instanceof MigrateError) {
    process.stderr.write(redact(`scs-migrate: ${err.message}`) + "\n");
    for (const d of err.details) process.stderr.write(redact(`  - ${d}`) + "\n");
    if (err.hint) process.stderr.write(redact(`hint: ${err.hint}`) + "\n");
    if (process.env.SCS_MIGRATE_DEBUG && err.stack) process.stderr.write(redact(err.stack) + "\n");
    return err.exitCode;
  }
  const internal = new InternalError(err instanceof Error ? err.message : String(err));
  process.stderr.write(redact(`scs-migrate: internal error: ${internal.message}`) + "\n");
  process.stderr.write(
    `hint: this is a bug; please report it with the command you ran, \`scs-migrate --version\` (${TOOL_VERSION}) and \`node --version\` (${process.version}). Set SCS_MIGRATE_DEBUG=1 for a stack trace.\n`,
  );
  if (process.env.SCS_MIGRATE_DEBUG && err instanceof Error && err.stack) process.stderr.write(redact(err.stack) + "\n");
  return EXIT.INTERNAL;
}
