// Policy grammar by type: every trust, identity and resource policy the program declares (both example stacks
// and a large source configuration, under Pulumi mocks) is read by a real validator in the grammar AWS reads it
// in (@cloud-copilot/iam-policy, dev dependency), and by the policy pack's own grammar rule.
import * as assert from "node:assert/strict";
import {
  validateIdentityPolicy,
  validateResourcePolicy,
  validateServiceControlPolicy,
  validateTrustPolicy,
} from "@cloud-copilot/iam-policy";
import { grammarErrors, parsePolicy } from "../../policy/documents";
import { evaluateStack, type StackEvaluation, stackFileConfig } from "../../testkit";
import { exampleStacks } from "./emitted";
import { type EmittedPolicy, emittedPolicies, type Grammar } from "./policyDocuments";

const VALIDATORS: Record<Grammar, (policy: unknown) => { message: string; path: string }[]> = {
  trust: validateTrustPolicy,
  identity: validateIdentityPolicy,
  resource: validateResourcePolicy,
};

/** Every problem the validator or the pack's grammar rule finds in one document. */
function problemsOf(policy: EmittedPolicy): string[] {
  const validator = VALIDATORS[policy.grammar](policy.document).map((e) => `${e.path}: ${e.message}`);
  const parsed = parsePolicy(policy.document);
  const pack = parsed.ok ? parsed.statements.flatMap((s) => grammarErrors(policy.grammar, s)) : [parsed.error];
  return [...validator, ...pack].map((p) => `${policy.where} (${policy.grammar}) ${p}`);
}

const countByGrammar = (policies: readonly EmittedPolicy[]) =>
  Object.fromEntries(
    (["trust", "identity", "resource"] as const).map((g) => [g, policies.filter((p) => p.grammar === g).length]),
  );

// 200 databases with 20-30 character identifiers, 20 destination accounts over 3 regions.
function largeSourceConfig(): Record<string, unknown> {
  const regions = ["eu-west-1", "eu-central-1", "us-east-1"];
  const ids = Array.from(
    { length: 200 },
    (_, i) => `orders-ledgers-${String(i).padStart(3, "0")}-${"r".repeat(1 + (i % 10))}`,
  );
  return {
    ...stackFileConfig("source"),
    "rds-replication:instances": ids.slice(0, 150),
    "rds-replication:clusters": ids.slice(150),
    "rds-replication:destinations": Array.from(
      { length: 20 },
      (_, i) => `${String(300000000000 + i)}/${regions[i % regions.length]}`,
    ),
  };
}

describe("policy grammar by type: every emitted policy validates as what it is", function () {
  this.timeout(180_000);
  let stacks: { source: StackEvaluation; dest: StackEvaluation };
  before(async () => {
    stacks = await exampleStacks();
  });

  for (const side of ["source", "dest"] as const) {
    it(`${side} stack: zero grammar errors in every trust, identity, key, topic and Lambda-permission policy`, () => {
      const policies = emittedPolicies(stacks[side]);
      assert.deepEqual(policies.flatMap(problemsOf), []);
      const counts = countByGrammar(policies);
      // Each grammar is really exercised: one role per step and the state machine, keys and topics.
      assert.ok(counts.trust >= 8 && counts.identity >= 8 && counts.resource >= 3, JSON.stringify(counts));
    });
  }

  it("dest stack: the intake's Lambda permission is validated as the resource policy Lambda writes", () => {
    const permissions = emittedPolicies(stacks.dest).filter((p) => p.where.startsWith("aws:lambda/permission"));
    assert.ok(permissions.length >= 1);
    for (const p of permissions) assert.deepEqual(problemsOf(p), []);
  });

  it("dest stack: the snapshot-deletion guard output validates as a service control policy", () => {
    const scp = JSON.parse(String(stacks.dest.outputs.snapshotDeletionGuardScp));
    assert.deepEqual(validateServiceControlPolicy(scp), []);
    const parsed = parsePolicy(scp);
    assert.ok(parsed.ok);
    // An SCP has an identity policy's grammar: a Resource, no Principal.
    assert.deepEqual(
      parsed.statements.flatMap((st) => grammarErrors("identity", st)),
      [],
    );
    assert.ok(
      validateServiceControlPolicy({ ...scp, Statement: [{ ...scp.Statement[0], Principal: "*" }] }).length > 0,
    );
  });

  it("the validator refuses the trust policy the program emitted before (Resource in a trust policy)", () => {
    const old = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" },
      ],
    };
    const errors = validateTrustPolicy(old);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /Resource/);
    assert.deepEqual(problemsOf({ grammar: "trust", where: "old", document: old }).length, 2);
  });

  it("a large source configuration (200 databases, 20 destinations, 3 regions): zero grammar errors", async () => {
    await exampleStacks();
    const large = await evaluateStack({ config: largeSourceConfig(), stack: "source" });
    const policies = emittedPolicies(large);
    assert.deepEqual(policies.flatMap(problemsOf), []);
    const transitKeys = large.ofType("aws:kms/key:Key").length;
    assert.ok(transitKeys >= 3, `${transitKeys} keys`);
  });
});
