// End to end for everything that deletes: transit and scheduled snapshot pruning in the source account,
// retention over the destination's copies, and restored databases beyond the newest N after a second
// refresh. Each with deletions enabled (only ours, only what the rules allow) and as a dry run (nothing
// deleted, the plan in the notification).
import { strict as assert } from "node:assert";
import { AddTagsToResourceCommand, CreateDBSnapshotCommand, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { destinationCopyId } from "../../functions/decisions/naming";
import {
  DEST,
  explain,
  instance,
  nextSecond,
  RESTORE_SECRET,
  replicate,
  SOURCE,
  scheduledRuns,
  setSnapshotTime,
  snapshotsIn,
  tagsOf,
  type World,
  worldPerTest,
} from "../../testkit";

const DAY = 86_400_000;
const ids = (list: { DBSnapshotIdentifier?: string }[]) => list.map((s) => s.DBSnapshotIdentifier ?? "").sort();

/** Source-account snapshots by what the tool made them as. */
async function sourceSide(world: World) {
  const mine = (list: Awaited<ReturnType<typeof snapshotsIn>>, role: string) =>
    ids(list.filter((s) => tagsOf(s.TagList)["rds-replication:role"] === role));
  const inSource = await snapshotsIn(world.source);
  const inDest = await snapshotsIn(world.sourceInDestRegion);
  return {
    scheduled: mine(inSource, "source"),
    transit: mine(inDest, "transit"),
    others: ids(inSource.filter((s) => !tagsOf(s.TagList)["managed-by"])),
  };
}

/**
 * A copy an earlier run made in the destination account, of a source snapshot taken at `created`: named as
 * the tool names it (`<name>-<hash>`, from the shared snapshot `rr-<name>`), with the tags it writes.
 */
async function earlierCopy(
  world: World,
  name: string,
  database: string,
  created: Date,
  extra: Record<string, string> = {},
) {
  const shared = `arn:aws:rds:${world.destPlace.region}:${SOURCE.account}:snapshot:rr-${name}`;
  const id = destinationCopyId(shared);
  const tags = {
    "managed-by": "rds-replication",
    "rds-replication:role": "copy",
    "rds-replication:shared-snapshot": shared,
    "rds-replication:source-account": SOURCE.account,
    "rds-replication:source-database": database,
    "rds-replication:source-created": created.toISOString(),
    ...extra,
  };
  await world.dest.rds.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: "filler",
      DBSnapshotIdentifier: id,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  // Ages count from the time RDS reports, not from the tag.
  await setSnapshotTime(world.destPlace, "instance", id, created);
}

/** Two databases (lifecycles Test and Standard) and the copies earlier runs left in the destination. */
async function retentionScene(world: World): Promise<void> {
  await instance(world.source, "orders", { Draco_Lifecycle: "Test" });
  await instance(world.source, "billing", { Draco_Lifecycle: "Standard", replicate: "yes" });
  await instance(world.dest, "filler");
  const now = Date.now();
  await earlierCopy(world, "orders-10d", "orders", new Date(now - 10 * DAY));
  await earlierCopy(world, "orders-2d", "orders", new Date(now - 2 * DAY));
  await earlierCopy(world, "orders-held-10d", "orders", new Date(now - 10 * DAY), { "rds-replication:hold": "audit" });
  // Same tags, but not made by the tool (no managed-by): never touched.
  await earlierCopy(world, "orders-by-hand-10d", "orders", new Date(now - 10 * DAY), { "managed-by": "someone" });
  const threeDaysAgo = Math.floor(now / DAY) * DAY - 3 * DAY;
  await earlierCopy(world, "billing-d3-1000", "billing", new Date(threeDaysAgo + 10 * 3600_000));
  await earlierCopy(world, "billing-d3-1100", "billing", new Date(threeDaysAgo + 11 * 3600_000));
}

const EARLIER = [
  "billing-d3-1000",
  "billing-d3-1100",
  "orders-10d",
  "orders-2d",
  "orders-by-hand-10d",
  "orders-held-10d",
];

/** The copies in the destination, by name (the identifier without the tool's hash suffix). */
async function destCopies(world: World): Promise<string[]> {
  return ids(await snapshotsIn(world.dest, "manual")).map((id) => id.replace(/-[0-9a-f]{8}$/, ""));
}

describe("e2e: deletions", () => {
  const worlds = worldPerTest();

  it("prunes the source account's scheduled and transit snapshots to the newest K, only ours", async () => {
    const world = await worlds.build({ destRegion: DEST.region, deletionsEnabled: true, keep: 2 });
    await instance(world.source, "orders");
    await world.source.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-by-hand" }),
    );
    const before = await sourceSide(world);
    await scheduledRuns(world, 3);
    const after = await sourceSide(world);
    assert.equal(after.scheduled.length, 2, "newest 2 scheduled snapshots kept");
    assert.equal(after.transit.length, 2, "newest 2 transit copies kept");
    assert.deepEqual(after.others, before.others, "automated and hand-made snapshots untouched");
    assert.ok(before.others.includes("orders-by-hand"));
    // The oldest of each went: names sort by time.
    const deletedScheduled = world.proxy.requests
      .filter((r) => r.action === "DeleteDBSnapshot")
      .map((r) => r.params.get("DBSnapshotIdentifier"));
    assert.equal(deletedScheduled.length, 2);
    assert.ok(after.scheduled.every((id) => !deletedScheduled.includes(id)));
    const notes = world.inbox.notifications("/producer-notify");
    assert.match(notes.at(-1)?.summary ?? "", /transit prune of orders in eu-west-1: deleted orders-\d{8}-\d{6}/);
    // Every destination still got every copy: the grace and K left the consumer time to copy.
    assert.equal((await destCopies(world)).length, 3);
  });

  it("never prunes a transit snapshot younger than the grace period, even beyond K", async () => {
    const world = await worlds.build({ destRegion: DEST.region, deletionsEnabled: true, keep: 1, graceHours: 1 });
    await instance(world.source, "orders");
    await scheduledRuns(world, 2);
    const after = await sourceSide(world);
    assert.equal(after.scheduled.length, 2);
    assert.equal(after.transit.length, 2);
    assert.equal(world.proxy.requests.filter((r) => r.action.startsWith("Delete")).length, 0);
  });

  it("applies retention per the source's Draco_Lifecycle tag (Test: 5 days; Standard), deleting only ours", async () => {
    // A lifecycle tag only lengthens the stack default (issue 11): a default of one copy lets each preset show.
    const world = await worlds.build({
      destRegion: DEST.region,
      deletionsEnabled: true,
      defaultRetention: { keepLast: 1 },
    });
    await retentionScene(world);
    await scheduledRuns(world, 1);
    const left = await destCopies(world);
    const made = left.filter((id) => !EARLIER.includes(id) && id !== "filler");
    assert.equal(made.length, 2, `one new copy per database: ${left}`);
    assert.deepEqual(
      left.filter((id) => EARLIER.includes(id)),
      ["billing-d3-1100", "orders-2d", "orders-by-hand-10d", "orders-held-10d"],
      "Test dropped orders-10d (older than 5 days); Standard dropped the earlier copy of the same day",
    );
    const summaries = world.inbox.notifications("/consumer-notify").map((n) => n.summary);
    assert.ok(
      summaries.some((s) => /retention \(Draco_Lifecycle=Test\) in .*: deleted orders-10d-[0-9a-f]{8}$/m.test(s)),
    );
    assert.ok(
      summaries.some((s) =>
        /retention \(Draco_Lifecycle=Standard\) in .*: deleted billing-d3-1000-[0-9a-f]{8}$/m.test(s),
      ),
    );
  });

  it("dry run: the same plan is reported, nothing is deleted", async () => {
    const world = await worlds.build({ destRegion: DEST.region, defaultRetention: { keepLast: 1 } });
    await retentionScene(world);
    await scheduledRuns(world, 1);
    const left = await destCopies(world);
    for (const id of EARLIER) assert.ok(left.includes(id), `${id} kept in a dry run`);
    assert.equal(world.proxy.requests.filter((r) => r.action.startsWith("Delete")).length, 0);
    const summaries = world.inbox.notifications("/consumer-notify").map((n) => n.summary);
    assert.ok(
      summaries.some((s) => /Draco_Lifecycle=Test\) in .*: dry run, would delete orders-10d-[0-9a-f]{8}$/m.test(s)),
    );
    assert.ok(
      summaries.some((s) =>
        /Draco_Lifecycle=Standard\) in .*: dry run, would delete billing-d3-1000-[0-9a-f]{8}$/m.test(s),
      ),
    );
  });

  // Snapshot deletions stay in dry run in both: cleanup of restored databases is its own setting (issue 12: one
  // more instance left running every night when it followed deletionsEnabled).
  for (const cleanupEnabled of [true, false]) {
    it(`a second refresh supersedes the first instance and ${cleanupEnabled ? "deletes" : "only reports"} it, snapshot deletions in dry run`, async () => {
      const world = await worlds.build({
        destRegion: SOURCE.region,
        restore: true,
        deletionsEnabled: false,
        cleanupEnabled,
        keepInstances: 1,
      });
      await instance(world.source, "orders");
      // Looks like ours by name and is tagged superseded, but the tool did not restore it.
      await instance(world.dest, "orders-dev-by-hand", { "managed-by": "rds-replication" });
      const done = new Set<string>();
      const restoredNow = async () =>
        ((await world.dest.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [])
          .filter((i) => tagsOf(i.TagList)["rds-replication:role"] === "restored")
          .map((i) => i.DBInstanceIdentifier ?? "");
      const secret = async () =>
        JSON.parse(
          (await world.dest.secrets.send(new GetSecretValueCommand({ SecretId: RESTORE_SECRET }))).SecretString ?? "{}",
        ) as { dbInstanceIdentifier?: string };
      const first = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" }, done);
      assert.equal(first.consumers[0]?.status, "SUCCEEDED", explain(world));
      const [firstDb] = await restoredNow();
      assert.equal((await secret()).dbInstanceIdentifier, firstDb);
      await world.dest.rds.send(
        new AddTagsToResourceCommand({
          ResourceName: `arn:aws:rds:${SOURCE.region}:${DEST.account}:db:orders-dev-by-hand`,
          Tags: [{ Key: "rds-replication:superseded-at", Value: "2024-01-01T00:00:00Z" }],
        }),
      );
      await nextSecond();
      const second = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" }, done);
      assert.equal(second.consumers[0]?.status, "SUCCEEDED", explain(world));
      const current = (await secret()).dbInstanceIdentifier;
      assert.ok(current && current !== firstDb, "the secret moved to the second instance");
      const all = (await world.dest.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
      const byId = new Map(all.map((i) => [i.DBInstanceIdentifier, i]));
      assert.ok(byId.has(current), "the instance the secret points to is never deleted");
      assert.ok(byId.has("orders-dev-by-hand"), "an instance the tool did not restore is never deleted");
      const deletes = world.proxy.requests.filter((r) => r.action === "DeleteDBInstance");
      const summary = world.inbox.notifications("/consumer-notify").at(-1)?.summary ?? "";
      if (cleanupEnabled) {
        assert.equal(byId.has(firstDb), false, "the superseded first instance was deleted");
        assert.deepEqual(
          deletes.map((r) => r.params.get("DBInstanceIdentifier")),
          [firstDb],
        );
        assert.match(summary, new RegExp(`restored databases in .*: deleted ${firstDb}`));
      } else {
        const old = byId.get(firstDb);
        assert.ok(old, "kept in a dry run");
        assert.ok(tagsOf(old.TagList)["rds-replication:superseded-at"], "tagged superseded");
        assert.equal(old.DeletionProtection, true);
        assert.deepEqual(deletes, []);
        assert.match(summary, new RegExp(`restored databases in .*: dry run, would delete ${firstDb}`));
      }
      assert.deepEqual(await restoredNow(), cleanupEnabled ? [current] : [firstDb, current].sort());
    });
  }
});
