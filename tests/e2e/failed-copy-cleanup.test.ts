// End to end: a consumer run whose copy never becomes available fails, and its own incomplete copy is deleted
// (deletions enabled) so it neither holds a quota slot nor gets adopted by the next attempt, which then copies
// afresh and succeeds. In a dry run the copy stays and the notification says it would be deleted.
import { strict as assert } from "node:assert";
import { destinationCopyId } from "../../functions/decisions/naming";
import {
  DEST,
  explain,
  instance,
  produce,
  runStartedConsumers,
  snapshotsIn,
  snsEvent,
  type World,
  worldPerTest,
} from "../../testkit";

/** The producer's announcement of orders, with the destination copy made to read as copying for ever. */
async function stuckCopy(world: World) {
  await instance(world.source, "orders");
  const { producer } = await produce(world, { trigger: "manual", database: "orders", kind: "instance" });
  assert.equal(producer.status, "SUCCEEDED", explain(world));
  const messages = world.inbox.at("/announce");
  const copyId = destinationCopyId(JSON.parse(messages[0]?.Message ?? "{}").snapshotArn);
  world.proxy.neverFinish(copyId);
  return { messages, copyId };
}

const deletionsOf = (world: World) =>
  world.inbox.notifications("/consumer-notify").flatMap((n) => (n as { deletions?: unknown[] }).deletions ?? []);

describe("e2e: a failed run's own incomplete copy is cleaned", () => {
  const worlds = worldPerTest();

  it("deletions enabled: the stuck copy is deleted, and the re-run copies afresh and succeeds", async () => {
    const world = await worlds.build({ destRegion: DEST.region, deletionsEnabled: true });
    const { messages, copyId } = await stuckCopy(world);
    const done = new Set<string>();
    await world.intake(snsEvent(messages));
    const [failed] = await runStartedConsumers(world, done);
    assert.equal(failed?.status, "FAILED");
    assert.equal(failed?.error, "PollGaveUp");
    // The give-up receipt (none sent here: this source takes no receipts) comes between the clean-up and the notice.
    assert.deepEqual(failed?.calls.slice(-3), ["consumer-discard", "consumer-receipt", "consumer-notify"]);
    assert.deepEqual(await snapshotsIn(world.dest, "manual"), [], "the incomplete copy is gone");
    assert.deepEqual(deletionsOf(world), [
      { scope: `failed copy in ${DEST.account}/${DEST.region}`, dryRun: false, ids: [copyId] },
    ]);

    world.proxy.copyingFor(copyId, 0);
    const rerun = await world.intake(snsEvent(messages));
    assert.equal(rerun.started.length, 1, "the failed run's next attempt");
    const [second] = await runStartedConsumers(world, done);
    assert.equal(second?.status, "SUCCEEDED", explain(world));
    assert.equal((second?.output as { copy?: { adopted?: boolean } } | undefined)?.copy?.adopted, false);
    const [copy] = await snapshotsIn(world.dest, "manual");
    assert.equal(copy?.DBSnapshotIdentifier, copyId);
    assert.equal(copy?.Status, "available");
  });

  it("dry run: the stuck copy stays and the failure notification says it would be deleted", async () => {
    const world = await worlds.build({ destRegion: DEST.region, deletionsEnabled: false });
    const { messages, copyId } = await stuckCopy(world);
    await world.intake(snsEvent(messages));
    const [failed] = await runStartedConsumers(world, new Set());
    assert.equal(failed?.status, "FAILED");
    assert.deepEqual(
      (await snapshotsIn(world.dest, "manual")).map((s) => s.DBSnapshotIdentifier),
      [copyId],
    );
    assert.deepEqual(deletionsOf(world), [
      { scope: `failed copy in ${DEST.account}/${DEST.region}`, dryRun: true, ids: [copyId] },
    ]);
  });
});
