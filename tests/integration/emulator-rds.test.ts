// The emulator refuses what RDS refuses on the product's paths (testkit/emulator/moto_server.py, RDS block):
// each test here fails on plain moto, which accepts the call.
import { strict as assert } from "node:assert";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
} from "@aws-sdk/client-rds";
import { clientsFor, cluster, clusterSnapshots, instance, SOURCE, snapshotsIn } from "../../testkit";

describe("AWS emulator: RDS refusals", () => {
  it("refuses CopyDBClusterSnapshot with KmsKeyId for an unencrypted cluster snapshot, copies it without", async () => {
    const source = await clientsFor(SOURCE);
    await cluster(source, "plain", {}, { encrypted: false });
    await source.rds.send(
      new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: "plain", DBClusterSnapshotIdentifier: "plain-1" }),
    );
    const { KeyMetadata } = await source.kms.send(new CreateKeyCommand({}));
    await assert.rejects(
      source.rds.send(
        new CopyDBClusterSnapshotCommand({
          SourceDBClusterSnapshotIdentifier: "plain-1",
          TargetDBClusterSnapshotIdentifier: "plain-1-encrypted",
          KmsKeyId: KeyMetadata?.Arn,
        }),
      ),
      (error: Error) => error.name === "InvalidParameterCombination" && /unencrypted/.test(error.message),
    );
    const { DBClusterSnapshot } = await source.rds.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: "plain-1",
        TargetDBClusterSnapshotIdentifier: "plain-1-copy",
      }),
    );
    assert.equal(DBClusterSnapshot?.StorageEncrypted, false);
  });

  it("finds an automated DB snapshot by identifier only with SnapshotType automated", async () => {
    const source = await clientsFor(SOURCE);
    await instance(source, "orders");
    const [automated] = await snapshotsIn(source, "automated");
    const id = automated?.DBSnapshotIdentifier ?? "";
    assert.match(id, /^rds:/);
    await assert.rejects(
      source.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id })),
      (error: Error) => error.name === "DBSnapshotNotFoundFault",
    );
    await assert.rejects(
      source.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: automated?.DBSnapshotArn })),
      (error: Error) => error.name === "DBSnapshotNotFoundFault",
    );
    const found = await source.rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id, SnapshotType: "automated" }),
    );
    assert.equal(found.DBSnapshots?.[0]?.DBSnapshotIdentifier, id);
  });

  it("finds an automated DB cluster snapshot by identifier only with SnapshotType automated", async () => {
    const source = await clientsFor(SOURCE);
    await cluster(source, "orders");
    const [automated] = await clusterSnapshots(source, "automated");
    const id = automated?.DBClusterSnapshotIdentifier ?? "";
    assert.match(id, /^rds:/);
    await assert.rejects(
      source.rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id })),
      (error: Error) => error.name === "DBClusterSnapshotNotFoundFault",
    );
    const found = await source.rds.send(
      new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id, SnapshotType: "automated" }),
    );
    assert.equal(found.DBClusterSnapshots?.[0]?.DBClusterSnapshotIdentifier, id);
  });
});
