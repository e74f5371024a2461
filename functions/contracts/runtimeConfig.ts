// The runtime config of a side lives in one SSM parameter per stack; each step Lambda's environment names it
// with its version (RDS_REPLICATION_CONFIG_PARAMETER = `name:version`, as GetParameter takes it), because Lambda refuses environments over 4 KB and the config grows with
// databases x destinations. It is read and validated once per cold start. Schemas are built by functions, not
// module constants: a module-level zod object would be captured by value when Pulumi serializes a handler
// closure; the SSM client is imported at top level so the serialized module `require`s it.
import { gunzipSync, gzipSync } from "node:zlib";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { z } from "zod";
import { replicationError } from "../decisions/errors";

export const CONFIG_PARAMETER_VARIABLE = "RDS_REPLICATION_CONFIG_PARAMETER";
export const STATE_MACHINE_VARIABLE = "STATE_MACHINE_ARN";

/** SSM parameter value limits in bytes: Standard tier 4 KB, Advanced tier 8 KB. */
export const PARAMETER_LIMITS = { Standard: 4096, Advanced: 8192 } as const;
export type ParameterTier = keyof typeof PARAMETER_LIMITS;
// Marks a value stored compressed (gzip, then base64): JSON never starts with it.
const COMPRESSED_PREFIX = "gzip:";

/**
 * How a side's config JSON is stored: as is when it fits a Standard parameter, otherwise compressed, in the
 * smallest tier that holds it. Names and ARNs repeat a lot, so 200 databases x 20 destinations with per-destination
 * lists (66 KB of JSON) still fit a Standard parameter. Throws when even 8 KB compressed is not enough.
 */
export function encodeRuntimeConfig(json: string): { value: string; tier: ParameterTier } {
  const bytes = (text: string) => Buffer.byteLength(text, "utf8");
  const value =
    bytes(json) <= PARAMETER_LIMITS.Standard
      ? json
      : `${COMPRESSED_PREFIX}${gzipSync(json, { level: 9 }).toString("base64")}`;
  const tier = (Object.keys(PARAMETER_LIMITS) as ParameterTier[]).find((t) => bytes(value) <= PARAMETER_LIMITS[t]);
  if (!tier)
    throw new Error(
      `the runtime config is ${bytes(json)} bytes of JSON and ${bytes(value)} bytes compressed, more than an SSM parameter holds (${PARAMETER_LIMITS.Advanced} bytes): select databases by tag or list fewer databases per destination`,
    );
  return { value, tier };
}

