// Pieces both components build the same way: KMS keys, the notifications topic, the step Lambdas with their
// roles, log groups and DLQs, and the state machine over them (alarms and dashboard: observability.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceKind, Step } from "../functions/catalog";
import { CONFIG_PARAMETER_VARIABLE, encodeRuntimeConfig } from "../functions/contracts/runtimeConfig";
import { stepFunction } from "./lambda";
import {
  assumeRolePolicy,
  document,
  listedPolicies,
  notifyTopicPolicy,
  operationsKeyPolicy,
  type PolicyDocument,
  type ResourceScope,
  stateMachineRolePolicy,
  stepRolePolicy,
} from "./policies";

/**
 * A physical name unique per component and `namePrefix` (SnapshotProducerArgs.namePrefix), for names that allow
 * only letters, digits, `-` and `_` (Lambda layers, dashboards).
 */
export const physicalName = (namePrefix: string, name: string) =>
  `${namePrefix}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-");

export const json = (document: pulumi.Input<PolicyDocument>): pulumi.Output<string> => pulumi.jsonStringify(document);

/**
 * A customer-managed symmetric key with yearly rotation and the given policy. In another region than the
 * stack's, the key takes @pulumi/aws's per-resource `region` under the stack's own provider, so it keeps the
 * stack's credentials, assumed roles, default tags and allowed accounts (an explicit provider would drop them).
 */
export function customerKey(
  name: string,
  description: string,
  policy: pulumi.Input<PolicyDocument>,
  opts: pulumi.CustomResourceOptions,
  region?: string,
): aws.kms.Key {
  return new aws.kms.Key(
    name,
    { description, enableKeyRotation: true, deletionWindowInDays: 30, policy: json(policy), region },
    opts,
  );
}

export function operationsKey(name: string, place: { account: string; region: string }, parent: pulumi.Resource) {
  return customerKey(
    `${name}-operations-key`,
    "rds-replication: topics, dead-letter queues and logs of this stack",
    operationsKeyPolicy(place),
    { parent },
  );
}

export interface NotificationsArgs {
  account: string;
  key: aws.kms.Key;
  emails: readonly string[];
}

/** The topic for failures and alarms, KMS-encrypted and TLS-only, with the configured email subscriptions. */
export function notificationsTopic(name: string, args: NotificationsArgs, parent: pulumi.Resource): aws.sns.Topic {
  const topic = new aws.sns.Topic(`${name}-notifications`, { kmsMasterKeyId: args.key.arn }, { parent });
  new aws.sns.TopicPolicy(
    `${name}-notifications-policy`,
    {
      arn: topic.arn,
      policy: json(topic.arn.apply((topicArn) => notifyTopicPolicy({ topicArn, account: args.account }))),
    },
    { parent },
  );
  for (const email of args.emails)
    new aws.sns.TopicSubscription(
      `${name}-notifications-${email}`,
      { topic: topic.arn, protocol: "email", endpoint: email },
      { parent },
    );
  return topic;
}

/** A step's child name: the component name already says which side it is on. */
export const stepName = (name: string, step: Step) => `${name}-${step.key.replace(`${step.side}-`, "")}`;

/**
 * The side's runtime config as one SSM parameter (functions/contracts/runtimeConfig.ts): step Lambdas get only its name,
 * since Lambda refuses environments over 4 KB and the config grows with databases x destinations. A String
 * parameter: the config holds names and ARNs, no secret.
 */
export function runtimeConfigParameter(
  name: string,
  namePrefix: string,
  runtimeConfig: pulumi.Input<object>,
  parent: pulumi.Resource,
): aws.ssm.Parameter {
  const encoded = pulumi.jsonStringify(runtimeConfig).apply(encodeRuntimeConfig);
  return new aws.ssm.Parameter(
    `${name}-runtime-config`,
    {
      name: `/${namePrefix}/${name}/runtime-config`,
      description: `rds-replication ${name}: runtime config of the step Lambdas (written by the program)`,
      type: "String",
      // Not a secret (names and ARNs): kept readable in previews and diffs.
      insecureValue: encoded.value,
      tier: encoded.tier,
    },
    // A tier change replaces the parameter, and its name is fixed: the old one must go first.
    { parent, deleteBeforeReplace: true },
  );
}

/**
 * The parameter as a step's environment names it: `name:version`. A config change is a new version, hence a
 * new environment, so Lambda starts fresh execution environments instead of warm ones keeping the old config.
 */
export const runtimeConfigReference = (parameter: aws.ssm.Parameter): pulumi.Output<string> =>
  pulumi.interpolate`${parameter.name}:${parameter.version}`;

/** What a step role needs to read the runtime config: that one parameter. */
export const runtimeConfigReadPolicy = (parameterArn: string): PolicyDocument =>
  document([{ Sid: "RuntimeConfig", Effect: "Allow", Action: "ssm:GetParameter", Resource: parameterArn }]);

export interface StepsArgs {
  steps: readonly Step[];
  account: string;
  layer: aws.lambda.LayerVersion;
  operationsKey: aws.kms.Key;
  configParameter: aws.ssm.Parameter;
  /** Extra environment for some steps (e.g. the intake's STATE_MACHINE_ARN). */
  extraEnvironment?: Readonly<Record<string, Record<string, pulumi.Input<string>>>>;
  scopes: pulumi.Input<Record<ResourceKind, ResourceScope[]>>;
  /**
   * Scopes that list ARNs known at deployment and growing with the configuration (databases named by
   * identifier): inline while small, otherwise in customer managed policies (IAM counts a role's inline
   * policies together against 10,240 characters).
   */
  listed?: Readonly<Partial<Record<ResourceKind, ResourceScope[]>>>;
  /** Optional reserved concurrency of the steps that do not need their own (components/lambda.ts). */
  reservedConcurrency?: number;
  logRetentionDays: number;
}

export interface BuiltStep {
  readonly step: Step;
  /** The logical name base of the step's children. */
  readonly prefix: string;
  readonly role: aws.iam.Role;
  readonly fn: aws.lambda.CallbackFunction<unknown, unknown>;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly deadLetterQueue: aws.sqs.Queue;
}

/** The role of every step, created first: key policies name roles before the roles' policies name the keys. */
export function stepRoles(name: string, steps: readonly Step[], account: string, parent: pulumi.Resource) {
  return new Map(
    steps.map((step) => [
      step.key,
      new aws.iam.Role(
        `${stepName(name, step)}-role`,
        {
          description: `rds-replication ${step.key}: ${step.description}`,
          assumeRolePolicy: json(assumeRolePolicy("lambda", account)),
        },
        { parent },
      ),
    ]),
  );
}

/** The scopes with the listed ARNs of each kind added. */
function withListed(
  scopes: Record<ResourceKind, ResourceScope[]>,
  listed: Readonly<Partial<Record<ResourceKind, ResourceScope[]>>>,
): Record<ResourceKind, ResourceScope[]> {
  const merged = { ...scopes };
  for (const [kind, more] of Object.entries(listed) as [ResourceKind, ResourceScope[]][])
    merged[kind] = [...more, ...(merged[kind] ?? [])];
  return merged;
}

/** Each step's Lambda with its log group, DLQ (both under the operations key) and least-privilege role policy. */
export function buildSteps(
  name: string,
  roles: ReadonlyMap<string, aws.iam.Role>,
  args: StepsArgs,
  parent: pulumi.Resource,
): Map<string, BuiltStep> {
  return new Map(
    args.steps.map((step) => {
      const prefix = stepName(name, step);
      const role = roles.get(step.key)!;
      const logGroup = new aws.cloudwatch.LogGroup(
        `${prefix}-logs`,
        {
          namePrefix: `/rds-replication/${step.key}-`,
          retentionInDays: args.logRetentionDays,
          kmsKeyId: args.operationsKey.arn,
        },
        { parent },
      );
      const deadLetterQueue = new aws.sqs.Queue(
        `${prefix}-dlq`,
        { kmsMasterKeyId: args.operationsKey.arn, messageRetentionSeconds: 14 * 24 * 3600 },
        { parent },
      );
      const listed = args.listed ?? {};
      const managed = listedPolicies(step.iam, listed);
      managed.forEach((policy, i) => {
        const attached = new aws.iam.Policy(
          `${prefix}-listed-${i}`,
          {
            description: `rds-replication ${step.key}: its needs on listed databases (${i + 1} of ${managed.length})`,
            policy: json(policy),
          },
          { parent },
        );
        new aws.iam.RolePolicyAttachment(
          `${prefix}-listed-${i}`,
          { role: role.name, policyArn: attached.arn },
          { parent },
        );
      });
      const inlineScopes = pulumi
        .output(args.scopes)
        .apply((scopes) => (managed.length > 0 ? scopes : withListed(scopes, listed)));
      new aws.iam.RolePolicy(
        `${prefix}-policy`,
        {
          role: role.id,
          policy: json(
            pulumi
              .all([inlineScopes, logGroup.arn, deadLetterQueue.arn, args.operationsKey.arn])
              .apply(([scopes, logGroupArn, deadLetterQueueArn, operationsKeyArn]) =>
                stepRolePolicy({ needs: step.iam, scopes, logGroupArn, deadLetterQueueArn, operationsKeyArn }),
              ),
          ),
        },
        { parent },
      );
      const configPolicy = new aws.iam.RolePolicy(
        `${prefix}-config-policy`,
        { role: role.id, policy: json(args.configParameter.arn.apply(runtimeConfigReadPolicy)) },
        { parent },
      );
      const fn = stepFunction(
        prefix,
        {
          step,
          role,
          layer: args.layer,
          environment: {
            [CONFIG_PARAMETER_VARIABLE]: runtimeConfigReference(args.configParameter),
            ...(args.extraEnvironment?.[step.key] ?? {}),
          },
          deadLetterQueueArn: deadLetterQueue.arn,
          logGroupName: logGroup.name,
          reservedConcurrency: args.reservedConcurrency,
        },
        // The first invocation may come as soon as the function exists: it must be able to read its config.
        { parent, dependsOn: [configPolicy] },
      );
      return [step.key, { step, prefix, role, fn, logGroup, deadLetterQueue }];
    }),
  );
}

/**
 * Every execution of a state machine, as IAM resources (states:DescribeExecution). The IAM catalogue lists
 * the action against standard (`execution`) and express (`express`) executions alike; the machines are
 * standard, so the express form matches nothing, but naming both keeps the grant what the catalogue requires.
 */
export const executionsOf = (stateMachineArn: string): string[] => [
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:*`,
  `${stateMachineArn.replace(":stateMachine:", ":express:")}:*:*`,
];

