// SnapshotConsumer: a destination account's side. It learns the producer's topic and keys through a stack
// reference and wires the cross-account subscription itself; copies are re-encrypted under its own key.
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { type ResourceKind, type Step, stepsOf } from "../functions/catalog";
import type { RetentionPolicy } from "../functions/retention";
import { type ConsumerRuntimeConfig, STATE_MACHINE_VARIABLE } from "../functions/runtimeConfig";
import { MANAGED_BY_KEY, MANAGED_BY_VALUE } from "../functions/tags";
import type { RestoreConfig, Rpo } from "./config";
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
import { consumerDefinition } from "./stateMachines";

export const INTAKE_STEP = "consumer-intake";

export interface SnapshotConsumerArgs {
  /** This destination account (12 digits). */
  readonly account: string;
  /** This stack's region: copies, the key and the state machine live here. */
  readonly region: string;
  /** Fully qualified names (org/project/stack) of the source stacks whose announcements are accepted. */
  readonly sources: readonly string[];
  /** Default retention of the copies. */
  readonly retention: pulumi.Input<RetentionPolicy>;
  /** Source-database tag whose value (a preset name) overrides the default retention. */
  readonly retentionTagKey: pulumi.Input<string>;
  /** Real deletions (otherwise dry run), bounded per run; the tag that holds a copy forever. */
  readonly deletionsEnabled: pulumi.Input<boolean>;
  readonly maxDeletionsPerRun: pulumi.Input<number>;
  readonly holdTagKey: pulumi.Input<string>;
  /** Restore settings, when a fresh instance is restored from each copy. */
  readonly restore?: RestoreConfig;
  /** An existing secret not made by this program, used instead of creating one. */
  readonly existingSecretArn?: string;
  readonly notificationEmails: readonly string[];
  /** Optional reserved concurrent executions per Lambda (the copy start always has 1). */
  readonly reservedConcurrency?: number;
  readonly logRetentionDays: number;
  /** Recovery point objective: the lag alarms' thresholds. */
  readonly rpo: Rpo;
}

/** What a consumer needs from a source stack's outputs. */
export interface SourceOutputs {
  account: string;
  region: string;
  announceTopicArn: string;
  transitKeyArns: Record<string, string>;
  announcementVersion: number;
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
  stateMachineArn?: string;
  secretArn?: string;
  subnetGroupName?: string;
}

/** Concrete resources behind each catalog resource kind, for the consumer's step roles. */
export function consumerScopes(
  args: Pick<SnapshotConsumerArgs, "account" | "region" | "restore">,
  sources: readonly SourceOutputs[],
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

export class SnapshotConsumer extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;
  readonly stateMachineArn: pulumi.Output<string>;
  readonly notifyTopicArn: pulumi.Output<string>;
  readonly intakeFunctionArn: pulumi.Output<string>;
  readonly secretArn: pulumi.Output<string | undefined>;

  constructor(name: string, args: SnapshotConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-replication:index:SnapshotConsumer", name, {}, opts);
    const here = { account: args.account, region: args.region };

    const sources = args.sources.map((stack) => {
      const ref = new pulumi.StackReference(`${name}-source-${stackSlug(stack)}`, { name: stack }, { parent: this });
      const outputs = pulumi
        .all({
          account: ref.requireOutput("account"),
          region: ref.requireOutput("region"),
          announceTopicArn: ref.requireOutput("announceTopicArn"),
          transitKeyArns: ref.requireOutput("transitKeyArns"),
          announcementVersion: ref.requireOutput("announcementVersion"),
        })
        .apply((o) => checkSource(stack, o as SourceOutputs, here));
      return { stack, outputs };
    });
    const sourceOutputs = pulumi.all(sources.map((s) => s.outputs));

    const opsKey = operationsKey(name, here, this);
    const notify = notificationsTopic(
      name,
      { account: args.account, key: opsKey, emails: args.notificationEmails },
      this,
    );

    const steps = stepsOf("consumer");
    const roles = stepRoles(name, steps, args.account, this);
    const key = customerKey(
      `${name}-key`,
      "rds-replication copies in this account (never shared with the source account)",
      pulumi
        .all(keyUsers(steps).map((s) => roles.get(s.key)!.arn))
        .apply((copyRoleArns) => consumerKeyPolicy({ ...here, copyRoleArns })),
      { parent: this },
    );
    this.keyArn = key.arn;

    const restore = args.restore ? this.restoreResources(name, args, args.restore, opsKey) : undefined;
    const restoreConfig: pulumi.Input<ConsumerRuntimeConfig["restore"]> = restore
      ? pulumi.output({
          instanceClass: restore.config.instanceClass,
          subnetGroupName: restore.subnetGroupName,
          securityGroupIds: restore.securityGroupIds,
          secretName: restore.config.secretName,
          instancePrefix: restore.config.instancePrefix,
          keepInstances: restore.config.keepInstances,
        })
      : null;

    const runtimeConfig = pulumi
      .output({
        account: args.account,
        region: args.region,
        sources: sourceOutputs.apply((list) =>
          list.map((s) => ({ account: s.account, region: s.region, topicArn: s.announceTopicArn })),
        ),
        keyArn: key.arn,
        notifyTopicArn: notify.arn,
        retention: {
          default: args.retention,
          tagKey: args.retentionTagKey,
          deletionsEnabled: args.deletionsEnabled,
          maxDeletionsPerRun: args.maxDeletionsPerRun,
          holdTagKey: args.holdTagKey,
        },
        restore: restoreConfig,
      })
      .apply((config): ConsumerRuntimeConfig => ({ ...config, version: 1 }) as ConsumerRuntimeConfig);

    const scopes = (stateMachineArn?: pulumi.Output<string>) =>
      pulumi
        .all([sourceOutputs, key.arn, notify.arn, stateMachineArn, restore?.secretArn, restore?.subnetGroupName])
        .apply(([list, keyArn, notifyTopicArn, machineArn, secretArn, subnetGroupName]) =>
          consumerScopes(args, list, {
            keyArn,
            notifyTopicArn,
            stateMachineArn: machineArn,
            secretArn,
            subnetGroupName,
          }),
        );
    const layer = sharedLayer(`${name}-layer`, { parent: this });
    const common = {
      account: args.account,
      layer,
      operationsKey: opsKey,
      configParameter: runtimeConfigParameter(name, runtimeConfig, this),
      reservedConcurrency: args.reservedConcurrency,
      logRetentionDays: args.logRetentionDays,
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
        account: args.account,
        operationsKey: opsKey,
        logRetentionDays: args.logRetentionDays,
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
        region: args.region,
        stateMachine: machine,
        steps: new Map([...tasks, [INTAKE_STEP, intake]]),
        topic: notify,
        rpo: args.rpo,
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
    sources: { stack: string; outputs: pulumi.Output<SourceOutputs> }[],
    intake: BuiltStep,
  ) {
    for (const { stack, outputs } of sources) {
      const slug = stackSlug(stack);
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
    if (!config.network)
      return {
        config,
        secretArn,
        subnetGroupName: pulumi.output(config.subnetGroupName!),
        securityGroupIds: pulumi.output([...config.securityGroupIds]),
      };
    const vpc = new awsx.ec2.Vpc(
      `${name}-restore-network`,
      {
        cidrBlock: config.network.cidrBlock,
        availabilityZoneNames: [...config.network.availabilityZones],
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
