// Step Lambdas as CallbackFunctions: the handler from functions/ is serialized by Pulumi, the AWS SDK comes
// from the Lambda runtime and zod + Powertools from one shared layer, so each archive is just the handler.
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Step } from "../functions/catalog";
import { physicalName } from "./shared";

/** The nearest directory at or above `from` with a package.json (Node's and Pulumi's notion of a package root). */
export function packageRootOf(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json at or above ${from}`);
  }
}

/** This package's root, from the sources (components/) and from the build (dist/components/) alike. */
export const PROJECT_ROOT = packageRootOf(__dirname);
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

function readPackageJson(dir: string): { name?: string; dependencies?: Record<string, string> } {
  return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
}

/**
 * The packages of the running program's package.json `dependencies` (Pulumi bundles these into every function
 * archive; it reads the package.json nearest the working directory), plus this package when another program
 * installed it: all excluded from function archives.
 */
export function dependencyNames(programRoot = packageRootOf(process.cwd())): string[] {
  const names = Object.keys(readPackageJson(programRoot).dependencies ?? {});
  const own = programRoot === PROJECT_ROOT ? undefined : readPackageJson(PROJECT_ROOT).name;
  return [...new Set(own ? [...names, own] : names)].sort();
}

/** Where `name` resolves from `from`, as Node looks it up: node_modules of `from` and of every parent. */
export function packageDir(name: string, from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === path.dirname(dir)) throw new Error(`${name} not found from ${from}`);
  }
}

/**
 * The runtime dependency closure of the given packages, without the AWS SDK: each found from the package that
 * depends on it, starting at this package's own location (its node_modules or, installed, the program's).
 */
export function layerPackageDirs(
  roots: readonly string[] = LAYER_ROOT_PACKAGES,
  root = PROJECT_ROOT,
): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, from: string) => {
    if (found.has(name) || PROVIDED_BY_RUNTIME(name)) return;
    const dir = packageDir(name, from);
    found.set(name, dir);
    for (const dep of Object.keys(readPackageJson(dir).dependencies ?? {})) visit(dep, dir);
  };
  for (const name of roots) visit(name, root);
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

export function layerPackages(roots: readonly string[] = LAYER_ROOT_PACKAGES, root = PROJECT_ROOT): string[] {
  return [...layerPackageDirs(roots, root).keys()];
}

/**
 * Installed under a program's node_modules, Pulumi serializes the modules a handler uses as
 * `require("rds-replication/dist/functions/...")` (hence that subpath in package.json `exports`) instead of
 * inlining them: the layer then carries this package too.
 */
export const isInstalledPackage = (root = PROJECT_ROOT) => root.split(path.sep).includes("node_modules");

/** The layer archive: Lambda puts /opt/nodejs/node_modules on the module path. */
export function layerArchive(root = PROJECT_ROOT): pulumi.asset.AssetArchive {
  const packages = [...layerPackageDirs(LAYER_ROOT_PACKAGES, root)];
  const own = readPackageJson(root).name;
  if (isInstalledPackage(root) && own) packages.push([own, root]);
  return new pulumi.asset.AssetArchive(
    Object.fromEntries(
      packages.map(([name, dir]) => [`nodejs/node_modules/${name}`, new pulumi.asset.FileArchive(dir)]),
    ),
  );
}

export function sharedLayer(
  name: string,
  namePrefix: string,
  opts: pulumi.CustomResourceOptions,
): aws.lambda.LayerVersion {
  return new aws.lambda.LayerVersion(
    name,
    {
      layerName: physicalName(namePrefix, name),
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
