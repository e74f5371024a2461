import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../../scripts/deploy/errors";
import { parsePairs } from "../../../scripts/deploy/pairs";

const VALID = `
accounts:
  "111111111111": { ciRole: "arn:aws:iam::111111111111:role/ci" }
  "222222222222": { ciRole: "arn:aws:iam::222222222222:role/ci" }
stacks:
  - { name: prod, account: "111111111111", region: eu-west-1 }
  - { name: dev, account: "222222222222", region: eu-central-1, sources: [prod] }
`;

function errorOf(text: string): string {
  try {
    parsePairs(text, "pairs.yaml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.message;
  }
  assert.fail("the pairs file was accepted");
}

describe("deploy: pairs file", () => {
  it("parses the example deploy/pairs.yaml shipped with the project", () => {
    const file = path.join(__dirname, "../../../deploy/pairs.yaml");
    const pairs = parsePairs(readFileSync(file, "utf8"), file);
    assert.deepEqual(
      pairs.stacks.map((s) => [s.name, s.sources]),
      [
        ["source", []],
        ["dest", ["source"]],
      ],
    );
  });

  it("defaults sources to none and keeps declaration order", () => {
    const pairs = parsePairs(VALID, "pairs.yaml");
    assert.deepEqual(pairs.stacks[0], { name: "prod", account: "111111111111", region: "eu-west-1", sources: [] });
    assert.equal(pairs.accounts["222222222222"].ciRole, "arn:aws:iam::222222222222:role/ci");
  });

  it("rejects an unquoted account id, naming the key and the value YAML made of it", () => {
    const message = errorOf(VALID.replace('account: "111111111111"', "account: 011111111111"));
    assert.match(message, /^pairs\.yaml is invalid:/);
    assert.match(message, /stacks\[0\]\.account: must be a quoted string of 12 digits .*\(got 11111111111\)/);
  });

  it("rejects a malformed role ARN and a role of another account", () => {
    const bad = errorOf(VALID.replace("arn:aws:iam::111111111111:role/ci", "ci-role"));
    assert.match(bad, /accounts\.111111111111\.ciRole: must be an IAM role ARN .*\(got "ci-role"\)/);
    const other = errorOf(VALID.replace("arn:aws:iam::222222222222:role/ci", "arn:aws:iam::333333333333:role/ci"));
    assert.match(other, /accounts\.222222222222\.ciRole: must be a role in account 222222222222/);
  });

  it("rejects an account key that is not a 12-digit id", () => {
    const message = errorOf(VALID.replace('"111111111111": {', "12345: {"));
    assert.match(message, /accounts\.12345: must be keyed by a quoted 12-digit AWS account id/);
  });

  it("rejects a stack in an account without a CI role, a duplicate stack and a bad region", () => {
    const message = errorOf(`${VALID}  - { name: dev, account: "444444444444", region: moon-1 }\n`);
    assert.match(message, /stacks\[2\]\.name: is listed twice \(got "dev"\)/);
    assert.match(message, /stacks\[2\]\.account: is not listed under accounts .*\(got "444444444444"\)/);
    assert.match(message, /stacks\[2\]\.region: must be an AWS region such as eu-west-1 \(got "moon-1"\)/);
  });

  it("rejects a misspelt key instead of silently ignoring it", () => {
    const message = errorOf(VALID.replace("sources: [prod]", "source: [prod]"));
    assert.match(message, /stacks\[1\]: .*source/);
  });

  it("rejects invalid YAML, an empty file and an empty stack list", () => {
    assert.match(errorOf("stacks: [unclosed"), /^pairs\.yaml: not valid YAML:/);
    assert.match(errorOf(""), /\(top level\): .*expected object/);
    assert.match(errorOf("accounts: {}\nstacks: []\n"), /stacks: must list at least one stack/);
  });
});
