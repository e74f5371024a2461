// SnapshotConsumer: a destination account's side. It learns the producer's topic and keys through a stack
// reference and wires the cross-account subscription itself; copies are re-encrypted under its own key.
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  COPY_EVENT_STEPS,
  RESTORE_TEST_STEPS,
  type ResourceKind,
  type Step,
  stepByKey,
  stepsOf,
} from "../functions/catalog";
import { ANNOUNCEMENT_VERSION, destinationFilterPolicy } from "../functions/contracts/announcement";
import { type ConsumerRuntimeConfig, STATE_MACHINE_VARIABLE } from "../functions/contracts/runtimeConfig";
import { RESTORE_TEST_PREFIX } from "../functions/decisions/restoreTestChecks";
import type { RetentionFloor } from "../functions/decisions/retentionFloor";
import {
  RETENTION_PRESETS,
  type RetentionPolicy,
  validateRetentionPolicy,
} from "../functions/decisions/retentionPolicy";
import { MANAGED_BY_KEY, MANAGED_BY_VALUE } from "../functions/decisions/tags";
import { admissionTable } from "./admission";
import { routeCopyEvents } from "./copyEvents";
import { watchKeyLoss } from "./keyProtection";
import { sharedLayer } from "./lambda";
import { watch } from "./observability";
import {
  assumeRolePolicy,
  consumerKeyPolicy,
  eventsRolePolicy,
  partitionOf,
  type ResourceScope,
  snapshotDeletionGuardPolicy,
} from "./policies";
import { instanceClassProblem, REFRESH_DEFAULTS, type RefreshTarget, targetConflicts } from "./refreshTargets";
import { RESTORE_TEST_DEFAULTS, type RestoreTest } from "./restoreTests";
import {
  type BuiltStep,
  buildSteps,
  customerKey,
  executionsOf,
  notificationsTopic,
  operationsKey,
  runtimeConfigParameter,
  stateMachine,
  stepRoles,
} from "./shared";
import { receiptTopicOf, type SourceOutputs } from "./sourceOutputs";
import { consumerDefinition, restoreTestDefinition } from "./stateMachines";
import { type SnapshotComponentOptions, withTransforms } from "./transforms";
import {
  ArgsError,
  AVAILABILITY_ZONE,
  accountId,
  checkInputs,
  copyTagKey,
  dbIdentifier,
  email,
  region as knownRegion,
  logRetentionDays,
  MAX_COPY_TAGS,
  Problems,
  rpoHours,
  SECRET_NAME,
  TOO_MANY_COPY_TAGS,
  tagKey,
  wholeNumber,
} from "./validation";

export const INTAKE_STEP = "consumer-intake";
const COPY_EVENT_STEP = "consumer-copy-event";
const isCopyEventStep = (key: string) => (COPY_EVENT_STEPS as readonly string[]).includes(key);

/** Recovery point objective: the lag alarms' thresholds (one alarm by default, one per override). */
export interface Rpo {
  /**
   * Hours within which every database must have a fresh copy (1 to 168: CloudWatch evaluates at most 7 days).
   * @example 26
   */
  defaultHours: number;
  /**
   * Per source database identifier, hours that replace the default for it (each gets its own alarm).
   * @default {}
   * @example { "orders-db": 6 }
   */
  overrides?: Record<string, number>;
}

/** The network the consumer creates for restored instances (an isolated VPC with one subnet per zone). */
export interface RestoreNetworkArgs {
  /**
   * The VPC's IPv4 CIDR block.
   * @example "10.42.0.0/16"
   */
  cidrBlock: string;
  /**
   * Availability zones of the subnets (at least two: RDS subnet groups need two).
   * @example ["eu-west-1a", "eu-west-1b"]
   */
  availabilityZones: string[];
}

/** Refresh settings: the databases restored from their copies, each with its own secret and prefix. */
export interface RefreshArgs {
  /**
   * One target per source database to restore; databases not listed are copied, never restored. May be empty
   * when only `network` is given, for restore tests.
   * @example [{ database: "orders-db", kind: "instance", instanceClass: "db.t4g.medium", secretName: "dev/orders", instancePrefix: "orders-dev" }]
   */
  targets: RefreshTarget[];
  /**
   * The network created for targets and restore tests without `subnetGroupName` (for restore tests alone, give
   * it with no targets).
   * @default { cidrBlock: "10.42.0.0/16", availabilityZones: ["<region>a", "<region>b"] }
   * @example { cidrBlock: "10.50.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1c"] }
   */
  network?: RestoreNetworkArgs;
  /**
   * Delete each target's restored databases beyond its newest `keepInstances` (only those the tool restored,
   * by prefix and provenance tags), independently of snapshot deletions.
   * @default true
   * @example false
   */
  cleanupEnabled?: pulumi.Input<boolean>;
}

