import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { dependencyNames, layerPackages, reservedConcurrencyTotal } from "../../../components/lambda";
import { IAM_POLICY_QUOTAS } from "../../../components/policies";
import { stepsOf } from "../../../functions/catalog";
import { evaluateStack, stackFileConfig } from "../../../testkit";

const paths = async (exclude: string[]) =>
  [...(await pulumi.runtime.computeCodePaths({ extraExcludePackages: exclude })).keys()].map((p) =>
    p.replace(/.*node_modules\//, ""),
  );

describe("Lambda packaging", () => {
  it("without exclusions Pulumi would bundle the AWS SDK into every function", async () => {
    const bundled = await paths([]);
    assert.ok(
      bundled.some((p) => p.startsWith("@aws-sdk/")),
      bundled.join(", "),
    );
  });

  it("excluding package.json's dependencies leaves nothing but the serialized handler to bundle", async () => {
    assert.deepEqual(await paths(dependencyNames()), []);
    assert.ok(dependencyNames().includes("@aws-sdk/client-rds"));
    assert.ok(dependencyNames().includes("zod"));
  });

  it("the layer holds the handlers' runtime libraries and their dependencies, not the SDK", () => {
    const packages = layerPackages();
    assert.ok(packages.includes("@aws/lambda-invoke-store"), "a dependency of Powertools commons");
    assert.equal(packages.filter((p) => p.startsWith("@aws-sdk/")).length, 0);
  });

  it("resources grow with destinations and regions; with databases only by the snapshot role's few managed policies", async () => {
    const count = async (overrides: Record<string, unknown>) =>
      (await evaluateStack({ config: { ...stackFileConfig("source"), ...overrides } })).resources.length;
    const many = Array.from({ length: 40 }, (_, i) => `db-${i}`);
    const base = await count({});
    // 80 databases named by identifier outgrow the inline budget: one managed policy and its attachment.
    assert.equal(
      await count({ "rds-replication:instances": many, "rds-replication:clusters": many.map((d) => `c${d}`) }),
      base + 2,
    );
    const most = Array.from({ length: 250 }, (_, i) => `replicated-database-${String(i).padStart(4, "0")}`);
    const grown = await count({
      "rds-replication:instances": most,
      "rds-replication:clusters": most.map((d) => `c${d}`),
    });
    assert.ok(grown - base <= 2 * IAM_POLICY_QUOTAS.managedPerRole, `${grown - base} more resources for 500 databases`);
    const regions = await count({
      "rds-replication:destinations": [
        "222222222222/eu-central-1",
        "333333333333/eu-west-1",
        "444444444444/us-east-1",
        "555555555555/us-east-1",
      ],
    });
    // The new region's transit key, and the rule and target forwarding its copy-finished events to the source
    // region; per new destination a receipt topic, its policy, subscription and permission.
    assert.equal(regions, base + 3 + 2 * 4);
  });

  it("a source stack reserves 1 concurrent execution by default (the copy start), a dest stack 3 (copy start, restore start, switch), not 51", () => {
    // Lambda keeps 100 of the account's executions unreserved: the account needs its quota above 100 + this.
    assert.equal(reservedConcurrencyTotal(stepsOf("producer")), 1);
    assert.equal(reservedConcurrencyTotal(stepsOf("consumer")), 3);
    // With the optional setting at the old default of 5: 8 (source) and 14 (dest) steps x 5, the poll watch 25, the
    // one-at-a-time steps 1.
    assert.equal(reservedConcurrencyTotal(stepsOf("producer"), 5), 66);
    assert.equal(reservedConcurrencyTotal(stepsOf("consumer"), 5), 98);
  });
});
