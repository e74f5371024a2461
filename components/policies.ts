// Every IAM, KMS key and SNS topic policy of the program, as plain JSON built by pure functions over concrete
// ARNs: the components pass resolved values in, the unit and policy-simulation tests evaluate the documents.
import { regionOfArn } from "../functions/decisions/arn";

// IAM has three grammars, and AWS refuses a document written in the wrong one (CreateRole answers
// "MalformedPolicyDocument: Has prohibited field Resource" to a trust policy with a Resource). Each is its
// own type, so the compiler refuses such a document before AWS does.

export type Principal = "*" | { AWS?: string | string[]; Service?: string | string[] };
export type Condition = Record<string, Record<string, string | string[] | boolean>>;

interface StatementBase {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Condition?: Condition;
}

/** A role's trust policy: who may assume it; the role itself is the resource, so none is named. */
export interface TrustStatement extends StatementBase {
  Principal: Principal;
  Resource?: never;
  NotResource?: never;
}

/** A policy attached to an identity: the identity is the principal, so none is named. */
export interface IdentityStatement extends StatementBase {
  Resource: string | string[];
  Principal?: never;
  NotPrincipal?: never;
}

/** A policy attached to a resource (KMS key, SNS topic, Lambda function): who may do what on it. */
export interface ResourceStatement extends StatementBase {
  Principal: Principal;
  Resource: string | string[];
}

/** A statement of any of the three grammars, for code that only reads documents. */
export type Statement = TrustStatement | IdentityStatement | ResourceStatement;

export interface Policy<S extends Statement> {
  Version: "2012-10-17";
  Statement: S[];
}

export type TrustPolicy = Policy<TrustStatement>;
export type IdentityPolicy = Policy<IdentityStatement>;
export type ResourcePolicy = Policy<ResourceStatement>;
/** Any document the program emits; which grammar it follows is in its type. */
export type PolicyDocument = TrustPolicy | IdentityPolicy | ResourcePolicy;

export const document = <S extends Statement>(statements: S[]): Policy<S> => ({
  Version: "2012-10-17",
  Statement: statements,
});