/** The defaults of SnapshotConsumerArgs (the stack-config parser uses the same). */
export const CONSUMER_DEFAULTS = {
  retentionTagKey: "Draco_Lifecycle",
  deletionsEnabled: false,
  maxDeletionsPerRun: 10,
  minRetention: { copies: 3, days: 7 },
  coolingOffHours: 72,
  holdTagKey: "rds-replication:hold",
  networkCidr: "10.42.0.0/16",
  rpoHours: 26,
  logRetentionDays: 90,
  namePrefix: "rds-replication",
  // A nightly schedule, the automated snapshot's event and a couple of manual ones: 4 a day; a flood stops there.
  copiesPerDatabasePerDay: 4,
  // RDS's default quotas: 100 manual DB snapshots and 100 manual DB cluster snapshots per region.
  manualSnapshotQuota: 100,
} as const;

/** The network created for restores in `region` when neither a subnet group nor a network is given. */
export const defaultRestoreNetwork = (region: string): RestoreNetworkArgs => ({
  cidrBlock: CONSUMER_DEFAULTS.networkCidr,
  availabilityZones: [`${region}a`, `${region}b`],
});

/**
 * A destination account's side. Plain members shape the resource graph (subscriptions per source, restore
 * network, alarms per RPO override); `Input<>` members only reach the runtime config.
 * @example
 * new SnapshotConsumer("dr", {
 *   account: "222222222222",
 *   region: "eu-west-1",
 *   sources: { "acme/rds-replication/source": sourceOutputsOf(new pulumi.StackReference("acme/rds-replication/source")) },
 *   retention: { daily: 7, weekly: 4 },
 * });
 */
export interface SnapshotConsumerArgs {
  /**
   * This destination account (12 digits).
   * @example "222222222222"
   */
  account: string;
  /**
   * This region: copies, the key and the state machine live here.
   * @example "eu-west-1"
   */
  region: string;
  /**
   * The sources whose announcements are accepted, by a name of your choice (a stack name, for instance: it
   * names the subscription children and the errors), each with its outputs (a SnapshotProducer's
   * `sourceOutputs` or a source stack's exports read with `sourceOutputsOf`).
   * @example { "acme/rds-replication/source": producer.sourceOutputs }
   */
  sources: Record<string, pulumi.Input<SourceOutputs>>;
  /**
   * Default retention of the copies.
   * @default RETENTION_PRESETS.Standard ({ daily: 7, weekly: 5, monthly: 12, yearly: 7 })
   * @example { keepLast: 3, daily: 7, weekly: 4, monthly: 12 }
   */
  retention?: pulumi.Input<RetentionPolicy>;
  /**
   * Source-database tag whose value (a preset name) overrides the default retention.
   * @default "Draco_Lifecycle"
   * @example "Lifecycle"
   */
  retentionTagKey?: pulumi.Input<string>;
  /**
   * Real deletions of expired copies; otherwise they are only reported (dry run).
   * @default false
   * @example true
   */
  deletionsEnabled?: pulumi.Input<boolean>;
  /**
   * Deletions per run at most.
   * @default 10
   * @example 25
   */
  maxDeletionsPerRun?: pulumi.Input<number>;
  /**
   * The floor of retention, which no lifecycle tag, announcement or preset lowers: the newest `copies` copies
   * of a database and every copy younger than `days` days are kept.
   * @default { copies: 3, days: 7 }
   * @example { copies: 7, days: 35 }
   */
  minRetention?: pulumi.Input<RetentionFloor>;
  /**
   * Hours a copy retention would delete stays marked (tag rds-replication:deletion-due, reported in the
   * notification) before it is deleted, if it still qualifies then; the hold tag cancels the mark.
   * `maxDeletionsPerRun` also caps the marks falling due per UTC day.
   * @default 72
   * @example 168
   */
  coolingOffHours?: pulumi.Input<number>;
  /**
   * The tag that holds a copy forever, whatever the retention.
   * @default "rds-replication:hold"
   * @example "legal-hold"
   */
  holdTagKey?: pulumi.Input<string>;
  /**
   * Tags added to every copy made in this account (a cost centre, this account's classification): they win
   * over the tags carried from the source, the tool's own tags win over them, within AWS's 50 per snapshot.
   * @default {}
   * @example { "cost-centre": "dr-42", classification: "dr" }
   */
  copyTags?: pulumi.Input<Record<string, string>>;
  /**
   * Per-database refresh (restore and secret switch); no restore by default.
   * @example { targets: [{ database: "orders-db", kind: "instance", instanceClass: "db.t4g.medium", secretName: "dev/orders", instancePrefix: "orders-dev" }] }
   */
  refresh?: RefreshArgs;
  /**
   * Restore tests (DR drills), one per source database: on its schedule (or on demand) its newest copy is
   * restored into an isolated network, checked, timed against its RTO and deleted; none by default.
   * @example [{ database: "orders-db", kind: "instance", instanceClass: "db.t4g.medium", rtoMinutes: 45 }]
   */
  restoreTests?: RestoreTest[];
  /**
   * Email addresses subscribed to the notifications topic (one subscription each).
   * @default []
   * @example ["dba@example.com"]
   */
  notificationEmails?: string[];
  /**
   * Reserved concurrent executions per Lambda (the copy start always has 1); none by default.
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
   * Recovery point objective: the lag alarms' thresholds.
   * @default { defaultHours: 26, overrides: {} }
   * @example { defaultHours: 12, overrides: { "orders-db": 6 } }
   */
  rpo?: Rpo;
  /**
   * Per source (by its name in `sources`), the only source databases copied here; announcements of others are
   * refused. A source not named: every database it announces.
   * @default {}
   * @example { "acme/rds-replication/source": ["orders-db", "payroll-db"] }
   */
  allowedDatabases?: Record<string, string[]>;
  /**
   * New copies of one source database per 24 hours at most; further announcements are refused (the flood guard).
   * @default 4
   * @example 8
   */
  copiesPerDatabasePerDay?: pulumi.Input<number>;
  /**
   * This account's manual snapshot quota per region and kind (RDS default 100, raise it with Service Quotas);
   * an alarm fires when the copies reach 80 % of it.
   * @default 100
   * @example 500
   */
  manualSnapshotQuota?: number;
  /**
   * Prefix of the physical names that must be unique in the account and region (Lambda layer, dashboard, SSM
   * parameter path); the component name follows it. `/` separates segments and becomes `-` where a name does
   * not allow it. Set it per stack when one account and region hold several stacks.
   * @default "rds-replication"
   * @example "rds-replication/dr"
   */
  namePrefix?: string;
}

