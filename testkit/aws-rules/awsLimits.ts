// AWS limits and refusals that the API models do not carry (sizes of whole documents, names whose rules live
// only in the API reference, quotas across resources), each with the page that documents it. Checked over
// the requests of testkit/aws-rules/apiRequests.ts, so names are the physical ones AWS would see.
// docs/aws-limits.md lists every rule by id with the test that runs it.
import type { ApiRequest } from "./apiRequests";

export interface LimitFinding {
  readonly rule: string;
  readonly resource: string;
  readonly message: string;
}

export interface LimitContext {
  readonly requests: readonly ApiRequest[];
  /** Logical names and mocked ids to physical names (apiRequests.physicalNames). */
  readonly names: ReadonlyMap<string, string>;
  /** The account's Lambda concurrency quota in the stack's region. */
  readonly accountConcurrency: number;
}

export interface LimitRule {
  readonly id: string;
  readonly rule: string;
  readonly source: string;
  check(ctx: LimitContext): LimitFinding[];
}

/** Lambda's default concurrency quota per account and region. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
/** What Lambda keeps unreserved for functions without a reservation. */
export const UNRESERVED_MINIMUM = 100;
/** CloudWatch Logs retention values (PutRetentionPolicy). */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
/** IAM does not count whitespace outside strings: the minified document. */
const minified = (doc: string) => JSON.stringify(JSON.parse(doc)).length;

type Params = Record<string, unknown>;

/** A rule over each request of one operation. */
function perRequest(
  id: string,
  operation: string,
  rule: string,
  source: string,
  test: (params: Params) => string | undefined,
): LimitRule {
  return {
    id,
    rule,
    source,
    check: ({ requests }) =>
      requests
        .filter((r) => `${r.service}:${r.operation}` === operation)
        .flatMap((r) => {
          const message = test(r.params);
          return message ? [{ rule: id, resource: r.resource, message }] : [];
        }),
  };
}

/** A rule over the sum of one operation's requests per role (`amount` of each), at most `max`. */
function perRole(
  id: string,
  operation: string,
  rule: string,
  source: string,
  bound: { max: number; amount: (params: Params) => number; message: (total: number) => string },
): LimitRule {
  return {
    id,
    rule,
    source,
    check: ({ requests }) => {
      const totals = new Map<string, number>();
      for (const r of requests.filter((q) => q.operation === operation)) {
        const role = String(r.params.RoleName);
        totals.set(role, (totals.get(role) ?? 0) + bound.amount(r.params));
      }
      return [...totals]
        .filter(([, total]) => total > bound.max)
        .map(([role, total]) => ({ rule: id, resource: role, message: bound.message(total) }));
    },
  };
}

const nameRule = (label: string, value: unknown, pattern: RegExp, max: number, what: string) => {
  const name = String(value);
  if (name.length > max) return `${label} ${JSON.stringify(name)} is ${name.length} characters, more than ${max}`;
  if (!pattern.test(name)) return `${label} ${JSON.stringify(name)} has characters outside ${what}`;
  return undefined;
};

const inRange = (label: string, value: unknown, min: number, max: number) =>
  value !== undefined && (Number(value) < min || Number(value) > max)
    ? `${label} ${value} is outside ${min}..${max}`
    : undefined;

const LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html";
const IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
const SFN_QUOTAS = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html";

