// The API requests behind each emitted resource: for every Pulumi resource type the program declares, the
// operations the AWS provider calls to create and configure it, and which input becomes which request member.
// `apiViolations` turns a stack evaluated under mocks (testkit/pulumiMocks.ts) into those requests and
// validates each against AWS's API model (testkit/aws-rules/apiModels.ts). An input the table does not map is
// itself a violation, so a new input or resource type cannot slip past unchecked.
//
// Physical names: the mocks answer with the logical name, AWS sees what the provider generates.
// - no name given ("pulumi" auto-naming): logical name + "-" + 7 random hex characters;
// - a `namePrefix` (the Terraform provider underneath): prefix + 26 characters (timestamp and counter);
// - neither, on members the Terraform provider fills ("terraform"): "terraform-" + 26 characters.
// A member that refers to another resource by its logical name or mocked id gets that resource's physical name;
// ARNs keep the mocked names (their length limits are far from reach, their patterns hold either way).

import type { RecordedResource, StackEvaluation } from "../pulumiMocks";
import { loadModel, operationInput, type ServiceModel, type Violation, validateRequest } from "./apiModels";

export const PULUMI_SUFFIX = "-0a1b2c3";
export const PREFIX_SUFFIX = "20261130024500000000000001";
export const TERRAFORM_UNIQUE_ID = `terraform-${PREFIX_SUFFIX}`;

export interface RequestContext {
  readonly resource: RecordedResource;
  readonly physicalName: string | undefined;
  /** The physical name behind a logical name or mocked id; other values unchanged. */
  ref(value: unknown): unknown;
}

type Source =
  | string
  | {
      readonly input: string;
      readonly as: (value: unknown, ctx: RequestContext) => unknown;
      /** What the provider sends when the input is absent. */
      readonly orElse?: unknown;
    }
  | { readonly physicalName: true }
  | { readonly state: string }
  | { readonly constant: unknown };

export interface ResourceApi {
  readonly service: string;
  /** How the resource's name is generated when the program gives none (see the header). */
  readonly naming?: { readonly auto: "pulumi" | "terraform"; readonly lowercase?: boolean };
  /** Request members per operation, in call order; the first is always called, the others when an input feeds them. */
  readonly operations: Record<string, Record<string, Source>>;
  /** Operations the provider calls only when an input says so (otherwise: when any input feeds them). */
  readonly calledWhen?: Record<string, { readonly input: string; readonly test: (value: unknown) => boolean }>;
  /** Inputs no request member carries, with the reason. */
  readonly notApi?: Record<string, string>;
}

const NAME: Source = { physicalName: true };
const ref = (input: string): Source => ({ input, as: (v, ctx) => ctx.ref(v) });
const str = (input: string): Source => ({ input, as: (v) => String(v) });
const tagList = (input: string, key = "Key", value = "Value"): Source => ({
  input,
  as: (tags) => Object.entries(tags as Record<string, string>).map(([k, v]) => ({ [key]: k, [value]: v })),
});
const CODE = { constant: "<zip archive>" } as const;
/** Inputs that steer the provider, not the request. */
const PROVIDER_ONLY: Record<string, string> = {
  name: "becomes the physical name member",
  namePrefix: "becomes the physical name member",
  region: "selects the regional endpoint",
  tagsAll: "computed by the provider",
  skipDestroy: "provider behaviour on delete",
};