/** The args with every default applied. */
export type ConsumerSettings = SnapshotConsumerArgs & {
  readonly notificationEmails: string[];
  readonly logRetentionDays: number;
  readonly rpo: Required<Rpo>;
  readonly namePrefix: string;
};

export function consumerSettings(args: SnapshotConsumerArgs): ConsumerSettings {
  const unknown = Object.keys(args.allowedDatabases ?? {}).filter((source) => !(source in args.sources));
  if (unknown.length > 0)
    throw new Error(`allowedDatabases names ${unknown.join(", ")}, not among the sources: name a key of sources`);
  return {
    ...args,
    notificationEmails: args.notificationEmails ?? [],
    logRetentionDays: args.logRetentionDays ?? CONSUMER_DEFAULTS.logRetentionDays,
    rpo: {
      defaultHours: args.rpo?.defaultHours ?? CONSUMER_DEFAULTS.rpoHours,
      overrides: args.rpo?.overrides ?? {},
    },
    namePrefix: args.namePrefix ?? CONSUMER_DEFAULTS.namePrefix,
  };
}

/**
 * Every problem of the args' plain members, one line each naming the member (the `Input<>` members are checked
 * with `consumerInputProblems`). The stack-config parser reports the same rules by config key.
 */
export function consumerArgsProblems(args: SnapshotConsumerArgs): string[] {
  const p = new Problems();
  p.required("account", accountId, args.account);
  p.required("region", knownRegion, args.region);
  if (Object.keys(args.sources ?? {}).length === 0) p.add("sources", "= {}: expected at least one source");
  p.each("notificationEmails", email, args.notificationEmails);
  p.at("reservedConcurrency", wholeNumber(1), args.reservedConcurrency);
  p.at("logRetentionDays", logRetentionDays, args.logRetentionDays);
  p.at("rpo.defaultHours", rpoHours, args.rpo?.defaultHours);
  for (const [database, hours] of Object.entries(args.rpo?.overrides ?? {})) {
    p.at(`rpo.overrides.${database}`, dbIdentifier(), database);
    p.at(`rpo.overrides.${database}`, rpoHours, hours);
  }
  const refresh = args.refresh;
  if (refresh) {
    refresh.targets.forEach((target, i) => {
      const at = `refresh.targets[${i}]`;
      p.required(`${at}.database`, dbIdentifier(), target.database);
      if (target.kind !== "instance" && target.kind !== "cluster")
        p.add(`${at}.kind`, `= ${JSON.stringify(target.kind)}: expected instance or cluster`);
      else {
        const problem = instanceClassProblem(String(target.instanceClass), target.kind);
        if (problem) p.add(`${at}.instanceClass`, `= ${JSON.stringify(target.instanceClass)}: ${problem}`);
      }
      p.required(
        `${at}.secretName`,
        z.string().regex(SECRET_NAME, "expected a Secrets Manager secret name"),
        target.secretName,
      );
      p.required(`${at}.instancePrefix`, dbIdentifier(40), target.instancePrefix);
      p.at(`${at}.keepInstances`, wholeNumber(1), target.keepInstances);
      p.at(`${at}.maxRestoresPerDay`, wholeNumber(1), target.maxRestoresPerDay);
    });
    for (const c of targetConflicts(refresh.targets)) p.add(`refresh.targets[${c.index}].${c.field}`, c.message);
    const network = refresh.network;
    if (network) {
      p.at(
        "refresh.network.cidrBlock",
        z.cidrv4("expected an IPv4 CIDR block such as 10.42.0.0/16"),
        network.cidrBlock,
      );
      if ((network.availabilityZones ?? []).length < 2)
        p.add(
          "refresh.network.availabilityZones",
          "expected at least 2 availability zones (RDS subnet groups need two)",
        );
      network.availabilityZones?.forEach((az: string, i: number) => {
        if (!AVAILABILITY_ZONE.test(az) || !az.startsWith(args.region))
          p.add(
            `refresh.network.availabilityZones[${i}]`,
            `= "${az}": expected an availability zone of ${args.region}`,
          );
      });
    }
  }
  return p.list;
}

