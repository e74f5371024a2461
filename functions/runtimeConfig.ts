// The one environment variable every step Lambda gets: RDS_REPLICATION_CONFIG, the JSON runtime config of its
// side (contracts.md). Schemas are built by functions, not module constants: a module-level zod object would be
// captured by value when Pulumi serializes a handler closure.
import { z } from "zod";
import { replicationError } from "./errors";

export const CONFIG_VARIABLE = "RDS_REPLICATION_CONFIG";
export const STATE_MACHINE_VARIABLE = "STATE_MACHINE_ARN";

const accountId = () => z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
const regionName = () => z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as eu-west-1");
const arn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+$`), `must be a ${service} ARN`);

export function retentionPolicySchema() {
  const count = () => z.number().int().nonnegative().optional();
  return z.strictObject({
    keepLast: count(),
    maxAgeDays: z.number().nonnegative().optional(),
    daily: count(),
    weekly: count(),
    monthly: count(),
    yearly: count(),
  });
}

export function producerConfigSchema() {
  return z.strictObject({
    version: z.literal(1),
    account: accountId(),
    region: regionName(),
    transitKeyArns: z.record(regionName(), arn("kms")),
    databases: z.strictObject({
      identifiers: z.array(z.string().min(1)),
      tags: z.record(z.string(), z.string()),
    }),
    destinations: z.array(
      z.strictObject({ account: accountId(), region: regionName(), databases: z.array(z.string().min(1)) }),
    ),
    announceTopicArn: arn("sns"),
    notifyTopicArn: arn("sns"),
    transit: z.strictObject({
      keep: z.number().int().min(1),
      graceHours: z.number().nonnegative(),
      deletionsEnabled: z.boolean(),
    }),
    /** Replicate unencrypted Aurora clusters unencrypted (tagged and reported) instead of refusing them. */
    replicateUnencryptedClusters: z.boolean().default(false),
    /** Destination region -> source option group -> that region's option group, for cross-region copies. */
    optionGroups: z.record(regionName(), z.record(z.string(), z.string())).default({}),
  });
}

export function consumerConfigSchema() {
  return z.strictObject({
    version: z.literal(1),
    account: accountId(),
    region: regionName(),
    sources: z.array(z.strictObject({ account: accountId(), region: regionName(), topicArn: arn("sns") })).min(1),
    keyArn: arn("kms"),
    notifyTopicArn: arn("sns"),
    retention: z.strictObject({
      default: retentionPolicySchema(),
      tagKey: z.string().min(1),
      deletionsEnabled: z.boolean(),
      maxDeletionsPerRun: z.number().int().nonnegative(),
      holdTagKey: z.string().min(1),
    }),
    restore: z
      .strictObject({
        instanceClass: z.string().min(1),
        subnetGroupName: z.string().min(1),
        securityGroupIds: z.array(z.string().min(1)),
        secretName: z.string().min(1),
        instancePrefix: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,40}$/, "must be a valid DB identifier prefix"),
        keepInstances: z.number().int().min(1),
      })
      .nullable(),
  });
}

export type ProducerRuntimeConfig = z.infer<ReturnType<typeof producerConfigSchema>>;
export type ConsumerRuntimeConfig = z.infer<ReturnType<typeof consumerConfigSchema>>;
export type RetentionPolicyConfig = z.infer<ReturnType<typeof retentionPolicySchema>>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

function parseConfig<T>(schema: z.ZodType<T>, raw: string | undefined): T {
  if (!raw) throw replicationError("ConfigInvalid", `${CONFIG_VARIABLE} is not set`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw replicationError("ConfigInvalid", `${CONFIG_VARIABLE} is not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw replicationError("ConfigInvalid", `${CONFIG_VARIABLE} is invalid: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

export function loadProducerConfig(env: NodeJS.ProcessEnv = process.env): ProducerRuntimeConfig {
  return parseConfig(producerConfigSchema(), env[CONFIG_VARIABLE]);
}

export function loadConsumerConfig(env: NodeJS.ProcessEnv = process.env): ConsumerRuntimeConfig {
  return parseConfig(consumerConfigSchema(), env[CONFIG_VARIABLE]);
}
