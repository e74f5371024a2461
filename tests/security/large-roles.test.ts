// At the large configuration (200 databases named by identifier, tests/aws-rules/stacks.ts) the producer's
// database ARNs no longer fit its roles' inline policies (IAM: 10,240 characters per role): they move to
// customer managed policies. Simulated with the role's inline and attached documents together, every named
// database is still granted, and no other.
import * as assert from "node:assert/strict";
import type { StackEvaluation } from "../../testkit";
import { SOURCE_ACCOUNT } from "../../testkit";
import { checkedStacks, databaseIdentifier, LARGE } from "../aws-rules/stacks";
import { type PolicyDocument, simulate } from "../support/iamSimulator";

const POLICY = "aws:iam/policy:Policy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const REGION = "eu-west-1";
const ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/producer-snapshot-role`;
const rds = (resource: string) => `arn:aws:rds:${REGION}:${SOURCE_ACCOUNT}:${resource}`;
const parsed = (value: unknown) => JSON.parse(String(value)) as PolicyDocument;

describe("producer step roles at 200 databases named by identifier", function () {
  this.timeout(600_000);
  let source: StackEvaluation;
  let documents: PolicyDocument[];
  before(async () => {
    source = (await checkedStacks())[2]!.stack;
    const managed = source.ofType(POLICY).filter((p) => p.name.startsWith("producer-snapshot-listed-"));
    documents = [
      parsed(source.named("producer-snapshot-policy").inputs.policy),
      ...managed.map((p) => parsed(p.inputs.policy)),
    ];
  });

  it("attaches every managed policy of the snapshot role to that role, each within 6,144 characters", () => {
    const managed = source.ofType(POLICY).filter((p) => p.name.startsWith("producer-snapshot-listed-"));
    assert.ok(managed.length >= 2 && managed.length <= 10, `${managed.length} managed policies`);
    for (const p of managed) assert.ok(JSON.stringify(JSON.parse(String(p.inputs.policy))).length <= 6144, p.name);
    const attached = source.ofType(ATTACHMENT).filter((a) => a.name.startsWith("producer-snapshot-listed-"));
    assert.equal(attached.length, managed.length);
  });

  const snapshotOf = (i: number) =>
    i % 2 === 0
      ? { action: "rds:CreateDBSnapshot", resource: rds(`db:${databaseIdentifier(i)}`) }
      : { action: "rds:CreateDBClusterSnapshot", resource: rds(`cluster:${databaseIdentifier(i)}`) };

  for (const i of [0, 1, 98, 99, LARGE.databases - 2, LARGE.databases - 1]) {
    it(`allows the snapshot of database ${i}`, async () => {
      assert.equal(await simulate({ ...snapshotOf(i), principal: ROLE, identityPolicies: documents }), "Allowed");
    });
  }

  it("denies the snapshot of a database not named", async () => {
    for (const request of [
      { action: "rds:CreateDBSnapshot", resource: rds("db:not-selected-database") },
      { action: "rds:CreateDBClusterSnapshot", resource: rds("cluster:not-selected-cluster") },
    ])
      assert.notEqual(await simulate({ ...request, principal: ROLE, identityPolicies: documents }), "Allowed");
  });
});
