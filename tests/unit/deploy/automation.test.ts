// The Automation API adapter, against the real SDK: its own error type for CLI outcomes, and a real attempt to
// start `pulumi` with a PATH that has none (the Pulumi CLI is not installed on test machines anyway).
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import {
  automationRunner,
  describeFailure,
  ensurePulumiCli,
  isCliMissing,
  isDrift,
  PULUMI_DRIFT_EXIT_CODE,
  pinAccount,
  type StackConfigStore,
} from "../../../scripts/deploy/automation";
import { PulumiCliMissingError } from "../../../scripts/deploy/errors";

// CommandResult and createCommandError are exported at runtime but internal in the typings.
const sdk = automation as unknown as {
  CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => unknown;
  createCommandError: (result: unknown) => Error;
};
const cliError = (code: number, stderr: string, stdout = "") =>
  sdk.createCommandError(new sdk.CommandResult(stdout, stderr, code));

describe("deploy: Automation API adapter", () => {
  it("recognises drift by the CLI's exit code 7, or by older CLIs' message", () => {
    assert.equal(PULUMI_DRIFT_EXIT_CODE, 7);
    assert.ok(isDrift(cliError(7, "error: no changes were expected for preview but changes were proposed")));
    assert.ok(isDrift(cliError(7, "")));
    assert.ok(isDrift(cliError(255, "error: no changes were expected but changes were proposed\n")));
    assert.ok(!isDrift(cliError(4, "error: AccessDenied: not authorized to perform: rds:DescribeDBSnapshots")));
    assert.ok(!isDrift(cliError(6, "error: no stack named 'dev' found")));
    assert.ok(!isDrift(new Error("no changes were expected")), "only a CLI outcome can be drift");
  });

  it("reduces a CLI failure to its error lines", () => {
    const stdout =
      "Updating (dev)\n  aws:kms:Key key  **failed**\nDiagnostics:\n    error: creating KMS Key: AccessDenied\n";
    const err = cliError(4, "error: update failed\nerror: update failed\n", stdout);
    assert.equal(
      describeFailure(err),
      "pulumi exited with code 4: error: creating KMS Key: AccessDenied; error: update failed",
    );
    assert.equal(describeFailure(cliError(1, "\nsomething odd\n\n")), "pulumi exited with code 1: something odd");
    assert.equal(describeFailure(new Error("plain")), "plain");
  });

  describe("without a pulumi binary on PATH", () => {
    let savedPath: string | undefined;
    let emptyDir: string;
    beforeEach(() => {
      savedPath = process.env.PATH;
      emptyDir = mkdtempSync(path.join(tmpdir(), "no-pulumi-"));
      process.env.PATH = emptyDir;
    });
    afterEach(() => {
      process.env.PATH = savedPath;
      rmSync(emptyDir, { recursive: true, force: true });
    });

    it("says the CLI is missing and how to install it", async () => {
      await assert.rejects(ensurePulumiCli(), (err: unknown) => {
        assert.ok(err instanceof PulumiCliMissingError);
        assert.match(err.message, /The Pulumi CLI was not found \(`pulumi` is not on PATH\)/);
        assert.match(err.message, /Install it as described in the Pulumi documentation/);
        return true;
      });
    });

    it("classifies the SDK's spawn failure as a missing CLI, and a stack run fails with a short reason", async () => {
      const spawnFailure = await automation.PulumiCommand.get().then(
        () => assert.fail("pulumi ran"),
        (err: unknown) => err,
      );
      assert.ok(isCliMissing(spawnFailure));
      assert.ok(!isCliMissing(cliError(4, "error: boom")));
      const runner = automationRunner(emptyDir, { dev: "111111111111" });
      await assert.rejects(
        runner.preview("dev", () => {}),
        /^Error: pulumi exited with code -2: .*ENOENT/,
      );
    });
  });

  describe("pins each stack to its account (aws:allowedAccountIds from deploy/pairs.yaml)", () => {
    const store = (config: Record<string, string>) => {
      const values = new Map(Object.entries(config));
      const stack: StackConfigStore = {
        getAllConfig: async () => Object.fromEntries([...values].map(([k, value]) => [k, { value }])),
        setConfig: async (key, { value }) => {
          values.set(key, value);
        },
      };
      return { stack, values };
    };

    it("sets it when the stack file has none", async () => {
      const { stack, values } = store({ "aws:region": "eu-west-1" });
      await pinAccount("prod", stack, "111111111111");
      assert.deepEqual(JSON.parse(values.get("aws:allowedAccountIds") ?? ""), ["111111111111"]);
    });

    it("accepts the same account already pinned", async () => {
      const { stack, values } = store({ "aws:allowedAccountIds": '["111111111111"]' });
      await pinAccount("prod", stack, "111111111111");
      assert.equal(values.get("aws:allowedAccountIds"), '["111111111111"]');
    });

    it("stops when the stack file pins another account, or several", async () => {
      for (const pinned of ['["222222222222"]', '["111111111111","222222222222"]']) {
        const { stack, values } = store({ "aws:allowedAccountIds": pinned });
        await assert.rejects(
          pinAccount("prod", stack, "111111111111"),
          /stack prod: aws:allowedAccountIds is .*, but deploy\/pairs.yaml puts this stack in account 111111111111/,
        );
        assert.equal(values.get("aws:allowedAccountIds"), pinned, "left as it was");
      }
    });
  });
});
