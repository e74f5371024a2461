// SnapshotProducer: everything the source account needs to turn RDS snapshots into announced, shareable
// transit copies. The constructor wires resources; the decisions live in the pure functions below and in
// policies.ts, where tests reach them directly.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COPY_EVENT_STEPS, type ResourceKind, stepsOf } from "../functions/catalog";
import { ANNOUNCEMENT_VERSION } from "../functions/contracts/announcement";
import { type ProducerRuntimeConfig, STATE_MACHINE_VARIABLE } from "../functions/contracts/runtimeConfig";
import { TRANSIT_ID_PREFIX } from "../functions/decisions/naming";
import { admissionTable } from "./admission";
import { routeCopyEvents } from "./copyEvents";
import { sharedLayer } from "./lambda";
import { watch } from "./observability";
import {
  announceTopicPolicy,
  assumeRolePolicy,
  eventsRolePolicy,
  IAM_POLICY_QUOTAS,
  listedPolicies,
  partitionOf,
  type ResourceScope,
  transitKeyPolicy,
} from "./policies";
import { receiptTopicList, receiptTopics, subscribeReceipts } from "./receipts";
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
import type { SourceOutputs } from "./sourceOutputs";
import { producerDatabaseDefinition, producerDispatchDefinition } from "./stateMachines";
import { type SnapshotComponentOptions, withTransforms } from "./transforms";
import {
  ArgsError,
  accountId,
  checkInputs,
  dbIdentifier,
  email,
  kmsKeyArn,
  region as knownRegion,
  logRetentionDays,
  Problems,
  scheduleExpressionProblem,
  tagKey,
  wholeNumber,
} from "./validation";

/** An account and region that receives copies, and which databases it receives. */
export interface Destination {
  /**
   * The destination account (12 digits); never the source account (RDS does not share a snapshot with its own).
   * @example "222222222222"
   */
  account: string;
  /**
   * The destination region; a transit key and a transit copy exist in each distinct destination region.
   * @example "eu-west-1"
   */
  region: string;
  /**
   * Source databases (instance or cluster identifiers) copied to this destination; empty: every selected one.
   * @default []
   * @example ["orders-db"]
   */
  databases?: pulumi.Input<string[]>;
}

/** The defaults of SnapshotProducerArgs (the stack-config parser uses the same). */
export const PRODUCER_DEFAULTS = {
  automatedSnapshots: true,
  manualSnapshots: true,
  transitKeep: 2,
  transitGraceHours: 24,
  transitDeletionsEnabled: false,
  replicateUnencryptedClusters: false,
  logRetentionDays: 90,
  namePrefix: "rds-replication",
} as const;

/**
 * The source account's side. Plain members shape the resource graph (which keys, rules, subscriptions and
 * lookups exist); `Input<>` members only reach the runtime config and may be outputs of other resources.
 * @example
 * new SnapshotProducer("orders", {
 *   account: "111111111111",
 *   region: "eu-central-1",
 *   destinations: [{ account: "222222222222", region: "eu-west-1" }],
 *   instances: ["orders-db"],
 * });
 */