/** The ARN partition of a region (aws, aws-cn, aws-us-gov, ...). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  const iso = /^(us|eu)-iso([a-z]?)-/.exec(region);
  if (iso) return iso[2] ? `aws-iso-${iso[2]}` : "aws-iso";
  return "aws";
}

/** A regional service endpoint host, as used by `kms:ViaService` and service principals. */
export function serviceHost(service: string, region: string): string {
  return `${service}.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

export const accountRoot = (account: string, partition: string) => `arn:${partition}:iam::${account}:root`;

/** The same actions on the same resources as a pair of the key's user and RDS, for cross-account copies. */
export const KMS_USE_THROUGH_RDS = ["kms:Decrypt", "kms:DescribeKey", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

// The account root administers its keys; that only delegates to IAM policies of the account, which the
// program grants to its own roles for exactly the keys they use. It also prevents an unmanageable key.
function rootAdministers(account: string, partition: string): ResourceStatement {
  return {
    Sid: "AccountAdministersThroughIam",
    Effect: "Allow",
    Principal: { AWS: accountRoot(account, partition) },
    Action: "kms:*",
    Resource: "*",
  };
}

function useThroughRds(sid: string, principals: string[], region: string): ResourceStatement[] {
  const viaRds = { StringEquals: { "kms:ViaService": serviceHost("rds", region) } };
  return [
    {
      Sid: `${sid}Use`,
      Effect: "Allow",
      Principal: { AWS: principals },
      Action: KMS_USE_THROUGH_RDS,
      Resource: "*",
      Condition: viaRds,
    },
    {
      Sid: `${sid}Grant`,
      Effect: "Allow",
      Principal: { AWS: principals },
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { ...viaRds, Bool: { "kms:GrantIsForAWSResource": true } },
    },
  ];
}

export interface TransitKeyPolicyArgs {
  /** The source account that owns the key. */
  account: string;
  /** The key's region: destination accounts may use it only through RDS in this region. */
  region: string;
  /** Destination accounts whose copies read snapshots encrypted with this key. */
  destinationAccounts: string[];
}

/** The producer's transit key: destination accounts may use it only through RDS, to copy shared snapshots. */
export function transitKeyPolicy(args: TransitKeyPolicyArgs): ResourcePolicy {
  const partition = partitionOf(args.region);
  const accounts = [...new Set(args.destinationAccounts)].sort();
  const destinations = accounts.map((a) => accountRoot(a, partition));
  return document([
    rootAdministers(args.account, partition),
    ...(destinations.length > 0 ? useThroughRds("DestinationAccountsThroughRds", destinations, args.region) : []),
  ]);
}

export interface ConsumerKeyPolicyArgs {
  account: string;
  region: string;
  /** This account's roles that copy snapshots with the key (through RDS only). */
  copyRoleArns: string[];
}

/** The consumer's own key: no other account appears; its copy roles use it through RDS. */
export function consumerKeyPolicy(args: ConsumerKeyPolicyArgs): ResourcePolicy {
  const partition = partitionOf(args.region);
  return document([
    rootAdministers(args.account, partition),
    ...useThroughRds("CopyRolesThroughRds", [...args.copyRoleArns].sort(), args.region),
  ]);
}

export interface OperationsKeyPolicyArgs {
  account: string;
  region: string;
}

/**
 * The key for a component's own data at rest (SNS topics, DLQs, log groups): CloudWatch Logs may use it for
 * this account's log groups, CloudWatch alarms may publish to topics encrypted with it.
 */
export function operationsKeyPolicy(args: OperationsKeyPolicyArgs): ResourcePolicy {
  const partition = partitionOf(args.region);
  return document([
    rootAdministers(args.account, partition),
    {
      Sid: "CloudWatchLogsForThisAccount",
      Effect: "Allow",
      Principal: { Service: serviceHost("logs", args.region) },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${args.region}:${args.account}:log-group:*`,
        },
      },
    },
    {
      Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": args.account } },
    },
    // The dest stack's key-protection rule (consumer.ts) publishes to the encrypted notifications topic.
    {
      Sid: "EventBridgeRulesPublishToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": args.account } },
    },
  ]);
}

function denyInsecureTransport(topicArn: string): ResourceStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "sns:*",
    Resource: topicArn,
    Condition: { Bool: { "aws:SecureTransport": false } },
  };
}

export interface AnnounceTopicPolicyArgs {
  topicArn: string;
  /** Accounts allowed to subscribe, each only a Lambda function of its own. */
  destinationAccounts: string[];
}

/** The announcement topic: TLS only; each destination account may subscribe one of its own Lambda functions. */
export function announceTopicPolicy(args: AnnounceTopicPolicyArgs): ResourcePolicy {
  const partition = partitionOf(regionOfArn(args.topicArn));
  const accounts = [...new Set(args.destinationAccounts)].sort();
  return document([
    denyInsecureTransport(args.topicArn),
    ...accounts.map(
      (account): ResourceStatement => ({
        Sid: `Subscribe${account}LambdaOnly`,
        Effect: "Allow",
        Principal: { AWS: accountRoot(account, partition) },
        Action: "sns:Subscribe",
        Resource: args.topicArn,
        Condition: {
          StringEquals: { "sns:Protocol": "lambda" },
          StringLike: { "sns:Endpoint": `arn:${partition}:lambda:*:${account}:function:*` },
        },
      }),
    ),
  ]);
}

export interface ReceiptTopicPolicyArgs {
  topicArn: string;
  /** The one destination account that may publish its receipts here. */
  destinationAccount: string;
}

/**
 * A receipt topic (components/receipts.ts): TLS only; only roles of its destination account may publish, so the
 * producer knows who sent a receipt from the topic it came through (SNS sets TopicArn, not the publisher).
 */
