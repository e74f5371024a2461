// Every static rule flags a deliberately bad resource and passes its corrected twin, through the same
// ResourceValidationPolicy objects the policy pack runs (the PolicyPack itself is not constructed here).
import * as assert from "node:assert/strict";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { type Props, policies, rules, TYPES, violationsOf } from "../../policy/checks";

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const ROOT = "arn:aws:iam::111111111111:root";
const OTHER = "arn:aws:iam::222222222222:root";
const KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TOPIC = "arn:aws:sns:eu-west-1:111111111111:announce";
const DLQ = "arn:aws:sqs:eu-west-1:111111111111:dlq";
const goodLambda: Props = {
  deadLetterConfig: { targetArn: DLQ },
  reservedConcurrentExecutions: 2,
  environment: { variables: { RDS_REPLICATION_CONFIG: JSON.stringify({ restore: { secretName: "app/db" } }) } },
};

interface Case {
  readonly type: string;
  readonly bad: Props;
  readonly good: Props;
}

// One bad resource per rule, and the smallest change that makes it comply.
const CASES: Record<string, Case[]> = {
  "policy-grammar-by-type": [
    {
      type: TYPES.role,
      // The trust policy the program emitted before issue 10: IAM's CreateRole refuses it.
      bad: {
        assumeRolePolicy: doc({
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
          Resource: "*",
        }),
      },
      good: {
        assumeRolePolicy: doc({
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
      },
    },
    {
      type: TYPES.rolePolicy,
      bad: { policy: doc({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:Decrypt", Resource: KEY }) },
      good: { policy: doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: KEY }) },
    },
    {
      type: TYPES.kmsKey,
      bad: { policy: doc({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*" }) },
      good: { policy: doc({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" }) },
    },
  ],
  "resource-policy-not-public": [
    {
      type: TYPES.kmsKey,
      bad: { policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }) },
      good: { policy: doc({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:Decrypt", Resource: "*" }) },
    },
    {
      type: TYPES.topicPolicy,
      bad: { policy: doc({ Effect: "Allow", Principal: "*", Action: "sns:Subscribe", Resource: TOPIC }) },
      good: {
        policy: doc({
          Effect: "Allow",
          Principal: "*",
          Action: "sns:Subscribe",
          Resource: TOPIC,
          Condition: { StringEquals: { "aws:PrincipalAccount": "222222222222" } },
        }),
      },
    },
    {
      type: TYPES.role,
      bad: {
        assumeRolePolicy: doc({ Effect: "Allow", NotPrincipal: { AWS: OTHER }, Action: "sts:AssumeRole" }),
      },
      good: {
        assumeRolePolicy: doc({
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
      },
    },
    {
      type: TYPES.queuePolicy,
      bad: {
        policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::*:root" }, Action: "sqs:*", Resource: DLQ }),
      },
      good: { policy: doc({ Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: DLQ }) },
    },
  ],
  "topic-policy-cross-account-conditioned": [
    {
      type: TYPES.topicPolicy,
      bad: { policy: doc({ Effect: "Allow", Principal: { AWS: OTHER }, Action: "sns:Subscribe", Resource: TOPIC }) },
      good: {
        policy: doc({
          Effect: "Allow",
          Principal: { AWS: OTHER },
          Action: "sns:Subscribe",
          Resource: TOPIC,
          Condition: { StringEquals: { "sns:Protocol": "lambda" } },
        }),
      },
    },
  ],
  "iam-no-admin": [
    {
      type: TYPES.rolePolicy,
      bad: { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) },
      good: { policy: doc({ Effect: "Allow", Action: "rds:DescribeDBSnapshots", Resource: "*" }) },
    },
  ],
  "iam-no-wildcard-action": [
    {
      type: TYPES.policy,
      bad: { policy: doc({ Effect: "Allow", Action: "*", Resource: KEY }) },
      good: { policy: doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: KEY }) },
    },
    {
      type: TYPES.role,
      bad: { inlinePolicies: [{ name: "p", policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }] },
      good: { inlinePolicies: [{ name: "p", policy: doc({ Effect: "Deny", NotAction: "rds:*", Resource: "*" }) }] },
    },
  ],
  "iam-no-service-wildcard": [
    {
      type: TYPES.rolePolicy,
      bad: { policy: doc({ Effect: "Allow", Action: ["kms:Decrypt", "kms:*"], Resource: KEY }) },
      good: { policy: doc({ Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: KEY }) },
    },
  ],
  "iam-no-broad-managed-policies": [
    {
      type: TYPES.rolePolicyAttachment,
      bad: { policyArn: "arn:aws:iam::aws:policy/AmazonRDSFullAccess" },
      good: { policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
    },
    {
      type: TYPES.role,
      bad: { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
      good: { managedPolicyArns: [] },
    },
  ],
  "kms-key-rotation": [{ type: TYPES.kmsKey, bad: { enableKeyRotation: false }, good: { enableKeyRotation: true } }],
  "sns-topic-encrypted-cmk": [
    { type: TYPES.topic, bad: { kmsMasterKeyId: "alias/aws/sns" }, good: { kmsMasterKeyId: KEY } },
    { type: TYPES.topic, bad: {}, good: { kmsMasterKeyId: KEY } },
  ],
  "log-group-encrypted-cmk": [{ type: TYPES.logGroup, bad: { retentionInDays: 30 }, good: { kmsKeyId: KEY } }],
  "secret-encrypted-cmk": [
    { type: TYPES.secret, bad: { kmsKeyId: "alias/aws/secretsmanager" }, good: { kmsKeyId: KEY } },
  ],
  "sqs-queue-encrypted": [
    { type: TYPES.queue, bad: { sqsManagedSseEnabled: false }, good: { sqsManagedSseEnabled: true } },
  ],
  "lambda-dead-letter-queue": [
    { type: TYPES.lambda, bad: { ...goodLambda, deadLetterConfig: undefined }, good: goodLambda },
  ],
  "lambda-reserved-concurrency": [
    { type: TYPES.lambda, bad: { ...goodLambda, reservedConcurrentExecutions: -1 }, good: goodLambda },
    {
      type: TYPES.lambda,
      bad: { ...goodLambda, reservedConcurrentExecutions: 0 },
      good: { ...goodLambda, reservedConcurrentExecutions: undefined },
    },
  ],
  "lambda-no-secrets-in-environment": [
    {
      type: TYPES.lambda,
      bad: { ...goodLambda, environment: { variables: { DB_PASSWORD: "hunter2" } } },
      good: goodLambda,
    },
    {
      type: TYPES.lambda,
      bad: {
        ...goodLambda,
        environment: { variables: { RDS_REPLICATION_CONFIG: JSON.stringify({ restore: { masterPassword: "x" } }) } },
      },
      good: goodLambda,
    },
    {
      type: TYPES.lambda,
      bad: { ...goodLambda, environment: { variables: { KEY_ID: "AKIAIOSFODNN7EXAMPLE" } } },
      good: goodLambda,
    },
  ],
  "lambda-permission-not-public": [
    {
      type: TYPES.lambdaPermission,
      bad: { principal: "*", action: "lambda:InvokeFunction" },
      good: { principal: "sns.amazonaws.com", action: "lambda:InvokeFunction", sourceArn: TOPIC },
    },
  ],
  "lambda-permission-service-scoped": [
    {
      type: TYPES.lambdaPermission,
      bad: { principal: "sns.amazonaws.com", action: "lambda:InvokeFunction", sourceAccount: "111111111111" },
      good: { principal: "sns.amazonaws.com", action: "lambda:InvokeFunction", sourceArn: TOPIC },
    },
    {
      type: TYPES.lambdaPermission,
      bad: { principal: "events.amazonaws.com", action: "lambda:InvokeFunction" },
      good: { principal: "events.amazonaws.com", action: "lambda:InvokeFunction", sourceAccount: "111111111111" },
    },
  ],
  "state-machine-tracing": [
    {
      type: TYPES.stateMachine,
      bad: { tracingConfiguration: { enabled: false } },
      good: { tracingConfiguration: { enabled: true } },
    },
  ],
  "state-machine-logging": [
    {
      type: TYPES.stateMachine,
      bad: {
        loggingConfiguration: { level: "OFF", logDestination: "arn:aws:logs:eu-west-1:111111111111:log-group:x:*" },
      },
      good: {
        loggingConfiguration: { level: "ERROR", logDestination: "arn:aws:logs:eu-west-1:111111111111:log-group:x:*" },
      },
    },
  ],
  "rds-snapshot-copy-encrypted": [
    { type: TYPES.rdsSnapshotCopy, bad: { sourceDbSnapshotIdentifier: "a" }, good: { kmsKeyId: KEY } },
  ],
  "rds-snapshot-not-public": [
    { type: TYPES.rdsSnapshot, bad: { sharedAccounts: ["all"] }, good: { sharedAccounts: ["222222222222"] } },
  ],
};

function runPolicy(name: string, type: string, props: Props): string[] {
  const policy = policies.find((p) => p.name === name);
  assert.ok(policy, `no policy named ${name}`);
  const reported: string[] = [];
  const validate = policy.validateResource;
  assert.ok(typeof validate === "function");
  validate(
    { type, props, urn: `urn:pulumi:test::rds-replication::${type}::r`, name: "r" } as ResourceValidationArgs,
    (m) => reported.push(m),
  );
  return reported;
}

describe("security rules (policy pack): each flags a bad resource", () => {
  it("every rule has negative cases and every policy comes from a rule", () => {
    assert.deepEqual(Object.keys(CASES).sort(), rules.map((r) => r.name).sort());
    assert.deepEqual(
      policies.map((p) => p.name),
      rules.map((r) => r.name),
    );
    for (const policy of policies) assert.equal(policy.enforcementLevel, "mandatory");
  });

  for (const [name, cases] of Object.entries(CASES)) {
    describe(name, () => {
      cases.forEach((c, i) => {
        it(`flags bad ${c.type} #${i + 1} and passes its corrected twin`, () => {
          const flagged = runPolicy(name, c.type, c.bad);
          assert.ok(flagged.length > 0, `${name} did not flag ${JSON.stringify(c.bad)}`);
          assert.deepEqual(runPolicy(name, c.type, c.good), []);
        });
      });
    });
  }

  it("ignores resource types a rule is not about", () => {
    assert.deepEqual(runPolicy("kms-key-rotation", TYPES.topic, { enableKeyRotation: false }), []);
  });

  it("treats an unreadable policy document as a violation", () => {
    assert.deepEqual(
      violationsOf(TYPES.rolePolicy, { policy: "{not json" })
        .map((v) => v.message)
        .slice(0, 1),
      ["policy is not valid JSON"],
    );
  });

  it("does not take names of secrets for secrets", () => {
    const variables = { RDS_REPLICATION_CONFIG: JSON.stringify({ restore: { secretName: "a", secretArn: "b" } }) };
    assert.deepEqual(violationsOf(TYPES.lambda, { ...goodLambda, environment: { variables } }), []);
  });
});
