// Admission of copies on the emulator (functions/decisions/admission.ts): a copy waits for a slot as long as it needs to
// (the old design retried CopyLimitReached 60 times, then abandoned the run), in order of arrival, with the
// slots counted from what RDS reports; a crash between admission and the copy's start keeps the copy's place
// and leaks no slot.
import { strict as assert } from "node:assert";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { CreateDBSnapshotCommand } from "@aws-sdk/client-rds";
import { COPY_CONCURRENCY } from "../../functions/decisions/errors";
import type { ConsumerState, CopyResult, CopyWaiting } from "../../functions/steps/consumer/copy";
import {
  DEST,
  explain,
  instance,
  produce,
  runStartedConsumers,
  SOURCE,
  snsEvent,
  type World,
  worldPerTest,
} from "../../testkit";

/** `count` manual snapshots in the destination that RDS (through the proxy) reports as copying. */
async function occupySlots(world: World, count: number): Promise<string[]> {
  await instance(world.dest, "filler");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `filler-copy-${i}`;
    await world.dest.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "filler", DBSnapshotIdentifier: id }),
    );
    world.proxy.neverFinish(id);
    ids.push(id);
  }
  return ids;
}

const release = (world: World, ids: string[]) => {
  for (const id of ids) world.proxy.copyingFor(id, 0);
};

async function tickets(world: World): Promise<string[]> {
  const out = await world.dest.dynamodb.send(
    new QueryCommand({
      TableName: world.consumerConfig.admissionTable,
      KeyConditionExpression: "#q = :q",
      ExpressionAttributeNames: { "#q": "queue" },
      ExpressionAttributeValues: { ":q": { S: `${DEST.account}/${world.destPlace.region}/instance` } },
    }),
  );
  return (out.Items ?? []).map((item) => item.ticket?.S ?? "");
}

describe("e2e: admission of copies", () => {
  const worlds = worldPerTest();

  it("a copy waits for a slot past the old retry budget (60 refusals) and then replicates", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders");
    const fillers = await occupySlots(world, COPY_CONCURRENCY.instance);
    const { producer } = await produce(world, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(producer.status, "SUCCEEDED", explain(world));
    const copy = world.consumer["consumer-copy"]!;
    let calls = 0;
    world.consumer["consumer-copy"] = async (input) => {
      calls += 1;
      if (calls === 64) release(world, fillers);
      return copy(input);
    };
    await world.intake(snsEvent(world.inbox.at("/announce")));
    const [run] = await runStartedConsumers(world, new Set());
    assert.equal(run?.status, "SUCCEEDED", `${run?.error}: ${run?.cause}\n${explain(world)}`);
    assert.equal(calls, 64, "63 checks found every slot taken, the 64th started the copy");
    assert.deepEqual(await tickets(world), [], "the ticket left the queue once the copy started");
  });

  it("a crash between admission and start keeps the copy's place; no slot leaks; order of arrival holds", async () => {
    const world = await worlds.build({ destRegion: SOURCE.region });
    await instance(world.source, "orders");
    await instance(world.source, "billing", { replicate: "yes" });
    const producerRuns = new Set<string>();
    for (const database of ["orders", "billing"]) {
      const { producer } = await produce(world, { trigger: "manual", database, kind: "instance" }, producerRuns);
      assert.equal(producer.status, "SUCCEEDED", explain(world));
    }
    const [first, second] = world.inbox
      .at("/announce")
      .map((m) => ({ announcement: JSON.parse(m.Message), execution: "e2e" }) as ConsumerState);
    assert.notEqual(first?.announcement.snapshotArn, second?.announcement.snapshotArn);
    const fillers = await occupySlots(world, COPY_CONCURRENCY.instance - 1);
    const copy = world.consumer["consumer-copy"] as (s: ConsumerState) => Promise<CopyResult | CopyWaiting>;

    // Admitted to the one free slot, then the copy call fails: the step fails before any copy exists.
    world.proxy.fail("CopyDBSnapshot", "InternalFailure", 1);
    await assert.rejects(copy(first!));
    assert.equal((await tickets(world)).length, 1, "the admitted copy's ticket is still queued");

    // A later copy does not take the free slot: the first one arrived before it.
    const later = await copy(second!);
    assert.ok("waiting" in later, JSON.stringify(later));
    assert.equal(later.waiting[0]?.ahead, 1);
    assert.equal(later.waiting[0]?.free, 1);

    // The retried step starts the first copy and leaves the queue; the slot is now in use, counted by RDS.
    const retried = await copy(first!);
    assert.ok("snapshot" in retried && !retried.adopted, JSON.stringify(retried));
    // moto finishes copies at once; RDS would report this one copying for a while.
    world.proxy.neverFinish(retried.snapshot.id);
    const full = await copy(second!);
    assert.ok("waiting" in full && full.waiting[0]?.free === 0 && full.waiting[0]?.ahead === 0, JSON.stringify(full));

    // Copies end (as RDS reports them): the second copy is admitted.
    release(world, [...fillers, retried.snapshot.id]);
    const admitted = await copy(second!);
    assert.ok("snapshot" in admitted, JSON.stringify(admitted));
    assert.deepEqual(await tickets(world), []);
  });
});
