// package.json `engines` admits only Node versions every dependency accepts. One documented exception:
// aws-local-stepfunctions (dev only, the local state machine runner) declares Node >= 22 for
// Promise.withResolvers alone, which testkit/setup.ts polyfills on Node 20.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { satisfies } from "semver";

const root = path.join(__dirname, "../..");
const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
const own = manifest(root);
const POLYFILLED = { "aws-local-stepfunctions": ">=22.0.0" };
// Edges of every range involved: each release line's first and last minor we know of.
const CANDIDATES = [
  "18.20.0",
  "20.0.0",
  "20.18.3",
  "20.19.0",
  "20.20.2",
  "21.7.3",
  "22.0.0",
  "22.11.0",
  "22.12.0",
].concat(["22.20.0", "23.0.0", "24.0.0"]);

describe("engines", () => {
  const dependencies = [...Object.keys(own.dependencies), ...Object.keys(own.devDependencies)];
  const ranges = dependencies
    .map((name) => ({ name, node: manifest(path.join(root, "node_modules", name)).engines?.node as string }))
    .filter((d) => d.node);

  it("every Node version package.json admits satisfies each dependency's engines", () => {
    const admitted = CANDIDATES.filter((v) => satisfies(v, own.engines.node));
    assert.ok(admitted.length >= 3, admitted.join(", "));
    for (const { name, node } of ranges) {
      if (name in POLYFILLED) continue;
      for (const version of admitted) assert.ok(satisfies(version, node), `${name} (${node}) refuses Node ${version}`);
    }
    assert.ok(satisfies(process.versions.node, own.engines.node), `this machine's Node ${process.versions.node}`);
  });

  it("the one exception is the polyfilled dev dependency, and it is what it says", () => {
    const refusing = ranges.filter(({ node }) => !satisfies("20.19.0", node)).map(({ name, node }) => [name, node]);
    assert.deepEqual(Object.fromEntries(refusing), POLYFILLED);
    assert.ok(!(Object.keys(POLYFILLED)[0] in own.dependencies), "a dev dependency: never installed by users");
    assert.equal(typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers, "function");
  });

  it("admits Node 20.19+ and 22.12+ (mocha's range) below 23, the Lambda runtime's major", () => {
    for (const version of ["20.18.3", "21.7.3", "22.11.0", "23.0.0"]) assert.ok(!satisfies(version, own.engines.node));
    for (const version of ["20.19.0", "22.12.0", "22.20.0"]) assert.ok(satisfies(version, own.engines.node));
  });
});