/** The `Input<>` members that reach the runtime config, once resolved. */
export interface ConsumerInputs {
  retention?: RetentionPolicy;
  retentionTagKey?: string;
  holdTagKey?: string;
  maxDeletionsPerRun?: number;
  copyTags?: Record<string, string>;
}

export function consumerInputProblems(inputs: ConsumerInputs): string[] {
  const p = new Problems();
  if (inputs.retention !== undefined)
    try {
      validateRetentionPolicy(inputs.retention);
    } catch (error) {
      p.add("retention", `= ${JSON.stringify(inputs.retention)}: ${(error as Error).message}`);
    }
  p.at("retentionTagKey", tagKey, inputs.retentionTagKey);
  p.at("holdTagKey", tagKey, inputs.holdTagKey);
  p.at("maxDeletionsPerRun", wholeNumber(1), inputs.maxDeletionsPerRun);
  const copyTags = Object.keys(inputs.copyTags ?? {});
  for (const key of copyTags) p.at(`copyTags.${key}`, copyTagKey, key);
  if (copyTags.length > MAX_COPY_TAGS) p.add("copyTags", TOO_MANY_COPY_TAGS);
  return p.list;
}

/** A logical-name-safe form of a stack name. */
export const stackSlug = (stack: string) => stack.replace(/[^A-Za-z0-9-]+/g, "-");

/** Checks a source stack's outputs against this consumer, naming the stack and what to change. */
export function checkSource(
  stack: string,
  outputs: SourceOutputs,
  here: { account: string; region: string },
): SourceOutputs {
  if (outputs.announcementVersion !== ANNOUNCEMENT_VERSION)
    throw new Error(
      `source stack ${stack} announces format version ${outputs.announcementVersion}; this program reads version ${ANNOUNCEMENT_VERSION}`,
    );
  if (!outputs.transitKeyArns?.[here.region])
    throw new Error(
      `source stack ${stack} has no transit key in ${here.region}: add ${here.account}/${here.region} to its destinations`,
    );
  return outputs;
}

export interface ConsumerResources {
  keyArn: string;
  notifyTopicArn: string;
  admissionTableArn?: string;
  stateMachineArn?: string;
  secretArns?: string[];
  subnetGroupNames?: string[];
}

/** Concrete resources behind each catalog resource kind, for the consumer's step roles. */
export function consumerScopes(
  args: Pick<SnapshotConsumerArgs, "account" | "region" | "refresh" | "restoreTests">,
  sources: readonly Pick<SourceOutputs, "account" | "transitKeyArns" | "receiptTopics">[],
  arns: ConsumerResources,
): Record<ResourceKind, ResourceScope[]> {
  const p = partitionOf(args.region);
  const rds = (account: string, resource: string) => `arn:${p}:rds:${args.region}:${account}:${resource}`;
  const accounts = [args.account, ...new Set(sources.map((s) => s.account))];
  const prefixes = (args.refresh?.targets ?? []).map((t) => t.instancePrefix);
  const restoring = prefixes.length > 0;
  const testing = (args.restoreTests ?? []).length > 0;
  const some = (list: (string | undefined)[]): ResourceScope[] => [{ arns: list.filter((a): a is string => !!a) }];
  const none: ResourceScope[] = [];
  return {
    // Shared transit copies arrive in this region from the source accounts; copies are made in this account.
    "db-snapshot": some(accounts.map((a) => rds(a, "snapshot:*"))),
    "db-cluster-snapshot": some(accounts.map((a) => rds(a, "cluster-snapshot:*"))),
    "own-key": some([arns.keyArn]),
    "source-transit-key": some(sources.map((s) => s.transitKeyArns[args.region])),
    "receipt-topic": some(sources.map((s) => receiptTopicOf(s, args)?.topicArn)),
    "receipt-key": some(sources.map((s) => receiptTopicOf(s, args)?.keyArn)),
    "notify-topic": some([arns.notifyTopicArn]),
    "state-machine": some([arns.stateMachineArn]),
    "state-machine-execution": some(arns.stateMachineArn ? executionsOf(arns.stateMachineArn) : []),
    "admission-table": some([arns.admissionTableArn]),
    "restore-secret": some(arns.secretArns ?? []),
    // Restored identifiers are `<prefix>-<timestamp>`: `orders-dev-*` never matches `orders-development-main`.
    "restored-db-instance": restoring ? some(prefixes.map((p) => rds(args.account, `db:${p}-*`))) : none,
    "restored-db-cluster": restoring ? some(prefixes.map((p) => rds(args.account, `cluster:${p}-*`))) : none,
    // Restore tests' databases: `rt-<hash>-<time>` (no refresh target may use the prefix rt).
    "restore-test-db-instance": testing ? some([rds(args.account, `db:${RESTORE_TEST_PREFIX}-*`)]) : none,
    "restore-test-db-cluster": testing ? some([rds(args.account, `cluster:${RESTORE_TEST_PREFIX}-*`)]) : none,
    // The master user secrets RDS makes for test clusters queried through the Data API (RDS names them so).
    "restore-test-secret": (args.restoreTests ?? []).some((t) => t.dataApiSelect)
      ? some([`arn:${p}:secretsmanager:${args.region}:${args.account}:secret:rds!cluster-*`])
      : none,
    "subnet-group": some((arns.subnetGroupNames ?? []).map((g) => rds(args.account, `subgrp:${g}`))),
    // Restores get the engine's default groups (or a target's), whose names depend on engine and version.
    "db-parameter-group":
      restoring || testing ? some([rds(args.account, "pg:*"), rds(args.account, "cluster-pg:*")]) : none,
    "db-option-group": restoring || testing ? some([rds(args.account, "og:*")]) : none,
    any: some(["*"]),
    // VPC security groups have no RDS resource-level permission; the source side's kinds do not apply here.
    "security-group": none,
    "source-db-instance": none,
    "source-db-cluster": none,
    "transit-key": none,
    "source-db-key": none,
    "announce-topic": none,
  };
}

