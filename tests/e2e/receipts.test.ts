// Transit copies are kept until every destination they were shared with has sent a receipt (copied or gave up),
// or until the receipts' bound (issue 13). The consumer's receipts come from the deployed consumer definition;
// a second destination account (THIRD, no consumer here) publishes its own on its receipt topic. The producer
// records each receipt under the topic it came through (functions/steps/producer/recordReceipt.ts).
import { strict as assert } from "node:assert";
import { PublishCommand } from "@aws-sdk/client-sns";
import { RECEIPTS } from "../../functions/decisions/transitReceipts";
import type { SnsEvent } from "../../functions/steps/consumer/intake";
import type { ReceiptsRecorded } from "../../functions/steps/producer/recordReceipt";
import {
  clientsFor,
  DEST,
  explain,
  instance,
  nextSecond,
  type Posted,
  produce,
  replicate,
  runStartedConsumers,
  SOURCE,
  setSnapshotTime,
  snapshotsIn,
  snsEvent,
  THIRD,
  type World,
  worldPerTest,
} from "../../testkit";

const transitIds = async (world: World) =>
  (await snapshotsIn(world.sourceInDestRegion, "manual"))
    .map((s) => s.DBSnapshotIdentifier ?? "")
    .filter((id) => id.startsWith("rr-"))
    .sort();

const receiptsAbout = (world: World, snapshotArn: string): Posted["body"][] =>
  world.inbox.at("/receipts").filter((m) => JSON.parse(m.Message).snapshotArn === snapshotArn);

/** What SNS delivers to the producer's receipt Lambda. */
const deliver = (world: World, messages: Posted["body"][]) => receiptStep(world)(snsEvent(messages));
const receiptStep = (world: World) => world.producer["producer-receipt"] as (e: SnsEvent) => Promise<ReceiptsRecorded>;

/** `account` publishes `body` on `account`'s receipt topic (the only one its policy lets it publish to). */
async function publishAs(world: World, account: string, topicOf: string, body: object): Promise<void> {
  const clients = await clientsFor({ account, region: SOURCE.region });
  const TopicArn = world.receiptTopics[topicOf];
  await clients.sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify(body) }));
}

const transitArn = (world: World, id: string) =>
  `arn:aws:rds:${world.destPlace.region}:${SOURCE.account}:snapshot:${id}`;