export function receiptTopicPolicy(args: ReceiptTopicPolicyArgs): ResourcePolicy {
  const partition = partitionOf(regionOfArn(args.topicArn));
  return document([
    denyInsecureTransport(args.topicArn),
    {
      Sid: `Publish${args.destinationAccount}ReceiptsOnly`,
      Effect: "Allow",
      Principal: { AWS: accountRoot(args.destinationAccount, partition) },
      Action: "sns:Publish",
      Resource: args.topicArn,
      Condition: { ArnLike: { "aws:PrincipalArn": `arn:${partition}:iam::${args.destinationAccount}:role/*` } },
    },
  ]);
}

export interface ReceiptKeyPolicyArgs {
  account: string;
  region: string;
  destinationAccounts: string[];
}

/**
 * The key of a source's receipt topics: the destination accounts may encrypt (publish) with it only through
 * SNS of the topics' region, which needs kms:GenerateDataKey* and kms:Decrypt for a publisher.
 */
export function receiptKeyPolicy(args: ReceiptKeyPolicyArgs): ResourcePolicy {
  const partition = partitionOf(args.region);
  const accounts = [...new Set(args.destinationAccounts)].sort();
  return document([
    rootAdministers(args.account, partition),
    {
      Sid: "DestinationAccountsPublishThroughSns",
      Effect: "Allow",
      Principal: { AWS: accounts.map((a) => accountRoot(a, partition)) },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": serviceHost("sns", args.region) } },
    },
  ]);
}

export interface NotifyTopicPolicyArgs {
  topicArn: string;
  account: string;
}

/** The notifications topic: TLS only; this account's CloudWatch alarms and EventBridge rules may publish. */
export function notifyTopicPolicy(args: NotifyTopicPolicyArgs): ResourcePolicy {
  return document([
    denyInsecureTransport(args.topicArn),
    {
      Sid: "CloudWatchAlarmsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: args.topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": args.account } },
    },
    {
      Sid: "EventBridgeRulesOfThisAccount",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: args.topicArn,
      Condition: {
        ArnLike: {
          "aws:SourceArn": `arn:${partitionOf(regionOfTopic(args.topicArn))}:events:*:${args.account}:rule/*`,
        },
      },
    },
  ]);
}

const regionOfTopic = (topicArn: string) => topicArn.split(":")[3] ?? "";

/** Who may assume a role: one AWS service, on behalf of this account only where the service supports it. */
export function assumeRolePolicy(service: "lambda" | "states" | "events", account: string): TrustPolicy {
  return document<TrustStatement>([
    {
      Effect: "Allow",
      Principal: { Service: `${service}.amazonaws.com` },
      Action: "sts:AssumeRole",
      ...(service === "lambda" ? {} : { Condition: { StringEquals: { "aws:SourceAccount": account } } }),
    },
  ]);
}

/** EventBridge may start the producer state machine and nothing else. */
export function eventsRolePolicy(stateMachineArn: string): IdentityPolicy {
  return document<IdentityStatement>([
    { Sid: "StartProducer", Effect: "Allow", Action: "states:StartExecution", Resource: stateMachineArn },
  ]);
}