/** A target's kind, refused when neither `instance` nor `cluster` (the args type it as a string). */
export function targetKind(target: Pick<RefreshTarget, "database" | "kind">): "instance" | "cluster" {
  if (target.kind === "instance" || target.kind === "cluster") return target.kind;
  throw new Error(`refresh target ${target.database}: kind must be instance or cluster, not ${target.kind}`);
}

/** Steps whose roles copy or restore with this account's key (named in its key policy). */
export const keyUsers = (steps: readonly Step[]) =>
  steps.filter((s) => s.iam.some((n) => n.resources.includes("own-key")));

/**
 * A destination account's side: its own copy key, the intake subscribed to each source's announcements, the
 * copy / retention / restore state machine and its Lambdas.
 * @example
 * const consumer = new SnapshotConsumer("dr", {
 *   account: "222222222222",
 *   region: "eu-west-1",
 *   sources: { orders: producer.sourceOutputs },
 * });
 * export const copyKeyArn = consumer.keyArn;
 */
export class SnapshotConsumer extends pulumi.ComponentResource {
  /**
   * The key the copies in this account are encrypted with (never shared with a source account).
   * @example "arn:aws:kms:eu-west-1:222222222222:key/0b1c..."
   */
  readonly keyArn: pulumi.Output<string>;
  /**
   * The state machine the intake starts for each announced copy.
   * @example "arn:aws:states:eu-west-1:222222222222:stateMachine:dr-state-machine-1a2b3c"
   */
  readonly stateMachineArn: pulumi.Output<string>;
  /**
   * The topic of failures and alarms (the `notificationEmails` are subscribed to it).
   * @example "arn:aws:sns:eu-west-1:222222222222:dr-notifications-1a2b3c"
   */
  readonly notifyTopicArn: pulumi.Output<string>;
  /**
   * The Lambda subscribed to each source's announcement topic.
   * @example "arn:aws:lambda:eu-west-1:222222222222:function:dr-intake-1a2b3c"
   */
  readonly intakeFunctionArn: pulumi.Output<string>;
  /**
   * Per refreshed database, the secret with its current restored database's endpoint (empty without refresh).
   * @example { "orders-db": "arn:aws:secretsmanager:eu-west-1:222222222222:secret:rds-replication/orders-db-AbCdEf" }
   */
  readonly secretArns: pulumi.Output<Record<string, string>>;
  /**
   * Per refreshed database, how many restored databases exist once cleanup has run (its `keepInstances`; one
   * more while a refresh is in progress).
   * @example { "orders-db": 2 }
   */
  readonly restoredInstances: pulumi.Output<Record<string, number>>;
  /**
   * The restore-test state machine (input `{ "database": ..., "kind": ... }`); undefined without restore tests.
   * @example "arn:aws:states:eu-west-1:222222222222:stateMachine:dr-restore-test-state-machine-1a2b3c"
   */
  readonly restoreTestStateMachineArn: pulumi.Output<string | undefined>;
  /**
   * A service control policy (JSON) for the organization to attach to this account: nobody but the roles of the
   * steps that delete snapshots (retention, failed-copy cleanup) may delete an RDS snapshot or cluster snapshot.
   * @example "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",...}]}"
   */
  readonly snapshotDeletionGuardPolicy: pulumi.Output<string>;