export function decodeRuntimeConfig(value: string): string {
  return value.startsWith(COMPRESSED_PREFIX)
    ? gunzipSync(Buffer.from(value.slice(COMPRESSED_PREFIX.length), "base64")).toString("utf8")
    : value;
}

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
    /** The DynamoDB table of transit copies waiting for a copy slot (functions/aws/admissionQueue.ts). */
    admissionTable: z.string().min(3),
    /** One receipt topic per destination account and region (functions/steps/producer/recordReceipt.ts). */
    receiptTopics: z
      .array(z.strictObject({ topicArn: arn("sns"), account: accountId(), region: regionName() }))
      .optional(),
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
    sources: z
      .array(
        z.strictObject({
          account: accountId(),
          region: regionName(),
          topicArn: arn("sns"),
          /** Where this destination sends its receipts to that source; absent (an older source): none sent. */
          receiptTopicArn: arn("sns").optional(),
          /** The source's databases this destination accepts; absent: all it announces. */
          databases: z.array(z.string().min(1)).optional(),
        }),
      )
      .min(1),
    keyArn: arn("kms"),
    notifyTopicArn: arn("sns"),
    /** New copies of one source database per 24 hours at most (the flood guard, consumer/copyBudget.ts). */
    copiesPerDatabasePerDay: z.number().int().min(1),
    /** The DynamoDB table of copies waiting for a copy slot (functions/aws/admissionQueue.ts). */
    admissionTable: z.string().min(3),
    retention: z.strictObject({
      default: retentionPolicySchema(),
      tagKey: z.string().min(1),
      deletionsEnabled: z.boolean(),
      maxDeletionsPerRun: z.number().int().nonnegative(),
      holdTagKey: z.string().min(1),
      /** The floor no lifecycle tag, announcement or preset lowers (functions/decisions/retentionFloor.ts). */
      minimum: z.strictObject({ copies: z.number().int().nonnegative(), days: z.number().nonnegative() }),
      /** Hours a copy stays marked before it may be deleted (functions/decisions/coolingOff.ts). */
      coolingOffHours: z.number().nonnegative(),
    }),
    /** Tags this account adds to every copy it makes (below the tool's own, above the carried ones). */
    copyTags: z.record(z.string(), z.string()).optional(),
    /** Per-database refresh: only the databases with a target are restored, each into its own secret. */
    restore: z
      .strictObject({
        cleanupEnabled: z.boolean(),
        targets: z.array(
          z.strictObject({
            database: z.string().min(1),
            kind: z.enum(["instance", "cluster"]),
            instanceClass: z.string().min(1),
            subnetGroupName: z.string().min(1),
            securityGroupIds: z.array(z.string().min(1)),
            parameterGroupName: z.string().min(1).optional(),
            optionGroupName: z.string().min(1).optional(),
            secretName: z.string().min(1),
            instancePrefix: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,40}$/, "must be a valid DB identifier prefix"),
            keepInstances: z.number().int().min(1),
            maxRestoresPerDay: z.number().int().min(1),
          }),
        ),
      })
      .nullable(),
    /** Restore tests (DR drills) per database: restored into an isolated network, checked, timed, deleted. */
    restoreTests: z
      .array(
        z.strictObject({
          database: z.string().min(1),
          kind: z.enum(["instance", "cluster"]),
          instanceClass: z.string().min(1),
          subnetGroupName: z.string().min(1),
          securityGroupIds: z.array(z.string().min(1)),
          /** The recovery time objective: a test taking longer is reported as over it (and alarmed). */
          rtoMinutes: z.number().positive(),
          /** Aurora: also `SELECT 1` through the Data API (restore-test query step). */
          dataApiSelect: z.boolean().optional(),
        }),
      )
      .optional(),
  });
}

export type ProducerRuntimeConfig = z.infer<ReturnType<typeof producerConfigSchema>>;
export type ConsumerRuntimeConfig = z.infer<ReturnType<typeof consumerConfigSchema>>;
export type RetentionPolicyConfig = z.infer<ReturnType<typeof retentionPolicySchema>>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

/** Validates a stored runtime config; errors name the parameter and every invalid field. */
export function parseConfig<T>(schema: z.ZodType<T>, parameter: string, value: string): T {
  const what = `runtime config parameter ${parameter}`;
  let json: unknown;
  try {
    json = JSON.parse(decodeRuntimeConfig(value));
  } catch (error) {
    throw replicationError("ConfigInvalid", `${what} is not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw replicationError("ConfigInvalid", `${what} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

// Parsed configs by parameter name, for the life of the Lambda execution environment (one read per cold start).
// Only successes are kept: a failed read is retried by the next invocation.
const loaded: Record<string, unknown> = {};

async function loadConfig<T>(schema: () => z.ZodType<T>, env: NodeJS.ProcessEnv): Promise<T> {
  const parameter = env[CONFIG_PARAMETER_VARIABLE];
  if (!parameter) throw replicationError("ConfigInvalid", `${CONFIG_PARAMETER_VARIABLE} is not set`);
  if (!Object.hasOwn(loaded, parameter)) {
    const { Parameter } = await new SSMClient({}).send(new GetParameterCommand({ Name: parameter }));
    if (Parameter?.Value === undefined)
      throw replicationError("ConfigInvalid", `runtime config parameter ${parameter} has no value`);
    loaded[parameter] = parseConfig(schema(), parameter, Parameter.Value);
  }
  return loaded[parameter] as T;
}

export function loadProducerConfig(env: NodeJS.ProcessEnv = process.env): Promise<ProducerRuntimeConfig> {
  return loadConfig(producerConfigSchema, env);
}

export function loadConsumerConfig(env: NodeJS.ProcessEnv = process.env): Promise<ConsumerRuntimeConfig> {
  return loadConfig(consumerConfigSchema, env);
}