export interface StateMachineArgs {
  /** The ASL definition over the steps' Lambda ARNs (components/stateMachines.ts). */
  define: (lambdaArns: Record<string, string>) => object;
  steps: ReadonlyMap<string, BuiltStep>;
  account: string;
  operationsKey: aws.kms.Key;
  logRetentionDays: number;
}

/** A standard state machine that may invoke only its steps, logging errors to its own encrypted log group. */
export function stateMachine(name: string, args: StateMachineArgs, parent: pulumi.Resource): aws.sfn.StateMachine {
  const role = new aws.iam.Role(
    `${name}-state-machine-role`,
    { description: "rds-replication state machine", assumeRolePolicy: json(assumeRolePolicy("states", args.account)) },
    { parent },
  );
  const functionArns = [...args.steps.values()].map((s) => s.fn.arn);
  const policy = new aws.iam.RolePolicy(
    `${name}-state-machine-policy`,
    { role: role.id, policy: json(pulumi.all(functionArns).apply((arns) => stateMachineRolePolicy(arns))) },
    { parent },
  );
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-state-machine-logs`,
    {
      // Under /aws/vendedlogs/: Step Functions' log delivery then needs no CloudWatch Logs resource policy
      // entry per group (that policy is limited to 5,120 characters per account and region).
      namePrefix: `/aws/vendedlogs/states/rds-replication-${name}-`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: args.operationsKey.arn,
    },
    { parent },
  );
  return new aws.sfn.StateMachine(
    `${name}-state-machine`,
    {
      roleArn: role.arn,
      definition: pulumi
        .all(Object.fromEntries([...args.steps].map(([key, s]) => [key, s.fn.arn])))
        .apply((arns) => JSON.stringify(args.define(arns))),
      loggingConfiguration: {
        level: "ERROR",
        includeExecutionData: false,
        logDestination: pulumi.interpolate`${logGroup.arn}:*`,
      },
      tracingConfiguration: { enabled: true },
    },
    { parent, dependsOn: [policy] },
  );
}
