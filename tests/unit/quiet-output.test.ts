// tests/support/quiet-output.ts: a test's output is shown only when it fails (checked in a separate mocha run
// over tests/support/fixtures/quiet-output.spec.ts, with and without the hook).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";

const root = path.join(__dirname, "../..");
function runFixture(withHook: boolean): string {
  const hook = withHook ? ["-r", "tests/support/quiet-output.ts"] : [];
  const mocha = path.join(root, "node_modules/mocha/bin/mocha.js");
  const run = spawnSync(
    process.execPath,
    [
      mocha,
      "-r",
      "ts-node/register/transpile-only",
      ...hook,
      "--reporter",
      "spec",
      "tests/support/fixtures/quiet-output.spec.ts",
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" } },
  );
  assert.equal(run.status, 1, "one test fails");
  // CI=true makes mocha colour its marks whatever the flags; the assertions read plain text.
  return stripVTControlCharacters(run.stdout + run.stderr);
}

describe("test output held back unless the test fails", function () {
  this.timeout(120_000);

  it("without the hook every log line reaches the report", () => {
    const output = runFixture(false);
    for (const line of [
      "before hook log",
      "log of the passing test",
      "log of the callback test",
      "log of the failing test",
    ])
      assert.ok(output.includes(line), line);
  });

  it("with it only the failing test's output is shown, and mocha's report is whole", () => {
    const output = runFixture(true);
    for (const line of ["before hook log", "log of the passing test", "log of the callback test"])
      assert.ok(!output.includes(line), line);
    assert.match(output, /--- output of "a suite whose tests log fails" \(failed\) ---\nlog of the failing test\n/);
    assert.ok(output.includes('"json of the failing test"'));
    assert.match(output, /✔ passes/);
    assert.match(output, /✔ passes with a callback/);
    assert.match(output, /2 passing/);
    assert.match(output, /1 failing/);
  });
});
