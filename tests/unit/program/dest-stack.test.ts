import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { checkSource } from "../../../components/consumer";
import type { SourceOutputs } from "../../../components/sourceOutputs";
import { consumerDefinition } from "../../../components/stateMachines";
import { stepsOf } from "../../../functions/catalog";
import { consumerConfigSchema, STATE_MACHINE_VARIABLE } from "../../../functions/contracts/runtimeConfig";
import { ConfigError, DeployTargetError } from "../../../stack/config";
import { evaluateStack, lastEvaluationResources, type StackEvaluation, stackFileConfig } from "../../../testkit";
import {
  assertLeastPrivilege,
  expectedStepChildren,
  policyOf,
  runtimeConfigOf,
  shortKey,
  statementsWith,
} from "./stackAssertions";

const STEPS = stepsOf("consumer");
const SOURCE_STACK = "acme/rds-replication/source";
const destConfig = stackFileConfig("dest");

describe("dest stack (Pulumi.dest.yaml under mocks, wired to the source stack's outputs)", () => {
  let source: Record<string, unknown>;
  let stack: StackEvaluation;
  const arn = (name: string) => String(stack.named(name).state.arn);
  const evaluateDest = (config: Record<string, unknown>, extra: Partial<Parameters<typeof evaluateStack>[0]> = {}) =>
    evaluateStack({ config, stackOutputs: { [SOURCE_STACK]: source }, ...extra });

  before(async () => {
    source = (await evaluateStack({ config: stackFileConfig("source") })).outputs;
    stack = await evaluateDest(destConfig);
  });

  it("creates exactly the expected children of one SnapshotConsumer, each parented to it", () => {
    const expected = [
      "rds-replication:index:SnapshotConsumer consumer",
      "aws:kms/key:Key consumer-key",
      "aws:kms/key:Key consumer-operations-key",
      "aws:sns/topic:Topic consumer-notifications",
      "aws:sns/topicPolicy:TopicPolicy consumer-notifications-policy",
      "aws:sns/topicSubscription:TopicSubscription consumer-notifications-dev-team@example.com",
      "aws:lambda/layerVersion:LayerVersion consumer-layer",
      "aws:dynamodb/table:Table consumer-admission",
      ...STEPS.flatMap((s) => expectedStepChildren("consumer", s)),
      "aws:iam/role:Role consumer-state-machine-role",
      "aws:iam/rolePolicy:RolePolicy consumer-state-machine-policy",
      "aws:cloudwatch/logGroup:LogGroup consumer-state-machine-logs",
      "aws:sfn/stateMachine:StateMachine consumer-state-machine",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-state-machine-ExecutionsFailed",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-state-machine-ExecutionsTimedOut",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-state-machine-ExecutionsAborted",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-replication-lag",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-replication-lag-orders-db",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-manual-snapshots-instance",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-manual-snapshots-cluster",
      "aws:cloudwatch/eventRule:EventRule consumer-key-loss",
      "aws:cloudwatch/eventTarget:EventTarget consumer-key-loss",
      "aws:cloudwatch/eventRule:EventRule consumer-copy-events",
      "aws:cloudwatch/eventTarget:EventTarget consumer-copy-events",
      "aws:lambda/permission:Permission consumer-copy-events-permission",
      "aws:cloudwatch/dashboard:Dashboard consumer-dashboard",
      "aws:ssm/parameter:Parameter consumer-runtime-config",
      "aws:sns/topicSubscription:TopicSubscription consumer-intake-acme-rds-replication-source",
      "aws:lambda/permission:Permission consumer-intake-acme-rds-replication-source-permission",
      "aws:secretsmanager/secret:Secret consumer-restore-secret-orders-db",
      "aws:secretsmanager/secretVersion:SecretVersion consumer-restore-secret-value-orders-db",
      "aws:secretsmanager/secret:Secret consumer-restore-secret-billing-aurora",
      "aws:secretsmanager/secretVersion:SecretVersion consumer-restore-secret-value-billing-aurora",
      "awsx:ec2:Vpc consumer-restore-network",
      "aws:rds/subnetGroup:SubnetGroup consumer-restore-subnets",
      "aws:ec2/securityGroup:SecurityGroup consumer-restore-sg",
      // The restore test of orders-db: its state machine (alarmed like the main one), schedule and RTO alarm.
      "aws:iam/role:Role consumer-restore-test-state-machine-role",
      "aws:iam/rolePolicy:RolePolicy consumer-restore-test-state-machine-policy",
      "aws:cloudwatch/logGroup:LogGroup consumer-restore-test-state-machine-logs",
      "aws:sfn/stateMachine:StateMachine consumer-restore-test-state-machine",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-restore-test-state-machine-ExecutionsFailed",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-restore-test-state-machine-ExecutionsTimedOut",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-restore-test-state-machine-ExecutionsAborted",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-restore-test-rto-orders-db",
      "aws:cloudwatch/metricAlarm:MetricAlarm consumer-restore-test-rto-billing-aurora",
      "aws:iam/role:Role consumer-restore-test-events-role",
      "aws:iam/rolePolicy:RolePolicy consumer-restore-test-events-policy",
      "aws:cloudwatch/eventRule:EventRule consumer-restore-test-orders-db",
      "aws:cloudwatch/eventTarget:EventTarget consumer-restore-test-orders-db-target",
      "aws:cloudwatch/eventRule:EventRule consumer-restore-test-billing-aurora",
      "aws:cloudwatch/eventTarget:EventTarget consumer-restore-test-billing-aurora-target",
    ];
    const seen = stack.resources.map((r) => `${r.type} ${r.name}`);
    assert.deepEqual([...seen].sort(), [...expected].sort());
    assert.equal(new Set(seen).size, seen.length, "no duplicate (type, name)");
    for (const r of stack.resources.filter((r) => r.name !== "consumer")) assert.equal(r.parent, "consumer", r.name);
  });

  it("physical names carry the project and stack (the program's namePrefix), as before the components took it", () => {
    assert.equal(stack.named("consumer-runtime-config").inputs.name, "/rds-replication/test/consumer/runtime-config");
    assert.equal(stack.named("consumer-layer").inputs.layerName, "rds-replication-test-consumer-layer");
    assert.equal(stack.named("consumer-dashboard").inputs.dashboardName, "rds-replication-test-consumer");
  });

  it("subscribes its intake Lambda to the source topic, in the topic's region, and lets only that topic invoke it", () => {
    const subscription = stack.named("consumer-intake-acme-rds-replication-source");
    assert.equal(subscription.inputs.topic, source.announceTopicArn);
    assert.equal(subscription.inputs.protocol, "lambda");
    assert.equal(subscription.inputs.endpoint, arn("consumer-intake"));
    // The topic's region as the subscription's own `region`, under the stack's provider and its settings.
    assert.equal(subscription.inputs.region, source.region);
    assert.equal(subscription.provider, undefined);
    assert.equal(subscription.region, "eu-west-1");
    assert.deepEqual(stack.ofType("pulumi:providers:aws"), []);
    const permission = stack.named("consumer-intake-acme-rds-replication-source-permission");
    assert.deepEqual(
      [permission.inputs.action, permission.inputs.principal, permission.inputs.sourceArn, permission.inputs.function],
      ["lambda:InvokeFunction", "sns.amazonaws.com", source.announceTopicArn, "consumer-intake"],
    );
    assert.equal(permission.region, "eu-central-1");
  });

  it("its own key never names the source account and lets the copy roles use it through RDS only", () => {
    const key = stack.named("consumer-key");
    assert.equal(key.inputs.enableKeyRotation, true);
    const text = String(key.inputs.policy);
    assert.equal(text.includes(String(source.account)), false);
    const use = policyOf(text).Statement.find((s) => s.Sid === "CopyRolesThroughRdsUse")!;
    const keyUsers = STEPS.filter((s) => s.iam.some((n) => n.resources.includes("own-key"))).map((s) =>
      arn(`consumer-${shortKey(s)}-role`),
    );
    assert.deepEqual(keyUsers.length > 0, true);
    assert.deepEqual(use.Principal, { AWS: [...keyUsers].sort() });
    assert.deepEqual(use.Condition, { StringEquals: { "kms:ViaService": "rds.eu-central-1.amazonaws.com" } });
  });

  it("the copy role reads the source's shared snapshots and its transit key for this region, nothing else of the source", () => {
    const copy = policyOf(stack.named("consumer-copy-policy").inputs.policy);
    assertLeastPrivilege(copy, "consumer-copy");
    const keys = (source.transitKeyArns as Record<string, string>) ?? {};
    const grant = statementsWith(copy, "kms:CreateGrant").flatMap((s) => [s.Resource].flat());
    assert.deepEqual(grant.sort(), [arn("consumer-key"), keys["eu-central-1"]].sort());
    assert.equal(grant.includes(keys["eu-west-1"]), false);
    const copies = statementsWith(copy, "rds:CopyDBSnapshot").flatMap((s) => [s.Resource].flat());
    assert.deepEqual(copies.sort(), [
      "arn:aws:rds:eu-central-1:111111111111:cluster-snapshot:*",
      "arn:aws:rds:eu-central-1:111111111111:snapshot:*",
      "arn:aws:rds:eu-central-1:222222222222:cluster-snapshot:*",
      "arn:aws:rds:eu-central-1:222222222222:snapshot:*",
    ]);
  });

  it("every role is least privilege; the intake may start only its state machine; restores stay within the prefix", () => {
    for (const step of STEPS)
      assertLeastPrivilege(policyOf(stack.named(`consumer-${shortKey(step)}-policy`).inputs.policy), step.key);
    const intake = policyOf(stack.named("consumer-intake-policy").inputs.policy);
    assert.deepEqual(
      statementsWith(intake, "states:StartExecution").map((s) => s.Resource),
      [arn("consumer-state-machine")],
    );
    const restore = policyOf(stack.named("consumer-restore-policy").inputs.policy);
    const targets = statementsWith(restore, "rds:RestoreDBInstanceFromDBSnapshot").flatMap((s) => [s.Resource].flat());
    // `prefix-*`: orders-dev-* never matches orders-development-main.
    assert.ok(targets.includes("arn:aws:rds:eu-central-1:222222222222:db:orders-dev-*"));
    assert.ok(targets.includes("arn:aws:rds:eu-central-1:222222222222:db:billing-dev-*"));
    assert.ok(targets.includes("arn:aws:rds:eu-central-1:222222222222:subgrp:consumer-restore-subnets"));
    const secret = statementsWith(
      policyOf(stack.named("consumer-switch-policy").inputs.policy),
      "secretsmanager:PutSecretValue",
    );
    assert.deepEqual(secret.flatMap((s) => [s.Resource].flat()).sort(), [
      arn("consumer-restore-secret-billing-aurora"),
      arn("consumer-restore-secret-orders-db"),
    ]);
  });

  it("runs the engine's consumer definition over its task Lambdas; the intake is not a task", () => {
    const tasks = STEPS.filter((s) => s.key !== "consumer-intake");
    const arns = Object.fromEntries(tasks.map((s) => [s.key, arn(`consumer-${shortKey(s)}`)]));
    assert.deepEqual(
      JSON.parse(String(stack.named("consumer-state-machine").inputs.definition)),
      consumerDefinition(arns),
    );
    const invoke = policyOf(stack.named("consumer-state-machine-policy").inputs.policy).Statement.find(
      (s) => s.Sid === "InvokeOwnSteps",
    )!;
    assert.equal([invoke.Resource].flat().includes(arn("consumer-intake")), false);
  });

  it("reserves concurrency only for the copy start, restore start and switch (one at a time); the others use the account's pool", () => {
    const oneAtATime = ["consumer-copy", "consumer-restore", "consumer-switch"];
    for (const step of STEPS) {
      const fn = stack.named(`consumer-${shortKey(step)}`);
      assert.equal(fn.inputs.reservedConcurrentExecutions, oneAtATime.includes(step.key) ? 1 : undefined, step.key);
    }
  });

  it("with the optional reservedConcurrency: copy start 1, poll watches at least 25, the others the setting", async () => {
    const variant = await evaluateDest({ ...destConfig, "rds-replication:reservedConcurrency": 3 });
    const expected: Record<string, number> = {
      "consumer-copy": 1,
      "consumer-restore": 1,
      "consumer-switch": 1,
      "consumer-poll": 25,
    };
    for (const step of STEPS)
      assert.equal(
        variant.named(`consumer-${shortKey(step)}`).inputs.reservedConcurrentExecutions,
        expected[step.key] ?? 3,
        step.key,
      );
  });

  it("gives every Lambda the consumer runtime config from the source stack's outputs; the intake also the state machine", () => {
    for (const step of STEPS) {
      const { variables: env, config: stored } = runtimeConfigOf(stack, "consumer", `consumer-${shortKey(step)}`);
      const config = consumerConfigSchema().parse(stored);
      // The receipt topic the source made for this account and region (222222222222, eu-central-1).
      assert.deepEqual(config.sources, [
        {
          account: "111111111111",
          region: "eu-west-1",
          topicArn: source.announceTopicArn,
          receiptTopicArn: (source.receiptTopics as { topicArn: string }[])[0]?.topicArn,
        },
      ]);
      assert.equal(config.keyArn, arn("consumer-key"));
      assert.equal(config.notifyTopicArn, arn("consumer-notifications"));
      assert.deepEqual(config.retention, {
        default: { daily: 7, weekly: 5, monthly: 12, yearly: 7 },
        tagKey: "Draco_Lifecycle",
        deletionsEnabled: false,
        maxDeletionsPerRun: 10,
        holdTagKey: "rds-replication:hold",
        minimum: { copies: 3, days: 7 },
        coolingOffHours: 72,
      });
      const network = { subnetGroupName: "consumer-restore-subnets", securityGroupIds: ["sg-0123456789abcdef0"] };
      assert.deepEqual(config.restore, {
        cleanupEnabled: true,
        targets: [
          {
            database: "orders-db",
            kind: "instance",
            instanceClass: "db.t4g.medium",
            ...network,
            secretName: "rds-replication/orders-db",
            instancePrefix: "orders-dev",
            keepInstances: 2,
            maxRestoresPerDay: 2,
          },
          {
            database: "billing-aurora",
            kind: "cluster",
            instanceClass: "db.r6g.large",
            ...network,
            secretName: "rds-replication/billing-aurora",
            instancePrefix: "billing-dev",
            keepInstances: 1,
            maxRestoresPerDay: 2,
          },
        ],
      });
      assert.equal(
        env[STATE_MACHINE_VARIABLE],
        step.key === "consumer-intake" ? arn("consumer-state-machine") : undefined,
      );
    }
  });

  it("creates an isolated network without NAT in the pinned zones, with a subnet group and security group", () => {
    const vpc = stack.named("consumer-restore-network");
    assert.equal(vpc.inputs.cidrBlock, "10.42.0.0/16");
    assert.deepEqual(vpc.inputs.availabilityZoneNames, ["eu-central-1a", "eu-central-1b"]);
    assert.deepEqual(vpc.inputs.natGateways, { strategy: "None" });
    assert.deepEqual(vpc.inputs.subnetSpecs, [{ type: "Isolated", name: "restore" }]);
    assert.deepEqual(stack.named("consumer-restore-subnets").inputs.subnetIds, vpc.state.isolatedSubnetIds);
    const sg = stack.named("consumer-restore-sg");
    assert.equal(sg.inputs.vpcId, vpc.state.vpcId);
    assert.deepEqual(sg.inputs.egress, []);
    assert.deepEqual(
      (sg.inputs.ingress as { self: boolean }[]).map((r) => r.self),
      [true],
    );
  });

  it("creates each target's restore secret under its operations key", () => {
    for (const database of ["orders-db", "billing-aurora"]) {
      const secret = stack.named(`consumer-restore-secret-${database}`);
      assert.equal(secret.inputs.name, `rds-replication/${database}`);
      assert.equal(secret.inputs.kmsKeyId, arn("consumer-operations-key"));
      assert.deepEqual(secret.inputs.tags, { "managed-by": "rds-replication" });
      assert.equal(
        stack.named(`consumer-restore-secret-value-${database}`).inputs.secretId,
        `consumer-restore-secret-${database}-id`,
      );
    }
  });

  it("restore tests: the restore-test definition over its steps, a weekly schedule starting it per database, an RTO alarm", () => {
    const machine = stack.named("consumer-restore-test-state-machine");
    const definition = JSON.parse(String(machine.inputs.definition));
    const tasks = Object.values<{ Type: string; Resource?: string }>(definition.States)
      .filter((s) => s.Type === "Task")
      .map((s) => s.Resource);
    assert.deepEqual(
      [...new Set(tasks)].sort(),
      [
        "consumer-poll",
        "consumer-restore-test-delete",
        "consumer-restore-test-query",
        "consumer-restore-test-report",
        "consumer-restore-test-start",
        "consumer-restore-test-verify",
      ].map((key) => arn(key)),
    );
    const rule = stack.named("consumer-restore-test-orders-db");
    assert.equal(rule.inputs.scheduleExpression, "cron(0 6 ? * SUN *)");
    const target = stack.named("consumer-restore-test-orders-db-target");
    assert.equal(target.inputs.arn, arn("consumer-restore-test-state-machine"));
    assert.deepEqual(JSON.parse(String(target.inputs.input)), { database: "orders-db", kind: "instance" });
    const rto = stack.named("consumer-restore-test-rto-orders-db").inputs;
    assert.equal(rto.metricName, "RestoreTestSeconds");
    assert.equal(rto.threshold, 45 * 60);
    assert.deepEqual(rto.dimensions, {
      service: "rds-replication",
      step: "consumer-restore-test-verify",
      database: "orders-db",
    });
    assert.deepEqual(rto.alarmActions, [arn("consumer-notifications")]);
    const { restoreTests } = runtimeConfigOf(stack, "consumer", "consumer-restore-test-start").config as {
      restoreTests: { database: string; subnetGroupName: string; rtoMinutes: number; dataApiSelect: boolean }[];
    };
    assert.deepEqual(
      restoreTests.map((t) => [t.database, t.rtoMinutes, t.dataApiSelect]),
      [
        ["orders-db", 45, false],
        ["billing-aurora", 60, true],
      ],
    );
    // Only the query step reads the master user secrets RDS makes for test clusters, and only those.
    const query = String(stack.named("consumer-restore-test-query-policy").inputs.policy);
    assert.ok(query.includes(":secret:rds!cluster-*"), query);
    for (const step of STEPS.filter((s) => s.key !== "consumer-restore-test-query"))
      assert.ok(!String(stack.named(`consumer-${shortKey(step)}-policy`).inputs.policy).includes("rds!cluster"));
    assert.equal(restoreTests[0]?.subnetGroupName, stack.named("consumer-restore-subnets").state.name);
  });

  it("alarms on failed executions, Lambda errors, DLQ depth and replication lag to the notifications topic", () => {
    const alarms = stack.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    // Three for the state machine, two per step, the default RPO and the one override of Pulumi.dest.yaml, the
    // manual snapshot quota per kind, the restore test's state machine (three) and the two tests' RTOs.
    assert.equal(alarms.length, 3 + 2 * STEPS.length + 2 + 2 + 3 + 2);
    for (const alarm of alarms)
      assert.deepEqual(alarm.inputs.alarmActions, [arn("consumer-notifications")], alarm.name);
    assert.deepEqual(stack.named("consumer-state-machine-ExecutionsFailed").inputs.dimensions, {
      StateMachineArn: arn("consumer-state-machine"),
    });
    assert.deepEqual(stack.named("consumer-copy-dlq-depth").inputs.dimensions, { QueueName: "consumer-copy-dlq" });
  });

  it("exports its key, state machine, topic, intake, secret and the snapshot-deletion SCP", () => {
    assert.deepEqual(stack.outputs, {
      role: "dest",
      account: "222222222222",
      region: "eu-central-1",
      keyArn: arn("consumer-key"),
      stateMachineArn: arn("consumer-state-machine"),
      notifyTopicArn: arn("consumer-notifications"),
      intakeFunctionArn: arn("consumer-intake"),
      snapshotDeletionGuardScp: stack.outputs.snapshotDeletionGuardScp,
      secretArns: {
        "orders-db": arn("consumer-restore-secret-orders-db"),
        "billing-aurora": arn("consumer-restore-secret-billing-aurora"),
      },
      // How many restored databases exist once cleanup ran: each target's keepInstances.
      restoredInstances: { "orders-db": 2, "billing-aurora": 1 },
    });
    assert.match(String(stack.outputs.snapshotDeletionGuardScp), /"Effect":"Deny"/);
  });

  describe("variants", () => {
    it("restore into an existing subnet group creates no network and passes the given security groups", async () => {
      const targets = (destConfig["rds-replication:refreshTargets"] as object[]).map((t) => ({
        ...t,
        subnetGroupName: "dev-dbs",
        securityGroupIds: ["sg-0aaaaaaaaaaaaaaaa"],
      }));
      const variant = await evaluateDest({
        ...destConfig,
        "rds-replication:refreshTargets": targets,
        "rds-replication:restoreTests": undefined,
        "rds-replication:refreshAvailabilityZones": undefined,
      });
      assert.deepEqual(variant.ofType("awsx:ec2:Vpc"), []);
      assert.deepEqual(variant.ofType("aws:rds/subnetGroup:SubnetGroup"), []);
      const { restore } = runtimeConfigOf(variant, "consumer", "consumer-copy").config as {
        restore: { targets: { subnetGroupName: string; securityGroupIds: string[] }[] };
      };
      for (const target of restore.targets) {
        assert.equal(target.subnetGroupName, "dev-dbs");
        assert.deepEqual(target.securityGroupIds, ["sg-0aaaaaaaaaaaaaaaa"]);
      }
    });

    it("adopts an existing secret it did not create instead of creating one, and grants access to it", async () => {
      const existing = "arn:aws:secretsmanager:eu-central-1:222222222222:secret:rds-replication/orders-db-Q1w2E3";
      const variant = await evaluateDest(destConfig, {
        existingSecrets: [
          { name: "rds-replication/orders-db", arn: existing, tags: {} },
          { name: "rds-replication/orders-db-old", arn: `${existing}-old`, tags: {} },
        ],
      });
      assert.deepEqual(
        variant.ofType("aws:secretsmanager/secret:Secret").map((s) => s.inputs.name),
        ["rds-replication/billing-aurora"],
      );
      const policy = policyOf(variant.named("consumer-switch-policy").inputs.policy);
      assert.deepEqual(
        statementsWith(policy, "secretsmanager:PutSecretValue")
          .flatMap((s) => [s.Resource].flat())
          .sort(),
        [arn("consumer-restore-secret-billing-aurora"), existing],
      );
      assert.equal((variant.outputs.secretArns as Record<string, string>)["orders-db"], existing);
    });

    it("keeps managing the secret it created once it exists", async () => {
      const variant = await evaluateDest(destConfig, {
        existingSecrets: [
          { name: "rds-replication/orders-db", arn: "arn:x", tags: { "managed-by": "rds-replication" } },
        ],
      });
      assert.equal(variant.ofType("aws:secretsmanager/secret:Secret").length, 2);
    });

    it("without restore: no network, no secret, a null restore config and no secret access", async () => {
      const variant = await evaluateDest({
        ...destConfig,
        "rds-replication:refreshTargets": undefined,
        "rds-replication:restoreTests": undefined,
      });
      for (const type of ["awsx:ec2:Vpc", "aws:secretsmanager/secret:Secret", "aws:ec2/securityGroup:SecurityGroup"])
        assert.deepEqual(variant.ofType(type), [], type);
      assert.equal((runtimeConfigOf(variant, "consumer", "consumer-switch").config as { restore: null }).restore, null);
      assert.equal(String(variant.named("consumer-switch-policy").inputs.policy).includes("secretsmanager"), false);
    });

    it("restore tests without refresh targets: the network of refreshNetworkCidr and refreshAvailabilityZones, no secret", async () => {
      const variant = await evaluateDest({
        ...destConfig,
        "rds-replication:refreshTargets": undefined,
        "rds-replication:refreshNetworkCidr": "10.77.0.0/16",
        "rds-replication:refreshAvailabilityZones": ["eu-central-1b", "eu-central-1c"],
      });
      const vpc = variant.named("consumer-restore-network");
      assert.equal(vpc.inputs.cidrBlock, "10.77.0.0/16");
      assert.deepEqual(vpc.inputs.availabilityZoneNames, ["eu-central-1b", "eu-central-1c"]);
      assert.deepEqual(variant.ofType("aws:secretsmanager/secret:Secret"), []);
      const config = runtimeConfigOf(variant, "consumer", "consumer-restore-test-start").config as {
        restore: null;
        restoreTests: { subnetGroupName: string }[];
      };
      assert.equal(config.restore, null);
      assert.equal(config.restoreTests[0]?.subnetGroupName, variant.named("consumer-restore-subnets").state.name);
    });

    it("consumes two source stacks through two references, subscriptions and permissions", async () => {
      const other = {
        ...source,
        account: "444444444444",
        announceTopicArn: "arn:aws:sns:us-east-1:444444444444:producer-announce",
        region: "us-east-1",
      };
      const variant = await evaluateStack({
        config: { ...destConfig, "rds-replication:sources": [SOURCE_STACK, "acme/rds-replication/other"] },
        stackOutputs: { [SOURCE_STACK]: source, "acme/rds-replication/other": other },
      });
      const subscriptions = variant
        .ofType("aws:sns/topicSubscription:TopicSubscription")
        .filter((s) => s.inputs.protocol === "lambda");
      assert.deepEqual(subscriptions.map((s) => [s.inputs.topic, s.region]).sort(), [
        [source.announceTopicArn, "eu-west-1"],
        [other.announceTopicArn, "us-east-1"],
      ]);
      const { sources } = runtimeConfigOf(variant, "consumer", "consumer-intake").config as { sources: unknown[] };
      assert.equal(sources.length, 2);
    });

    it("passes copyTags to the copy step's runtime config as a tag map; none by default", async () => {
      assert.deepEqual(
        consumerConfigSchema().parse(runtimeConfigOf(stack, "consumer", "consumer-copy").config).copyTags,
        {},
      );
      const variant = await evaluateDest({
        ...destConfig,
        "rds-replication:copyTags": ["cost-centre=dr-42", "tier=dr"],
      });
      const stored = runtimeConfigOf(variant, "consumer", "consumer-copy").config;
      assert.deepEqual(consumerConfigSchema().parse(stored).copyTags, { "cost-centre": "dr-42", tier: "dr" });
    });

    it("warns about a key under a misspelt project name and builds the stack without it", async () => {
      const warned: string[] = [];
      const warn = pulumi.log.warn;
      pulumi.log.warn = async (message: string) => {
        warned.push(message);
      };
      try {
        const variant = await evaluateDest({ ...destConfig, "rds-replicaton:holdTagKey": "legal-hold" });
        assert.ok(variant.ofType("rds-replication:index:SnapshotConsumer").length === 1);
      } finally {
        pulumi.log.warn = warn;
      }
      assert.deepEqual(warned, [
        'rds-replicaton:holdTagKey is ignored: "rds-replicaton" is not this project\'s namespace; did you mean rds-replication:holdTagKey?',
      ]);
    });

    it("a bad config fails before any resource is registered", async () => {
      let caught: unknown;
      const config = { ...destConfig, "rds-replication:sources": ["prod"], "rds-replication:maxDeletionsPerRun": -1 };
      try {
        await evaluateDest(config);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof ConfigError, String(caught));
      assert.deepEqual(caught.problems, [
        'rds-replication:sources[0] = "prod": expected a fully qualified stack name org/project/stack',
        "rds-replication:maxDeletionsPerRun = -1: expected a whole number >= 1",
      ]);
      assert.deepEqual(lastEvaluationResources(), []);
    });
  });

  describe("refuses refresh targets its sources do not send here, every problem at once, before any resource", () => {
    const problems = async (targets: object[], sourceOutputs: Record<string, unknown> = source) => {
      let caught: unknown;
      try {
        await evaluateStack({
          config: { ...destConfig, "rds-replication:refreshTargets": targets },
          stackOutputs: { [SOURCE_STACK]: sourceOutputs },
        });
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof ConfigError, String(caught));
      assert.deepEqual(lastEvaluationResources(), []);
      return caught.problems;
    };
    const target = (database: string, kind: string, prefix: string) => ({
      database,
      kind,
      instanceClass: "db.r6g.large",
      secretName: `dev/${database}`,
      instancePrefix: prefix,
    });

    it("a database the source does not send to this account and region, and one of the other kind", async () => {
      assert.deepEqual(
        await problems([target("payroll", "instance", "payroll-dev"), target("orders-db", "cluster", "o")]),
        [
          "rds-replication:refreshTargets[0].database: expected a database a source sends to 222222222222/eu-central-1 (acme/rds-replication/source: orders-db, billing-aurora), not payroll",
          "rds-replication:refreshTargets[1].kind: expected instance: acme/rds-replication/source replicates orders-db as an instance",
        ],
      );
    });

    it("a source stack that predates the databases export", async () => {
      const { databases: _, ...older } = source;
      assert.deepEqual(await problems([target("orders-db", "instance", "o")], older), [
        "source stack acme/rds-replication/source exports no databases: bring it up with this version first",
        "rds-replication:refreshTargets[0].database: expected a database a source sends to 222222222222/eu-central-1 (acme/rds-replication/source: none), not orders-db",
        // Pulumi.dest.yaml's restore tests are checked the same way, in the same report.
        "rds-replication:restoreTests[0].database: expected a database a source sends to 222222222222/eu-central-1 (acme/rds-replication/source: none), not orders-db",
        "rds-replication:restoreTests[1].database: expected a database a source sends to 222222222222/eu-central-1 (acme/rds-replication/source: none), not billing-aurora",
      ]);
    });
  });

  describe("refuses a wrong deploy target before any resource (DeployTargetError)", () => {
    const refused = async (options: { account?: string; region?: string; source?: Record<string, unknown> }) => {
      let caught: unknown;
      try {
        await evaluateStack({
          config: { ...destConfig, ...(options.region ? { "aws:region": options.region } : {}) },
          account: options.account,
          stackOutputs: { [SOURCE_STACK]: options.source ?? source },
        });
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof DeployTargetError, String(caught));
      assert.deepEqual(lastEvaluationResources(), []);
      return caught.message;
    };

    it("the source stack exports its destinations", () => {
      assert.deepEqual(source.destinations, [
        { account: "222222222222", region: "eu-central-1" },
        { account: "333333333333", region: "eu-west-1" },
      ]);
    });

    it("when its credentials act in the source account", async () => {
      assert.match(await refused({ account: "111111111111" }), /account 111111111111, the source account of acme/);
    });

    it("when its account is not a destination of the source", async () => {
      assert.match(
        await refused({ account: "444444444444" }),
        /444444444444\/eu-central-1, which is not a destination/,
      );
    });

    it("when its account is a destination, but in another region", async () => {
      assert.match(
        await refused({ account: "333333333333", region: "eu-central-1" }),
        /333333333333\/eu-central-1, which is not a destination of source stack .* \(222222222222\/eu-central-1, 333333333333\/eu-west-1\)/,
      );
    });

    it("when the source stack predates the destinations export", async () => {
      const { destinations: _, ...older } = source;
      assert.match(await refused({ source: older }), /exports no destinations/);
    });
  });

  describe("checks on the source stack's outputs", () => {
    const outputs = (): SourceOutputs => ({
      account: "111111111111",
      region: "eu-west-1",
      announceTopicArn: "arn:aws:sns:eu-west-1:111111111111:a",
      transitKeyArns: { "eu-west-1": "k1" },
      announcementVersion: 1,
      destinations: [{ account: "222222222222", region: "eu-central-1" }],
      databases: { instances: [], clusters: [], byTags: true, perDestination: [] },
    });
    const here = { account: "222222222222", region: "eu-central-1" };

    it("names the missing destination when the source has no transit key in this region", () => {
      assert.throws(
        () => checkSource("acme/p/s", outputs(), here),
        /source stack acme\/p\/s has no transit key in eu-central-1: add 222222222222\/eu-central-1 to its destinations/,
      );
    });

    it("refuses another announcement format version", () => {
      assert.throws(
        () =>
          checkSource(
            "acme/p/s",
            { ...outputs(), transitKeyArns: { "eu-central-1": "k" }, announcementVersion: 2 },
            here,
          ),
        /announces format version 2; this program reads version 1/,
      );
    });
  });
});
