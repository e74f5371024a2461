import * as assert from "node:assert/strict";
import { Region } from "@pulumi/aws/types/enums";
import {
  announceTopicPolicy,
  assumeRolePolicy,
  consumerKeyPolicy,
  document,
  eventsRolePolicy,
  IAM_POLICY_QUOTAS,
  type IdentityStatement,
  LISTED_INLINE_BUDGET,
  listedPolicies,
  needStatements,
  notifyTopicPolicy,
  operationsKeyPolicy,
  packStatements,
  partitionOf,
  policySize,
  type ResourceScope,
  type ResourceStatement,
  type Statement,
  stateMachineRolePolicy,
  stepRolePolicy,
  type TrustPolicy,
  type TrustStatement,
  transitKeyPolicy,
} from "../../../components/policies";
import { MAX_TRANSIT_REGIONS, producerScopes, SOURCE_KEYS_LISTED, sourceKeyScope } from "../../../components/producer";
import { runtimeConfigReadPolicy } from "../../../components/shared";
import { stepsOf } from "../../../functions/catalog";

const sid = (statements: Statement[], id: string) => {
  const found = statements.find((s) => s.Sid === id);
  assert.ok(found, `statement ${id}`);
  return found;
};

describe("policy documents", () => {
  it("the transit key lets each destination account use it only through RDS in the key's region", () => {
    const policy = transitKeyPolicy({
      account: "111111111111",
      region: "eu-central-1",
      destinationAccounts: ["333333333333", "222222222222", "222222222222"],
    });
    assert.equal(policy.Version, "2012-10-17");
    assert.deepEqual(policy.Statement, [
      {
        Sid: "AccountAdministersThroughIam",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111111111111:root" },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "DestinationAccountsThroughRdsUse",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"] },
        Action: ["kms:Decrypt", "kms:DescribeKey", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": "rds.eu-central-1.amazonaws.com" } },
      },
      {
        Sid: "DestinationAccountsThroughRdsGrant",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"] },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: {
          StringEquals: { "kms:ViaService": "rds.eu-central-1.amazonaws.com" },
          Bool: { "kms:GrantIsForAWSResource": true },
        },
      },
    ]);
  });

  it("a transit key without destination accounts in its region grants no other account", () => {
    const policy = transitKeyPolicy({ account: "111111111111", region: "eu-west-1", destinationAccounts: [] });
    assert.equal(policy.Statement.length, 1);
    assert.equal(JSON.stringify(policy).includes("222222222222"), false);
  });

  it("the consumer key names only this account and its copy roles, through RDS", () => {
    const policy = consumerKeyPolicy({
      account: "222222222222",
      region: "eu-central-1",
      copyRoleArns: ["arn:aws:iam::222222222222:role/restore", "arn:aws:iam::222222222222:role/copy"],
    });
    const principals = policy.Statement.flatMap((s) =>
      [s.Principal && typeof s.Principal === "object" ? s.Principal.AWS : []].flat(),
    );
    assert.ok(
      principals.every((p) => String(p).startsWith("arn:aws:iam::222222222222:")),
      String(principals),
    );
    const use = sid(policy.Statement, "CopyRolesThroughRdsUse");
    assert.deepEqual(use.Principal, {
      AWS: ["arn:aws:iam::222222222222:role/copy", "arn:aws:iam::222222222222:role/restore"],
    });
    assert.deepEqual(use.Condition, { StringEquals: { "kms:ViaService": "rds.eu-central-1.amazonaws.com" } });
    assert.deepEqual(sid(policy.Statement, "CopyRolesThroughRdsGrant").Condition?.Bool, {
      "kms:GrantIsForAWSResource": true,
    });
  });

  it("the operations key lets CloudWatch Logs use it for this account's log groups only", () => {
    const policy = operationsKeyPolicy({ account: "111111111111", region: "eu-west-1" });
    const logs = sid(policy.Statement, "CloudWatchLogsForThisAccount");
    assert.deepEqual(logs.Principal, { Service: "logs.eu-west-1.amazonaws.com" });
    assert.deepEqual(logs.Condition, {
      ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:111111111111:log-group:*" },
    });
    assert.deepEqual(sid(policy.Statement, "CloudWatchAlarmsPublishToEncryptedTopics").Condition, {
      StringEquals: { "aws:SourceAccount": "111111111111" },
    });
  });

  it("the announcement topic is TLS-only and lets each destination subscribe only its own Lambda", () => {
    const topicArn = "arn:aws:sns:eu-west-1:111111111111:announce";
    const policy = announceTopicPolicy({
      topicArn,
      destinationAccounts: ["222222222222", "333333333333", "222222222222"],
    });
    assert.deepEqual(policy.Statement[0], {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:*",
      Resource: topicArn,
      Condition: { Bool: { "aws:SecureTransport": false } },
    });
    assert.deepEqual(policy.Statement.slice(1), [
      {
        Sid: "Subscribe222222222222LambdaOnly",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "sns:Subscribe",
        Resource: topicArn,
        Condition: {
          StringEquals: { "sns:Protocol": "lambda" },
          StringLike: { "sns:Endpoint": "arn:aws:lambda:*:222222222222:function:*" },
        },
      },
      {
        Sid: "Subscribe333333333333LambdaOnly",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::333333333333:root" },
        Action: "sns:Subscribe",
        Resource: topicArn,
        Condition: {
          StringEquals: { "sns:Protocol": "lambda" },
          StringLike: { "sns:Endpoint": "arn:aws:lambda:*:333333333333:function:*" },
        },
      },
    ]);
  });

  it("the notifications topic is TLS-only and takes alarms of this account", () => {
    const policy = notifyTopicPolicy({ topicArn: "arn:aws:sns:eu-west-1:111111111111:n", account: "111111111111" });
    assert.equal(policy.Statement[0].Sid, "DenyInsecureTransport");
    assert.deepEqual(policy.Statement[1].Principal, { Service: "cloudwatch.amazonaws.com" });
    assert.equal(policy.Statement[1].Action, "sns:Publish");
  });

  it("service roles trust one service, on behalf of this account where the service supports it", () => {
    assert.deepEqual(assumeRolePolicy("states", "111111111111").Statement[0].Condition, {
      StringEquals: { "aws:SourceAccount": "111111111111" },
    });
    assert.deepEqual(assumeRolePolicy("lambda", "111111111111").Statement[0].Principal, {
      Service: "lambda.amazonaws.com",
    });
    assert.deepEqual(eventsRolePolicy("arn:aws:states:eu-west-1:111111111111:stateMachine:p").Statement, [
      {
        Sid: "StartProducer",
        Effect: "Allow",
        Action: "states:StartExecution",
        Resource: "arn:aws:states:eu-west-1:111111111111:stateMachine:p",
      },
    ]);
  });

  it("trust policies name no Resource: IAM's CreateRole refuses one (MalformedPolicyDocument)", () => {
    for (const service of ["lambda", "states", "events"] as const)
      for (const statement of assumeRolePolicy(service, "111111111111").Statement)
        assert.deepEqual(
          Object.keys(statement).filter((k) => k === "Resource" || k === "NotResource"),
          [],
          service,
        );
  });

  it("the compiler refuses a statement written in another policy's grammar", () => {
    const trust = {
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    } as const;
    const identity = {
      Effect: "Allow",
      Action: "sns:Publish",
      Resource: "arn:aws:sns:eu-west-1:111111111111:t",
    } as const;
    // Each line below fails to compile without its directive (tsc reports an unused @ts-expect-error otherwise).
    // @ts-expect-error a trust statement names no Resource
    const trustWithResource: TrustStatement = { ...trust, Resource: "*" };
    // @ts-expect-error an identity statement names no Principal
    const identityWithPrincipal: IdentityStatement = { ...identity, Principal: "*" };
    // @ts-expect-error a resource statement (key, topic, function) names its Principal
    const resourceWithoutPrincipal: ResourceStatement = identity;
    const policies: TrustPolicy[] = [document<TrustStatement>([trust])];
    assert.equal(policies.length, 1);
    assert.ok(trustWithResource && identityWithPrincipal && resourceWithoutPrincipal);
  });

  it("a state machine invokes only its own functions and their versions", () => {
    const policy = stateMachineRolePolicy([
      "arn:aws:lambda:eu-west-1:1:function:b",
      "arn:aws:lambda:eu-west-1:1:function:a",
    ]);
    assert.deepEqual(sid(policy.Statement, "InvokeOwnSteps").Resource, [
      "arn:aws:lambda:eu-west-1:1:function:a",
      "arn:aws:lambda:eu-west-1:1:function:b",
      "arn:aws:lambda:eu-west-1:1:function:a:*",
      "arn:aws:lambda:eu-west-1:1:function:b:*",
    ]);
  });

  describe("step role policies", () => {
    type Kind = "db" | "snap" | "topic" | "empty" | "any";
    const scopes: Record<Kind, ResourceScope[]> = {
      db: [
        { arns: ["arn:aws:rds:eu-west-1:1:db:orders"] },
        { arns: ["arn:aws:rds:eu-west-1:1:db:*"], condition: { StringEquals: { "aws:ResourceTag/team": "a" } } },
      ],
      snap: [{ arns: ["arn:aws:rds:eu-west-1:1:snapshot:*"] }],
      topic: [{ arns: ["arn:aws:sns:eu-west-1:1:t"] }],
      empty: [{ arns: [] }],
      any: [{ arns: ["*"] }],
    };
    const base = {
      logGroupArn: "arn:aws:logs:eu-west-1:1:log-group:g",
      deadLetterQueueArn: "arn:aws:sqs:eu-west-1:1:q",
      operationsKeyArn: "arn:aws:kms:eu-west-1:1:key/k",
    };

    it("always writes only its own logs and DLQ, with the operations key", () => {
      const policy = stepRolePolicy<Kind>({ needs: [], scopes, ...base });
      assert.deepEqual(sid(policy.Statement, "OwnLogs").Resource, "arn:aws:logs:eu-west-1:1:log-group:g:*");
      assert.deepEqual(sid(policy.Statement, "OwnDeadLetterQueue"), {
        Sid: "OwnDeadLetterQueue",
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: "arn:aws:sqs:eu-west-1:1:q",
      });
      assert.deepEqual(sid(policy.Statement, "OperationsKey").Resource, "arn:aws:kms:eu-west-1:1:key/k");
    });

    it("resolves kinds to ARNs and keeps a tag condition on its own statement", () => {
      const policy = stepRolePolicy<Kind>({
        needs: [
          {
            actions: ["rds:CreateDBSnapshot"],
            resources: ["db", "snap"],
            conditions: { StringEquals: { "aws:RequestTag/m": "r" } },
          },
        ],
        scopes,
        ...base,
      });
      const [plain, tagged] = policy.Statement.slice(4);
      assert.deepEqual(plain, {
        Sid: "Need0Scope0",
        Effect: "Allow",
        Action: ["rds:CreateDBSnapshot"],
        Resource: ["arn:aws:rds:eu-west-1:1:db:orders", "arn:aws:rds:eu-west-1:1:snapshot:*"],
        Condition: { StringEquals: { "aws:RequestTag/m": "r" } },
      });
      assert.deepEqual(tagged, {
        Sid: "Need0Scope1",
        Effect: "Allow",
        Action: ["rds:CreateDBSnapshot"],
        Resource: "arn:aws:rds:eu-west-1:1:db:*",
        Condition: { StringEquals: { "aws:RequestTag/m": "r", "aws:ResourceTag/team": "a" } },
      });
    });

    it("pins KMS use through a service to each key's own region", () => {
      const keys: Record<"key", ResourceScope[]> = {
        key: [{ arns: ["arn:aws:kms:eu-west-1:1:key/a", "arn:aws:kms:eu-central-1:1:key/b"] }],
      };
      const policy = stepRolePolicy<"key">({
        needs: [
          {
            actions: ["kms:CreateGrant"],
            resources: ["key"],
            viaService: "rds",
            conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } },
          },
        ],
        scopes: keys,
        ...base,
      });
      assert.deepEqual(policy.Statement.slice(4), [
        {
          Sid: "Need0Scope0",
          Effect: "Allow",
          Action: ["kms:CreateGrant"],
          Resource: "arn:aws:kms:eu-central-1:1:key/b",
          Condition: {
            Bool: { "kms:GrantIsForAWSResource": "true" },
            StringEquals: { "kms:ViaService": "rds.eu-central-1.amazonaws.com" },
          },
        },
        {
          Sid: "Need0Scope1",
          Effect: "Allow",
          Action: ["kms:CreateGrant"],
          Resource: "arn:aws:kms:eu-west-1:1:key/a",
          Condition: {
            Bool: { "kms:GrantIsForAWSResource": "true" },
            StringEquals: { "kms:ViaService": "rds.eu-west-1.amazonaws.com" },
          },
        },
      ]);
      assert.throws(
        () =>
          stepRolePolicy<"any">({
            needs: [{ actions: ["kms:Decrypt"], resources: ["any"], viaService: "rds" }],
            scopes: { any: [{ arns: ["*"] }] },
            ...base,
          }),
        /needs regional ARNs, got \*/,
      );
    });

    it("drops a need whose kinds have no resources here, and never allows Action *", () => {
      const policy = stepRolePolicy<Kind>({
        needs: [
          { actions: ["secretsmanager:GetSecretValue"], resources: ["empty"] },
          { actions: ["rds:DescribeDBSnapshots"], resources: ["any"] },
          { actions: ["sns:Publish"], resources: ["topic"] },
        ],
        scopes,
        ...base,
      });
      assert.equal(JSON.stringify(policy).includes("secretsmanager"), false);
      assert.deepEqual(
        policy.Statement.slice(4).map((s) => s.Resource),
        ["*", "arn:aws:sns:eu-west-1:1:t"],
      );
      assert.ok(policy.Statement.every((s) => ![s.Action].flat().includes("*")));
    });
  });

  it("knows the partitions of China, GovCloud and the standard regions", () => {
    assert.equal(partitionOf("eu-west-1"), "aws");
    assert.equal(partitionOf("cn-north-1"), "aws-cn");
    assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
    assert.equal(partitionOf("us-isob-east-1"), "aws-iso-b");
  });
});

