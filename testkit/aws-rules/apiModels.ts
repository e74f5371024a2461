// AWS's published API models (botocore's service-2.json, installed with the emulator's Python packages) and a
// validator of request parameters against them: required members, unknown members, string lengths, patterns,
// enums, numeric ranges, list and map sizes. Used by the tests that hold every emitted resource to the
// operation that creates it (testkit/aws-rules/apiRequests.ts). Pure apart from reading the model files.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const { PYTHON } = require("../emulator/install") as { PYTHON: string };

export interface ShapeRef {
  readonly shape: string;
}

export interface Shape {
  readonly type: string;
  readonly members?: Record<string, ShapeRef>;
  readonly required?: readonly string[];
  readonly member?: ShapeRef;
  readonly key?: ShapeRef;
  readonly value?: ShapeRef;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

export interface ServiceModel {
  readonly metadata: { readonly apiVersion: string; readonly serviceId: string };
  readonly operations: Record<string, { readonly input?: ShapeRef }>;
  readonly shapes: Record<string, Shape>;
}

export interface Violation {
  /** `service:Operation` of the request. */
  readonly operation: string;
  /** Member path in the request, e.g. `Environment.Variables`. */
  readonly member: string;
  readonly message: string;
}

/**
 * What AWS added after the packaged model was published, each with the page that documents it. The Debian
 * model predates the Node.js 20/22 runtimes and Lambda's LoggingConfig; without these the checker would
 * refuse what AWS accepts. Applied only where the model lacks the value or member.
 */
const NEWER_THAN_MODEL: Record<
  string,
  {
    enums?: Record<string, readonly string[]>;
    shapes?: Record<string, Shape>;
    members?: Record<string, Record<string, ShapeRef>>;
    operations?: Record<string, { readonly input?: ShapeRef }>;
  }
> = {
  rds: {
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_EnableHttpEndpoint.html (Data API of
    // provisioned and Serverless v2 clusters) and API_ModifyDBCluster.html (ManageMasterUserPassword).
    operations: { EnableHttpEndpoint: { input: { shape: "EnableHttpEndpointRequest" } } },
    shapes: {
      EnableHttpEndpointRequest: {
        type: "structure",
        required: ["ResourceArn"],
        members: { ResourceArn: { shape: "String" } },
      },
    },
    members: { ModifyDBClusterMessage: { ManageMasterUserPassword: { shape: "BooleanOptional" } } },
  },
  lambda: {
    // https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
    enums: { Runtime: ["nodejs20.x", "nodejs22.x"] },
    // https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html
    shapes: {
      LoggingConfig: {
        type: "structure",
        members: {
          LogFormat: { shape: "LogFormat" },
          ApplicationLogLevel: { shape: "ApplicationLogLevel" },
          SystemLogLevel: { shape: "SystemLogLevel" },
          LogGroup: { shape: "LogGroup" },
        },
      },
      LogFormat: { type: "string", enum: ["JSON", "Text"] },
      ApplicationLogLevel: { type: "string", enum: ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] },
      SystemLogLevel: { type: "string", enum: ["DEBUG", "INFO", "WARN"] },
      LogGroup: { type: "string", min: 1, max: 512, pattern: "[\\.\\-_/#A-Za-z0-9]+" },
    },
    members: { CreateFunctionRequest: { LoggingConfig: { shape: "LoggingConfig" } } },
  },
};

let dataDir: string | undefined;

/** The botocore data directory of the emulator's Python (the same packages `npm run setup` installs). */
export function botocoreDataDir(): string {
  // Asked once per process: it is a Python start, and the checks load a model per emitted request.
  dataDir ??= locateBotocoreData();
  return dataDir;
}

function locateBotocoreData(): string {
  const result = spawnSync(PYTHON, ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`cannot locate botocore with ${PYTHON}: ${result.stderr.trim()}`);
  return path.join(result.stdout.trim(), "data");
}

const cache = new Map<string, ServiceModel>();

/** The newest API version of a service's model, with NEWER_THAN_MODEL applied. */
export function loadModel(service: string): ServiceModel {
  const cached = cache.get(service);
  if (cached) return cached;
  const dir = path.join(botocoreDataDir(), service);
  const version = fs.readdirSync(dir).sort().at(-1);
  if (!version) throw new Error(`no API model for ${service} in ${dir}`);
  const model = supplemented(service, JSON.parse(fs.readFileSync(path.join(dir, version, "service-2.json"), "utf8")));
  cache.set(service, model);
  return model;
}

function supplemented(service: string, model: ServiceModel): ServiceModel {
  const extra = NEWER_THAN_MODEL[service];
  if (!extra) return model;
  const shapes: Record<string, Shape> = { ...model.shapes };
  for (const [name, shape] of Object.entries(extra.shapes ?? {})) shapes[name] ??= shape;
  for (const [name, values] of Object.entries(extra.enums ?? {})) {
    const known = shapes[name].enum ?? [];
    shapes[name] = { ...shapes[name], enum: [...known, ...values.filter((v) => !known.includes(v))] };
  }
  for (const [name, members] of Object.entries(extra.members ?? {}))
    shapes[name] = { ...shapes[name], members: { ...members, ...shapes[name].members } };
  return { ...model, operations: { ...extra.operations, ...model.operations }, shapes };
}

/** Input members and constraints of an operation, for counting what is checked. */
export function operationInput(model: ServiceModel, operation: string): Shape {
  const op = model.operations[operation];
  if (!op?.input) throw new Error(`${model.metadata.serviceId} has no operation ${operation} with input`);
  return model.shapes[op.input.shape];
}

/** Every violation of the operation's input shape by `params` (an API request as the SDK would send it). */
export function validateRequest(
  model: ServiceModel,
  service: string,
  operation: string,
  params: Record<string, unknown>,
): Violation[] {
  const found: Violation[] = [];
  const report = (member: string, message: string) =>
    found.push({ operation: `${service}:${operation}`, member: member || "(request)", message });
  validateValue(model, operationInput(model, operation), params, "", report);
  return found;
}

type Report = (member: string, message: string) => void;

function validateValue(model: ServiceModel, shape: Shape, value: unknown, at: string, report: Report): void {
  switch (shape.type) {
    case "structure":
      validateStructure(model, shape, value, at, report);
      return;
    case "list":
      if (!Array.isArray(value)) {
        report(at, `expected a list, got ${typeof value}`);
        return;
      }
      checkCount(shape, value.length, at, report);
      value.forEach((item, i) => {
        validateValue(model, model.shapes[shape.member!.shape], item, `${at}[${i}]`, report);
      });
      return;
    case "map": {
      if (!isObject(value)) {
        report(at, `expected a map, got ${typeof value}`);
        return;
      }
      const entries = Object.entries(value);
      checkCount(shape, entries.length, at, report);
      for (const [k, v] of entries) {
        validateValue(model, model.shapes[shape.key!.shape], k, `${at}{key ${k}}`, report);
        validateValue(model, model.shapes[shape.value!.shape], v, `${at}.${k}`, report);
      }
      return;
    }
    case "string":
      validateString(shape, value, at, report);
      return;
    case "integer":
    case "long":
    case "double":
    case "float":
      if (typeof value !== "number" || Number.isNaN(value)) {
        report(at, `expected a number, got ${show(value)}`);
        return;
      }
      if (shape.type !== "double" && shape.type !== "float" && !Number.isInteger(value))
        report(at, `expected a whole number, got ${value}`);
      if (shape.min !== undefined && value < shape.min) report(at, `${value} is below the minimum ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) report(at, `${value} is above the maximum ${shape.max}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") report(at, `expected a boolean, got ${show(value)}`);
      return;
    case "blob":
    case "timestamp":
      return;
    default:
      report(at, `shape type ${shape.type} is not checked`);
  }
}

function validateStructure(model: ServiceModel, shape: Shape, value: unknown, at: string, report: Report): void {
  if (!isObject(value)) {
    report(at, `expected a structure, got ${show(value)}`);
    return;
  }
  const members = shape.members ?? {};
  for (const name of shape.required ?? [])
    if (value[name] === undefined) report(join(at, name), "required member is missing");
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const ref = members[name];
    if (!ref) report(join(at, name), "no such member in the API model");
    else validateValue(model, model.shapes[ref.shape], v, join(at, name), report);
  }
}

function validateString(shape: Shape, value: unknown, at: string, report: Report): void {
  if (typeof value !== "string") {
    report(at, `expected a string, got ${show(value)}`);
    return;
  }
  // Java counts UTF-16 code units, as JavaScript's length does.
  if (shape.min !== undefined && value.length < shape.min)
    report(at, `length ${value.length} is below the minimum ${shape.min}: ${show(value)}`);
  if (shape.max !== undefined && value.length > shape.max)
    report(at, `length ${value.length} is above the maximum ${shape.max}: ${show(value)}`);
  if (shape.enum && !shape.enum.includes(value)) report(at, `${show(value)} is not one of ${shape.enum.join(", ")}`);
  if (shape.pattern && !patternOf(shape.pattern).test(value))
    report(at, `${show(value)} does not match the pattern ${shape.pattern}`);
}

const patterns = new Map<string, RegExp>();

/** AWS matches the whole value (Java's `matches`); the models' patterns are Java regexes JavaScript reads alike. */
export function patternOf(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    const whole = `^(?:${pattern})$`;
    try {
      re = new RegExp(whole, "su");
    } catch {
      // A few patterns escape characters that Unicode mode refuses (e.g. `\-` outside a class).
      re = new RegExp(whole, "s");
    }
    patterns.set(pattern, re);
  }
  return re;
}

function checkCount(shape: Shape, count: number, at: string, report: Report): void {
  if (shape.min !== undefined && count < shape.min) report(at, `${count} entries, below the minimum ${shape.min}`);
  if (shape.max !== undefined && count > shape.max) report(at, `${count} entries, above the maximum ${shape.max}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const join = (at: string, name: string) => (at ? `${at}.${name}` : name);
const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