export const RESOURCE_APIS: Record<string, ResourceApi> = {
  "aws:lambda/function:Function": {
    service: "lambda",
    naming: { auto: "pulumi" },
    operations: {
      CreateFunction: {
        FunctionName: NAME,
        Role: "role",
        Runtime: "runtime",
        Handler: "handler",
        Description: "description",
        Timeout: "timeout",
        MemorySize: "memorySize",
        "Code.ZipFile": CODE,
        "Environment.Variables": "environment.variables",
        "DeadLetterConfig.TargetArn": "deadLetterConfig.targetArn",
        "TracingConfig.Mode": "tracingConfig.mode",
        Layers: "layers",
        "LoggingConfig.LogFormat": "loggingConfig.logFormat",
        "LoggingConfig.LogGroup": ref("loggingConfig.logGroup"),
        "LoggingConfig.ApplicationLogLevel": "loggingConfig.applicationLogLevel",
        "LoggingConfig.SystemLogLevel": "loggingConfig.systemLogLevel",
        "VpcConfig.SubnetIds": "vpcConfig.subnetIds",
        "VpcConfig.SecurityGroupIds": "vpcConfig.securityGroupIds",
        KMSKeyArn: "kmsKeyArn",
        Architectures: "architectures",
        Tags: "tags",
      },
      PutFunctionConcurrency: { FunctionName: NAME, ReservedConcurrentExecutions: "reservedConcurrentExecutions" },
    },
    // The provider's -1 means "no reservation": no call.
    calledWhen: {
      PutFunctionConcurrency: { input: "reservedConcurrentExecutions", test: (v) => typeof v === "number" && v >= 0 },
    },
    notApi: { code: "uploaded as Code.ZipFile (archive sizes: the bench's archive figure)" },
  },
  "aws:lambda/layerVersion:LayerVersion": {
    service: "lambda",
    operations: {
      PublishLayerVersion: {
        LayerName: "layerName",
        Description: "description",
        "Content.ZipFile": CODE,
        CompatibleRuntimes: "compatibleRuntimes",
        CompatibleArchitectures: "compatibleArchitectures",
        LicenseInfo: "licenseInfo",
      },
    },
    notApi: { code: "uploaded as Content.ZipFile" },
  },
  "aws:lambda/permission:Permission": {
    service: "lambda",
    operations: {
      AddPermission: {
        FunctionName: ref("function"),
        StatementId: { input: "statementId", as: (v) => v, orElse: TERRAFORM_UNIQUE_ID },
        Action: "action",
        Principal: "principal",
        SourceArn: "sourceArn",
        SourceAccount: "sourceAccount",
        PrincipalOrgID: "principalOrgId",
        Qualifier: "qualifier",
      },
    },
    notApi: { statementIdPrefix: "becomes StatementId" },
  },
  "aws:iam/role:Role": {
    service: "iam",
    naming: { auto: "pulumi" },
    operations: {
      CreateRole: {
        RoleName: NAME,
        AssumeRolePolicyDocument: "assumeRolePolicy",
        Description: "description",
        Path: "path",
        MaxSessionDuration: "maxSessionDuration",
        PermissionsBoundary: "permissionsBoundary",
        Tags: tagList("tags"),
      },
    },
  },
  "aws:iam/rolePolicy:RolePolicy": {
    service: "iam",
    naming: { auto: "pulumi" },
    operations: { PutRolePolicy: { RoleName: ref("role"), PolicyName: NAME, PolicyDocument: "policy" } },
  },
  "aws:iam/policy:Policy": {
    service: "iam",
    naming: { auto: "pulumi" },
    operations: {
      CreatePolicy: {
        PolicyName: NAME,
        PolicyDocument: "policy",
        Description: "description",
        Path: "path",
        Tags: tagList("tags"),
      },
    },
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    service: "iam",
    operations: { AttachRolePolicy: { RoleName: ref("role"), PolicyArn: "policyArn" } },
  },
  "aws:kms/key:Key": {
    service: "kms",
    operations: {
      CreateKey: {
        Description: "description",
        Policy: "policy",
        KeyUsage: "keyUsage",
        KeySpec: "customerMasterKeySpec",
        MultiRegion: "multiRegion",
        BypassPolicyLockoutSafetyCheck: "bypassPolicyLockoutSafetyCheck",
        Tags: tagList("tags", "TagKey", "TagValue"),
      },
      EnableKeyRotation: { KeyId: { state: "keyId" } },
      // Called when the key is destroyed: the window is validated now, refused later.
      ScheduleKeyDeletion: { KeyId: { state: "keyId" }, PendingWindowInDays: "deletionWindowInDays" },
    },
    calledWhen: { EnableKeyRotation: { input: "enableKeyRotation", test: (v) => v === true } },
  },
  "aws:dynamodb/table:Table": {
    service: "dynamodb",
    naming: { auto: "pulumi" },
    operations: {
      CreateTable: {
        TableName: NAME,
        BillingMode: "billingMode",
        "KeySchema.0": { input: "hashKey", as: (v) => ({ AttributeName: v, KeyType: "HASH" }) },
        "KeySchema.1": { input: "rangeKey", as: (v) => ({ AttributeName: v, KeyType: "RANGE" }) },
        AttributeDefinitions: {
          input: "attributes",
          as: (list) =>
            (list as { name: string; type: string }[]).map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        },
        Tags: tagList("tags"),
      },
      UpdateTimeToLive: {
        TableName: NAME,
        "TimeToLiveSpecification.AttributeName": "ttl.attributeName",
        "TimeToLiveSpecification.Enabled": "ttl.enabled",
      },
    },
  },
  "aws:sns/topic:Topic": {
    service: "sns",
    naming: { auto: "pulumi" },
    operations: {
      CreateTopic: {
        Name: NAME,
        "Attributes.KmsMasterKeyId": "kmsMasterKeyId",
        "Attributes.DisplayName": "displayName",
        "Attributes.Policy": "policy",
        Tags: tagList("tags"),
      },
    },
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    service: "sns",
    operations: {
      SetTopicAttributes: { TopicArn: "arn", AttributeName: { constant: "Policy" }, AttributeValue: "policy" },
    },
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    service: "sns",
    operations: {
      Subscribe: {
        TopicArn: "topic",
        Protocol: "protocol",
        Endpoint: "endpoint",
        "Attributes.FilterPolicy": "filterPolicy",
        "Attributes.FilterPolicyScope": "filterPolicyScope",
        "Attributes.RawMessageDelivery": str("rawMessageDelivery"),
        "Attributes.RedrivePolicy": "redrivePolicy",
      },
    },
  },
  "aws:sqs/queue:Queue": {
    service: "sqs",
    naming: { auto: "pulumi" },
    operations: {
      CreateQueue: {
        QueueName: NAME,
        "Attributes.KmsMasterKeyId": "kmsMasterKeyId",
        "Attributes.MessageRetentionPeriod": str("messageRetentionSeconds"),
        "Attributes.VisibilityTimeout": str("visibilityTimeoutSeconds"),
        "Attributes.DelaySeconds": str("delaySeconds"),
        "Attributes.MaximumMessageSize": str("maxMessageSize"),
        "Attributes.ReceiveMessageWaitTimeSeconds": str("receiveWaitTimeSeconds"),
        "Attributes.RedrivePolicy": "redrivePolicy",
        "Attributes.SqsManagedSseEnabled": str("sqsManagedSseEnabled"),
        tags: "tags",
      },
    },
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    service: "logs",
    naming: { auto: "pulumi" },
    operations: {
      CreateLogGroup: { logGroupName: NAME, kmsKeyId: "kmsKeyId", tags: "tags" },
      PutRetentionPolicy: { logGroupName: NAME, retentionInDays: "retentionInDays" },
    },
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    service: "cloudwatch",
    naming: { auto: "pulumi" },
    operations: {
      PutMetricAlarm: {
        AlarmName: NAME,
        AlarmDescription: "alarmDescription",
        ActionsEnabled: "actionsEnabled",
        OKActions: "okActions",
        AlarmActions: "alarmActions",
        InsufficientDataActions: "insufficientDataActions",
        MetricName: "metricName",
        Namespace: "namespace",
        Statistic: "statistic",
        ExtendedStatistic: "extendedStatistic",
        Dimensions: {
          input: "dimensions",
          as: (d, ctx) => Object.entries(d as Record<string, string>).map(([Name, v]) => ({ Name, Value: ctx.ref(v) })),
        },
        Period: "period",
        Unit: "unit",
        EvaluationPeriods: "evaluationPeriods",
        DatapointsToAlarm: "datapointsToAlarm",
        Threshold: "threshold",
        ComparisonOperator: "comparisonOperator",
        TreatMissingData: "treatMissingData",
        Tags: tagList("tags"),
      },
    },
  },
  "aws:cloudwatch/dashboard:Dashboard": {
    service: "cloudwatch",
    operations: { PutDashboard: { DashboardName: "dashboardName", DashboardBody: "dashboardBody" } },
  },
  "aws:cloudwatch/eventRule:EventRule": {
    service: "events",
    naming: { auto: "pulumi" },
    operations: {
      PutRule: {
        Name: NAME,
        ScheduleExpression: "scheduleExpression",
        EventPattern: "eventPattern",
        State: "state",
        Description: "description",
        RoleArn: "roleArn",
        EventBusName: "eventBusName",
        Tags: tagList("tags"),
      },
    },
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    service: "events",
    naming: { auto: "terraform" },
    operations: {
      PutTargets: {
        Rule: ref("rule"),
        EventBusName: "eventBusName",
        "Targets.0.Id": { input: "targetId", as: (v) => v, orElse: TERRAFORM_UNIQUE_ID },
        "Targets.0.Arn": "arn",
        "Targets.0.RoleArn": "roleArn",
        "Targets.0.Input": "input",
        "Targets.0.InputPath": "inputPath",
        "Targets.0.DeadLetterConfig.Arn": "deadLetterConfig.arn",
        "Targets.0.RetryPolicy.MaximumRetryAttempts": "retryPolicy.maximumRetryAttempts",
        "Targets.0.RetryPolicy.MaximumEventAgeInSeconds": "retryPolicy.maximumEventAgeInSeconds",
      },
    },
  },
  "aws:sfn/stateMachine:StateMachine": {
    service: "stepfunctions",
    naming: { auto: "pulumi" },
    operations: {
      CreateStateMachine: {
        name: NAME,
        definition: "definition",
        roleArn: "roleArn",
        type: "type",
        "loggingConfiguration.level": "loggingConfiguration.level",
        "loggingConfiguration.includeExecutionData": "loggingConfiguration.includeExecutionData",
        "loggingConfiguration.destinations.0.cloudWatchLogsLogGroup.logGroupArn": "loggingConfiguration.logDestination",
        "tracingConfiguration.enabled": "tracingConfiguration.enabled",
        tags: tagList("tags", "key", "value"),
      },
    },
  },
  "aws:secretsmanager/secret:Secret": {
    service: "secretsmanager",
    naming: { auto: "pulumi" },
    operations: {
      CreateSecret: { Name: NAME, Description: "description", KmsKeyId: "kmsKeyId", Tags: tagList("tags") },
    },
  },
  "aws:secretsmanager/secretVersion:SecretVersion": {
    service: "secretsmanager",
    operations: {
      PutSecretValue: { SecretId: "secretId", SecretString: "secretString", VersionStages: "versionStages" },
    },
  },
  "aws:ssm/parameter:Parameter": {
    service: "ssm",
    naming: { auto: "pulumi" },
    operations: {
      PutParameter: {
        Name: NAME,
        // The program stores its runtime config (no secret) as `insecureValue`, which the provider sends as Value.
        Value: "insecureValue",
        Type: "type",
        Description: "description",
        Tier: "tier",
        KeyId: "keyId",
        AllowedPattern: "allowedPattern",
        DataType: "dataType",
        Overwrite: "overwrite",
        Tags: tagList("tags"),
      },
    },
    notApi: { value: "the secret form of insecureValue, sent as Value too; the program does not use it" },
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    service: "rds",
    naming: { auto: "pulumi", lowercase: true },
    operations: {
      CreateDBSubnetGroup: {
        DBSubnetGroupName: NAME,
        DBSubnetGroupDescription: { input: "description", as: (v) => v, orElse: "Managed by Pulumi" },
        SubnetIds: "subnetIds",
        Tags: tagList("tags"),
      },
    },
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    service: "ec2",
    naming: { auto: "pulumi" },
    operations: {
      CreateSecurityGroup: {
        GroupName: NAME,
        Description: { input: "description", as: (v) => v, orElse: "Managed by Pulumi" },
        VpcId: "vpcId",
      },
      AuthorizeSecurityGroupIngress: {
        GroupId: { state: "id" },
        IpPermissions: { input: "ingress", as: ipPermissions },
      },
      AuthorizeSecurityGroupEgress: { GroupId: { state: "id" }, IpPermissions: { input: "egress", as: ipPermissions } },
    },
  },
  // A component of the awsx provider: its children are not visible under mocks; the CIDR goes to CreateVpc.
  "awsx:ec2:Vpc": {
    service: "ec2",
    operations: { CreateVpc: { CidrBlock: "cidrBlock" } },
    notApi: {
      availabilityZoneNames: "subnets per zone, created by awsx",
      enableDnsHostnames: "ModifyVpcAttribute, a boolean",
      natGateways: "awsx layout option",
      subnetSpecs: "awsx layout option",
      tags: "TagSpecifications of each child",
    },
  },
};

