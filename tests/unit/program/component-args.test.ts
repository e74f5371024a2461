// A program that uses the package directly gets the errors the stack program gives: SnapshotProducer and
// SnapshotConsumer check their own args (every problem at once, naming the arg) before any child exists, plain
// values at once and `Input<>` outputs when they resolve. Built through the package entry under mocks.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { consumerInputProblems } from "../../../components/consumer";
import {
  ArgsError,
  SnapshotConsumer,
  type SnapshotConsumerArgs,
  SnapshotProducer,
  type SnapshotProducerArgs,
} from "../../../components/index";
import { checkInputs } from "../../../components/validation";
import { evaluateStack, lastEvaluationResources } from "../../../testkit";
import { SOURCE_STACK_OUTPUTS } from "../../security/emitted";

/** The ArgsError a component's constructor throws inside a program under mocks. */
async function refusal(build: () => void): Promise<ArgsError> {
  let caught: unknown;
  try {
    await evaluateStack({
      config: { "aws:region": "eu-west-1" },
      program: async () => {
        build();
        return {};
      },
    });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ArgsError, String(caught));
  // Nothing but the component itself was registered.
  assert.ok(lastEvaluationResources().every((r) => !r.custom));
  return caught;
}

describe("components check their own args (package entry, under mocks)", () => {
  it("SnapshotProducer lists every problem of its args, each naming the arg", async () => {
    const args: SnapshotProducerArgs = {
      account: "11111111111",
      region: "eu-nowhere-1",
      destinations: [
        { account: "222222222222", region: "eu-central-1", databases: ["orders-db", "-bad"] },
        { account: "222222222222", region: "eu-central-1" },
      ],
      instances: ["orders-db"],
      selectorTags: { "aws:team": "x" },
      schedule: "cron(0 2 * * *)",
      transitKeep: 0,
      notificationEmails: ["not-an-email"],
      logRetentionDays: 10,
    };
    const error = await refusal(() => new SnapshotProducer("orders", args));
    assert.match(error.message, /^Invalid SnapshotProducer args of orders:\n {2}- account/);
    assert.deepEqual(error.problems, [
      'account = "11111111111": expected a 12-digit AWS account id',
      'region = "eu-nowhere-1": expected a known AWS region such as eu-west-1',
      'destinations[0].databases[1] = "-bad": expected an RDS identifier: a letter, then letters, digits or single hyphens',
      "destinations[1] expected 222222222222/eu-central-1 only once",
      'selectorTags.aws:team = "aws:team": expected a tag key that does not start with aws: (reserved)',
      'schedule = "cron(0 2 * * *)": expected 6 cron fields (minutes hours day-of-month month day-of-week year), got 5',
      'notificationEmails[0] = "not-an-email": expected an email address',
      "logRetentionDays = 10: expected a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ...)",
      "transitKeep = 0: expected a whole number >= 1",
    ]);
  });

  it("SnapshotProducer: a destination in its own account, and no database selected", async () => {
    const error = await refusal(
      () =>
        new SnapshotProducer("orders", {
          account: "111111111111",
          region: "eu-west-1",
          destinations: [{ account: "111111111111", region: "eu-central-1" }],
        }),
    );
    assert.deepEqual(error.problems, [
      'destinations[0].account = "111111111111": expected another account than the source account (a snapshot cannot be shared with its own account)',
      "instances expected instances, clusters or selectorTags that select at least one database",
    ]);
  });

  it("SnapshotConsumer lists every problem of its args, plain Input<> values included", async () => {
    const args: SnapshotConsumerArgs = {
      account: "222222222222",
      region: "eu-central-1",
      sources: {},
      retention: { daily: -1 },
      holdTagKey: "aws:hold",
      maxDeletionsPerRun: 0,
      copyTags: { "managed-by": "me" },
      rpo: { defaultHours: 200, overrides: { "orders-db": 0 } },
      refresh: {
        targets: [
          {
            database: "orders-db",
            kind: "instance",
            instanceClass: "t4g.medium",
            secretName: "orders endpoint",
            instancePrefix: "orders-dev",
          },
        ],
        network: { cidrBlock: "10.42.0.0/33", availabilityZones: ["eu-west-1a"] },
      },
    };
    const error = await refusal(() => new SnapshotConsumer("dr", args));
    assert.deepEqual(error.problems, [
      "sources = {}: expected at least one source",
      `rpo.defaultHours = 200: expected at most 168 hours (CloudWatch evaluates alarms over at most 7 days)`,
      "rpo.overrides.orders-db = 0: expected a whole number of hours from 1 to 168",
      'refresh.targets[0].instanceClass = "t4g.medium": expected an RDS instance class such as db.t4g.medium',
      'refresh.targets[0].secretName = "orders endpoint": expected a Secrets Manager secret name',
      'refresh.network.cidrBlock = "10.42.0.0/33": expected an IPv4 CIDR block such as 10.42.0.0/16',
      "refresh.network.availabilityZones expected at least 2 availability zones (RDS subnet groups need two)",
      'refresh.network.availabilityZones[0] = "eu-west-1a": expected an availability zone of eu-central-1',
      'retention = {"daily":-1}: retention policy: daily must be a non-negative integer, got -1',
      'holdTagKey = "aws:hold": expected a tag key that does not start with aws: (reserved)',
      "maxDeletionsPerRun = 0: expected a whole number >= 1",
      'copyTags.managed-by = "managed-by": expected a key that is not one of the tool\'s own (managed-by, rds-replication:...)',
    ]);
  });

  it("valid args build, with the defaults applied inside the component", async () => {
    const built = await evaluateStack({
      config: { "aws:region": "eu-central-1" },
      account: "222222222222",
      program: async () => {
        const consumer = new SnapshotConsumer("dr", {
          account: "222222222222",
          region: "eu-central-1",
          sources: { orders: SOURCE_STACK_OUTPUTS },
          maxDeletionsPerRun: pulumi.output(3),
        });
        return { keyArn: consumer.keyArn };
      },
    });
    assert.ok(String(built.outputs.keyArn).startsWith("arn:aws:kms:eu-central-1:222222222222:"));
  });

  it("an Input<> given as an output is checked when it resolves", async () => {
    await pulumi.runtime.setMocks(
      { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) },
      "rds-replication",
      "test",
      false,
    );
    const { problems, checked } = checkInputs(
      "SnapshotConsumer",
      "dr",
      { maxDeletionsPerRun: pulumi.output(0), holdTagKey: "legal-hold" },
      consumerInputProblems,
    );
    assert.deepEqual(problems, [], "the plain member is valid; the output is not known yet");
    const resolved = (checked as unknown as { promise(): Promise<unknown> }).promise();
    await assert.rejects(resolved, (error: unknown) => {
      assert.ok(error instanceof ArgsError);
      assert.deepEqual(error.problems, ["maxDeletionsPerRun = 0: expected a whole number >= 1"]);
      return true;
    });
  });
});
