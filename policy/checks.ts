// The static security rules of rds-replication, each a pure function over one resource's type and inputs.
// The policy pack (policy/index.ts) runs them on `pulumi preview --policy-pack policy`; the security tests run
// the very same functions over the resources recorded by the program's mock tests. `equivalents` names the
// scanner rules (Checkov, AWS Config) each one stands for: see docs/security.md for the mapping table.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import {
  accountOfPrincipal,
  describe,
  type Grammar,
  grammarErrors,
  hasCondition,
  isAllow,
  isPublicPrincipal,
  list,
  parsePolicy,
  principalsOf,
  type Statement,
} from "./documents";

export type Props = Record<string, unknown>;

export interface Rule {
  readonly name: string;
  readonly description: string;
  readonly equivalents: readonly string[];
  readonly resourceTypes: readonly string[];
  /** Messages describing each violation; empty when the resource complies. */
  readonly check: (type: string, props: Props) => string[];
}

export const TYPES = {
  kmsKey: "aws:kms/key:Key",
  kmsKeyPolicy: "aws:kms/keyPolicy:KeyPolicy",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  lambda: "aws:lambda/function:Function",
  lambdaPermission: "aws:lambda/permission:Permission",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  secret: "aws:secretsmanager/secret:Secret",
  secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  rdsSnapshot: "aws:rds/snapshot:Snapshot",
  rdsSnapshotCopy: "aws:rds/snapshotCopy:SnapshotCopy",
  rdsClusterSnapshot: "aws:rds/clusterSnapshot:ClusterSnapshot",
} as const;

// --- where the policy documents are in each resource's inputs ---

/** The resources whose `policy` input is a resource-based policy (keys, topics, queues, secrets). */
export const RESOURCE_POLICY_TYPES: readonly string[] = [
  TYPES.kmsKey,
  TYPES.kmsKeyPolicy,
  TYPES.topic,
  TYPES.topicPolicy,
  TYPES.queue,
  TYPES.queuePolicy,
  TYPES.secretPolicy,
];

/** Resource-based policies in the strict sense (keys, topics, queues, secrets): a principal and a resource. */
function ownResourcePolicies(type: string, props: Props): unknown[] {
  return RESOURCE_POLICY_TYPES.includes(type) && props.policy !== undefined ? [props.policy] : [];
}

/** A role's trust policy: who may assume it. */
function trustPolicies(type: string, props: Props): unknown[] {
  return type === TYPES.role && props.assumeRolePolicy !== undefined ? [props.assumeRolePolicy] : [];
}

/** Resource-based policies (who else may act on the resource, a role's trust included), by resource type. */
const resourcePolicies = (type: string, props: Props): unknown[] => [
  ...ownResourcePolicies(type, props),
  ...trustPolicies(type, props),
];

/** Identity policies (what a role may do), by resource type. */
function identityPolicies(type: string, props: Props): unknown[] {
  switch (type) {
    case TYPES.rolePolicy:
    case TYPES.policy:
      return [props.policy];
    case TYPES.role:
      return ((props.inlinePolicies as { policy?: unknown }[] | undefined) ?? []).map((p) => p.policy);
    default:
      return [];
  }
}

/** Applies `judge` to every statement of every document; unreadable documents are violations themselves. */
function eachStatement(documents: unknown[], judge: (s: Statement, where: string) => string | undefined): string[] {
  return documents.flatMap((document) => {
    const parsed = parsePolicy(document);
    if (!parsed.ok) return [parsed.error];
    return parsed.statements.flatMap((s, i) => judge(s, describe(s, i)) ?? []);
  });
}

const actionsOf = (s: Statement) => list(s.Action);
const isEverything = (action: string) => action === "*" || action === "*:*";

// --- the rules ---

const grammarViolations = (grammar: Grammar, documents: unknown[]) =>
  eachStatement(documents, (s, where) => {
    const errors = grammarErrors(grammar, s);
    return errors.length > 0 ? `${where} ${errors.join(", ")}` : undefined;
  });

