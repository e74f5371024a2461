// Only the intake starts consumer runs. Step Functions has no resource-based policy (its API model has no
// policy operation), so the guarantee comes from the stack's own principals: every role the dest stack
// declares, with every policy it holds, is simulated starting an execution of the consumer state machine.
import * as assert from "node:assert/strict";
import { stepsOf } from "../../functions/catalog";
import type { RecordedResource, StackEvaluation } from "../../testkit";
import { type PolicyDocument, simulate } from "../support/iamSimulator";
import { shortKey } from "../unit/program/stackAssertions";
import { exampleStacks } from "./emitted";

/** Each role of the stack with every policy document it holds (inline and attached). */
function rolesWithPolicies(stack: StackEvaluation): { role: RecordedResource; policies: PolicyDocument[] }[] {
  // The mocks answer a role's id as `<name>-id`; a role policy names the role by that id.
  const idOf = (role: RecordedResource) => `${role.name}-id`;
  const managed = new Map(stack.ofType("aws:iam/policy:Policy").map((p) => [String(p.state.arn), p]));
  return stack.ofType("aws:iam/role:Role").map((role) => {
    const inline = stack.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => String(p.inputs.role) === idOf(role));
    const attached = stack
      .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => String(a.inputs.role) === String(role.state.name ?? role.name))
      .map((a) => managed.get(String(a.inputs.policyArn)));
    return {
      role,
      policies: [...inline, ...attached].map((p) => JSON.parse(String(p?.inputs.policy)) as PolicyDocument),
    };
  });
}

/** The roles the simulator allows to start an execution of `machine`, in the stack's order. */
async function allowedToStart(roles: ReturnType<typeof rolesWithPolicies>, machine: string): Promise<string[]> {
  const allowed: string[] = [];
  for (const { role, policies } of roles) {
    const decision = await simulate({
      principal: `arn:aws:iam::222222222222:role/${role.name}`,
      action: "states:StartExecution",
      resource: machine,
      identityPolicies: policies,
    });
    if (decision === "Allowed") allowed.push(role.name);
  }
  return allowed;
}

describe("only the intake starts consumer runs (IAM simulation of every role of the dest stack)", function () {
  this.timeout(120_000);
  let dest: StackEvaluation;
  before(async () => {
    dest = (await exampleStacks()).dest;
  });

  it("of all the stack's roles, exactly the intake's may StartExecution on the consumer state machine", async () => {
    const machine = String(dest.named("consumer-state-machine").state.arn);
    const roles = rolesWithPolicies(dest);
    assert.deepEqual(
      roles.map((r) => r.role.name).sort(),
      [
        ...stepsOf("consumer").map((s) => `consumer-${shortKey(s)}-role`),
        "consumer-state-machine-role",
        "consumer-restore-test-state-machine-role",
        "consumer-restore-test-events-role",
      ].sort(),
    );
    assert.ok(
      roles.every((r) => r.policies.length > 0),
      "every role has its policy",
    );
    assert.deepEqual(await allowedToStart(roles, machine), ["consumer-intake-role"]);
  });

  it("of all the stack's roles, exactly the restore tests' schedule role may start a restore test", async () => {
    const machine = String(dest.named("consumer-restore-test-state-machine").state.arn);
    assert.deepEqual(await allowedToStart(rolesWithPolicies(dest), machine), ["consumer-restore-test-events-role"]);
  });
});
