// Cooling-off before deletion (functions/decisions/coolingOff.ts), and the property of issue 11: for any sequence of
// announcements a source can send (any tags, times, lifecycle values), no honest copy within the floor is
// ever deleted, and nothing is deleted that the destination's own policy would keep.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { validateAnnouncement } from "../../functions/contracts/announcement";
import { planCoolingOff } from "../../functions/decisions/coolingOff";
import { type InventorySnapshot, planSnapshotDeletions } from "../../functions/decisions/deletionGuard";
import { retentionPolicyFor } from "../../functions/decisions/destinationRules";
import { withFloor } from "../../functions/decisions/retentionFloor";
import { planRetention, RETENTION_PRESETS } from "../../functions/decisions/retentionPolicy";
import { sampleAnnouncement, sampleConsumerConfig } from "../support/samples";

const DUE = "rds-replication:deletion-due";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const copy = (id: string, tags: Record<string, string> = {}): InventorySnapshot => ({
  id,
  createdAt: new Date(0),
  managed: true,
  status: "available",
  tags,
});
const options = (now: Date, perDay = 2, perRun = 10) => ({ now, delayHours: 72, perDay, perRun, markKey: DUE });

describe("cooling-off before deletion", () => {
  const now = new Date("2026-11-30T10:00:00Z");
  it("marks first, deletes only what is due, unmarks what no longer qualifies", () => {
    const fresh = copy("fresh");
    const due = copy("due", { [DUE]: "2026-11-30T09:00:00.000Z" });
    const waiting = copy("waiting", { [DUE]: "2026-12-01T00:00:00.000Z" });
    const keptAgain = copy("kept-again", { [DUE]: "2026-11-29T00:00:00.000Z" });
    const plan = planCoolingOff([fresh, due, waiting], [fresh, due, waiting, keptAgain], [], options(now));
    assert.deepEqual(plan.mark, [{ id: "fresh", due: "2026-12-03T10:00:00.000Z" }]);
    assert.deepEqual(plan.delete, [due]);
    assert.deepEqual(plan.waiting, [{ id: "waiting", due: "2026-12-01T00:00:00.000Z" }]);
    assert.deepEqual(plan.unmark, ["kept-again"]);
  });

  it("caps the marks falling due per UTC day, counting marks already set (here and on other databases)", () => {
    const candidates = ["a", "b", "c", "d"].map((id) => copy(id));
    const other = copy("other-db", { [DUE]: "2026-12-03T23:00:00.000Z" });
    const plan = planCoolingOff(candidates, candidates, [other], options(now, 2));
    assert.deepEqual(
      plan.mark.map((m) => m.due),
      ["2026-12-03T10:00:00.000Z", "2026-12-04T00:00:00.000Z", "2026-12-04T00:00:00.000Z", "2026-12-05T00:00:00.000Z"],
    );
    // A retry of the same run finds its marks: nothing marked twice, the days stay within the cap.
    const marked = candidates.map((s, i) => ({ ...s, tags: { [DUE]: plan.mark[i]?.due ?? "" } }));
    const retry = planCoolingOff(marked, marked, [other], options(now, 2));
    assert.deepEqual(retry.mark, []);
    assert.equal(retry.waiting.length, 4);
  });

  it("deletes at most perRun copies a run, oldest first as given", () => {
    const old = ["a", "b", "c"].map((id) => copy(id, { [DUE]: "2026-11-01T00:00:00.000Z" }));
    const plan = planCoolingOff(old, old, [], options(now, 10, 2));
    assert.deepEqual(
      plan.delete.map((s) => s.id),
      ["a", "b"],
    );
    assert.deepEqual(
      plan.waiting.map((w) => w.id),
      ["c"],
    );
  });
});