export interface SnapshotProducerArgs {
  /**
   * The source account (12 digits); the stack's credentials act in it.
   * @example "111111111111"
   */
  account: string;
  /**
   * The source region: the databases, the topics and the state machines live here.
   * @example "eu-central-1"
   */
  region: string;
  /**
   * Accounts and regions that receive copies. Decides which transit keys exist and who may subscribe.
   * @example [{ account: "222222222222", region: "eu-west-1", databases: ["orders-db"] }]
   */
  destinations: Destination[];
  /**
   * DB instance identifiers to replicate (their KMS keys are looked up at deployment).
   * @default []
   * @example ["orders-db"]
   */
  instances?: string[];
  /**
   * Aurora DB cluster identifiers to replicate.
   * @default []
   * @example ["billing-cluster"]
   */
  clusters?: string[];
  /**
   * Tags selecting further databases: a database carrying all of them is replicated.
   * @default {}
   * @example { replicate: "true" }
   */
  selectorTags?: Record<string, string>;
  /**
   * React to automated snapshots (RDS-EVENT-0091 / 0169).
   * @default true
   * @example false
   */
  automatedSnapshots?: boolean;
  /**
   * React to manual snapshots (RDS-EVENT-0042 / 0075).
   * @default true
   * @example false
   */
  manualSnapshots?: boolean;
  /**
   * EventBridge schedule expression that takes a fresh snapshot; none by default.
   * @example "cron(0 3 * * ? *)"
   */
  schedule?: string;
  /**
   * Transit copies kept per database and region.
   * @default 2
   * @example 3
   */
  transitKeep?: pulumi.Input<number>;
  /**
   * Hours a transit copy beyond `transitKeep` is kept before it may be deleted.
   * @default 24
   * @example 48
   */
  transitGraceHours?: pulumi.Input<number>;
  /**
   * Whether transit deletions are real; otherwise they are only reported (dry run).
   * @default false
   * @example true
   */
  transitDeletionsEnabled?: pulumi.Input<boolean>;
  /**
   * Replicate unencrypted Aurora clusters unencrypted instead of refusing them.
   * @default false
   * @example true
   */
  replicateUnencryptedClusters?: pulumi.Input<boolean>;
  /**
   * KMS keys of source databases beyond those discovered from `instances` and `clusters` (tag-selected ones).
   * @default []
   * @example ["arn:aws:kms:eu-central-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
   */
  sourceKeyArns?: pulumi.Input<string[]>;
  /**
   * Destination region -> source option group -> that region's option group, for cross-region copies.
   * @default {}
   * @example { "eu-west-1": { "orders-og": "orders-og-eu-west-1" } }
   */
  optionGroups?: pulumi.Input<Record<string, Record<string, string>>>;
  /**
   * Email addresses subscribed to the notifications topic (one subscription each).
   * @default []
   * @example ["dba@example.com"]
   */
  notificationEmails?: string[];
  /**
   * Reserved concurrent executions per Lambda (the copy start always has 1); none by default, since Lambda
   * keeps 100 of an account's executions unreserved.
   * @example 5
   */
  reservedConcurrency?: number;
  /**
   * Retention of the Lambda and state machine logs, in days (a CloudWatch Logs retention value).
   * @default 90
   * @example 30
   */
  logRetentionDays?: number;
  /**
   * Prefix of the physical names that must be unique in the account and region (Lambda layer, dashboard, SSM
   * parameter path); the component name follows it. `/` separates segments and becomes `-` where a name does
   * not allow it. Set it per stack when one account and region hold several stacks.
   * @default "rds-replication"
   * @example "rds-replication/prod"
   */
  namePrefix?: string;
}

/** The args with every default applied: what the decisions below work on. */
export type ProducerSettings = SnapshotProducerArgs &
  Required<
    Pick<
      SnapshotProducerArgs,
      "instances" | "clusters" | "selectorTags" | "automatedSnapshots" | "manualSnapshots" | "notificationEmails"
    >
  > & { readonly logRetentionDays: number; readonly namePrefix: string };

export function producerSettings(args: SnapshotProducerArgs): ProducerSettings {
  return {
    ...args,
    instances: args.instances ?? [],
    clusters: args.clusters ?? [],
    selectorTags: args.selectorTags ?? {},
    automatedSnapshots: args.automatedSnapshots ?? PRODUCER_DEFAULTS.automatedSnapshots,
    manualSnapshots: args.manualSnapshots ?? PRODUCER_DEFAULTS.manualSnapshots,
    notificationEmails: args.notificationEmails ?? [],
    logRetentionDays: args.logRetentionDays ?? PRODUCER_DEFAULTS.logRetentionDays,
    namePrefix: args.namePrefix ?? PRODUCER_DEFAULTS.namePrefix,
  };
}

/**
 * Every problem of the args' plain members, one line each naming the member (the `Input<>` members are checked
 * when they resolve, `producerInputProblems`). The stack-config parser reports the same rules by config key.
 */
