import { strict as assert } from "node:assert";
import { consumerDefinition, producerDatabaseDefinition } from "../../../components/stateMachines";
import { stepsOf } from "../../../functions/catalog";
import { bundledSdkMentions, zipSize } from "../../../scripts/bench/archives";
import {
  extrapolate,
  type MeasuredRun,
  PRICES,
  pollingFor,
  pollLoopTransitions,
  type Wait,
} from "../../../scripts/bench/cost";
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