  constructor(name: string, args: SnapshotConsumerArgs, opts?: SnapshotComponentOptions) {
    super("rds-replication:index:SnapshotConsumer", name, {}, withTransforms(opts));
    // The analyser of other languages reads the parameter named `args`: the defaults apply to a copy.
    const settings = consumerSettings(args);
    const { problems, checked: inputs } = checkInputs<ConsumerInputs>(
      "SnapshotConsumer",
      name,
      {
        retention: settings.retention,
        retentionTagKey: settings.retentionTagKey,
        holdTagKey: settings.holdTagKey,
        maxDeletionsPerRun: settings.maxDeletionsPerRun,
        copyTags: settings.copyTags,
      },
      consumerInputProblems,
    );
    const all = [...consumerArgsProblems(args), ...problems];
    if (all.length > 0) throw new ArgsError("SnapshotConsumer", name, all);
    const here = { account: settings.account, region: settings.region };

    const sources = Object.entries(settings.sources).map(([source, outputs]) => ({
      source,
      outputs: pulumi.output(outputs).apply((o) => checkSource(source, o, here)),
    }));
    const sourceOutputs = pulumi.all(sources.map((s) => s.outputs));

    const opsKey = operationsKey(name, here, this);
    const notify = notificationsTopic(
      name,
      { account: settings.account, key: opsKey, emails: settings.notificationEmails },
      this,
    );

    const tests = settings.restoreTests ?? [];
    const isTestStep = (s: Step) => (RESTORE_TEST_STEPS as readonly string[]).includes(s.key);
    // Every step of the catalog is deployed (a restore test step without tests has no database it may touch).
    const steps = stepsOf("consumer");
    const roles = stepRoles(name, steps, settings.account, this);
    const key = customerKey(
      `${name}-key`,
      "rds-replication copies in this account (never shared with the source account)",
      pulumi
        .all(keyUsers(steps).map((s) => roles.get(s.key)!.arn))
        .apply((copyRoleArns) => consumerKeyPolicy({ ...here, copyRoleArns })),
      // Deleting the stack (or a replacement) must not take the only key to every copy with it.
      { parent: this, retainOnDelete: true },
    );
    this.keyArn = key.arn;
    watchKeyLoss(name, key, notify, this);

    const admission = admissionTable(name, this);
    // One isolated network for every refresh target and restore test without a subnet group of its own.
    const created =
      (settings.refresh?.targets ?? []).some((t) => t.subnetGroupName === undefined) ||
      tests.some((t) => t.subnetGroupName === undefined)
        ? this.restoreNetwork(name, settings.refresh?.network ?? defaultRestoreNetwork(settings.region))
        : undefined;
    const placed = (t: { subnetGroupName?: string; securityGroupIds?: string[] }) =>
      t.subnetGroupName !== undefined || !created
        ? {
            subnetGroupName: pulumi.output(t.subnetGroupName ?? ""),
            securityGroupIds: pulumi.output(t.securityGroupIds ?? []),
          }
        : created;
    const refresh = settings.refresh?.targets.length
      ? this.refreshResources(name, settings.refresh, opsKey, placed)
      : undefined;
    const testPlacements = tests.map(placed);
    const restoreConfig: pulumi.Input<ConsumerRuntimeConfig["restore"]> = refresh
      ? pulumi.output({
          cleanupEnabled: settings.refresh?.cleanupEnabled ?? REFRESH_DEFAULTS.cleanupEnabled,
          targets: refresh.targets.map((t) => ({
            database: t.target.database,
            kind: targetKind(t.target),
            instanceClass: t.target.instanceClass,
            subnetGroupName: t.subnetGroupName,
            securityGroupIds: t.securityGroupIds,
            parameterGroupName: t.target.parameterGroupName,
            optionGroupName: t.target.optionGroupName,
            secretName: t.target.secretName,
            instancePrefix: t.target.instancePrefix,
            keepInstances: t.target.keepInstances ?? REFRESH_DEFAULTS.keepInstances,
            maxRestoresPerDay: t.target.maxRestoresPerDay ?? REFRESH_DEFAULTS.maxRestoresPerDay,
          })),
        })
      : null;

    const runtimeConfig = pulumi
      .output({
        account: settings.account,
        region: settings.region,
        sources: pulumi.all(
          sources.map(({ source, outputs }) =>
            outputs.apply((s) => {
              const databases = settings.allowedDatabases?.[source];
              const receiptTopicArn = receiptTopicOf(s, settings)?.topicArn;
              return {
                account: s.account,
                region: s.region,
                topicArn: s.announceTopicArn,
                ...(databases ? { databases } : {}),
                ...(receiptTopicArn ? { receiptTopicArn } : {}),
              };
            }),
          ),
        ),
        keyArn: key.arn,
        notifyTopicArn: notify.arn,
        copiesPerDatabasePerDay: settings.copiesPerDatabasePerDay ?? CONSUMER_DEFAULTS.copiesPerDatabasePerDay,
        admissionTable: admission.name,
        retention: {
          default: inputs.apply((i) => i.retention ?? RETENTION_PRESETS.Standard),
          tagKey: inputs.apply((i) => i.retentionTagKey ?? CONSUMER_DEFAULTS.retentionTagKey),
          deletionsEnabled: settings.deletionsEnabled ?? CONSUMER_DEFAULTS.deletionsEnabled,
          maxDeletionsPerRun: settings.maxDeletionsPerRun ?? CONSUMER_DEFAULTS.maxDeletionsPerRun,
          holdTagKey: settings.holdTagKey ?? CONSUMER_DEFAULTS.holdTagKey,
          minimum: settings.minRetention ?? CONSUMER_DEFAULTS.minRetention,
          coolingOffHours: settings.coolingOffHours ?? CONSUMER_DEFAULTS.coolingOffHours,
        },
        copyTags: inputs.apply((i) => i.copyTags ?? {}),
        restore: restoreConfig,
        restoreTests: tests.map((t) => {
          const { subnetGroupName, securityGroupIds } = placed(t);
          return {
            database: t.database,
            kind: targetKind(t),
            instanceClass: t.instanceClass,
            subnetGroupName,
            securityGroupIds,
            rtoMinutes: t.rtoMinutes ?? RESTORE_TEST_DEFAULTS.rtoMinutes,
            dataApiSelect: t.dataApiSelect ?? false,
          };
        }),
      })
      .apply((config): ConsumerRuntimeConfig => ({ ...config, version: 1 }) as ConsumerRuntimeConfig);

    const scopes = (stateMachineArn?: pulumi.Output<string>) =>
      pulumi
        .all([
          sourceOutputs,
          key.arn,
          notify.arn,
          stateMachineArn,
          pulumi.all(refresh?.targets.map((t) => t.secretArn) ?? []),
          pulumi.all([
            ...(refresh?.targets.map((t) => t.subnetGroupName) ?? []),
            ...testPlacements.map((t) => t.subnetGroupName),
          ]),
          admission.arn,
        ])
        .apply(([list, keyArn, notifyTopicArn, machineArn, secretArns, subnetGroupNames, admissionTableArn]) =>
          consumerScopes(settings, list, {
            keyArn,
            notifyTopicArn,
            admissionTableArn,
            stateMachineArn: machineArn,
            secretArns,
            subnetGroupNames: [...new Set(subnetGroupNames)],
          }),
        );
    const layer = sharedLayer(`${name}-layer`, settings.namePrefix, { parent: this });
    const common = {
      account: settings.account,
      layer,
      operationsKey: opsKey,
      configParameter: runtimeConfigParameter(name, settings.namePrefix, runtimeConfig, this),
      reservedConcurrency: settings.reservedConcurrency,
      logRetentionDays: settings.logRetentionDays,
    };
    const tasks = buildSteps(
      name,
      roles,
      { ...common, steps: steps.filter((s) => s.key !== INTAKE_STEP), scopes: scopes() },
      this,
    );
    const only = (keep: (key: string) => boolean) => new Map([...tasks].filter(([key]) => keep(key)));
    const machine = stateMachine(
      name,
      {
        define: (arns) => consumerDefinition(arns),
        steps: only((key) => !isTestStep(stepByKey(key)) && !isCopyEventStep(key)),
        account: settings.account,
        operationsKey: opsKey,
        logRetentionDays: settings.logRetentionDays,
      },
      this,
    );
    const intake = buildSteps(
      name,
      roles,
      {
        ...common,
        steps: steps.filter((s) => s.key === INTAKE_STEP),
        scopes: scopes(machine.arn),
        extraEnvironment: { [INTAKE_STEP]: { [STATE_MACHINE_VARIABLE]: machine.arn } },
      },
      this,
    ).get(INTAKE_STEP)!;
    this.subscribe(name, settings.account, sources, intake);
    // The consumer copies in its own region only.
    routeCopyEvents(
      name,
      { account: settings.account, region: settings.region, otherRegions: [], handler: tasks.get(COPY_EVENT_STEP)! },
      this,
    );
    const testMachine =
      tests.length > 0
        ? stateMachine(
            `${name}-restore-test`,
            {
              define: (arns) => restoreTestDefinition(arns),
              steps: only((key) => key === "consumer-poll" || isTestStep(stepByKey(key))),
              account: settings.account,
              operationsKey: opsKey,
              logRetentionDays: settings.logRetentionDays,
            },
            this,
          )
        : undefined;
    if (testMachine) this.scheduleRestoreTests(name, settings.account, tests, testMachine);
    watch(
      name,
      {
        namePrefix: settings.namePrefix,
        region: settings.region,
        stateMachine: machine,
        steps: new Map([...tasks, [INTAKE_STEP, intake]]),
        topic: notify,
        rpo: settings.rpo,
        manualSnapshotQuota: settings.manualSnapshotQuota ?? CONSUMER_DEFAULTS.manualSnapshotQuota,
        ...(testMachine ? { otherStateMachines: { [`${name}-restore-test`]: testMachine } } : {}),
        restoreTests: tests.map((t) => ({
          database: t.database,
          rtoMinutes: t.rtoMinutes ?? RESTORE_TEST_DEFAULTS.rtoMinutes,
        })),
      },
      this,
    );
    this.restoreTestStateMachineArn = testMachine ? testMachine.arn : pulumi.output(undefined);

    this.stateMachineArn = machine.arn;
    this.notifyTopicArn = notify.arn;
    // Roles whose step deletes snapshots keep that right under the SCP; everyone else in the account loses it.
    const deleters = steps.filter((s) => s.iam.some((n) => n.actions.includes("rds:DeleteDBSnapshot")));
    this.snapshotDeletionGuardPolicy = pulumi
      .all(deleters.map((s) => roles.get(s.key)!.arn))
      .apply((exemptRoleArns) => JSON.stringify(snapshotDeletionGuardPolicy({ exemptRoleArns })));
    this.intakeFunctionArn = intake.fn.arn;
    this.secretArns = pulumi.output(
      Object.fromEntries(refresh?.targets.map((t) => [t.target.database, t.secretArn]) ?? []),
    );
    this.restoredInstances = pulumi.output(
      Object.fromEntries(refresh?.targets.map((t) => [t.target.database, t.target.keepInstances ?? 1]) ?? []),
    );
    this.registerOutputs({
      keyArn: this.keyArn,
      stateMachineArn: this.stateMachineArn,
      notifyTopicArn: this.notifyTopicArn,
      intakeFunctionArn: this.intakeFunctionArn,
      secretArns: this.secretArns,
      restoredInstances: this.restoredInstances,
      restoreTestStateMachineArn: this.restoreTestStateMachineArn,
      snapshotDeletionGuardPolicy: this.snapshotDeletionGuardPolicy,
    });
  }

