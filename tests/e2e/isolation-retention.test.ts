// End to end (issue 11, retention and ownership): what a compromised source account sends cannot make the
// destination delete its honest copies. Each attack from the issue runs through the real serialized handlers
// and the deployed state machine definitions, next to a control showing the honest path still works.
import { strict as assert } from "node:assert";
import {
  AddTagsToResourceCommand,
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  ModifyDBSnapshotAttributeCommand,
} from "@aws-sdk/client-rds";
import type { Announcement } from "../../functions/contracts/announcement";
import { destinationCopyId } from "../../functions/decisions/naming";
import { RETENTION_PRESETS } from "../../functions/decisions/retentionPolicy";
import { provenanceTags, SHARED_SNAPSHOT_KEY as SHARED } from "../../functions/decisions/tags";
import {
  buildWorld,
  closeWorld,
  DEST,
  explain,
  handlersFor,
  instance,
  replicate,
  resetEmulator,
  runStartedConsumers,
  SOURCE,
  scheduledRuns,
  setSnapshotTime,
  snapshotsIn,
  snsEvent,
  tagsOf,
  type World,
  type WorldOptions,
  worldPerTest,
} from "../../testkit";
import { metricsIn, named, stdoutOf } from "../support/emf";

const DAY = 86_400_000;
const HOLD = "rds-replication:hold";
const DUE = "rds-replication:deletion-due";

/**
 * A copy an earlier honest run made in the destination: the tool's deterministic identifier, its provenance
 * tags, and the times RDS reports for data taken at `created`.
 */
async function honestCopy(world: World, database: string, created: Date, extra: Record<string, string> = {}) {
  const stamp = created.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const shared = `arn:aws:rds:${world.destPlace.region}:${SOURCE.account}:snapshot:rr-${database}-${stamp}-0a1b2c3d`;
  const id = destinationCopyId(shared);
  const tags = {
    ...provenanceTags("copy", {
      sourceSnapshotArn: `arn:aws:rds:${SOURCE.region}:${SOURCE.account}:snapshot:${database}-${stamp}`,
      sourceAccount: SOURCE.account,
      sourceRegion: SOURCE.region,
      sourceDatabase: database,
      sourceCreated: created.toISOString(),
    }),
    [SHARED]: shared,
    ...extra,
  };
  await world.dest.rds.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: "filler",
      DBSnapshotIdentifier: id,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  await setSnapshotTime(world.destPlace, "instance", id, created);
  return id;
}

/** `days` nightly honest copies (02:00 UTC), 1 to `days` days ago: identifier -> when its data was taken. */
async function nightlies(world: World, database: string, days: number): Promise<Map<string, Date>> {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const made = new Map<string, Date>();
  for (let d = 1; d <= days; d++) {
    const at = new Date(today - d * DAY + 7_200_000);
    made.set(await honestCopy(world, database, at), at);
  }
  return made;
}

async function destIds(world: World): Promise<string[]> {
  return (await snapshotsIn(world.dest, "manual")).map((s) => s.DBSnapshotIdentifier ?? "").sort();
}

/** Which of `ids` are gone from the destination. */
async function gone(world: World, ids: Iterable<string>): Promise<string[]> {
  const left = new Set(await destIds(world));
  return [...ids].filter((id) => !left.has(id)).sort();
}

/** The last announcement the producer sent, as the destination received it. */
function lastAnnouncement(world: World): { message: Announcement; topicArn: string } {
  const posted = world.inbox.at("/announce").at(-1);
  assert.ok(posted?.TopicArn, "an announcement was sent");
  return { message: JSON.parse(posted.Message) as Announcement, topicArn: posted.TopicArn };
}

/**
 * An honest first replication of orders, manually started: the control every attack below starts from, and
 * the announcement it sent, which the attacks then alter.
 */
async function honestFirstRun(world: World, done: Set<string>) {
  const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" }, done);
  assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
  return { flow, ...lastAnnouncement(world) };
}

