// Malformed and hostile events against the handlers, on the emulator: each must be refused with an error that
// says what is wrong, and the emulator's state before and after proves nothing was copied, shared, restored,
// deleted or started. (Runs with the emulator hooks: `npx mocha --config tests/.mocharc.integration.json <file>`.)
import * as assert from "node:assert/strict";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import {
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBSnapshotAttributeCommand,
} from "@aws-sdk/client-rds";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { REAL_CLOCK } from "../../functions/clock";
import { STATE_MACHINE_VARIABLE } from "../../functions/contracts/runtimeConfig";
import { copySharedWith } from "../../functions/steps/consumer/copy";
import { type IntakeResult, intake as intakeSource, type SnsEvent } from "../../functions/steps/consumer/intake";
import { type PlanResult, plan as planSource } from "../../functions/steps/producer/plan";
import {
  asLambdaIn,
  type Clients,
  clientsFor,
  createAdmissionTable,
  DEST,
  emulatorEndpoint,
  instance,
  type Place,
  runtimeConfigEnvironment,
  SOURCE,
  serialized,
} from "../../testkit";

// The deployed artifacts: the modules Pulumi serializes from the handlers.
const intake = async (event: SnsEvent): Promise<IntakeResult> => (await serialized(intakeSource)).handler(event);
const plan = async (event: unknown): Promise<PlanResult> => (await serialized(planSource)).handler(event);
const copy = async (state: unknown) => (await serialized(copySharedWith(REAL_CLOCK))).handler(state);

