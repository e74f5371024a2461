import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  awaitStart,
  awaitsCopyEvent,
  awaitTimeoutSeconds,
  awaitVerdict,
  copyFinishedSnapshotArn,
  DEFAULT_AWAIT_BOUNDS,
} from "../../functions/decisions/copyCompletion";

const B = DEFAULT_AWAIT_BOUNDS;

describe("copy completion: the fallback check of a copy awaiting its event", () => {
  it("waits the longest fallback while RDS reports no progress or a queued copy", () => {
    assert.equal(awaitTimeoutSeconds({ elapsedSeconds: 10 }), B.maxSeconds);
    assert.equal(
      awaitTimeoutSeconds({ elapsedSeconds: 600, percentProgress: 0, queuedUntilSeconds: 600 }),
      B.maxSeconds,
    );
  });

  it("lands after the estimated end: 50 % after 10 minutes of copying checks again in 10 minutes plus slack", () => {
    assert.equal(awaitTimeoutSeconds({ elapsedSeconds: 600, percentProgress: 50 }), 600 + B.slackSeconds);
  });

  it("ignores the time spent queued when estimating the speed", () => {
    assert.equal(
      awaitTimeoutSeconds({ elapsedSeconds: 1200, percentProgress: 50, queuedUntilSeconds: 900 }),
      300 + B.slackSeconds,
    );
  });

  it("stays within its bounds for any reading", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 86_400, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
        (elapsedSeconds, percentProgress) => {
          const t = awaitTimeoutSeconds({ elapsedSeconds, percentProgress });
          assert.ok(t >= B.minSeconds && t <= B.maxSeconds, `${t}`);
        },
      ),
    );
  });

  it("refuses a negative or unknown elapsed time", () => {
    assert.throws(() => awaitTimeoutSeconds({ elapsedSeconds: -1 }), RangeError);
    assert.throws(() => awaitTimeoutSeconds({ elapsedSeconds: Number.NaN }), RangeError);
  });
});

describe("copy completion: which copies await an event, what an event names, what a check decides", () => {
  const event = (id: string, arn = "arn:aws:rds:eu-central-1:222222222222:snapshot:orders-copy") => ({
    source: "aws.rds",
    "detail-type": "RDS DB Snapshot Event",
    resources: [arn],
    detail: { EventID: id, SourceArn: arn, SourceType: "SNAPSHOT" },
  });

  it("only DB snapshot copies await their event; they start with their time and the longest fallback", () => {
    assert.equal(awaitsCopyEvent("snapshot-copy"), true);
    for (const op of ["cluster-snapshot-copy", "snapshot-create", "instance-restore"]) {
      assert.equal(awaitsCopyEvent(op), false, op);
      assert.deepEqual(awaitStart(op, 0), {});
    }
    assert.deepEqual(awaitStart("snapshot-copy", Date.UTC(2026, 10, 30, 8, 0, 0)), {
      startedAt: "2026-11-30T08:00:00.000Z",
      awaitSeconds: B.maxSeconds,
    });
  });

  it("names the copy of a copy-finished event of a DB snapshot, and nothing for any other event", () => {
    const arn = "arn:aws:rds:eu-central-1:222222222222:snapshot:orders-copy";
    assert.equal(copyFinishedSnapshotArn(event("RDS-EVENT-0197")), arn);
    assert.equal(copyFinishedSnapshotArn(event("RDS-EVENT-0060")), arn);
    for (const id of ["RDS-EVENT-0042", "RDS-EVENT-0059", "RDS-EVENT-0196", "RDS-EVENT-0190"])
      assert.equal(copyFinishedSnapshotArn(event(id)), undefined, id);
    assert.equal(copyFinishedSnapshotArn({ ...event("RDS-EVENT-0197"), source: "custom.rds" }), undefined);
    assert.equal(
      copyFinishedSnapshotArn({ ...event("RDS-EVENT-0197"), "detail-type": "RDS DB Cluster Snapshot Event" }),
      undefined,
    );
    const cluster = "arn:aws:rds:eu-central-1:222222222222:cluster-snapshot:orders";
    assert.equal(copyFinishedSnapshotArn(event("RDS-EVENT-0197", cluster)), undefined);
    assert.equal(copyFinishedSnapshotArn({}), undefined);
  });

  it("completes an available copy, fails a failed one or one past its time limit, else keeps waiting", () => {
    const check = (status: string, elapsedSeconds = 60) =>
      awaitVerdict({ status, elapsedSeconds, maxTotalSeconds: 86_400 });
    assert.deepEqual(check("available"), { action: "complete" });
    assert.deepEqual(check("available", 90_000), { action: "complete" }, "finished is finished, however late");
    for (const status of ["failed", "error", "deleted", "deleting"]) assert.equal(check(status).action, "fail", status);
    assert.deepEqual(check("copying"), { action: "wait" });
    assert.deepEqual(check("pending"), { action: "wait" });
    const late = check("copying", 86_400);
    assert.equal(late.action, "fail");
    assert.match(late.action === "fail" ? late.reason : "", /still copying after 86400 s: time limit reached/);
  });
});
