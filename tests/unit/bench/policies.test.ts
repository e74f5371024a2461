import { strict as assert } from "node:assert";
import { admissionBacklog, backlogCopies, previousRetryBacklog } from "../../../scripts/bench/backlog";
import { steadyOperation } from "../../../scripts/bench/cost";
import { bandOf, cron, ENGINE, evaluatePolicies, fixedInterval } from "../../../scripts/bench/latency";
import { type SimulatedOperation, seededRandom } from "../../../scripts/bench/pollSimulation";
import { independentOfDatabases } from "../../../scripts/bench/program";
import { snapshots } from "../../../scripts/bench/retention";
import { lowerBound } from "../../../scripts/bench/scale";

const op = (seconds: number): SimulatedOperation => steadyOperation("snapshot-copy", seconds);

describe("bench: anchor polling policies", () => {
  it("fixed interval: checks at 0, N, 2N ... and sees the end at the next multiple", () => {
    const outcome = fixedInterval("every 300 s", 300).run(op(1000), 0);
    assert.deepEqual(outcome, {
      polls: 5,
      stateMachineChecks: 5,
      inlineSeconds: 0,
      completedAtSeconds: 1000,
      detectionLatencySeconds: 200,
    });
  });

  it("cron: latency within one period whatever the phase", () => {
    const policy = cron("hourly", 3600);
    for (let i = 0; i < 50; i++) {
      const outcome = policy.run(op(5000), i);
      assert.ok(outcome.detectionLatencySeconds! >= 0 && outcome.detectionLatencySeconds! < 3600);
    }
  });

  it("groups by kind and band, and the engine beats 5-minute polling on latency", () => {
    const ops = [
      op(130),
      op(1210),
      op(7210),
      { ...op(610), operation: "restore-instance" as const, reportsProgress: false },
    ];
    const result = evaluatePolicies(ops, [ENGINE, fixedInterval("draco", 300)]);
    assert.deepEqual(
      result.byBand.filter((g) => g.policy === ENGINE.name).map((g) => [g.group, g.latency.count]),
      [
        ["1-10 min", 1],
        ["10-60 min", 2],
        ["1-3 h", 1],
      ],
    );
    assert.deepEqual(
      result.byKind.filter((g) => g.policy === "draco").map((g) => g.group),
      ["restore-instance", "snapshot-copy"],
    );
    const [engine, draco] = result.overall;
    assert.ok(engine!.latency.median < draco!.latency.median);
    assert.equal(bandOf(600), "1-10 min");
    assert.equal(bandOf(30_000), "3-6 h+");
  });
});

describe("bench: scale model", () => {
  it("the previous retry budget abandons a backlog of 2 h copies; admission loses none, within the limits", () => {
    const copies = backlogCopies({ instances: 100, clusters: 40, seed: 3, instanceHours: [2, 2], clusterHours: 3 });
    const previous = previousRetryBacklog(copies);
    assert.ok(previous.lost >= 5, `${previous.lost} of 140 lost by the previous design`);
    const admitted = admissionBacklog(copies);
    assert.equal(admitted.lost, 0);
    assert.equal(admitted.finished, 140);
    assert.deepEqual(admitted.peak, { instance: 20, cluster: 5 });
  });

  it("the lower bound is the busiest kind's work over its slots, or the longest copy", () => {
    const items = [
      ...Array.from({ length: 40 }, () => ({ kind: "instance" as const, durationRounds: 5 })),
      ...Array.from({ length: 6 }, () => ({ kind: "cluster" as const, durationRounds: 4 })),
    ];
    assert.equal(lowerBound(items), 10); // 200 / 20 instance slots vs ceil(24 / 5) = 5
    assert.equal(lowerBound([{ kind: "cluster", durationRounds: 9 }]), 9);
  });

  it("the seeded generator repeats itself", () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
  });
});

describe("bench: retention input", () => {
  it("spreads N distinct snapshots two hours apart, shuffled", () => {
    const list = snapshots(1000);
    const times = new Set(list.map((s) => s.createdAt.getTime()));
    assert.equal(times.size, 1000);
    assert.equal(Math.max(...times) - Math.min(...times), 999 * 2 * 3600 * 1000);
    assert.notEqual(list[1]!.createdAt.getTime() - list[0]!.createdAt.getTime(), -2 * 3600 * 1000);
  });
});

describe("bench: program growth check", () => {
  const row = (databases: number, destinations: number, resources: number) => ({
    databases,
    destinations,
    regions: 1,
    perDestinationLists: false,
    resources,
    ms: 1,
  });
  it("ignores the one-database row (instance only) and catches growth with databases", () => {
    const flat = [1, 5, 10].flatMap((d) => [row(1, d, 70 + d), row(10, d, 72 + d), row(50, d, 72 + d)]);
    assert.equal(independentOfDatabases(flat), true);
    const growing = flat.map((e) => (e.databases === 50 ? { ...e, resources: e.resources + 50 } : e));
    assert.equal(independentOfDatabases(growing), false);
  });
});
