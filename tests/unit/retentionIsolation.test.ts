// The pure decisions behind "the destination owns retention" (issue 11): the floor and the lifecycle tag that
// only lengthens, the times RDS reports, and carried tags as data.
import { strict as assert } from "node:assert";
import { CLOCK_SKEW_MS, validateAnnouncement } from "../../functions/contracts/announcement";
import { carriedData } from "../../functions/decisions/carriedTags";
import { dataTimeOf, isOurCopy } from "../../functions/decisions/copyOwnership";
import { destinationCopyId, scheduledSnapshotId, transitSnapshotId } from "../../functions/decisions/naming";
import { keepsEverything, presetNamed, unionPolicies, withFloor } from "../../functions/decisions/retentionFloor";
import { planRetention, RETENTION_PRESETS } from "../../functions/decisions/retentionPolicy";
import { isOurSourceSideSnapshot } from "../../functions/decisions/sourceOwnership";
import { sampleAnnouncement, sampleConsumerConfig } from "../support/samples";

const config = sampleConsumerConfig({
  copiesPerDatabasePerDay: 24,
  retention: { deletionsEnabled: true, holdTagKey: "legal-hold" },
});
const now = new Date("2026-11-30T12:00:00Z");
const announcement = sampleAnnouncement;

describe("retention isolation: pure decisions", () => {
  it("a union of policies keeps what either keeps; an empty one keeps everything", () => {
    assert.deepEqual(unionPolicies({ keepLast: 3 }, { maxAgeDays: 5, keepLast: 1 }), { keepLast: 3, maxAgeDays: 5 });
    assert.deepEqual(unionPolicies({}, RETENTION_PRESETS.Test), {});
    assert.ok(keepsEverything(withFloor({}, { copies: 3, days: 7 })), "the floor never narrows keep-everything");
    assert.deepEqual(withFloor({ daily: 7 }, { copies: 3, days: 7 }), { daily: 7, keepLast: 3, maxAgeDays: 7 });
    const day = 86_400_000;
    const snaps = Array.from({ length: 30 }, (_, i) => ({
      id: `s${i}`,
      createdAt: new Date(+now - i * day),
      managed: true,
    }));
    const union = unionPolicies(RETENTION_PRESETS.Standard, RETENTION_PRESETS.Test);
    const kept = new Set(planRetention(snaps, union, now).keep);
    for (const p of [RETENTION_PRESETS.Standard, RETENTION_PRESETS.Test])
      for (const s of planRetention(snaps, p, now).keep) assert.ok(kept.has(s), `${s.id} kept by the union`);
  });

  it("preset names compare without case", () => {
    assert.equal(presetNamed("test"), "Test");
    assert.equal(presetNamed(" STANDARD "), "Standard");
    assert.equal(presetNamed("Gold"), undefined);
    assert.equal(presetNamed("constructor"), undefined);
  });

  it("data time is the earlier of RDS's two times, never a tag", () => {
    assert.equal(
      dataTimeOf({ createdAt: "2026-11-30T10:00:00Z", originalCreatedAt: "2026-11-29T10:00:00Z" })?.toISOString(),
      "2026-11-29T10:00:00.000Z",
    );
    assert.equal(dataTimeOf({ createdAt: "2026-11-30T10:00:00Z" })?.toISOString(), "2026-11-30T10:00:00.000Z");
    assert.equal(dataTimeOf({}), undefined);
  });

  it("refuses a snapshotCreateTime beyond the clock skew, at intake and copy alike", () => {
    assert.ok(validateAnnouncement(announcement(), config, undefined, now).ok);
    const within = new Date(+now + CLOCK_SKEW_MS).toISOString();
    assert.ok(validateAnnouncement(announcement({ snapshotCreateTime: within }), config, undefined, now).ok);
    const future = validateAnnouncement(
      announcement({ snapshotCreateTime: "2090-01-01T00:00:00Z" }),
      config,
      undefined,
      now,
    );
    assert.ok(!future.ok && /is in the future/.test(future.reason));
  });

  it("strips control keys from carried tags and bounds them", () => {
    const carried = carriedData(
      {
        "legal-hold": "x",
        "LEGAL-HOLD": "x",
        "rds-replication:hold": "x",
        "RDS-Replication:source-database": "payroll",
        "managed-by": "rds-replication",
        "aws:cloudformation:stack-name": "s",
        "source-aws:cloudformation:stack-name": "s",
        team: "payments",
        ["k".repeat(129)]: "v",
        long: "v".repeat(257),
      },
      "legal-hold",
    );
    assert.deepEqual(carried, { "source-aws:cloudformation:stack-name": "s", team: "payments" });
    const many = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`t${i}`, "v"]));
    assert.equal(Object.keys(carriedData(many, "hold")).length, 40);
    const accepted = validateAnnouncement(
      announcement({
        tags: { "legal-hold": "1", team: "a" },
        databaseTags: { "rds-replication:hold": "1", Draco_Lifecycle: "Test" },
      }),
      config,
      undefined,
      now,
    );
    assert.ok(accepted.ok);
    assert.deepEqual(accepted.announcement.tags, { team: "a" });
    assert.deepEqual(accepted.announcement.databaseTags, { Draco_Lifecycle: "Test" });
  });
});

