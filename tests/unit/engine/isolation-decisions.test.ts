// The pure decisions behind the disaster-recovery isolation: adoption by provenance, manual-start admission,
// the daily copy budget and which failed copy a run may clean.
import * as assert from "node:assert/strict";
import type { Announcement } from "../../../functions/contracts/announcement";
import { copiesToday, copyBudgetRefusal } from "../../../functions/decisions/copyBudget";
import { manualStartRefusal } from "../../../functions/decisions/manualStart";
import { destinationCopyId } from "../../../functions/decisions/naming";
import { provenanceMismatches } from "../../../functions/decisions/provenance";
import { provenanceTags } from "../../../functions/decisions/tags";
import { notCleanable } from "../../../functions/steps/consumer/discard";

const A: Announcement = {
  version: 1,
  kind: "instance",
  snapshotArn: "arn:aws:rds:eu-central-1:111111111111:snapshot:rr-orders-1-abc",
  sourceAccount: "111111111111",
  sourceRegion: "eu-west-1",
  snapshotRegion: "eu-central-1",
  sourceDatabase: "orders",
  engine: "postgres",
  snapshotCreateTime: "2024-01-01T00:00:00Z",
  keyArn: "arn:aws:kms:eu-central-1:111111111111:key/t",
  tags: {},
  destinationAccount: "222222222222",
  destinationRegion: "eu-central-1",
  sourceSnapshotArn: "arn:aws:rds:eu-west-1:111111111111:snapshot:orders-1",
};
const ownTags = (a: Announcement) => provenanceTags("copy", { ...a, sourceCreated: a.snapshotCreateTime });

describe("disaster-recovery isolation decisions", () => {
  it("provenance: identical identity tags agree; another database, snapshot or role does not; time is not identity", () => {
    const tags = ownTags(A);
    assert.deepEqual(provenanceMismatches(tags, { ...tags, "rds-replication:source-created": "2030-01-01" }), []);
    assert.deepEqual(provenanceMismatches(tags, { ...tags, "rds-replication:source-database": "payroll" }), [
      'rds-replication:source-database is "payroll", the run says "orders"',
    ]);
    assert.equal(provenanceMismatches(tags, { "managed-by": "rds-replication" }).length, 5);
  });

  it("manual start: selected database and its own snapshot only", () => {
    const config = {
      databases: { identifiers: ["orders"], tags: { replicate: "yes" } },
      destinations: [{ account: "222222222222", region: "eu-central-1", databases: ["orders", "billing"] }],
    };
    const orders = { id: "orders", kind: "instance" as const, tags: {} };
    assert.equal(manualStartRefusal(orders, { id: "orders-1", database: "orders" }, config), undefined);
    assert.equal(manualStartRefusal(orders, undefined, config), undefined);
    assert.match(
      manualStartRefusal(orders, { id: "payroll-1", database: "payroll" }, config) ?? "",
      /payroll-1 is of database payroll, not orders/,
    );
    assert.match(manualStartRefusal({ ...orders, id: "payroll" }, undefined, config) ?? "", /not selected/);
    const tagged = { id: "ledger", kind: "instance" as const, tags: { replicate: "yes" } };
    assert.match(manualStartRefusal(tagged, undefined, config) ?? "", /no destination is configured to receive ledger/);
  });

  it("daily budget: this account's copies of that database within 24 hours, in-progress ones included", () => {
    const now = new Date("2024-01-02T12:00:00Z");
    const copy = (createdAt: string | undefined, database = "orders") => ({
      tags: ownTags({ ...A, sourceDatabase: database }),
      createdAt,
    });
    const snapshots = [
      copy("2024-01-02T11:00:00Z"),
      copy("2024-01-01T12:00:01Z"),
      copy(undefined),
      copy("2024-01-01T11:59:59Z"),
      copy("2024-01-02T11:00:00Z", "payroll"),
      { tags: { "managed-by": "someone" }, createdAt: "2024-01-02T11:00:00Z" },
    ];
    assert.equal(copiesToday(snapshots, A, now), 3);
    assert.equal(copyBudgetRefusal(snapshots, A, 4, now), undefined);
    assert.match(copyBudgetRefusal(snapshots, A, 3, now) ?? "", /3 copies of 111111111111\/orders .* budget is 3/);
  });

  it("cleanup: only this run's own copy, made by the tool with its provenance, and not available", () => {
    const id = destinationCopyId(A.snapshotArn);
    const copy = { id, status: "copying", tags: ownTags(A) };
    assert.equal(notCleanable(copy, A), undefined);
    assert.equal(notCleanable({ ...copy, status: "failed" }, A), undefined);
    assert.match(notCleanable({ ...copy, status: "available" }, A) ?? "", /complete and kept/);
    assert.match(notCleanable({ ...copy, id: "other" }, A) ?? "", /not this run's copy/);
    assert.match(notCleanable({ ...copy, tags: {} }, A) ?? "", /not made by rds-replication/);
    const payroll = ownTags({ ...A, sourceDatabase: "payroll" });
    assert.match(notCleanable({ ...copy, tags: payroll }, A) ?? "", /holds other data/);
  });
});
