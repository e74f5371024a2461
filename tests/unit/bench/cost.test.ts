import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { consumerDefinition, producerDatabaseDefinition } from "../../../components/stateMachines";
import { stepsOf } from "../../../functions/catalog";
import { bundledSdkMentions, zipSize } from "../../../scripts/bench/archives";
import { copyFinishedEvent } from "../../../scripts/bench/copyEvent";
import {
  asPolling,
  awaitLoops,
  extrapolate,
  type Invocation,
  type MeasuredRun,
  PRICES,
  pollingFor,
  pollLoopTransitions,
  registrarTurnsFor,
  WAIT_FOR_TASK_TOKEN,
  type Wait,
} from "../../../scripts/bench/cost";
import { waitsOf } from "../../../scripts/bench/costRun";
import { fakeLambdaArns } from "../../../testkit";

const run: MeasuredRun = {
  invocations: [
    {
      side: "producer",
      step: "producer-plan",
      memoryMb: 1024,
      ms: 999.2,
      calls: [{ service: "RDS", operation: "DescribeDBInstances" }],
    },
    {
      side: "consumer",
      step: "consumer-poll",
      memoryMb: 512,
      ms: 100,
      calls: [{ service: "RDS", operation: "DescribeDBSnapshots" }],
    },
    {
      side: "consumer",
      step: "consumer-notify",
      memoryMb: 256,
      ms: 10,
      calls: [{ service: "SNS", operation: "Publish" }],
    },
  ],
  transitions: { producer: 10, consumer: 8 },
};

describe("bench: cost arithmetic", () => {
  it("prices what was measured: transitions, requests, GB-seconds (1 ms granularity), SNS publishes", () => {
    const totals = extrapolate(run, [], 3);
    assert.equal(totals.transitions, 18);
    assert.equal(totals.lambdaInvocations, 3);
    assert.equal(totals.apiCalls, 3);
    assert.deepEqual(totals.callsByService, { RDS: 2, SNS: 1 });
    // 1 GB x 1.000 s + 0.5 GB x 0.1 s + 0.25 GB x 0.01 s
    assert.ok(Math.abs(totals.gbSeconds - (1 + 0.05 + 0.0025)) < 1e-9);
    const expected =
      18 * PRICES.stateTransition +
      3 * PRICES.lambdaRequest +
      totals.gbSeconds * PRICES.lambdaGbSecond +
      PRICES.snsPublish;
    assert.ok(Math.abs(totals.dollars.total - expected) < 1e-15);
    assert.equal(PRICES.stateTransition, 0.000025);
  });

  it("adds per extra check its calls and time; per extra state machine check an invocation and a loop", () => {
    const wait: Wait = {
      name: "copy",
      side: "consumer",
      pollStep: "consumer-poll",
      operation: "snapshot-copy",
      seconds: 7200,
    };
    const { polls, stateMachineChecks, inlineSeconds } = pollingFor(wait);
    assert.ok(polls > stateMachineChecks && stateMachineChecks > 1 && inlineSeconds > 0);
    const totals = extrapolate(run, [wait], 3);
    assert.equal(totals.lambdaInvocations, 3 + stateMachineChecks - 1);
    assert.equal(totals.callsByOperation["RDS:DescribeDBSnapshots"], polls);
    assert.equal(totals.transitions, 18 + 3 * (stateMachineChecks - 1));
    // 1 + 0.05 + 0.0025 measured, each extra check 0.5 GB x 0.1 s, the watch's sleep at 0.5 GB.
    const gbSeconds = 1.0525 + (polls - 1) * 0.05 + 0.5 * inlineSeconds;
    assert.ok(Math.abs(totals.gbSeconds - gbSeconds) < 1e-9, `${totals.gbSeconds} vs ${gbSeconds}`);
  });

  it("refuses a run that did not check each wait exactly once", () => {
    const wait: Wait = {
      name: "x",
      side: "producer",
      pollStep: "producer-poll",
      operation: "snapshot-copy",
      seconds: 60,
    };
    assert.throws(() => extrapolate(run, [wait], 3), /0 checks on the emulator for 1 waits/);
  });

  it("longer copies need more checks", () => {
    const at = (seconds: number) =>
      pollingFor({ name: "c", side: "consumer", pollStep: "consumer-poll", operation: "snapshot-copy", seconds }).polls;
    assert.equal(at(0), 1);
    assert.ok(at(600) < at(7200));
  });

  it("reads the poll loop length from the real definitions: Wait -> check -> choice", () => {
    const arns = (side: "producer" | "consumer") =>
      fakeLambdaArns(
        stepsOf(side).map((s) => s.key),
        "1",
        "r",
      );
    assert.equal(pollLoopTransitions(consumerDefinition(arns("consumer")) as never), 3);
    assert.equal(pollLoopTransitions(producerDatabaseDefinition(arns("producer")) as never), 3);
    assert.throws(() => pollLoopTransitions({ States: { A: { Type: "Pass" } } }), /none/);
  });
});

