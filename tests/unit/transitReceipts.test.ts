// Which destinations a transit snapshot still waits for (functions/decisions/transitReceipts.ts), and the
// receipt message's schema (functions/contracts/receiptMessage.ts).
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { receiptSchema, snapshotPlace } from "../../functions/contracts/receiptMessage";
import { ADMISSION } from "../../functions/decisions/admission";
import { awaitedDestinations, RECEIPTS } from "../../functions/decisions/transitReceipts";

const now = new Date("2026-11-30T12:00:00Z");
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe("transit receipts", () => {
  it("waits for every account it was shared with that has not receipted", () => {
    assert.deepEqual(awaitedDestinations(["333333333333", "222222222222"], [], ago(60), now), [
      "222222222222",
      "333333333333",
    ]);
    assert.deepEqual(awaitedDestinations(["222222222222", "333333333333"], ["222222222222"], ago(60), now), [
      "333333333333",
    ]);
    assert.deepEqual(awaitedDestinations(["222222222222"], ["222222222222"], ago(60), now), []);
  });

  it("stops waiting at the bound: the longest admission plus the copy and a day", () => {
    assert.ok(RECEIPTS.boundSeconds > ADMISSION.maxAgeSeconds + 24 * 3600);
    assert.deepEqual(awaitedDestinations(["222222222222"], [], ago(RECEIPTS.boundSeconds - 1), now), ["222222222222"]);
    assert.deepEqual(awaitedDestinations(["222222222222"], [], ago(RECEIPTS.boundSeconds), now), []);
  });

  it("a receipt only ever removes its own account from the wait (property)", () => {
    const account = fc.stringMatching(/^[0-9]{12}$/);
    fc.assert(
      fc.property(fc.array(account, { maxLength: 5 }), fc.array(account, { maxLength: 5 }), (shared, receipted) => {
        const awaited = awaitedDestinations(shared, receipted, ago(60), now);
        for (const a of shared) assert.equal(awaited.includes(a), !receipted.includes(a));
        for (const a of awaited) assert.ok(shared.includes(a));
      }),
    );
  });

  it("a receipt names a shared snapshot and an outcome; who sent it is not part of it", () => {
    const arn = "arn:aws:rds:eu-central-1:111111111111:snapshot:rr-orders-1a2b";
    assert.ok(receiptSchema().safeParse({ version: 1, snapshotArn: arn, outcome: "copied" }).success);
    assert.ok(!receiptSchema().safeParse({ version: 2, snapshotArn: arn, outcome: "copied" }).success);
    assert.ok(!receiptSchema().safeParse({ version: 1, snapshotArn: arn, outcome: "done" }).success);
    const claimed = receiptSchema().parse({ version: 1, snapshotArn: arn, outcome: "gave-up", account: "2" });
    assert.deepEqual(Object.keys(claimed).sort(), ["outcome", "snapshotArn", "version"]);
    assert.deepEqual(snapshotPlace(arn), { region: "eu-central-1", account: "111111111111" });
  });
});
