// End to end: a compromised source floods the destination with announcements of distinct, really shared
// snapshots of one database, each carrying the hold tag. The per-database daily budget (copiesPerDatabasePerDay)
// cuts the flood, so the manual-snapshot quota keeps room and the next honest copy of another database
// succeeds; the allowlist refuses a database the destination does not accept. Each next to its control.
import { strict as assert } from "node:assert";
import { CopyDBSnapshotCommand, CreateDBSnapshotCommand, ModifyDBSnapshotAttributeCommand } from "@aws-sdk/client-rds";
import { PublishCommand } from "@aws-sdk/client-sns";
import { DESTINATION_ATTRIBUTE } from "../../functions/contracts/announcement";
import {
  DEST,
  explain,
  instance,
  replicate,
  runStartedConsumers,
  snapshotsIn,
  snsEvent,
  tagsOf,
  type World,
  worldPerTest,
} from "../../testkit";

const FLOOD = 12;
const BUDGET = 4;
// moto's limit of 100 counts every snapshot of the region (AWS: manual ones); the filler leaves room for the
// budget's copies and one honest copy, not for the whole flood.
const FILLED_TO = 100 - BUDGET - 2;

/** What a compromised source can do: share more copies of its transit snapshot and announce each one. */
async function flood(world: World, template: Record<string, unknown>, count: number): Promise<void> {
  const transit = String(template.snapshotArn).split(":").pop() ?? "";
  const before = world.inbox.at("/announce").length;
  for (let i = 0; i < count; i++) {
    const id = `flood-${i}`;
    const copied = await world.sourceInDestRegion.rds.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: transit,
        TargetDBSnapshotIdentifier: id,
        KmsKeyId: world.transitKeys[DEST.region],
      }),
    );
    await world.sourceInDestRegion.rds.send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: id,
        AttributeName: "restore",
        ValuesToAdd: [DEST.account],
      }),
    );
    const announcement = {
      ...template,
      snapshotArn: copied.DBSnapshot?.DBSnapshotArn,
      tags: { ...(template.tags as object), "rds-replication:hold": "forever" },
      announcedAt: new Date().toISOString(),
    };
    await world.source.sns.send(
      new PublishCommand({
        TopicArn: world.producerConfig.announceTopicArn,
        Message: JSON.stringify(announcement),
        MessageAttributes: { [DESTINATION_ATTRIBUTE]: { DataType: "String", StringValue: DEST.account } },
      }),
    );
  }
  const intake = await world.intake(snsEvent(world.inbox.at("/announce").slice(before)));
  assert.equal(intake.started.length, count, "the intake starts a run per distinct snapshot");
}

/** Fills the destination region (moto counts every snapshot) up to `total`, with snapshots not made by the tool. */
async function fill(world: World, total: number): Promise<void> {
  await instance(world.dest, "filler");
  let present = (await snapshotsIn(world.dest)).length;
  for (let i = 0; present < total; i++, present++)
    await world.dest.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "filler", DBSnapshotIdentifier: `filler-${i}` }),
    );
}

describe("e2e: flood guard (per-database daily copy budget, allowlist)", () => {
  const worlds = worldPerTest();

  it(`a flood of ${FLOOD} held announcements of orders is cut at the budget; payroll's next copy succeeds`, async () => {
    const world = await worlds.build({ destRegion: DEST.region, copiesPerDatabasePerDay: BUDGET });
    await instance(world.source, "orders");
    await instance(world.source, "payroll", { replicate: "yes" });
    const done = new Set<string>();
    const first = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" }, done);
    assert.equal(first.consumers[0]?.status, "SUCCEEDED", explain(world));
    await fill(world, FILLED_TO);

    await flood(world, JSON.parse(world.inbox.at("/announce")[0]?.Message ?? "{}"), FLOOD);
    const runs = await runStartedConsumers(world, done);
    assert.equal(runs.length, FLOOD);
    const copied = runs.filter((r) => r.status === "SUCCEEDED");
    const refused = runs.filter((r) => r.error === "CopyBudgetExhausted");
    assert.equal(copied.length, BUDGET - 1, "the honest copy of the day counts against the budget");
    assert.equal(refused.length, FLOOD - (BUDGET - 1));
    assert.match(refused[0]?.cause ?? "", /4 copies of 111111111111\/orders were made in the last 24 hours/);
    const orders = (await snapshotsIn(world.dest, "manual")).filter(
      (s) => tagsOf(s.TagList)["rds-replication:source-database"] === "orders",
    );
    assert.equal(orders.length, BUDGET);

    const honest = await replicate(world, { trigger: "manual", database: "payroll", kind: "instance" }, done);
    assert.equal(honest.producer.status, "SUCCEEDED", explain(world));
    assert.equal(honest.consumers[0]?.status, "SUCCEEDED", explain(world));
  });

  it("control: within the budget every distinct announcement is copied", async () => {
    const world = await worlds.build({ destRegion: DEST.region, copiesPerDatabasePerDay: BUDGET });
    await instance(world.source, "orders");
    const done = new Set<string>();
    const first = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" }, done);
    assert.equal(first.consumers[0]?.status, "SUCCEEDED", explain(world));
    await flood(world, JSON.parse(world.inbox.at("/announce")[0]?.Message ?? "{}"), BUDGET - 1);
    const runs = await runStartedConsumers(world, done);
    assert.deepEqual(
      runs.map((r) => r.status),
      Array(BUDGET - 1).fill("SUCCEEDED"),
      explain(world),
    );
    assert.equal((await snapshotsIn(world.dest, "manual")).length, BUDGET);
  });

  it("the allowlist refuses a database this destination does not accept, and copies the one it does", async () => {
    const world = await worlds.build({ destRegion: DEST.region, allowedDatabases: ["payroll"] });
    await instance(world.source, "orders");
    await instance(world.source, "payroll", { replicate: "yes" });
    const flow = await replicate(world, { trigger: "schedule" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.deepEqual(
      flow.intake.rejected.map((r) => r.reason),
      ["database orders of source 111111111111 is not in this destination's allowedDatabases"],
    );
    assert.equal(flow.consumers.length, 1);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const copies = await snapshotsIn(world.dest, "manual");
    assert.deepEqual(
      copies.map((s) => tagsOf(s.TagList)["rds-replication:source-database"]),
      ["payroll"],
    );
  });
});
