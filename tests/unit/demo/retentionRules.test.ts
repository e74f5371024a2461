// explainRetention: the rule behind each retention decision, as the demo's report shows it.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  explainRetention,
  planRetention,
  RETENTION_PRESETS,
  type RetentionPolicy,
  type RetentionSnapshot,
} from "../../../functions/decisions/retentionPolicy";

const snap = (id: string, iso: string, managed = true): RetentionSnapshot => ({
  id,
  createdAt: new Date(iso),
  managed,
});
const NOW = new Date("2026-11-30T12:00:00Z");
const byId = (list: ReturnType<typeof explainRetention>) => new Map(list.map((e) => [e.snapshot.id, e]));

describe("explainRetention (the rule that kept or dropped each copy)", () => {
  it("names every rule that keeps a copy and why the others pass it over", () => {
    const snapshots = [
      snap("sun-late", "2026-11-29T23:00:00Z"), // Sunday
      snap("sun-early", "2026-11-29T01:00:00Z"),
      snap("sat", "2026-11-28T01:00:00Z"),
      snap("prev-week", "2026-11-20T01:00:00Z"), // Friday of the week before
      snap("october", "2026-10-15T01:00:00Z"),
      snap("foreign", "2026-11-01T01:00:00Z", false),
    ];
    const policy: RetentionPolicy = { keepLast: 2, maxAgeDays: 1, daily: 2, weekly: 2, monthly: 1 };
    const e = byId(explainRetention(snapshots, policy, NOW));
    assert.deepEqual(e.get("sun-late")?.keptBy, ["newest", "keepLast", "maxAgeDays", "daily", "weekly", "monthly"]);
    assert.deepEqual(e.get("sun-early")?.keptBy, ["keepLast"]);
    assert.deepEqual(e.get("sun-early")?.passedOverBy, [
      { rule: "maxAgeDays", why: "1 days old or older" },
      { rule: "daily", why: "a newer one is kept for day 2026-11-29" },
      { rule: "weekly", why: "a newer one is kept for week of Monday 2026-11-23" },
      { rule: "monthly", why: "a newer one is kept for month 2026-11" },
    ]);
    assert.deepEqual(e.get("sat")?.keptBy, ["daily"]);
    assert.deepEqual(e.get("prev-week")?.keptBy, ["weekly"]);
    assert.deepEqual(
      e.get("prev-week")?.passedOverBy.find((p) => p.rule === "daily"),
      { rule: "daily", why: "day 2026-11-20 is beyond the 2 most recent days" },
    );
    assert.deepEqual(e.get("october")?.keptBy, []);
    assert.deepEqual(
      e.get("october")?.passedOverBy.map((p) => p.why),
      [
        "not among the 2 newest",
        "1 days old or older",
        "day 2026-10-15 is beyond the 2 most recent days",
        "week of Monday 2026-10-12 is beyond the 2 most recent weeks",
        "month 2026-10 is beyond the 1 most recent months",
      ],
    );
    assert.deepEqual(e.get("foreign")?.keptBy, ["unmanaged"]);
  });

  it("says 'no rule set' when the policy is empty, and keeps the newest even when every rule is 0", () => {
    const snapshots = [snap("a", "2026-11-29T00:00:00Z"), snap("b", "2026-11-28T00:00:00Z")];
    assert.deepEqual(
      explainRetention(snapshots, {}, NOW).map((e) => e.keptBy),
      [["no rule set"], ["no rule set"]],
    );
    const zero = explainRetention(snapshots, { daily: 0 }, NOW);
    assert.deepEqual(zero[0]?.keptBy, ["newest"]);
    assert.deepEqual(zero[1]?.keptBy, []);
    assert.deepEqual(zero[1]?.passedOverBy, [
      { rule: "daily", why: "day 2026-11-28 is beyond the 0 most recent days" },
    ]);
  });

  it("labels ISO weeks that straddle a new year by their Monday, and years by number (Standard preset)", () => {
    // 2026-12-28 is a Monday; 2027-01-02 a Saturday of the same ISO week.
    const e = explainRetention(
      [snap("jan", "2027-01-02T10:00:00Z"), snap("dec", "2026-12-30T10:00:00Z")],
      RETENTION_PRESETS.Standard,
      new Date("2027-01-03T00:00:00Z"),
    );
    assert.deepEqual(e[1]?.keptBy, ["daily", "monthly", "yearly"]);
    assert.deepEqual(e[1]?.passedOverBy, [
      { rule: "weekly", why: "a newer one is kept for week of Monday 2026-12-28" },
    ]);
  });

  const arbitrarySnapshots = fc.array(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      createdAt: fc.date({
        min: new Date("2024-01-01T00:00:00Z"),
        max: new Date("2026-11-30T00:00:00Z"),
        noInvalidDate: true,
      }),
      managed: fc.boolean(),
    }),
    { maxLength: 40 },
  );
  const arbitraryPolicy = fc.record(
    {
      keepLast: fc.nat(5),
      maxAgeDays: fc.double({ min: 0, max: 60, noNaN: true }),
      daily: fc.nat(10),
      weekly: fc.nat(6),
      monthly: fc.nat(13),
      yearly: fc.nat(3),
    },
    { requiredKeys: [] },
  );

  it("accounts for every rule of the policy on every managed copy: it keeps it or says why not", () => {
    fc.assert(
      fc.property(arbitrarySnapshots, arbitraryPolicy, (snapshots, policy) => {
        const set = Object.keys(policy).sort();
        for (const e of explainRetention(snapshots, policy, NOW)) {
          if (!e.snapshot.managed || set.length === 0) {
            assert.equal(e.keptBy.length, 1);
            assert.equal(e.passedOverBy.length, 0);
            continue;
          }
          const named = [...e.keptBy.filter((r) => r !== "newest"), ...e.passedOverBy.map((p) => p.rule)].sort();
          assert.deepEqual(named, set);
        }
      }),
    );
  });

  it("keeps by 'daily' exactly the newest managed copy of each of the N most recent days (independent count)", () => {
    fc.assert(
      fc.property(arbitrarySnapshots, fc.nat(10), (snapshots, daily) => {
        const managed = snapshots.filter((s) => s.managed);
        const day = (s: RetentionSnapshot) => s.createdAt.toISOString().slice(0, 10);
        const days = [...new Set(managed.map(day))].sort().reverse().slice(0, daily);
        const newestOf = (d: string) =>
          managed
            .filter((s) => day(s) === d)
            .reduce((a, b) => (b.createdAt > a.createdAt || (+b.createdAt === +a.createdAt && b.id > a.id) ? b : a));
        const expected = new Set(days.map(newestOf).map((s) => s.id));
        const got = explainRetention(snapshots, { daily }, NOW)
          .filter((e) => e.keptBy.includes("daily"))
          .map((e) => e.snapshot.id);
        assert.deepEqual(new Set(got), expected);
        assert.equal(got.length, days.length, "one copy per kept day");
      }),
    );
  });

  it("agrees with planRetention: kept by some rule exactly when planRetention keeps it, in the same order", () => {
    fc.assert(
      fc.property(arbitrarySnapshots, arbitraryPolicy, (snapshots, policy) => {
        const explained = explainRetention(snapshots, policy, NOW);
        const plan = planRetention(snapshots, policy, NOW);
        assert.deepEqual(
          explained.filter((e) => e.keptBy.length > 0).map((e) => e.snapshot),
          plan.keep,
        );
        assert.deepEqual(
          explained.filter((e) => e.keptBy.length === 0).map((e) => e.snapshot),
          plan.delete,
        );
      }),
    );
  });
});
