import { orderStacks } from "./order";
import type { Pairs } from "./pairs";

export interface MatrixEntry {
  stack: string;
  account: string;
  region: string;
  /** The CI role of the stack's account, assumed through GitHub OIDC. */
  role: string;
}

/** The GitHub Actions matrix (`strategy.matrix`) for the given stacks, in deploy order; all stacks by default. */
export function ciMatrix(pairs: Pairs, only?: readonly string[]): { include: MatrixEntry[] } {
  const byName = new Map(pairs.stacks.map((s) => [s.name, s]));
  const names = orderStacks(pairs.stacks).filter((name) => !only || only.includes(name));
  return {
    include: names.map((name) => {
      const { account, region } = byName.get(name)!;
      return { stack: name, account, region, role: pairs.accounts[account].ciRole };
    }),
  };
}

// Every stack runs the same program: a change to any of these can change any stack's resources.
const PROGRAM_FILES = [
  "Pulumi.yaml",
  "index.ts",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "deploy/pairs.yaml",
];
const PROGRAM_DIRS = ["components/", "functions/", "policy/"];

/** Stacks a pull request can change: all of them for program changes, one for its own Pulumi.<stack>.yaml. */
export function affectedStacks(changedFiles: readonly string[], pairs: Pairs): string[] {
  const all = pairs.stacks.map((s) => s.name);
  const touchesProgram = changedFiles.some(
    (f) => PROGRAM_FILES.includes(f) || PROGRAM_DIRS.some((d) => f.startsWith(d)),
  );
  if (touchesProgram) return all;
  const configured = new Set(changedFiles.map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean));
  // Stack files carry the short name: org/project/dev is configured by Pulumi.dev.yaml.
  return all.filter((name) => configured.has(name.split("/").pop()));
}
