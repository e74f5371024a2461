import { ConfigError } from "./errors";

export interface StackNode {
  name: string;
  /** Stacks this one references; they must be up first. */
  sources: readonly string[];
}

/**
 * Orders stacks so every source comes before the stacks that reference it. Among stacks that are ready at the
 * same time the declaration order wins, so the same file always deploys in the same order.
 */
export function orderStacks(stacks: readonly StackNode[]): string[] {
  const names = new Set(stacks.map((s) => s.name));
  const unknown = stacks.flatMap((s) => s.sources.filter((ref) => !names.has(ref)).map((ref) => `${s.name} -> ${ref}`));
  if (unknown.length > 0) {
    throw new ConfigError(`unknown source stack referenced: ${unknown.join(", ")} (not listed under stacks)`);
  }
  const done = new Set<string>();
  const ordered: string[] = [];
  let pending = [...stacks];
  while (pending.length > 0) {
    const next = pending.find((s) => s.sources.every((ref) => done.has(ref)));
    if (!next) throw new ConfigError(`stack references form a cycle: ${describeCycle(pending)}`);
    done.add(next.name);
    ordered.push(next.name);
    pending = pending.filter((s) => s !== next);
  }
  return ordered;
}

// Every pending stack waits for another pending stack, so walking those waits must revisit a stack.
function describeCycle(pending: readonly StackNode[]): string {
  const byName = new Map(pending.map((s) => [s.name, s]));
  const path: string[] = [];
  let current = pending[0];
  while (!path.includes(current.name)) {
    path.push(current.name);
    current = byName.get(current.sources.find((ref) => byName.has(ref))!)!;
  }
  return [...path.slice(path.indexOf(current.name)), current.name].join(" -> ");
}