export const LIMIT_RULES: readonly LimitRule[] = [
  perRequest(
    "lambda-env-4kb",
    "lambda:CreateFunction",
    "The environment variables of a function total at most 4 KB",
    LAMBDA_QUOTAS,
    (p) => {
      // Measured as the JSON of the variables, as Lambda's refusal quotes it ("String measured: {...}"): at
      // least the keys and values, so never more lenient than AWS.
      const vars = (p.Environment as Params | undefined)?.Variables;
      const total = vars ? bytes(JSON.stringify(vars)) : 0;
      return total > 4096 ? `environment is ${total} bytes, more than 4096` : undefined;
    },
  ),
  perRequest(
    "lambda-function-name",
    "lambda:CreateFunction",
    "A function name alone is at most 64 characters (the model's 140 is for a full ARN)",
    "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    (p) => nameRule("function name", p.FunctionName, /^[a-zA-Z0-9_-]+$/, 64, "a-z A-Z 0-9 - _"),
  ),
  perRequest(
    "lambda-timeout-layers",
    "lambda:CreateFunction",
    "A function times out after at most 900 seconds and uses at most 5 layers",
    LAMBDA_QUOTAS,
    (p) =>
      inRange("timeout", p.Timeout, 1, 900) ??
      (((p.Layers as unknown[]) ?? []).length > 5
        ? `${(p.Layers as unknown[]).length} layers, more than 5`
        : undefined),
  ),
  {
    id: "lambda-unreserved-100",
    rule: "Reserved concurrency in an account and region leaves at least 100 unreserved (of a default quota of 1,000)",
    source: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
    check: ({ requests, accountConcurrency }) => {
      const reserved = requests
        .filter((r) => r.operation === "PutFunctionConcurrency")
        .reduce((sum, r) => sum + Number(r.params.ReservedConcurrentExecutions), 0);
      const available = accountConcurrency - UNRESERVED_MINIMUM;
      return reserved > available
        ? [
            {
              rule: "lambda-unreserved-100",
              resource: "(stack)",
              message: `reserves ${reserved} concurrent executions; an account with a quota of ${accountConcurrency} can reserve ${Math.max(available, 0)}`,
            },
          ]
        : [];
    },
  },
  perRequest(
    "iam-trust-policy-2048",
    "iam:CreateRole",
    "A role trust policy is at most 2,048 characters, whitespace not counted (default quota)",
    IAM_QUOTAS,
    (p) => {
      const size = minified(String(p.AssumeRolePolicyDocument));
      return size > 2048 ? `trust policy is ${size} characters, more than 2048` : undefined;
    },
  ),
  perRole(
    "iam-inline-policies-10240",
    "PutRolePolicy",
    "The inline policies of one role total at most 10,240 characters, whitespace not counted",
    IAM_QUOTAS,
    {
      max: 10240,
      amount: (p) => minified(String(p.PolicyDocument)),
      message: (size) => `inline policies total ${size} characters, more than 10240`,
    },
  ),

  perRequest(
    "iam-managed-policy-6144",
    "iam:CreatePolicy",
    "A customer managed policy is at most 6,144 characters, whitespace not counted",
    IAM_QUOTAS,
    (p) => {
      const size = minified(String(p.PolicyDocument));
      return size > 6144 ? `managed policy is ${size} characters, more than 6144` : undefined;
    },
  ),
  perRole(
    "iam-managed-policies-per-role-10",
    "AttachRolePolicy",
    "At most 10 managed policies are attached to one role (default quota)",
    IAM_QUOTAS,
    { max: 10, amount: () => 1, message: (count) => `${count} managed policies attached, more than 10` },
  ),

  perRequest(
    "sfn-definition-1mb",
    "stepfunctions:CreateStateMachine",
    "A state machine definition is at most 1 MB",
    SFN_QUOTAS,
    (p) => {
      const size = bytes(String(p.definition));
      return size > 1048576 ? `definition is ${size} bytes, more than 1048576` : undefined;
    },
  ),
  perRequest(
    "sfn-name",
    "stepfunctions:CreateStateMachine",
    "A state machine name is at most 80 characters without whitespace, brackets, wildcards, control or special characters",
    SFN_QUOTAS,
    (p) =>
      nameRule(
        "state machine name",
        p.name,
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about control characters
        /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]+$/,
        80,
        "the allowed set",
      ),
  ),
  {
    id: "sfn-logs-vendedlogs",
    rule: "State machine log groups are named /aws/vendedlogs/... so CloudWatch Logs' resource policy (5,120 characters) does not grow with each one",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html",
    check: ({ requests, names }) =>
      requests
        .filter((r) => r.operation === "CreateStateMachine")
        .flatMap((r) => {
          const destinations = ((r.params.loggingConfiguration as Params | undefined)?.destinations ?? []) as {
            cloudWatchLogsLogGroup: { logGroupArn: string };
          }[];
          return destinations
            .map((d) => logGroupOfArn(d.cloudWatchLogsLogGroup.logGroupArn, names))
            .filter((group) => !group.startsWith("/aws/vendedlogs/"))
            .map((group) => ({
              rule: "sfn-logs-vendedlogs",
              resource: r.resource,
              message: `logs to ${group}, not under /aws/vendedlogs/`,
            }));
        }),
  },
  perRequest(
    "logs-retention-days",
    "logs:PutRetentionPolicy",
    "Log retention is one of CloudWatch Logs' values (1, 3, 5, 7, 14, 30, 60, 90, ... 3653 days)",
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
    (p) =>
      RETENTION_DAYS.includes(Number(p.retentionInDays)) ? undefined : `retention ${p.retentionInDays} is not allowed`,
  ),
  perRequest(
    "sns-topic-name",
    "sns:CreateTopic",
    "A topic name is 1-256 ASCII letters, digits, underscores and hyphens",
    "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    (p) => nameRule("topic name", p.Name, /^[A-Za-z0-9_-]+(\.fifo)?$/, 256, "A-Z a-z 0-9 _ -"),
  ),
  perRequest(
    "sns-filter-policy",
    "sns:Subscribe",
    "A filter policy has at most 5 keys, 150 value combinations and 256 KB; the protocol is one SNS delivers to",
    "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html",
    (p) => {
      const protocols = ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"];
      if (!protocols.includes(String(p.Protocol))) return `protocol ${p.Protocol} is not one SNS supports`;
      const policy = (p.Attributes as Params | undefined)?.FilterPolicy;
      if (policy === undefined) return undefined;
      const parsed = JSON.parse(String(policy)) as Record<string, unknown[]>;
      const keys = Object.keys(parsed).length;
      const combinations = Object.values(parsed).reduce(
        (n, values) => n * (Array.isArray(values) ? values.length : 1),
        1,
      );
      if (keys > 5) return `filter policy has ${keys} keys, more than 5`;
      if (combinations > 150) return `filter policy has ${combinations} value combinations, more than 150`;
      return bytes(String(policy)) > 256 * 1024 ? "filter policy is larger than 256 KB" : undefined;
    },
  ),
  perRequest(
    "sqs-queue",
    "sqs:CreateQueue",
    "A queue name is at most 80 letters, digits, hyphens and underscores; attributes within their documented ranges",
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    (p) => {
      const a = (p.Attributes ?? {}) as Params;
      return (
        nameRule("queue name", p.QueueName, /^[A-Za-z0-9_-]+(\.fifo)?$/, 80, "A-Z a-z 0-9 _ -") ??
        inRange("MessageRetentionPeriod", a.MessageRetentionPeriod, 60, 1209600) ??
        inRange("VisibilityTimeout", a.VisibilityTimeout, 0, 43200) ??
        inRange("DelaySeconds", a.DelaySeconds, 0, 900) ??
        inRange("MaximumMessageSize", a.MaximumMessageSize, 1024, 262144) ??
        inRange("ReceiveMessageWaitTimeSeconds", a.ReceiveMessageWaitTimeSeconds, 0, 20)
      );
    },
  ),
  perRequest(
    "kms-key-policy-32kb",
    "kms:CreateKey",
    "A key policy is at most 32 KB (32,768 bytes)",
    "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
    (p) => (p.Policy && bytes(String(p.Policy)) > 32768 ? `key policy is ${bytes(String(p.Policy))} bytes` : undefined),
  ),
  perRequest(
    "kms-deletion-window",
    "kms:ScheduleKeyDeletion",
    "A key's deletion waiting period is 7-30 days",
    "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html",
    (p) => inRange("PendingWindowInDays", p.PendingWindowInDays, 7, 30),
  ),
  perRequest(
    "cloudwatch-alarm-name",
    "cloudwatch:PutMetricAlarm",
    "An alarm name has no ASCII control characters",
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about control characters
    (p) => (/[\u0000-\u001f\u007f]/.test(String(p.AlarmName)) ? `alarm name has control characters` : undefined),
  ),
  perRequest(
    "cloudwatch-dashboard",
    "cloudwatch:PutDashboard",
    "A dashboard name is at most 255 letters, digits, - and _; a dashboard has at most 500 widgets",
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html",
    (p) => {
      const widgets = (JSON.parse(String(p.DashboardBody)) as { widgets: unknown[] }).widgets.length;
      return (
        nameRule("dashboard name", p.DashboardName, /^[A-Za-z0-9_-]+$/, 255, "A-Z a-z 0-9 - _") ??
        (widgets > 500 ? `${widgets} widgets, more than 500` : undefined)
      );
    },
  ),
  {
    id: "events-rules-targets",
    rule: "At most 300 rules per event bus (default quota) and 5 targets per rule",
    source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html",
    check: ({ requests }) => {
      const rules = requests.filter((r) => r.operation === "PutRule").length;
      const targets = new Map<string, number>();
      for (const r of requests.filter((q) => q.operation === "PutTargets")) {
        const rule = String(r.params.Rule);
        targets.set(rule, (targets.get(rule) ?? 0) + (r.params.Targets as unknown[]).length);
      }
      return [
        ...(rules > 300
          ? [{ rule: "events-rules-targets", resource: "(stack)", message: `${rules} rules, more than 300` }]
          : []),
        ...[...targets]
          .filter(([, n]) => n > 5)
          .map(([rule, n]) => ({ rule: "events-rules-targets", resource: rule, message: `${n} targets, more than 5` })),
      ];
    },
  },
  perRequest(
    "secret-name",
    "secretsmanager:CreateSecret",
    "A secret name has only ASCII letters, digits and /_+=.@-",
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
    (p) => nameRule("secret name", p.Name, /^[A-Za-z0-9/_+=.@-]+$/, 512, "A-Z a-z 0-9 /_+=.@-"),
  ),
  perRequest(
    "ssm-parameter",
    "ssm:PutParameter",
    "A parameter value is at most 4 KB (Standard tier) or 8 KB (Advanced); names use a-zA-Z0-9_.-/, do not start with aws or ssm, at most 15 levels",
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html",
    (p) => {
      const limit = p.Tier === "Advanced" ? 8192 : 4096;
      const size = bytes(String(p.Value ?? ""));
      const name = String(p.Name);
      if (size > limit) return `value is ${size} bytes, more than ${limit} (${p.Tier ?? "Standard"} tier)`;
      if (/^\/?(aws|ssm)/i.test(name)) return `parameter name ${name} starts with aws or ssm`;
      if (name.split("/").filter(Boolean).length > 15) return `parameter name ${name} has more than 15 levels`;
      return nameRule("parameter name", name, /^[a-zA-Z0-9_.\-/]+$/, 1011, "a-z A-Z 0-9 _ . - /");
    },
  ),
  perRequest(
    "rds-subnet-group-name",
    "rds:CreateDBSubnetGroup",
    "A DB subnet group name is at most 255 letters, digits, periods, underscores, spaces or hyphens, not `default`",
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
    (p) =>
      String(p.DBSubnetGroupName).toLowerCase() === "default"
        ? "subnet group named default"
        : nameRule("subnet group name", p.DBSubnetGroupName, /^[A-Za-z0-9._ -]+$/, 255, "letters, digits . _ space -"),
  ),
  perRequest(
    "ec2-security-group-text",
    "ec2:CreateSecurityGroup",
    "A security group's name and description are at most 255 characters of a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$* and space; the name does not start with sg-",
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
    (p) => {
      const allowed = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/;
      if (String(p.GroupName).startsWith("sg-")) return "group name starts with sg-";
      return (
        nameRule("group name", p.GroupName, allowed, 255, "the allowed set") ??
        nameRule("description", p.Description, allowed, 255, "the allowed set")
      );
    },
  ),
];

/** The log group name of a log group ARN (`...:log-group:NAME:*`), physical when it names an emitted one. */
function logGroupOfArn(arn: string, names: ReadonlyMap<string, string>): string {
  const name = /:log-group:(.+?)(:\*)?$/.exec(arn)?.[1] ?? arn;
  return names.get(name) ?? name;
}
