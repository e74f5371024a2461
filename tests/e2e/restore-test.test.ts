// End to end for restore tests (issue 12, DR drills) on the emulator: real serialized handlers, the deployed
// restore-test definition. A copy is replicated first, then the test restores the newest copy into the
// isolated subnet group, checks it, reports its time to available and deletes its database; a refreshed
// database of the same source is never touched. A test whose database never becomes available (injected)
// fails, is reported failed, and its database is deleted all the same. An Aurora cluster is tested with its writer,
// and with `dataApiSelect` runs SELECT 1 through the Data API (refused, as AWS refuses it, until RDS manages
// the master password and the HTTP endpoint is enabled: launcher block 10).
import { strict as assert } from "node:assert";
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { ListSecretsCommand } from "@aws-sdk/client-secrets-manager";
import type { RestoreTestReport } from "../../functions/steps/consumer/restoreTest";
import {
  cluster,
  execute,
  explain,
  handlersFor,
  instance,
  queueDataApiResult,
  replicate,
  restoreTestMachine,
  SOURCE,
  tagsOf,
  type World,
  worldPerTest,
} from "../../testkit";
import { metricsIn, named, stdoutOf } from "../support/emf";

async function instances(world: World) {
  const out = await world.dest.rds.send(new DescribeDBInstancesCommand({}));
  return (out.DBInstances ?? []).map((i) => ({ id: i.DBInstanceIdentifier ?? "", tags: tagsOf(i.TagList) }));
}

function reports(world: World): { subject?: string; report: RestoreTestReport }[] {
  return world.inbox
    .at("/consumer-notify")
    .filter((b) => b.Subject?.startsWith("rds-replication restore test"))
    .map((b) => ({ subject: b.Subject, report: JSON.parse(b.Message) as RestoreTestReport }));
}

async function replicated(world: World): Promise<void> {
  await instance(world.source, "orders");
  const flow = await replicate(world, { trigger: "schedule" });
  assert.ok(
    flow.consumers.length > 0 && flow.consumers.every((c) => c.status === "SUCCEEDED"),
    `${flow.consumers.map((c) => c.cause).join("; ")}\n${explain(world)}`,
  );
}

