// SnapshotConsumer: a destination account's side. It learns the producer's topic and keys through a stack
// reference and wires the cross-account subscription itself; copies are re-encrypted under its own key.
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { type ResourceKind, type Step, stepsOf } from "../functions/catalog";
import { RETENTION_PRESETS, type RetentionPolicy } from "../functions/retention";
import { type ConsumerRuntimeConfig, STATE_MACHINE_VARIABLE } from "../functions/runtimeConfig";
import { MANAGED_BY_KEY, MANAGED_BY_VALUE } from "../functions/tags";
import { admissionTable } from "./admission";
import { sharedLayer } from "./lambda";
import { watch } from "./observability";
import { consumerKeyPolicy, partitionOf, type ResourceScope } from "./policies";
import { ANNOUNCEMENT_VERSION } from "./producer";
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
import type { SourceOutputs } from "./sourceOutputs";
import { consumerDefinition } from "./stateMachines";
import { type SnapshotComponentOptions, withTransforms } from "./transforms";

export const INTAKE_STEP = "consumer-intake";

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

/** Restore settings: a fresh instance is restored from each copy and its endpoint kept in a secret. */
export interface RestoreConfig {
  /**
   * Instance class of the restored instances.
   * @example "db.t4g.medium"
   */
  instanceClass: pulumi.Input<string>;
  /**
   * An existing DB subnet group to restore into; without it, `network` is created.
   * @example "restore-subnets"
   */
  subnetGroupName?: pulumi.Input<string>;
  /**
   * The network to create when no `subnetGroupName` is given.
   * @default { cidrBlock: "10.42.0.0/16", availabilityZones: ["<region>a", "<region>b"] }
   * @example { cidrBlock: "10.50.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1c"] }
   */
  network?: RestoreNetworkArgs;
  /**
   * Security groups of the restored instances in an existing subnet group (a created network has its own).
   * @default []
   * @example ["sg-0123456789abcdef0"]
   */
  securityGroupIds?: pulumi.Input<string[]>;
  /**
   * Name of the Secrets Manager secret holding the current restored database's endpoint.
   * @example "rds-replication/orders-db"
   */
  secretName: pulumi.Input<string>;
  /**
   * Identifier prefix of restored instances (at most 40 characters; the engine appends a timestamp). The step
   * roles may act only on databases with this prefix.
   * @example "restored-orders"
   */
  instancePrefix: string;
  /**
   * Restored instances kept (the newest); older ones are deleted.
   * @default 1
   * @example 2
   */
  keepInstances?: pulumi.Input<number>;
}

/** The defaults of SnapshotConsumerArgs (the stack-config parser uses the same). */
export const CONSUMER_DEFAULTS = {
  retentionTagKey: "Draco_Lifecycle",
  deletionsEnabled: false,
  maxDeletionsPerRun: 10,
  holdTagKey: "rds-replication:hold",
  keepInstances: 1,
  networkCidr: "10.42.0.0/16",
  rpoHours: 26,
  logRetentionDays: 90,
  namePrefix: "rds-replication",
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
   * The tag that holds a copy forever, whatever the retention.
   * @default "rds-replication:hold"
   * @example "legal-hold"
   */
  holdTagKey?: pulumi.Input<string>;
  /**
   * Restore settings, when a fresh instance is restored from each copy; no restore by default.
   * @example { instanceClass: "db.t4g.medium", secretName: "rds-replication/orders-db", instancePrefix: "restored-orders" }
   */
  restore?: RestoreConfig;
  /**
   * An existing secret, not made by this component, used instead of creating one (restore only).
   * @example "arn:aws:secretsmanager:eu-west-1:222222222222:secret:orders-endpoint-AbCdEf"
   */
  existingSecretArn?: string;
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
  secretArn?: string;
  subnetGroupName?: string;
}

