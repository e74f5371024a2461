import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  type DeletionOptions,
  type InventorySnapshot,
  planSnapshotDeletions,
} from "../../functions/decisions/deletionGuard";
import { planRetention } from "../../functions/decisions/retentionPolicy";

const HOLD = "rds-replication:hold";
const NOW = new Date("2024-06-30T00:00:00Z");
const day = (n: number) => new Date(Date.UTC(2024, 5, n, 3));
const item = (id: string, n: number, extra: Partial<InventorySnapshot> = {}): InventorySnapshot => ({
  id,
  createdAt: day(n),
  managed: true,
  status: "available",
  tags: {},
  ...extra,
});
const options = (extra: Partial<DeletionOptions> = {}): DeletionOptions => ({
  now: NOW,
  enabled: true,
  maxDeletions: 10,
  holdTagKey: HOLD,
  protectedIds: [],
  ...extra,
});
const ids = (list: { id: string }[]) => list.map((s) => s.id);

describe("planSnapshotDeletions", () => {
  const five = [item("d1", 1), item("d2", 2), item("d3", 3), item("d4", 4), item("d5", 5)];

  it("deletes what retention drops, oldest first, when enabled", () => {
    const plan = planSnapshotDeletions(five, { keepLast: 2 }, options());
    assert.deepEqual(ids(plan.delete), ["d1", "d2", "d3"]);
    assert.deepEqual(ids(plan.keep), ["d5", "d4"]);
    assert.deepEqual(plan.skipped, []);
    assert.equal(plan.dryRun, false);
  });

  it("is a dry run when disabled: the same list, marked as would-delete", () => {
    const plan = planSnapshotDeletions(five, { keepLast: 2 }, options({ enabled: false }));
    assert.equal(plan.dryRun, true);
    assert.deepEqual(ids(plan.delete), ["d1", "d2", "d3"]);
  });

  it("spares snapshots not available, protected or held, saying why", () => {
    const inventory = [
      item("copying", 1, { status: "copying" }),
      item("restored-from", 2),
      item("held", 3, { tags: { [HOLD]: "" } }),
      item("both", 4, { status: "failed", tags: { [HOLD]: "legal" } }),
      item("plain", 5),
      item("newest", 6),
    ];
    const plan = planSnapshotDeletions(inventory, { keepLast: 1 }, options({ protectedIds: ["restored-from"] }));
    assert.deepEqual(ids(plan.delete), ["plain"]);
    assert.deepEqual(plan.skipped, [
      { id: "copying", reason: 'status is "copying", not "available"' },
      { id: "restored-from", reason: "protected (in use, e.g. by the restored instance)" },
      { id: "held", reason: `held by tag ${HOLD}` },
      { id: "both", reason: `status is "failed", not "available"; held by tag ${HOLD}` },
    ]);
    assert.deepEqual(ids(plan.keep), ["newest", "both", "held", "restored-from", "copying"]);
  });

  it("caps deletions per run, deleting the oldest and reporting the rest", () => {
    const plan = planSnapshotDeletions(five, { keepLast: 1 }, options({ maxDeletions: 2 }));
    assert.deepEqual(ids(plan.delete), ["d1", "d2"]);
    assert.deepEqual(plan.skipped, [
      { id: "d3", reason: "cap reached (at most 2 deletions per run)" },
      { id: "d4", reason: "cap reached (at most 2 deletions per run)" },
    ]);
    assert.deepEqual(ids(plan.keep), ["d5", "d4", "d3"]);
    assert.deepEqual(ids(planSnapshotDeletions(five, { keepLast: 1 }, options({ maxDeletions: 0 })).delete), []);
  });

  it("keeps the newest available copy when the newest one is still being copied", () => {
    const inventory = [item("d1", 1), item("d2", 2), item("d3", 3, { status: "creating" })];
    const plan = planSnapshotDeletions(inventory, { keepLast: 1 }, options());
    assert.deepEqual(ids(plan.delete), ["d1"]);
    assert.deepEqual(plan.skipped, [{ id: "d2", reason: "newest available managed snapshot" }]);
  });

  it("never deletes unmanaged snapshots, which retention keeps outright", () => {
    const inventory = [item("theirs", 1, { managed: false }), item("d2", 2), item("d3", 3)];
    const plan = planSnapshotDeletions(inventory, { keepLast: 1 }, options());
    assert.deepEqual(ids(plan.delete), ["d2"]);
    assert.ok(ids(plan.keep).includes("theirs"));
  });

  it("plans the example of docs/retention.md", () => {
    const inventory = [
      item("d1", 1),
      item("d2", 2, { status: "copying" }),
      item("d3", 3, { tags: { [HOLD]: "" } }),
      item("d4", 4),
      item("d5", 5),
      item("d6", 6),
    ];
    const plan = planSnapshotDeletions(inventory, { keepLast: 1 }, options({ maxDeletions: 2, enabled: false }));
    assert.deepEqual(ids(plan.delete), ["d1", "d4"]);
    assert.deepEqual(plan.skipped, [
      { id: "d2", reason: 'status is "copying", not "available"' },
      { id: "d3", reason: `held by tag ${HOLD}` },
      { id: "d5", reason: "cap reached (at most 2 deletions per run)" },
    ]);
  });

  it("rejects bad options and inventory items with clear errors", () => {
    assert.throws(() => planSnapshotDeletions(five, {}, options({ maxDeletions: -1 })), /maxDeletions/);
    assert.throws(() => planSnapshotDeletions(five, {}, options({ maxDeletions: 1.5 })), /maxDeletions/);
    assert.throws(() => planSnapshotDeletions(five, {}, options({ holdTagKey: "" })), /holdTagKey/);
    assert.throws(() => planSnapshotDeletions(five, {}, options({ now: new Date("x") })), /now must be a valid Date/);
    assert.throws(
      () => planSnapshotDeletions(five, {}, options({ enabled: "yes" as unknown as boolean })),
      /enabled must be a boolean/,
    );
    assert.throws(
      () => planSnapshotDeletions(five, {}, options({ protectedIds: [1] as unknown as string[] })),
      /protectedIds/,
    );
    const noTags = [{ ...item("x", 1), tags: undefined as unknown as Record<string, string> }];
    assert.throws(() => planSnapshotDeletions(noTags, {}, options()), /tags must be an object/);
    assert.throws(() => planSnapshotDeletions(five, { daily: -2 }, options()), /daily must be a non-negative integer/);
    assert.throws(
      () => planSnapshotDeletions([item("twice", 1), item("twice", 2)], {}, options()),
      /snapshot #1: duplicate id "twice"/,
    );
  });

  it("holds every invariant over random inventories", () => {
    const itemArb = fc.record({
      id: fc.integer({ min: 1, max: 60 }).map((n) => `s${n}`),
      createdAt: fc.integer({ min: 0, max: 400 * 24 }).map((h) => new Date(Date.UTC(2023, 5, 1) + h * 3_600_000)),
      managed: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
      status: fc.constantFrom("available", "available", "available", "creating", "copying", "failed", "deleting"),
      tags: fc.oneof(
        fc.constant({}),
        fc.constant({ [HOLD]: "yes" }),
        fc.constant({ Draco_Lifecycle: "Standard", "managed-by": "rds-replication" }),
      ),
    });
    const policyArb = fc.record(
      { keepLast: fc.nat(5), maxAgeDays: fc.nat(40), daily: fc.nat(7), weekly: fc.nat(5), monthly: fc.nat(6) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(itemArb, { maxLength: 40, selector: (s) => s.id }),
        policyArb,
        fc.nat(8),
        fc.boolean(),
        fc.subarray(["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]),
        (inventory, policy, maxDeletions, enabled, protectedIds) => {
          const plan = planSnapshotDeletions(inventory, policy, options({ maxDeletions, enabled, protectedIds }));
          const retention = planRetention(inventory, policy, NOW);
          const deleted = new Set<InventorySnapshot>(plan.delete);

          assert.equal(plan.dryRun, !enabled);
          assert.equal(plan.keep.length + plan.delete.length, inventory.length);
          assert.equal(new Set([...plan.keep, ...plan.delete]).size, inventory.length);
          assert.ok(plan.delete.length <= maxDeletions);
          for (const s of plan.delete) {
            assert.ok(retention.delete.includes(s), "only what retention drops");
            assert.ok(s.managed && s.status === "available" && !protectedIds.includes(s.id) && !(HOLD in s.tags));
          }
          // Whatever the tie-break among equally new snapshots, one of the newest must survive.
          const newestSurvives = (candidates: InventorySnapshot[]) => {
            if (candidates.length === 0) return;
            const newest = Math.max(...candidates.map((s) => s.createdAt.getTime()));
            assert.ok(candidates.some((s) => s.createdAt.getTime() === newest && !deleted.has(s)));
          };
          newestSurvives(inventory.filter((s) => s.managed));
          newestSurvives(inventory.filter((s) => s.managed && s.status === "available"));
          // Oldest first, and the cap spares only snapshots newer than every deleted one.
          for (let i = 1; i < plan.delete.length; i++) {
            assert.ok(plan.delete[i - 1].createdAt.getTime() <= plan.delete[i].createdAt.getTime());
          }
          const spared = retention.delete.filter((s) => !deleted.has(s));
          assert.deepEqual(plan.skipped.map((s) => s.id).sort(), ids(spared).sort());
          for (const { id, reason } of plan.skipped) {
            assert.ok(reason.length > 0, `no reason for ${id}`);
          }
          const capped = spared.filter((s) => plan.skipped.some((k) => k.id === s.id && k.reason.startsWith("cap")));
          if (capped.length > 0) assert.equal(plan.delete.length, maxDeletions);
          for (const s of capped) assert.ok(plan.delete.every((d) => d.createdAt.getTime() <= s.createdAt.getTime()));
          // Same decision whether or not deletions are enabled.
          const other = planSnapshotDeletions(
            inventory,
            policy,
            options({ maxDeletions, enabled: !enabled, protectedIds }),
          );
          assert.deepEqual(other.delete, plan.delete);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