describe("retention isolation: ownership by identifier and provenance", () => {
  const shared = "arn:aws:rds:eu-central-1:111111111111:snapshot:rr-orders-20261130-020000-0a1b2c3d";
  const tags = {
    "managed-by": "rds-replication",
    "rds-replication:role": "copy",
    "rds-replication:source-account": "111111111111",
    "rds-replication:shared-snapshot": shared,
  };
  it("a copy is ours only under the identifier derived from its shared snapshot, from the named account", () => {
    const id = destinationCopyId(shared);
    assert.ok(isOurCopy({ id, tags }));
    assert.ok(isOurCopy({ id, tags, copiedFrom: shared }));
    assert.ok(!isOurCopy({ id: "orders-kept-by-dba", tags }), "a --copy-tags copy");
    assert.ok(!isOurCopy({ id, tags, copiedFrom: `${shared}-other` }), "RDS says it came from elsewhere");
    assert.ok(!isOurCopy({ id, tags: { ...tags, "rds-replication:source-account": "333333333333" } }));
    assert.ok(!isOurCopy({ id, tags: { ...tags, "managed-by": "someone" } }));
    const { "rds-replication:shared-snapshot": _, ...older } = tags;
    assert.ok(!isOurCopy({ id, tags: older }), "without provenance, kept (never deleted)");
  });

  it("a source-side snapshot is ours only under the schedule's or the transit identifier", () => {
    const base = { "managed-by": "rds-replication", "rds-replication:source-database": "orders" };
    const scheduled = scheduledSnapshotId("orders", new Date("2026-11-30T02:00:00Z"));
    const source = { ...base, "rds-replication:role": "source" };
    assert.ok(isOurSourceSideSnapshot({ id: scheduled, tags: source, database: "orders" }, "orders", "eu-west-1"));
    assert.ok(
      !isOurSourceSideSnapshot({ id: "orders-dba-manual", tags: source, database: "orders" }, "orders", "eu-west-1"),
    );
    assert.ok(!isOurSourceSideSnapshot({ id: scheduled, tags: source, database: "payroll" }, "orders", "eu-west-1"));
    assert.ok(
      !isOurSourceSideSnapshot(
        { id: "orders-20261399-020000", tags: source, database: "orders" },
        "orders",
        "eu-west-1",
      ),
    );
    const from = `arn:aws:rds:eu-west-1:111111111111:snapshot:${scheduled}`;
    const transit = { ...base, "rds-replication:role": "transit", "rds-replication:source-snapshot": from };
    const tid = transitSnapshotId(from, "eu-central-1");
    assert.ok(
      isOurSourceSideSnapshot(
        { id: tid, tags: transit, database: "orders", copiedFrom: from },
        "orders",
        "eu-central-1",
      ),
    );
    assert.ok(
      !isOurSourceSideSnapshot({ id: tid, tags: transit, database: "orders" }, "orders", "eu-west-1"),
      "other region",
    );
    assert.ok(
      !isOurSourceSideSnapshot(
        { id: "orders-dba-transit", tags: transit, database: "orders" },
        "orders",
        "eu-central-1",
      ),
    );
  });
});
