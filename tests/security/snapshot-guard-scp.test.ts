// The service control policy the dest stack offers (output snapshotDeletionGuardScp), attached to the DR
// account next to AWS's default FullAWSAccess: an administrator of the account cannot delete a copy, the
// retention role still can (within its own policy), and nothing else changes for anyone.
import * as assert from "node:assert/strict";
import type { StackEvaluation } from "../../testkit";
import { type PolicyDocument, simulate } from "../support/iamSimulator";
import { exampleStacks } from "./emitted";

const DEST = { account: "222222222222", region: "eu-central-1" };
const rds = (kind: string, name: string) => `arn:aws:rds:${DEST.region}:${DEST.account}:${kind}:${name}`;
const MANAGED = { "aws:ResourceTag/managed-by": "rds-replication" };
const ADMIN = `arn:aws:iam::${DEST.account}:role/Administrator`;
const ADMIN_POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "rds:*", Resource: "*" }],
};

describe("the snapshot-deletion service control policy (IAM simulation with the SCP attached)", function () {
  this.timeout(120_000);
  let dest: StackEvaluation;
  let scp: PolicyDocument;
  const retention = (stack: StackEvaluation) => ({
    principal: String(stack.named("consumer-retention-role").state.arn),
    identityPolicies: [JSON.parse(String(stack.named("consumer-retention-policy").inputs.policy)) as PolicyDocument],
  });
  before(async () => {
    dest = (await exampleStacks()).dest;
    scp = JSON.parse(String(dest.outputs.snapshotDeletionGuardScp)) as PolicyDocument;
  });

  for (const [action, kind] of [
    ["rds:DeleteDBSnapshot", "snapshot"],
    ["rds:DeleteDBClusterSnapshot", "cluster-snapshot"],
  ] as const) {
    it(`denies an account administrator ${action} on a copy`, async () => {
      const request = {
        principal: ADMIN,
        action,
        resource: rds(kind, "orders-snap-1a2b3c4d"),
        identityPolicies: [ADMIN_POLICY],
      };
      assert.equal(await simulate(request), "Allowed", "control: without the SCP the administrator could");
      assert.equal(await simulate({ ...request, serviceControlPolicies: [scp] }), "ExplicitlyDenied");
    });
  }

  it("still lets the retention role delete its own copy", async () => {
    const decision = await simulate({
      ...retention(dest),
      action: "rds:DeleteDBSnapshot",
      resource: rds("snapshot", "orders-snap-1a2b3c4d"),
      context: MANAGED,
      serviceControlPolicies: [scp],
    });
    assert.equal(decision, "Allowed");
  });

  it("changes nothing else: the administrator still takes and copies snapshots", async () => {
    for (const action of ["rds:CreateDBSnapshot", "rds:CopyDBSnapshot"]) {
      const decision = await simulate({
        principal: ADMIN,
        action,
        resource: rds("snapshot", "by-hand"),
        identityPolicies: [ADMIN_POLICY],
        serviceControlPolicies: [scp],
      });
      assert.equal(decision, "Allowed", action);
    }
  });
});
