/**
 * The layer rules (.dependency-cruiser.cjs) are checked by `npm run
 * lint:layers` in the test command; this test shows the rules bite: an
 * upward import and a simulator that borrows the tool's code are reported,
 * a downward import is not.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cruise } from "dependency-cruiser";

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const config = require(join(ROOT, ".dependency-cruiser.cjs")) as { forbidden: unknown[] };

const dir = mkdtempSync(join(tmpdir(), "layers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tree(files: Record<string, string>): void {
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), body);
  }
}

async function violations(): Promise<string[]> {
  const prev = process.cwd();
  process.chdir(dir);
  try {
    // Why: the sources import ".js" names of ".ts" files (Node ESM), as the project's tsconfig resolves them.
    const r = await cruise(["src"], { validate: true, ruleSet: { forbidden: config.forbidden } as never, tsPreCompilationDeps: true }, { extensionAlias: { ".js": [".ts", ".js"] } } as never);
    const out = r.output as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(prev);
  }
}

describe("layer rules", () => {
  it("report an upward import and a simulator that uses the tool's code, and accept downward imports", async () => {
    tree({
      "src/errors.ts": "export const e = 1;\n",
      "src/kinds/k.ts": 'import { e } from "../errors.js";\nimport { run } from "../executor/run.js";\nexport const k = e + run;\n',
      "src/executor/run.ts": "export const run = 1;\n",
      "src/sim/s.ts": 'import { k } from "../kinds/k.js";\nexport const s = k;\n',
    });
    const v = await violations();
    expect(v).toContain("no-upward-from-src-kinds: src/kinds/k.ts → src/executor/run.ts");
    expect(v).toContain("sim-stands-apart: src/sim/s.ts → src/kinds/k.ts");
    expect(v.some((x) => x.includes("→ src/errors.ts"))).toBe(false);
  });
});
