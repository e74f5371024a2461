// The emulator refuses what RDS refuses on the product's paths (testkit/emulator/moto_server.py, RDS block):
// each test here fails on plain moto, which accepts the call.
import { strict as assert } from "node:assert";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import {
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
} from "@aws-sdk/client-rds";
import {
  clientsFor,
  cluster,
  clusterSnapshots,
  instance,
  resetEmulator,
  SOURCE,
  setSnapshotQuota,
  setSnapshotTime,
  snapshotsIn,
} from "../../testkit";

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

describe("AWS emulator: snapshot times (test-only endpoint)", () => {
  it("reports the times of a snapshot taken at a given moment, and copies keep the original time", async () => {
    const source = await clientsFor(SOURCE);
    await instance(source, "orders");
    await source.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "old" }));
    const taken = new Date("2024-03-04T05:06:07.890Z");
    await setSnapshotTime(SOURCE, "instance", "old", taken);
    const read = async (id: string) =>
      (await source.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }))).DBSnapshots?.[0];
    const old = await read("old");
    assert.equal(old?.SnapshotCreateTime?.toISOString(), taken.toISOString());
    assert.equal(old?.OriginalSnapshotCreateTime?.toISOString(), taken.toISOString());
    await source.rds.send(
      new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: "old", TargetDBSnapshotIdentifier: "copy" }),
    );
    const copy = await read("copy");
    // As RDS documents: SnapshotCreateTime changes for the copy, OriginalSnapshotCreateTime does not.
    assert.equal(copy?.OriginalSnapshotCreateTime?.toISOString(), taken.toISOString());
    assert.ok((copy?.SnapshotCreateTime?.getTime() ?? 0) > taken.getTime());
    await assert.rejects(setSnapshotTime(SOURCE, "instance", "missing", taken), /HTTP 404/);
  });
});

describe("AWS emulator: snapshot quota (test knob)", () => {
  const refused = (error: Error) => error.name === "SnapshotQuotaExceededFault";

  /** Takes snapshots of a new instance until the emulator refuses one; returns how many the region then holds. */
  async function fillRegion(): Promise<{ held: number; take: (id: string) => Promise<unknown> }> {
    const source = await clientsFor(SOURCE);
    await instance(source, "orders");
    const take = (id: string) =>
      source.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: id }));
    for (let i = 0; ; i++) {
      const error = await take(`s-${i}`).then(
        () => undefined,
        (e: Error) => e,
      );
      if (error) {
        assert.ok(refused(error), String(error));
        break;
      }
    }
    return { held: (await snapshotsIn(source)).length, take };
  }

  it("refuses a snapshot past 100 by default, takes it once raised, and a reset restores the default", async () => {
    const { held, take } = await fillRegion();
    assert.equal(held, 100, "moto counts every snapshot of the region (the automated one too) against 100");
    await setSnapshotQuota(102);
    await take("raised-1");
    await take("raised-2");
    await assert.rejects(take("raised-3"), refused);
    await resetEmulator();
    assert.equal((await fillRegion()).held, 100, "the reset restored the default");
    await assert.rejects(setSnapshotQuota(0), /HTTP 400/);
  });
});
