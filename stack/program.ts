// The program of every stack: read and validate the config for the account and region the credentials act
// in, then build the one component of the stack's role and export what the other side needs.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SnapshotConsumer, stackSlug } from "../components/consumer";
import { SnapshotProducer, transitRegions } from "../components/producer";
import { unknownTargetDatabases } from "../components/refreshTargets";
import {
  type SourceDatabases,
  type SourceOutputs,
  type SourceStackExports,
  sourceOutputsOf,
  sourceStackExports,
} from "../components/sourceOutputs";
import { MANAGED_BY_KEY, MANAGED_BY_VALUE } from "../functions/decisions/tags";
import {
  allowedDatabasesOf,
  ConfigError,
  checkDeployTarget,
  type DestStackConfig,
  parseStackConfig,
  producerArgsOf,
  rawConfigFromPulumi,
  refreshOf,
  retentionPolicyOf,
  rpoOf,
  type SourceStackConfig,
  type StackConfig,
} from "./config";

/** Reads and validates this stack's config; throws a ConfigError listing every problem. */
export async function readStackConfig(): Promise<StackConfig> {
  const { project, awsRegion, warnings } = rawConfigFromPulumi(pulumi.runtime.allConfig());
  for (const warning of warnings) pulumi.log.warn(warning);
  const identity = await aws.getCallerIdentity();
  return parseStackConfig(project, { account: identity.accountId, region: awsRegion ?? "" });
}

/**
 * Physical names unique per project and stack (the components' `namePrefix`): `/rds-replication/<stack>/...`
 * for the SSM parameters, `rds-replication-<stack>-...` for the layers and dashboards.
 */
export const stackNamePrefix = () => `${pulumi.getProject()}/${pulumi.getStack()}`;

/** A source stack's exports: the contract with dest stacks, and what operators and the deploy script read. */
export type SourceStackOutputs = SourceStackExports & {
  readonly role: "source";
  readonly regions: string[];
  readonly notifyTopicArn: pulumi.Output<string>;
  readonly stateMachineArn: pulumi.Output<string>;
};

export function buildProducer(config: SourceStackConfig): SourceStackOutputs {
  const producer = new SnapshotProducer("producer", {
    namePrefix: stackNamePrefix(),
    ...producerArgsOf(config, config.place),
  });
  return {
    role: "source",
    // The contract with dest stacks (components/sourceOutputs.ts); they check `account` and `destinations`
    // before anything else (checkDeployTarget).
    ...sourceStackExports(producer.sourceOutputs),
    regions: transitRegions(config.place.region, config.destinations),
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
  sources: Record<string, pulumi.Input<SourceOutputs>>,
  adoptedSecrets: Record<string, string> = {},
): Record<string, pulumi.Input<unknown>> {
  const consumer = new SnapshotConsumer("consumer", {
    namePrefix: stackNamePrefix(),
    account: config.place.account,
    region: config.place.region,
    sources,
    retention: retentionPolicyOf(config),
    retentionTagKey: config.retentionTagKey,
    deletionsEnabled: config.deletionsEnabled,
    maxDeletionsPerRun: config.maxDeletionsPerRun,
    minRetention: config.minRetention,
    coolingOffHours: config.deletionCoolingOffHours,
    holdTagKey: config.holdTagKey,
    copyTags: Object.fromEntries(config.copyTags),
    refresh: refreshOf(config, adoptedSecrets),
    restoreTests: config.restoreTests,
    notificationEmails: config.notificationEmails,
    reservedConcurrency: config.reservedConcurrency,
    logRetentionDays: config.logRetentionDays,
    rpo: rpoOf(config),
    allowedDatabases: allowedDatabasesOf(config),
    copiesPerDatabasePerDay: config.copiesPerDatabasePerDay,
    manualSnapshotQuota: config.manualSnapshotQuota,
  });
  return {
    role: "dest",
    account: config.place.account,
    region: config.place.region,
    keyArn: consumer.keyArn,
    stateMachineArn: consumer.stateMachineArn,
    notifyTopicArn: consumer.notifyTopicArn,
    intakeFunctionArn: consumer.intakeFunctionArn,
    secretArns: consumer.secretArns,
    restoredInstances: consumer.restoredInstances,
    snapshotDeletionGuardScp: consumer.snapshotDeletionGuardPolicy,
  };
}

/**
 * Reads each source stack once: its account and destinations refuse a wrong deploy target with a
 * DeployTargetError before the consumer registers any resource (only these stack reads exist by then), and
 * its contract outputs are what the consumer takes for it.
 */
export async function readSources(config: DestStackConfig): Promise<Record<string, pulumi.Output<SourceOutputs>>> {
  const sources: Record<string, pulumi.Output<SourceOutputs>> = {};
  const databases: Record<string, SourceDatabases | undefined> = {};
  for (const stack of config.sources) {
    const ref = new pulumi.StackReference(`source-${stackSlug(stack)}`, { name: stack });
    const [account, destinations, sent] = await Promise.all(
      ["account", "destinations", "databases"].map(async (name) => (await ref.getOutputDetails(name)).value),
    );
    checkDeployTarget(stack, { account, destinations }, config.place);
    databases[stack] = sent;
    sources[stack] = sourceOutputsOf(ref);
  }
  checkRefreshTargets(config, databases);
  return sources;
}

/** Every refresh target and restore test names a database its sources send here, of that kind: all problems in one ConfigError. */
export function checkRefreshTargets(config: DestStackConfig, databases: Record<string, SourceDatabases | undefined>) {
  if (config.refreshTargets.length + config.restoreTests.length === 0) return;
  const missing = Object.entries(databases)
    .filter(([, d]) => d === undefined)
    .map(([stack]) => `source stack ${stack} exports no databases: bring it up with this version first`);
  const problems = (["refreshTargets", "restoreTests"] as const).flatMap((key) =>
    unknownTargetDatabases(config[key], databases, config.place).map(
      (p) => `rds-replication:${key}[${p.index}].${p.field}: ${p.message}`,
    ),
  );
  if (missing.length + problems.length > 0) throw new ConfigError([...missing, ...problems]);
}

export async function program(): Promise<Record<string, pulumi.Input<unknown>>> {
  const config = await readStackConfig();
  if (config.role === "source") return buildProducer(config);
  const sources = await readSources(config);
  const adopted: Record<string, string> = {};
  for (const { secretName } of config.refreshTargets) {
    const arn = await findAdoptedSecret(secretName);
    if (arn) adopted[secretName] = arn;
  }
  return buildConsumer(config, sources, adopted);
}
