import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  DEFAULT_POLL_BOUNDS,
  nextPoll,
  type PollDecision,
  type PollOperation,
  type PollState,
  recordCheck,
  turnBudget,
  watchInline,
} from "../../functions/pollSchedule";
import { steadyOperation } from "../../scripts/bench/cost";
import {
  completionSeconds,
  generateOperations,
  type SimulatedOperation,
  simulatePolling,
} from "../../scripts/bench/pollSimulation";

const OPERATIONS: PollOperation[] = [
  "snapshot-create",
  "snapshot-copy",
  "cluster-snapshot-copy",
  "restore-instance",
  "restore-cluster",
];
const B = DEFAULT_POLL_BOUNDS;
const waitOf = (decision: PollDecision) => {
  assert.equal(decision.action, "wait");
  return decision.action === "wait" ? decision.waitSeconds : Number.NaN;
};
const copy = (elapsedSeconds: number, percentProgress?: number, extra: Partial<PollState> = {}): PollState => ({
  operation: "snapshot-copy",
  elapsedSeconds,
  polls: 3,
  percentProgress,
  ...extra,
});

describe("nextPoll", () => {
  it("backs off while a copy is queued at 0 %, up to the queued cap", () => {
    const waits = [0, 30, 60, 120, 600, 3600].map((t) => waitOf(nextPoll(copy(t, 0))));
    assert.deepEqual(waits, [B.minWaitSeconds, 15, 30, 60, B.queuedMaxWaitSeconds, B.queuedMaxWaitSeconds]);
  });

  it("never waits more than the blind cap for operations without progress (restores)", () => {
    const restore = { operation: "restore-instance" as const, polls: 1 };
    assert.equal(waitOf(nextPoll({ ...restore, elapsedSeconds: 7200 })), B.blindMaxWaitSeconds);
    assert.ok(B.blindMaxWaitSeconds <= 60);
  });

  it("waits long far from the estimated end and briefly near it", () => {
    // 10 % after 20 minutes: about 3 hours left.
    assert.equal(waitOf(nextPoll(copy(1200, 10))), B.maxWaitSeconds);
    // 50 % after an hour: the end may come in 30 minutes at the earliest (twice the speed so far).
    const halfway = waitOf(nextPoll(copy(3600, 50)));
    assert.ok(halfway > 1200 && halfway < 1800, `half way waited ${halfway}`);
    const near = waitOf(nextPoll(copy(7000, 97)));
    assert.ok(near <= B.inlineWaitSeconds, `near the end waited ${near}`);
    assert.equal(waitOf(nextPoll(copy(7000, 100))), B.nearEndSeconds);
  });

  it("keeps waits short enough for the near-end watch once the end may come within one watch", () => {
    // 80 % after 40 minutes: 10 minutes left at this speed, under 450 s if the end speeds up 1.5x.
    assert.ok(waitOf(nextPoll(copy(2400, 80))) <= B.inlineWaitSeconds);
    // 50 % after 40 minutes: 40 minutes left, a state machine wait.
    assert.ok(waitOf(nextPoll(copy(2400, 50))) > B.inlineBudgetSeconds);
  });

  it("estimates from the time since the queue ended, not since the request", () => {
    // Queued for 50 minutes, then 50 % in 2 minutes: the end is about 2 minutes away, not 52.
    const withQueue = waitOf(nextPoll(copy(3120, 50, { queuedUntilSeconds: 3000 })));
    const withoutQueue = waitOf(nextPoll(copy(3120, 50)));
    assert.ok(withQueue <= 120, `waited ${withQueue}`);
    assert.ok(withoutQueue > withQueue);
  });

  it("looks again soon after the first progress reading that follows a queue: the start is not known", () => {
    // 1 % seen 100 s after the last 0 % check: hours to go by the estimate, but the copy may have started just now.
    const first = copy(1100, 1, { queuedUntilSeconds: 1000, previousCheckSeconds: 1000 });
    assert.equal(waitOf(nextPoll(first)), 200);
    // The next reading no longer depends on when in that interval the copy started.
    assert.ok(waitOf(nextPoll({ ...first, previousCheckSeconds: 1050 })) > 1000);
  });

  it("gives up at the poll or time bound, naming which", () => {
    const polls = nextPoll(copy(100, 50, { polls: B.maxPolls }));
    assert.equal(polls.action, "give-up");
    assert.match(polls.action === "give-up" ? polls.reason : "", /snapshot-copy: poll limit reached .*maxPolls/);
    const time = nextPoll({
      operation: "restore-cluster",
      elapsedSeconds: B.maxTotalSeconds["restore-cluster"],
      polls: 2,
    });
    assert.equal(time.action, "give-up");
    assert.match(time.action === "give-up" ? time.reason : "", /restore-cluster: time limit reached .*maxTotalSeconds/);
  });

  it("rejects impossible states", () => {
    assert.throws(() => nextPoll(copy(-1, 0)), /elapsedSeconds/);
    assert.throws(() => nextPoll(copy(10, 0, { polls: 1.5 })), /polls/);
    assert.throws(() => nextPoll(copy(10, Number.NaN)), /percentProgress/);
    assert.throws(
      () => nextPoll({ ...copy(10, 0), operation: "backup" as PollOperation }),
      /unknown operation "backup"/,
    );
  });

  it("recordCheck counts polls and remembers the last check that saw 0 %", () => {
    let state = recordCheck(undefined, { operation: "snapshot-copy", elapsedSeconds: 0, percentProgress: 0 });
    state = recordCheck(state, { operation: "snapshot-copy", elapsedSeconds: 60, percentProgress: 0 });
    state = recordCheck(state, { operation: "snapshot-copy", elapsedSeconds: 120, percentProgress: 40 });
    state = recordCheck(state, { operation: "snapshot-copy", elapsedSeconds: 150, percentProgress: 70 });
    assert.deepEqual(state, {
      operation: "snapshot-copy",
      elapsedSeconds: 150,
      percentProgress: 70,
      polls: 4,
      queuedUntilSeconds: 60,
      previousCheckSeconds: 120,
    });
  });

  it("stays within its bounds for any state", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPERATIONS),
        fc.double({ min: 0, max: 2 * 86_400, noNaN: true }),
        fc.nat(1200),
        fc.option(fc.double({ min: -5, max: 105, noNaN: true }), { nil: undefined }),
        fc.option(fc.double({ min: 0, max: 2 * 86_400, noNaN: true }), { nil: undefined }),
        (operation, elapsedSeconds, polls, percentProgress, queuedUntilSeconds) => {
          const state = { operation, elapsedSeconds, polls, percentProgress, queuedUntilSeconds };
          const decision = nextPoll(state);
          assert.deepEqual(nextPoll(state), decision, "deterministic");
          const overBound = polls >= B.maxPolls || elapsedSeconds >= B.maxTotalSeconds[operation];
          assert.equal(decision.action === "give-up", overBound);
          if (decision.action === "wait") {
            assert.ok(Number.isInteger(decision.waitSeconds));
            assert.ok(decision.waitSeconds >= B.minWaitSeconds && decision.waitSeconds <= B.maxWaitSeconds);
            if (percentProgress === undefined) assert.ok(decision.waitSeconds <= B.blindMaxWaitSeconds);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("watchInline (the near-end watch)", () => {
  const wait = (waitSeconds: number): PollDecision => ({ action: "wait", waitSeconds });

  it("sleeps a short wait inside the invocation while the budget lasts", () => {
    assert.equal(watchInline(wait(B.inlineWaitSeconds), 0), true);
    assert.equal(watchInline(wait(30), B.inlineBudgetSeconds - 30), true);
    assert.equal(watchInline(wait(30), B.inlineBudgetSeconds - 29), false, "over the budget");
  });

  it("hands long waits and give-ups back to the state machine", () => {
    assert.equal(watchInline(wait(B.inlineWaitSeconds + 1), 0), false);
    assert.equal(watchInline({ action: "give-up", reason: "x" }, 0), false);
    // Restores wait up to blindMaxWaitSeconds between checks: a state machine turn costs less than that sleep.
    assert.equal(watchInline(wait(B.blindMaxWaitSeconds), 0), false);
  });
});

describe("poll schedule against simulated RDS operations", () => {
  const operations = [1, 2, 3, 4, 5].flatMap((seed) => generateOperations(400, seed));
  const outcomes = operations.map((op) => ({ op, outcome: simulatePolling(op) }));
  const quantile = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))];

  it("generates the intended mix: 1 minute to 6 hours, queued copies, restores without progress", () => {
    const totals = operations.map(completionSeconds);
    const work = operations.map((op) => op.activeSeconds + op.tailSeconds);
    assert.ok(Math.min(...work) >= 60 && Math.max(...work) <= 6 * 3600);
    assert.ok(operations.every((op) => op.queuedSeconds <= 1800));
    assert.ok(operations.filter((op) => op.queuedSeconds > 600).length > 100);
    assert.ok(operations.filter((op) => !op.reportsProgress).length > 200);
    assert.ok(totals.filter((t) => t > 4 * 3600).length > 100);
  });

  it("detects completion within 30 s at the median and 60 s at the worst, never giving up", () => {
    const latencies = outcomes.map(({ outcome }) => {
      assert.equal(outcome.gaveUp, undefined);
      return outcome.detectionLatencySeconds as number;
    });
    assert.ok(latencies.every((l) => l >= 0));
    assert.ok(quantile(latencies, 0.5) <= 30, `median ${quantile(latencies, 0.5)}`);
    assert.ok(Math.max(...latencies) <= 60, `worst ${Math.max(...latencies)}`);
  });

  it("needs few state machine checks for copies of up to 2 hours, and under 70 checks in all", () => {
    const copies = outcomes.filter(({ op }) => op.reportsProgress && completionSeconds(op) <= 7200);
    assert.ok(copies.filter(({ op }) => completionSeconds(op) > 5400).length > 50);
    const worst = (of: typeof copies, key: "polls" | "stateMachineChecks") =>
      Math.max(...of.map(({ outcome }) => outcome[key]));
    assert.ok(worst(copies, "polls") <= 66, `worst ${worst(copies, "polls")} checks`);
    // Copies that start at once: at most 9 turns of the state machine's poll loop, whatever the progress curve.
    const started = copies.filter(({ op }) => op.queuedSeconds === 0);
    assert.ok(worst(started, "stateMachineChecks") <= 9, `worst ${worst(started, "stateMachineChecks")}`);
    // A queue of up to 30 minutes is checked every 90 s at most, each a turn: detection stays within target.
    assert.ok(worst(copies, "stateMachineChecks") <= 26, `worst ${worst(copies, "stateMachineChecks")}`);
  });

  it("a steady 2-hour copy takes 7 state machine checks, the rest watched inline near the end", () => {
    const outcome = simulatePolling(steadyOperation("snapshot-copy", 7200));
    assert.equal(outcome.stateMachineChecks, 7);
    assert.ok(outcome.polls > outcome.stateMachineChecks);
    assert.ok(outcome.inlineSeconds > 0 && outcome.inlineSeconds < 1200, `${outcome.inlineSeconds} s inline`);
    assert.ok((outcome.detectionLatencySeconds ?? Number.NaN) <= 30);
  });

  it("watches inline exactly what the schedule says, within the budget per invocation", () => {
    for (const op of operations.slice(0, 200)) {
      const outcome = simulatePolling(op);
      // Every inline wait is at most inlineWaitSeconds and each invocation sleeps at most the budget.
      assert.ok(outcome.inlineSeconds <= (outcome.polls - 1) * B.inlineWaitSeconds);
      assert.ok(outcome.inlineSeconds <= outcome.stateMachineChecks * B.inlineBudgetSeconds);
    }
  });

  it("relies on the caller carrying queuedUntilSeconds: without it, queued copies are detected late", () => {
    const untracked = operations.map((op) => simulatePolling(op, B, { trackQueue: false }));
    assert.ok(Math.max(...untracked.map((o) => o.detectionLatencySeconds as number)) > 60);
  });

  it("terminates within its bounds on an operation that never finishes", () => {
    const stuck: SimulatedOperation = {
      operation: "snapshot-copy",
      queuedSeconds: 1e9,
      activeSeconds: 60,
      tailSeconds: 0,
      curve: [0, 1],
      reportsProgress: true,
    };
    const outcome = simulatePolling(stuck);
    assert.match(outcome.gaveUp ?? "", /time limit reached/);
    assert.ok(outcome.polls <= B.maxPolls);
    const tight = { ...B, maxPolls: 10 };
    const capped = simulatePolling(stuck, tight);
    assert.match(capped.gaveUp ?? "", /poll limit reached/);
    assert.equal(capped.polls, 10);
  });
});

describe("poll turn budget (a per-database run's loops share its 25,000-event history)", () => {
  const HOUR = 3600;
  const copy = (operation: PollOperation, queuedSeconds: number, activeSeconds: number): SimulatedOperation => ({
    operation,
    queuedSeconds,
    activeSeconds,
    tailSeconds: 120,
    curve: [0, 1],
    reportsProgress: true,
  });
  // 4 loops (3 regions) and 47 loops (every region the config knows).
  const budgets = [turnBudget(4), turnBudget(47)];

  it("a copy that never ends gives up by its time limit, as without a budget, within the budget", () => {
    const stuck = copy("snapshot-copy", 48 * HOUR, HOUR);
    const unbudgeted = simulatePolling(stuck);
    assert.match(unbudgeted.gaveUp ?? "", /time limit/);
    for (const budget of budgets) {
      const outcome = simulatePolling(stuck, DEFAULT_POLL_BOUNDS, { trackQueue: true, turnBudget: budget });
      assert.match(
        outcome.gaveUp ?? "",
        /time limit reached \((86[4-9]\d\d|8[7-9]\d{3}) s/,
        `${budget}: ${outcome.gaveUp}`,
      );
      assert.ok(outcome.stateMachineChecks <= budget, `${outcome.stateMachineChecks} turns of ${budget}`);
    }
  });

  it("a 12 h instance copy and a 3 h cluster copy after 18 h in a backlog still complete", () => {
    for (const op of [copy("snapshot-copy", 0, 12 * HOUR), copy("cluster-snapshot-copy", 18 * HOUR, 3 * HOUR)])
      for (const budget of budgets) {
        const outcome = simulatePolling(op, DEFAULT_POLL_BOUNDS, { trackQueue: true, turnBudget: budget });
        assert.equal(outcome.gaveUp, undefined, `${op.operation} with ${budget} turns: ${outcome.gaveUp}`);
        assert.ok(outcome.stateMachineChecks <= budget);
      }
  });

  it("gives up no seeded operation that completes without a budget, and stays within the budget", () => {
    for (const op of generateOperations(500)) {
      if (simulatePolling(op).gaveUp) continue;
      const outcome = simulatePolling(op, DEFAULT_POLL_BOUNDS, { trackQueue: true, turnBudget: turnBudget(47) });
      assert.equal(outcome.gaveUp, undefined);
      assert.ok(outcome.stateMachineChecks <= turnBudget(47));
    }
  });

  it("refuses another turn once the budget is spent (a caller that did not pace)", () => {
    const state: PollState = { operation: "snapshot-copy", elapsedSeconds: 600, polls: 12, turns: 12, turnBudget: 12 };
    const decision = nextPoll(state);
    assert.equal(decision.action, "give-up");
    assert.match((decision as { reason: string }).reason, /turn budget/);
  });
});
