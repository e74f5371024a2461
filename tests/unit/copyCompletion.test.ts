import { strict as assert } from "node:assert";
import {
  awaitStart,
  awaitsCopyEvent,
  awaitVerdict,
  copyFinishedSnapshotArn,
  FALLBACK_CHECK_SECONDS,
} from "../../functions/decisions/copyCompletion";

describe("copy completion: which copies await an event, what an event names, what a check decides", () => {
  const event = (id: string, arn = "arn:aws:rds:eu-central-1:222222222222:snapshot:orders-copy") => ({
    source: "aws.rds",
    "detail-type": "RDS DB Snapshot Event",
    resources: [arn],
    detail: { EventID: id, SourceArn: arn, SourceType: "SNAPSHOT" },
  });

  it("only DB snapshot copies await their event; they start with their time and the fallback timeout", () => {
    assert.equal(awaitsCopyEvent("snapshot-copy"), true);
    for (const op of ["cluster-snapshot-copy", "snapshot-create", "instance-restore"]) {
      assert.equal(awaitsCopyEvent(op), false, op);
      assert.deepEqual(awaitStart(op, 0), {});
    }
    assert.deepEqual(awaitStart("snapshot-copy", Date.UTC(2026, 10, 30, 8, 0, 0)), {
      startedAt: "2026-11-30T08:00:00.000Z",
      awaitSeconds: FALLBACK_CHECK_SECONDS,
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