const policyGrammarByType: Rule = {
  name: "policy-grammar-by-type",
  description:
    "Trust policies name a principal and no resource, identity policies a resource and no principal, resource policies both.",
  equivalents: ["IAM MalformedPolicyDocument", "IAM Access Analyzer policy validation"],
  resourceTypes: [TYPES.role, TYPES.rolePolicy, TYPES.policy, ...RESOURCE_POLICY_TYPES],
  check: (type, props) => [
    ...grammarViolations("trust", trustPolicies(type, props)),
    ...grammarViolations("identity", identityPolicies(type, props)),
    ...grammarViolations("resource", ownResourcePolicies(type, props)),
  ],
};

const resourcePolicyNotPublic: Rule = {
  name: "resource-policy-not-public",
  description: "No resource policy (key, topic, queue, secret, role trust) allows everyone without a condition.",
  equivalents: ["CKV_AWS_33", "CKV_AWS_169", "CKV_AWS_60"],
  resourceTypes: [...RESOURCE_POLICY_TYPES, TYPES.role],
  check: (type, props) =>
    eachStatement(resourcePolicies(type, props), (s, where) => {
      if (!isAllow(s)) return undefined;
      if (s.NotPrincipal !== undefined) return `${where} allows with NotPrincipal (everyone but a few)`;
      const open = principalsOf(s).filter(isPublicPrincipal);
      if (open.length > 0 && !hasCondition(s)) return `${where} allows principal ${open[0]} without a condition`;
      return undefined;
    }),
};

const topicPolicyCrossAccountConditioned: Rule = {
  name: "topic-policy-cross-account-conditioned",
  description: "A topic policy grants other AWS principals only under a condition (protocol, endpoint, source).",
  equivalents: ["CKV_AWS_385"],
  resourceTypes: [TYPES.topic, TYPES.topicPolicy],
  check: (type, props) =>
    eachStatement(resourcePolicies(type, props), (s, where) => {
      if (!isAllow(s) || hasCondition(s)) return undefined;
      const accounts = principalsOf(s).filter((p) => accountOfPrincipal(p) !== undefined);
      return accounts.length > 0 ? `${where} allows ${accounts[0]} without a condition` : undefined;
    }),
};

const iamNoAdmin: Rule = {
  name: "iam-no-admin",
  description: 'No identity policy allows "*" on "*" (full administrator).',
  equivalents: ["CKV_AWS_62"],
  resourceTypes: [TYPES.role, TYPES.rolePolicy, TYPES.policy],
  check: (type, props) =>
    eachStatement(identityPolicies(type, props), (s, where) =>
      isAllow(s) && actionsOf(s).some(isEverything) && list(s.Resource).includes("*")
        ? `${where} allows every action on every resource`
        : undefined,
    ),
};

const iamNoWildcardAction: Rule = {
  name: "iam-no-wildcard-action",
  description: 'No identity policy allows Action "*" or uses NotAction in an Allow.',
  equivalents: ["CKV_AWS_63"],
  resourceTypes: [TYPES.role, TYPES.rolePolicy, TYPES.policy],
  check: (type, props) =>
    eachStatement(identityPolicies(type, props), (s, where) => {
      if (!isAllow(s)) return undefined;
      if (s.NotAction !== undefined) return `${where} allows with NotAction (every action but a few)`;
      return actionsOf(s).some(isEverything) ? `${where} allows Action "*"` : undefined;
    }),
};

const iamNoServiceWildcard: Rule = {
  name: "iam-no-service-wildcard",
  description: 'No identity policy allows a whole service ("kms:*", "rds:*"): every action is named.',
  equivalents: ["least privilege (stricter than CKV_AWS_63)"],
  resourceTypes: [TYPES.role, TYPES.rolePolicy, TYPES.policy],
  check: (type, props) =>
    eachStatement(identityPolicies(type, props), (s, where) => {
      const whole = isAllow(s) ? actionsOf(s).filter((a) => /^[a-z0-9-]+:\*$/i.test(a)) : [];
      return whole.length > 0 ? `${where} allows every action of a service: ${whole.join(", ")}` : undefined;
    }),
};

