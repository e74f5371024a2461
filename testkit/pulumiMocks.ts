// Evaluates the Pulumi program under `pulumi.runtime.setMocks` from a stack config and records every
// resource the engine would have seen: type, name, inputs, parent, provider (and its region). Mocked
// outputs carry realistic ARNs for the account and region of each resource, so policy documents built from
// them can be simulated. Reused by the program unit tests and the security tests.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

export const PROJECT_DIR = path.resolve(__dirname, "..");
export const SOURCE_ACCOUNT = "111111111111";
export const DEST_ACCOUNT = "222222222222";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** The state the mock answered with (inputs plus computed ARNs/ids). */
  readonly state: Record<string, unknown>;
  readonly custom: boolean;
  /** Name of the parent resource (undefined for top-level resources). */
  readonly parent?: string;
  /** Name of the explicit provider, undefined for the default provider. */
  readonly provider?: string;
  /** The region the resource would be created in (its provider's). */
  readonly region: string;
  readonly account: string;
  /** Resource options that outlive a mistake: kept in the account on delete, or refused deletion. */
  readonly retainOnDelete?: boolean;
  readonly protect?: boolean;
}

export interface StackEvaluation {
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
  /** The one resource with this name (throws when absent or ambiguous). */
  named(name: string): RecordedResource;
  ofType(type: string): RecordedResource[];
}

export interface EvaluateOptions {
  /** Stack config as in a Pulumi.<stack>.yaml `config:` map (values typed as YAML gives them). */
  readonly config: Record<string, unknown>;
  readonly stack?: string;
  /** The account the stack's credentials act in. */
  readonly account?: string;
  /** Outputs of other stacks, by fully qualified name, as a StackReference would see them. */
  readonly stackOutputs?: Record<string, Record<string, unknown>>;
  /** Secrets that already exist in the account (Secrets Manager lookups by name answer with these). */
  readonly existingSecrets?: readonly { name: string; arn: string; tags: Record<string, string> }[];
  /**
   * The KMS key RDS reports for each existing DB instance or cluster (rds.getInstance / getCluster); a
   * database not listed is encrypted under `sourceDatabaseKey(account, region, id)`, "" is unencrypted.
   */
  readonly databaseKeys?: Readonly<Record<string, string>>;
  /** The program to run; defaults to the project's (index.ts). */
  readonly program?: () => Promise<Record<string, unknown>>;
}

/** The key the mocks report for an existing source database that `databaseKeys` does not name. */
export const sourceDatabaseKey = (account: string, region: string, id: string): string =>
  `arn:aws:kms:${region}:${account}:key/${id}-key`;

/** The `config:` map of a stack file of the project, e.g. "source" for Pulumi.source.yaml. */
export function stackFileConfig(stack: string): Record<string, unknown> {
  const text = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
  return (parse(text) as { config: Record<string, unknown> }).config;
}

// Pulumi hands config to the program as strings: structured values JSON-encoded.
function asPulumiConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

const SERVICE_OF: Record<string, string> = {
  kms: "kms",
  sns: "sns",
  sqs: "sqs",
  iam: "iam",
  lambda: "lambda",
  sfn: "states",
  cloudwatch: "logs",
  secretsmanager: "secretsmanager",
  rds: "rds",
  ec2: "ec2",
};

/** A realistic ARN for a mocked resource, per type. */
function mockArn(type: string, name: string, region: string, account: string): string | undefined {
  const [, module] = /^aws:([a-z0-9]+)\//.exec(type) ?? [];
  if (!module) return undefined;
  switch (type) {
    case "aws:kms/key:Key":
      return `arn:aws:kms:${region}:${account}:key/${name}-id`;
    case "aws:iam/role:Role":
      return `arn:aws:iam::${account}:role/${name}`;
    case "aws:lambda/function:Function":
      return `arn:aws:lambda:${region}:${account}:function:${name}`;
    case "aws:lambda/layerVersion:LayerVersion":
      return `arn:aws:lambda:${region}:${account}:layer:${name}:1`;
    case "aws:sfn/stateMachine:StateMachine":
      return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
    case "aws:cloudwatch/logGroup:LogGroup":
      return `arn:aws:logs:${region}:${account}:log-group:${name}`;
    case "aws:cloudwatch/eventRule:EventRule":
      return `arn:aws:events:${region}:${account}:rule/${name}`;
    case "aws:secretsmanager/secret:Secret":
      return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
    case "aws:rds/subnetGroup:SubnetGroup":
      return `arn:aws:rds:${region}:${account}:subgrp:${name}`;
    case "aws:dynamodb/table:Table":
      return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
    default:
      return `arn:aws:${SERVICE_OF[module] ?? module}:${region}:${account}:${name}`;
  }
}

