// Two accounts on the emulator wired the way the two stacks wire them: the producer's keys and topics in the
// source account, the consumer's key, notify topic, secret and state machine in the destination account.
// Announcements travel the real way: an HTTP subscription (filtered to the destination account) on the
// announce topic receives what SNS pushes, and each message is handed to the intake handler as an SNS event.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { CreateDBSubnetGroupCommand } from "@aws-sdk/client-rds";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  consumerDefinition,
  producerDatabaseDefinition,
  producerDispatchDefinition,
  restoreTestDefinition,
} from "../components/stateMachines";
import { stepsOf } from "../functions/catalog";
import { destinationFilterPolicy } from "../functions/contracts/announcement";
import type { ConsumerRuntimeConfig, ProducerRuntimeConfig } from "../functions/contracts/runtimeConfig";
import type { Notification } from "../functions/decisions/notificationMessage";
import type { RetentionPolicy } from "../functions/decisions/retentionPolicy";
import { asLambdaIn, type Clients, clientsFor, DEST, type Place, runtimeConfigEnvironment, SOURCE } from "./accounts";
import { fastForwardClock } from "./clock";
import { emulatorEndpoint, recordExecutionOutcome } from "./emulator/lifecycle";
import { nextSecond } from "./fixtures";
import { EmulatorProxy } from "./proxy";
import { serialized } from "./serialized";
import { type ExecuteOptions, type Execution, execute, fakeLambdaArns, type TaskHandler } from "./stepfunctions";

export interface Posted {
  path: string;
  body: { Type?: string; MessageId?: string; TopicArn?: string; Message: string; Subject?: string };
}

/** Receives what SNS pushes to HTTP subscriptions. */
export class Inbox {
  readonly posted: Posted[] = [];
  private server?: http.Server;
  url = "";

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let data = "";
      req.on("data", (chunk) => {
        data += chunk;
      });
      req.on("end", () => {
        this.posted.push({ path: req.url ?? "/", body: JSON.parse(data) });
        res.end("ok");
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  at(path: string): Posted["body"][] {
    return this.posted.filter((p) => p.path === path).map((p) => p.body);
  }

  /** Notifications published on a notify topic, parsed. */
  notifications(path: string): Notification[] {
    return this.at(path).map((b) => JSON.parse(b.Message));
  }
}

export interface WorldOptions {
  /** Where the destination account consumes (DEST.region for cross-region, SOURCE.region for same region). */
  destRegion: string;
  /** Refresh database `orders` (as an instance or as a cluster) into RESTORE_SECRET with prefix `orders-dev`. */
  restore?: boolean;
  /** Refresh targets instead of `restore`'s (each gets the world's subnet group and security group). */
  refreshTargets?: RefreshTargetOptions[];
  /** Delete superseded restored databases beyond each target's newest N (default true). */
  cleanupEnabled?: boolean;
  deletionsEnabled?: boolean;
  keep?: number;
  /** Transit copies younger than this are never pruned (default 0). */
  graceHours?: number;
  keepInstances?: number;
  /** Consumer: the stack's default retention policy (default keepLast 3). */
  defaultRetention?: RetentionPolicy;
  /** Consumer: hours a copy stays marked before deletion (default 0: deleted in the run that marks it). */
  coolingOffHours?: number;
  /** Consumer: the retention floor (default none: copies 0, days 0; the newest copy is always kept). */
  minRetention?: { copies: number; days: number };
  /** Producer: replicate unencrypted Aurora clusters unencrypted instead of refusing them. */
  replicateUnencryptedClusters?: boolean;
  /** Producer: destination region -> source option group -> that region's group. */
  optionGroups?: Record<string, Record<string, string>>;
  /** Consumer: tags added to every copy made in the destination account. */
  copyTags?: Record<string, string>;
  /** Producer: more destination accounts in destRegion, announced to on the same topic (no consumer here). */
  otherDestinations?: string[];
  /** Consumer: new copies per source database per day (default 24: tests run many schedules in a minute). */
  copiesPerDatabasePerDay?: number;
  /** Consumer: the source's databases it accepts (default all). */
  allowedDatabases?: string[];
  /**
   * Receipts (components/receipts.ts): a receipt topic per destination account in the source, delivered to the
   * inbox at `/receipts` (feed them to `producer-receipt` with snsEvent); the consumer sends its receipts to
   * DEST's. Default off: the consumer sends none and prune keeps by keep and grace, as with an older source.
   */
  receipts?: boolean;
  /** Consumer: restore tests (each in the world's subnet group; RTO default 60 min). */
  restoreTests?: { database: string; kind: "instance" | "cluster"; rtoMinutes?: number; dataApiSelect?: boolean }[];
}

export interface RefreshTargetOptions {
  database: string;
  kind: "instance" | "cluster";
  secretName: string;
  instancePrefix: string;
  keepInstances?: number;
  maxRestoresPerDay?: number;
}

export interface World {
  options: WorldOptions;
  source: Clients;
  sourceInDestRegion: Clients;
  dest: Clients;
  destPlace: Place;
  transitKeys: Record<string, string>;
  destKey: string;
  producerConfig: ProducerRuntimeConfig;
  consumerConfig: ConsumerRuntimeConfig;
  /** The consumer state machine in the destination account. */
  stateMachineArn: string;
  /** The producer's per-database state machine in the source account (the plan step starts its runs). */
  producerStateMachineArn: string;
  inbox: Inbox;
  /** With `receipts`: each destination account's receipt topic in the source account. */
  receiptTopics: Record<string, string>;
  /** Between the handlers and moto (see proxy.ts). */
  proxy: EmulatorProxy;
  /** Step Functions in the destination account, through the proxy. */
  sfn: SFNClient;
  /** Step Functions in the source account, through the proxy. */
  sourceSfn: SFNClient;
  producer: Record<string, TaskHandler>;
  consumer: Record<string, TaskHandler>;
  intake: (
    event: unknown,
  ) => Promise<{ started: string[]; duplicates: string[]; rejected: { reason: string }[]; ignored: string[] }>;
}

async function key(clients: Clients): Promise<string> {
  const { KeyMetadata } = await clients.kms.send(new CreateKeyCommand({ Description: "rds-replication test" }));
  assert.ok(KeyMetadata?.Arn);
  return KeyMetadata.Arn;
}

async function topic(clients: Clients, name: string): Promise<string> {
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: name }));
  assert.ok(TopicArn);
  return TopicArn;
}