describe("policies over the IAM size quotas", () => {
  const arns = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => `arn:aws:rds:eu-west-1:111111111111:db:database-${String(i).padStart(40, "0")}`,
    );
  const statement = (resources: string[]): IdentityStatement => ({
    Sid: "Need1",
    Effect: "Allow",
    Action: "rds:CreateDBSnapshot",
    Resource: resources,
  });

  it("packs statements into documents of at most 6,144 characters, splitting a long Resource list, losing none", () => {
    const listed = arns(250);
    const packed = packStatements([statement(listed), { ...statement(listed.slice(0, 3)), Sid: "Need2" }], 6144);
    assert.ok(packed.length >= 4, `${packed.length} documents`);
    for (const doc of packed) assert.ok(policySize(doc) <= 6144, `${policySize(doc)} characters`);
    const granted = packed
      .flatMap((d) => d.Statement)
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    assert.deepEqual(new Set(granted), new Set(listed));
    const sids = packed.flatMap((d) => d.Statement.map((s) => s.Sid));
    assert.equal(new Set(sids).size, sids.length, "Sids unique");
  });

  it("keeps listed ARNs inline while they are small, in managed policies once over the inline budget", () => {
    const needs = [{ actions: ["rds:CreateDBSnapshot"], resources: ["db" as const] }];
    assert.deepEqual(listedPolicies(needs, { db: [{ arns: arns(20) }] }), []);
    const managed = listedPolicies(needs, { db: [{ arns: arns(200) }] });
    assert.ok(managed.length >= 2);
    assert.ok(
      policySize(document(needStatements(needs, { db: [{ arns: arns(200) }] }))) > IAM_POLICY_QUOTAS.managedPolicy,
    );
  });
});

