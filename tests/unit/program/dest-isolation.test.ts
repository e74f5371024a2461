// The dest stack's disaster-recovery isolation, as declared (Pulumi mocks): announcements filtered to this
// account, keys and the restore secret kept when the stack or a resource is deleted by mistake.
import * as assert from "node:assert/strict";
import { keyLossEventPattern } from "../../../components/keyProtection";
import { evaluateStack, type StackEvaluation, stackFileConfig } from "../../../testkit";
import { runtimeConfigOf } from "./stackAssertions";

const SOURCE_STACK = "acme/rds-replication/source";

describe("dest stack: disaster-recovery isolation (Pulumi.dest.yaml under mocks)", () => {
  let stack: StackEvaluation;
  let source: Record<string, unknown>;

  before(async () => {
    source = (await evaluateStack({ config: stackFileConfig("source") })).outputs;
    stack = await evaluateStack({ config: stackFileConfig("dest"), stackOutputs: { [SOURCE_STACK]: source } });
  });

  it("the intake subscription receives only announcements whose destinationAccount is this account", () => {
    const subscription = stack.named("consumer-intake-acme-rds-replication-source");
    assert.equal(subscription.inputs.protocol, "lambda");
    assert.equal(subscription.inputs.filterPolicyScope, "MessageAttributes");
    assert.deepEqual(JSON.parse(String(subscription.inputs.filterPolicy)), { destinationAccount: ["222222222222"] });
  });

  it("alarms at 80 % of the manual snapshot quota, per kind, on the copy step's count", () => {
    for (const kind of ["instance", "cluster"]) {
      const alarm = stack.named(`consumer-manual-snapshots-${kind}`);
      assert.equal(alarm.inputs.metricName, "ManualSnapshots");
      assert.equal(alarm.inputs.namespace, "RdsReplication");
      assert.deepEqual(alarm.inputs.dimensions, { service: "rds-replication", step: "consumer-copy", kind });
      assert.equal(alarm.inputs.threshold, 80);
      assert.equal(alarm.inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
      assert.deepEqual(alarm.inputs.alarmActions, [stack.named("consumer-notifications").state.arn]);
    }
  });

  it("passes the daily copy budget and each source's allowlist to the runtime config", async () => {
    const { config } = runtimeConfigOf(stack, "consumer", "consumer-copy") as {
      config: { copiesPerDatabasePerDay: number; sources: { databases?: string[] }[] };
    };
    assert.equal(config.copiesPerDatabasePerDay, 4);
    assert.equal(config.sources[0]?.databases, undefined, "no allowlist: every database");
    const variant = await evaluateStack({
      config: {
        ...stackFileConfig("dest"),
        "rds-replication:allowedDatabases": [`${SOURCE_STACK}=orders-db`],
        "rds-replication:copiesPerDatabasePerDay": 2,
        "rds-replication:manualSnapshotQuota": 500,
      },
      stackOutputs: { [SOURCE_STACK]: source },
    });
    const limited = runtimeConfigOf(variant, "consumer", "consumer-intake").config as typeof config;
    assert.deepEqual(limited.sources[0]?.databases, ["orders-db"]);
    assert.equal(limited.copiesPerDatabasePerDay, 2);
    assert.equal(variant.named("consumer-manual-snapshots-instance").inputs.threshold, 400);
  });

  it("keeps the copies' key and each refresh target's secret when the stack or the resource is deleted", async () => {
    assert.equal(stack.named("consumer-key").retainOnDelete, true);
    for (const database of ["orders-db", "billing-aurora"])
      assert.equal(stack.named(`consumer-restore-secret-${database}`).retainOnDelete, true, database);
    const sourceStack = await evaluateStack({ config: stackFileConfig("source") });
    const transitKeys = sourceStack.ofType("aws:kms/key:Key").filter((k) => k.name.includes("transit-key"));
    assert.ok(transitKeys.length >= 2, `transit keys: ${transitKeys.map((k) => k.name)}`);
    for (const key of transitKeys) assert.equal(key.retainOnDelete, true, key.name);
  });

  it("notifies the topic when the copies' key is disabled or scheduled for deletion", () => {
    const keyArn = String(stack.named("consumer-key").state.arn);
    const rule = stack.ofType("aws:cloudwatch/eventRule:EventRule").find((r) => r.name === "consumer-key-loss");
    assert.deepEqual(JSON.parse(String(rule?.inputs.eventPattern)), keyLossEventPattern(keyArn));
    assert.deepEqual(keyLossEventPattern(keyArn), {
      source: ["aws.kms"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["kms.amazonaws.com"],
        eventName: ["DisableKey", "ScheduleKeyDeletion"],
        requestParameters: { keyId: [keyArn.split("/").pop(), keyArn] },
      },
    });
    const target = stack.ofType("aws:cloudwatch/eventTarget:EventTarget").find((t) => t.name === "consumer-key-loss");
    const topicArn = String(stack.named("consumer-notifications").state.arn);
    assert.equal(target?.inputs.arn, topicArn);
    const policy = JSON.parse(String(stack.named("consumer-notifications-policy").inputs.policy)) as {
      Statement: { Sid: string; Principal: unknown; Condition: unknown }[];
    };
    const events = policy.Statement.find((st) => st.Sid === "EventBridgeRulesOfThisAccount");
    assert.deepEqual(events?.Principal, { Service: "events.amazonaws.com" });
    assert.deepEqual(events?.Condition, {
      ArnLike: { "aws:SourceArn": "arn:aws:events:*:222222222222:rule/*" },
    });
  });

  it("offers a service control policy that only the roles of the deleting steps escape", () => {
    const scp = JSON.parse(String(stack.outputs.snapshotDeletionGuardScp));
    assert.deepEqual(scp.Statement, [
      {
        Sid: "OnlyRdsReplicationRetentionDeletesSnapshots",
        Effect: "Deny",
        Action: ["rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"],
        Resource: "*",
        Condition: {
          ArnNotLike: {
            "aws:PrincipalArn": ["consumer-discard-role", "consumer-retention-role"]
              .map((role) => String(stack.named(role).state.arn))
              .sort(),
          },
        },
      },
    ]);
  });
});
