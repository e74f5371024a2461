// End to end: runs started by someone other than the honest path. A consumer execution started by hand with an
// input for database `orders` that names `payroll`'s copy adopts, restores and deletes nothing; a producer
// manual start naming `orders` with a snapshot of `payroll`, or an unselected database, is refused. Each next to
// the honest run of the same path.
import { strict as assert } from "node:assert";
import { CreateDBSnapshotCommand } from "@aws-sdk/client-rds";
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import {
  DEST,
  explain,
  instance,
  produce,
  replicate,
  runStartedConsumers,
  snapshotsIn,
  tagsOf,
  type World,
  worldPerTest,
} from "../../testkit";

/** Every snapshot of the destination account with its tags, to compare before and after. */
const destFootprint = async (world: World) =>
  (await snapshotsIn(world.dest, "manual"))
    .map((s) => ({ id: s.DBSnapshotIdentifier, status: s.Status, tags: tagsOf(s.TagList) }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));

describe("e2e: crafted runs (only what the run's input truly names is copied or adopted)", () => {
  const worlds = worldPerTest();

  async function bothReplicated(world: World) {
    await instance(world.source, "orders");
    await instance(world.source, "payroll", { replicate: "yes" });
    const done = new Set<string>();
    const flow = await replicate(world, { trigger: "schedule" }, done);
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.equal(flow.consumers.length, 2);
    assert.ok(
      flow.consumers.every((c) => c.status === "SUCCEEDED"),
      explain(world),
    );
    const announcements = world.inbox.at("/announce").map((m) => JSON.parse(m.Message));
    const of = (db: string) => announcements.find((a) => a.sourceDatabase === db);
    return { done, orders: of("orders"), payroll: of("payroll") };
  }

  const startByHand = (world: World, name: string, input: unknown) =>
    world.sfn.send(
      new StartExecutionCommand({ stateMachineArn: world.stateMachineArn, name, input: JSON.stringify(input) }),
    );

  it("a consumer run for orders naming payroll's copy fails, adopting, restoring and deleting nothing", async () => {
    const world = await worlds.build({ destRegion: DEST.region, deletionsEnabled: true });
    const { done, payroll } = await bothReplicated(world);
    const before = await destFootprint(world);

    await startByHand(world, "crafted", { ...payroll, sourceDatabase: "orders", databaseTags: {} });
    const [run] = await runStartedConsumers(world, done);
    assert.equal(run?.status, "FAILED");
    assert.match(run?.cause ?? "", /ProvenanceMismatch|holds other data/);
    assert.match(run?.cause ?? "", /rds-replication:source-database is "payroll", the run says "orders"/);
    // The give-up receipt step runs before the notice (this world's source takes no receipts: nothing is sent).
    assert.deepEqual(run?.calls, ["consumer-copy", "consumer-receipt", "consumer-notify"]);
    assert.deepEqual(await destFootprint(world), before, "no snapshot deleted, adopted or retagged");
  });

  it("control: the same input for payroll itself (a re-delivery) adopts payroll's copy and succeeds", async () => {
    const world = await worlds.build({ destRegion: DEST.region, deletionsEnabled: true });
    const { done, payroll } = await bothReplicated(world);
    const before = await destFootprint(world);

    await startByHand(world, "redelivered", payroll);
    const [run] = await runStartedConsumers(world, done);
    assert.equal(run?.status, "SUCCEEDED", explain(world));
    assert.equal((run?.output as { copy?: { adopted?: boolean } } | undefined)?.copy?.adopted, true);
    assert.deepEqual(await destFootprint(world), before);
  });

  async function payrollSnapshot(world: World): Promise<void> {
    await instance(world.source, "orders");
    await instance(world.source, "payroll");
    await world.source.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "payroll", DBSnapshotIdentifier: "payroll-by-hand" }),
    );
    await world.source.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-by-hand" }),
    );
  }

  it("a manual start naming orders with a snapshot of payroll is refused: nothing copied or announced", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await payrollSnapshot(world);
    const trigger = { trigger: "manual", database: "orders", kind: "instance", snapshot: "payroll-by-hand" };
    const { producer } = await produce(world, trigger);
    assert.equal(producer.status, "FAILED");
    assert.match(producer.cause ?? "", /snapshot payroll-by-hand is of database payroll, not orders/);
    assert.deepEqual(await snapshotsIn(world.sourceInDestRegion), [], "no transit copy");
    assert.deepEqual(world.inbox.at("/announce"), []);
    const [notification] = world.inbox.notifications("/producer-notify");
    assert.equal(notification?.outcome, "failed");
  });

  it("a manual start naming a database the config does not select is refused", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await payrollSnapshot(world);
    const trigger = { trigger: "manual", database: "payroll", kind: "instance", snapshot: "payroll-by-hand" };
    const { producer } = await produce(world, trigger);
    assert.equal(producer.status, "FAILED");
    assert.match(producer.cause ?? "", /instance payroll is not selected for replication/);
    assert.deepEqual(world.inbox.at("/announce"), []);
  });

  it("control: a manual start naming orders with its own snapshot replicates it", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await payrollSnapshot(world);
    const trigger = { trigger: "manual", database: "orders", kind: "instance", snapshot: "orders-by-hand" };
    const flow = await replicate(world, trigger);
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const [copy] = await snapshotsIn(world.dest, "manual");
    assert.equal(tagsOf(copy?.TagList)["rds-replication:source-database"], "orders");
    assert.match(tagsOf(copy?.TagList)["rds-replication:source-snapshot"] ?? "", /:snapshot:orders-by-hand$/);
  });
});
