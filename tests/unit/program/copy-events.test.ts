// The routing of RDS's copy-finished events (components/copyEvents.ts) in both example stacks under Pulumi mocks:
// the consumer's rule on its own region's default bus targets its copy-event handler; the producer's rule does
// the same in the source region, and each other destination region forwards its events there (a cross-Region
// event bus target with a role that may only PutEvents on that bus). Other regions by the per-resource
// `region`, under the stack's default provider: no aws.Provider.
import * as assert from "node:assert/strict";
import { copyFinishedEventPattern } from "../../../components/copyEvents";
import { TRANSIT_ID_PREFIX } from "../../../functions/decisions/naming";
import { evaluateStack, type StackEvaluation, stackFileConfig } from "../../../testkit";

// A rule, its target and the forwarding role and its policy share their names: looked up by type.
const of = (stack: StackEvaluation, type: string, name: string) => {
  const found = stack.ofType(type).find((r) => r.name === name);
  assert.ok(found, `${type} ${name}`);
  return found;
};
const ruleOf = (stack: StackEvaluation, name: string) => of(stack, "aws:cloudwatch/eventRule:EventRule", name);
const pattern = (stack: StackEvaluation, name: string) => JSON.parse(String(ruleOf(stack, name).inputs.eventPattern));

function assertInvokesHandler(stack: StackEvaluation, side: "producer" | "consumer") {
  const rule = ruleOf(stack, `${side}-copy-events`);
  assert.equal(rule.inputs.region, undefined, "the stack's own region");
  const handler = stack.ofType("aws:lambda/function:Function").find((f) => f.name.startsWith(`${side}-copy-event`));
  assert.ok(handler, `${side}-copy-event Lambda`);
  const target = stack.ofType("aws:cloudwatch/eventTarget:EventTarget").find((t) => t.name === `${side}-copy-events`);
  assert.equal(target?.inputs.arn, handler.state.arn);
  assert.equal(target?.inputs.rule, rule.state.name);
  const permission = stack.named(`${side}-copy-events-permission`);
  assert.deepEqual(
    [permission.inputs.principal, permission.inputs.sourceArn, permission.inputs.function],
    ["events.amazonaws.com", rule.state.arn, handler.state.name],
  );
  // The state machines never invoke the event handler: it is no Task.
  for (const policy of stack.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.includes("state-machine")))
    assert.ok(!String(policy.inputs.policy).includes(String(handler.state.arn)), policy.name);
}

describe("copy-finished event routing (both example stacks under mocks)", () => {
  let source: StackEvaluation;
  let dest: StackEvaluation;

  before(async () => {
    source = await evaluateStack({ config: stackFileConfig("source") });
    dest = await evaluateStack({
      config: stackFileConfig("dest"),
      stackOutputs: { "acme/rds-replication/source": source.outputs },
    });
  });

  it("consumer: one rule on its region's default bus, the copy-finished IDs of DB snapshots, to its handler", () => {
    assert.deepEqual(pattern(dest, "consumer-copy-events"), {
      source: ["aws.rds"],
      "detail-type": ["RDS DB Snapshot Event"],
      detail: { EventID: ["RDS-EVENT-0060", "RDS-EVENT-0197"], SourceType: ["SNAPSHOT"] },
    });
    assertInvokesHandler(dest, "consumer");
    assert.deepEqual(
      dest.ofType("aws:cloudwatch/eventRule:EventRule").filter((r) => r.name.startsWith("consumer-copy-events-")),
      [],
      "the consumer copies in its own region only",
    );
  });

  it("producer: the source region's rule to its handler, and each other destination region forwarding there", () => {
    assert.deepEqual(pattern(source, "producer-copy-events"), copyFinishedEventPattern(TRANSIT_ID_PREFIX));
    assert.deepEqual(pattern(source, "producer-copy-events").detail.SourceIdentifier, [{ prefix: "rr-" }]);
    assertInvokesHandler(source, "producer");
    const home = "arn:aws:events:eu-west-1:111111111111:event-bus/default";
    // Pulumi.source.yaml: destinations in eu-central-1 and eu-west-1 (the source region itself).
    const forwards = source
      .ofType("aws:cloudwatch/eventRule:EventRule")
      .filter((r) => r.name.startsWith("producer-copy-events-"));
    assert.deepEqual(
      forwards.map((r) => [r.name, r.inputs.region]),
      [["producer-copy-events-eu-central-1", "eu-central-1"]],
    );
    assert.deepEqual(pattern(source, "producer-copy-events-eu-central-1"), pattern(source, "producer-copy-events"));
    const target = source
      .ofType("aws:cloudwatch/eventTarget:EventTarget")
      .find((t) => t.name === "producer-copy-events-eu-central-1");
    const role = of(source, "aws:iam/role:Role", "producer-copy-events-forward");
    assert.deepEqual(
      [target?.inputs.region, target?.inputs.arn, target?.inputs.roleArn],
      ["eu-central-1", home, role.state.arn],
    );
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
    assert.deepEqual(trust.Statement[0].Principal, { Service: "events.amazonaws.com" });
    const policy = JSON.parse(
      String(
        source.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "producer-copy-events-forward")?.inputs
          .policy,
      ),
    );
    assert.deepEqual(policy.Statement, [
      { Sid: "ForwardCopyEvents", Effect: "Allow", Action: "events:PutEvents", Resource: home },
    ]);
  });

  it("no explicit provider: other regions are reached by the per-resource region", () => {
    for (const stack of [source, dest]) {
      assert.deepEqual(
        stack.resources.filter((r) => r.type.startsWith("pulumi:providers:") || r.provider),
        [],
      );
    }
  });
});