describe("property: no announcement sequence deletes an honest copy within the floor", () => {
  const config = sampleConsumerConfig({
    copiesPerDatabasePerDay: 24,
    retention: {
      default: RETENTION_PRESETS.Standard,
      deletionsEnabled: true,
      maxDeletionsPerRun: 10,
      holdTagKey: "rds-replication:hold",
      minimum: { copies: 3, days: 7 },
    },
  });
  const floorPolicy = withFloor(config.retention.default, config.retention.minimum);
  const key = fc.oneof(
    fc.constantFrom("Draco_Lifecycle", "rds-replication:hold", "RDS-REPLICATION:hold", "managed-by", "aws:x", DUE),
    fc.string({ maxLength: 8 }),
  );
  const value = fc.oneof(fc.constantFrom("Test", "test", "STANDARD", "Gold", "", "2000-01-01T00:00:00Z"), fc.string());
  const event = fc.record({
    honest: fc.boolean(),
    gapHours: fc.integer({ min: 1, max: 60 }),
    /** Days the claimed snapshotCreateTime lies from the real time (the far future included). */
    claimedDays: fc.oneof(fc.integer({ min: -5000, max: 0 }), fc.integer({ min: 1, max: 30000 })),
    /** The lifecycle tag on the source database, if any. */
    lifecycle: fc.option(
      fc.oneof({ arbitrary: fc.constantFrom("Test", "tEST"), weight: 3 }, { arbitrary: value, weight: 1 }),
      {
        freq: 4,
      },
    ),
    tags: fc.dictionary(key, value, { maxKeys: 6 }),
    databaseTags: fc.dictionary(key, value, { maxKeys: 6 }),
  });

  it("holds for random sequences (Standard default, floor copies=3 days=7, 72 h cooling-off)", () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 60 }), (events) => {
        let now = Date.parse("2026-01-01T00:00:00Z");
        const honest = new Set<string>();
        let inventory: InventorySnapshot[] = [];
        events.forEach((e, i) => {
          now += e.gapHours * HOUR;
          const at = new Date(now);
          const raw = sampleAnnouncement({
            snapshotArn: `arn:aws:rds:eu-central-1:111111111111:snapshot:rr-orders-${i}`,
            snapshotCreateTime: new Date(now + (e.honest ? 0 : e.claimedDays * DAY)).toISOString(),
            tags: e.honest ? {} : e.tags,
            ...(e.honest
              ? {}
              : {
                  databaseTags: {
                    ...e.databaseTags,
                    ...(e.lifecycle === null ? {} : { Draco_Lifecycle: e.lifecycle }),
                  },
                }),
            sourceSnapshotArn: `arn:aws:rds:eu-west-1:111111111111:snapshot:orders-${i}`,
          });
          const checked = validateAnnouncement(raw, config, undefined, at);
          if (e.honest) assert.ok(checked.ok, "an honest announcement is accepted");
          if (!checked.ok) return;
          // The copy: its time is RDS's (now), its tags what survived validation plus the tool's own.
          const id = `copy-${i}`;
          if (e.honest) honest.add(id);
          inventory.push({
            id,
            createdAt: at,
            managed: true,
            status: "available",
            tags: { ...checked.announcement.tags },
          });
          const policy = retentionPolicyFor(checked.announcement, config.retention).policy;
          const guarded = planSnapshotDeletions(inventory, policy, {
            now: at,
            enabled: true,
            maxDeletions: inventory.length,
            holdTagKey: config.retention.holdTagKey,
            protectedIds: [id],
          });
          const cooling = planCoolingOff(guarded.delete, inventory, [], {
            now: at,
            delayHours: 72,
            perDay: 10,
            perRun: 10,
            markKey: DUE,
          });
          const ownPlan = planRetention(inventory, floorPolicy, at);
          const newest = [...inventory].sort((a, b) => +b.createdAt - +a.createdAt).slice(0, 3);
          for (const gone of cooling.delete) {
            if (!honest.has(gone.id)) continue;
            assert.ok(now - +gone.createdAt >= 7 * DAY, `${gone.id} within the 7-day floor`);
            assert.ok(!newest.includes(gone), `${gone.id} among the 3 newest`);
            assert.ok(ownPlan.delete.includes(gone), `${gone.id} is kept by the destination's own policy`);
            assert.ok(now - Date.parse(gone.tags[DUE] ?? "") >= 0, `${gone.id} deleted before its due time`);
          }
          const marks = new Map(cooling.mark.map((m) => [m.id, m.due]));
          const unmarked = new Set(cooling.unmark);
          const deleted = new Set(cooling.delete.map((s) => s.id));
          inventory = inventory
            .filter((s) => !deleted.has(s.id))
            .map((s) => {
              const tags = { ...s.tags };
              if (marks.has(s.id)) tags[DUE] = marks.get(s.id) ?? "";
              if (unmarked.has(s.id)) delete tags[DUE];
              return { ...s, tags };
            });
        });
      }),
      { numRuns: 300 },
    );
  });
});
