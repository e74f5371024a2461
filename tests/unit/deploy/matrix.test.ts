import { strict as assert } from "node:assert";
import { affectedStacks, ciMatrix } from "../../../scripts/deploy/matrix";
import { parsePairs } from "../../../scripts/deploy/pairs";

const PAIRS = parsePairs(
  `
accounts:
  "111111111111": { ciRole: "arn:aws:iam::111111111111:role/ci" }
  "222222222222": { ciRole: "arn:aws:iam::222222222222:role/ci" }
stacks:
  - { name: acme/dev, account: "222222222222", region: eu-central-1, sources: [acme/prod] }
  - { name: acme/prod, account: "111111111111", region: eu-west-1 }
  - { name: acme/qa, account: "222222222222", region: us-east-1, sources: [acme/prod] }
`,
  "pairs.yaml",
);

describe("deploy: CI matrix", () => {
  it("lists every stack in deploy order with its region and its account's CI role", () => {
    assert.deepEqual(ciMatrix(PAIRS), {
      include: [
        { stack: "acme/prod", account: "111111111111", region: "eu-west-1", role: "arn:aws:iam::111111111111:role/ci" },
        {
          stack: "acme/dev",
          account: "222222222222",
          region: "eu-central-1",
          role: "arn:aws:iam::222222222222:role/ci",
        },
        { stack: "acme/qa", account: "222222222222", region: "us-east-1", role: "arn:aws:iam::222222222222:role/ci" },
      ],
    });
  });

  it("can be limited to some stacks, and is empty when none is affected", () => {
    assert.deepEqual(
      ciMatrix(PAIRS, ["acme/qa"]).include.map((e) => e.stack),
      ["acme/qa"],
    );
    assert.deepEqual(ciMatrix(PAIRS, []), { include: [] });
  });

  it("treats a change to the program, its dependencies or the pairs file as affecting every stack", () => {
    for (const file of [
      "index.ts",
      "components/producer.ts",
      "functions/decisions/retentionPolicy.ts",
      "package-lock.json",
      "Pulumi.yaml",
      "deploy/pairs.yaml",
    ]) {
      assert.deepEqual(affectedStacks(["README.md", file], PAIRS), ["acme/dev", "acme/prod", "acme/qa"], file);
    }
  });

  it("maps a stack file to its stack by the short name, and ignores docs, tests and scripts", () => {
    assert.deepEqual(affectedStacks(["Pulumi.qa.yaml", "docs/operations.md"], PAIRS), ["acme/qa"]);
    assert.deepEqual(
      affectedStacks(["tests/unit/x.test.ts", "scripts/demo.ts", "README.md", "Pulumi.old.yaml"], PAIRS),
      [],
    );
  });
});
