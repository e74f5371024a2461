// End to end for DB instances: the producer state machine in the source account, SNS delivery to the intake,
// the consumer state machine in the destination account, every Task running its serialized handler on moto.
import { strict as assert } from "node:assert";
import { DescribeDBInstancesCommand, DescribeDBSnapshotAttributesCommand } from "@aws-sdk/client-rds";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { ListExecutionsCommand } from "@aws-sdk/client-sfn";
import {
  DEST,
  explain,
  instance,
  RESTORE_SECRET,
  replicate,
  runStartedConsumers,
  SOURCE,
  snapshotsIn,
  snsEvent,
  tagsOf,
  type World,
  worldPerTest,
} from "../../testkit";

const sourceDatabase = (world: World) => instance(world.source, "orders", { Draco_Lifecycle: "Test", team: "billing" });

describe("e2e: DB instance replication", () => {
  const worlds = worldPerTest();

  it("cross-region, scheduled: snapshot, transit copy, share, announce, copy under the destination key", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await sourceDatabase(world);
    const flow = await replicate(world, { trigger: "schedule" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.deepEqual(flow.intake.rejected, []);
    assert.equal(flow.intake.started.length, 1);
    assert.equal(flow.consumers.length, 1);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));

    // Source account, source region: the automated snapshot and the scheduled one, nothing else.
    const sourceSnaps = await snapshotsIn(world.source);
    const scheduled = sourceSnaps.filter((s) => s.SnapshotType === "manual");
    assert.equal(scheduled.length, 1);
    assert.match(scheduled[0]?.DBSnapshotIdentifier ?? "", /^orders-\d{8}-\d{6}$/);
    // Source account, destination region: one transit copy under the transit key, shared with DEST.
    const transits = await snapshotsIn(world.sourceInDestRegion);
    assert.equal(transits.length, 1);
    const transit = transits[0]!;
    assert.equal(transit.KmsKeyId, world.transitKeys[DEST.region]);
    const transitTags = tagsOf(transit.TagList);
    assert.equal(transitTags["managed-by"], "rds-replication");
    assert.equal(transitTags["rds-replication:role"], "transit");
    const attrs = await world.sourceInDestRegion.rds.send(
      new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: transit.DBSnapshotIdentifier }),
    );
    const restoreAttr = attrs.DBSnapshotAttributesResult?.DBSnapshotAttributes?.find(
      (a) => a.AttributeName === "restore",
    );
    assert.deepEqual(restoreAttr?.AttributeValues, [DEST.account]);

    // Destination account: exactly one own copy, under its own key, with carried + managed + source tags.
    const own = await snapshotsIn(world.dest, "manual");
    assert.equal(own.length, 1);
    const copy = own[0]!;
    assert.equal(copy.KmsKeyId, world.destKey);
    assert.equal(copy.Encrypted, true);
    const tags = tagsOf(copy.TagList);
    assert.equal(tags["managed-by"], "rds-replication");
    assert.equal(tags["rds-replication:source-account"], SOURCE.account);
    assert.equal(tags["rds-replication:source-database"], "orders");
    assert.equal(tags["rds-replication:source-snapshot"], scheduled[0]?.DBSnapshotArn);
    assert.equal(tags.team, "billing", "database tags carried through the scheduled snapshot");

    // Notifications: success on both sides, saying what and where.
    const producerNotes = world.inbox.notifications("/producer-notify");
    assert.equal(producerNotes.length, 1);
    assert.equal(producerNotes[0]?.outcome, "succeeded");
    assert.match(producerNotes[0]?.summary ?? "", new RegExp(`${DEST.account}/${DEST.region}`));
    const consumerNotes = world.inbox.notifications("/consumer-notify");
    assert.equal(consumerNotes.length, 1);
    assert.equal(consumerNotes[0]?.outcome, "succeeded");
  });

  it("a duplicate announcement is a no-op: one execution, one copy", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await sourceDatabase(world);
    const done = new Set<string>();
    const flow = await replicate(world, { trigger: "schedule" }, done);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const again = await world.intake(snsEvent(world.inbox.at("/announce")));
    assert.deepEqual(again.started, []);
    assert.equal(again.duplicates.length, 1);
    assert.deepEqual(await runStartedConsumers(world, done), []);
    const { executions } = await world.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.stateMachineArn }));
    assert.equal(executions?.length, 1);
    assert.equal((await snapshotsIn(world.dest, "manual")).length, 1);
  });

  it("rejects forged announcements: nothing started, nothing copied, a failure notified", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await sourceDatabase(world);
    const flow = await replicate(world, { trigger: "schedule" }, new Set());
    const genuine = JSON.parse(world.inbox.at("/announce")[0]?.Message ?? "{}");
    const topicArn = world.producerConfig.announceTopicArn;
    const forged = [
      { ...genuine, version: 2 },
      { ...genuine, sourceAccount: "333333333333" },
      { ...genuine, snapshotArn: genuine.snapshotArn.replace(SOURCE.account, "333333333333") },
      { ...genuine, destinationAccount: "444444444444" },
      { ...genuine, snapshotArn: "not-an-arn" },
    ];
    const before = (await snapshotsIn(world.dest, "manual")).length;
    assert.equal(before, 1, `the genuine flow copied once (${flow.consumers[0]?.cause ?? ""})`);
    const result = await world.intake(
      snsEvent(forged.map((f, i) => ({ Message: JSON.stringify(f), TopicArn: topicArn, MessageId: `forged-${i}` }))),
    );
    assert.equal(result.rejected.length, forged.length);
    assert.deepEqual(result.started, []);
    assert.match(result.rejected[0]?.reason ?? "", /version/);
    assert.match(result.rejected[1]?.reason ?? "", /not a configured source/);
    assert.match(result.rejected[2]?.reason ?? "", /not in source account/);
    assert.match(result.rejected[3]?.reason ?? "", /for account 444444444444/);
    assert.equal((await snapshotsIn(world.dest, "manual")).length, 1);
    const failures = world.inbox.notifications("/consumer-notify").filter((n) => n.outcome === "failed");
    assert.equal(failures.length, forged.length);
  });

  it("same region with restore: new protected instance from config, secret switched, other fields kept", async () => {
    const world = await worlds.build({ destRegion: SOURCE.region, restore: true });
    await sourceDatabase(world);
    const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const { DBInstances } = await world.dest.rds.send(new DescribeDBInstancesCommand({}));
    const restored = DBInstances?.filter((i) => i.DBInstanceIdentifier?.startsWith("orders-dev-")) ?? [];
    assert.equal(restored.length, 1);
    const db = restored[0]!;
    assert.equal(db.DeletionProtection, true);
    // moto applies only truthy restore overrides, so it reports PubliclyAccessible as the source had it
    // (unset); what matters is what the handler asked RDS for.
    const restoreCall = world.proxy.requests.find((r) => r.action === "RestoreDBInstanceFromDBSnapshot");
    assert.equal(restoreCall?.params.get("PubliclyAccessible"), "false");
    assert.equal(restoreCall?.params.get("DBSubnetGroupName"), "dev-subnets");
    assert.equal(restoreCall?.params.get("VpcSecurityGroupIds.VpcSecurityGroupId.1"), "sg-0123456789abcdef0");
    assert.equal(db.DBInstanceClass, "db.t3.micro");
    const secret = JSON.parse(
      (await world.dest.secrets.send(new GetSecretValueCommand({ SecretId: RESTORE_SECRET }))).SecretString ?? "{}",
    );
    assert.equal(secret.dbInstanceIdentifier, db.DBInstanceIdentifier);
    assert.equal(secret.host, db.Endpoint?.Address);
    assert.equal(secret.port, db.Endpoint?.Port);
    assert.equal(secret.password, "pw", "other secret fields kept");
  });
});
