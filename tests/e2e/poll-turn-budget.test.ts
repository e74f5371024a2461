// The poll step (serialized handler, on the emulator) counts its turns and paces the wait it hands back to the
// state machine by its loop's turn budget, so a per-database run's history stays under 25,000 events while a
// loop still gives up only at its time limit (functions/decisions/pollSchedule.ts pacedWait).
import { strict as assert } from "node:assert";
import { CreateDBSnapshotCommand } from "@aws-sdk/client-rds";
import { turnBudget } from "../../functions/decisions/pollSchedule";
import { DEST, handlersFor, instance, SOURCE, worldPerTest } from "../../testkit";

describe("e2e: the poll step's turn budget", () => {
  const worlds = worldPerTest();

  it("counts turns, stretches a queued copy's wait to its share of the time left, refuses a turn beyond the budget", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders");
    await world.source.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-queued" }),
    );
    world.proxy.neverFinish("orders-queued");
    const producer = await handlersFor("producer", world.source, world.producerConfig, {
      AWS_ENDPOINT_URL: world.proxy.url,
    });
    const target = { resource: "snapshot", kind: "instance", id: "orders-queued", region: SOURCE.region };
    const startedAt = new Date(Date.now() - 600_000).toISOString();
    const check = (poll: object) =>
      producer["producer-poll"]!({
        target,
        operation: "snapshot-copy",
        poll: { polls: 3, startedAt, ...poll },
      }) as Promise<{
        turns?: number;
        turnBudget?: number;
        waitSeconds: number;
      }>;

    // Queued (0 %) for 10 minutes: without a budget the next check is in 90 s (queuedMaxWaitSeconds).
    const free = await check({ turns: 3 });
    assert.equal(free.waitSeconds, 90);
    assert.equal(free.turns, 4);
    // With 3 destination regions: 550 turns for 24 h, so this turn covers (86,400 - 600) / 547 s, about 157 s.
    const budget = turnBudget(4);
    const paced = await check({ turns: 3, turnBudget: budget });
    assert.equal(paced.turns, 4);
    assert.equal(paced.turnBudget, budget);
    assert.ok(paced.waitSeconds >= 156 && paced.waitSeconds <= 158, `${paced.waitSeconds} s`);
    await assert.rejects(check({ turns: budget - 1, turnBudget: budget }), /turn budget of this execution reached/);
  });
});
