/**
 * Layer rules: imports point downward only. Top to bottom:
 *   cli.ts, commands/ → journeys/ → report/ → executor/ → plan/, inventory/, assess/
 *   → kinds/ → movers/ → mapping/ → model/ → openstack/, s3/, kubernetes/, config/, tenant/
 *   → util/, errors.ts, log.ts, version.ts
 * The simulator (sim/) stands apart: it imports only its own files and the logger,
 * so it cannot borrow the tool's understanding of the APIs it simulates.
 */
const LAYERS = [
  ["^src/(cli\\.ts|commands/)"],
  ["^src/journeys/"],
  ["^src/report/"],
  ["^src/executor/"],
  ["^src/(plan|inventory|assess)/"],
  ["^src/kinds/"],
  ["^src/movers/"],
  ["^src/mapping/"],
  ["^src/model/"],
  ["^src/(openstack|s3|kubernetes|config|tenant)/"],
  ["^src/(util/|errors\\.ts|log\\.ts|version\\.ts)"],
];

/** Every layer may not import any layer above it. */
const upward = LAYERS.flatMap(([from], i) =>
  i === 0
    ? []
    : [
        {
          name: `no-upward-from-${from.replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "")}`,
          comment: "imports point downward only (see the layer table in the README)",
          severity: "error",
          from: { path: from },
          to: { path: LAYERS.slice(0, i).map(([p]) => p).join("|") },
        },
      ],
);

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "sim-stands-apart",
      comment: "the simulator knows nothing of the tool's own code (only the logger)",
      severity: "error",
      from: { path: "^src/sim/" },
      to: { path: "^src/", pathNot: "^src/(sim/|log\\.ts)" },
    },
    {
      name: "nothing-imports-the-simulator",
      comment: "only the commands that start simulated clouds (demo, sim) and journeys may use it",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(sim/|commands/|journeys/|cli\\.ts)" },
      to: { path: "^src/sim/" },
    },
    {
      name: "no-circular",
      comment: "a cycle of run-time imports makes the layers meaningless (type-only imports are erased)",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(node_modules|dist)/" },
  },
};
