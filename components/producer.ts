// SnapshotProducer: everything the source account needs to turn RDS snapshots into announced, shareable
// transit copies. The constructor wires resources; the decisions live in the pure functions below and in
// policies.ts, where tests reach them directly.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ResourceKind, stepsOf } from "../functions/catalog";
import { type ProducerRuntimeConfig, STATE_MACHINE_VARIABLE } from "../functions/runtimeConfig";
import type { Destination } from "./config";
import { sharedLayer } from "./lambda";
import { watch } from "./observability";
import {
  announceTopicPolicy,
  assumeRolePolicy,
  eventsRolePolicy,
  listedPolicies,
  partitionOf,
  type ResourceScope,
  transitKeyPolicy,
} from "./policies";
import {
  buildSteps,
  customerKey,
  executionsOf,
  json,
  notificationsTopic,
  operationsKey,
  runtimeConfigParameter,
  stateMachine,
  stepRoles,
} from "./shared";
import { producerDatabaseDefinition, producerDispatchDefinition } from "./stateMachines";

/** Version of the announcement format on the topic; consumers check it. */
export const ANNOUNCEMENT_VERSION = 1;

export interface SnapshotProducerArgs {
  /** The source account (12 digits); the stack's credentials act in it. */
  readonly account: string;
  /** The source region: the databases, the topic and the state machine live here. */
  readonly region: string;
  /** Accounts and regions that receive copies. Decides which keys, providers and topic grants exist. */
  readonly destinations: readonly Destination[];
  /** DB instance identifiers to replicate. */
  readonly instances: readonly string[];
  /** Aurora DB cluster identifiers to replicate. */
  readonly clusters: readonly string[];
  /** Tags selecting further databases: a database carrying all of them is replicated. */
  readonly selectorTags: Readonly<Record<string, string>>;
  /** React to automated / manual snapshot events. */
  readonly automatedSnapshots: boolean;
  readonly manualSnapshots: boolean;
  /** Optional EventBridge schedule expression that takes a fresh snapshot. */
  readonly schedule?: string;
  /** Transit copies kept per database and region, their grace period, and whether deletions are real. */
  readonly transitKeep: pulumi.Input<number>;
  readonly transitGraceHours: pulumi.Input<number>;
  readonly transitDeletionsEnabled: pulumi.Input<boolean>;
  /** Replicate unencrypted Aurora clusters unencrypted instead of refusing them. */
  readonly replicateUnencryptedClusters: boolean;
  /** KMS keys of source databases beyond those discovered from `instances` and `clusters`. */
  readonly sourceKeyArns: readonly string[];
  /** Destination region -> source option group -> that region's option group. */
  readonly optionGroups: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Email addresses subscribed to the notifications topic. */
  readonly notificationEmails: readonly string[];
  /** Optional reserved concurrent executions per Lambda (the copy start always has 1). */
  readonly reservedConcurrency?: number;
  readonly logRetentionDays: number;
}

/**
 * The most regions with a transit key (the source region and the other destination regions): the transit
 * step's inline policy grants each region's key through RDS of that region, about 1,000 characters a region,
 * and with ten listed source keys and the longest names six regions stay within IAM's 10,240 characters
 * (tests/unit/program/policies.test.ts builds that worst case).
 */
export const MAX_TRANSIT_REGIONS = 6;

/** The source region first, then every other destination region once. */
export function transitRegions(region: string, destinations: readonly Destination[]): string[] {
  return [region, ...new Set(destinations.map((d) => d.region).filter((r) => r !== region))];
}

/** The event families of each rule: one rule per kind of database, never one per database. */
export const SNAPSHOT_EVENT_IDS = {
  instance: { manual: "RDS-EVENT-0042", automated: "RDS-EVENT-0091" },
  cluster: { manual: "RDS-EVENT-0075", automated: "RDS-EVENT-0169" },
} as const;

export interface EventRuleSpec {
  readonly kind: keyof typeof SNAPSHOT_EVENT_IDS;
  readonly pattern: { source: string[]; "detail-type": string[]; detail: { EventID: string[] } };
}

/**
 * Which snapshot-event rules exist. Events name the snapshot, not reliably the database, so the rules filter
 * by event family and the plan step checks the database selection.
 */
