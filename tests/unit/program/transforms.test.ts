// The components' transform hooks under mocks: each hook reaches every child of its kind, and only those.
import * as assert from "node:assert/strict";
import { SnapshotConsumer, SnapshotProducer } from "../../../components";
import { evaluateStack } from "../../../testkit";

const TAGS = { team: "dba" };
const SOURCE = {
  account: "111111111111",
  region: "eu-central-1",
  announceTopicArn: "arn:aws:sns:eu-central-1:111111111111:orders-announce",
  transitKeyArns: { "eu-west-1": "arn:aws:kms:eu-west-1:111111111111:key/transit" },
  announcementVersion: 1,
  destinations: [{ account: "222222222222", region: "eu-west-1" }],
  databases: { instances: ["orders"], clusters: [], byTags: false, perDestination: [] },
};

describe("transform hooks of the components (SST style, under mocks)", () => {
  it("the producer's hooks change every Lambda, state machine, key and topic before creation, nothing else", async () => {
    const stack = await evaluateStack({
      config: { "aws:region": "eu-central-1" },
      program: async () => {
        new SnapshotProducer(
          "orders",
          {
            account: "111111111111",
            region: "eu-central-1",
            destinations: [{ account: "222222222222", region: "eu-west-1" }],
            instances: ["orders-db"],
          },
          {
            transform: {
              function: (args) => ({ ...args, memorySize: 1024 }),
              stateMachine: (args) => {
                args.tags = TAGS;
              },
              key: (args) => ({ ...args, deletionWindowInDays: 7 }),
              topic: (args, name) => ({ ...args, tags: { ...TAGS, child: name } }),
            },
          },
        );
        return {};
      },
    });
    const functions = stack.ofType("aws:lambda/function:Function");
    assert.ok(functions.length >= 7);
    for (const fn of functions) assert.equal(fn.inputs.memorySize, 1024, fn.name);
    const machines = stack.ofType("aws:sfn/stateMachine:StateMachine");
    assert.equal(machines.length, 2);
    for (const machine of machines) assert.deepEqual(machine.inputs.tags, TAGS);
    const keys = stack.ofType("aws:kms/key:Key");
    assert.equal(keys.length, 4, "transit keys in two regions, the operations key and the receipt topics' key");
    for (const key of keys) assert.equal(key.inputs.deletionWindowInDays, 7);
    assert.deepEqual(
      stack
        .ofType("aws:sns/topic:Topic")
        .map((t) => (t.inputs.tags as { child: string }).child)
        .sort(),
      ["orders-announce", "orders-notifications", "orders-receipts-222222222222-eu-west-1"],
    );
    for (const queue of stack.ofType("aws:sqs/queue:Queue")) assert.equal(queue.inputs.tags, undefined);
  });

  it("the consumer takes a source's outputs as a plain value and applies its hooks the same way", async () => {
    const stack = await evaluateStack({
      config: { "aws:region": "eu-west-1" },
      account: "222222222222",
      program: async () => {
        new SnapshotConsumer(
          "dr",
          { account: "222222222222", region: "eu-west-1", sources: { orders: SOURCE } },
          { transform: { function: (args, name) => ({ ...args, description: `tuned ${name}` }) } },
        );
        return {};
      },
    });
    for (const fn of stack.ofType("aws:lambda/function:Function"))
      assert.equal(fn.inputs.description, `tuned ${fn.name}`);
    const [subscription] = stack
      .ofType("aws:sns/topicSubscription:TopicSubscription")
      .filter((s) => s.inputs.protocol === "lambda");
    assert.equal(subscription.name, "dr-intake-orders");
    assert.equal(subscription.inputs.topic, SOURCE.announceTopicArn);
  });
});