// moto answers Step Functions dates as ISO strings where the SDK expects epoch seconds, so the SDK cannot
// parse its responses: the tests read the emulator's Step Functions state over its plain JSON protocol.
async function stepFunctions(clients: Clients, target: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(emulatorEndpoint(), {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": `AWSStepFunctions.${target}`,
      Authorization: `AWS4-HMAC-SHA256 Credential=${clients.credentials.accessKeyId}/20240101/${clients.place.region}/states/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
  return json;
}

const STRANGER = "444444444444";
const SOURCE_TOPIC = `arn:aws:sns:${SOURCE.region}:${SOURCE.account}:rds-replication-announce`;

interface Consumer {
  clients: Clients;
  env: Record<string, string>;
  stateMachineArn: string;
}

async function consumerAccount(): Promise<Consumer> {
  const clients = await clientsFor(DEST);
  const { KeyMetadata } = await clients.kms.send(new CreateKeyCommand({ Description: "consumer key" }));
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: "rds-replication-notify" }));
  const { stateMachineArn } = (await stepFunctions(clients, "CreateStateMachine", {
    name: "rds-replication-consumer",
    definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
    roleArn: `arn:aws:iam::${DEST.account}:role/rds-replication-consumer-sfn`,
  })) as { stateMachineArn: string };
  const config = {
    version: 1,
    account: DEST.account,
    region: DEST.region,
    sources: [{ account: SOURCE.account, region: SOURCE.region, topicArn: SOURCE_TOPIC }],
    keyArn: KeyMetadata?.Arn,
    notifyTopicArn: TopicArn,
    copiesPerDatabasePerDay: 4,
    admissionTable: await createAdmissionTable(clients),
    retention: {
      default: { keepLast: 3 },
      tagKey: "Draco_Lifecycle",
      deletionsEnabled: true,
      maxDeletionsPerRun: 5,
      holdTagKey: "rds-replication:hold",
      minimum: { copies: 1, days: 0 },
      coolingOffHours: 0,
    },
    restore: null,
  };
  return {
    clients,
    stateMachineArn: stateMachineArn!,
    env: {
      ...(await runtimeConfigEnvironment(clients, "consumer", config)),
      [STATE_MACHINE_VARIABLE]: stateMachineArn!,
    },
  };
}

const SNAPSHOT = `arn:aws:rds:${DEST.region}:${SOURCE.account}:snapshot:rr-orders-snap-1a2b3c4d`;
const announcement = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  kind: "instance",
  snapshotArn: SNAPSHOT,
  sourceAccount: SOURCE.account,
  sourceRegion: SOURCE.region,
  snapshotRegion: DEST.region,
  sourceDatabase: "orders",
  engine: "postgres",
  snapshotCreateTime: "2024-01-02T03:04:05Z",
  keyArn: `arn:aws:kms:${DEST.region}:${SOURCE.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  tags: { team: "payments" },
  destinationAccount: DEST.account,
  destinationRegion: DEST.region,
  sourceSnapshotArn: `arn:aws:rds:${SOURCE.region}:${SOURCE.account}:snapshot:orders-snap`,
  ...overrides,
});
const snsEvent = (message: string, topicArn = SOURCE_TOPIC): SnsEvent => ({
  Records: [{ EventSource: "aws:sns", Sns: { Message: message, TopicArn: topicArn, MessageId: "m-1" } }],
});

/** Everything a handler could have changed in an account and region: snapshots, databases, executions. */
async function footprint(clients: Clients, stateMachineArn?: string) {
  const snapshots = (await clients.rds.send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? [];
  const clusterSnapshots = (await clients.rds.send(new DescribeDBClusterSnapshotsCommand({}))).DBClusterSnapshots ?? [];
  const instances = (await clients.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
  const executions = stateMachineArn
    ? ((await stepFunctions(clients, "ListExecutions", { stateMachineArn })).executions as { name: string }[])
    : [];
  return {
    snapshots: snapshots.map((s) => `${s.DBSnapshotIdentifier}:${s.Status}`).sort(),
    clusterSnapshots: clusterSnapshots.map((s) => s.DBClusterSnapshotIdentifier).sort(),
    instances: instances.map((i) => i.DBInstanceIdentifier).sort(),
    executions: executions.map((e) => e.name).sort(),
  };
}

async function inLambda<T>(place: Place, env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  return asLambdaIn(place, fn, env);
}

describe("hostile input: intake", () => {
  let consumer: Consumer;
  beforeEach(async () => {
    consumer = await consumerAccount();
  });

  it("starts exactly one run for a valid announcement (the control that makes the refusals meaningful)", async () => {
    // The handler may fail to parse moto's StartExecution answer (see above); the emulator's state decides.
    await inLambda(DEST, consumer.env, () => intake(snsEvent(JSON.stringify(announcement())))).catch((error: Error) =>
      assert.match(error.message, /Deserialization|real number/),
    );
    assert.equal((await footprint(consumer.clients, consumer.stateMachineArn)).executions.length, 1);
  });

  const HOSTILE: { what: string; event: () => SnsEvent; reason: RegExp }[] = [
    { what: "a message that is not JSON", event: () => snsEvent("rm -rf /"), reason: /not JSON/ },
    {
      what: "an unknown version",
      event: () => snsEvent(JSON.stringify(announcement({ version: 2 }))),
      reason: /version 2/,
    },
    {
      what: "no version",
      event: () => snsEvent(JSON.stringify({ ...announcement(), version: undefined })),
      reason: /version/,
    },
    {
      what: "a missing field",
      event: () => snsEvent(JSON.stringify({ ...announcement(), snapshotArn: undefined })),
      reason: /snapshotArn/,
    },
    {
      what: "a source account that is not configured",
      event: () =>
        snsEvent(
          JSON.stringify(
            announcement({ sourceAccount: STRANGER, snapshotArn: SNAPSHOT.replace(SOURCE.account, STRANGER) }),
          ),
        ),
      reason: new RegExp(`${STRANGER} is not a configured source`),
    },
    {
      what: "a snapshot ARN in a foreign account",
      event: () => snsEvent(JSON.stringify(announcement({ snapshotArn: SNAPSHOT.replace(SOURCE.account, STRANGER) }))),
      reason: /not in source account/,
    },
    {
      what: "a message from another topic",
      event: () => snsEvent(JSON.stringify(announcement()), SOURCE_TOPIC.replace(SOURCE.account, STRANGER)),
      reason: /not the configured topic/,
    },
    {
      what: "an announcement for another account",
      event: () => snsEvent(JSON.stringify(announcement({ destinationAccount: STRANGER }))),
      reason: /for account 444444444444/,
    },
    {
      what: "a snapshot in another region",
      event: () => snsEvent(JSON.stringify(announcement({ snapshotArn: SNAPSHOT.replace(DEST.region, "us-east-1") }))),
      reason: /cannot be copied here/,
    },
    {
      what: "an identifier with illegal characters",
      event: () => snsEvent(JSON.stringify(announcement({ snapshotArn: `${SNAPSHOT.slice(0, -8)}x;../..$(id)` }))),
      reason: /snapshotArn: must be an RDS snapshot/,
    },
    {
      what: "a malformed key ARN",
      event: () => snsEvent(JSON.stringify(announcement({ keyArn: "alias/aws/rds" }))),
      reason: /keyArn: must be a KMS key ARN/,
    },
    {
      what: "a huge payload (1 MB of junk fields)",
      event: () => snsEvent(JSON.stringify({ ...announcement({ version: 3 }), junk: "x".repeat(1024 * 1024) })),
      reason: /version 3/,
    },
  ];

  for (const hostile of HOSTILE) {
    it(`refuses ${hostile.what}: clear reason, nothing started or copied`, async () => {
      const before = await footprint(consumer.clients, consumer.stateMachineArn);
      const result = await inLambda(DEST, consumer.env, () => intake(hostile.event()));
      assert.equal(result.started.length, 0);
      assert.equal(result.rejected.length, 1);
      assert.match(result.rejected[0].reason, hostile.reason);
      assert.deepEqual(await footprint(consumer.clients, consumer.stateMachineArn), before);
    });
  }

  it("starts nothing for an event without SNS records", async () => {
    const result = await inLambda(DEST, consumer.env, () => intake({} as SnsEvent));
    assert.deepEqual(result, { started: [], duplicates: [], rejected: [], ignored: [] });
    assert.deepEqual((await footprint(consumer.clients, consumer.stateMachineArn)).executions, []);
  });

  it("refuses to run at all with a tampered runtime config", async () => {
    const tampered = await runtimeConfigEnvironment(consumer.clients, "consumer", {
      version: 1,
      account: "not-an-account",
    });
    const env = { ...consumer.env, ...tampered };
    await assert.rejects(
      inLambda(DEST, env, () => intake(snsEvent(JSON.stringify(announcement())))),
      /runtime config parameter \/rds-replication\/.* is invalid: .*account/,
    );
    assert.deepEqual((await footprint(consumer.clients, consumer.stateMachineArn)).executions, []);
  });
});

describe("hostile input: consumer copy", () => {
  let consumer: Consumer;
  beforeEach(async () => {
    consumer = await consumerAccount();
  });

  it("copies nothing from a snapshot of a foreign account and says why", async () => {
    const before = await footprint(consumer.clients);
    const hostile = announcement({ snapshotArn: SNAPSHOT.replace(SOURCE.account, STRANGER), sourceAccount: STRANGER });
    await assert.rejects(
      inLambda(DEST, consumer.env, () => copy({ announcement: hostile })),
      (e: Error) => new RegExp(`${STRANGER}|not found|NotFound`, "i").test(`${e.name} ${e.message}`),
    );
    assert.deepEqual(await footprint(consumer.clients), before);
  });

  it("refuses an announcement the intake would refuse, even when it reaches the copy step directly", async () => {
    const before = await footprint(consumer.clients);
    for (const hostile of [
      announcement({ version: 2 }),
      announcement({ snapshotArn: "not-an-arn" }),
      announcement({ destinationAccount: STRANGER }),
    ]) {
      await assert.rejects(
        inLambda(DEST, consumer.env, () => copy({ announcement: hostile })),
        (e: Error) => e.name === "InvalidAnnouncement" && /nothing copied/.test(e.message),
      );
    }
    assert.deepEqual(await footprint(consumer.clients), before);
  });

  it("drops `aws:` tag keys that reach the copy step (an honest producer renames them) and copies the rest", async () => {
    // A real shared snapshot of the source account in this region, so the copy really happens.
    const source = await clientsFor({ account: SOURCE.account, region: DEST.region });
    await instance(source, "orders");
    const id = SNAPSHOT.split(":snapshot:")[1];
    await source.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: id }));
    await source.rds.send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: id,
        AttributeName: "restore",
        ValuesToAdd: [DEST.account],
      }),
    );
    const hostile = announcement({ tags: { "aws:cloudformation:stack-name": "prod", "AWS:x": "y", team: "payments" } });
    const result = await inLambda(DEST, consumer.env, () => copy({ announcement: hostile }));
    const [made] =
      (await consumer.clients.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: result.snapshot.id })))
        .DBSnapshots ?? [];
    const keys = (made?.TagList ?? []).map((t) => t.Key ?? "");
    assert.deepEqual(
      keys.filter((k) => /^aws:/i.test(k)),
      [],
    );
    // Reserved keys are control, not data (issue 11): dropped, not renamed.
    assert.deepEqual(
      keys.filter((k) => /aws:/i.test(k)),
      [],
      keys.join(","),
    );
    assert.ok(keys.includes("team"));
  });
});