function computedState(type: string, name: string, inputs: Record<string, unknown>, region: string, account: string) {
  const arn = mockArn(type, name, region, account);
  // Auto-named resources get their logical name as physical name.
  const state: Record<string, unknown> = { ...inputs, ...(arn ? { arn, name: inputs.name ?? name } : {}) };
  switch (type) {
    case "aws:kms/key:Key":
      state.keyId = `${name}-id`;
      break;
    case "aws:ssm/parameter:Parameter":
      // A parameter's ARN holds its name without the leading slash.
      state.arn = `arn:aws:ssm:${region}:${account}:parameter/${String(inputs.name).replace(/^\//, "")}`;
      state.version = 1;
      break;
    case "aws:sqs/queue:Queue":
      state.url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      break;
    case "aws:lambda/layerVersion:LayerVersion":
      state.arn = mockArn(type, String(inputs.layerName ?? name), region, account);
      break;
    case "aws:ec2/securityGroup:SecurityGroup":
      state.id = `sg-0123456789abcdef0`;
      break;
    case "awsx:ec2:Vpc": {
      const zones = (inputs.availabilityZoneNames as string[] | undefined) ?? [];
      state.vpcId = "vpc-0123456789abcdef0";
      state.isolatedSubnetIds = zones.map((_, i) => `subnet-isolated${i}`);
      state.privateSubnetIds = [];
      state.publicSubnetIds = [];
      break;
    }
  }
  return state;
}

/** The provider name of a provider reference `urn:pulumi:stack::project::[parent$]pulumi:providers:aws::name::id`. */
function providerName(reference: string | undefined): string | undefined {
  const [, , type, name] = reference?.split("::") ?? [];
  return type?.endsWith("pulumi:providers:aws") ? name : undefined;
}

let evaluating = false;
let lastRecorded: readonly RecordedResource[] = [];

/** What the latest evaluation registered, also when it failed (e.g. to show a bad config created nothing). */
export const lastEvaluationResources = (): readonly RecordedResource[] => lastRecorded;

/** Runs the program for one stack config under mocks and returns every registered resource. */
export async function evaluateStack(options: EvaluateOptions): Promise<StackEvaluation> {
  if (evaluating) throw new Error("evaluateStack: one evaluation at a time (Pulumi mocks are process-global)");
  evaluating = true;
  try {
    return await evaluate(options);
  } finally {
    evaluating = false;
  }
}