// Managed policies AWS maintains and widens over time; the program writes its own instead.
const BROAD_MANAGED_POLICY = /:policy\/(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess)$/;

const iamNoBroadManagedPolicies: Rule = {
  name: "iam-no-broad-managed-policies",
  description: "No role carries AdministratorAccess, PowerUserAccess or a *FullAccess managed policy.",
  equivalents: ["CKV2_AWS_56"],
  resourceTypes: [TYPES.role, TYPES.rolePolicyAttachment],
  check: (type, props) => {
    const arns = type === TYPES.role ? list(props.managedPolicyArns) : list(props.policyArn);
    return arns.filter((arn) => BROAD_MANAGED_POLICY.test(arn)).map((arn) => `broad managed policy ${arn}`);
  },
};

const kmsKeyRotation: Rule = {
  name: "kms-key-rotation",
  description: "Every symmetric customer-managed key rotates.",
  equivalents: ["CKV_AWS_7"],
  resourceTypes: [TYPES.kmsKey],
  check: (_type, props) => {
    const spec = (props.customerMasterKeySpec ?? props.keySpec ?? "SYMMETRIC_DEFAULT") as string;
    if (spec !== "SYMMETRIC_DEFAULT") return [];
    return props.enableKeyRotation === true ? [] : ["key rotation is not enabled"];
  },
};

/** A customer-managed key is named; AWS-managed aliases (alias/aws/...) are not ours to scope. */
function customerKeyViolation(what: string, keyId: unknown): string[] {
  if (typeof keyId !== "string" || keyId === "") return [`${what} is not encrypted with a customer-managed key`];
  if (keyId.startsWith("alias/aws/")) return [`${what} uses the AWS-managed key ${keyId}, not a customer-managed one`];
  return [];
}

const topicEncrypted: Rule = {
  name: "sns-topic-encrypted-cmk",
  description: "Every SNS topic is encrypted with a customer-managed KMS key.",
  equivalents: ["CKV_AWS_26", "AWS Config sns-encrypted-kms"],
  resourceTypes: [TYPES.topic],
  check: (_type, props) => customerKeyViolation("topic", props.kmsMasterKeyId),
};

const logGroupEncrypted: Rule = {
  name: "log-group-encrypted-cmk",
  description: "Every CloudWatch log group is encrypted with a customer-managed KMS key.",
  equivalents: ["CKV_AWS_158"],
  resourceTypes: [TYPES.logGroup],
  check: (_type, props) => customerKeyViolation("log group", props.kmsKeyId),
};

const secretEncrypted: Rule = {
  name: "secret-encrypted-cmk",
  description: "Every Secrets Manager secret is encrypted with a customer-managed KMS key.",
  equivalents: ["CKV_AWS_149"],
  resourceTypes: [TYPES.secret],
  check: (_type, props) => customerKeyViolation("secret", props.kmsKeyId),
};

const queueEncrypted: Rule = {
  name: "sqs-queue-encrypted",
  description: "Every SQS queue (the Lambdas' dead-letter queues) is encrypted at rest.",
  equivalents: ["CKV_AWS_27"],
  resourceTypes: [TYPES.queue],
  check: (_type, props) =>
    props.sqsManagedSseEnabled === true || (typeof props.kmsMasterKeyId === "string" && props.kmsMasterKeyId !== "")
      ? []
      : ["queue is not encrypted at rest"],
};

