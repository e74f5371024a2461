// The program of every stack: read and validate the config for the account and region the credentials act
// in, then build the one component of the stack's role and export what the other side needs.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_BY_KEY, MANAGED_BY_VALUE } from "../functions/tags";
import {
  checkDeployTarget,
  type DestStackConfig,
  databaseSelection,
  enabledRestore,
  optionGroupsByRegion,
  parseStackConfig,
  rawConfigFromPulumi,
  retentionPolicyOf,
  rpoOf,
  type SourceStackConfig,
  type StackConfig,
} from "./config";
import { SnapshotConsumer, stackSlug } from "./consumer";
import { ANNOUNCEMENT_VERSION, SnapshotProducer, transitRegions } from "./producer";

/** Reads and validates this stack's config; throws a ConfigError listing every problem. */
export async function readStackConfig(): Promise<StackConfig> {
  const { project, awsRegion } = rawConfigFromPulumi(pulumi.runtime.allConfig());
  const identity = await aws.getCallerIdentity();
  return parseStackConfig(project, { account: identity.accountId, region: awsRegion ?? "" });
}

export function buildProducer(config: SourceStackConfig): Record<string, pulumi.Input<unknown>> {
  const producer = new SnapshotProducer("producer", {
    account: config.place.account,
    region: config.place.region,
    destinations: config.destinations,
    instances: config.instances,
    clusters: config.clusters,
    selectorTags: databaseSelection(config).tags,
    automatedSnapshots: config.automatedSnapshots,
    manualSnapshots: config.manualSnapshots,
    schedule: config.schedule,
    transitKeep: config.transitKeep,
    transitGraceHours: config.transitGraceHours,
    transitDeletionsEnabled: config.transitDeletionsEnabled,
    replicateUnencryptedClusters: config.replicateUnencryptedClusters,
    sourceKeyArns: config.sourceKeyArns,
    optionGroups: optionGroupsByRegion(config.optionGroups),
    notificationEmails: config.notificationEmails,
    reservedConcurrency: config.reservedConcurrency,
    logRetentionDays: config.logRetentionDays,
  });
  // The contract with dest stacks (SourceOutputs in consumer.ts).
  return {
    role: "source",
    account: config.place.account,
    region: config.place.region,
    regions: transitRegions(config.place.region, config.destinations),
    // Dest stacks check that they are deployed into one of these (checkDeployTarget).
    destinations: config.destinations.map((d) => ({ account: d.account, region: d.region })),
    announcementVersion: ANNOUNCEMENT_VERSION,
    announceTopicArn: producer.announceTopicArn,
    transitKeyArns: producer.transitKeyArns,
    notifyTopicArn: producer.notifyTopicArn,
    stateMachineArn: producer.stateMachineArn,
  };
}

/**
 * A secret of that name that this program did not create is adopted rather than replaced; Secrets Manager's
 * name filter matches prefixes, hence the exact comparison.
 */
export async function findAdoptedSecret(name: string): Promise<string | undefined> {
  const found = await aws.secretsmanager.getSecrets({ filters: [{ name: "name", values: [name] }] });
  const index = found.names.indexOf(name);
  if (index < 0) return undefined;
  const secret = await aws.secretsmanager.getSecret({ arn: found.arns[index] });
  return secret.tags?.[MANAGED_BY_KEY] === MANAGED_BY_VALUE ? undefined : secret.arn;
}

export function buildConsumer(
  config: DestStackConfig,
  existingSecretArn?: string,
): Record<string, pulumi.Input<unknown>> {
  const consumer = new SnapshotConsumer("consumer", {
    account: config.place.account,
    region: config.place.region,
    sources: config.sources,
    retention: retentionPolicyOf(config),
    retentionTagKey: config.retentionTagKey,
    deletionsEnabled: config.deletionsEnabled,
    maxDeletionsPerRun: config.maxDeletionsPerRun,
    holdTagKey: config.holdTagKey,
    restore: enabledRestore(config),
    existingSecretArn,
    notificationEmails: config.notificationEmails,
    reservedConcurrency: config.reservedConcurrency,
    logRetentionDays: config.logRetentionDays,
    rpo: rpoOf(config),
  });
  return {
    role: "dest",
    account: config.place.account,
    region: config.place.region,
    keyArn: consumer.keyArn,
    stateMachineArn: consumer.stateMachineArn,
    notifyTopicArn: consumer.notifyTopicArn,
    intakeFunctionArn: consumer.intakeFunctionArn,
    secretArn: consumer.secretArn,
  };
}

/**
 * Reads each source stack's account and destinations and refuses a wrong deploy target with a
 * DeployTargetError before the consumer registers any resource (only these stack reads exist by then).
 */
export async function checkSources(config: DestStackConfig): Promise<void> {
  for (const stack of config.sources) {
    const ref = new pulumi.StackReference(`deploy-target-${stackSlug(stack)}`, { name: stack });
    const [account, destinations] = await Promise.all(
      ["account", "destinations"].map(async (name) => (await ref.getOutputDetails(name)).value),
    );
    checkDeployTarget(stack, { account, destinations }, config.place);
  }
}

export async function program(): Promise<Record<string, pulumi.Input<unknown>>> {
  const config = await readStackConfig();
  if (config.role === "source") return buildProducer(config);
  await checkSources(config);
  const restore = enabledRestore(config);
  return buildConsumer(config, restore ? await findAdoptedSecret(restore.secretName) : undefined);
}
