/**
 * The dependency graph of a plan: waves (topological layers, each sorted, so
 * plans are deterministic) and cycle reports. A step runs only after every
 * step it depends on has finished; a wave is the set of steps whose deepest
 * dependency chain has the same length.
 */

export interface GraphNode {
  id: string;
  dependsOn: string[];
}

export interface GraphProblems {
  dangling: { step: string; missing: string }[];
  cycles: string[][];
}

/** Finds references to unknown steps and every dependency cycle (each reported once). */
export function checkGraph(nodes: GraphNode[]): GraphProblems {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const dangling: { step: string; missing: string }[] = [];
  for (const n of nodes) for (const d of n.dependsOn) if (!byId.has(d)) dangling.push({ step: n.id, missing: d });

  const cycles: string[][] = [];
  const state = new Map<string, 0 | 1 | 2>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 1);
    stack.push(id);
    for (const d of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(d)) continue;
      const s = state.get(d) ?? 0;
      if (s === 0) visit(d);
      else if (s === 1) {
        const cycle = stack.slice(stack.indexOf(d));
        const key = [...cycle].sort().join("|");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, d]);
        }
      }
    }
    stack.pop();
    state.set(id, 2);
  };
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) if (!state.get(n.id)) visit(n.id);
  return { dangling, cycles };
}

/**
 * Layers the graph into waves. Assumes no cycles and no dangling references
 * (checkGraph first); dangling references are ignored here.
 */
export function computeWaves(nodes: GraphNode[]): string[][] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, guard: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (guard.has(id)) return 0;
    guard.add(id);
    let d = 0;
    for (const dep of byId.get(id)?.dependsOn ?? []) if (byId.has(dep)) d = Math.max(d, depthOf(dep, guard) + 1);
    guard.delete(id);
    depth.set(id, d);
    return d;
  };
  const waves: string[][] = [];
  for (const n of nodes) {
    const d = depthOf(n.id, new Set());
    (waves[d] ??= []).push(n.id);
  }
  return waves.filter((w) => w !== undefined).map((w) => w.sort());
}