const lambdaDeadLetterQueue: Rule = {
  name: "lambda-dead-letter-queue",
  description: "Every Lambda function has a dead-letter queue for failed asynchronous invocations.",
  equivalents: ["CKV_AWS_116"],
  resourceTypes: [TYPES.lambda],
  check: (_type, props) => {
    const target = (props.deadLetterConfig as { targetArn?: unknown } | undefined)?.targetArn;
    return typeof target === "string" && target !== "" ? [] : ["function has no dead-letter queue"];
  },
};

const lambdaReservedConcurrency: Rule = {
  name: "lambda-reserved-concurrency",
  // Unset is allowed: Lambda keeps 100 executions of the account unreserved, so a reservation fails in an
  // account with a small quota; the program reserves only where correctness needs it. 0 would stop the function.
  description: "A Lambda function's reserved concurrency, when set, is positive (0 or less stops or breaks it).",
  equivalents: ["CKV_AWS_115"],
  resourceTypes: [TYPES.lambda],
  check: (_type, props) => {
    const reserved = props.reservedConcurrentExecutions;
    return reserved === undefined || (typeof reserved === "number" && reserved > 0)
      ? []
      : [`reserved concurrency is ${reserved}`];
  },
};

// Names that hold a credential (not a name or ARN of one: "secretName", "secretArn" are fine).
const SECRET_NAME = /(password|passwd|pwd|secret|token|api_?key|access_?key|private_?key|credentials?)$/i;
const SECRET_VALUE = [/\bA(KIA|SIA)[0-9A-Z]{16}\b/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/];

/** Paths of secret-looking names or values in a value, descending into JSON strings (the runtime config). */
function secretsIn(path: string, value: unknown): string[] {
  if (typeof value === "string") {
    if (SECRET_VALUE.some((re) => re.test(value))) return [`${path} holds a credential`];
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        return secretsIn(path, JSON.parse(trimmed));
      } catch {
        return [];
      }
    }
    return [];
  }
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = `${path}.${key}`;
    const named = !Array.isArray(value) && SECRET_NAME.test(key) ? [`${here} is named like a secret`] : [];
    return [...named, ...secretsIn(here, inner)];
  });
}

const lambdaNoSecretsInEnvironment: Rule = {
  name: "lambda-no-secrets-in-environment",
  description:
    "No Lambda environment variable (nor field of a JSON one) holds a secret: secrets stay in Secrets Manager.",
  equivalents: ["CKV_AWS_45"],
  resourceTypes: [TYPES.lambda],
  check: (_type, props) => {
    const variables = (props.environment as { variables?: Record<string, unknown> } | undefined)?.variables;
    return variables ? secretsIn("environment", variables) : [];
  },
};

const lambdaPermissionNotPublic: Rule = {
  name: "lambda-permission-not-public",
  description: "No Lambda permission lets everyone invoke a function.",
  equivalents: ["AWS Config lambda-function-public-access-prohibited", "CKV_AWS_301"],
  resourceTypes: [TYPES.lambdaPermission],
  check: (_type, props) => {
    const principal = String(props.principal ?? "");
    if (principal.includes("*")) return [`principal ${principal} is public`];
    return props.functionUrlAuthType === "NONE" ? ["function URL without authentication"] : [];
  },
};

const lambdaPermissionServiceScoped: Rule = {
  name: "lambda-permission-service-scoped",
  description:
    "A Lambda permission for an AWS service names the source (an SNS topic by ARN), so no other account's resource can invoke.",
  equivalents: ["CKV_AWS_364"],
  resourceTypes: [TYPES.lambdaPermission],
  check: (_type, props) => {
    const principal = String(props.principal ?? "");
    if (!principal.endsWith(".amazonaws.com")) return [];
    const arn = typeof props.sourceArn === "string" && props.sourceArn !== "";
    const account = typeof props.sourceAccount === "string" && props.sourceAccount !== "";
    // SNS topics of other accounts are the point of this permission: only the topic ARN pins the source.
    if (principal === "sns.amazonaws.com") return arn ? [] : ["SNS permission without sourceArn"];
    return arn || account ? [] : [`${principal} permission without sourceArn or sourceAccount`];
  },
};

