// Every file a doc names exists: a backticked repository path or a relative link in README.md and docs/*.md
// resolves from the repository root or from the doc's own folder; none leaves the repository except into
// ../shared/ (the shared design notes and test data).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR } from "../../testkit";

const SHARED = "../shared/";
const FILE_EXTENSIONS = /\.(ts|js|md|ya?ml|json|py|html|sh|txt)$/;

/** Top-level entries of the repository: a backticked path starting with one of them names a file of ours. */
const topLevel = (): Set<string> => new Set(fs.readdirSync(PROJECT_DIR).filter((n) => n !== "node_modules"));

/**
 * The paths a doc names: relative link targets, and backticked words that look like a path of this repository
 * (a top-level folder first, or a file name with an extension; not URLs, globs, placeholders or AWS names).
 */
function namedPaths(text: string, roots: ReadonlySet<string>): string[] {
  const links = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
  const ticked = [...text.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1]!)
    .filter((t) => /^(\.\.\/|\.\/)?[\w.@-]+(\/[\w.@-]+)*\/?$/.test(t))
    .filter(
      (t) => t.startsWith("../") || roots.has(t.split("/")[0]!) || (FILE_EXTENSIONS.test(t) && !t.startsWith(".")),
    );
  return [...new Set([...links, ...ticked])];
}

/** Every file name of the repository: a doc may name a file by its name alone where its folder is clear. */
function fileNames(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if ([".git", "node_modules", ".cache", "dist"].includes(entry.name)) continue;
      if (entry.isDirectory()) visit(path.join(dir, entry.name));
      else names.add(entry.name);
    }
  };
  visit(PROJECT_DIR);
  return names;
}

// Where the demo and the bench write their results (git-ignored folders): named by the docs, made by a run.
const GENERATED = [".cache/", "bench-results/"];

function problemsOf(
  doc: string,
  roots: ReadonlySet<string>,
  names = fileNames(),
  text = fs.readFileSync(path.join(PROJECT_DIR, doc), "utf8"),
): string[] {
  const dir = path.dirname(path.join(PROJECT_DIR, doc));
  return namedPaths(text, roots).flatMap((named) => {
    if (!named.includes("/") && names.has(named)) return [];
    if (GENERATED.some((folder) => named.startsWith(folder))) return [];
    const fromRoot = path.resolve(PROJECT_DIR, named);
    const fromDoc = path.resolve(dir, named);
    const inside = (p: string) => p === PROJECT_DIR || p.startsWith(`${PROJECT_DIR}${path.sep}`);
    const shared = (p: string) => p.startsWith(path.resolve(PROJECT_DIR, SHARED));
    const candidates = [fromRoot, fromDoc].filter((p) => inside(p) || shared(p));
    if (candidates.length === 0) return [`${doc}: ${named} points outside the repository`];
    if (!candidates.some((p) => fs.existsSync(p))) return [`${doc}: ${named} does not exist`];
    return [];
  });
}

const docs = () => ["README.md", ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).map((f) => `docs/${f}`)];

describe("docs name only files that exist", () => {
  it("finds the paths a doc names, and only those", () => {
    const roots = new Set(["docs", "functions", "tests"]);
    assert.deepEqual(
      namedPaths(
        "see `functions/steps/poll.ts`, `engine.md`, [setup](docs/setup.md#x), `../shared/DESIGN.md`, `/aws/vendedlogs/`, " +
          "`rds-replication/orders-db`, `ACCOUNT/REGION`, `<step>-logs`, `@aws-sdk/client-sns`, [AWS](https://aws.amazon.com/x), `tests/`",
        roots,
      ),
      ["docs/setup.md", "functions/steps/poll.ts", "engine.md", "../shared/DESIGN.md", "tests/"],
    );
  });

  it("refuses a path that does not exist or leaves the repository", () => {
    const roots = topLevel();
    const text =
      "`functions/nothing.ts`, `nothing.ts`, `../../elsewhere/notes.md`, `../shared/none.md`, `../README.md`";
    assert.deepEqual(problemsOf("docs/a.md", roots, fileNames(), text), [
      "docs/a.md: functions/nothing.ts does not exist",
      "docs/a.md: nothing.ts does not exist",
      "docs/a.md: ../../elsewhere/notes.md points outside the repository",
      "docs/a.md: ../shared/none.md does not exist",
    ]);
  });

  it("README.md and every docs/*.md page", () => {
    const roots = topLevel();
    const names = fileNames();
    assert.deepEqual(
      docs().flatMap((doc) => problemsOf(doc, roots, names)),
      [],
    );
  });
});