const registrar: Invocation = {
  side: "consumer",
  step: "consumer-await-copy",
  memoryMb: 256,
  ms: 40,
  calls: [
    { service: "DynamoDB", operation: "PutItem" },
    { service: "RDS", operation: "DescribeDBSnapshots" },
  ],
};
const handler: Invocation = {
  side: "consumer",
  step: "consumer-copy-event",
  memoryMb: 128,
  ms: 20,
  calls: [
    { service: "RDS", operation: "DescribeDBSnapshots" },
    { service: "DynamoDB", operation: "DeleteItem" },
    { service: "SFN", operation: "SendTaskSuccess" },
  ],
};
const eventRun: MeasuredRun = {
  invocations: [run.invocations[0]!, registrar, run.invocations[2]!],
  transitions: { producer: 10, consumer: 7 },
  eventDeliveries: [handler],
};
// The destination copy of figure 2's flow.
const awaitedCopy = (seconds: number): Wait => waitsOf(seconds)[2]!;

/** A consumer whose copy is awaited by a waitForTaskToken Task; `via` puts states between the timeout and the Task. */
function awaitDefinition(via: string[] = [], extra: Record<string, unknown> = {}) {
  const states: Record<string, Record<string, unknown>> = {
    "Await copy": {
      Type: "Task",
      Resource: WAIT_FOR_TASK_TOKEN,
      Parameters: {
        FunctionName: "arn:aws:lambda:r:1:function:consumer-await-copy",
        Payload: { "token.$": "$$.Task.Token", "copy.$": "$.copy" },
      },
      TimeoutSecondsPath: "$.copy.awaitSeconds",
      Catch: [
        { ErrorEquals: ["States.Timeout"], ResultPath: "$.timedOut", Next: via[0] ?? "Await copy" },
        { ErrorEquals: ["States.ALL"], Next: "Failed" },
      ],
      Next: "Done",
      ...extra,
    },
    Done: { Type: "Succeed" },
    Failed: { Type: "Fail" },
  };
  via.forEach((name, i) => {
    states[name] = { Type: "Pass", Next: via[i + 1] ?? "Await copy" };
  });
  return { StartAt: "Await copy", States: states } as never;
}