/** Concrete resources behind each catalog resource kind, for the consumer's step roles. */
export function consumerScopes(
  args: Pick<SnapshotConsumerArgs, "account" | "region" | "restore">,
  sources: readonly Pick<SourceOutputs, "account" | "transitKeyArns">[],
  arns: ConsumerResources,
): Record<ResourceKind, ResourceScope[]> {
  const p = partitionOf(args.region);
  const rds = (account: string, resource: string) => `arn:${p}:rds:${args.region}:${account}:${resource}`;
  const accounts = [args.account, ...new Set(sources.map((s) => s.account))];
  const prefix = args.restore?.instancePrefix;
  const some = (list: (string | undefined)[]): ResourceScope[] => [{ arns: list.filter((a): a is string => !!a) }];
  const none: ResourceScope[] = [];
  return {
    // Shared transit copies arrive in this region from the source accounts; copies are made in this account.
    "db-snapshot": some(accounts.map((a) => rds(a, "snapshot:*"))),
    "db-cluster-snapshot": some(accounts.map((a) => rds(a, "cluster-snapshot:*"))),
    "own-key": some([arns.keyArn]),
    "source-transit-key": some(sources.map((s) => s.transitKeyArns[args.region])),
    "notify-topic": some([arns.notifyTopicArn]),
    "state-machine": some([arns.stateMachineArn]),
    "state-machine-execution": some(arns.stateMachineArn ? executionsOf(arns.stateMachineArn) : []),
    "admission-table": some([arns.admissionTableArn]),
    "restore-secret": some([arns.secretArn]),
    "restored-db-instance": prefix ? some([rds(args.account, `db:${prefix}*`)]) : none,
    "restored-db-cluster": prefix ? some([rds(args.account, `cluster:${prefix}*`)]) : none,
    "subnet-group": some([arns.subnetGroupName && rds(args.account, `subgrp:${arns.subnetGroupName}`)]),
    // Restores get the engine's default groups, whose names depend on engine and version.
    "db-parameter-group": prefix ? some([rds(args.account, "pg:*"), rds(args.account, "cluster-pg:*")]) : none,
    "db-option-group": prefix ? some([rds(args.account, "og:*")]) : none,
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
   * The secret with the current restored database's endpoint; undefined without `restore`.
   * @example "arn:aws:secretsmanager:eu-west-1:222222222222:secret:rds-replication/orders-db-AbCdEf"
   */
  readonly secretArn: pulumi.Output<string | undefined>;

  constructor(name: string, args: SnapshotConsumerArgs, opts?: SnapshotComponentOptions) {
    super("rds-replication:index:SnapshotConsumer", name, {}, withTransforms(opts));
    // The analyser of other languages reads the parameter named `args`: the defaults apply to a copy.
    const settings = consumerSettings(args);
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

    const steps = stepsOf("consumer");
    const roles = stepRoles(name, steps, settings.account, this);
    const key = customerKey(
      `${name}-key`,
      "rds-replication copies in this account (never shared with the source account)",
      pulumi
        .all(keyUsers(steps).map((s) => roles.get(s.key)!.arn))
        .apply((copyRoleArns) => consumerKeyPolicy({ ...here, copyRoleArns })),
      { parent: this },
    );
    this.keyArn = key.arn;

    const admission = admissionTable(name, this);
    const restore = settings.restore ? this.restoreResources(name, settings, settings.restore, opsKey) : undefined;
    const restoreConfig: pulumi.Input<ConsumerRuntimeConfig["restore"]> = restore
      ? pulumi.output({
          instanceClass: restore.config.instanceClass,
          subnetGroupName: restore.subnetGroupName,
          securityGroupIds: restore.securityGroupIds,
          secretName: restore.config.secretName,
          instancePrefix: restore.config.instancePrefix,
          keepInstances: restore.config.keepInstances ?? CONSUMER_DEFAULTS.keepInstances,
        })
      : null;

    const runtimeConfig = pulumi
      .output({
        account: settings.account,
        region: settings.region,
        sources: sourceOutputs.apply((list) =>
          list.map((s) => ({ account: s.account, region: s.region, topicArn: s.announceTopicArn })),
        ),
        keyArn: key.arn,
        notifyTopicArn: notify.arn,
        admissionTable: admission.name,
        retention: {
          default: settings.retention ?? RETENTION_PRESETS.Standard,
          tagKey: settings.retentionTagKey ?? CONSUMER_DEFAULTS.retentionTagKey,
          deletionsEnabled: settings.deletionsEnabled ?? CONSUMER_DEFAULTS.deletionsEnabled,
          maxDeletionsPerRun: settings.maxDeletionsPerRun ?? CONSUMER_DEFAULTS.maxDeletionsPerRun,
          holdTagKey: settings.holdTagKey ?? CONSUMER_DEFAULTS.holdTagKey,
        },
        restore: restoreConfig,
      })
      .apply((config): ConsumerRuntimeConfig => ({ ...config, version: 1 }) as ConsumerRuntimeConfig);

    const scopes = (stateMachineArn?: pulumi.Output<string>) =>
      pulumi
        .all([
          sourceOutputs,
          key.arn,
          notify.arn,
          stateMachineArn,
          restore?.secretArn,
          restore?.subnetGroupName,
          admission.arn,
        ])
        .apply(([list, keyArn, notifyTopicArn, machineArn, secretArn, subnetGroupName, admissionTableArn]) =>
          consumerScopes(settings, list, {
            keyArn,
            notifyTopicArn,
            admissionTableArn,
            stateMachineArn: machineArn,
            secretArn,
            subnetGroupName,
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
    const machine = stateMachine(
      name,
      {
        define: (arns) => consumerDefinition(arns),
        steps: tasks,
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
    this.subscribe(name, sources, intake);
    watch(
      name,
      {
        namePrefix: settings.namePrefix,
        region: settings.region,
        stateMachine: machine,
        steps: new Map([...tasks, [INTAKE_STEP, intake]]),
        topic: notify,
        rpo: settings.rpo,
      },
      this,
    );

    this.stateMachineArn = machine.arn;
    this.notifyTopicArn = notify.arn;
    this.intakeFunctionArn = intake.fn.arn;
    this.secretArn = pulumi.output(restore?.secretArn);
    this.registerOutputs({
      keyArn: this.keyArn,
      stateMachineArn: this.stateMachineArn,
      notifyTopicArn: this.notifyTopicArn,
      intakeFunctionArn: this.intakeFunctionArn,
      secretArn: this.secretArn,
    });
  }

  // The subscription lives in the topic's region (from the source stack), set by the per-resource `region`
  // under the stack's own provider, so it keeps the stack's credentials and settings; SNS may invoke the intake
  // only for that topic.
  private subscribe(
    name: string,
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
      new aws.sns.TopicSubscription(
        `${name}-intake-${slug}`,
        { topic: topicArn, protocol: "lambda", endpoint: intake.fn.arn, region: outputs.region },
        { parent: this },
      );
    }
  }

  private restoreResources(name: string, args: SnapshotConsumerArgs, config: RestoreConfig, opsKey: aws.kms.Key) {
    const secretArn = args.existingSecretArn
      ? pulumi.output(args.existingSecretArn)
      : this.secret(name, config, opsKey).arn;
    if (config.subnetGroupName !== undefined)
      return {
        config,
        secretArn,
        subnetGroupName: pulumi.output(config.subnetGroupName),
        securityGroupIds: pulumi.output(config.securityGroupIds ?? []),
      };
    const network = config.network ?? defaultRestoreNetwork(args.region);
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
    return {
      config,
      secretArn,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: securityGroup.id.apply((id) => [id]),
    };
  }

  // The engine keeps the secret's value current; the program only creates it with a placeholder.
  private secret(name: string, config: RestoreConfig, opsKey: aws.kms.Key): aws.secretsmanager.Secret {
    const secret = new aws.secretsmanager.Secret(
      `${name}-restore-secret`,
      {
        name: config.secretName,
        kmsKeyId: opsKey.arn,
        description: "Endpoint of the current restored database (maintained by rds-replication)",
        tags: { [MANAGED_BY_KEY]: MANAGED_BY_VALUE },
      },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-restore-secret-value`,
      { secretId: secret.id, secretString: JSON.stringify({ status: "no restored database yet" }) },
      { parent: this, ignoreChanges: ["secretString"] },
    );
    return secret;
  }
}
