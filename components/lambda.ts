// Step Lambdas as CallbackFunctions: the handler from functions/ is serialized by Pulumi, the AWS SDK comes
// from the Lambda runtime and zod + Powertools from one shared layer, so each archive is just the handler.
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Step } from "../functions/catalog";

export const PROJECT_ROOT = path.resolve(__dirname, "..");
export const LAMBDA_RUNTIME = "nodejs22.x";

/** Packages the handlers require at run time that the Lambda runtime does not provide. */
export const LAYER_ROOT_PACKAGES = [
  "zod",
  "@aws-lambda-powertools/commons",
  "@aws-lambda-powertools/logger",
  "@aws-lambda-powertools/metrics",
];

// The Node.js Lambda runtime ships AWS SDK v3: never bundle it.
const PROVIDED_BY_RUNTIME = (name: string) => name.startsWith("@aws-sdk/") || name.startsWith("@smithy/");

function readPackageJson(dir: string): { dependencies?: Record<string, string> } {
  return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
}

/** The packages of package.json `dependencies`: all excluded from function archives. */
export function dependencyNames(root = PROJECT_ROOT): string[] {
  return Object.keys(readPackageJson(root).dependencies ?? {}).sort();
}

/** The runtime dependency closure of the given packages (hoisted node_modules), without the AWS SDK. */
export function layerPackages(roots: readonly string[] = LAYER_ROOT_PACKAGES, root = PROJECT_ROOT): string[] {
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name) || PROVIDED_BY_RUNTIME(name)) return;
    found.add(name);
    for (const dep of Object.keys(readPackageJson(path.join(root, "node_modules", name)).dependencies ?? {}))
      visit(dep);
  };
  roots.forEach(visit);
  return [...found].sort();
}

/** The layer archive: Lambda puts /opt/nodejs/node_modules on the module path. */
export function layerArchive(root = PROJECT_ROOT): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive(
    Object.fromEntries(
      layerPackages(LAYER_ROOT_PACKAGES, root).map((name) => [
        `nodejs/node_modules/${name}`,
        new pulumi.asset.FileArchive(path.join(root, "node_modules", name)),
      ]),
    ),
  );
}

export function sharedLayer(name: string, opts: pulumi.CustomResourceOptions): aws.lambda.LayerVersion {
  return new aws.lambda.LayerVersion(
    name,
    {
      layerName: `rds-replication-${pulumi.getStack()}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-"),
      description: `rds-replication runtime libraries: ${LAYER_ROOT_PACKAGES.join(", ")}`,
      code: layerArchive(),
      compatibleRuntimes: [LAMBDA_RUNTIME],
    },
    opts,
  );
}

export interface StepFunctionArgs {
  step: Step;
  role: aws.iam.Role;
  layer: aws.lambda.LayerVersion;
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  deadLetterQueueArn: pulumi.Input<string>;
  logGroupName: pulumi.Input<string>;
  /** The stack's optional reserved concurrency per Lambda. */
  reservedConcurrency?: number;
}

/**
 * A step's reserved concurrency: the catalog's own where correctness needs it (copy starts, one at a time),
 * otherwise the stack's optional setting, none by default: Lambda keeps at least 100 of an account's concurrent
 * executions unreserved, so in an account with a small quota any reservation fails. With the setting, poll
 * watches get at least one per copy that can be in progress, or the setting would throttle them.
 */
export function reservedConcurrencyOf(step: Step, stackSetting?: number): number | undefined {
  if (step.reservedConcurrency !== undefined) return step.reservedConcurrency;
  if (stackSetting === undefined) return undefined;
  return Math.max(stackSetting, step.minReservedConcurrency ?? 0);
}

/** What a stack's Lambdas reserve together: the account needs this much above the 100 Lambda keeps unreserved. */
export const reservedConcurrencyTotal = (steps: readonly Step[], stackSetting?: number): number =>
  steps.reduce((sum, step) => sum + (reservedConcurrencyOf(step, stackSetting) ?? 0), 0);

export function stepFunction(
  name: string,
  args: StepFunctionArgs,
  opts: pulumi.CustomResourceOptions,
): aws.lambda.CallbackFunction<unknown, unknown> {
  return new aws.lambda.CallbackFunction(
    name,
    {
      callback: args.step.handler,
      role: args.role,
      runtime: LAMBDA_RUNTIME,
      description: args.step.description,
      timeout: args.step.timeoutSeconds,
      memorySize: args.step.memoryMb,
      layers: [args.layer.arn],
      environment: { variables: args.environment },
      deadLetterConfig: { targetArn: args.deadLetterQueueArn },
      reservedConcurrentExecutions: reservedConcurrencyOf(args.step, args.reservedConcurrency),
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: args.logGroupName },
      codePathOptions: { extraExcludePackages: dependencyNames() },
    },
    opts,
  );
}
