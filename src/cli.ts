/**
 * The command table and the single top-level error handler. Each command
 * lives in `src/commands/<name>.ts` and is imported lazily, so `--help` and
 * small commands start fast. Errors become one line on stderr (plus a hint and
 * detail lines where the error carries them) and a documented exit code.
 */
import { Command, CommanderError, Option } from "commander";
import { EXIT, InternalError, localFileError, MigrateError, UsageError } from "./errors.js";
import { concurrency, intIn, numberIn, pageSize, pollMs } from "./commands/options.js";
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

/** The examples shown under each command's --help (the README's table has the same ones). */
const EXAMPLES: Record<string, string[]> = {
  sim: ["scs-migrate sim --clouds a,b --out sim.yaml --seed fixtures/tenants/small.yaml"],
  seed: ["scs-migrate seed --cloud simsrc fixtures/tenants/medium.yaml"],
  inventory: ["scs-migrate inventory --cloud old-provider --json --out inv.json"],
  assess: ["scs-migrate assess --cloud old-provider", "scs-migrate assess --cloud old-provider --min-score 80   # CI gate: exit 1 below 80"],
  plan: ["scs-migrate plan --from old-provider --to new-provider --name shop --map map.yaml --throughput 80"],
  apply: ["scs-migrate apply shop", "scs-migrate apply shop --api-concurrency 4 --json > events.jsonl"],
  status: ["scs-migrate status shop", "scs-migrate status shop --json"],
  "force-unlock": ["scs-migrate force-unlock shop 7f3c2a9e-…   # the lock id from the refusal message or `status`"],
  verify: ["scs-migrate verify shop --deep"],
  report: ["scs-migrate report shop"],
  rollback: ["scs-migrate rollback shop --yes"],
  drill: ["scs-migrate drill --from prod --to dr-site --json >> /var/log/dr-drill.jsonl"],
  demo: ["scs-migrate demo", "scs-migrate demo --tenant fixtures/tenants/small.yaml --delay 0"],
  show: ["scs-migrate show shop", "scs-migrate show shop --json"],
  validate: ["scs-migrate validate shop", "scs-migrate validate ./shop/plan.json --json"],
};

/** Adds the "Example" section to a command's help. */
function withExamples(cmd: Command): Command {
  const lines = EXAMPLES[cmd.name()] ?? [];
  return cmd.addHelpText("after", `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`);
}

/** Executor defaults, shown in --help (a test checks they equal the executor's own constants). */
export const APPLY_DEFAULTS = { apiConcurrency: 8, copyConcurrency: 2, stepAttempts: 6, pollMs: 1000, pageSize: 1000 } as const;

const cloudOpt = () => new Option("--cloud <name>", "cloud name in clouds.yaml, or 'envvars' for the OS_* variables (without it: $OS_CLOUD, an openrc's variables, or the only cloud of clouds.yaml)");
const cutover = () => new Option("--cutover <mode>", "cold: stop servers before copying their disks; live: snapshot them running").choices(["cold", "live"]);
const pollOpt = (what: string) => new Option("--poll-ms <ms>", `first poll interval while waiting for ${what}`).argParser(pollMs).default(APPLY_DEFAULTS.pollMs);
const pageOpt = () => new Option("--page-size <n>", "page size for list calls").argParser(pageSize).default(APPLY_DEFAULTS.pageSize);
const apiOpt = () => new Option("--api-concurrency <n>", "parallel API steps").argParser(concurrency).default(APPLY_DEFAULTS.apiConcurrency);
const copyOpt = () => new Option("--copy-concurrency <n>", "parallel data copies").argParser(concurrency).default(APPLY_DEFAULTS.copyConcurrency);
const jsonOpt = (what: string) => new Option("--json", `${what}; errors become one JSON object on stderr`);

