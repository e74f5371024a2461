// Prints the GitHub Actions matrix for the drift and preview workflows, so deploy/pairs.yaml is the only list of
// stacks and CI roles. Usage: ts-node scripts/deploy/ci-matrix.ts [--pairs FILE] [--changed FILE]
// --changed names a file of changed paths (one a line, as `git diff --name-only` prints): only affected stacks.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_PAIRS_FILE } from "./cli";
import { affectedStacks, ciMatrix } from "./matrix";
import { parsePairs } from "./pairs";

const { values } = parseArgs({
  options: { pairs: { type: "string", default: DEFAULT_PAIRS_FILE }, changed: { type: "string" } },
});
const pairs = parsePairs(readFileSync(values.pairs, "utf8"), values.pairs);
const only = values.changed === undefined ? undefined : affectedStacks(readLines(values.changed), pairs);
process.stdout.write(`${JSON.stringify(ciMatrix(pairs, only))}\n`);

function readLines(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}
