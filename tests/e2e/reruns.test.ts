// End to end: re-running a failed run the documented way (docs/engine.md, "Re-running a run"). A closed
// execution's name cannot be used again for 90 days; the intake and the producer's dispatch start the next
// attempt of a name whose every attempt failed, and keep treating a running or succeeded one as a duplicate.
import { strict as assert } from "node:assert";
import { CreateDBSnapshotCommand } from "@aws-sdk/client-rds";
import { ListExecutionsCommand } from "@aws-sdk/client-sfn";
import {
  DEST,
  explain,
  instance,
  produce,
  runStartedConsumers,
  snapshotsIn,
  snsEvent,
  worldPerTest,
} from "../../testkit";

describe("e2e: re-running failed runs", () => {
  const worlds = worldPerTest();

  it("a re-published announcement of a failed consumer run starts its next attempt; of a succeeded one, nothing", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders");
    const done = new Set<string>();
    const { producer } = await produce(world, { trigger: "manual", database: "orders", kind: "instance" }, done);
    assert.equal(producer.status, "SUCCEEDED", explain(world));
    const announcement = world.inbox.at("/announce");
    assert.equal(announcement.length, 1);

    // The destination key refuses the copy once: the run fails (a fatal error, not retried) and is notified.
    world.proxy.fail("CopyDBSnapshot", "KMSKeyNotAccessibleFault", 1);
    const first = await world.intake(snsEvent(announcement));
    assert.equal(first.started.length, 1);
    const [failed] = await runStartedConsumers(world, done);
    assert.equal(failed?.status, "FAILED");
    assert.equal(failed?.error, "KmsKeyNotAccessible");
    assert.equal((await snapshotsIn(world.dest, "manual")).length, 0);

    // Re-published after the fix: the second attempt runs, under the same name with `-a2`.
    const second = await world.intake(snsEvent(announcement));
    assert.deepEqual(second.duplicates, []);
    assert.equal(second.started.length, 1);
    assert.equal(second.started[0], `${first.started[0]}-a2`);
    const [rerun] = await runStartedConsumers(world, done);
    assert.equal(rerun?.status, "SUCCEEDED", explain(world));
    assert.equal((await snapshotsIn(world.dest, "manual")).length, 1);

    // Re-published once more: its last attempt succeeded, so it is a duplicate and nothing starts.
    const third = await world.intake(snsEvent(announcement));
    assert.deepEqual(third.started, []);
    assert.deepEqual(third.duplicates, [second.started[0]?.split(":").pop()]);
    assert.deepEqual(await runStartedConsumers(world, done), []);
    const { executions } = await world.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.stateMachineArn }));
    assert.equal(executions?.length, 2);
    assert.equal((await snapshotsIn(world.dest, "manual")).length, 1);
  });

  it("a repeated manual start of a failed producer run starts its next attempt; of a succeeded one, nothing", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders");
    // A snapshot taken by hand, named in the manual start: each start names the same run.
    await world.source.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-by-hand" }),
    );
    const trigger = { trigger: "manual", database: "orders", kind: "instance", snapshot: "orders-by-hand" };
    const done = new Set<string>();

    world.proxy.fail("CopyDBSnapshot", "KMSKeyNotAccessibleFault", 1);
    const failedRun = await produce(world, trigger, done);
    assert.equal(failedRun.databases.length, 1);
    assert.equal(failedRun.databases[0]?.status, "FAILED");

    const rerun = await produce(world, trigger, done);
    assert.equal(rerun.databases.length, 1, "the next attempt started");
    assert.equal(rerun.databases[0]?.status, "SUCCEEDED", explain(world));

    const again = await produce(world, trigger, done);
    assert.equal(again.producer.status, "SUCCEEDED");
    assert.deepEqual(again.databases, [], "a succeeded run is not started again");
    const { executions } = await world.sourceSfn.send(
      new ListExecutionsCommand({ stateMachineArn: world.producerStateMachineArn }),
    );
    assert.deepEqual(
      executions?.map((e) => e.name?.replace(/^.*?(-a\d)?$/, "$1") ?? "").sort(),
      ["", "-a2"],
      "the failed first attempt and its second attempt",
    );
  });
});