async function evaluate(options: EvaluateOptions): Promise<StackEvaluation> {
  const account =
    options.account ?? (options.config["rds-replication:role"] === "dest" ? DEST_ACCOUNT : SOURCE_ACCOUNT);
  const defaultRegion = String(options.config["aws:region"] ?? "");
  const providerRegions = new Map<string, string>();
  const parents = new Map<string, string | undefined>();
  const lifecycles = new Map<string, { retainOnDelete: boolean; protect: boolean }>();
  const recorded: RecordedResource[] = [];
  lastRecorded = recorded;

  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const named = providerName(args.provider);
      const explicit = named && !named.startsWith("default") ? named : undefined;
      // @pulumi/aws v7: a resource's own `region` input wins over its provider's region.
      const own = typeof args.inputs.region === "string" ? args.inputs.region : undefined;
      const region = own || (explicit && providerRegions.get(explicit)) || defaultRegion;
      if (args.type === "pulumi:providers:aws")
        providerRegions.set(args.name, String(args.inputs.region ?? defaultRegion));
      if (args.type === "pulumi:pulumi:StackReference") {
        const stackName = String(args.inputs.name);
        const outputs = options.stackOutputs?.[stackName];
        if (!outputs) throw new Error(`no outputs mocked for stack reference ${stackName}`);
        return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
      }
      const state = computedState(args.type, args.name, args.inputs, region, account);
      recorded.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        state,
        custom: args.custom ?? false,
        parent: parents.get(`${args.type}::${args.name}`),
        provider: explicit,
        region,
        account,
        ...(lifecycles.get(`${args.type}::${args.name}`) ?? { retainOnDelete: false, protect: false }),
      });
      return { id: String(state.id ?? `${args.name}-id`), state };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: account, arn: `arn:aws:iam::${account}:role/deployer`, userId: "AROAEXAMPLE" };
        case "aws:index/getRegion:getRegion":
          return { name: defaultRegion, region: defaultRegion, id: defaultRegion };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:rds/getInstance:getInstance":
        case "aws:rds/getCluster:getCluster": {
          const id = String(args.inputs.dbInstanceIdentifier ?? args.inputs.clusterIdentifier);
          const kmsKeyId = options.databaseKeys?.[id] ?? sourceDatabaseKey(account, defaultRegion, id);
          return { id, kmsKeyId, storageEncrypted: kmsKeyId !== "" };
        }
        case "aws:secretsmanager/getSecrets:getSecrets": {
          const prefix = String(args.inputs.filters?.[0]?.values?.[0] ?? "");
          const found = (options.existingSecrets ?? []).filter((s) => s.name.startsWith(prefix));
          return { arns: found.map((s) => s.arn), names: found.map((s) => s.name), id: "secrets" };
        }
        case "aws:secretsmanager/getSecret:getSecret": {
          const secret = (options.existingSecrets ?? []).find((s) => s.arn === args.inputs.arn);
          if (!secret) throw new Error(`no secret ${args.inputs.arn}`);
          return { ...secret, id: secret.arn };
        }
        default:
          throw new Error(`unexpected call ${args.token}`);
      }
    },
  };

  await pulumi.runtime.setMocks(mocks, "rds-replication", options.stack ?? "test", false);
  pulumi.runtime.setAllConfig(asPulumiConfig(options.config));
  // The mock monitor sees each registration's parent URN and lifecycle options but does not pass them to newResource.
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: RegisterResource };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const parentUrn = req.getParent();
    parents.set(`${req.getType()}::${req.getName()}`, parentUrn ? parentUrn.split("::").pop() : undefined);
    lifecycles.set(`${req.getType()}::${req.getName()}`, {
      retainOnDelete: req.getRetainondelete(),
      protect: req.getProtect(),
    });
    return register(req, callback);
  };

  const program = options.program ?? (await import("../index")).default;
  const outputs = await resolveAll(await program());
  await settle();
  return {
    resources: recorded,
    outputs,
    named(name) {
      const found = recorded.filter((r) => r.name === name);
      if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
      return found[0];
    },
    ofType(type) {
      return recorded.filter((r) => r.type === type);
    },
  };
}

type RegisterResource = (
  req: {
    getType(): string;
    getName(): string;
    getParent(): string;
    getRetainondelete(): boolean;
    getProtect(): boolean;
  },
  callback: (err: unknown, response: unknown) => void,
) => Promise<void>;

function resolveAll(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve) => pulumi.output(outputs).apply((values) => resolve(values as Record<string, unknown>)));
}

// Registrations that no output depends on finish after the outputs resolve: wait until the RPC queue drains.
async function settle(): Promise<void> {
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}

/** Reads the text of one asset of a mocked archive input (e.g. a CallbackFunction's `code`). */
export async function archiveAssets(code: unknown): Promise<Record<string, unknown>> {
  return (await (code as { assets: Promise<Record<string, unknown>> }).assets) ?? {};
}
