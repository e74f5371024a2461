// End to end for Aurora clusters, RDS events, and the failure behaviour of seed 004's error catalogue:
// throttling retried, a copy that never finishes given up on and notified, the snapshot quota reported.
import { strict as assert } from "node:assert";
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from "@aws-sdk/client-rds";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { FALLBACK_CHECK_SECONDS } from "../../functions/decisions/copyCompletion";
import { destinationCopyId } from "../../functions/decisions/naming";
import { DEFAULT_POLL_BOUNDS } from "../../functions/decisions/pollSchedule";
import {
  cluster,
  clusterSnapshots,
  DEST,
  explain,
  instance,
  produce,
  RESTORE_SECRET,
  replicate,
  runStartedConsumers,
  SOURCE,
  snsEvent,
  tagsOf,
  worldPerTest,
} from "../../testkit";

describe("e2e: Aurora clusters, events and failures", () => {
  const worlds = worldPerTest();

  it("cluster, cross-region: transit cluster snapshot shared, copied under the destination key", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await cluster(world.source, "orders");
    const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "cluster" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.equal(flow.consumers.length, 1);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const transits = await clusterSnapshots(world.sourceInDestRegion);
    assert.equal(transits.length, 1);
    assert.equal(transits[0]?.KmsKeyId, world.transitKeys[DEST.region]);
    const attrs = await world.sourceInDestRegion.rds.send(
      new DescribeDBClusterSnapshotAttributesCommand({
        DBClusterSnapshotIdentifier: transits[0]?.DBClusterSnapshotIdentifier,
      }),
    );
    const restore = attrs.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes?.find(
      (a) => a.AttributeName === "restore",
    );
    assert.deepEqual(restore?.AttributeValues, [DEST.account]);
    const own = await clusterSnapshots(world.dest, "manual");
    assert.equal(own.length, 1);
    assert.equal(own[0]?.KmsKeyId, world.destKey);
    const tags = tagsOf(own[0]?.TagList);
    assert.equal(tags["managed-by"], "rds-replication");
    assert.equal(tags["rds-replication:source-database"], "orders");
    assert.equal(tags.Draco_Lifecycle, "Standard", "the database's lifecycle tag travels with the snapshot");
  });

  it("cluster, same region, with restore: cluster + instance restored, secret points at the cluster", async () => {
    const world = await worlds.build({ destRegion: SOURCE.region, restore: true });
    await cluster(world.source, "orders");
    const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "cluster" });
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const { DBClusters } = await world.dest.rds.send(new DescribeDBClustersCommand({}));
    const restored = DBClusters?.filter((c) => c.DBClusterIdentifier?.startsWith("orders-dev-")) ?? [];
    assert.equal(restored.length, 1);
    assert.equal(restored[0]?.DeletionProtection, true);
    const { DBInstances } = await world.dest.rds.send(new DescribeDBInstancesCommand({}));
    assert.deepEqual(
      DBInstances?.map((i) => [i.DBInstanceIdentifier, i.DBClusterIdentifier]),
      [[`${restored[0]?.DBClusterIdentifier}-1`, restored[0]?.DBClusterIdentifier]],
    );
    const secret = JSON.parse(
      (await world.dest.secrets.send(new GetSecretValueCommand({ SecretId: RESTORE_SECRET }))).SecretString ?? "{}",
    );
    assert.equal(secret.dbClusterIdentifier, restored[0]?.DBClusterIdentifier);
    assert.equal(secret.host, restored[0]?.Endpoint);
  });

  it("a snapshot-created event of a selected database is replicated; other databases are ignored", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders");
    await instance(world.source, "scratch");
    // A manual, unencrypted snapshot (event 0042): it needs a transit copy under the producer key. Automated
    // snapshots (0091) have their own flow in events-limits-metrics.test.ts.
    const take = async (db: string) =>
      (
        await world.source.rds.send(
          new CreateDBSnapshotCommand({ DBInstanceIdentifier: db, DBSnapshotIdentifier: `${db}-by-hand` }),
        )
      ).DBSnapshot?.DBSnapshotArn ?? "";
    const event = (arn: string) => ({
      "detail-type": "RDS DB Snapshot Event",
      source: "aws.rds",
      resources: [arn],
      detail: { EventID: "RDS-EVENT-0042", SourceArn: arn, SourceType: "SNAPSHOT" },
    });
    const ordersArn = await take("orders");
    const scratchArn = await take("scratch");
    const done = new Set<string>();
    const flow = await replicate(world, event(ordersArn), done);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const ignored = await produce(world, event(scratchArn), done);
    assert.equal(ignored.producer.status, "SUCCEEDED");
    assert.deepEqual(ignored.producer.calls, ["producer-plan"], "planned, nothing started");
    assert.deepEqual(ignored.databases, []);
    const transits = (await world.sourceInDestRegion.rds.send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? [];
    assert.deepEqual(
      transits.map((t) => tagsOf(t.TagList)["rds-replication:source-snapshot"]),
      [ordersArn],
      "one transit copy, of orders only",
    );
    assert.equal(transits[0]?.KmsKeyId, world.transitKeys[DEST.region], "encrypted for transit");
  });

  it("throttling is retried with backoff by the state machine after the SDK's own retries", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders");
    // The SDK makes 3 attempts per call; 4 throttled answers make the first Task attempt fail as Throttled.
    world.proxy.fail("CopyDBSnapshot", "Throttling", 4);
    const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.equal(flow.producer.calls.filter((c) => c === "producer-transit").length, 2);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
  });

  it("a copy that never finishes is given up on at its time limit, notified, and left in place", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders");
    const { producer } = await produce(world, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(producer.status, "SUCCEEDED", explain(world));
    const messages = world.inbox.at("/announce");
    const copyId = destinationCopyId(JSON.parse(messages[0]?.Message ?? "{}").snapshotArn);
    world.proxy.neverFinish(copyId);
    await world.intake(snsEvent(messages));
    const [run] = await runStartedConsumers(world, new Set());
    assert.equal(run?.status, "FAILED");
    assert.equal(run?.error, "PollGaveUp");
    // An instance copy awaits its copy-finished event: no event comes, so each fallback timeout (the copy step's
    // awaitSeconds) turns the registrar again until the copy's time limit; no poll step at all.
    const limit = DEFAULT_POLL_BOUNDS.maxTotalSeconds["snapshot-copy"];
    const turns = run?.calls.filter((c) => c === "consumer-await-copy").length ?? 0;
    assert.equal(turns, limit / FALLBACK_CHECK_SECONDS + 1, `${turns} turns`);
    assert.equal(run?.calls.filter((c) => c === "consumer-poll").length, 0);
    const failed = world.inbox.notifications("/consumer-notify");
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.outcome, "failed");
    assert.match(
      failed[0]?.summary ?? "",
      new RegExp(`PollGaveUp: .*still copying after \\d+ s: time limit reached \\(maxTotalSeconds ${limit} s\\)`),
    );
    const own = (await world.dest.rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual" }))).DBSnapshots;
    assert.deepEqual(
      own?.map((s) => s.DBSnapshotIdentifier),
      [copyId],
      "the unfinished copy is not deleted",
    );
  });

  it("SnapshotQuotaExceeded fails the copy naming the manual-snapshot quota, deleting nothing", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await cluster(world.source, "orders");
    await cluster(world.dest, "filler");
    // moto counts every cluster snapshot of the region against its limit of 100, AWS only manual ones: drop the
    // automated snapshot moto made for the filler cluster so the region holds exactly 100 manual snapshots.
    for (const automated of await clusterSnapshots(world.dest, "automated")) {
      await world.dest.rds.send(
        new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: automated.DBClusterSnapshotIdentifier }),
      );
    }
    for (let i = 0; i < 100; i++) {
      await world.dest.rds.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: "filler",
          DBClusterSnapshotIdentifier: `filler-${i}`,
        }),
      );
    }
    const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "cluster" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.equal(flow.consumers[0]?.status, "FAILED");
    assert.equal(flow.consumers[0]?.error, "QuotaExceeded");
    assert.match(flow.consumers[0]?.cause ?? "", /manual snapshots \(100 of 100 manual DB cluster snapshots\)/);
    assert.match(flow.consumers[0]?.cause ?? "", /Nothing was deleted/);
    assert.equal((await clusterSnapshots(world.dest)).length, 100);
    assert.equal(world.inbox.notifications("/consumer-notify")[0]?.outcome, "failed");
  });
});