export function producerArgsProblems(args: SnapshotProducerArgs): string[] {
  const p = new Problems();
  p.required("account", accountId, args.account);
  p.required("region", knownRegion, args.region);
  const destinations = Array.isArray(args.destinations) ? args.destinations : [];
  if (destinations.length === 0) p.add("destinations", "= []: expected at least one destination");
  const seen = new Set<string>();
  destinations.forEach((d, i) => {
    p.required(`destinations[${i}].account`, accountId, d.account);
    if (d.account === args.account)
      p.add(
        `destinations[${i}].account`,
        `= "${d.account}": expected another account than the source account (a snapshot cannot be shared with its own account)`,
      );
    p.required(`destinations[${i}].region`, knownRegion, d.region);
    if (seen.has(`${d.account}/${d.region}`))
      p.add(`destinations[${i}]`, `expected ${d.account}/${d.region} only once`);
    seen.add(`${d.account}/${d.region}`);
    if (Array.isArray(d.databases)) p.each(`destinations[${i}].databases`, dbIdentifier(), d.databases);
  });
  const instances = args.instances ?? [];
  const clusters = args.clusters ?? [];
  const tags = Object.keys(args.selectorTags ?? {});
  p.each("instances", dbIdentifier(), instances);
  p.each("clusters", dbIdentifier(), clusters);
  for (const key of tags) p.at(`selectorTags.${key}`, tagKey, key);
  if (instances.length + clusters.length + tags.length === 0)
    p.add("instances", "expected instances, clusters or selectorTags that select at least one database");
  const problem = args.schedule === undefined ? undefined : scheduleExpressionProblem(args.schedule);
  if (problem) p.add("schedule", `= ${JSON.stringify(args.schedule)}: ${problem}`);
  p.each("notificationEmails", email, args.notificationEmails);
  p.at("reservedConcurrency", wholeNumber(1), args.reservedConcurrency);
  p.at("logRetentionDays", logRetentionDays, args.logRetentionDays);
  if (new Set(destinations.map((d) => d.account)).size > 20)
    p.add("destinations", "expected at most 20 destination accounts (RDS sharing limit)");
  const regions = new Set([args.region, ...destinations.map((d) => d.region)]).size;
  if (regions > MAX_TRANSIT_REGIONS)
    p.add(
      "destinations",
      `expected at most ${MAX_TRANSIT_REGIONS - 1} destination regions besides ${args.region}, not ${regions - 1}: the transit step's role grants each region's transit key inline, and IAM limits a role's inline policies to 10,240 characters`,
    );
  if (tags.length === 0) {
    const selected = new Set([...instances, ...clusters]);
    destinations.forEach((d, i) => {
      const unknown = Array.isArray(d.databases) ? d.databases.filter((db) => !selected.has(db)) : [];
      if (unknown.length > 0)
        p.add(
          `destinations[${i}].databases`,
          `expected only selected databases (${[...selected].join(", ")}), not ${unknown.join(", ")}`,
        );
    });
  }
  if (p.list.length === 0) {
    const policies = listedPolicyCount({ account: args.account, region: args.region, instances, clusters });
    if (policies > IAM_POLICY_QUOTAS.managedPerRole)
      p.add(
        "instances",
        `expected fewer databases named by identifier: these ${instances.length + clusters.length} need ${policies} managed policies of ${IAM_POLICY_QUOTAS.managedPolicy} characters on one producer role, and IAM attaches at most ${IAM_POLICY_QUOTAS.managedPerRole}; select the others by tag (selectorTags)`,
      );
  }
  return p.list;
}

/** The `Input<>` members that reach the runtime config, once resolved. */
export interface ProducerInputs {
  transitKeep?: number;
  transitGraceHours?: number;
  sourceKeyArns?: string[];
}

