import * as assert from "node:assert/strict";
import { layerPackages } from "../../../components/lambda";
import { SNAPSHOT_EVENT_IDS } from "../../../components/producer";
import { producerDatabaseDefinition, producerDispatchDefinition } from "../../../components/stateMachines";
import { stepsOf } from "../../../functions/catalog";
import { producerConfigSchema } from "../../../functions/contracts/runtimeConfig";
import { SNAPSHOT_CREATED_EVENTS } from "../../../functions/steps/producer/plan";
import {
  archiveAssets,
  evaluateStack,
  type StackEvaluation,
  sourceDatabaseKey,
  stackFileConfig,
} from "../../../testkit";
import {
  assertLeastPrivilege,
  expectedStepChildren,
  policyOf,
  runtimeConfigOf,
  shortKey,
  statementsWith,
} from "./stackAssertions";

const STEPS = stepsOf("producer");

/** The destinations of Pulumi.source.yaml, each with its receipt topic. */
const RECEIPT_TOPICS = ["222222222222-eu-central-1", "333333333333-eu-west-1"];

describe("source stack (Pulumi.source.yaml under mocks)", () => {
  let stack: StackEvaluation;
  const arn = (name: string) => String(stack.named(name).state.arn);

  before(async () => {
    stack = await evaluateStack({ config: stackFileConfig("source") });
  });

  it("creates exactly the expected children of one SnapshotProducer, each parented to it", () => {
    const expected = [
      "rds-replication:index:SnapshotProducer producer",
      "aws:ssm/parameter:Parameter producer-runtime-config",
      "aws:kms/key:Key producer-transit-key-eu-west-1",
      "aws:kms/key:Key producer-transit-key-eu-central-1",
      "aws:kms/key:Key producer-operations-key",
      "aws:kms/key:Key producer-receipts-key",
      ...RECEIPT_TOPICS.flatMap((t) => [
        `aws:sns/topic:Topic producer-receipts-${t}`,
        `aws:sns/topicPolicy:TopicPolicy producer-receipts-${t}-policy`,
        `aws:lambda/permission:Permission producer-receipts-${t}-permission`,
        `aws:sns/topicSubscription:TopicSubscription producer-receipts-${t}-subscription`,
      ]),
      "aws:sns/topic:Topic producer-announce",
      "aws:sns/topicPolicy:TopicPolicy producer-announce-policy",
      "aws:sns/topic:Topic producer-notifications",
      "aws:sns/topicPolicy:TopicPolicy producer-notifications-policy",
      "aws:sns/topicSubscription:TopicSubscription producer-notifications-dba@example.com",
      "aws:lambda/layerVersion:LayerVersion producer-layer",
      "aws:dynamodb/table:Table producer-admission",
      ...STEPS.flatMap((s) => expectedStepChildren("producer", s)),
      ...["producer", "producer-database"].flatMap((machine) => [
        `aws:iam/role:Role ${machine}-state-machine-role`,
        `aws:iam/rolePolicy:RolePolicy ${machine}-state-machine-policy`,
        `aws:cloudwatch/logGroup:LogGroup ${machine}-state-machine-logs`,
        `aws:sfn/stateMachine:StateMachine ${machine}-state-machine`,
        `aws:cloudwatch/metricAlarm:MetricAlarm ${machine}-state-machine-ExecutionsFailed`,
        `aws:cloudwatch/metricAlarm:MetricAlarm ${machine}-state-machine-ExecutionsTimedOut`,
        `aws:cloudwatch/metricAlarm:MetricAlarm ${machine}-state-machine-ExecutionsAborted`,
      ]),
      "aws:cloudwatch/dashboard:Dashboard producer-dashboard",
      "aws:iam/role:Role producer-events-role",
      "aws:iam/rolePolicy:RolePolicy producer-events-policy",
      "aws:cloudwatch/eventRule:EventRule producer-instance-snapshots",
      "aws:cloudwatch/eventTarget:EventTarget producer-instance-snapshots-target",
      "aws:cloudwatch/eventRule:EventRule producer-cluster-snapshots",
      "aws:cloudwatch/eventTarget:EventTarget producer-cluster-snapshots-target",
      "aws:cloudwatch/eventRule:EventRule producer-schedule",
      "aws:cloudwatch/eventTarget:EventTarget producer-schedule-target",
      // Copy-finished events: the source region's rule to the handler, eu-central-1's forwarded to it.
      "aws:cloudwatch/eventRule:EventRule producer-copy-events",
      "aws:cloudwatch/eventTarget:EventTarget producer-copy-events",
      "aws:lambda/permission:Permission producer-copy-events-permission",
      "aws:iam/role:Role producer-copy-events-forward",
      "aws:iam/rolePolicy:RolePolicy producer-copy-events-forward",
      "aws:cloudwatch/eventRule:EventRule producer-copy-events-eu-central-1",
      "aws:cloudwatch/eventTarget:EventTarget producer-copy-events-eu-central-1",
    ];
    const seen = stack.resources.map((r) => `${r.type} ${r.name}`);
    assert.deepEqual([...seen].sort(), [...expected].sort());
    assert.equal(new Set(seen).size, seen.length, "no duplicate (type, name)");
    for (const r of stack.resources.filter((r) => r.name !== "producer")) assert.equal(r.parent, "producer", r.name);
  });

  it("puts the second region's key in that region with its own `region`, under the stack's provider", () => {
    const key = stack.named("producer-transit-key-eu-central-1");
    assert.equal(key.inputs.region, "eu-central-1");
    assert.equal(key.region, "eu-central-1");
    assert.equal(stack.named("producer-transit-key-eu-west-1").inputs.region, undefined);
    // No explicit provider: it would drop the stack's aws:assumeRoles, aws:defaultTags, aws:allowedAccountIds.
    assert.deepEqual(stack.ofType("pulumi:providers:aws"), []);
    assert.deepEqual(
      stack.resources.filter((r) => r.provider !== undefined).map((r) => r.name),
      [],
    );
  });

  it("rotates every key and lets a destination account use only the key of its region, through RDS", () => {
    for (const name of [
      "producer-transit-key-eu-west-1",
      "producer-transit-key-eu-central-1",
      "producer-operations-key",
    ])
      assert.equal(stack.named(name).inputs.enableKeyRotation, true, name);
    const grantees = (name: string, region: string) => {
      const statements = policyOf(stack.named(name).inputs.policy).Statement.filter((s) =>
        s.Sid?.startsWith("DestinationAccounts"),
      );
      for (const s of statements)
        assert.deepEqual(
          s.Condition?.StringEquals,
          { "kms:ViaService": `rds.${region}.amazonaws.com` },
          `${name} ${s.Sid}`,
        );
      if (statements.length > 0)
        assert.deepEqual(statements.find((s) => s.Sid?.endsWith("Grant"))?.Condition?.Bool, {
          "kms:GrantIsForAWSResource": true,
        });
      return statements.flatMap((s) => [(s.Principal as { AWS: string[] }).AWS].flat());
    };
    assert.deepEqual(
      [...new Set(grantees("producer-transit-key-eu-central-1", "eu-central-1"))],
      ["arn:aws:iam::222222222222:root"],
    );
    assert.deepEqual(
      [...new Set(grantees("producer-transit-key-eu-west-1", "eu-west-1"))],
      ["arn:aws:iam::333333333333:root"],
    );
    assert.deepEqual(grantees("producer-operations-key", "eu-west-1"), []);
  });

  it("encrypts the announcement topic and lets only the destination accounts subscribe a Lambda", () => {
    const topic = stack.named("producer-announce");
    assert.equal(topic.inputs.kmsMasterKeyId, arn("producer-operations-key"));
    const topicPolicy = stack.named("producer-announce-policy");
    assert.equal(topicPolicy.inputs.arn, arn("producer-announce"));
    const statements = policyOf(topicPolicy.inputs.policy).Statement;
    assert.deepEqual(statements[0].Condition, { Bool: { "aws:SecureTransport": false } });
    assert.equal(statements[0].Effect, "Deny");
    const allows = statements.filter((s) => s.Effect === "Allow");
    assert.deepEqual(
      allows.map((s) => [s.Principal, s.Action, s.Resource, s.Condition]),
      ["222222222222", "333333333333"].map((account) => [
        { AWS: `arn:aws:iam::${account}:root` },
        "sns:Subscribe",
        arn("producer-announce"),
        {
          StringEquals: { "sns:Protocol": "lambda" },
          StringLike: { "sns:Endpoint": `arn:aws:lambda:*:${account}:function:*` },
        },
      ]),
    );
  });

  it("sends notifications to the configured email, on an encrypted TLS-only topic", () => {
    assert.equal(stack.named("producer-notifications").inputs.kmsMasterKeyId, arn("producer-operations-key"));
    const sub = stack.named("producer-notifications-dba@example.com");
    assert.deepEqual(
      [sub.inputs.protocol, sub.inputs.endpoint, sub.inputs.topic],
      ["email", "dba@example.com", arn("producer-notifications")],
    );
    assert.equal(
      policyOf(stack.named("producer-notifications-policy").inputs.policy).Statement[0].Sid,
      "DenyInsecureTransport",
    );
  });

  it("one rule per event family targets the state machine directly with a role that may only start it", () => {
    const pattern = (name: string) => JSON.parse(String(stack.named(name).inputs.eventPattern));
    assert.deepEqual(pattern("producer-instance-snapshots"), {
      source: ["aws.rds"],
      "detail-type": ["RDS DB Snapshot Event"],
      detail: { EventID: ["RDS-EVENT-0042", "RDS-EVENT-0091"] },
    });
    assert.deepEqual(pattern("producer-cluster-snapshots").detail, { EventID: ["RDS-EVENT-0075", "RDS-EVENT-0169"] });
    assert.equal(stack.named("producer-schedule").inputs.scheduleExpression, "cron(0 2 * * ? *)");
    for (const rule of ["producer-instance-snapshots", "producer-cluster-snapshots", "producer-schedule"]) {
      const target = stack.named(`${rule}-target`);
      assert.equal(target.inputs.arn, arn("producer-state-machine"), rule);
      assert.equal(target.inputs.roleArn, arn("producer-events-role"), rule);
      assert.equal(target.inputs.rule, rule);
    }
    assert.deepEqual(JSON.parse(String(stack.named("producer-schedule-target").inputs.input)), { trigger: "schedule" });
    assert.equal(stack.named("producer-instance-snapshots-target").inputs.input, undefined);
    assert.deepEqual(policyOf(stack.named("producer-events-policy").inputs.policy).Statement, [
      {
        Sid: "StartProducer",
        Effect: "Allow",
        Action: "states:StartExecution",
        Resource: arn("producer-state-machine"),
      },
    ]);
    assert.deepEqual(policyOf(stack.named("producer-events-role").inputs.assumeRolePolicy).Statement[0].Principal, {
      Service: "events.amazonaws.com",
    });
  });

  it("the rules' event ids are exactly the ones the plan step accepts", () => {
    for (const kind of ["instance", "cluster"] as const)
      assert.deepEqual(Object.values(SNAPSHOT_EVENT_IDS[kind]).sort(), [...SNAPSHOT_CREATED_EVENTS[kind]].sort());
  });

  it("runs the dispatch over plan and notify, the per-database definition over the other Lambdas", () => {
    const functionArns = Object.fromEntries(STEPS.map((s) => [s.key, arn(`producer-${shortKey(s)}`)]));
    const only = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, functionArns[k]!]));
    const dispatchKeys = ["producer-plan", "producer-notify"];
    // The copy-finished event handler is an EventBridge target and SNS invokes the receipt step: never Tasks.
    const databaseKeys = STEPS.map((s) => s.key).filter(
      (k) => !["producer-plan", "producer-copy-event", "producer-receipt"].includes(k),
    );
    for (const [machineName, definition, keys] of [
      ["producer", producerDispatchDefinition(only(dispatchKeys)), dispatchKeys],
      ["producer-database", producerDatabaseDefinition(only(databaseKeys)), databaseKeys],
    ] as const) {
      const machine = stack.named(`${machineName}-state-machine`);
      assert.deepEqual(JSON.parse(String(machine.inputs.definition)), definition);
      assert.equal(machine.inputs.roleArn, arn(`${machineName}-state-machine-role`));
      assert.deepEqual(machine.inputs.loggingConfiguration, {
        level: "ERROR",
        includeExecutionData: false,
        logDestination: `${arn(`${machineName}-state-machine-logs`)}:*`,
      });
      const invoke = policyOf(stack.named(`${machineName}-state-machine-policy`).inputs.policy).Statement.find(
        (s) => s.Sid === "InvokeOwnSteps",
      )!;
      const fns = keys.map((k) => functionArns[k]!).sort();
      assert.deepEqual([invoke.Resource].flat().sort(), [...fns, ...fns.map((f) => `${f}:*`)].sort());
    }
    // The plan step starts the per-database runs: it is told which machine, and may start and read only its runs.
    const plan = stack.named("producer-plan");
    const databaseMachine = arn("producer-database-state-machine");
    assert.equal(
      (plan.inputs.environment as { variables: Record<string, string> }).variables.STATE_MACHINE_ARN,
      databaseMachine,
    );
    const policy = policyOf(stack.named("producer-plan-policy").inputs.policy);
    assert.deepEqual(
      statementsWith(policy, "states:StartExecution").map((s) => s.Resource),
      [databaseMachine],
    );
    assert.deepEqual(
      statementsWith(policy, "states:DescribeExecution").map((s) => s.Resource),
      [
        [
          `${databaseMachine.replace(":stateMachine:", ":execution:")}:*`,
          `${databaseMachine.replace(":stateMachine:", ":express:")}:*:*`,
        ],
      ],
    );
  });

  it("state machine log groups are under /aws/vendedlogs/ (CloudWatch Logs resource-policy size)", () => {
    for (const machineName of ["producer", "producer-database"]) {
      const group = stack.named(`${machineName}-state-machine-logs`);
      assert.equal(group.inputs.namePrefix, `/aws/vendedlogs/states/rds-replication-${machineName}-`);
    }
  });

  it("each Lambda has its own role, runtime, layer, DLQ, log group, reserved concurrency and the runtime config", () => {
    const layerArn = arn("producer-layer");
    for (const step of STEPS) {
      const name = `producer-${shortKey(step)}`;
      const fn = stack.named(name);
      assert.equal(fn.inputs.role, arn(`${name}-role`), name);
      assert.equal(fn.inputs.runtime, "nodejs22.x");
      assert.deepEqual(fn.inputs.layers, [layerArn]);
      assert.deepEqual(fn.inputs.deadLetterConfig, { targetArn: arn(`${name}-dlq`) });
      // Only the copy start reserves (1, for correctness); the stack file sets no optional reservation.
      assert.equal(fn.inputs.reservedConcurrentExecutions, step.key === "producer-transit" ? 1 : undefined, name);
      assert.deepEqual(fn.inputs.tracingConfig, { mode: "Active" });
      assert.equal((fn.inputs.loggingConfig as { logGroup: string }).logGroup, stack.named(`${name}-logs`).state.name);
      assert.equal(fn.inputs.timeout, step.timeoutSeconds);
      const { variables, config: stored } = runtimeConfigOf(stack, "producer", name);
      const extra = step.key === "producer-plan" ? ["STATE_MACHINE_ARN"] : [];
      assert.deepEqual(Object.keys(variables), ["RDS_REPLICATION_CONFIG_PARAMETER", ...extra]);
      const config = producerConfigSchema().parse(stored);
      assert.deepEqual(config, {
        version: 1,
        account: "111111111111",
        region: "eu-west-1",
        transitKeyArns: {
          "eu-west-1": arn("producer-transit-key-eu-west-1"),
          "eu-central-1": arn("producer-transit-key-eu-central-1"),
        },
        databases: { identifiers: ["orders-db", "billing-aurora"], tags: { "replicate-to-dr": "true" } },
        destinations: [
          { account: "222222222222", region: "eu-central-1", databases: ["orders-db", "billing-aurora"] },
          { account: "333333333333", region: "eu-west-1", databases: [] },
        ],
        announceTopicArn: arn("producer-announce"),
        notifyTopicArn: arn("producer-notifications"),
        admissionTable: "producer-admission",
        receiptTopics: RECEIPT_TOPICS.map((t) => ({
          topicArn: arn(`producer-receipts-${t}`),
          account: t.slice(0, 12),
          region: t.slice(13),
        })),
        transit: { keep: 2, graceHours: 24, deletionsEnabled: false },
        replicateUnencryptedClusters: false,
        optionGroups: {},
      });
      assert.equal(stack.named(`${name}-logs`).inputs.kmsKeyId, arn("producer-operations-key"));
      assert.equal(stack.named(`${name}-logs`).inputs.retentionInDays, 90);
      assert.equal(stack.named(`${name}-dlq`).inputs.kmsMasterKeyId, arn("producer-operations-key"));
      assert.deepEqual(stack.named(`${name}-errors`).inputs.alarmActions, [arn("producer-notifications")]);
      assert.deepEqual(stack.named(`${name}-dlq-depth`).inputs.alarmActions, [arn("producer-notifications")]);
    }
  });

  it("role policies grant the catalog's needs on concrete ARNs, and nothing broad", () => {
    const policies = Object.fromEntries(
      STEPS.map((s) => [s.key, policyOf(stack.named(`producer-${shortKey(s)}-policy`).inputs.policy)]),
    );
    for (const step of STEPS) {
      assert.equal(stack.named(`producer-${shortKey(step)}-policy`).inputs.role, `producer-${shortKey(step)}-role-id`);
      assertLeastPrivilege(policies[step.key], step.key);
    }
    // Snapshots of the selected databases: explicit ones by ARN, tag-selected ones only with the tags.
    const create = statementsWith(policies["producer-snapshot"], "rds:CreateDBSnapshot");
    assert.deepEqual(
      create.map((s) => [s.Resource, s.Condition]),
      [
        [
          [
            "arn:aws:rds:eu-central-1:111111111111:snapshot:*",
            "arn:aws:rds:eu-west-1:111111111111:db:orders-db",
            "arn:aws:rds:eu-west-1:111111111111:snapshot:*",
          ],
          undefined,
        ],
        ["arn:aws:rds:eu-west-1:111111111111:db:*", { StringEquals: { "aws:ResourceTag/replicate-to-dr": "true" } }],
      ],
    );
    const transitKeys = [arn("producer-transit-key-eu-central-1"), arn("producer-transit-key-eu-west-1")].sort();
    // The keys RDS reports for the configured databases: a transit copy decrypts their snapshots.
    const sourceKeys = ["orders-db", "billing-aurora"].map((id) => sourceDatabaseKey("111111111111", "eu-west-1", id));
    // Every transit and source key, whether in one statement or one per key region, only through RDS there.
    const grants = statementsWith(policies["producer-transit"], "kms:CreateGrant");
    const granting = grants.flatMap((s) => [s.Resource ?? []].flat());
    assert.deepEqual([...new Set(granting)].sort(), [...transitKeys, ...sourceKeys].sort());
    for (const s of grants.filter((g) => [g.Resource ?? []].flat().some((r) => sourceKeys.includes(r))))
      assert.deepEqual(s.Condition?.StringEquals, { "kms:ViaService": "rds.eu-west-1.amazonaws.com" });
    assert.deepEqual(
      statementsWith(policies["producer-publish"], "sns:Publish").map((s) => s.Resource),
      [arn("producer-announce")],
    );
    assert.deepEqual(
      statementsWith(policies["producer-notify"], "sns:Publish").map((s) => s.Resource),
      [arn("producer-notifications")],
    );
    for (const s of statementsWith(policies["producer-prune"], "rds:DeleteDBSnapshot"))
      assert.deepEqual(s.Condition, { StringEquals: { "aws:ResourceTag/managed-by": "rds-replication" } });
    assert.equal(JSON.stringify(policies["producer-plan"]).includes("sns:Publish"), false);
  });

  it("grants the transit step the configured keys of tag-selected databases, and no key of an unencrypted one", async () => {
    const configured = "arn:aws:kms:eu-west-1:111111111111:key/tag-selected-databases";
    const other = await evaluateStack({
      config: { ...stackFileConfig("source"), "rds-replication:sourceKeyArns": [configured] },
      databaseKeys: { "orders-db": "" },
    });
    const policy = policyOf(other.named("producer-transit-policy").inputs.policy);
    const decrypting = statementsWith(policy, "kms:Decrypt").flatMap((s) => [s.Resource ?? []].flat());
    assert.ok(decrypting.includes(configured), decrypting.join(", "));
    assert.ok(decrypting.includes(sourceDatabaseKey("111111111111", "eu-west-1", "billing-aurora")));
    assert.ok(!decrypting.some((key) => key.includes("orders-db")), "orders-db is unencrypted: it has no key");
  });

  it("exports what a dest stack needs", () => {
    assert.deepEqual(stack.outputs, {
      role: "source",
      account: "111111111111",
      region: "eu-west-1",
      regions: ["eu-west-1", "eu-central-1"],
      destinations: [
        { account: "222222222222", region: "eu-central-1" },
        { account: "333333333333", region: "eu-west-1" },
      ],
      announcementVersion: 1,
      // The databases it sends where: a dest stack checks its refresh targets against them.
      databases: {
        instances: ["orders-db"],
        clusters: ["billing-aurora"],
        byTags: true,
        perDestination: [
          { account: "222222222222", region: "eu-central-1", databases: ["orders-db", "billing-aurora"] },
          { account: "333333333333", region: "eu-west-1", databases: [] },
        ],
      },
      announceTopicArn: arn("producer-announce"),
      transitKeyArns: {
        "eu-west-1": arn("producer-transit-key-eu-west-1"),
        "eu-central-1": arn("producer-transit-key-eu-central-1"),
      },
      // Where each destination sends its receipts (only that account may publish there).
      receiptTopics: RECEIPT_TOPICS.map((t) => ({
        account: t.slice(0, 12),
        region: t.slice(13),
        topicArn: arn(`producer-receipts-${t}`),
        keyArn: arn("producer-receipts-key"),
      })),
      notifyTopicArn: arn("producer-notifications"),
      stateMachineArn: arn("producer-state-machine"),
    });
  });

  it("deploys each Lambda as its serialized handler alone: no AWS SDK, no Pulumi, no node_modules", async () => {
    for (const fn of stack.ofType("aws:lambda/function:Function")) {
      const assets = await archiveAssets(fn.inputs.code);
      assert.deepEqual(Object.keys(assets), ["__index.js"], fn.name);
      const text = await (assets["__index.js"] as { text: Promise<string> }).text;
      assert.ok(text.length < 100_000, `${fn.name}: ${text.length} bytes`);
      assert.doesNotMatch(text, /require\("@pulumi\//, fn.name);
    }
  });

  it("ships zod and Powertools once, in the shared layer, without the AWS SDK", async () => {
    const assets = await archiveAssets(stack.named("producer-layer").inputs.code);
    const packages = layerPackages();
    assert.deepEqual(Object.keys(assets).sort(), packages.map((p) => `nodejs/node_modules/${p}`).sort());
    for (const p of [
      "zod",
      "@aws-lambda-powertools/logger",
      "@aws-lambda-powertools/metrics",
      "@aws-lambda-powertools/commons",
    ])
      assert.ok(packages.includes(p), p);
    assert.ok(
      packages.every((p) => !p.startsWith("@aws-sdk/") && !p.startsWith("@smithy/") && !p.startsWith("@pulumi/")),
    );
    assert.deepEqual(stack.named("producer-layer").inputs.compatibleRuntimes, ["nodejs22.x"]);
  });
});