// CloudWatch Logs vended-log delivery and X-Ray have no resource-level permissions.
const STATE_MACHINE_LOG_DELIVERY = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
];
export const XRAY_WRITE = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/** A state machine invokes only its own Lambdas (and their versions), delivers its logs and traces. */
export function stateMachineRolePolicy(lambdaArns: string[]): IdentityPolicy {
  const functions = [...lambdaArns].sort();
  return document<IdentityStatement>([
    {
      Sid: "InvokeOwnSteps",
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: [...functions, ...functions.map((arn) => `${arn}:*`)],
    },
    { Sid: "LogDelivery", Effect: "Allow", Action: STATE_MACHINE_LOG_DELIVERY, Resource: "*" },
    {
      Sid: "Traces",
      Effect: "Allow",
      Action: [...XRAY_WRITE, "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      Resource: "*",
    },
  ]);
}

/** Where a catalog resource kind points: ARNs, optionally only those carrying some tags. */
export interface ResourceScope {
  arns: string[];
  condition?: Condition;
}

/** An abstract IAM need of a step (functions/catalog.ts), before its resource kinds are resolved. */
export interface IamNeed<Kind extends string = string> {
  actions: readonly string[];
  resources: readonly Kind[];
  conditions?: Record<string, Record<string, string | string[]>>;
  /**
   * KMS use only through this service (e.g. "rds") in each key's own region: `kms:ViaService` is pinned per
   * key ARN, so a key is never usable through the service of another region.
   */
  viaService?: string;
}

export interface StepRolePolicyArgs<Kind extends string> {
  needs: readonly IamNeed<Kind>[];
  /** Concrete ARNs of every resource kind the side knows; a kind without ARNs grants nothing. */
  scopes: Readonly<Record<Kind, readonly ResourceScope[]>>;
  logGroupArn: string;
  deadLetterQueueArn: string;
  /** The side's operations key: DLQ messages and notifications are encrypted with it. */
  operationsKeyArn: string;
}

/** One group per region of its ARNs, each limited to `service` in that region (`kms:ViaService`). */
function pinnedToRegions(group: ResourceScope, service: string): ResourceScope[] {
  const byRegion = new Map<string, string[]>();
  for (const arn of group.arns) {
    const region = regionOfArn(arn);
    if (!region) throw new Error(`kms:ViaService ${service} needs regional ARNs, got ${arn}`);
    byRegion.set(region, [...(byRegion.get(region) ?? []), arn]);
  }
  return [...byRegion]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, arns]) => ({
      arns,
      condition: mergeConditions(group.condition, {
        StringEquals: { "kms:ViaService": serviceHost(service, region) },
      }),
    }));
}

