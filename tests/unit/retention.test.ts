import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  planRetention,
  RETENTION_PRESETS,
  type RetentionPolicy,
  type RetentionSnapshot,
} from "../../functions/decisions/retentionPolicy";

const at = (iso: string) => new Date(iso);
const snap = (id: string, iso: string, managed = true): RetentionSnapshot => ({ id, createdAt: at(iso), managed });
const ids = (list: RetentionSnapshot[]) => list.map((s) => s.id);
const keptIds = (snapshots: RetentionSnapshot[], policy: RetentionPolicy, now = at("2030-01-01T00:00:00Z")) =>
  ids(planRetention(snapshots, policy, now).keep).sort();

// Independent reference: O(n^2), ISO weeks labelled by (ISO year, week number) the textbook way (the week
// belongs to the year of its Thursday), unlike the module's Monday counting.
function isoWeekLabel(date: Date): string {
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day + 3));
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / 86_400_000 / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${week}`;
}
const LABELS: Record<"daily" | "weekly" | "monthly" | "yearly", (d: Date) => string> = {
  daily: (d) => d.toISOString().slice(0, 10),
  weekly: isoWeekLabel,
  monthly: (d) => d.toISOString().slice(0, 7),
  yearly: (d) => d.toISOString().slice(0, 4),
};
function newerThan(a: RetentionSnapshot, b: RetentionSnapshot, ia: number, ib: number): boolean {
  const ta = a.createdAt.getTime();
  const tb = b.createdAt.getTime();
  if (ta !== tb) return ta > tb;
  if (a.id !== b.id) return a.id > b.id;
  return ia < ib;
}
function referenceKeep(snapshots: RetentionSnapshot[], policy: RetentionPolicy, now: Date): Set<RetentionSnapshot> {
  const hasRule = Object.values(policy).some((v) => v !== undefined);
  const managed = snapshots.map((s, i) => ({ s, i })).filter(({ s }) => s.managed);
  const rank = (x: { s: RetentionSnapshot; i: number }) => managed.filter((y) => newerThan(y.s, x.s, y.i, x.i)).length;
  const kept = new Set(snapshots.filter((s) => !s.managed || !hasRule));
  for (const x of managed) {
    const r = rank(x);
    if (r === 0) kept.add(x.s);
    if (policy.keepLast !== undefined && r < policy.keepLast) kept.add(x.s);
    if (policy.maxAgeDays !== undefined && now.getTime() - x.s.createdAt.getTime() < policy.maxAgeDays * 86_400_000) {
      kept.add(x.s);
    }
    for (const rule of ["daily", "weekly", "monthly", "yearly"] as const) {
      const n = policy[rule];
      if (n === undefined) continue;
      const label = LABELS[rule](x.s.createdAt);
      const newestOfBucket = !managed.some(
        (y) => LABELS[rule](y.s.createdAt) === label && newerThan(y.s, x.s, y.i, x.i),
      );
      const newerBuckets = new Set(
        managed.filter((y) => newerThan(y.s, x.s, y.i, x.i)).map((y) => LABELS[rule](y.s.createdAt)),
      );
      newerBuckets.delete(label);
      if (newestOfBucket && newerBuckets.size < n) kept.add(x.s);
    }
  }
  return kept;
}

const START = Date.UTC(2019, 11, 20);
const snapshotArb = fc.record({
  id: fc.constantFrom("a", "b", "c", "d", "e", "f"),
  // Hours over ~3 years, so same-day, same-week and year-boundary cases all occur; ties too.
  createdAt: fc.integer({ min: 0, max: 3 * 366 * 24 }).map((h) => new Date(START + h * 3_600_000)),
  managed: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
});
const snapshotsArb = fc.array(snapshotArb, { maxLength: 60 });
const count = (max: number) => fc.integer({ min: 0, max });
const policyArb: fc.Arbitrary<RetentionPolicy> = fc.record(
  {
    keepLast: count(8),
    maxAgeDays: fc.oneof(count(400), fc.double({ min: 0, max: 60, noNaN: true })),
    daily: count(10),
    weekly: count(8),
    monthly: count(14),
    yearly: count(4),
  },
  { requiredKeys: [] },
);
const NOW = at("2023-01-15T12:00:00Z");

describe("planRetention", () => {
  it("exports the DRACO lifecycles as presets", () => {
    assert.deepEqual(RETENTION_PRESETS, {
      Test: { maxAgeDays: 5 },
      Standard: { daily: 7, weekly: 5, monthly: 12, yearly: 7 },
    });
  });

  it("keeps everything under a policy with no rule", () => {
    const snapshots = [snap("a", "2020-01-01T00:00:00Z"), snap("b", "2021-01-01T00:00:00Z")];
    assert.deepEqual(keptIds(snapshots, {}), ["a", "b"]);
    assert.deepEqual(keptIds(snapshots, { daily: undefined }), ["a", "b"]);
  });

  it("keeps only the newest managed snapshot when every rule is zero", () => {
    const snapshots = [snap("old", "2020-01-01T00:00:00Z"), snap("new", "2020-01-02T00:00:00Z")];
    assert.deepEqual(keptIds(snapshots, { keepLast: 0 }), ["new"]);
    assert.deepEqual(keptIds(snapshots, { maxAgeDays: 0 }), ["new"]);
  });

  it("keepLast counts managed snapshots only and keeps every unmanaged one", () => {
    const snapshots = [
      snap("m1", "2020-01-01T00:00:00Z"),
      snap("u1", "2020-01-02T00:00:00Z", false),
      snap("m2", "2020-01-03T00:00:00Z"),
      snap("m3", "2020-01-04T00:00:00Z"),
      snap("u2", "2020-01-05T00:00:00Z", false),
    ];
    assert.deepEqual(keptIds(snapshots, { keepLast: 2 }), ["m2", "m3", "u1", "u2"]);
  });

  it("daily keeps the newest of each of the N most recent days that have a snapshot, skipping empty days", () => {
    const snapshots = [
      snap("d1-early", "2024-03-01T01:00:00Z"),
      snap("d1-late", "2024-03-01T23:59:59Z"),
      snap("d3", "2024-03-03T12:00:00Z"),
      snap("d6-a", "2024-03-06T00:00:00Z"),
      snap("d6-b", "2024-03-06T08:00:00Z"),
    ];
    assert.deepEqual(keptIds(snapshots, { daily: 3 }), ["d1-late", "d3", "d6-b"]);
    assert.deepEqual(keptIds(snapshots, { daily: 2 }), ["d3", "d6-b"]);
  });

  it("uses UTC days, whatever the offset the date was written with", () => {
    const snapshots = [snap("late-utc", "2024-03-01T23:30:00Z"), snap("next-utc", "2024-03-01T20:30:00-04:00")];
    assert.deepEqual(keptIds(snapshots, { daily: 2 }), ["late-utc", "next-utc"]);
  });

  it("weekly treats an ISO week spanning New Year as one week", () => {
    // 2024-12-30 (Monday) to 2025-01-05 is ISO week 2025-W01; 2024-12-29 is a Sunday of 2024-W52.
    const snapshots = [
      snap("w52-sun", "2024-12-29T10:00:00Z"),
      snap("w01-mon", "2024-12-30T10:00:00Z"),
      snap("w01-thu", "2025-01-02T10:00:00Z"),
      snap("w51", "2024-12-18T10:00:00Z"),
    ];
    assert.deepEqual(keptIds(snapshots, { weekly: 2 }), ["w01-thu", "w52-sun"]);
    // 2020 has 53 ISO weeks: Sunday 2021-01-03 still belongs to 2020-W53, with Monday 2020-12-28.
    const week53 = [snap("mon", "2020-12-28T00:00:00Z"), snap("sun", "2021-01-03T23:59:59Z")];
    assert.deepEqual(keptIds(week53, { weekly: 5 }), ["sun"]);
  });

  it("monthly and yearly cut at UTC month and year ends, leap day included", () => {
    const snapshots = [
      snap("jan-end", "2024-01-31T23:59:59.999Z"),
      snap("feb-start", "2024-02-01T00:00:00Z"),
      snap("leap", "2024-02-29T12:00:00Z"),
      snap("dec-2023", "2023-12-31T23:59:59Z"),
      snap("jan-2023", "2023-01-01T00:00:00Z"),
    ];
    assert.deepEqual(keptIds(snapshots, { monthly: 3 }), ["dec-2023", "jan-end", "leap"]);
    assert.deepEqual(keptIds(snapshots, { yearly: 2 }), ["dec-2023", "leap"]);
    assert.deepEqual(keptIds(snapshots, { yearly: 1 }), ["leap"]);
  });

  it("maxAgeDays keeps snapshots strictly younger than N days before now", () => {
    const now = at("2024-06-10T00:00:00Z");
    const snapshots = [
      snap("exactly-5-days", "2024-06-05T00:00:00Z"),
      snap("just-younger", "2024-06-05T00:00:00.001Z"),
      snap("from-the-future", "2024-06-11T00:00:00Z"),
    ];
    assert.deepEqual(keptIds(snapshots, RETENTION_PRESETS.Test, now), ["from-the-future", "just-younger"]);
    assert.deepEqual(keptIds(snapshots, { maxAgeDays: 4.5 }, now), ["from-the-future"]);
  });

  it("combines rules as a union (Standard over two years of nightly snapshots)", () => {
    const nightly = Array.from({ length: 730 }, (_, day) => {
      const createdAt = new Date(Date.UTC(2022, 0, 1, 3) + day * 86_400_000);
      return { id: createdAt.toISOString(), createdAt, managed: true };
    });
    const now = at("2024-01-01T00:00:00Z");
    const kept = new Set(ids(planRetention(nightly, RETENTION_PRESETS.Standard, now).keep));
    // 7 daily (Dec 25-31 2023), weekly: Sundays Dec 31 (already daily), Dec 24, 17, 10, 3; monthly: the last
    // night of each month of 2023 (Dec 31 already kept); yearly: Dec 31 2023 and Dec 31 2022.
    const expected = new Set([
      ...["25", "26", "27", "28", "29", "30", "31"].map((d) => `2023-12-${d}T03:00:00.000Z`),
      ...["03", "10", "17", "24"].map((d) => `2023-12-${d}T03:00:00.000Z`),
      ...["01-31", "02-28", "03-31", "04-30", "05-31", "06-30", "07-31", "08-31", "09-30", "10-31", "11-30"].map(
        (md) => `2023-${md}T03:00:00.000Z`,
      ),
      "2022-12-31T03:00:00.000Z",
    ]);
    assert.deepEqual([...kept].sort(), [...expected].sort());
  });

  it("breaks createdAt ties by id, not by input order, and returns both lists newest first", () => {
    const a = snap("a", "2024-01-01T00:00:00Z");
    const b = snap("b", "2024-01-01T00:00:00Z");
    const old = snap("old", "2023-01-01T00:00:00Z");
    for (const input of [
      [a, b, old],
      [old, b, a],
    ]) {
      const plan = planRetention(input, { keepLast: 1 }, NOW);
      assert.deepEqual(ids(plan.keep), ["b"]);
      assert.deepEqual(ids(plan.delete), ["a", "old"]);
    }
  });

  it("rejects invalid policies and inputs with errors naming the problem", () => {
    const snapshots = [snap("a", "2024-01-01T00:00:00Z")];
    assert.throws(() => planRetention(snapshots, { daily: -1 }, NOW), /daily must be a non-negative integer/);
    assert.throws(() => planRetention(snapshots, { weekly: 1.5 }, NOW), /weekly must be a non-negative integer/);
    assert.throws(() => planRetention(snapshots, { keepLast: Number.NaN }, NOW), /keepLast/);
    assert.throws(() => planRetention(snapshots, { maxAgeDays: Infinity }, NOW), /maxAgeDays must be a non-negative/);
    assert.throws(
      () => planRetention(snapshots, { keepDaily: 3 } as RetentionPolicy, NOW),
      /unknown field "keepDaily"/,
    );
    assert.throws(() => planRetention(snapshots, null as unknown as RetentionPolicy, NOW), /must be an object/);
    assert.throws(() => planRetention(snapshots, {}, new Date("nope")), /now must be a valid Date/);
    const badDate = [{ id: "x", createdAt: new Date(Number.NaN), managed: true }];
    assert.throws(() => planRetention(badDate, {}, NOW), /snapshot x: createdAt must be a valid Date/);
    const stringDate = [{ id: "y", createdAt: "2024-01-01" as unknown as Date, managed: true }];
    assert.throws(() => planRetention(stringDate, {}, NOW), /snapshot y: createdAt must be a valid Date/);
    const noFlag = [{ id: "z", createdAt: NOW } as RetentionSnapshot];
    assert.throws(() => planRetention(noFlag, {}, NOW), /snapshot z: managed must be a boolean/);
  });

  // Its speed is figure 5 of `npm run bench` (a wall-clock limit here failed under a loaded machine).
  it("plans 100k snapshots: every one kept or deleted, unmanaged ones kept", () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({
      id: `s${i}`,
      createdAt: new Date(START + ((i * 7919) % 100_000) * 3_600_000),
      managed: i % 10 !== 0,
    }));
    const plan = planRetention(many, RETENTION_PRESETS.Standard, NOW);
    assert.equal(plan.keep.length + plan.delete.length, many.length);
    assert.ok(plan.delete.every((s) => s.managed));
    assert.ok(plan.delete.length > 0, "the Standard preset expires some of 100k hourly snapshots");
  });

  describe("properties", () => {
    it("partitions the input: every snapshot object in exactly one list", () => {
      fc.assert(
        fc.property(snapshotsArb, policyArb, (snapshots, policy) => {
          const plan = planRetention(snapshots, policy, NOW);
          assert.equal(plan.keep.length + plan.delete.length, snapshots.length);
          const seen = new Set([...plan.keep, ...plan.delete]);
          assert.equal(seen.size, snapshots.length);
          for (const s of snapshots) assert.ok(seen.has(s));
        }),
      );
    });

    it("never deletes an unmanaged snapshot nor the newest managed one", () => {
      fc.assert(
        fc.property(snapshotsArb, policyArb, (snapshots, policy) => {
          const plan = planRetention(snapshots, policy, NOW);
          assert.ok(plan.delete.every((s) => s.managed));
          const managed = snapshots.filter((s) => s.managed);
          if (managed.length > 0) {
            const newest = Math.max(...managed.map((s) => s.createdAt.getTime()));
            assert.ok(plan.keep.some((s) => s.managed && s.createdAt.getTime() === newest));
          }
        }),
      );
    });

    it("agrees with a naive reference implementation of restic's rules", () => {
      fc.assert(
        fc.property(snapshotsArb, policyArb, (snapshots, policy) => {
          const expected = referenceKeep(snapshots, policy, NOW);
          const plan = planRetention(snapshots, policy, NOW);
          assert.deepEqual(new Set(plan.keep), expected);
        }),
        { numRuns: 300 },
      );
    });

    it("is monotone: raising or adding a rule to a non-empty policy never deletes more", () => {
      const fields = ["keepLast", "maxAgeDays", "daily", "weekly", "monthly", "yearly"] as const;
      fc.assert(
        fc.property(
          snapshotsArb,
          policyArb.filter((p) => Object.keys(p).length > 0),
          fc.constantFrom(...fields),
          fc.integer({ min: 1, max: 5 }),
          (snapshots, policy, field, extra) => {
            const larger = { ...policy, [field]: (policy[field] ?? 0) + extra };
            const before = new Set(planRetention(snapshots, policy, NOW).delete);
            for (const s of planRetention(snapshots, larger, NOW).delete) assert.ok(before.has(s));
          },
        ),
      );
    });

    it("is idempotent: planning again over what was kept deletes nothing", () => {
      fc.assert(
        fc.property(snapshotsArb, policyArb, (snapshots, policy) => {
          const { keep } = planRetention(snapshots, policy, NOW);
          assert.deepEqual(planRetention(keep, policy, NOW).delete, []);
        }),
      );
    });

    it("does not depend on input order, and lists newest first", () => {
      fc.assert(
        fc.property(snapshotsArb, policyArb, fc.integer(), (snapshots, policy, seed) => {
          const shuffled = snapshots
            .map((s, i) => ({ s, k: Math.imul(i + 1, seed | 1) >>> 0 }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.s);
          const key = (s: RetentionSnapshot) => `${s.createdAt.toISOString()}/${s.id}/${s.managed}`;
          const a = planRetention(snapshots, policy, NOW);
          const b = planRetention(shuffled, policy, NOW);
          assert.deepEqual(a.keep.map(key).sort(), b.keep.map(key).sort());
          for (const list of [a.keep, a.delete]) {
            for (let i = 1; i < list.length; i++) {
              assert.ok(list[i - 1].createdAt.getTime() >= list[i].createdAt.getTime());
            }
          }
        }),
      );
    });
  });
});