export function producerInputProblems(inputs: ProducerInputs): string[] {
  const p = new Problems();
  p.at("transitKeep", wholeNumber(1), inputs.transitKeep);
  p.at("transitGraceHours", wholeNumber(0), inputs.transitGraceHours);
  p.each("sourceKeyArns", kmsKeyArn, inputs.sourceKeyArns);
  return p.list;
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
  args: Pick<ProducerSettings, "instances" | "clusters" | "selectorTags" | "automatedSnapshots" | "manualSnapshots">,
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
  /** The admission queue's table (transit copies waiting for a copy slot). */
  admissionTableArn?: string;
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
  args: Pick<ProducerSettings, "instances" | "clusters">,
  opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string[]> {
  const keys = [
    ...args.instances.map((id) => aws.rds.getInstanceOutput({ dbInstanceIdentifier: id }, opts).kmsKeyId),
    ...args.clusters.map((id) => aws.rds.getClusterOutput({ clusterIdentifier: id }, opts).kmsKeyId),
  ];
  // An unencrypted database has no key (empty, or absent in some provider versions).
  return pulumi
    .all(keys)
    .apply((arns) => arns.filter((arn): arn is string => typeof arn === "string" && arn.startsWith("arn:")));
}

/** The step that starts the per-database runs: built after the per-database state machine it names. */
const DISPATCH_STEP = "producer-plan";
/** The step SNS invokes with destinations' receipts (components/receipts.ts). */
const RECEIPT_STEP = "producer-receipt";

/**
 * The databases named by identifier, known at deployment: their ARNs grow with the selection, so buildSteps
 * moves them to managed policies when they outgrow the inline budget.
 */
export function listedDatabaseScopes(
  args: Pick<ProducerSettings, "account" | "region" | "instances" | "clusters">,
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
export function listedPolicyCount(args: Pick<ProducerSettings, "account" | "region" | "instances" | "clusters">) {
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
  args: Pick<ProducerSettings, "account" | "region" | "destinations" | "instances" | "clusters" | "selectorTags">,
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
    // The producer's receipt Lambda is invoked by SNS; no producer role publishes receipts.
    "receipt-topic": none,
    "receipt-key": none,
    "notify-topic": [{ arns: [arns.notifyTopicArn] }],
    any: [{ arns: ["*"] }],
    "state-machine": machine ? [{ arns: [machine] }] : none,
    "state-machine-execution": machine ? [{ arns: executionsOf(machine) }] : none,
    "admission-table": arns.admissionTableArn ? [{ arns: [arns.admissionTableArn] }] : none,
    "own-key": none,
    "source-transit-key": none,
    "restore-secret": none,
    "restored-db-instance": none,
    "restored-db-cluster": none,
    "restore-test-db-instance": none,
    "restore-test-db-cluster": none,
    "restore-test-secret": none,
    "subnet-group": none,
    "db-parameter-group": none,
    // The plan step reads the option groups of the source instances (functions/decisions/sourceRules.ts).
    "db-option-group": [{ arns: [rds(args.region, "og:*")] }],
    "security-group": none,
  };
}

/**
 * The source account's side: transit keys, announcement topic, triggers, state machines and their Lambdas.
 * @example
 * const producer = new SnapshotProducer("orders", {
 *   account: "111111111111",
 *   region: "eu-central-1",
 *   destinations: [{ account: "222222222222", region: "eu-west-1" }],
 *   instances: ["orders-db"],
 * });
 * export const announceTopicArn = producer.announceTopicArn;
 */
export class SnapshotProducer extends pulumi.ComponentResource {
  /**
   * The topic destination accounts subscribe their intake Lambda to.
   * @example "arn:aws:sns:eu-central-1:111111111111:orders-announce-1a2b3c"
   */
  readonly announceTopicArn: pulumi.Output<string>;
  /**
   * Transit key ARN per region (the source region and each destination region).
   * @example { "eu-central-1": "arn:aws:kms:eu-central-1:111111111111:key/...", "eu-west-1": "arn:aws:kms:eu-west-1:111111111111:key/..." }
   */
  readonly transitKeyArns: pulumi.Output<Record<string, string>>;
  /**
   * The topic of failures and alarms (the `notificationEmails` are subscribed to it).
   * @example "arn:aws:sns:eu-central-1:111111111111:orders-notifications-1a2b3c"
   */
  readonly notifyTopicArn: pulumi.Output<string>;
  /**
   * The entry point (triggers and manual starts): plans and starts one per-database run per database.
   * @example "arn:aws:states:eu-central-1:111111111111:stateMachine:orders-state-machine-1a2b3c"
   */
  readonly stateMachineArn: pulumi.Output<string>;
  /**
   * The per-database state machine the entry point starts.
   * @example "arn:aws:states:eu-central-1:111111111111:stateMachine:orders-database-state-machine-1a2b3c"
   */
  readonly databaseStateMachineArn: pulumi.Output<string>;
  /**
   * What a SnapshotConsumer takes for this source (the contract between the stacks): pass it directly in the
   * same program, or export it member by member (`sourceStackExports`) for dest stacks.
   * @example new SnapshotConsumer("dr", { account: "222222222222", region: "eu-west-1", sources: { orders: producer.sourceOutputs } })
   */
  readonly sourceOutputs: pulumi.Output<SourceOutputs>;

  constructor(name: string, args: SnapshotProducerArgs, opts?: SnapshotComponentOptions) {
    super("rds-replication:index:SnapshotProducer", name, {}, withTransforms(opts));
    // The analyser of other languages reads the parameter named `args`: the defaults apply to a copy.
    const settings = producerSettings(args);
    const { problems, checked: inputs } = checkInputs<ProducerInputs>(
      "SnapshotProducer",
      name,
      {
        transitKeep: settings.transitKeep,
        transitGraceHours: settings.transitGraceHours,
        sourceKeyArns: settings.sourceKeyArns,
      },
      producerInputProblems,
    );
    const all = [...producerArgsProblems(args), ...problems];
    if (all.length > 0) throw new ArgsError("SnapshotProducer", name, all);
    const regions = transitRegions(settings.region, settings.destinations);

    const keys = Object.fromEntries(
      regions.map((region) => {
        const accounts = settings.destinations.filter((d) => d.region === region).map((d) => d.account);
        const key = customerKey(
          `${name}-transit-key-${region}`,
          `rds-replication transit copies in ${region}, shared with ${accounts.join(", ") || "no account"} through RDS`,
          transitKeyPolicy({ account: settings.account, region, destinationAccounts: accounts }),
          // Shared transit snapshots and copies still in flight are readable only with it: kept on stack deletion.
          { parent: this, retainOnDelete: true },
          region === settings.region ? undefined : region,
        );
        return [region, key];
      }),
    );
    this.transitKeyArns = pulumi.all(Object.fromEntries(Object.entries(keys).map(([r, k]) => [r, k.arn])));

    const opsKey = operationsKey(name, settings, this);
    const notify = notificationsTopic(
      name,
      { account: settings.account, key: opsKey, emails: settings.notificationEmails },
      this,
    );
    const announce = new aws.sns.Topic(`${name}-announce`, { kmsMasterKeyId: opsKey.arn }, { parent: this });
    new aws.sns.TopicPolicy(
      `${name}-announce-policy`,
      {
        arn: announce.arn,
        policy: json(
          announce.arn.apply((topicArn) =>
            announceTopicPolicy({ topicArn, destinationAccounts: settings.destinations.map((d) => d.account) }),
          ),
        ),
      },
      { parent: this },
    );

    const admission = admissionTable(name, this);
    const receipts = receiptTopics(name, settings, settings.destinations, this);
    const receiptTopicArns = receiptTopicList(receipts);
    const runtimeConfig = pulumi
      .output({
        account: settings.account,
        region: settings.region,
        transitKeyArns: this.transitKeyArns,
        databases: { identifiers: [...settings.instances, ...settings.clusters], tags: { ...settings.selectorTags } },
        destinations: settings.destinations.map((d) => ({
          account: d.account,
          region: d.region,
          databases: d.databases ?? [],
        })),
        announceTopicArn: announce.arn,
        notifyTopicArn: notify.arn,
        admissionTable: admission.name,
        receiptTopics: receiptTopicArns.apply((list) =>
          list.map(({ topicArn, account, region }) => ({ topicArn, account, region })),
        ),
        transit: {
          keep: inputs.apply((i) => i.transitKeep ?? PRODUCER_DEFAULTS.transitKeep),
          graceHours: inputs.apply((i) => i.transitGraceHours ?? PRODUCER_DEFAULTS.transitGraceHours),
          deletionsEnabled: settings.transitDeletionsEnabled ?? PRODUCER_DEFAULTS.transitDeletionsEnabled,
        },
        replicateUnencryptedClusters:
          settings.replicateUnencryptedClusters ?? PRODUCER_DEFAULTS.replicateUnencryptedClusters,
        optionGroups: settings.optionGroups ?? {},
      })
      .apply((config): ProducerRuntimeConfig => ({ ...config, version: 1 }));

    const steps = stepsOf("producer");
    const roles = stepRoles(name, steps, settings.account, this);
    const sourceKeys = discoveredSourceKeys(settings, { parent: this });
    const scopes = (databaseStateMachineArn?: pulumi.Output<string>) =>
      pulumi
        .all([
          announce.arn,
          notify.arn,
          this.transitKeyArns,
          sourceKeys,
          inputs.apply((i) => i.sourceKeyArns ?? []),
          databaseStateMachineArn,
          admission.arn,
        ])
        .apply(([announceTopicArn, notifyTopicArn, transitKeyArns, discovered, configured, machineArn, tableArn]) =>
          producerScopes(settings, {
            announceTopicArn,
            notifyTopicArn,
            admissionTableArn: tableArn,
            transitKeyArns,
            sourceKeyArns: [...discovered, ...configured],
            databaseStateMachineArn: machineArn,
          }),
        );
    const common = {
      account: settings.account,
      layer: sharedLayer(`${name}-layer`, settings.namePrefix, { parent: this }),
      operationsKey: opsKey,
      configParameter: runtimeConfigParameter(name, settings.namePrefix, runtimeConfig, this),
      reservedConcurrency: settings.reservedConcurrency,
      logRetentionDays: settings.logRetentionDays,
      listed: listedDatabaseScopes(settings),
    };
    const built0 = buildSteps(
      name,
      roles,
      { ...common, steps: steps.filter((s) => s.key !== DISPATCH_STEP), scopes: scopes() },
      this,
    );
    // The receipt step is SNS's to invoke, not a Task: the state machines get no permission for it.
    subscribeReceipts(name, receipts, built0.get(RECEIPT_STEP)!.fn, this);
    const tasks = new Map([...built0].filter(([key]) => key !== RECEIPT_STEP));
    const machineArgs = {
      account: settings.account,
      operationsKey: opsKey,
      logRetentionDays: settings.logRetentionDays,
    };
    // One execution per database: neither state nor history of any execution grows with the database count.
    const perDatabase = stateMachine(
      `${name}-database`,
      {
        ...machineArgs,
        define: (arns) => producerDatabaseDefinition(arns),
        steps: new Map([...tasks].filter(([key]) => !(COPY_EVENT_STEPS as readonly string[]).includes(key))),
      },
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
    const built = new Map([...dispatch, ...built0]);
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
    this.triggers(name, settings, machine);
    // Transit copies are made in every destination region, the source region's own included.
    routeCopyEvents(
      name,
      {
        account: settings.account,
        region: settings.region,
        otherRegions: transitRegions(settings.region, settings.destinations).filter((r) => r !== settings.region),
        idPrefix: TRANSIT_ID_PREFIX,
        handler: tasks.get("producer-copy-event")!,
      },
      this,
    );
    watch(
      name,
      {
        namePrefix: settings.namePrefix,
        region: settings.region,
        stateMachine: machine,
        otherStateMachines: { [`${name}-database`]: perDatabase },
        steps: built,
        topic: notify,
      },
      this,
    );

    this.announceTopicArn = announce.arn;
    this.notifyTopicArn = notify.arn;
    this.sourceOutputs = pulumi.output({
      account: settings.account,
      region: settings.region,
      announceTopicArn: announce.arn,
      transitKeyArns: this.transitKeyArns,
      announcementVersion: ANNOUNCEMENT_VERSION,
      destinations: settings.destinations.map((d) => ({ account: d.account, region: d.region })),
      receiptTopics: receiptTopicArns,
      databases: {
        instances: settings.instances,
        clusters: settings.clusters,
        byTags: Object.keys(settings.selectorTags).length > 0,
        perDestination: settings.destinations.map((d) => ({
          account: d.account,
          region: d.region,
          databases: d.databases ?? [],
        })),
      },
    });
    this.registerOutputs({
      sourceOutputs: this.sourceOutputs,
      announceTopicArn: this.announceTopicArn,
      transitKeyArns: this.transitKeyArns,
      notifyTopicArn: this.notifyTopicArn,
      stateMachineArn: this.stateMachineArn,
      databaseStateMachineArn: this.databaseStateMachineArn,
    });
  }

  // EventBridge starts the state machine directly: no Lambda in between to fail or throttle.
  private triggers(name: string, args: ProducerSettings, machine: aws.sfn.StateMachine): void {
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