export function eventRules(
  args: Pick<
    SnapshotProducerArgs,
    "instances" | "clusters" | "selectorTags" | "automatedSnapshots" | "manualSnapshots"
  >,
): EventRuleSpec[] {
  const tagged = Object.keys(args.selectorTags).length > 0;
  const kinds = [
    { kind: "instance" as const, wanted: tagged || args.instances.length > 0, detailType: "RDS DB Snapshot Event" },
    {
      kind: "cluster" as const,
      wanted: tagged || args.clusters.length > 0,
      detailType: "RDS DB Cluster Snapshot Event",
    },
  ];
  return kinds.flatMap(({ kind, wanted, detailType }) => {
    const ids = [
      ...(args.manualSnapshots ? [SNAPSHOT_EVENT_IDS[kind].manual] : []),
      ...(args.automatedSnapshots ? [SNAPSHOT_EVENT_IDS[kind].automated] : []),
    ];
    if (!wanted || ids.length === 0) return [];
    return [{ kind, pattern: { source: ["aws.rds"], "detail-type": [detailType], detail: { EventID: ids } } }];
  });
}

export interface ProducerArns {
  announceTopicArn: string;
  notifyTopicArn: string;
  transitKeyArns: Record<string, string>;
  /** The per-database state machine the plan step starts (known once it exists). */
  databaseStateMachineArn?: string;
  /** Keys of the source databases (discovered and configured); empty entries (unencrypted) are ignored. */
  sourceKeyArns: string[];
}

/**
 * The KMS key of each configured instance and cluster, read from RDS at deployment: a transit copy decrypts
 * the source snapshot with it. Databases selected by tags are only known at run time (`sourceKeyArns`).
 */