  // The subscription lives in the topic's region (from the source stack), set by the per-resource `region`
  // under the stack's own provider, so it keeps the stack's credentials and settings; SNS may invoke the intake
  // only for that topic.
  private subscribe(
    name: string,
    account: string,
    sources: { source: string; outputs: pulumi.Output<SourceOutputs> }[],
    intake: BuiltStep,
  ) {
    for (const { source, outputs } of sources) {
      const slug = stackSlug(source);
      const topicArn = outputs.announceTopicArn;
      new aws.lambda.Permission(
        `${name}-intake-${slug}-permission`,
        {
          action: "lambda:InvokeFunction",
          function: intake.fn.name,
          principal: "sns.amazonaws.com",
          sourceArn: topicArn,
        },
        { parent: this },
      );
      // One topic serves every destination of the source: SNS drops the other destinations' announcements.
      new aws.sns.TopicSubscription(
        `${name}-intake-${slug}`,
        {
          topic: topicArn,
          protocol: "lambda",
          endpoint: intake.fn.arn,
          region: outputs.region,
          filterPolicy: destinationFilterPolicy(account),
          filterPolicyScope: "MessageAttributes",
        },
        { parent: this },
      );
    }
  }

  private refreshResources(
    name: string,
    refresh: RefreshArgs,
    opsKey: aws.kms.Key,
    placed: (t: RefreshTarget) => { subnetGroupName: pulumi.Output<string>; securityGroupIds: pulumi.Output<string[]> },
  ) {
    return {
      targets: refresh.targets.map((target) => ({
        target,
        secretArn: target.existingSecretArn
          ? pulumi.output(target.existingSecretArn)
          : this.secret(name, target, opsKey).arn,
        ...placed(target),
      })),
    };
  }

