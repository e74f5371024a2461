// The dest stack's disaster-recovery isolation, as declared (Pulumi mocks): announcements filtered to this
// account, keys and the restore secret kept when the stack or a resource is deleted by mistake.
import * as assert from "node:assert/strict";
import { evaluateStack, type StackEvaluation, stackFileConfig } from "../../../scripts/local/pulumiMocks";

const SOURCE_STACK = "acme/rds-replication/source";

describe("dest stack: disaster-recovery isolation (Pulumi.dest.yaml under mocks)", () => {
  let stack: StackEvaluation;

  before(async () => {
    const source = (await evaluateStack({ config: stackFileConfig("source") })).outputs;
    stack = await evaluateStack({ config: stackFileConfig("dest"), stackOutputs: { [SOURCE_STACK]: source } });
  });

  it("the intake subscription receives only announcements whose destinationAccount is this account", () => {
    const subscription = stack.named("consumer-intake-acme-rds-replication-source");
    assert.equal(subscription.inputs.protocol, "lambda");
    assert.equal(subscription.inputs.filterPolicyScope, "MessageAttributes");
    assert.deepEqual(JSON.parse(String(subscription.inputs.filterPolicy)), { destinationAccount: ["222222222222"] });
  });
});
