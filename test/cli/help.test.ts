/**
 * Every command's --help shows an example and every default, and the
 * defaults shown are the ones the executor really uses.
 */
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { APPLY_DEFAULTS, buildProgram } from "../../src/cli.js";
import { DEFAULT_API_CONCURRENCY, DEFAULT_COPY_CONCURRENCY, DEFAULT_STEP_ATTEMPTS } from "../../src/executor/run.js";

function helpOf(cmd: Command): string {
  let text = "";
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

const program = buildProgram();

describe("--help", () => {
  it.each(program.commands.map((c) => [c.name(), c] as const))("%s shows an example and every default", (_name, cmd) => {
    const help = helpOf(cmd);
    expect(help).toMatch(/\nExamples?:\n {2}\$ scs-migrate /);
    for (const o of cmd.options) {
      if (o.defaultValue === undefined && o.defaultValueDescription === undefined) continue;
      if (o.negate) continue; // --no-write: its default (write) is what the flag's absence means
      // The option's own entry: from its flags to the next option line (commander wraps long descriptions).
      const flat = help.replace(/\s+/g, " ");
      const from = flat.indexOf(`${o.long}`);
      const entry = flat.slice(from, flat.indexOf(" -", from + o.flags.length + 1));
      expect(entry, `${cmd.name()} ${o.long}`).toMatch(/\(.*default: [^)]+\)/);
    }
  });

  it("numeric options with an executor default show that default", () => {
    const apply = program.commands.find((c) => c.name() === "apply")!;
    const help = helpOf(apply).replace(/\s+/g, " ");
    expect(help).toContain(`parallel API steps (default: ${DEFAULT_API_CONCURRENCY})`);
    expect(help).toContain(`parallel data copies (default: ${DEFAULT_COPY_CONCURRENCY})`);
    expect(help).toMatch(new RegExp(`transfer errors \\(default: ${DEFAULT_STEP_ATTEMPTS}\\)`));
    expect(APPLY_DEFAULTS).toMatchObject({ apiConcurrency: DEFAULT_API_CONCURRENCY, copyConcurrency: DEFAULT_COPY_CONCURRENCY, stepAttempts: DEFAULT_STEP_ATTEMPTS });
  });

  it("options documented with a default but without a value (plan --throughput) say where it comes from", () => {
    const plan = program.commands.find((c) => c.name() === "plan")!;
    expect(helpOf(plan).replace(/\s+/g, " ")).toMatch(/--throughput <MBps>.*\(default: the mapping file's throughputMBps, else 100\)/);
  });
});
