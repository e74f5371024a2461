// The static rules of the policy pack over every resource the program declares for both example stacks
// (recorded under Pulumi mocks): the pack would pass `pulumi preview --policy-pack policy` on them.
import * as assert from "node:assert/strict";
import { rules, TYPES, violationsOf } from "../../policy/checks";
import type { StackEvaluation } from "../../testkit";
import { exampleStacks } from "./emitted";

describe("policy pack rules over the emitted stacks", function () {
  this.timeout(120_000);
  let stacks: { source: StackEvaluation; dest: StackEvaluation };
  before(async () => {
    stacks = await exampleStacks();
  });

  for (const side of ["source", "dest"] as const) {
    it(`${side} stack: no resource violates any rule`, () => {
      const found = stacks[side].resources.flatMap((r) =>
        violationsOf(r.type, r.inputs).map((v) => `${r.type} ${r.name}: [${v.rule}] ${v.message}`),
      );
      assert.deepEqual(found, []);
    });

    it(`${side} stack: the rules really inspect its keys, topics, roles, Lambdas, permissions, logs and state machine`, () => {
      const types = new Set(stacks[side].resources.map((r) => r.type));
      for (const type of [
        TYPES.kmsKey,
        TYPES.topic,
        TYPES.role,
        TYPES.rolePolicy,
        TYPES.lambda,
        TYPES.logGroup,
        TYPES.queue,
        TYPES.stateMachine,
      ]) {
        assert.ok(types.has(type), `${side} stack declares no ${type}`);
      }
      const checked = rules.filter((rule) => rule.resourceTypes.some((t) => types.has(t)));
      assert.ok(checked.length >= 15, `only ${checked.length} rules apply`);
    });
  }

  it("dest stack: the intake permission and the topic subscription exist", () => {
    assert.ok(stacks.dest.ofType(TYPES.lambdaPermission).length >= 1);
    assert.ok(
      stacks.dest.ofType("aws:sns/topicSubscription:TopicSubscription").some((s) => s.inputs.protocol === "lambda"),
    );
  });
});
