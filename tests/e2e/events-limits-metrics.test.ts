// End to end: an automated snapshot (RDS-EVENT-0091, id `rds:<db>-...`) replicated; the per-region copy
// concurrency limit waited out by the state machine's retry; the EMF metrics a handler prints.
import { strict as assert } from "node:assert";
import { CreateDBClusterSnapshotCommand } from "@aws-sdk/client-rds";
import { ENGINE_METRICS } from "../../functions/aws/observability";
import { COPY_CONCURRENCY } from "../../functions/decisions/errors";
import {
  cluster,
  clusterSnapshots,
  DEST,
  explain,
  handlersFor,
  instance,
  replicate,
  SOURCE,
  snapshotsIn,
  tagsOf,
  worldPerTest,
} from "../../testkit";
import { metricsIn, named, stdoutOf } from "../support/emf";

describe("e2e: automated snapshots, copy limit, metrics", () => {
  const worlds = worldPerTest();

  it("an automated snapshot event (RDS-EVENT-0091) is replicated end to end", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders", { team: "billing" });
    const [automated] = await snapshotsIn(world.source, "automated");
    assert.match(automated?.DBSnapshotIdentifier ?? "", /^rds:orders-/);
    const arn = automated?.DBSnapshotArn ?? "";
    const flow = await replicate(world, {
      "detail-type": "RDS DB Snapshot Event",
      source: "aws.rds",
      resources: [arn],
      detail: { EventID: "RDS-EVENT-0091", SourceArn: arn, SourceType: "SNAPSHOT" },
    });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    // Automated snapshots cannot be shared: a manual transit copy under the producer key, in the destination region.
    const [transit, ...more] = await snapshotsIn(world.sourceInDestRegion);
    assert.deepEqual(more, []);
    assert.equal(transit?.SnapshotType, "manual");
    assert.equal(transit?.KmsKeyId, world.transitKeys[DEST.region]);
    assert.equal(tagsOf(transit?.TagList)["rds-replication:source-snapshot"], arn);
    const [copy, ...others] = await snapshotsIn(world.dest, "manual");
    assert.deepEqual(others, []);
    assert.equal(copy?.KmsKeyId, world.destKey);
    assert.equal(tagsOf(copy?.TagList)["rds-replication:source-snapshot"], arn);
    // The database's tags travel in the announcement (automated snapshots carry none without CopyTagsToSnapshot).
    const announced = JSON.parse(world.inbox.at("/announce")[0]?.Message ?? "{}");
    assert.equal(announced.databaseTags?.team, "billing");
    assert.equal(announced.sourceSnapshotArn, arn);
    // The automated snapshot itself is left to RDS.
    assert.equal((await snapshotsIn(world.source, "automated")).length, 1);
  });

  it("waits out the copy concurrency limit with retries and copies once a slot frees, never above it", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await cluster(world.source, "orders");
    await cluster(world.dest, "busy");
    const limit = COPY_CONCURRENCY.cluster;
    // `limit` copies of other snapshots in progress in the destination; one of them ends after two checks.
    for (let i = 0; i < limit; i++) {
      const id = `busy-copy-${i}`;
      await world.dest.rds.send(
        new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: "busy", DBClusterSnapshotIdentifier: id }),
      );
      if (i === 0) world.proxy.copyingFor(id, 2);
      else world.proxy.neverFinish(id);
    }
    const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "cluster" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    const run = flow.consumers[0];
    assert.equal(run?.status, "SUCCEEDED", explain(world));
    assert.equal(run?.calls.filter((c) => c === "consumer-copy").length, 3, "two refusals, then the copy");
    const copies = world.proxy.requests.filter(
      (r) => r.action === "CopyDBClusterSnapshot" && r.params.get("KmsKeyId") === world.destKey,
    );
    assert.equal(copies.length, 1, "no copy requested while the limit was reached");
    const own = (await clusterSnapshots(world.dest, "manual")).filter(
      (s) => tagsOf(s.TagList)["managed-by"] === "rds-replication",
    );
    assert.equal(own.length, 1);
  });

  it("prints EMF metrics: copies, replication lag and failures by kind", async () => {
    const world = await worlds.build({ destRegion: SOURCE.region });
    await instance(world.source, "orders");
    const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const state = flow.consumers[0]?.output as Record<string, { snapshot: object; operation: string }>;
    const withMetrics = await handlersFor("consumer", world.dest, world.consumerConfig, {
      AWS_ENDPOINT_URL: world.proxy.url,
      POWERTOOLS_METRICS_DISABLED: "false",
    });
    const polled = metricsIn(
      await stdoutOf(async () =>
        withMetrics["consumer-poll"]?.({
          target: state.copy?.snapshot,
          operation: state.copy?.operation,
          poll: { polls: 0, startedAt: new Date(Date.now() - 42_000).toISOString() },
        }),
      ),
    );
    const [copied] = named(polled, ENGINE_METRICS.snapshotsCopied);
    assert.ok(copied, JSON.stringify(polled));
    assert.equal(copied._aws.CloudWatchMetrics[0]?.Namespace, "RdsReplication");
    assert.deepEqual(copied._aws.CloudWatchMetrics[0]?.Dimensions, [["service", "step"]]);
    assert.equal(copied.step, "poll");
    assert.equal(copied.SnapshotsCopied, 1);
    assert.ok(Number(copied.CopyDurationSeconds) >= 42);
    // The instance was created with 20 GiB of storage (testkit/fixtures.ts).
    assert.equal(copied.SnapshotBytesCopied, 20 * 2 ** 30);
    assert.ok(
      copied._aws.CloudWatchMetrics[0]?.Metrics.some(
        (m) => m.Name === ENGINE_METRICS.bytesCopied && m.Unit === "Bytes",
      ),
    );

    const notified = metricsIn(
      await stdoutOf(async () =>
        withMetrics["consumer-notify"]?.({ side: "consumer", outcome: "succeeded", state: flow.consumers[0]?.output }),
      ),
    );
    const lags = named(notified, ENGINE_METRICS.replicationLag);
    assert.deepEqual(
      lags.map((l) => l._aws.CloudWatchMetrics[0]?.Dimensions),
      [[["service", "step", "database"]], [["service", "step"]]],
      "per database (for RPO overrides) and over all databases",
    );
    assert.equal(lags[0]?.database, "orders");
    const lag = lags[1];
    assert.ok(lag, JSON.stringify(notified));
    assert.equal(lag.step, "consumer-notify");
    assert.equal(lag._aws.CloudWatchMetrics[0]?.Metrics[0]?.Unit, "Seconds");
    assert.ok(Number(lag.ReplicationLagSeconds) >= 0 && Number(lag.ReplicationLagSeconds) < 600);

    const failed = metricsIn(
      await stdoutOf(async () =>
        withMetrics["consumer-copy"]?.({ announcement: { ...(state.announcement as object), version: 2 } }),
      ),
    );
    const [failure] = named(failed, ENGINE_METRICS.failures);
    assert.ok(failure, JSON.stringify(failed));
    assert.deepEqual(failure._aws.CloudWatchMetrics[0]?.Dimensions, [["service", "step", "kind"]]);
    assert.equal(failure.kind, "InvalidAnnouncement");
    assert.equal(failure.step, "consumer-copy");
    assert.equal(failure.Failures, 1);
  });
});