describe("bench: cost of a copy awaited by its event", () => {
  it("reads each registrar's fallback turn from the definition: the Timeout catch back to the Task", () => {
    assert.deepEqual(awaitLoops(awaitDefinition()), { "consumer-await-copy": 1 });
    assert.deepEqual(awaitLoops(awaitDefinition(["Note timeout"])), { "consumer-await-copy": 2 });
    const failureFirst = {
      Catch: [
        { ErrorEquals: ["Lambda.Unknown"], Next: "Failed" },
        { ErrorEquals: ["States.Timeout"], Next: "Await copy" },
      ],
    };
    assert.deepEqual(awaitLoops(awaitDefinition([], failureFirst)), { "consumer-await-copy": 1 });
    // Inside a Map's item processor too (the producer's transit copies).
    const mapped = {
      StartAt: "Each region",
      States: { "Each region": { Type: "Map", ItemProcessor: awaitDefinition(["A", "B"]), End: true } },
    };
    assert.deepEqual(awaitLoops(mapped as never), { "consumer-await-copy": 3 });
  });

  it("refuses an await Task without a fallback loop or one that retries its timeout", () => {
    assert.throws(() => awaitLoops(awaitDefinition([], { Catch: [] })), /no States.Timeout catch/);
    assert.throws(
      () => awaitLoops(awaitDefinition([], { Catch: [{ ErrorEquals: ["States.Timeout"], Next: "Done" }] })),
      /does not lead back/,
    );
    assert.throws(
      () => awaitLoops(awaitDefinition([], { Retry: [{ ErrorEquals: ["States.Timeout"], MaxAttempts: 2 }] })),
      /retries States.Timeout/,
    );
  });

  it("a 2-hour copy: 3 fallback timeouts expire before its end; a 10-minute copy: none", () => {
    // Steady progress: checks at 0 s (0 %), 1800 s (25 %), 3600 s (50 %), 5400 s (75 %: 1800 + 120 s, capped at
    // 1800 s), so the next timeout would expire at the end, when the event comes.
    assert.equal(registrarTurnsFor(awaitedCopy(7200)), 4);
    assert.equal(registrarTurnsFor(awaitedCopy(600)), 1);
  });

  it("prices the fallback turns (registrar + loop transitions) and one copy-event handler call per copy", () => {
    const turns = registrarTurnsFor(awaitedCopy(7200));
    const totals = extrapolate(eventRun, [awaitedCopy(7200)], 3, { "consumer-await-copy": 2 });
    assert.equal(totals.lambdaInvocations, 3 + (turns - 1) + 1);
    assert.equal(totals.transitions, 17 + 2 * (turns - 1));
    assert.equal(totals.callsByOperation["RDS:DescribeDBSnapshots"], turns + 1);
    assert.equal(totals.callsByOperation["DynamoDB:PutItem"], turns);
    assert.equal(totals.callsByOperation["SFN:SendTaskSuccess"], 1);
    // plan 1 GB x 1 s, registrar 0.25 GB x 0.04 s per turn, handler 0.125 GB x 0.02 s, notify 0.25 GB x 0.01 s.
    const gbSeconds = 1 + turns * 0.01 + 0.0025 + 0.0025;
    assert.ok(Math.abs(totals.gbSeconds - gbSeconds) < 1e-9, `${totals.gbSeconds} vs ${gbSeconds}`);
    const expected =
      totals.transitions * PRICES.stateTransition +
      totals.lambdaInvocations * PRICES.lambdaRequest +
      gbSeconds * PRICES.lambdaGbSecond +
      PRICES.snsPublish;
    assert.ok(Math.abs(totals.dollars.total - expected) < 1e-15);
  });

  it("chooses per wait by what the definition contains, never by the wait alone", () => {
    // No await loop for the registrar: the wait is polled, and this run has no poll check for it.
    assert.throws(() => extrapolate(eventRun, [awaitedCopy(7200)], 3, {}), /consumer-poll: 0 checks/);
    assert.throws(
      () => extrapolate({ ...eventRun, eventDeliveries: [] }, [awaitedCopy(7200)], 3, { "consumer-await-copy": 1 }),
      /no measured invocation of consumer consumer-copy-event/,
    );
  });

  it("prices the previous polling design from the same run: each registrar call becomes a measured poll check", () => {
    const producerPoll: Invocation = { ...run.invocations[1]!, side: "producer", step: "producer-poll" };
    const withPoll: MeasuredRun = { ...eventRun, invocations: [...eventRun.invocations, producerPoll] };
    const polled = asPolling(withPoll, [awaitedCopy(0)], 3);
    assert.deepEqual(
      polled.invocations.map((i) => `${i.side} ${i.step}`),
      ["producer producer-plan", "consumer consumer-poll", "consumer consumer-notify", "producer producer-poll"],
    );
    assert.deepEqual(polled.invocations[1]!.calls, producerPoll.calls);
    assert.equal(polled.transitions.consumer, 7 + 1, "the poll loop's check and choice instead of the await Task");
    const totals = extrapolate(polled, [awaitedCopy(7200)], 3);
    assert.equal(totals.callsByOperation["RDS:DescribeDBSnapshots"], pollingFor(awaitedCopy(7200)).polls + 1);
    assert.equal(asPolling(run, [awaitedCopy(0)], 3), run, "a polled run stays as it is");
  });

  it("delivers a copy-finished event shaped as AWS documents RDS snapshot events", () => {
    const sample = JSON.parse(
      fs.readFileSync(
        path.join(__dirname, "../../../../shared/testdata/rds-events/eb-db-snapshot-0041-deleted.aws-docs.json"),
        "utf8",
      ),
    );
    const copy = {
      account: "222222222222",
      region: "eu-central-1",
      sourceRegion: "eu-west-1",
      arn: "arn:aws:rds:eu-central-1:222222222222:snapshot:orders-copy",
      identifier: "orders-copy",
      minutes: 0,
    };
    const cross = copyFinishedEvent(copy, new Date("2026-11-30T08:00:00.123Z"), "id-1");
    assert.deepEqual(Object.keys(cross).sort(), Object.keys(sample).sort());
    assert.deepEqual(Object.keys(cross.detail).sort(), Object.keys(sample.detail).sort());
    assert.equal(cross.detail.EventID, "RDS-EVENT-0060");
    assert.equal(cross.time, "2026-11-30T08:00:00Z");
    assert.deepEqual(cross.resources, [copy.arn]);
    const local = copyFinishedEvent({ ...copy, sourceRegion: "eu-central-1" }, new Date(), "id-2");
    assert.equal(local.detail.EventID, "RDS-EVENT-0197");
    assert.match(local.detail.Message, /^Finished copy of snapshot orders-copy in region eu-central-1\.$/);
  });
});

describe("bench: archive measurement", () => {
  it("zip size is the deflated bytes plus the zip headers", () => {
    const text = Buffer.from("x".repeat(10_000));
    const size = zipSize([{ name: "__index.js", bytes: text }]);
    assert.ok(size < 200, `10 kB of one letter deflates to a few bytes, got ${size}`);
    assert.ok(size > 22 + 30 + 46 + 20);
  });

  it("an SDK that is required is not bundled; SDK code pasted into the module is", () => {
    assert.equal(bundledSdkMentions('const a = require("@aws-sdk/client-rds/dist-cjs/index.js");'), 0);
    assert.equal(bundledSdkMentions('// from "@aws-sdk/core"\nconst a = require("@aws-sdk/client-rds");'), 1);
  });
});