/** The admission queue's table (components/admission.ts) in the clients' account and region. */
export async function createAdmissionTable(clients: Clients): Promise<string> {
  const name = `rds-replication-admission-${randomUUID().slice(0, 8)}`;
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "queue", KeyType: "HASH" },
        { AttributeName: "ticket", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "queue", AttributeType: "S" },
        { AttributeName: "ticket", AttributeType: "S" },
      ],
    }),
  );
  return name;
}

/** Each step of a side as the serialized closure Lambda runs, with that side's runtime config in SSM. */
export async function handlersFor(
  side: "producer" | "consumer",
  clients: Clients,
  config: object,
  extraEnv: Record<string, string>,
): Promise<Record<string, TaskHandler>> {
  const place = clients.place;
  const env = {
    ...(await runtimeConfigEnvironment(clients, side, config)),
    POWERTOOLS_LOG_LEVEL: "WARN",
    POWERTOOLS_METRICS_DISABLED: "true",
    ...extraEnv,
  };
  // RDS takes no time here: the steps that read the time run on a clock that moves when they sleep.
  const clock = fastForwardClock();
  const entries = await Promise.all(
    stepsOf(side).map(async (step) => {
      const artifact = await serialized(step.overClock ? step.overClock(clock) : step.handler);
      const run: TaskHandler = (input) => asLambdaIn(place, () => artifact.handler(input), env);
      return [step.key, run] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export const RESTORE_SECRET = "orders-dev-connection";

export async function closeWorld(world: World | undefined): Promise<void> {
  await world?.inbox.stop();
  await world?.proxy.stop();
}

/**
 * The default VPC's subnets moto creates in every account and region. No EC2 client is installed, so this one
 * fixture call is a plain query request; moto takes the account from the access key in the Authorization header.
 */
async function defaultSubnets(clients: Clients): Promise<string[]> {
  const { accessKeyId, sessionToken } = clients.credentials;
  const response = await fetch(emulatorEndpoint(), {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20240101/${clients.place.region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      ...(sessionToken ? { "x-amz-security-token": sessionToken } : {}),
    },
    body: "Action=DescribeSubnets&Version=2016-11-15",
  });
  const xml = await response.text();
  const ids = [...xml.matchAll(/<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/g)].map((m) => m[1] ?? "");
  assert.ok(ids.length > 0, `no default subnets: ${xml.slice(0, 300)}`);
  return ids.slice(0, 2);
}

export async function buildWorld(options: WorldOptions): Promise<World> {
  const inbox = new Inbox();
  const proxy = new EmulatorProxy();
  try {
    return await wireWorld(options, inbox, proxy);
  } catch (error) {
    // A half-built world would keep its servers listening, and the process alive: the demo would hang.
    await inbox.stop();
    await proxy.stop();
    throw error;
  }
}

async function wireWorld(options: WorldOptions, inbox: Inbox, proxy: EmulatorProxy): Promise<World> {
  const destPlace = { account: DEST.account, region: options.destRegion };
  const [source, sourceInDestRegion, dest] = await Promise.all([
    clientsFor(SOURCE),
    clientsFor({ account: SOURCE.account, region: options.destRegion }),
    clientsFor(destPlace),
  ]);
  const transitKeys: Record<string, string> = { [SOURCE.region]: await key(source) };
  if (options.destRegion !== SOURCE.region) transitKeys[options.destRegion] = await key(sourceInDestRegion);
  const destKey = await key(dest);
  const [producerAdmission, consumerAdmission] = await Promise.all([
    createAdmissionTable(source),
    createAdmissionTable(dest),
  ]);
  const announceTopicArn = await topic(source, "rds-replication-announce");
  const producerNotify = await topic(source, "rds-replication-notify");
  const consumerNotify = await topic(dest, "rds-replication-consumer-notify");
  await inbox.start();
  await proxy.start();
  const sfn = new SFNClient({ region: destPlace.region, endpoint: proxy.url, credentials: dest.credentials });
  const sourceSfn = new SFNClient({ region: SOURCE.region, endpoint: proxy.url, credentials: source.credentials });
  await source.sns.send(
    new SubscribeCommand({
      TopicArn: announceTopicArn,
      Protocol: "http",
      Endpoint: `${inbox.url}/announce`,
      Attributes: { FilterPolicy: destinationFilterPolicy(DEST.account) },
    }),
  );
  await source.sns.send(
    new SubscribeCommand({ TopicArn: producerNotify, Protocol: "http", Endpoint: `${inbox.url}/producer-notify` }),
  );
  await dest.sns.send(
    new SubscribeCommand({ TopicArn: consumerNotify, Protocol: "http", Endpoint: `${inbox.url}/consumer-notify` }),
  );

  const destinationAccounts = [DEST.account, ...(options.otherDestinations ?? [])];
  const receiptTopics: Record<string, string> = {};
  for (const account of options.receipts ? destinationAccounts : []) {
    receiptTopics[account] = await topic(source, `rds-replication-receipts-${account}`);
    await source.sns.send(
      new SubscribeCommand({ TopicArn: receiptTopics[account], Protocol: "http", Endpoint: `${inbox.url}/receipts` }),
    );
  }
  const producerConfig: ProducerRuntimeConfig = {
    version: 1,
    account: SOURCE.account,
    region: SOURCE.region,
    transitKeyArns: transitKeys,
    databases: { identifiers: ["orders"], tags: { replicate: "yes" } },
    destinations: destinationAccounts.map((account) => ({
      account,
      region: options.destRegion,
      databases: [],
    })),
    announceTopicArn,
    notifyTopicArn: producerNotify,
    admissionTable: producerAdmission,
    ...(options.receipts
      ? {
          receiptTopics: Object.entries(receiptTopics).map(([account, topicArn]) => ({
            topicArn,
            account,
            region: options.destRegion,
          })),
        }
      : {}),
    transit: {
      keep: options.keep ?? 2,
      graceHours: options.graceHours ?? 0,
      deletionsEnabled: options.deletionsEnabled ?? false,
    },
    replicateUnencryptedClusters: options.replicateUnencryptedClusters ?? false,
    optionGroups: options.optionGroups ?? {},
  };
  const targets: RefreshTargetOptions[] =
    options.refreshTargets ??
    (options.restore
      ? (["instance", "cluster"] as const).map((kind) => ({
          database: "orders",
          kind,
          secretName: RESTORE_SECRET,
          instancePrefix: "orders-dev",
        }))
      : []);
  const consumerConfig: ConsumerRuntimeConfig = {
    version: 1,
    account: DEST.account,
    region: options.destRegion,
    sources: [
      {
        account: SOURCE.account,
        region: SOURCE.region,
        topicArn: announceTopicArn,
        ...(options.allowedDatabases ? { databases: options.allowedDatabases } : {}),
        ...(receiptTopics[DEST.account] ? { receiptTopicArn: receiptTopics[DEST.account] } : {}),
      },
    ],
    keyArn: destKey,
    notifyTopicArn: consumerNotify,
    copiesPerDatabasePerDay: options.copiesPerDatabasePerDay ?? 24,
    admissionTable: consumerAdmission,
    retention: {
      default: options.defaultRetention ?? { keepLast: 3 },
      tagKey: "Draco_Lifecycle",
      deletionsEnabled: options.deletionsEnabled ?? false,
      maxDeletionsPerRun: 10,
      holdTagKey: "rds-replication:hold",
      minimum: options.minRetention ?? { copies: 0, days: 0 },
      coolingOffHours: options.coolingOffHours ?? 0,
    },
    ...(options.copyTags ? { copyTags: options.copyTags } : {}),
    ...(options.restoreTests
      ? {
          restoreTests: options.restoreTests.map((t) => ({
            instanceClass: t.kind === "cluster" ? "db.r6g.large" : "db.t3.micro",
            subnetGroupName: "dev-subnets",
            securityGroupIds: ["sg-0123456789abcdef0"],
            rtoMinutes: 60,
            ...t,
          })),
        }
      : {}),
    restore:
      targets.length > 0
        ? {
            cleanupEnabled: options.cleanupEnabled ?? true,
            targets: targets.map((t) => ({
              instanceClass: t.kind === "cluster" ? "db.r6g.large" : "db.t3.micro",
              subnetGroupName: "dev-subnets",
              securityGroupIds: ["sg-0123456789abcdef0"],
              keepInstances: options.keepInstances ?? 1,
              maxRestoresPerDay: 10,
              ...t,
            })),
          }
        : null,
  };
  if (targets.length > 0 || options.restoreTests?.length)
    await dest.rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: "dev-subnets",
        DBSubnetGroupDescription: "restored databases",
        SubnetIds: await defaultSubnets(dest),
      }),
    );
  if (targets.length > 0) {
    for (const secretName of new Set(targets.map((t) => t.secretName)))
      await dest.secrets.send(
        new CreateSecretCommand({
          Name: secretName,
          SecretString: JSON.stringify({ username: "app", password: "pw", host: "old.example", port: 5432 }),
        }),
      );
  }
  const consumerArns = fakeLambdaArns(
    stepsOf("consumer").map((s) => s.key),
    DEST.account,
    options.destRegion,
  );
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: "rds-replication-consumer",
      definition: JSON.stringify(consumerDefinition(consumerArns)),
      roleArn: `arn:aws:iam::${DEST.account}:role/rds-replication-consumer`,
    }),
  );
  assert.ok(stateMachineArn);
  const { stateMachineArn: producerStateMachineArn } = await sourceSfn.send(
    new CreateStateMachineCommand({
      name: "rds-replication-producer-database",
      definition: JSON.stringify(producerDatabaseMachine()),
      roleArn: `arn:aws:iam::${SOURCE.account}:role/rds-replication-producer`,
    }),
  );
  assert.ok(producerStateMachineArn);
  const viaProxy = { AWS_ENDPOINT_URL: proxy.url };
  const consumer = await handlersFor("consumer", dest, consumerConfig, {
    ...viaProxy,
    STATE_MACHINE_ARN: stateMachineArn,
  });
  return {
    options,
    source,
    sourceInDestRegion,
    dest,
    receiptTopics,
    destPlace,
    transitKeys,
    destKey,
    producerConfig,
    consumerConfig,
    stateMachineArn,
    producerStateMachineArn,
    inbox,
    proxy,
    sfn,
    sourceSfn,
    producer: await handlersFor("producer", source, producerConfig, {
      ...viaProxy,
      STATE_MACHINE_ARN: producerStateMachineArn,
    }),
    consumer,
    intake: consumer["consumer-intake"] as World["intake"],
  };
}

