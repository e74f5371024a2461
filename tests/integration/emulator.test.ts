// The harness itself: two accounts and two regions on a real AWS API implementation, and the one shim
// the emulator needs (copying a snapshot shared from another account).
import { strict as assert } from "node:assert";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import {
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBSnapshotAttributeCommand,
} from "@aws-sdk/client-rds";
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { type Clients, clientsFor, DEST, instance, recordExecutionOutcome, SOURCE, THIRD } from "../../testkit";

async function keyIn(clients: Clients): Promise<string> {
  const { KeyMetadata } = await clients.kms.send(new CreateKeyCommand({ Description: "test key" }));
  assert.ok(KeyMetadata?.Arn);
  return KeyMetadata.Arn;
}

// Source account: a database, a snapshot, and its transit copy under the source key in the destination region.
async function sharedTransitCopy(source: Clients, sourceInDestRegion: Clients, shareWith: string[]): Promise<string> {
  await instance(source, "orders");
  await source.rds.send(
    new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-snap" }),
  );
  const transitKey = await keyIn(sourceInDestRegion);
  const { DBSnapshot } = await sourceInDestRegion.rds.send(
    new CopyDBSnapshotCommand({
      SourceDBSnapshotIdentifier: `arn:aws:rds:${SOURCE.region}:${SOURCE.account}:snapshot:orders-snap`,
      TargetDBSnapshotIdentifier: "orders-snap-transit",
      KmsKeyId: transitKey,
    }),
  );
  assert.ok(DBSnapshot?.DBSnapshotArn);
  if (shareWith.length > 0) {
    await sourceInDestRegion.rds.send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: "orders-snap-transit",
        AttributeName: "restore",
        ValuesToAdd: shareWith,
      }),
    );
  }
  return DBSnapshot.DBSnapshotArn;
}

describe("AWS emulator harness", () => {
  it("acts in separate accounts and regions", async () => {
    const [a, b] = await Promise.all([clientsFor(SOURCE), clientsFor(DEST)]);
    await keyIn(a);
    await instance(a, "only-in-a");
    const inA = await a.rds.send(new DescribeDBSnapshotsCommand({}));
    const inB = await b.rds.send(new DescribeDBSnapshotsCommand({}));
    assert.equal(inA.DBSnapshots?.length, 1, "creating an instance makes its automated snapshot");
    assert.equal(inB.DBSnapshots?.length, 0, "the other account and region sees nothing");
  });

  it("copies a shared encrypted snapshot into the destination account under the destination key", async () => {
    const source = await clientsFor(SOURCE);
    const sourceInDestRegion = await clientsFor({ account: SOURCE.account, region: DEST.region });
    const dest = await clientsFor(DEST);
    const sharedArn = await sharedTransitCopy(source, sourceInDestRegion, [DEST.account]);

    const shared = await dest.rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: "shared", IncludeShared: true }));
    assert.deepEqual(
      shared.DBSnapshots?.map((s) => s.DBSnapshotArn),
      [sharedArn],
    );

    const destKey = await keyIn(dest);
    const { DBSnapshot } = await dest.rds.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: sharedArn,
        TargetDBSnapshotIdentifier: "orders-snap-dr",
        KmsKeyId: destKey,
      }),
    );
    assert.equal(DBSnapshot?.KmsKeyId, destKey);
    assert.ok(DBSnapshot?.DBSnapshotArn?.startsWith(`arn:aws:rds:${DEST.region}:${DEST.account}:snapshot:`));
    const own = await dest.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: "orders-snap-dr" }));
    assert.equal(own.DBSnapshots?.[0]?.Encrypted, true);
    assert.equal(own.DBSnapshots?.[0]?.KmsKeyId, destKey);
  });

  it("refuses the copy, as AWS does, when the snapshot was not shared with the caller", async () => {
    const source = await clientsFor(SOURCE);
    const sourceInDestRegion = await clientsFor({ account: SOURCE.account, region: DEST.region });
    const sharedArn = await sharedTransitCopy(source, sourceInDestRegion, [DEST.account]);
    const third = await clientsFor({ account: THIRD.account, region: DEST.region });
    const thirdKey = await keyIn(third);
    await assert.rejects(
      third.rds.send(
        new CopyDBSnapshotCommand({
          SourceDBSnapshotIdentifier: sharedArn,
          TargetDBSnapshotIdentifier: "stolen",
          KmsKeyId: thirdKey,
        }),
      ),
      (error: Error) => {
        assert.match(error.name, /^DBSnapshotNotFound/);
        return true;
      },
    );
    const { DBSnapshots } = await third.rds.send(new DescribeDBSnapshotsCommand({}));
    assert.equal(DBSnapshots?.length, 0, "nothing was copied");
  });

  it("answers Step Functions calls with timestamps the JavaScript SDK can read", async () => {
    const dest = await clientsFor(DEST);
    const { stateMachineArn } = await dest.sfn.send(
      new CreateStateMachineCommand({
        name: "timestamps",
        roleArn: `arn:aws:iam::${DEST.account}:role/sfn`,
        definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
      }),
    );
    const before = Date.now();
    const started = await dest.sfn.send(new StartExecutionCommand({ stateMachineArn, name: "run-1" }));
    assert.ok(started.startDate instanceof Date);
    assert.ok(Math.abs(started.startDate.getTime() - before) < 60_000, `startDate ${started.startDate.toISOString()}`);
    const described = await dest.sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    assert.equal(described.startDate?.getTime(), started.startDate.getTime());
  });

  it("records a locally run execution's outcome, which DescribeExecution then answers", async () => {
    const dest = await clientsFor(DEST);
    const { stateMachineArn } = await dest.sfn.send(
      new CreateStateMachineCommand({
        name: "outcomes",
        roleArn: `arn:aws:iam::${DEST.account}:role/sfn`,
        definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
      }),
    );
    const { executionArn } = await dest.sfn.send(new StartExecutionCommand({ stateMachineArn, name: "run-1" }));
    assert.ok(executionArn);
    const status = async () => (await dest.sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
    assert.equal(await status(), "RUNNING", "moto's executions never end on their own");
    await recordExecutionOutcome(executionArn, "FAILED");
    assert.equal(await status(), "FAILED");
    await assert.rejects(recordExecutionOutcome(executionArn, "DONE"), /HTTP 400/);
  });

  it("copies an automated snapshot, whose id contains a colon, by ARN into another region", async () => {
    const source = await clientsFor(SOURCE);
    const sourceInDestRegion = await clientsFor({ account: SOURCE.account, region: DEST.region });
    await instance(source, "orders");
    const { DBSnapshots } = await source.rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: "automated" }));
    const automated = DBSnapshots?.[0];
    assert.ok(automated?.DBSnapshotArn, "creating an instance makes its automated snapshot");
    assert.ok(automated.DBSnapshotIdentifier?.startsWith("rds:orders-"), automated.DBSnapshotIdentifier);
    const key = await keyIn(sourceInDestRegion);
    const { DBSnapshot } = await sourceInDestRegion.rds.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: automated.DBSnapshotArn,
        TargetDBSnapshotIdentifier: "orders-transit",
        KmsKeyId: key,
      }),
    );
    assert.equal(DBSnapshot?.DBInstanceIdentifier, "orders");
  });
});
