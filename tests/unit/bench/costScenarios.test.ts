import { strict as assert } from "node:assert";
import {
  DRACO_PUBLISHED,
  type Invocation,
  type MeasuredRun,
  pollingFor,
  registrarTurnsFor,
} from "../../../scripts/bench/cost";
import { costScenarios, waitsOf } from "../../../scripts/bench/costRun";
import { figure2 } from "../../../scripts/bench/figures";

const call = (service: string, operation: string) => ({ service, operation });
const inv = (side: Invocation["side"], step: string, calls: Invocation["calls"], ms = 10): Invocation => ({
  side,
  step,
  memoryMb: 128,
  ms,
  calls,
});

// A replication as the event design makes it on the emulator: the source snapshot polled once, each copy's
// registrar finding its copy available at once; the two copy-event handlers measured apart.
const run: MeasuredRun & { eventHandlerErrors: string[]; statesEntered: Record<string, string[]> } = {
  invocations: [
    inv("producer", "producer-plan", [call("RDS", "DescribeDBInstances")]),
    inv("producer", "producer-poll", [call("RDS", "DescribeDBSnapshots")]),
    inv("producer", "producer-transit", [call("RDS", "CopyDBSnapshot")]),
    inv("producer", "producer-await-copy", [call("DynamoDB", "PutItem"), call("RDS", "DescribeDBSnapshots")]),
    inv("producer", "producer-publish", [call("SNS", "Publish")]),
    inv("consumer", "consumer-copy", [call("RDS", "CopyDBSnapshot")]),
    inv("consumer", "consumer-await-copy", [call("DynamoDB", "PutItem"), call("RDS", "DescribeDBSnapshots")]),
    inv("consumer", "consumer-notify", [call("SNS", "Publish")]),
  ],
  transitions: { producer: 14, consumer: 8 },
  eventDeliveries: [
    inv("producer", "producer-copy-event", [call("RDS", "DescribeDBSnapshots"), call("SFN", "SendTaskSuccess")]),
    inv("consumer", "consumer-copy-event", [call("RDS", "DescribeDBSnapshots"), call("SFN", "SendTaskSuccess")]),
  ],
  eventHandlerErrors: [],
  statesEntered: {},
};
const AWAITS = { "producer-await-copy": 1, "consumer-await-copy": 1 };

const figureData = (r: typeof run, awaits: Record<string, number>) => ({
  measured: r,
  loopTransitions: 3,
  awaitLoops: awaits,
  ...costScenarios(r, 3, awaits),
  draco: DRACO_PUBLISHED,
});

describe("bench: figure 2's rows follow the definitions", () => {
  it("with both copies awaited by event: event rows, each beside the polling design priced from the same run", () => {
    const { scenarios, unmeasured } = costScenarios(run, 3, AWAITS);
    assert.deepEqual(unmeasured, []);
    assert.deepEqual(
      scenarios.map((s) => `${s.label} [${s.design}]`),
      [
        "emulator run (instant) [poll]",
        "10-minute copy [event]",
        "10-minute copy, previous design: polling [poll]",
        "2-hour copy [event]",
        "2-hour copy, previous design: polling [poll]",
      ],
    );
    const [, tenEvent, , twoEvent, twoPoll] = scenarios;
    // 10 minutes: no fallback turn, one handler call per copy.
    assert.equal(tenEvent!.totals.lambdaInvocations, 8 + 2);
    assert.equal(tenEvent!.totals.transitions, 22);
    const turns = registrarTurnsFor(waitsOf(7200)[1]!);
    assert.equal(turns, 4);
    assert.equal(twoEvent!.totals.lambdaInvocations, 8 + 2 * (turns - 1) + 2);
    assert.equal(twoEvent!.totals.transitions, 22 + 2 * (turns - 1));
    assert.equal(twoEvent!.totals.callsByOperation["DynamoDB:PutItem"], 2 * turns);
    // Polling: the registrar calls became poll checks (the producer's, one handler), polled as figure 1 polls.
    const polls = pollingFor(waitsOf(7200)[1]!).polls;
    assert.equal(twoPoll!.totals.callsByOperation["RDS:DescribeDBSnapshots"], 1 + 2 * polls);
    assert.equal(twoPoll!.totals.callsByOperation["DynamoDB:PutItem"], undefined);
    assert.ok(twoPoll!.totals.dollars.total > twoEvent!.totals.dollars.total);
    assert.deepEqual(twoEvent!.perWait["transit copy"], { design: "event", registrarTurns: turns });
  });

  it("figure 2 checks the deployed design's rows against issue 13's targets", () => {
    const result = figure2(figureData(run, AWAITS));
    assert.deepEqual(
      result.checks.map((c) => c.target),
      [
        "$ per replicated snapshot <= 1.2e-3 (10-minute copy)",
        "$ per replicated snapshot <= 2.0e-3 (2-hour copy)",
        "state transitions < 60 (2-hour copy, both accounts)",
        "AWS API calls < 100 (2-hour copy, both accounts)",
      ],
    );
    assert.ok(result.checks.every((c) => c.verdict === "PASS"));
    assert.match(result.tables[0]!.rows[3]![1] as string, /^1 \(1\) \+ 4 turns \+ event \+ 4 turns \+ event$/);
  });

  it("without a measured copy-event handler: no event rows, and a MISS that says why", () => {
    const unmeasuredRun = { ...run, eventDeliveries: [run.eventDeliveries![1]!] };
    const data = figureData(unmeasuredRun, AWAITS);
    assert.deepEqual(data.unmeasured, ["transit copy: no producer-copy-event handler in the world"]);
    assert.ok(data.scenarios.every((s) => s.design === "poll"));
    const miss = figure2(data).checks.at(-1)!;
    assert.equal(miss.verdict, "MISS");
    assert.match(miss.measured, /no producer-copy-event handler/);
  });
});