const producerArns = () =>
  fakeLambdaArns(
    stepsOf("producer").map((s) => s.key),
    SOURCE.account,
    SOURCE.region,
  );

/** The producer's entry point: plan, then one per-database run per work item. */
export function producerDispatchMachine(): object {
  return producerDispatchDefinition(producerArns());
}

/** The producer's per-database state machine. */
export function producerDatabaseMachine(): object {
  return producerDatabaseDefinition(producerArns());
}

/** The dest stack's restore-test state machine (input `{ database, kind }`). */
export function restoreTestMachine(world: World): object {
  return restoreTestDefinition(
    fakeLambdaArns(
      stepsOf("consumer").map((s) => s.key),
      DEST.account,
      world.options.destRegion,
    ),
  );
}

export function consumerMachine(world: World): object {
  return consumerDefinition(
    fakeLambdaArns(
      stepsOf("consumer").map((s) => s.key),
      DEST.account,
      world.options.destRegion,
    ),
  );
}

export function snsEvent(messages: Posted["body"][]) {
  return {
    Records: messages.map((m) => ({
      EventSource: "aws:sns",
      Sns: { Message: m.Message, TopicArn: m.TopicArn, MessageId: m.MessageId },
    })),
  };
}

export interface Flow {
  /** The dispatch and every per-database run it started, as one (see `combined`). */
  producer: Execution;
  /** The per-database runs alone. */
  databases: Execution[];
  intake: Awaited<ReturnType<World["intake"]>>;
  consumers: Execution[];
}

