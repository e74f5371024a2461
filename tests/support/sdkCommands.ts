// What the handlers ask AWS, read from their sources: every `new XxxCommand({...})` of an `@aws-sdk/client-*`
// import, with the members its object literal names, checked against botocore's model of that operation (the
// JSON models Debian's python3-botocore installs with the emulator). A misspelt member is dropped by the SDK
// without a word and a missing required one fails only at run time: both are found here, before AWS sees them.
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { loadModel } from "../../testkit/aws-rules";

/** The botocore service directory of each SDK v3 client package the handlers use. */
export const SERVICE_OF_CLIENT: Record<string, string> = {
  "@aws-sdk/client-rds": "rds",
  "@aws-sdk/client-rds-data": "rds-data",
  "@aws-sdk/client-sns": "sns",
  "@aws-sdk/client-sfn": "stepfunctions",
  "@aws-sdk/client-secrets-manager": "secretsmanager",
  "@aws-sdk/client-ssm": "ssm",
  "@aws-sdk/client-kms": "kms",
  "@aws-sdk/client-lambda": "lambda",
};

/** A member named in a command's input: its path from the input and whether its value is a literal object. */
interface Member {
  name: string;
  value: ts.Expression | undefined;
}

export interface SdkCommand {
  file: string;
  line: number;
  service: string;
  operation: string;
  /** Top-level object literal of the input, or undefined when the input is not a literal. */
  input: ts.ObjectLiteralExpression | undefined;
}

/** Every SDK command constructed in one source text. */
export function commandsIn(file: string, text: string): SdkCommand[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const serviceOfName = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const service = SERVICE_OF_CLIENT[statement.moduleSpecifier.text];
    const bindings = statement.importClause?.namedBindings;
    if (!service || !bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) serviceOfName.set(element.name.text, service);
  }
  const found: SdkCommand[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text.endsWith("Command")) {
      const service = serviceOfName.get(node.expression.text);
      if (service) {
        const argument = node.arguments?.[0];
        found.push({
          file,
          line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
          service,
          operation: node.expression.text.replace(/Command$/, ""),
          input: argument && ts.isObjectLiteralExpression(argument) ? argument : undefined,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every SDK command of every TypeScript source under `dir`. */
export function commandsUnder(dir: string): SdkCommand[] {
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
  return files.flatMap((file) => commandsIn(file, fs.readFileSync(file, "utf8")));
}

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
}

interface Model {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

/** The newest API version botocore has of a service (the models the emitted-resource checks read too). */
export const modelOf = (service: string): Model => loadModel(service) as unknown as Model;

function membersOf(literal: ts.ObjectLiteralExpression): { members: Member[]; spread: boolean } {
  const members: Member[] = [];
  let spread = false;
  for (const property of literal.properties) {
    if (ts.isSpreadAssignment(property)) spread = true;
    else if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)))
      members.push({ name: property.name.text, value: property.initializer });
    else if (ts.isShorthandPropertyAssignment(property)) members.push({ name: property.name.text, value: undefined });
    else spread = true;
  }
  return { members, spread };
}

/** Problems of one object literal against a structure shape, descending into literal structures and lists. */
function checkStructure(model: Model, shapeName: string, literal: ts.ObjectLiteralExpression, at: string): string[] {
  const shape = model.shapes[shapeName];
  if (shape?.type !== "structure") return [];
  const { members, spread } = membersOf(literal);
  const problems: string[] = [];
  for (const member of members) {
    const target = shape.members?.[member.name];
    if (!target) {
      problems.push(`${at}: ${shapeName} has no member ${member.name}`);
      continue;
    }
    problems.push(...checkValue(model, target.shape, member.value, `${at}.${member.name}`));
  }
  // With a spread the literal's members are not all known here: required members are then not determinable.
  if (!spread) {
    const named = new Set(members.map((m) => m.name));
    for (const required of shape.required ?? [])
      if (!named.has(required)) problems.push(`${at}: ${shapeName} requires ${required}`);
  }
  return problems;
}

function checkValue(model: Model, shapeName: string, value: ts.Expression | undefined, at: string): string[] {
  if (!value) return [];
  const shape = model.shapes[shapeName];
  if (ts.isObjectLiteralExpression(value)) return checkStructure(model, shapeName, value, at);
  if (ts.isArrayLiteralExpression(value) && shape?.type === "list" && shape.member)
    return value.elements.flatMap((element, i) => checkValue(model, shape.member?.shape ?? "", element, `${at}[${i}]`));
  return [];
}

/** What is wrong with a command against its service's model; empty when it names only what exists. */
export function problemsOf(command: SdkCommand): string[] {
  const model = modelOf(command.service);
  const where = `${command.file}:${command.line} ${command.service}:${command.operation}`;
  const operation = model.operations[command.operation];
  if (!operation) return [`${where}: no such operation`];
  const input = operation.input?.shape;
  if (!input) return command.input && command.input.properties.length > 0 ? [`${where}: takes no input`] : [];
  return command.input ? checkStructure(model, input, command.input, where) : [];
}