describe("e2e: restore tests", () => {
  const worlds = worldPerTest();

  it("restore testing: restores the newest copy as rt-*, verifies it, reports the RTO and deletes it; the refreshed database is untouched", async () => {
    const world = await worlds.build({
      destRegion: SOURCE.region,
      refreshTargets: [
        { database: "orders", kind: "instance", secretName: "dev/orders", instancePrefix: "orders-dev" },
      ],
      restoreTests: [{ database: "orders", kind: "instance", rtoMinutes: 30 }],
    });
    await replicated(world);
    const before = await instances(world);
    const refreshed = before.filter((i) => i.id.startsWith("orders-dev-"));
    assert.equal(refreshed.length, 1);

    // The verify step with metrics on, as Lambda runs it: its EMF output is captured.
    const withMetrics = await handlersFor("consumer", world.dest, world.consumerConfig, {
      AWS_ENDPOINT_URL: world.proxy.url,
      POWERTOOLS_METRICS_DISABLED: "false",
    });
    let run: Awaited<ReturnType<typeof execute>> | undefined;
    const printed = await stdoutOf(async () => {
      run = await execute(
        restoreTestMachine(world),
        { ...world.consumer, "consumer-restore-test-verify": withMetrics["consumer-restore-test-verify"]! },
        { database: "orders", kind: "instance" },
      );
    });
    assert.ok(run);
    assert.equal(run.status, "SUCCEEDED", `${run.error}: ${run.cause}\n${explain(world)}`);
    const [rto] = named(metricsIn(printed), "RestoreTestSeconds");
    assert.ok(rto, JSON.stringify(printed));
    assert.deepEqual(rto._aws.CloudWatchMetrics[0]?.Dimensions, [["service", "step", "database"]]);
    assert.equal(rto.database, "orders");
    assert.equal(rto.step, "consumer-restore-test-verify");
    assert.deepEqual(
      run.calls.filter((c) => c !== "consumer-poll"),
      [
        "consumer-restore-test-start",
        "consumer-restore-test-verify",
        "consumer-restore-test-delete",
        "consumer-restore-test-report",
      ],
    );
    const restores = world.proxy.requests.filter((r) => r.action === "RestoreDBInstanceFromDBSnapshot");
    const test = restores.at(-1)?.params;
    assert.match(test?.get("DBInstanceIdentifier") ?? "", /^rt-[0-9a-f]{8}-\d{8}-\d{6}$/);
    assert.equal(test?.get("DBSubnetGroupName"), "dev-subnets", "the isolated subnet group");
    assert.equal(test?.get("PubliclyAccessible"), "false");
    assert.equal(test?.get("DeletionProtection"), "false");

    const [{ subject, report }] = reports(world);
    assert.equal(report.outcome, "passed");
    assert.equal(report.database, "orders");
    assert.equal(report.id, test?.get("DBInstanceIdentifier"));
    assert.equal(report.snapshot, test?.get("DBSnapshotIdentifier"));
    assert.equal(report.seconds, rto.RestoreTestSeconds, "the report's RTO is the metric's");
    assert.equal(report.rtoMinutes, 30);
    assert.equal(report.withinRto, true);
    assert.equal(report.deleted, true);
    assert.match(subject ?? "", /restore test passed: orders in \d+ s \(RTO 30 min\)/);

    const after = await instances(world);
    assert.equal(after.filter((i) => i.id.startsWith("rt-")).length, 0, "the test database is gone");
    assert.deepEqual(
      after.filter((i) => i.id.startsWith("orders-dev-")).map((i) => i.id),
      refreshed.map((i) => i.id),
      "the refreshed database is untouched",
    );
  });

  it("an Aurora cluster: restored as an rt-* cluster with its writer, verified, both deleted", async () => {
    const world = await worlds.build({
      destRegion: SOURCE.region,
      restoreTests: [{ database: "billing", kind: "cluster" }],
    });
    await cluster(world.source, "billing", { replicate: "yes", Draco_Lifecycle: "Standard" });
    const flow = await replicate(world, { trigger: "schedule" });
    assert.ok(
      flow.consumers.every((c) => c.status === "SUCCEEDED"),
      explain(world),
    );

    const run = await execute(restoreTestMachine(world), world.consumer, { database: "billing", kind: "cluster" });
    assert.equal(run.status, "SUCCEEDED", `${run.error}: ${run.cause}\n${explain(world)}`);
    const [{ report }] = reports(world);
    assert.equal(report.outcome, "passed");
    assert.match(report.id, /^rt-[0-9a-f]{8}-\d{8}-\d{6}$/);
    const deleted = world.proxy.requests.filter((r) => /^DeleteDB(Instance|Cluster)$/.test(r.action));
    assert.deepEqual(
      deleted.map((r) => [r.action, r.params.get("DBInstanceIdentifier") ?? r.params.get("DBClusterIdentifier")]),
      [
        ["DeleteDBInstance", `${report.id}-1`],
        ["DeleteDBCluster", report.id],
      ],
    );
    const clusters = (await world.dest.rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? [];
    assert.equal(clusters.filter((c) => c.DBClusterIdentifier?.startsWith("rt-")).length, 0);
  });

  /** A replicated Aurora cluster `billing` whose restore test runs SELECT 1 through the Data API. */
  async function dataApiWorld() {
    const world = await worlds.build({
      destRegion: SOURCE.region,
      restoreTests: [{ database: "billing", kind: "cluster", dataApiSelect: true }],
    });
    await cluster(world.source, "billing", { replicate: "yes", Draco_Lifecycle: "Standard" });
    const flow = await replicate(world, { trigger: "schedule" });
    assert.ok(
      flow.consumers.every((c) => c.status === "SUCCEEDED"),
      explain(world),
    );
    return world;
  }

  const rdsManagedSecrets = async (world: World) =>
    ((await world.dest.secrets.send(new ListSecretsCommand({}))).SecretList ?? [])
      .map((s) => s.Name ?? "")
      .filter((n) => n.startsWith("rds!"));

  it("an Aurora cluster with dataApiSelect: RDS manages its master password, the HTTP endpoint is enabled, SELECT 1 returns 1; cluster and secret deleted", async () => {
    const world = await dataApiWorld();
    await queueDataApiResult(world.destPlace, [[{ longValue: 1 }]]);

    const run = await execute(restoreTestMachine(world), world.consumer, { database: "billing", kind: "cluster" });
    assert.equal(run.status, "SUCCEEDED", `${run.error}: ${run.cause}\n${explain(world)}`);
    assert.deepEqual(
      run.calls.filter((c) => c !== "consumer-poll"),
      [
        "consumer-restore-test-start",
        "consumer-restore-test-verify",
        "consumer-restore-test-query",
        "consumer-restore-test-delete",
        "consumer-restore-test-report",
      ],
    );
    const [{ report }] = reports(world);
    assert.equal(report.outcome, "passed");
    assert.deepEqual(report.query, { sql: "SELECT 1", result: 1 });
    const modify = world.proxy.requests.find((r) => r.action === "ModifyDBCluster");
    assert.equal(modify?.params.get("DBClusterIdentifier"), report.id);
    assert.equal(modify?.params.get("ManageMasterUserPassword"), "true");
    const enable = world.proxy.requests.find((r) => r.action === "EnableHttpEndpoint");
    assert.match(enable?.params.get("ResourceArn") ?? "", new RegExp(`:cluster:${report.id}$`));
    assert.deepEqual(await rdsManagedSecrets(world), [], "the master user secret went with the test cluster");
  });

  it("an Aurora cluster whose Data API cannot be enabled (injected): SELECT 1 never runs, reported failed, run failed, cluster deleted", async () => {
    const world = await dataApiWorld();
    world.proxy.fail("EnableHttpEndpoint", "InvalidParameterCombination", 1);

    const run = await execute(restoreTestMachine(world), world.consumer, { database: "billing", kind: "cluster" });
    assert.equal(run.status, "FAILED");
    assert.equal(run.error, "RestoreTestFailed");
    assert.ok(run.calls.includes("consumer-restore-test-query"));
    assert.ok(run.calls.includes("consumer-restore-test-delete"));
    const [{ subject, report }] = reports(world);
    assert.equal(report.outcome, "failed");
    assert.match(report.reason ?? "", /RestoreTestFailed: enable the Data API on rt-\S+ .*InvalidParameterCombination/);
    assert.equal(report.query, undefined);
    assert.equal(report.deleted, true);
    assert.match(subject ?? "", /restore test failed: billing/);
    const clusters = (await world.dest.rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? [];
    assert.equal(clusters.filter((c) => c.DBClusterIdentifier?.startsWith("rt-")).length, 0);
    assert.deepEqual(await rdsManagedSecrets(world), []);
  });

  it("a test database that never becomes available (injected incompatible-restore): reported failed, run failed, database deleted", async () => {
    const world = await worlds.build({
      destRegion: SOURCE.region,
      restoreTests: [{ database: "orders", kind: "instance" }],
    });
    await replicated(world);
    world.proxy.databaseStatus("rt-", "incompatible-restore");

    const run = await execute(restoreTestMachine(world), world.consumer, { database: "orders", kind: "instance" });
    assert.equal(run.status, "FAILED");
    assert.equal(run.error, "RestoreTestFailed");
    assert.ok(!run.calls.includes("consumer-restore-test-verify"), "never verified");
    assert.ok(run.calls.includes("consumer-restore-test-delete"));

    const [{ subject, report }] = reports(world);
    assert.equal(report.outcome, "failed");
    assert.match(report.reason ?? "", /incompatible-restore/);
    assert.equal(report.deleted, true);
    assert.match(subject ?? "", /restore test failed: orders/);
    const deletes = world.proxy.requests.filter((r) => r.action === "DeleteDBInstance");
    assert.equal(deletes.at(-1)?.params.get("DBInstanceIdentifier"), report.id);
    assert.equal((await instances(world)).filter((i) => i.id.startsWith("rt-")).length, 0);
  });
});