describe("hostile input: producer plan", () => {
  const producerEnv = (clients: Clients, topicArn: string, keyArn: string) => {
    const place = clients.place;
    return runtimeConfigEnvironment(clients, "producer", {
      version: 1,
      account: place.account,
      region: place.region,
      transitKeyArns: { [place.region]: keyArn, [DEST.region]: keyArn.replace(place.region, DEST.region) },
      databases: { identifiers: ["orders"], tags: {} },
      destinations: [{ account: DEST.account, region: DEST.region, databases: [] }],
      announceTopicArn: topicArn,
      notifyTopicArn: topicArn,
      admissionTable: "producer-admission",
      transit: { keep: 2, graceHours: 24, deletionsEnabled: false },
    });
  };

  let source: Clients;
  let env: Record<string, string>;
  beforeEach(async () => {
    source = await clientsFor(SOURCE);
    const { KeyMetadata } = await source.kms.send(new CreateKeyCommand({ Description: "transit key" }));
    const { TopicArn } = await source.sns.send(new CreateTopicCommand({ Name: "rds-replication-announce" }));
    env = await producerEnv(source, TopicArn!, KeyMetadata!.Arn!);
  });

  const HOSTILE: { what: string; event: unknown; error: RegExp }[] = [
    { what: "an unknown trigger", event: { trigger: "drop-everything" }, error: /unknown producer input/ },
    {
      what: "a database identifier with illegal characters",
      event: { trigger: "manual", database: "orders; DROP TABLE x", kind: "instance" },
      error: /not found|invalid/i,
    },
    {
      what: "a database that does not exist",
      event: { trigger: "manual", database: "ghost", kind: "instance" },
      error: /ghost.*not found/,
    },
  ];

  for (const hostile of HOSTILE) {
    it(`refuses ${hostile.what}: clear error, no snapshot taken`, async () => {
      const before = await footprint(source);
      await assert.rejects(
        inLambda(SOURCE, env, () => plan(hostile.event)),
        hostile.error,
      );
      assert.deepEqual(await footprint(source), before);
    });
  }

  it("ignores a snapshot event of a foreign account's snapshot: nothing planned", async () => {
    const foreign = `arn:aws:rds:${SOURCE.region}:${STRANGER}:snapshot:orders-snap`;
    const event = {
      "detail-type": "RDS DB Snapshot Event",
      source: "aws.rds",
      resources: [foreign],
      detail: {
        EventID: "RDS-EVENT-0042",
        SourceIdentifier: "orders-snap",
        SourceArn: foreign,
        SourceType: "SNAPSHOT",
      },
    };
    const before = await footprint(source);
    const result = await inLambda(SOURCE, env, () => plan(event)).catch((e: Error) => e);
    if (result instanceof Error) assert.match(result.message, /not visible|not found|foreign account/i);
    else assert.equal(result.planned, 0);
    assert.deepEqual(await footprint(source), before);
  });
});
