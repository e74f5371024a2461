// The checkers themselves: each refuses what AWS refuses, shown on requests and resources built to break
// one rule, so a green run over the emitted resources means something.
import * as assert from "node:assert/strict";
import type { RecordedResource } from "../../testkit";
import {
  type ApiRequest,
  apiViolations,
  LIMIT_RULES,
  loadModel,
  PULUMI_SUFFIX,
  physicalName,
  RESOURCE_APIS,
  validateRequest,
} from "../../testkit/aws-rules";

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

const resource = (type: string, name: string, inputs: Record<string, unknown>): RecordedResource => ({
  type,
  name,
  inputs,
  state: { ...inputs, id: `${name}-id` },
  custom: true,
  region: "eu-west-1",
  account: "111111111111",
});

const messages = (list: readonly { member: string; message: string }[]) => list.map((v) => `${v.member}: ${v.message}`);

describe("API model validator (botocore service-2.json)", () => {
  const iam = () => loadModel("iam");

  it("accepts a valid CreateRole request", () => {
    assert.deepEqual(
      validateRequest(iam(), "iam", "CreateRole", { RoleName: "ok-role", AssumeRolePolicyDocument: TRUST }),
      [],
    );
  });

  it("refuses a role name longer than 64 characters", () => {
    const found = validateRequest(iam(), "iam", "CreateRole", {
      RoleName: "r".repeat(65),
      AssumeRolePolicyDocument: TRUST,
    });
    assert.match(messages(found).join("\n"), /RoleName: length 65 is above the maximum 64/);
  });

  it("refuses a missing required member, an unknown member, a pattern and a numeric range", () => {
    const found = messages(
      validateRequest(iam(), "iam", "CreateRole", { RoleName: "bad name", MaxSessionDuration: 60, Colour: "red" }),
    );
    assert.ok(found.includes("AssumeRolePolicyDocument: required member is missing"), found.join("\n"));
    assert.ok(found.includes("Colour: no such member in the API model"), found.join("\n"));
    assert.ok(
      found.some((m) => m.startsWith('RoleName: "bad name" does not match the pattern')),
      found.join("\n"),
    );
    assert.ok(found.includes("MaxSessionDuration: 60 is below the minimum 3600"), found.join("\n"));
  });

  it("refuses a value outside an enum, and knows the runtimes and logging newer than the packaged model", () => {
    const lambda = loadModel("lambda");
    const request = (runtime: string) => ({
      FunctionName: "f",
      Role: "arn:aws:iam::111111111111:role/r",
      Code: { ZipFile: "zip" },
      Runtime: runtime,
      LoggingConfig: { LogFormat: "JSON", LogGroup: "/rds-replication/f" },
    });
    assert.deepEqual(validateRequest(lambda, "lambda", "CreateFunction", request("nodejs22.x")), []);
    assert.match(
      messages(validateRequest(lambda, "lambda", "CreateFunction", request("nodejs99.x"))).join("\n"),
      /Runtime: "nodejs99.x" is not one of/,
    );
  });

  it("checks list sizes and map keys: six alarm actions, an unknown queue attribute", () => {
    const alarm = validateRequest(loadModel("cloudwatch"), "cloudwatch", "PutMetricAlarm", {
      AlarmName: "a",
      EvaluationPeriods: 1,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: Array.from({ length: 6 }, (_, i) => `arn:aws:sns:eu-west-1:111111111111:t${i}`),
    });
    assert.match(messages(alarm).join("\n"), /AlarmActions: 6 entries, above the maximum 5/);
    const queue = validateRequest(loadModel("sqs"), "sqs", "CreateQueue", {
      QueueName: "q",
      Attributes: { Colour: "1" },
    });
    assert.match(messages(queue).join("\n"), /Attributes\{key Colour\}: "Colour" is not one of/);
  });
});

describe("resource-to-request mapping", () => {
  it("checks auto-named resources with the suffix Pulumi adds: a 57-character role name becomes 65", () => {
    const role = resource("aws:iam/role:Role", "r".repeat(57), { assumeRolePolicy: TRUST });
    assert.equal(physicalName(role, RESOURCE_APIS[role.type]), `${"r".repeat(57)}${PULUMI_SUFFIX}`);
    const found = messages(apiViolations({ resources: [role] }).violations);
    assert.match(found.join("\n"), /RoleName: length 65 is above the maximum 64/);
    const fits = resource("aws:iam/role:Role", "r".repeat(56), { assumeRolePolicy: TRUST });
    assert.deepEqual(apiViolations({ resources: [fits] }).violations, []);
  });

  it("checks a name prefix with the 26 characters the provider appends", () => {
    const group = resource("aws:cloudwatch/logGroup:LogGroup", "logs", { namePrefix: `/${"g".repeat(490)}-` });
    assert.match(
      messages(apiViolations({ resources: [group] }).violations).join("\n"),
      /length 518 is above the maximum 512/,
    );
  });

  it("refuses an input the mapping does not carry and a resource type it does not know", () => {
    const fn = resource("aws:lambda/function:Function", "f", {
      role: "arn:aws:iam::111111111111:role/r",
      snapStart: { applyOn: "PublishedVersions" },
    });
    const unknown = resource("aws:glue/job:Job", "j", {});
    const found = messages(apiViolations({ resources: [fn, unknown] }).violations);
    assert.ok(found.includes("f.snapStart.applyOn: input has no request member in the mapping"), found.join("\n"));
    assert.ok(found.includes("j: no API mapping for resource type aws:glue/job:Job"), found.join(" / "));
  });

  it("resolves references to another resource's physical name (the role of an inline policy)", () => {
    const role = resource("aws:iam/role:Role", "step-role", { assumeRolePolicy: TRUST });
    const policy = resource("aws:iam/rolePolicy:RolePolicy", "step-policy", { role: "step-role-id", policy: TRUST });
    const put = apiViolations({ resources: [role, policy] }).requests.find((r) => r.operation === "PutRolePolicy");
    assert.equal(put?.params.RoleName, `step-role${PULUMI_SUFFIX}`);
  });
});