function mergeConditions(...conditions: (Condition | undefined)[]): Condition | undefined {
  const merged: Condition = {};
  for (const condition of conditions)
    for (const [operator, entries] of Object.entries(condition ?? {}))
      merged[operator] = { ...merged[operator], ...entries };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/**
 * The statements of catalog needs over concrete scopes: one per need and scope, so a tag condition never
 * leaks onto other resources. Sids name the need (`Need<i>`), which the simulations read back.
 */
export function needStatements<Kind extends string>(
  needs: readonly IamNeed<Kind>[],
  scopesByKind: Readonly<Partial<Record<Kind, readonly ResourceScope[]>>>,
): IdentityStatement[] {
  return needs.flatMap((need, i) => {
    const scopes = need.resources.flatMap((kind) => scopesByKind[kind] ?? []).filter((s) => s.arns.length > 0);
    const plain = [...new Set(scopes.filter((s) => !s.condition).flatMap((s) => s.arns))].sort();
    const scoped: ResourceScope[] = [
      ...(plain.length > 0 ? [{ arns: plain }] : []),
      ...scopes.filter((s) => s.condition),
    ];
    const via = need.viaService;
    const groups = via ? scoped.flatMap((group) => pinnedToRegions(group, via)) : scoped;
    return groups.map((group, j): IdentityStatement => {
      const condition = mergeConditions(need.conditions, group.condition);
      const [only, ...more] = group.arns;
      return {
        Sid: `Need${i}${groups.length > 1 ? `Scope${j}` : ""}`,
        Effect: "Allow",
        Action: [...need.actions].sort(),
        Resource: only !== undefined && more.length === 0 ? only : group.arns,
        ...(condition ? { Condition: condition } : {}),
      };
    });
  });
}

/** A step Lambda's role policy: its catalog needs on concrete ARNs, plus writing its own logs, DLQ and traces. */
export function stepRolePolicy<Kind extends string>(args: StepRolePolicyArgs<Kind>): IdentityPolicy {
  return document<IdentityStatement>([
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${args.logGroupArn}:*`,
    },
    { Sid: "OwnDeadLetterQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.deadLetterQueueArn },
    {
      Sid: "OperationsKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: args.operationsKeyArn,
    },
    { Sid: "Traces", Effect: "Allow", Action: XRAY_WRITE, Resource: "*" },
    ...needStatements(args.needs, args.scopes),
  ]);
}

/**
 * IAM's quotas on identity policies (IAM and STS quotas, reference_iam-quotas): the inline policies of one
 * role together, one customer managed policy (both in characters, whitespace not counted), and the managed
 * policies attached to one role (default quota, adjustable to 20).
 */
export const IAM_POLICY_QUOTAS = { inlinePerRole: 10_240, managedPolicy: 6_144, managedPerRole: 10 } as const;

/**
 * Listed ARNs (databases named by identifier, known at deployment) stay in the inline policy up to this many
 * characters; the rest of a step's inline policies is bounded by the regions and stays below the remainder.
 */
export const LISTED_INLINE_BUDGET = 4_096;

/** A document's size as IAM counts it: JSON without whitespace outside strings. */
export const policySize = (policy: PolicyDocument): number => JSON.stringify(policy).length;

const asArnList = (resource: string | string[]): string[] => (Array.isArray(resource) ? resource : [resource]);

/** A statement split by its Resource list into parts that each fit a document of `maxChars` alone. */
function splitStatement(statement: IdentityStatement, maxChars: number): IdentityStatement[] {
  if (policySize(document([statement])) <= maxChars) return [statement];
  const part = (arns: string[], n: number): IdentityStatement => ({
    ...statement,
    Sid: `${statement.Sid ?? "Statement"}Part${n}`,
    Resource: arns.length === 1 ? arns[0]! : arns,
  });
  const parts: IdentityStatement[] = [];
  let current: string[] = [];
  for (const arn of asArnList(statement.Resource)) {
    const next = [...current, arn];
    if (current.length > 0 && policySize(document([part(next, parts.length)])) > maxChars) {
      parts.push(part(current, parts.length));
      current = [arn];
    } else current = next;
  }
  const last = part(current, parts.length);
  if (policySize(document([last])) > maxChars)
    throw new Error(`statement ${statement.Sid} on ${current[0]} alone is over ${maxChars} characters`);
  return [...parts, last];
}

/** Statements in as few documents of at most `maxChars` as packing them in order allows. */
export function packStatements(statements: readonly IdentityStatement[], maxChars: number): IdentityPolicy[] {
  const documents: IdentityStatement[][] = [];
  for (const statement of statements.flatMap((s) => splitStatement(s, maxChars))) {
    const open = documents.at(-1);
    if (open && policySize(document([...open, statement])) <= maxChars) open.push(statement);
    else documents.push([statement]);
  }
  return documents.map((statements) => document(statements));
}

/**
 * Where a step's needs over listed ARNs go: none when they fit the inline budget (the caller keeps them
 * inline), otherwise customer managed policies of at most 6,144 characters each.
 */
export function listedPolicies<Kind extends string>(
  needs: readonly IamNeed<Kind>[],
  listed: Readonly<Partial<Record<Kind, readonly ResourceScope[]>>>,
): IdentityPolicy[] {
  const statements = needStatements(needs, listed);
  if (statements.length === 0 || policySize(document(statements)) <= LISTED_INLINE_BUDGET) return [];
  return packStatements(statements, IAM_POLICY_QUOTAS.managedPolicy);
}

// A service control policy (AWS Organizations) has an identity policy's grammar: no Principal, a Resource;
// the organization attaches it to the account, where it limits every principal but service-linked roles.
export type ServiceControlPolicy = IdentityPolicy;

export interface SnapshotDeletionGuardArgs {
  /** The roles that may still delete snapshots (the retention step's). */
  exemptRoleArns: string[];
}

/**
 * The SCP docs/security.md offers for the DR account: nobody there deletes an RDS snapshot or cluster snapshot
 * but the retention step's role, so neither a stolen admin session nor a mistaken insider can destroy the copies
 * (retention still runs, under its floor and caps). The organization's management account attaches it.
 */
export function snapshotDeletionGuardPolicy(args: SnapshotDeletionGuardArgs): ServiceControlPolicy {
  return document<IdentityStatement>([
    {
      Sid: "OnlyRdsReplicationRetentionDeletesSnapshots",
      Effect: "Deny",
      Action: ["rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"],
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalArn": [...args.exemptRoleArns].sort() } },
    },
  ]);
}