  // EventBridge starts one restore test per database on its schedule, with the input an on-demand start takes.
  private scheduleRestoreTests(
    name: string,
    account: string,
    tests: readonly RestoreTest[],
    machine: aws.sfn.StateMachine,
  ): void {
    const role = new aws.iam.Role(
      `${name}-restore-test-events-role`,
      {
        description: "EventBridge starts the rds-replication restore tests",
        assumeRolePolicy: JSON.stringify(assumeRolePolicy("events", account)),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-restore-test-events-policy`,
      { role: role.id, policy: machine.arn.apply((arn) => JSON.stringify(eventsRolePolicy(arn))) },
      { parent: this },
    );
    for (const test of tests) {
      const ruleName = `${name}-restore-test-${test.database}`;
      const rule = new aws.cloudwatch.EventRule(
        ruleName,
        {
          description: `rds-replication: restore test of ${test.database}`,
          scheduleExpression: test.schedule ?? RESTORE_TEST_DEFAULTS.schedule,
        },
        { parent: this },
      );
      new aws.cloudwatch.EventTarget(
        `${ruleName}-target`,
        {
          rule: rule.name,
          arn: machine.arn,
          roleArn: role.arn,
          input: JSON.stringify({ database: test.database, kind: targetKind(test) }),
        },
        { parent: this },
      );
    }
  }

  private restoreNetwork(name: string, network: RestoreNetworkArgs) {
    const vpc = new awsx.ec2.Vpc(
      `${name}-restore-network`,
      {
        cidrBlock: network.cidrBlock,
        availabilityZoneNames: network.availabilityZones,
        natGateways: { strategy: "None" },
        subnetSpecs: [{ type: "Isolated", name: "restore" }],
        enableDnsHostnames: true,
        tags: { [MANAGED_BY_KEY]: MANAGED_BY_VALUE },
      },
      { parent: this },
    );
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-restore-subnets`,
      { description: "rds-replication restored instances", subnetIds: vpc.isolatedSubnetIds },
      { parent: this },
    );
    // Clients that should reach a restored instance join this group: it admits only its own members.
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-restore-sg`,
      {
        description: "rds-replication restored instances",
        vpcId: vpc.vpcId,
        ingress: [{ protocol: "tcp", fromPort: 0, toPort: 65535, self: true, description: "members of this group" }],
        egress: [],
      },
      { parent: this },
    );
    return { subnetGroupName: subnetGroup.name, securityGroupIds: securityGroup.id.apply((id) => [id]) };
  }

  // The engine keeps the secret's value current; the program only creates it with a placeholder.
  private secret(name: string, target: RefreshTarget, opsKey: aws.kms.Key): aws.secretsmanager.Secret {
    const secret = new aws.secretsmanager.Secret(
      `${name}-restore-secret-${target.database}`,
      {
        name: target.secretName,
        kmsKeyId: opsKey.arn,
        description: "Endpoint of the current restored database (maintained by rds-replication)",
        tags: { [MANAGED_BY_KEY]: MANAGED_BY_VALUE },
      },
      // Applications read the endpoint from it: deleting the stack leaves it (and its value) in place.
      { parent: this, retainOnDelete: true },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-restore-secret-value-${target.database}`,
      { secretId: secret.id, secretString: JSON.stringify({ status: "no restored database yet" }) },
      { parent: this, ignoreChanges: ["secretString"] },
    );
    return secret;
  }
}