/** One request that breaks each documented limit. */
const BREAKING: Record<string, ApiRequest[]> = {
  "lambda-env-4kb": [req("lambda", "CreateFunction", { Environment: { Variables: { CONFIG: "x".repeat(4084) } } })],
  "lambda-function-name": [req("lambda", "CreateFunction", { FunctionName: "f".repeat(65) })],
  "lambda-timeout-layers": [req("lambda", "CreateFunction", { Timeout: 901 })],
  "lambda-unreserved-100": Array.from({ length: 10 }, () =>
    req("lambda", "PutFunctionConcurrency", { ReservedConcurrentExecutions: 91 }),
  ),
  "iam-trust-policy-2048": [
    req("iam", "CreateRole", { AssumeRolePolicyDocument: JSON.stringify({ Sid: "s".repeat(2050) }) }),
  ],
  "iam-inline-policies-10240": [1, 2].map(() =>
    req("iam", "PutRolePolicy", { RoleName: "r", PolicyDocument: JSON.stringify({ Sid: "p".repeat(5200) }) }),
  ),
  "iam-managed-policy-6144": [
    req("iam", "CreatePolicy", { PolicyDocument: JSON.stringify({ Sid: "p".repeat(6140) }) }),
  ],
  "iam-managed-policies-per-role-10": range(11).map((i) =>
    req("iam", "AttachRolePolicy", { RoleName: "r", PolicyArn: `arn:aws:iam::1:policy/p${i}` }),
  ),
  "sfn-definition-1mb": [req("stepfunctions", "CreateStateMachine", { name: "m", definition: "é".repeat(600000) })],
  "sfn-name": [req("stepfunctions", "CreateStateMachine", { name: "machine:one", definition: "{}" })],
  "sfn-logs-vendedlogs": [
    req("stepfunctions", "CreateStateMachine", {
      name: "m",
      loggingConfiguration: {
        destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: "arn:aws:logs:eu-west-1:1:log-group:/states/m:*" } }],
      },
    }),
  ],
  "logs-retention-days": [req("logs", "PutRetentionPolicy", { retentionInDays: 100 })],
  "sns-topic-name": [req("sns", "CreateTopic", { Name: "topic.name" })],
  "sns-filter-policy": [
    req("sns", "Subscribe", {
      Protocol: "lambda",
      Attributes: { FilterPolicy: JSON.stringify({ a: range(13), b: range(12) }) },
    }),
  ],
  "sqs-queue": [req("sqs", "CreateQueue", { QueueName: "q", Attributes: { MessageRetentionPeriod: "1209601" } })],
  "kms-key-policy-32kb": [req("kms", "CreateKey", { Policy: "p".repeat(32769) })],
  "kms-deletion-window": [req("kms", "ScheduleKeyDeletion", { PendingWindowInDays: 31 })],
  "cloudwatch-alarm-name": [req("cloudwatch", "PutMetricAlarm", { AlarmName: "lag\n" })],
  "cloudwatch-dashboard": [
    req("cloudwatch", "PutDashboard", { DashboardName: "d", DashboardBody: JSON.stringify({ widgets: range(501) }) }),
  ],
  "events-rules-targets": [req("events", "PutTargets", { Rule: "r", Targets: range(6) })],
  "secret-name": [req("secretsmanager", "CreateSecret", { Name: "rds replication" })],
  "ssm-parameter": [req("ssm", "PutParameter", { Name: "/rds-replication/config", Value: "v".repeat(4097) })],
  "rds-subnet-group-name": [req("rds", "CreateDBSubnetGroup", { DBSubnetGroupName: "default" })],
  "ec2-security-group-text": [req("ec2", "CreateSecurityGroup", { GroupName: "sg-restore", Description: "d" })],
};

function req(service: string, operation: string, params: Record<string, unknown>): ApiRequest {
  return { resource: "breaking", type: "test", service, operation, params };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe("documented limits the models do not carry", () => {
  for (const rule of LIMIT_RULES) {
    it(`${rule.id} refuses a request that breaks it`, () => {
      const requests = BREAKING[rule.id];
      assert.ok(requests, `no breaking example for ${rule.id}`);
      const found = rule.check({ requests, names: new Map(), accountConcurrency: 1000 });
      assert.equal(found.length > 0, true, `${rule.id} accepted its breaking example`);
      assert.ok(found.every((f) => f.rule === rule.id));
    });
  }
});
