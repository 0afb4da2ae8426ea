/**
 * The one way the tool reads YAML (and JSON, which is YAML 1.2) that a user
 * hands it: clouds.yaml, secure.yaml, clouds-public.yaml, mapping files and
 * tenant specs. The limits live here so that every reader refuses the same
 * hostile input the same way:
 * - a file larger than `maxBytes` (config files are small; a huge one is a
 *   mistake or an attack);
 * - alias expansion beyond `maxAliasCount` (the "billion laughs" bomb: a few
 *   lines that expand to gigabytes);
 * - duplicate keys (a typo that would silently drop a value);
 * - nesting deep enough to exhaust the stack.
 * Every failure is a ConfigError (exit 3) naming the file, never a
 * ReferenceError or RangeError from the parser.
 */
import YAML from "yaml";
import { ConfigError, type MigrateError } from "../errors.js";

/** One problem found while parsing, with its position when the parser knows it. */
export interface YamlIssue {
  line?: number;
  col?: number;
  message: string;
}

export interface ParseYamlOptions {
  /** The file name (or another label) that messages name. */
  source: string;
  /** Builds the error for syntax problems; the default names `source:line:col`. */
  syntaxError?: (issues: YamlIssue[]) => MigrateError;
  /** Largest accepted text, in bytes (default 4 MiB). */
  maxBytes?: number;
  /** Largest number of alias expansions (default 100). */
  maxAliasCount?: number;
}

export const YAML_LIMITS = { maxBytes: 4 * 1024 * 1024, maxAliasCount: 100 } as const;

function defaultSyntaxError(source: string, issues: YamlIssue[]): ConfigError {
  const lines = issues.map((i) => `${i.line !== undefined ? `${source}:${i.line}:${i.col ?? 1}` : source}: YAML syntax error: ${i.message}`);
  const first = lines[0] ?? `${source}: YAML syntax error`;
  return new ConfigError(lines.length > 1 ? `${first} (and ${lines.length - 1} more)` : first, {
    details: lines.length > 1 ? lines : [],
    hint: `Fix the syntax in ${source} and run the command again.`,
  });
}

/** The first line of a parser message, without the position it repeats. */
function firstLine(message: string): string {
  return (message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Parses YAML or JSON text into plain values (an empty document is null).
 * Throws ConfigError naming `source` for syntax errors and exceeded limits.
 */
export function parseYamlText(text: string, opts: ParseYamlOptions): unknown {
  const maxBytes = opts.maxBytes ?? YAML_LIMITS.maxBytes;
  const size = Buffer.byteLength(text, "utf8");
  if (size > maxBytes) {
    throw new ConfigError(`${opts.source}: the file is too large (${size} bytes; at most ${maxBytes} are read)`, {
      hint: "Check that this is the file you meant.",
    });
  }
  const syntax = (issues: YamlIssue[]) => (opts.syntaxError ? opts.syntaxError(issues) : defaultSyntaxError(opts.source, issues));
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    // Why: the parser's own recursion can overflow on pathological nesting.
    throw syntax([{ message: err instanceof RangeError ? "the document is nested too deeply" : firstLine(String((err as Error)?.message ?? err)) }]);
  }
  if (doc.errors.length > 0) {
    throw syntax(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return pos ? { line: pos.line, col: pos.col, message: firstLine(e.message) } : { message: firstLine(e.message) };
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: opts.maxAliasCount ?? YAML_LIMITS.maxAliasCount }) ?? null;
  } catch (err) {
    const msg = String((err as Error)?.message ?? err);
    if (/Excessive alias count/.test(msg)) {
      throw new ConfigError(`${opts.source}: too many YAML aliases (more than ${opts.maxAliasCount ?? YAML_LIMITS.maxAliasCount} expansions); refusing a possible alias bomb`, {
        hint: `Write the repeated parts of ${opts.source} out instead of using anchors and aliases.`,
      });
    }
    if (err instanceof RangeError) throw syntax([{ message: "the document is nested too deeply" }]);
    throw syntax([{ message: firstLine(msg) }]);
  }
}