/** Resource types that are not AWS API resources. */
export const NOT_AWS_RESOURCES = /^(pulumi:providers:|rds-replication:index:)/;

interface IpRule {
  protocol: string;
  fromPort: number;
  toPort: number;
  self?: boolean;
  description?: string;
  cidrBlocks?: string[];
  securityGroups?: string[];
}

function ipPermissions(rules: unknown, ctx: RequestContext): unknown {
  const list = rules as IpRule[];
  if (list.length === 0) return undefined;
  const groupId = String(ctx.resource.state.id ?? "sg-0123456789abcdef0");
  return list.map((r) => ({
    IpProtocol: r.protocol,
    FromPort: r.fromPort,
    ToPort: r.toPort,
    IpRanges: r.cidrBlocks?.map((CidrIp) => ({ CidrIp, Description: r.description })),
    UserIdGroupPairs: [...(r.self ? [groupId] : []), ...(r.securityGroups ?? [])].map((GroupId) => ({
      GroupId,
      Description: r.description,
    })),
  }));
}

export interface ApiRequest {
  readonly resource: string;
  readonly type: string;
  readonly service: string;
  readonly operation: string;
  readonly params: Record<string, unknown>;
}

/** The physical name AWS would see (see the header), or undefined for types without a name member. */
export function physicalName(resource: RecordedResource, api: ResourceApi): string | undefined {
  const { name, namePrefix } = resource.inputs as { name?: string; namePrefix?: string };
  if (typeof name === "string") return name;
  if (typeof namePrefix === "string") return namePrefix + PREFIX_SUFFIX;
  if (api.naming?.auto !== "pulumi") return undefined;
  const generated = resource.name + PULUMI_SUFFIX;
  return api.naming.lowercase ? generated.toLowerCase() : generated;
}