/** A real snapshot in the source account, shared with the destination: what a compromised source can send. */
async function sharedFromSource(world: World, from: Announcement, id: string): Promise<string> {
  const { DBSnapshot } = await world.sourceInDestRegion.rds.send(
    new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: from.snapshotArn, TargetDBSnapshotIdentifier: id }),
  );
  await world.sourceInDestRegion.rds.send(
    new ModifyDBSnapshotAttributeCommand({
      DBSnapshotIdentifier: id,
      AttributeName: "restore",
      ValuesToAdd: [DEST.account],
    }),
  );
  assert.ok(DBSnapshot?.DBSnapshotArn);
  return DBSnapshot.DBSnapshotArn;
}

const sns = (topicArn: string, messages: Announcement[]) =>
  snsEvent(messages.map((m, i) => ({ Message: JSON.stringify(m), TopicArn: topicArn, MessageId: `crafted-${i}` })));

describe("e2e: isolation, retention owned by the destination", () => {
  const worlds = worldPerTest();

  describe("a source's lifecycle tag only lengthens retention", () => {
    const scene: WorldOptions = {
      destRegion: DEST.region,
      deletionsEnabled: true,
      defaultRetention: RETENTION_PRESETS.Standard,
      minRetention: { copies: 3, days: 7 },
    };
    /** 22 nightly copies, two ordinary runs: which honest copies (by when their data was taken) were deleted. */
    async function twoRuns(databaseTags: Record<string, string>): Promise<string[]> {
      // Several worlds in one test: each starts from an empty emulator, as each test does.
      await resetEmulator();
      const world = await buildWorld(scene);
      try {
        await instance(world.source, "orders", databaseTags);
        await instance(world.dest, "filler");
        const honest = await nightlies(world, "orders", 22);
        await scheduledRuns(world, 2);
        const deleted = await gone(world, honest.keys());
        return deleted.map((id) => honest.get(id)?.toISOString() ?? id).sort();
      } finally {
        await closeWorld(world);
      }
    }

    it("Draco_Lifecycle=Test and two runs delete nothing the stack's own policy keeps, nothing within the floor", async () => {
      const control = await twoRuns({});
      // The honest path still expires: Standard drops the nightlies that are not the newest of their week/month.
      assert.ok(control.length > 0, "the stack default expires some old copies");
      assert.ok(
        control.every((at) => Date.now() - Date.parse(at) >= 7 * DAY),
        `nothing within the 7-day floor: ${control}`,
      );
      const attacked = await twoRuns({ Draco_Lifecycle: "Test" });
      assert.deepEqual(attacked, control, "the Test tag deleted nothing the stack default keeps");
      // A value that names no preset keeps everything, as DRACO does.
      assert.deepEqual(await twoRuns({ Draco_Lifecycle: "Bronze" }), []);
    });
  });

  describe("times from RDS, not from the message", () => {
    it("refuses twelve announcements claiming 2090-2101, copies nothing, leaves every honest copy", async () => {
      const world = await worlds.build({
        destRegion: SOURCE.region,
        deletionsEnabled: true,
        defaultRetention: RETENTION_PRESETS.Standard,
      });
      await instance(world.source, "orders");
      await instance(world.dest, "filler");
      const honest = await nightlies(world, "orders", 12);
      // Control: an honest run copies and its copy joins the honest ones.
      const done = new Set<string>();
      const { message, topicArn } = await honestFirstRun(world, done);
      const before = await destIds(world);
      const crafted: Announcement[] = [];
      for (let i = 0; i < 12; i++) {
        const snapshotArn = await sharedFromSource(world, message, `rr-orders-future-${i}`);
        crafted.push({ ...message, snapshotArn, snapshotCreateTime: `${2090 + i}-01-01T00:00:00.000Z` });
      }
      const result = await world.intake(sns(topicArn, crafted));
      assert.equal(result.started.length, 0, JSON.stringify(result));
      assert.equal(result.rejected.length, 12);
      assert.ok(
        result.rejected.every((r) => /is in the future/.test(r.reason)),
        JSON.stringify(result.rejected),
      );
      assert.equal((await runStartedConsumers(world, done)).length, 0);
      const notes = world.inbox.notifications("/consumer-notify").filter((n) => /in the future/.test(n.summary));
      assert.equal(notes.length, 12, "each refusal is notified");
      assert.deepEqual(await destIds(world), before, "nothing copied, nothing deleted");
      const recent = [...honest].filter(([, at]) => Date.now() - at.getTime() < 6 * DAY).map(([id]) => id);
      assert.ok(recent.length >= 5 && recent.every((id) => before.includes(id)), "the honest dailies are all there");
      // A run started with such an input without the intake is refused by the copy step as well.
      await assert.rejects(
        Promise.resolve(world.consumer["consumer-copy"]?.({ announcement: crafted[0] })),
        /InvalidAnnouncement|in the future/,
      );
    });

    it("the lag metric counts from the time RDS reports for the copy, not the claimed one", async () => {
      const world = await worlds.build({ destRegion: SOURCE.region });
      await instance(world.source, "orders");
      const done = new Set<string>();
      const { flow, message, topicArn } = await honestFirstRun(world, done);
      // Data taken 30 hours ago, announced as taken in four minutes (within the clock skew, so accepted).
      const id = "rr-orders-stale";
      const snapshotArn = await sharedFromSource(world, message, id);
      await setSnapshotTime(
        { account: SOURCE.account, region: SOURCE.region },
        "instance",
        id,
        new Date(Date.now() - 30 * 3600_000),
      );
      const claimed = new Date(Date.now() + 4 * 60_000).toISOString();
      const intake = await world.intake(sns(topicArn, [{ ...message, snapshotArn, snapshotCreateTime: claimed }]));
      assert.equal(intake.started.length, 1, JSON.stringify(intake));
      const [run] = await runStartedConsumers(world, done);
      const stale = run?.status === "SUCCEEDED" ? run : undefined;
      assert.ok(stale, explain(world));
      const withMetrics = await handlersFor("consumer", world.dest, world.consumerConfig, {
        AWS_ENDPOINT_URL: world.proxy.url,
        POWERTOOLS_METRICS_DISABLED: "false",
      });
      const lagOf = async (state: unknown) => {
        const lines = metricsIn(
          await stdoutOf(async () =>
            withMetrics["consumer-notify"]?.({ side: "consumer", outcome: "succeeded", state }),
          ),
        );
        return Number(named(lines, "ReplicationLagSeconds").at(-1)?.ReplicationLagSeconds);
      };
      const lag = await lagOf(stale.output);
      assert.ok(lag >= 30 * 3600 - 60 && lag < 30 * 3600 + 600, `lag ${lag} s, RDS says 30 h`);
      // Control: the honest run's lag is its real, small one.
      const honestLag = await lagOf(flow.consumers[0]?.output);
      assert.ok(honestLag >= 0 && honestLag < 600, `honest lag ${honestLag} s`);
    });
  });

  describe("carried tags are data, not control", () => {
    it("a hold tag (and rds-replication:* and managed-by keys) on the source database never reaches a copy", async () => {
      const world = await worlds.build({
        destRegion: DEST.region,
        deletionsEnabled: true,
        defaultRetention: { keepLast: 1 },
      });
      await instance(world.source, "orders", {
        [HOLD]: "forever",
        "rds-replication:role": "restored",
        "managed-by": "someone",
        team: "payments",
      });
      await instance(world.dest, "filler");
      // Control: a hold the destination's own people set keeps an old honest copy; its twin goes.
      const longAgo = new Date(Date.now() - 40 * DAY);
      const held = await honestCopy(world, "orders", longAgo, { [HOLD]: "audit" });
      const unheld = await honestCopy(world, "orders", new Date(longAgo.getTime() + 1000));
      await scheduledRuns(world, 2);
      const copies = (await snapshotsIn(world.dest, "manual")).filter(
        (s) => tagsOf(s.TagList)["rds-replication:role"] === "copy",
      );
      const made = copies.filter((s) => ![held, unheld].includes(s.DBSnapshotIdentifier ?? ""));
      const deleted = await gone(world, [held, unheld]);
      assert.ok(deleted.includes(unheld), `the unheld old copy expired: ${deleted}`);
      assert.ok(!deleted.includes(held), "the destination's own hold is honoured");
      // keepLast 1: the first run's copy expired on the second run, as no carried hold protected it.
      assert.equal(made.length, 1, `one copy left of the two runs: ${made.map((s) => s.DBSnapshotIdentifier)}`);
      const tags = tagsOf(made[0]?.TagList);
      assert.equal(tags[HOLD], undefined);
      assert.equal(tags["managed-by"], "rds-replication");
      assert.equal(tags["rds-replication:role"], "copy");
      assert.equal(tags.team, "payments", "ordinary source tags are still carried");
    });

    it("bounds what is carried: at most 40 tags, over-long keys and values dropped", async () => {
      const world = await worlds.build({ destRegion: SOURCE.region });
      await instance(world.source, "orders");
      const done = new Set<string>();
      const { message, topicArn } = await honestFirstRun(world, done);
      const snapshotArn = await sharedFromSource(world, message, "rr-orders-many-tags");
      const tags = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${String(i).padStart(2, "0")}`, "v"]));
      tags.long = "x".repeat(300);
      tags[`${"y".repeat(129)}`] = "v";
      await world.intake(sns(topicArn, [{ ...message, snapshotArn, tags: { long: tags.long, ...tags } }]));
      const [run] = await runStartedConsumers(world, done);
      assert.equal(run?.status, "SUCCEEDED", explain(world));
      const copy = (await snapshotsIn(world.dest, "manual")).find((s) => tagsOf(s.TagList)[SHARED] === snapshotArn);
      const carried = Object.keys(tagsOf(copy?.TagList)).filter((k) => /^k\d\d$/.test(k));
      assert.equal(carried.length, 40);
      assert.equal(tagsOf(copy?.TagList).long, undefined);
    });
  });

  describe("ownership not by a tag alone", () => {
    const byRole = async (clients: World["dest"], role: string) =>
      (await snapshotsIn(clients, "manual"))
        .filter((s) => tagsOf(s.TagList)["rds-replication:role"] === role)
        .map((s) => s.DBSnapshotIdentifier ?? "")
        .sort();
    const copyWithTags = (clients: World["dest"], from: string, to: string) =>
      clients.rds.send(
        new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: from, TargetDBSnapshotIdentifier: to, CopyTags: true }),
      );

    it("a DBA's --copy-tags copy in the destination survives retention; the tool's expired copies go", async () => {
      const world = await worlds.build({
        destRegion: DEST.region,
        deletionsEnabled: true,
        defaultRetention: { keepLast: 1 },
      });
      await instance(world.source, "orders");
      await scheduledRuns(world, 1);
      const [first] = await byRole(world.dest, "copy");
      assert.ok(first);
      await copyWithTags(world.dest, first, "orders-kept-by-dba");
      // Older than every copy of the tool: the first to go if it counted as the tool's.
      await setSnapshotTime(world.destPlace, "instance", "orders-kept-by-dba", new Date(Date.now() - 40 * DAY));
      assert.equal(
        tagsOf(
          (await snapshotsIn(world.dest, "manual")).find((s) => s.DBSnapshotIdentifier === "orders-kept-by-dba")
            ?.TagList,
        )["managed-by"],
        "rds-replication",
        "same tags as the tool's",
      );
      await scheduledRuns(world, 2);
      const copies = await byRole(world.dest, "copy");
      assert.ok(copies.includes("orders-kept-by-dba"), "the DBA's copy is kept");
      // Control: keepLast 1, so of the tool's three copies only the newest is left.
      assert.equal(copies.filter((id) => id !== "orders-kept-by-dba").length, 1, `${copies}`);
      assert.ok(!copies.includes(first), "the tool's first copy expired");
    });

    it("a DBA's --copy-tags copies in the source survive the prune; the tool's older snapshots go", async () => {
      const world = await worlds.build({ destRegion: DEST.region, deletionsEnabled: true, keep: 1, graceHours: 0 });
      await instance(world.source, "orders");
      await scheduledRuns(world, 1);
      const [scheduled] = await byRole(world.source, "source");
      const [transit] = await byRole(world.sourceInDestRegion, "transit");
      assert.ok(scheduled && transit);
      await copyWithTags(world.source, scheduled, "orders-dba-manual");
      await copyWithTags(world.sourceInDestRegion, transit, "orders-dba-transit");
      await scheduledRuns(world, 2);
      const inSource = await byRole(world.source, "source");
      const inDestRegion = await byRole(world.sourceInDestRegion, "transit");
      assert.ok(inSource.includes("orders-dba-manual"), `kept: ${inSource}`);
      assert.ok(inDestRegion.includes("orders-dba-transit"), `kept: ${inDestRegion}`);
      // Control: keep 1, so the tool's first scheduled snapshot and transit copy were pruned.
      assert.ok(!inSource.includes(scheduled) && !inDestRegion.includes(transit));
      assert.equal(inSource.length, 2);
      assert.equal(inDestRegion.length, 2);
    });
  });

  describe("cooling-off before any deletion", () => {
    it("marks first, deletes an honest expiry only after the delay; the hold tag cancels a mark", async () => {
      const world = await worlds.build({
        destRegion: DEST.region,
        deletionsEnabled: true,
        defaultRetention: { keepLast: 1 },
        coolingOffHours: 72,
      });
      await instance(world.source, "orders");
      await instance(world.dest, "filler");
      const longAgo = new Date(Date.now() - 40 * DAY);
      const expired = await honestCopy(world, "orders", longAgo);
      const laterHeld = await honestCopy(world, "orders", new Date(longAgo.getTime() + 1000));
      await scheduledRuns(world, 1);
      const marks = async () =>
        Object.fromEntries(
          (await snapshotsIn(world.dest, "manual")).map((s) => [s.DBSnapshotIdentifier, tagsOf(s.TagList)[DUE]]),
        );
      const first = await marks();
      assert.ok(expired in first && laterHeld in first, "nothing deleted in the run that marks");
      for (const id of [expired, laterHeld]) {
        const hours = (Date.parse(first[id] ?? "") - Date.now()) / 3_600_000;
        assert.ok(hours > 71 && hours <= 72, `${id} due in 72 h: ${first[id]}`);
      }
      const summary = world.inbox.notifications("/consumer-notify").at(-1)?.summary ?? "";
      assert.match(summary, new RegExp(`marked for deletion .*${expired} \\(after `));
      // The destination's people hold one; then the delay passes (the marks are moved back as if 72 h went by).
      const arn = (id: string) => `arn:aws:rds:${DEST.region}:${DEST.account}:snapshot:${id}`;
      const tag = (id: string, Key: string, Value: string) =>
        world.dest.rds.send(new AddTagsToResourceCommand({ ResourceName: arn(id), Tags: [{ Key, Value }] }));
      await tag(laterHeld, HOLD, "audit");
      const past = new Date(Date.now() - 3_600_000).toISOString();
      for (const id of [expired, laterHeld]) await tag(id, DUE, past);
      await scheduledRuns(world, 1);
      const second = await marks();
      assert.ok(!(expired in second), "the honest expiry is deleted after the cooling-off");
      assert.ok(laterHeld in second, "held: kept");
      assert.equal(second[laterHeld], undefined, "the hold cancelled its mark");
      // The first run's copy is now beyond keepLast 1: marked, not deleted.
      const [firstRunCopy] = Object.keys(first).filter(
        (id) => ![expired, laterHeld].includes(id) && first[id] === undefined,
      );
      assert.ok(firstRunCopy && second[firstRunCopy], `the first run's copy is marked: ${JSON.stringify(second)}`);
    });
  });
});