describe("e2e: receipts keep transit copies until every destination is done", () => {
  const worlds = worldPerTest();

  /** Two runs of `orders` (the first one replicated to DEST): the first transit copy is the prune candidate. */
  async function twoTransitCopies(world: World): Promise<{ first: string; firstArn: string }> {
    await instance(world.source, "orders");
    const flow = await replicate(world, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const [first] = await transitIds(world);
    assert.ok(first);
    await nextSecond();
    const again = await produce(world, { trigger: "manual", database: "orders", kind: "instance" }, new Set());
    assert.equal(again.producer.status, "SUCCEEDED", explain(world));
    return { first, firstArn: transitArn(world, first) };
  }

  const options = {
    destRegion: DEST.region,
    otherDestinations: [THIRD.account],
    receipts: true,
    deletionsEnabled: true,
    keep: 1,
  };

  it("kept after one destination's receipt, pruned after both", async () => {
    const world = await worlds.build(options);
    const { first, firstArn } = await twoTransitCopies(world);
    const fromConsumer = receiptsAbout(world, firstArn);
    assert.equal(fromConsumer.length, 1, "the consumer run sent one receipt");
    assert.equal(fromConsumer[0]?.TopicArn, world.receiptTopics[DEST.account]);
    assert.equal(JSON.parse(fromConsumer[0]?.Message ?? "{}").outcome, "copied");
    const recorded = await deliver(world, fromConsumer);
    assert.deepEqual(recorded.recorded, [{ snapshotArn: firstArn, account: DEST.account, outcome: "copied" }]);

    await nextSecond();
    await produce(world, { trigger: "manual", database: "orders", kind: "instance" }, new Set());
    assert.ok((await transitIds(world)).includes(first), "THIRD has not receipted: kept beyond keep 1");

    await publishAs(world, THIRD.account, THIRD.account, { version: 1, snapshotArn: firstArn, outcome: "gave-up" });
    await deliver(
      world,
      receiptsAbout(world, firstArn).filter((m) => m.TopicArn === world.receiptTopics[THIRD.account]),
    );
    await nextSecond();
    await produce(world, { trigger: "manual", database: "orders", kind: "instance" }, new Set());
    assert.ok(!(await transitIds(world)).includes(first), "both destinations receipted: pruned");
  });

  it("a destination that never receipts keeps it until the bound, not after", async () => {
    const world = await worlds.build(options);
    const { first } = await twoTransitCopies(world);
    await deliver(world, receiptsAbout(world, transitArn(world, first)));
    const aged = (seconds: number) =>
      setSnapshotTime(
        { account: SOURCE.account, region: world.destPlace.region },
        "instance",
        first,
        new Date(Date.now() - seconds * 1000),
      );

    await aged(RECEIPTS.boundSeconds - 3600);
    await nextSecond();
    await produce(world, { trigger: "manual", database: "orders", kind: "instance" }, new Set());
    assert.ok((await transitIds(world)).includes(first), "an hour before the bound: still waiting for THIRD");

    await aged(RECEIPTS.boundSeconds + 60);
    await nextSecond();
    await produce(world, { trigger: "manual", database: "orders", kind: "instance" }, new Set());
    assert.ok(!(await transitIds(world)).includes(first), "past the bound: pruned without THIRD's receipt");
  });

  it("a receipt by one destination naming another does not count for it; the other's own does (control)", async () => {
    const world = await worlds.build(options);
    const { first, firstArn } = await twoTransitCopies(world);
    // THIRD's receipt is in; DEST's own receipt (from its consumer run) is held back.
    await publishAs(world, THIRD.account, THIRD.account, { version: 1, snapshotArn: firstArn, outcome: "copied" });
    const onTopic = (account: string) => (m: Posted["body"]) => m.TopicArn === world.receiptTopics[account];
    await deliver(world, receiptsAbout(world, firstArn).filter(onTopic(THIRD.account)));

    // The attack: THIRD publishes, on the one topic it may publish to, a receipt claiming to be DEST's.
    await publishAs(world, THIRD.account, THIRD.account, {
      version: 1,
      snapshotArn: firstArn,
      outcome: "copied",
      destinationAccount: DEST.account,
      account: DEST.account,
    });
    const attack = receiptsAbout(world, firstArn).filter(onTopic(THIRD.account)).slice(-1);
    const recorded = await deliver(world, attack);
    assert.deepEqual(
      recorded.recorded.map((r) => r.account),
      [THIRD.account],
    );
    await nextSecond();
    await produce(world, { trigger: "manual", database: "orders", kind: "instance" }, new Set());
    assert.ok((await transitIds(world)).includes(first), "DEST has not receipted: kept");

    // Control: DEST's own receipt, through DEST's topic, counts.
    await deliver(world, receiptsAbout(world, firstArn).filter(onTopic(DEST.account)));
    await nextSecond();
    await produce(world, { trigger: "manual", database: "orders", kind: "instance" }, new Set());
    assert.ok(!(await transitIds(world)).includes(first), "both receipted: pruned");
  });

  it("a receipt from a topic that is not a receipt topic, or for a snapshot in another region, is refused", async () => {
    const world = await worlds.build(options);
    const body = (snapshotArn: string) => JSON.stringify({ version: 1, snapshotArn, outcome: "copied" });
    const elsewhere = `arn:aws:rds:${SOURCE.region}:${SOURCE.account}:snapshot:rr-orders-1`;
    const here = transitArn(world, "rr-orders-1");
    const result = await receiptStep(world)({
      Records: [
        { Sns: { Message: body(here), TopicArn: `arn:aws:sns:${SOURCE.region}:${SOURCE.account}:other` } },
        { Sns: { Message: body(elsewhere), TopicArn: world.receiptTopics[DEST.account] } },
        { Sns: { Message: body(here), TopicArn: world.receiptTopics[DEST.account] } },
      ],
    });
    assert.equal(result.refused.length, 2, JSON.stringify(result.refused));
    assert.deepEqual(result.recorded, [{ snapshotArn: here, account: DEST.account, outcome: "copied" }]);
  });

  it("a consumer run that gives up sends a gave-up receipt and keeps its own error", async () => {
    const world = await worlds.build(options);
    await instance(world.source, "orders");
    const { producer } = await produce(world, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(producer.status, "SUCCEEDED", explain(world));
    // The destination's copy is refused (the producer's transit copy went through before).
    world.proxy.fail("CopyDBSnapshot", "KMSKeyNotAccessibleFault", 1);
    await world.intake(snsEvent(world.inbox.at("/announce")));
    const [run] = await runStartedConsumers(world, new Set());
    assert.equal(run?.status, "FAILED");
    assert.equal(run?.error, "KmsKeyNotAccessible", "the run's own error is kept");
    const [sent] = world.inbox.at("/receipts");
    assert.equal(JSON.parse(sent?.Message ?? "{}").outcome, "gave-up");
  });

  it("a source without receipt topics (an older stack) gets no receipt; the run succeeds", async () => {
    const older = await worlds.build({ destRegion: DEST.region });
    await instance(older.source, "orders");
    const flow2 = await replicate(older, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(flow2.consumers[0]?.status, "SUCCEEDED", explain(older));
    assert.deepEqual(older.inbox.at("/receipts"), []);
  });
});
