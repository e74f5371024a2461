// Every AWS call a handler makes names an operation and members that exist in AWS's API models, and every
// member the model requires (tests/support/sdkCommands.ts reads the commands from the sources).
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { commandsIn, commandsUnder, problemsOf } from "../../support/sdkCommands";

const FUNCTIONS = path.join(__dirname, "..", "..", "..", "functions");

describe("engine: every SDK command of the handlers exists in AWS's API models", () => {
  const commands = commandsUnder(FUNCTIONS);

  it("finds the handlers' commands of every client they use", () => {
    const services = new Set(commands.map((c) => c.service));
    assert.deepEqual([...services].sort(), ["rds", "rds-data", "secretsmanager", "sns", "ssm", "stepfunctions"]);
    const operations = new Set(commands.map((c) => c.operation));
    for (const op of ["CopyDBSnapshot", "CopyDBClusterSnapshot", "DescribeDBSnapshots", "DescribeOptionGroups"])
      assert.ok(operations.has(op), op);
    assert.ok(commands.length >= 25, `${commands.length} commands`);
  });

  it("names only operations and members the models define, with every required member", () => {
    assert.deepEqual(commands.flatMap(problemsOf), []);
  });

  it("catches a misspelt member, a missing required one, an unknown operation and a bad nested member", () => {
    const source = `
      import { CopyDBSnapshotCommand, DescribeDBSnapshotsCommand, CopyDBSnaphotCommand } from "@aws-sdk/client-rds";
      import { PublishCommand } from "@aws-sdk/client-sns";
      new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: a, TargetDBSnapshotIdentifier: b, KmsKeyID: k });
      new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: a });
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id, SnapshotTpye: "automated" });
      new CopyDBSnaphotCommand({});
      new PublishCommand({ TopicArn: t, Message: m, MessageAttributes: { outcome: { DataType: "String" } } });
      new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: a, TargetDBSnapshotIdentifier: b, Tags: [{ Key: k, Valeu: v }] });
    `;
    const problems = commandsIn("example.ts", source).flatMap(problemsOf);
    assert.deepEqual(problems, [
      "example.ts:4 rds:CopyDBSnapshot: CopyDBSnapshotMessage has no member KmsKeyID",
      "example.ts:5 rds:CopyDBSnapshot: CopyDBSnapshotMessage requires TargetDBSnapshotIdentifier",
      "example.ts:6 rds:DescribeDBSnapshots: DescribeDBSnapshotsMessage has no member SnapshotTpye",
      "example.ts:7 rds:CopyDBSnaphot: no such operation",
      "example.ts:9 rds:CopyDBSnapshot.Tags[0]: Tag has no member Valeu",
    ]);
  });
});
