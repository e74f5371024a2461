// The npm package as an outside program sees it: `npm pack` (which builds dist/ first), then the program in
// fixture-program/ installs the tarball, type-checks against its declarations and evaluates under Pulumi
// mocks with its own copy of @pulumi/pulumi. No network: the program's node_modules starts as a hard-link
// copy of this repository's (a warm cache, as in CI) and `npm install --offline` adds the tarball.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "../..");
const fixture = path.join(__dirname, "fixture-program");
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/**
 * This repository's node_modules as a hard-link copy: npm replaces a package it changes (new files, renamed
 * folders) and never writes into an installed one, except the hidden lockfile it rewrites in place, which gets
 * a file of its own. Deleting the copy afterwards then frees no file data (here 3 s instead of over a minute).
 * A full copy where the temporary directory is on another file system (hard links cannot cross one).
 */
function warmNodeModules(to: string): void {
  const from = path.join(root, "node_modules");
  try {
    execFileSync("cp", ["-al", from, to], { stdio: "pipe" });
  } catch {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
    return;
  }
  const lockfile = path.join(to, ".package-lock.json");
  if (existsSync(lockfile)) {
    rmSync(lockfile);
    copyFileSync(path.join(from, ".package-lock.json"), lockfile);
  }
}

interface Evaluation {
  outputs: Record<string, string>;
  resources: { type: string; name: string }[];
  /** The directory of every file archive, by resource name. */
  archives: { resource: string; dir: string }[];
  /** Modules each serialized handler requires, by function name. */
  requires: Record<string, string[]>;
  /** Where the program's Node resolves each of the package's modules those handlers require. */
  resolved: Record<string, string>;
}

describe("the npm package, installed by another Pulumi program", function () {
  this.timeout(600_000);
  let dir: string;
  let tarball: string;
  let files: string[];
  let evaluation: Evaluation;

  before(() => {
    // The package's name in a directory above node_modules once made Pulumi's closure serializer miss the
    // package's exports map (it looks the name up with indexOf in the absolute path): kept here on purpose.
    dir = mkdtempSync(path.join(tmpdir(), "rds-replication-package-"));
    const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], root)) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = path.join(dir, packed[0].filename);
    files = packed[0].files.map((f) => f.path);
    const program = path.join(dir, "program");
    cpSync(fixture, program, { recursive: true });
    warmNodeModules(path.join(program, "node_modules"));
    const manifest = JSON.parse(readFileSync(path.join(program, "package.json"), "utf8"));
    manifest.dependencies["rds-replication"] = `file:${tarball}`;
    writeFileSync(path.join(program, "package.json"), JSON.stringify(manifest));
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], program);
    run(process.execPath, [path.join(program, "node_modules/typescript/bin/tsc"), "-p", program], program);
    evaluation = JSON.parse(run(process.execPath, ["mocks.js"], program)) as Evaluation;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the tarball holds the compiled entry, its declarations and the handlers, not the sources or tests", () => {
    for (const file of ["package.json", "dist/components/index.js", "dist/components/index.d.ts"])
      assert.ok(files.includes(file), file);
    assert.ok(files.some((f) => f.startsWith("dist/functions/")));
    assert.deepEqual(
      files.filter((f) => !f.startsWith("dist/") && !["package.json", "README.md"].includes(f)),
      [],
    );
    assert.deepEqual(
      files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
      [],
    );
  });

  it("builds both components from the installed package, each with its children", () => {
    const types = evaluation.resources.map((r) => r.type);
    assert.ok(types.includes("rds-replication:index:SnapshotProducer"));
    assert.ok(types.includes("rds-replication:index:SnapshotConsumer"));
    for (const prefix of ["orders-", "dr-"]) {
      const children = evaluation.resources.filter((r) => r.name.startsWith(prefix)).map((r) => r.type);
      assert.ok(children.includes("aws:sfn/stateMachine:StateMachine"), prefix);
      assert.ok(children.includes("aws:lambda/function:Function"), prefix);
    }
    assert.match(evaluation.outputs.announceTopicArn, /^arn:aws:sns:eu-central-1:111111111111:orders-announce$/);
    assert.match(evaluation.outputs.copyKeyArn, /^arn:aws:kms:eu-west-1:222222222222:key\/dr-key$/);
  });

  it("the consumer subscribes to each source it is given: a producer's outputs and another stack's", () => {
    const subscriptions = evaluation.resources
      .filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription")
      .map((r) => r.name);
    assert.deepEqual(subscriptions.filter((n) => n.startsWith("dr-")).sort(), [
      "dr-intake-acme-replication-fixture-billing",
      "dr-intake-orders",
    ]);
    // The producer's receipt step listens on the receipt topic of its one destination.
    assert.deepEqual(
      subscriptions.filter((n) => n.startsWith("orders-")),
      ["orders-receipts-222222222222-eu-west-1-subscription"],
    );
  });

  it("reads the Lambda layer from the program's node_modules, where the package and its dependencies live", () => {
    const installed = path.join(dir, "program", "node_modules");
    for (const layer of ["orders-layer", "dr-layer"]) {
      const dirs = evaluation.archives.filter((a) => a.resource === layer).map((a) => a.dir);
      for (const archive of dirs) assert.ok(archive.startsWith(`${installed}${path.sep}`), `${archive} not installed`);
      const names = dirs.map((d) => path.relative(installed, d));
      for (const name of ["zod", "@aws-lambda-powertools/logger", "rds-replication"]) assert.ok(names.includes(name));
      assert.equal(names.filter((n) => n.startsWith("@aws-sdk/")).length, 0, "the SDK comes with the Lambda runtime");
    }
  });

  it("function archives bundle no packages; their handlers require the package through its exports", () => {
    const bundled = evaluation.archives.filter((a) => !a.resource.endsWith("-layer"));
    assert.deepEqual(bundled, [], "the program's and the package's dependencies stay out of every function");
    const program = path.join(dir, "program");
    const specifiers = Object.values(evaluation.requires).flat();
    assert.ok(Object.keys(evaluation.requires).length >= 10, "a serialized handler per step");
    const own = specifiers.filter((s) => s.startsWith("rds-replication/"));
    assert.ok(own.length > 0);
    for (const specifier of own)
      assert.ok(require.resolve(specifier, { paths: [program] }).includes("/dist/functions/"));
  });
});