/** Several executions read as one: succeeded if all did, the first failure's error, every call in order. */
export function combined(runs: Execution[]): Execution {
  const failed = runs.find((r) => r.status !== "SUCCEEDED");
  return {
    status: failed ? failed.status : "SUCCEEDED",
    output: runs.map((r) => r.output),
    ...(failed ? { error: failed.error, cause: failed.cause } : {}),
    calls: runs.flatMap((r) => r.calls),
    largestState: runs.map((r) => r.largestState).reduce((a, b) => (b.bytes > a.bytes ? b : a)),
  };
}

/**
 * Runs, each once and in the order started, the executions a step started in the emulator's Step Functions,
 * executing `definition` locally, and records each outcome on the emulator's execution.
 */
async function runStarted(
  sfn: SFNClient,
  stateMachineArn: string,
  definition: object,
  handlers: Record<string, TaskHandler>,
  alreadyRun: Set<string>,
  options: ExecuteOptions = {},
): Promise<Execution[]> {
  const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  const runs: Execution[] = [];
  for (const e of [...(executions ?? [])].reverse()) {
    if (!e.executionArn || alreadyRun.has(e.executionArn)) continue;
    alreadyRun.add(e.executionArn);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    const run = await execute(definition, handlers, JSON.parse(described.input ?? "{}"), e.executionArn, options);
    await recordExecutionOutcome(e.executionArn, run.status);
    runs.push(run);
  }
  return runs;
}