describe("producer step roles at the bounds the config allows", () => {
  // The worst case for the inline policies: the longest region names and partition, ten source keys in ten
  // accounts (listed one by one), a tag selector, and MAX_TRANSIT_REGIONS regions with transit keys.
  const regions = Object.values(Region).sort((a, b) => b.length - a.length || a.localeCompare(b));
  const account = "111111111111";
  const home = regions[0]!;
  const inlineSizes = (transitRegions: number) => {
    const others = regions.slice(1, transitRegions);
    const args = {
      account,
      region: home,
      destinations: others.map((region, i) => ({ account: String(222222222200 + i), region, databases: [] })),
      instances: [],
      clusters: [],
      selectorTags: { "a-selector-tag-key-of-some-length": "and-a-selector-tag-value-of-some-length" },
    };
    const key = (region: string, id: string, owner = account) =>
      `arn:aws-iso-f:kms:${region}:${owner}:key/mrk-${id.padStart(32, "0")}`;
    const scopes = producerScopes(args, {
      announceTopicArn: `arn:aws:sns:${home}:${account}:producer-announce-0a1b2c3`,
      notifyTopicArn: `arn:aws:sns:${home}:${account}:producer-notifications-0a1b2c3`,
      transitKeyArns: Object.fromEntries([home, ...others].map((r) => [r, key(r, "1")])),
      sourceKeyArns: Array.from({ length: SOURCE_KEYS_LISTED }, (_, i) =>
        key(home, String(i), String(333333333300 + i)),
      ),
      databaseStateMachineArn: `arn:aws:states:${home}:${account}:stateMachine:producer-database-state-machine-0a1b2c3`,
    });
    const config = policySize(
      runtimeConfigReadPolicy(
        `arn:aws:ssm:${home}:${account}:parameter/rds-replication/a-stack/producer/runtime-config`,
      ),
    );
    return stepsOf("producer").map((step) => ({
      step: step.key,
      size:
        config +
        policySize(
          stepRolePolicy({
            needs: step.iam,
            scopes,
            logGroupArn: `arn:aws:logs:${home}:${account}:log-group:/rds-replication/${step.key}-20261130024500000000000001`,
            deadLetterQueueArn: `arn:aws:sqs:${home}:${account}:${step.key}-dlq-0a1b2c3`,
            operationsKeyArn: key(home, "2"),
          }),
        ) +
        // Databases named by identifier stay inline up to this much (in the steps that name them).
        (step.iam.some((need) => need.resources.some((k) => k === "source-db-instance" || k === "source-db-cluster"))
          ? LISTED_INLINE_BUDGET
          : 0),
    }));
  };

  it("keeps every producer step role's inline policies within 10,240 characters at MAX_TRANSIT_REGIONS", () => {
    for (const { step, size } of inlineSizes(MAX_TRANSIT_REGIONS))
      assert.ok(size <= IAM_POLICY_QUOTAS.inlinePerRole, `${step}: ${size}`);
    assert.ok(inlineSizes(MAX_TRANSIT_REGIONS + 2).some(({ size }) => size > IAM_POLICY_QUOTAS.inlinePerRole));
  });

  it("grants more than SOURCE_KEYS_LISTED source keys per account and region, still only those accounts", () => {
    const keys = Array.from(
      { length: 30 },
      (_, i) => `arn:aws:kms:eu-west-1:${i % 2 ? "111111111111" : "333333333333"}:key/k${i}`,
    );
    assert.deepEqual(sourceKeyScope(keys), [
      "arn:aws:kms:eu-west-1:111111111111:key/*",
      "arn:aws:kms:eu-west-1:333333333333:key/*",
    ]);
    assert.deepEqual(sourceKeyScope(keys.slice(0, SOURCE_KEYS_LISTED)), [...keys.slice(0, SOURCE_KEYS_LISTED)].sort());
  });
});
