import { strict as assert } from "node:assert";
import { EXIT } from "../../../scripts/deploy/errors";
import { linePrefixer, runStacks } from "../../../scripts/deploy/run";
import { memoryRunner, recordingConsole } from "./memory-runner";

describe("deploy: running stacks", () => {
  it("runs every stack in the given order and reports progress per stack with elapsed time", async () => {
    const { runner, calls } = memoryRunner({}, { prod: ["Updating (prod)\n  + aws:kms:Key created\n"] });
    const { out, lines } = recordingConsole();
    const report = await runStacks("up", ["prod", "dev"], runner, out);
    assert.deepEqual(calls, ["up prod", "up dev"]);
    assert.equal(report.exitCode, EXIT.ok);
    assert.deepEqual(lines, [
      "==> [1/2] prod: up",
      "[prod] Updating (prod)",
      "[prod]   + aws:kms:Key created",
      "<== [1/2] prod: up done in 1.0s",
      "==> [2/2] dev: up",
      "<== [2/2] dev: up done in 1.0s",
      "2 stack(s) up to date in 5.0s",
    ]);
  });

  it("stops at the first failure, naming the stack and the reason, and runs nothing after it", async () => {
    const { runner, calls } = memoryRunner({ prod: { fail: "pulumi exited with code 4: error: AccessDenied" } });
    const { out, lines } = recordingConsole();
    const report = await runStacks("up", ["shared", "prod", "dev", "qa"], runner, out);
    assert.deepEqual(calls, ["up shared", "up prod"]);
    assert.equal(report.exitCode, EXIT.failure);
    assert.deepEqual(report.failed, { stack: "prod", reason: "pulumi exited with code 4: error: AccessDenied" });
    assert.deepEqual(report.completed, ["shared"]);
    assert.deepEqual(report.notRun, ["dev", "qa"]);
    assert.ok(lines.includes("!!! [2/4] prod: up FAILED after 1.0s: pulumi exited with code 4: error: AccessDenied"));
    assert.deepEqual(lines.slice(-2), [
      "Stopped at stack prod: pulumi exited with code 4: error: AccessDenied",
      "Not run: dev, qa",
    ]);
  });

  it("--preview checks every stack, names each drifted one and exits with the drift code", async () => {
    const { runner, calls } = memoryRunner({ prod: "drift", qa: "drift" });
    const { out, lines } = recordingConsole();
    const report = await runStacks("preview", ["prod", "dev", "qa"], runner, out);
    assert.deepEqual(calls, ["preview prod", "preview dev", "preview qa"]);
    assert.equal(report.exitCode, EXIT.drift);
    assert.deepEqual(report.drifted, ["prod", "qa"]);
    assert.ok(lines.includes("<== [1/3] prod: preview DRIFT in 1.0s"));
    assert.ok(lines.includes("<== [2/3] dev: preview no drift in 1.0s"));
    assert.equal(lines.at(-1), "Drift in 2 stack(s): prod, qa");
  });

  it("a broken preview is a failure, not drift, even when another stack drifted", async () => {
    const { runner, calls } = memoryRunner({ prod: "drift", dev: { fail: "no stack named 'dev' found" } });
    const { out, lines } = recordingConsole();
    const report = await runStacks("preview", ["prod", "dev", "qa"], runner, out);
    assert.deepEqual(calls, ["preview prod", "preview dev"]);
    assert.equal(report.exitCode, EXIT.failure);
    assert.deepEqual(lines.slice(-3), [
      "Stopped at stack dev: no stack named 'dev' found",
      "Not run: qa",
      "Drift in 1 stack(s): prod",
    ]);
  });

  it("prints engine output of a failing stack before the failure", async () => {
    const { runner } = memoryRunner({ prod: { fail: "boom" } }, { prod: ["error: creating KMS key: Access"] });
    const { out, lines } = recordingConsole();
    await runStacks("up", ["prod"], runner, out);
    assert.deepEqual(lines.slice(1, 3), [
      "[prod] error: creating KMS key: Access",
      "!!! [1/1] prod: up FAILED after 1.0s: boom",
    ]);
  });
});

describe("deploy: engine output prefixing", () => {
  it("prefixes whole lines however the output is chunked, and flushes a last partial line", () => {
    const lines: string[] = [];
    const p = linePrefixer("[dev] ", (l) => lines.push(l));
    p.push("Previewing upd");
    p.push("ate (dev)\r\n\n  ~ aws:sns:Topic");
    assert.deepEqual(lines, ["[dev] Previewing update (dev)", "[dev] "]);
    p.push(" updated\nResources:");
    p.flush();
    p.flush();
    assert.deepEqual(lines.slice(2), ["[dev]   ~ aws:sns:Topic updated", "[dev] Resources:"]);
  });
});