const stateMachineTracing: Rule = {
  name: "state-machine-tracing",
  description: "Every state machine has X-Ray tracing enabled.",
  equivalents: ["CKV_AWS_284"],
  resourceTypes: [TYPES.stateMachine],
  check: (_type, props) =>
    (props.tracingConfiguration as { enabled?: unknown } | undefined)?.enabled === true
      ? []
      : ["X-Ray tracing is not enabled"],
};

const stateMachineLogging: Rule = {
  name: "state-machine-logging",
  description: "Every state machine logs its executions (at least errors) to a log group.",
  equivalents: ["CKV_AWS_285"],
  resourceTypes: [TYPES.stateMachine],
  check: (_type, props) => {
    const logging = props.loggingConfiguration as { level?: unknown; logDestination?: unknown } | undefined;
    const level = logging?.level;
    const logs = typeof logging?.logDestination === "string" && logging.logDestination !== "";
    return logs && (level === "ALL" || level === "ERROR" || level === "FATAL")
      ? []
      : [`execution logging is ${level ?? "off"}${logs ? "" : " with no log group"}`];
  },
};

// The program itself never declares snapshots (the engine makes them at run time, proven by the emulator and
// simulation tests), but the pack also guards any stack it is run against.
const rdsSnapshotEncrypted: Rule = {
  name: "rds-snapshot-copy-encrypted",
  description: "A snapshot copy declared in the stack is encrypted with a customer-managed KMS key.",
  equivalents: ["AWS Config rds-snapshot-encrypted"],
  resourceTypes: [TYPES.rdsSnapshotCopy],
  check: (_type, props) => customerKeyViolation("snapshot copy", props.kmsKeyId),
};

const rdsSnapshotNotPublic: Rule = {
  name: "rds-snapshot-not-public",
  description: 'No snapshot declared in the stack is shared with "all".',
  equivalents: ["AWS Config rds-snapshots-public-prohibited"],
  resourceTypes: [TYPES.rdsSnapshot, TYPES.rdsSnapshotCopy, TYPES.rdsClusterSnapshot],
  check: (_type, props) =>
    list(props.sharedAccounts).some((a) => a.toLowerCase() === "all") ? ["snapshot is shared publicly"] : [],
};

export const rules: readonly Rule[] = [
  policyGrammarByType,
  resourcePolicyNotPublic,
  topicPolicyCrossAccountConditioned,
  iamNoAdmin,
  iamNoWildcardAction,
  iamNoServiceWildcard,
  iamNoBroadManagedPolicies,
  kmsKeyRotation,
  topicEncrypted,
  logGroupEncrypted,
  secretEncrypted,
  queueEncrypted,
  lambdaDeadLetterQueue,
  lambdaReservedConcurrency,
  lambdaNoSecretsInEnvironment,
  lambdaPermissionNotPublic,
  lambdaPermissionServiceScoped,
  stateMachineTracing,
  stateMachineLogging,
  rdsSnapshotEncrypted,
  rdsSnapshotNotPublic,
];

export interface Violation {
  readonly rule: string;
  readonly message: string;
}

/** Every violation of every rule by one resource. */
export function violationsOf(type: string, props: Props): Violation[] {
  return rules
    .filter((rule) => rule.resourceTypes.includes(type))
    .flatMap((rule) => rule.check(type, props).map((message) => ({ rule: rule.name, message })));
}

function toPolicy(rule: Rule): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: `${rule.description} (${rule.equivalents.join(", ")})`,
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (!rule.resourceTypes.includes(args.type)) return;
      for (const message of rule.check(args.type, args.props)) reportViolation(message);
    },
  };
}

/** The rules as Pulumi policies, for the policy pack. */
export const policies: ResourceValidationPolicy[] = rules.map(toPolicy);