/** How a test runs the executions: its own handlers in place of some of the world's, the runner's options. */
export interface RunOptions extends ExecuteOptions {
  handlers?: Record<string, TaskHandler>;
}

/** Runs the executions the intake started in the emulator's Step Functions, each once. */
export function runStartedConsumers(
  world: World,
  alreadyRun: Set<string>,
  options: RunOptions = {},
): Promise<Execution[]> {
  const { handlers, ...execution } = options;
  const all = { ...world.consumer, ...handlers };
  return runStarted(world.sfn, world.stateMachineArn, consumerMachine(world), all, alreadyRun, execution);
}

/** The producer's dispatch for `trigger`, then each per-database run it started. */
export async function produce(
  world: World,
  trigger: unknown,
  alreadyRun = new Set<string>(),
  options: RunOptions = {},
): Promise<{ producer: Execution; databases: Execution[] }> {
  const { handlers, ...execution } = options;
  const all = { ...world.producer, ...handlers };
  const dispatch = await execute(producerDispatchMachine(), all, trigger);
  const databases = await runStarted(
    world.sourceSfn,
    world.producerStateMachineArn,
    producerDatabaseMachine(),
    all,
    alreadyRun,
    execution,
  );
  return { producer: combined([dispatch, ...databases]), databases };
}

/** Producer runs -> announcements pushed by SNS -> intake -> consumer runs. */
export async function replicate(world: World, trigger: unknown, alreadyRun = new Set<string>()): Promise<Flow> {
  const before = world.inbox.at("/announce").length;
  const { producer, databases } = await produce(world, trigger, alreadyRun);
  const announcements = world.inbox.at("/announce").slice(before);
  const intake = await world.intake(snsEvent(announcements));
  const consumers = await runStartedConsumers(world, alreadyRun);
  return { producer, databases, intake, consumers };
}

/** Runs the schedule `runs` times, each in its own second (scheduled snapshot names carry the time). */
export async function scheduledRuns(world: World, runs: number): Promise<void> {
  const done = new Set<string>();
  for (let i = 0; i < runs; i++) {
    await nextSecond();
    const flow = await replicate(world, { trigger: "schedule" }, done);
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.ok(
      flow.consumers.every((c) => c.status === "SUCCEEDED"),
      explain(world),
    );
  }
}

/** What went wrong, from the notifications, for assertion messages. */
export function explain(world: World): string {
  return ["/producer-notify", "/consumer-notify"]
    .flatMap((path) => world.inbox.notifications(path).map((n) => `${path}: ${n.summary}`))
    .join("\n");
}

/** A fresh world per test of the calling `describe`, closed after each test. */
export function worldPerTest(): { build(options: WorldOptions): Promise<World> } {
  let current: World | undefined;
  afterEach(async () => {
    await closeWorld(current);
    current = undefined;
  });
  return {
    async build(options) {
      current = await buildWorld(options);
      return current;
    },
  };
}