export function discoveredSourceKeys(
  args: Pick<SnapshotProducerArgs, "instances" | "clusters">,
  opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string[]> {
  const keys = [
    ...args.instances.map((id) => aws.rds.getInstanceOutput({ dbInstanceIdentifier: id }, opts).kmsKeyId),
    ...args.clusters.map((id) => aws.rds.getClusterOutput({ clusterIdentifier: id }, opts).kmsKeyId),
  ];
  return pulumi.all(keys).apply((arns) => arns.filter((arn) => arn.startsWith("arn:")));
}

/** The step that starts the per-database runs: built after the per-database state machine it names. */
const DISPATCH_STEP = "producer-plan";

/**
 * The databases named by identifier, known at deployment: their ARNs grow with the selection, so buildSteps
 * moves them to managed policies when they outgrow the inline budget.
 */
export function listedDatabaseScopes(
  args: Pick<SnapshotProducerArgs, "account" | "region" | "instances" | "clusters">,
): Partial<Record<ResourceKind, ResourceScope[]>> {
  const rds = (resource: string) => `arn:${partitionOf(args.region)}:rds:${args.region}:${args.account}:${resource}`;
  return {
    "source-db-instance": [{ arns: args.instances.map((id) => rds(`db:${id}`)) }],
    "source-db-cluster": [{ arns: args.clusters.map((id) => rds(`cluster:${id}`)) }],
  };
}

/**
 * The most customer managed policies any producer step role needs for the databases named by identifier;
 * config validation holds it to IAM's 10 per role.
 */
export function listedPolicyCount(args: Pick<SnapshotProducerArgs, "account" | "region" | "instances" | "clusters">) {
  const listed = listedDatabaseScopes(args);
  return Math.max(...stepsOf("producer").map((step) => listedPolicies(step.iam, listed).length));
}

/** Source database keys listed one by one up to this many; beyond, per account and region (see below). */
export const SOURCE_KEYS_LISTED = 10;

/**
 * The source databases' keys as IAM resources. They are only known once discovered (after deployment
 * planning), so their number cannot choose managed policies; beyond SOURCE_KEYS_LISTED distinct keys they are
 * granted as every key of their account in their region (`key/*`), still only through RDS of that region
 * (kms:ViaService) and only where the key policy lets the account's IAM policies decide.
 */
export function sourceKeyScope(sourceKeyArns: readonly string[]): string[] {
  const keys = [...new Set(sourceKeyArns.filter((arn) => arn.startsWith("arn:")))].sort();
  if (keys.length <= SOURCE_KEYS_LISTED) return keys;
  return [...new Set(keys.map((arn) => arn.replace(/:key\/.*$/, ":key/*")))].sort();
}

/** Concrete resources behind each catalog resource kind, for the producer's step roles. */
export function producerScopes(
  args: Pick<SnapshotProducerArgs, "account" | "region" | "destinations" | "instances" | "clusters" | "selectorTags">,
  arns: ProducerArns,
): Record<ResourceKind, ResourceScope[]> {
  const p = partitionOf(args.region);
  const rds = (region: string, resource: string) => `arn:${p}:rds:${region}:${args.account}:${resource}`;
  const regions = transitRegions(args.region, args.destinations);
  const tags = Object.entries(args.selectorTags);
  const byTags = (resource: string): ResourceScope[] =>
    tags.length > 0
      ? [
          {
            arns: [rds(args.region, `${resource}:*`)],
            condition: { StringEquals: Object.fromEntries(tags.map(([k, v]) => [`aws:ResourceTag/${k}`, v])) },
          },
        ]
      : [];
  const none: ResourceScope[] = [];
  const machine = arns.databaseStateMachineArn;
  return {
    // The databases named by identifier: listedDatabaseScopes, added by buildSteps.
    "source-db-instance": byTags("db"),
    "source-db-cluster": byTags("cluster"),
    "db-snapshot": [{ arns: regions.map((r) => rds(r, "snapshot:*")) }],
    "db-cluster-snapshot": [{ arns: regions.map((r) => rds(r, "cluster-snapshot:*")) }],
    "transit-key": [{ arns: Object.values(arns.transitKeyArns) }],
    "source-db-key": [{ arns: sourceKeyScope(arns.sourceKeyArns) }],
    "announce-topic": [{ arns: [arns.announceTopicArn] }],
    "notify-topic": [{ arns: [arns.notifyTopicArn] }],
    any: [{ arns: ["*"] }],
    "state-machine": machine ? [{ arns: [machine] }] : none,
    "state-machine-execution": machine ? [{ arns: executionsOf(machine) }] : none,
    "own-key": none,
    "source-transit-key": none,
    "restore-secret": none,
    "restored-db-instance": none,
    "restored-db-cluster": none,
    "subnet-group": none,
    "db-parameter-group": none,
    // The plan step reads the option groups of the source instances (functions/producer/rules.ts).
    "db-option-group": [{ arns: [rds(args.region, "og:*")] }],
    "security-group": none,
  };
}

/** The source account's side: transit keys, announcement topic, triggers, state machine and its Lambdas. */
export class SnapshotProducer extends pulumi.ComponentResource {
  /** The topic destination accounts subscribe their intake Lambda to. */
  readonly announceTopicArn: pulumi.Output<string>;
  /** Producer transit key ARN per region (source region and each destination region). */
  readonly transitKeyArns: pulumi.Output<Record<string, string>>;
  readonly notifyTopicArn: pulumi.Output<string>;
  /** The entry point (triggers and manual starts): plans and starts one per-database run per database. */
  readonly stateMachineArn: pulumi.Output<string>;
  /** The per-database state machine the entry point starts. */
  readonly databaseStateMachineArn: pulumi.Output<string>;

  constructor(name: string, args: SnapshotProducerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-replication:index:SnapshotProducer", name, {}, opts);
    const regions = transitRegions(args.region, args.destinations);

    const keys = Object.fromEntries(
      regions.map((region) => {
        const accounts = args.destinations.filter((d) => d.region === region).map((d) => d.account);
        const key = customerKey(
          `${name}-transit-key-${region}`,
          `rds-replication transit copies in ${region}, shared with ${accounts.join(", ") || "no account"} through RDS`,
          transitKeyPolicy({ account: args.account, region, destinationAccounts: accounts }),
          { parent: this },
          region === args.region ? undefined : region,
        );
        return [region, key];
      }),
    );
    this.transitKeyArns = pulumi.all(Object.fromEntries(Object.entries(keys).map(([r, k]) => [r, k.arn])));

    const opsKey = operationsKey(name, args, this);
    const notify = notificationsTopic(
      name,
      { account: args.account, key: opsKey, emails: args.notificationEmails },
      this,
    );
    const announce = new aws.sns.Topic(`${name}-announce`, { kmsMasterKeyId: opsKey.arn }, { parent: this });
    new aws.sns.TopicPolicy(
      `${name}-announce-policy`,
      {
        arn: announce.arn,
        policy: json(
          announce.arn.apply((topicArn) =>
            announceTopicPolicy({ topicArn, destinationAccounts: args.destinations.map((d) => d.account) }),
          ),
        ),
      },
      { parent: this },
    );

    const runtimeConfig = pulumi
      .output({
        account: args.account,
        region: args.region,
        transitKeyArns: this.transitKeyArns,
        databases: { identifiers: [...args.instances, ...args.clusters], tags: { ...args.selectorTags } },
        destinations: args.destinations.map((d) => ({
          account: d.account,
          region: d.region,
          databases: [...d.databases],
        })),
        announceTopicArn: announce.arn,
        notifyTopicArn: notify.arn,
        transit: {
          keep: args.transitKeep,
          graceHours: args.transitGraceHours,
          deletionsEnabled: args.transitDeletionsEnabled,
        },
        replicateUnencryptedClusters: args.replicateUnencryptedClusters,
        optionGroups: args.optionGroups,
      })
      .apply((config): ProducerRuntimeConfig => ({ ...config, version: 1 }));

    const steps = stepsOf("producer");
    const roles = stepRoles(name, steps, args.account, this);
    const sourceKeys = discoveredSourceKeys(args, { parent: this });
    const scopes = (databaseStateMachineArn?: pulumi.Output<string>) =>
      pulumi
        .all([announce.arn, notify.arn, this.transitKeyArns, sourceKeys, databaseStateMachineArn])
        .apply(([announceTopicArn, notifyTopicArn, transitKeyArns, discovered, machineArn]) =>
          producerScopes(args, {
            announceTopicArn,
            notifyTopicArn,
            transitKeyArns,
            sourceKeyArns: [...discovered, ...args.sourceKeyArns],
            databaseStateMachineArn: machineArn,
          }),
        );
    const common = {
      account: args.account,
      layer: sharedLayer(`${name}-layer`, { parent: this }),
      operationsKey: opsKey,
      configParameter: runtimeConfigParameter(name, runtimeConfig, this),
      reservedConcurrency: args.reservedConcurrency,
      logRetentionDays: args.logRetentionDays,
      listed: listedDatabaseScopes(args),
    };
    const tasks = buildSteps(
      name,
      roles,
      { ...common, steps: steps.filter((s) => s.key !== DISPATCH_STEP), scopes: scopes() },
      this,
    );
    const machineArgs = { account: args.account, operationsKey: opsKey, logRetentionDays: args.logRetentionDays };
    // One execution per database: neither state nor history of any execution grows with the database count.
    const perDatabase = stateMachine(
      `${name}-database`,
      { ...machineArgs, define: (arns) => producerDatabaseDefinition(arns), steps: tasks },
      this,
    );
    const dispatch = buildSteps(
      name,
      roles,
      {
        ...common,
        steps: steps.filter((s) => s.key === DISPATCH_STEP),
        scopes: scopes(perDatabase.arn),
        extraEnvironment: { [DISPATCH_STEP]: { [STATE_MACHINE_VARIABLE]: perDatabase.arn } },
      },
      this,
    );
    const built = new Map([...dispatch, ...tasks]);
    const notifyStep = "producer-notify";
    const machine = stateMachine(
      name,
      {
        ...machineArgs,
        define: (arns) => producerDispatchDefinition(arns),
        steps: new Map([...dispatch, [notifyStep, tasks.get(notifyStep)!]]),
      },
      this,
    );
    this.stateMachineArn = machine.arn;
    this.databaseStateMachineArn = perDatabase.arn;
    this.triggers(name, args, machine);
    watch(
      name,
      {
        region: args.region,
        stateMachine: machine,
        otherStateMachines: { [`${name}-database`]: perDatabase },
        steps: built,
        topic: notify,
      },
      this,
    );

    this.announceTopicArn = announce.arn;
    this.notifyTopicArn = notify.arn;
    this.registerOutputs({
      announceTopicArn: this.announceTopicArn,
      transitKeyArns: this.transitKeyArns,
      notifyTopicArn: this.notifyTopicArn,
      stateMachineArn: this.stateMachineArn,
      databaseStateMachineArn: this.databaseStateMachineArn,
    });
  }

  // EventBridge starts the state machine directly: no Lambda in between to fail or throttle.
  private triggers(name: string, args: SnapshotProducerArgs, machine: aws.sfn.StateMachine): void {
    const rules = eventRules(args);
    if (rules.length === 0 && !args.schedule) return;
    const role = new aws.iam.Role(
      `${name}-events-role`,
      {
        description: "EventBridge starts the rds-replication producer",
        assumeRolePolicy: json(assumeRolePolicy("events", args.account)),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-events-policy`,
      { role: role.id, policy: json(machine.arn.apply(eventsRolePolicy)) },
      { parent: this },
    );
    const target = (ruleName: string, rule: aws.cloudwatch.EventRule, input?: string) =>
      new aws.cloudwatch.EventTarget(
        `${ruleName}-target`,
        { rule: rule.name, arn: machine.arn, roleArn: role.arn, input },
        { parent: this },
      );
    for (const spec of rules) {
      const ruleName = `${name}-${spec.kind}-snapshots`;
      const rule = new aws.cloudwatch.EventRule(
        ruleName,
        { description: `rds-replication: ${spec.kind} snapshot created`, eventPattern: JSON.stringify(spec.pattern) },
        { parent: this },
      );
      target(ruleName, rule);
    }
    if (args.schedule) {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-schedule`,
        { description: "rds-replication: scheduled fresh snapshots", scheduleExpression: args.schedule },
        { parent: this },
      );
      target(`${name}-schedule`, rule, JSON.stringify({ trigger: "schedule" }));
    }
  }
}
