// 300 copies queued for admission in one destination account and region (issue 13): every one finishes, RDS
// never reports more than 20 instance copies in progress, and no copy takes a slot an earlier arrival was
// waiting for. The copy step runs as the serialized closure Lambda runs, on the test clock, driven by an event
// loop instead of 300 state machine runs: each waiting copy is asked again when its `waitSeconds` says, as the
// state machine's Wait would; a started copy stays `copying` (the proxy) until its simulated duration passed.
import { strict as assert } from "node:assert";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateDBSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import type { Announcement } from "../../functions/contracts/announcement";
import { COPY_CONCURRENCY } from "../../functions/decisions/errors";
import type { ConsumerState, CopyResult, CopyWaiting } from "../../functions/steps/consumer/copy";
import { DEST, explain, instance, produce, SOURCE, setSnapshotQuota, worldPerTest } from "../../testkit";
import { advanceClock } from "../../testkit/clock";

const COPIES = 300;
const LIMIT = COPY_CONCURRENCY.instance;
/**
 * Each copy runs 5-10 minutes once started (as RDS would report it), spread deterministically: slots free a
 * little faster than admission's estimate (a 10-minute copy per slot), so a copy mostly starts at its second
 * check and the test stays short; the limit and the order are what is tested, not the waits.
 */
const durationSeconds = (i: number) => 300 + ((i * 97) % 300);

interface Queued {
  index: number;
  state: ConsumerState;
  /** Simulated second of its next check while waiting; of its end once started. */
  at: number;
  copyId?: string;
  done?: boolean;
}

describe("e2e: a backlog of 300 copies", () => {
  const worlds = worldPerTest();

  it("all 300 finish, at most 20 in progress as RDS reports them, in order of arrival", async function () {
    // About 1,000 emulator round trips (300 shares, 625 checks, the listings): minutes, not the suite's 2.
    this.timeout(900_000);
    const world = await worlds.build({ destRegion: SOURCE.region, copiesPerDatabasePerDay: COPIES + 10 });
    // The source and the destination account each hold more than RDS's default 100 snapshots here.
    await setSnapshotQuota(COPIES + 50);
    await instance(world.source, "orders");
    const { producer } = await produce(world, { trigger: "manual", database: "orders", kind: "instance" });
    assert.equal(producer.status, "SUCCEEDED", explain(world));
    const template = JSON.parse(world.inbox.at("/announce")[0]?.Message ?? "{}") as Announcement;

    const copies: Queued[] = [];
    for (let index = 0; index < COPIES; index++) {
      const id = `orders-load-${String(index).padStart(3, "0")}`;
      await world.source.rds.send(
        new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: id }),
      );
      await world.source.rds.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: id,
          AttributeName: "restore",
          ValuesToAdd: [DEST.account],
        }),
      );
      const snapshotArn = `arn:aws:rds:${SOURCE.region}:${SOURCE.account}:snapshot:${id}`;
      const announcement = { ...template, snapshotArn, sourceSnapshotArn: snapshotArn };
      copies.push({ index, state: { announcement, execution: `load-${index}` }, at: index });
    }

    // What RDS reports in the destination, through the proxy that holds started copies at `copying`.
    const rds = new RDSClient({
      region: SOURCE.region,
      endpoint: world.proxy.url,
      credentials: world.dest.credentials,
    });
    const inProgress = async () => {
      let count = 0;
      let Marker: string | undefined;
      do {
        const page = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual", Marker }));
        count += (page.DBSnapshots ?? []).filter((s) => s.Status !== "available").length;
        Marker = page.Marker;
      } while (Marker);
      return count;
    };

    const copy = world.consumer["consumer-copy"] as (s: ConsumerState) => Promise<CopyResult | CopyWaiting>;
    const started: number[] = [];
    let now = 0;
    let checks = 0;
    let peak = 0;
    let finishedCount = 0;
    try {
      for (;;) {
        const next = copies.filter((c) => !c.done).sort((a, b) => a.at - b.at || a.index - b.index)[0];
        if (!next) break;
        advanceClock((next.at - now) * 1000);
        now = next.at;
        if (next.copyId) {
          world.proxy.copyingFor(next.copyId, 0);
          const [finished] =
            (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: next.copyId }))).DBSnapshots ?? [];
          assert.equal(finished?.Status, "available", `copy ${next.index} finished`);
          // Retention would remove it in time; here at once, so the region's listing (read at every check)
          // stays the size of the copies in flight and the test's time does not grow with the backlog.
          await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: next.copyId }));
          next.done = true;
          finishedCount += 1;
          continue;
        }
        checks += 1;
        const result = await copy(next.state);
        if ("waiting" in result) {
          next.at = now + result.waitSeconds;
          continue;
        }
        // Counted before this copy shows as in progress: the copies holding a slot as RDS reports them.
        const before = await inProgress();
        world.proxy.neverFinish(result.snapshot.id);
        next.copyId = result.snapshot.id;
        next.at = now + durationSeconds(next.index);
        started.push(next.index);
        const earlierWaiting = copies.filter((c) => c.index < next.index && c.copyId === undefined).length;
        assert.ok(
          before + earlierWaiting < LIMIT,
          `copy ${next.index} took a slot: ${before} in progress, ${earlierWaiting} earlier copies waiting`,
        );
        const after = await inProgress();
        assert.equal(after, before + 1, "RDS reports the started copy in progress");
        peak = Math.max(peak, after);
        assert.ok(after <= LIMIT, `${after} copies in progress`);
      }
    } finally {
      advanceClock(-now * 1000);
    }

    assert.equal(started.length, COPIES);
    assert.equal(finishedCount, COPIES, "every copy finished (available as RDS reports it)");
    assert.equal(new Set(started).size, COPIES);
    assert.equal(peak, LIMIT, "the backlog kept every slot busy at some point");
    assert.equal(await inProgress(), 0);
    const { Items } = await world.dest.dynamodb.send(
      new QueryCommand({
        TableName: world.consumerConfig.admissionTable,
        KeyConditionExpression: "#q = :q",
        ExpressionAttributeNames: { "#q": "queue" },
        ExpressionAttributeValues: { ":q": { S: `${DEST.account}/${SOURCE.region}/instance` } },
      }),
    );
    assert.deepEqual(Items ?? [], [], "every ticket left the queue");
    process.stderr.write(
      `backlog: ${COPIES} copies, ${checks} checks, peak ${peak}, ${Math.round(now / 60)} simulated min\n`,
    );
  });
});