/** Commands that set up or inspect clouds and tenants. */
function addCloudCommands(program: Command): void {
  withExamples(program.command("sim"))
    .description("start simulated SCS clouds on 127.0.0.1 and write a clouds.yaml for them; runs until interrupted")
    .option("--clouds <names>", "comma-separated cloud names", "simsrc,simdst")
    .option("--out <file>", "where to write clouds.yaml", "clouds.yaml")
    .option("--seed <spec>", "seed this tenant spec into the first cloud")
    .addOption(new Option("--delay <ms>", "status transition delay in ms").argParser(intIn(0, 600_000)).default(100))
    .option("--quota <key=n>", "a quota KEY=N of the simulated projects at start, repeatable (e.g. instances=2); N=-1 is unlimited", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(lazy("sim"));

  withExamples(program.command("seed"))
    .description("create the resources of a tenant spec (YAML/JSON) in a cloud")
    .addOption(cloudOpt())
    .argument("<spec>", "tenant spec file, e.g. fixtures/tenants/medium.yaml")
    .addOption(pollOpt("resources"))
    .option("--admin-cloud <name>", "admin identity (clouds.yaml name) for the spec's quotas and private flavors; skipped without it")
    .action(lazy("seed"));

  withExamples(program.command("inventory"))
    .description("list every resource of a project in the normalized model")
    .addOption(cloudOpt())
    .addOption(jsonOpt("print the inventory as JSON instead of a summary table"))
    .option("--out <file>", "also write the inventory JSON to this file")
    .addOption(pageOpt())
    .action(lazy("inventory"));

  withExamples(program.command("assess"))
    .description("portability report of one project: SCS conformance of flavors, images, volume types, provider-specific features; score and fixes")
    .addOption(cloudOpt())
    .addOption(jsonOpt("print the assessment as JSON"))
    .option("--out <file>", "also write the JSON to this file")
    .addOption(new Option("--min-score <n>", "exit 1 when the score (0–100) is below n (for CI gates)").argParser(numberIn(0, 100)))
    .action(lazy("assess"));
}

/** plan, show, validate: making and reading plans. */
function addPlanCommands(program: Command): void {
  withExamples(program.command("plan"))
    .description("inventory both clouds and write a reviewable plan: migrations-plans/NAME/plan.json and plan.txt")
    .requiredOption("--from <cloud>", "source cloud (clouds.yaml name)")
    .requiredOption("--to <cloud>", "target cloud (clouds.yaml name)")
    .addOption(new Option("--name <name>", "migration name, or a folder path containing \"/\" (default: FROM-to-TO)"))
    .option("--map <file>", "mapping file (YAML or JSON) with overrides")
    .addOption(cutover().default("cold"))
    // Why no commander default: it would override the mapping file's throughputMBps.
    .addOption(new Option("--throughput <MBps>", "copy throughput for the time estimate (default: the mapping file's throughputMBps, else 100)").argParser(numberIn(0.1, 1_000_000)))
    .addOption(pageOpt())
    .addOption(jsonOpt("print the plan as JSON on stdout"))
    .option("-q, --quiet", "do not print the plan, only where it was written")
    .action(lazy("plan"));

  withExamples(program.command("show"))
    .description("render a plan for review and write plan.txt beside it")
    .argument("<migration>", "migration name or folder (migrations-plans/NAME)")
    .option("--no-write", "only print, do not (re)write plan.txt")
    .addOption(jsonOpt("print the plan as JSON instead of text"))
    .action(lazy("show"));

  withExamples(program.command("validate"))
    .description("check a plan file offline and list every problem")
    .argument("<migration>", "migration name, folder or plan.json path")
    .addOption(jsonOpt("the result as one JSON object on stdout"))
    .action(lazy("validate"));
}

/** apply, status, force-unlock, verify, report, rollback: one migration's life. */
function addRunCommands(program: Command): void {
  withExamples(program.command("apply"))
    .description("execute a plan; running it again resumes (state in migrations-plans/NAME/state.db)")
    .argument("<migration>", "migration name or folder")
    // Why not an override: the plan is the reviewed contract; a different mode means planning again.
    .addOption(new Option("--cutover <mode>", "the plan's cutover, as a check: a different one is refused (plan again with --cutover)").choices(["cold", "live"]))
    .addOption(apiOpt())
    .addOption(copyOpt())
    .addOption(new Option("--step-attempts <n>", "attempts per step on transient API or transfer errors").argParser(intIn(1, 100)).default(APPLY_DEFAULTS.stepAttempts))
    .addOption(jsonOpt("progress as JSON event lines on stdout"))
    .addOption(pollOpt("resources"))
    .addOption(pageOpt())
    .action(lazy("apply"));

  withExamples(program.command("status"))
    .description("per-step status of a migration from its state file (read-only)")
    .argument("<migration>", "migration name or folder")
    .addOption(jsonOpt("as JSON"))
    .action(lazy("status"));

  withExamples(program.command("force-unlock"))
    .description("remove a migration's lock (only when you are sure no process holds it)")
    .argument("<migration>", "migration name or folder")
    .argument("<lock-id>", "the lock id that `status` or the lock error shows")
    .action(lazy("force-unlock"));

  withExamples(program.command("verify"))
    .description("compare the target with the plan for every applied step; exit 12 on any mismatch")
    .argument("<migration>", "migration name or folder")
    .option("--deep", "also compare volume data by checksum (exports volumes on both clouds)")
    .addOption(jsonOpt("findings as JSON"))
    .addOption(pollOpt("exports"))
    .action(lazy("verify"));

  withExamples(program.command("report"))
    .description("write the migration report: report.md, report.html (self-contained) and report.json")
    .argument("<migration>", "migration name or folder")
    .addOption(jsonOpt("the report's paths and JSON on stdout"))
    .action(lazy("report"));

  withExamples(program.command("rollback"))
    .description("delete everything the migration created on the target, in reverse order")
    .argument("<migration>", "migration name or folder")
    .option("-y, --yes", "do not ask (required when not on a terminal)")
    .addOption(jsonOpt("progress as JSON event lines"))
    .addOption(pollOpt("deletions"))
    .action(lazy("rollback"));
}

/** drill and demo: whole journeys in one command. */
function addJourneyCommands(program: Command): void {
  withExamples(program.command("drill"))
    .description("disaster-recovery drill: plan, apply, verify, report and roll back unattended; JSON summary with recovery time; exit 13 when the drill fails")
    .requiredOption("--from <cloud>", "source cloud (clouds.yaml name)")
    .requiredOption("--to <cloud>", "target cloud (clouds.yaml name)")
    .addOption(new Option("--name <name>", "migration name (default: drill-<UTC time>)"))
    .option("--map <file>", "mapping file")
    .option("--keep", "keep the copy on the target (skip the rollback)")
    .option("--deep", "verify volume data by checksum")
    .addOption(cutover().default("live"))
    .addOption(jsonOpt("only the JSON summary, one line when stdout is not a terminal (no progress lines)"))
    .addOption(pollOpt("resources"))
    .addOption(apiOpt())
    .addOption(copyOpt())
    .action(lazy("drill"));

  withExamples(program.command("demo"))
    .description("the whole flow between two embedded simulated SCS clouds: seed, assess, plan, apply, verify, report (no credentials, no network)")
    .option("--name <name>", "migration name", "demo")
    .addOption(new Option("--tenant <spec>", "tenant spec to seed (default: the medium sample tenant)"))
    .addOption(new Option("--delay <ms>", "simulated status transition delay").argParser(intIn(0, 600_000)).default(150))
    .addOption(jsonOpt("JSON events and a JSON summary instead of text"))
    .action(lazy("demo"));
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("scs-migrate")
    .description("Move a tenant's workloads from one Sovereign Cloud Stack cloud to another.")
    .version(TOOL_VERSION, "-V, --version")
    .option("-v, --verbose", "debug logging (requests, timings)")
    .option("--log-json", "log lines as JSON objects")
    // Why captured, not printed: handleError prints every error the same way (one line, a hint, or JSON with --json).
    .configureOutput({ outputError: (str) => (commanderMessage = str) })
    .exitOverride();

  program.hook("preAction", (cmd) => {
    const o = cmd.optsWithGlobals() as { verbose?: boolean; logJson?: boolean };
    configureLogging({ ...(o.verbose ? { level: "debug" as const } : {}), json: Boolean(o.logJson) });
  });
  addCloudCommands(program);
  addPlanCommands(program);
  addRunCommands(program);
  addJourneyCommands(program);
  return program;
}

/** Runs the CLI and exits with the code the outcome maps to. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  let code: number = EXIT.OK;
  try {
    actionCode = undefined;
    commanderMessage = undefined;
    await program.parseAsync(argv);
    code = actionCode ?? EXIT.OK;
  } catch (err) {
    code = handleError(err, { json: wantsJson(argv), command: commandOf(argv, program) });
  }
  process.exitCode = code;
}

/** True when the command line asks for JSON output (errors then become JSON too). */
function wantsJson(argv: string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--json");
}

/** The subcommand named on the command line, for hints. */
function commandOf(argv: string[], program: Command): string | undefined {
  const name = argv.slice(2).find((a) => !a.startsWith("-"));
  return program.commands.some((c) => c.name() === name) ? name : undefined;
}

/** The message commander wanted to print for the last usage error (captured, printed by handleError). */
let commanderMessage: string | undefined;

/** A usage error built from commander's refusal (unknown option, bad value, missing argument). */
function usageFromCommander(err: CommanderError, command: string | undefined): UsageError {
  const text = (commanderMessage ?? err.message).trim().replace(/^error:\s*/i, "");
  return new UsageError(text.split("\n")[0]!, { hint: `Run \`scs-migrate ${command ? `${command} ` : ""}--help\` for usage and an example.` });
}

/** Prints err as one line (plus hint and details) or, with json, as one JSON object; returns the exit code. */
function report(err: MigrateError, json: boolean): number {
  if (json) {
    const body = { error: { code: err.code, exitCode: err.exitCode, message: err.message, hint: err.hint ?? null, details: err.details } };
    process.stderr.write(redact(JSON.stringify(body)) + "\n");
  } else {
    process.stderr.write(redact(`scs-migrate: ${err.message}`) + "\n");
    for (const d of err.details) process.stderr.write(redact(`  - ${d}`) + "\n");
    if (err.hint) process.stderr.write(redact(`hint: ${err.hint}`) + "\n");
  }
  if (process.env.SCS_MIGRATE_DEBUG && err.stack) process.stderr.write(redact(err.stack) + "\n");
  return err.exitCode;
}

/** Maps any thrown value to an exit code after printing it as one line (plus hint/details), or as JSON. */
export function handleError(err: unknown, o: { json?: boolean; command?: string | undefined } = {}): number {
  const json = Boolean(o.json);
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
      return EXIT.OK;
    }
    return report(usageFromCommander(err, o.command), json);
  }
  if (err instanceof MigrateError) return report(err, json);
  const local = localFileError(err);
  if (local) return report(local, json);
  const internal = new InternalError(`internal error: ${err instanceof Error ? err.message : String(err)}`, {
    hint: `this is a bug; please report it with the command you ran, \`scs-migrate --version\` (${TOOL_VERSION}) and \`node --version\` (${process.version}). Set SCS_MIGRATE_DEBUG=1 for a stack trace.`,
  });
  if (err instanceof Error && err.stack) internal.stack = err.stack;
  return report(internal, json);
}