// Pulumi's secret wrapper as the mocks see it.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const unwrap = (v: unknown): unknown =>
  v && typeof v === "object" && SECRET_SIG in v ? (v as unknown as { value: unknown }).value : v;

function inputAt(inputs: Record<string, unknown>, dotted: string): unknown {
  let v: unknown = inputs;
  for (const key of dotted.split(".")) {
    v = unwrap(v);
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return unwrap(v);
}

function setAt(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let node: Record<string, unknown> = target;
  keys.slice(0, -1).forEach((key, i) => {
    node[key] ??= /^\d+$/.test(keys[i + 1]) ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
  node[keys.at(-1)!] = value;
}

const inputOf = (source: Source) =>
  typeof source === "string" ? source : "input" in source ? source.input : undefined;

/** The requests the provider would send for one resource. */
export function requestsOf(
  resource: RecordedResource,
  api: ResourceApi,
  names: ReadonlyMap<string, string>,
): ApiRequest[] {
  const ctx: RequestContext = {
    resource,
    physicalName: physicalName(resource, api),
    ref: (v) => (typeof v === "string" ? (names.get(v) ?? v) : v),
  };
  const requests: ApiRequest[] = [];
  Object.entries(api.operations).forEach(([operation, members], index) => {
    const params: Record<string, unknown> = {};
    let fed = false;
    for (const [member, source] of Object.entries(members)) {
      const value = resolve(source, resource, ctx);
      const input = inputOf(source);
      if (input !== undefined && inputAt(resource.inputs, input) !== undefined && value !== undefined) fed = true;
      if (value !== undefined) setAt(params, member, value);
    }
    const condition = api.calledWhen?.[operation];
    const called = condition ? condition.test(inputAt(resource.inputs, condition.input)) : index === 0 || fed;
    if (called)
      requests.push({ resource: resource.name, type: resource.type, service: api.service, operation, params });
  });
  return requests;
}

function resolve(source: Source, resource: RecordedResource, ctx: RequestContext): unknown {
  if (typeof source === "string") return inputAt(resource.inputs, source);
  if ("physicalName" in source) return ctx.physicalName;
  if ("state" in source) return resource.state[source.state];
  if ("constant" in source) return source.constant;
  const raw = inputAt(resource.inputs, source.input);
  return raw === undefined ? source.orElse : source.as(raw, ctx);
}

/** Input leaf paths (maps, lists and archives are leaves) that no mapping source or exemption covers. */
export function unmappedInputs(resource: RecordedResource, api: ResourceApi): string[] {
  const sources = [
    ...Object.values(api.operations).flatMap((members) => Object.values(members).map(inputOf)),
    ...Object.values(api.calledWhen ?? {}).map((c) => c.input),
  ].filter((s): s is string => s !== undefined);
  const exempt = { ...PROVIDER_ONLY, ...api.notApi };
  const covered = (leaf: string) =>
    sources.some((s) => leaf === s || leaf.startsWith(`${s}.`) || s.startsWith(`${leaf}.`)) ||
    leaf.split(".")[0] in exempt;
  return leafPaths(resource.inputs, "").filter((leaf) => !covered(leaf));
}

function leafPaths(value: unknown, at: string): string[] {
  const v = unwrap(value);
  if (v && typeof v === "object" && !Array.isArray(v) && at.split(".").length < 2 && !("__pulumiArchive" in v))
    return Object.entries(v).flatMap(([k, child]) =>
      child === undefined ? [] : leafPaths(child, at ? `${at}.${k}` : k),
    );
  return [at];
}

/** Logical names and mocked ids of every named resource, to their physical names. */
export function physicalNames(resources: readonly RecordedResource[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of resources) {
    const api = RESOURCE_APIS[r.type];
    const name = api && physicalName(r, api);
    if (!name) continue;
    names.set(r.name, name);
    names.set(`${r.name}-id`, name);
  }
  return names;
}

export interface ApiCheck {
  readonly requests: readonly ApiRequest[];
  /** Logical names and mocked ids to physical names. */
  readonly names: ReadonlyMap<string, string>;
  readonly violations: readonly Violation[];
  /** Resources checked (every AWS resource of the evaluation). */
  readonly resources: number;
}

/** Every emitted resource's requests, validated against the API models. */
export function apiViolations(stack: Pick<StackEvaluation, "resources">): ApiCheck {
  const names = physicalNames(stack.resources);
  const requests: ApiRequest[] = [];
  const violations: Violation[] = [];
  let resources = 0;
  for (const r of stack.resources) {
    if (NOT_AWS_RESOURCES.test(r.type)) continue;
    resources++;
    const api = RESOURCE_APIS[r.type];
    if (!api) {
      violations.push({ operation: "(none)", member: r.name, message: `no API mapping for resource type ${r.type}` });
      continue;
    }
    for (const leaf of unmappedInputs(r, api))
      violations.push({
        operation: r.type,
        member: `${r.name}.${leaf}`,
        message: "input has no request member in the mapping",
      });
    for (const request of requestsOf(r, api, names)) {
      requests.push(request);
      const model = loadModel(api.service);
      for (const v of validateRequest(model, api.service, request.operation, request.params))
        violations.push({ ...v, member: `${r.name}: ${v.member}` });
    }
  }
  return { requests, names, violations, resources };
}

/** Operations the mapping uses, with the number of input members their models constrain. */
export function checkedOperations(): { operation: string; members: number }[] {
  const seen = new Map<string, number>();
  for (const api of Object.values(RESOURCE_APIS)) {
    const model: ServiceModel = loadModel(api.service);
    for (const operation of Object.keys(api.operations))
      seen.set(`${api.service}:${operation}`, Object.keys(operationInput(model, operation).members ?? {}).length);
  }
  return [...seen].map(([operation, members]) => ({ operation, members }));
}
