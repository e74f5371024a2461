// docs/aws-limits.md names every documented limit the harness checks and every operation held to its model.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR } from "../../testkit";
import { checkedOperations, LIMIT_RULES, RESOURCE_APIS } from "../../testkit/aws-rules";

const page = fs.readFileSync(path.join(PROJECT_DIR, "docs", "aws-limits.md"), "utf8");

describe("docs/aws-limits.md", () => {
  it("has a row for every documented limit, with its source", () => {
    for (const rule of LIMIT_RULES) {
      const row = page.split("\n").find((line) => line.startsWith(`| \`${rule.id}\``));
      assert.ok(row, `no row for ${rule.id}`);
      assert.ok(row.includes(rule.source), `${rule.id}: the row does not cite ${rule.source}`);
    }
  });

  it("lists every operation checked against its API model, with its member count", () => {
    for (const { operation, members } of checkedOperations()) {
      const [service, name] = operation.split(":");
      const row = page.split("\n").find((line) => line.startsWith(`| ${service} |`));
      assert.ok(row?.includes(`${name} (${members})`), `${operation} (${members}) is not in the table`);
    }
  });

  it("lists every mapped resource type with its operations", () => {
    for (const [type, api] of Object.entries(RESOURCE_APIS)) {
      const row = page.split("\n").find((line) => line.startsWith(`| \`${type}\` |`));
      assert.equal(row, `| \`${type}\` | ${api.service} ${Object.keys(api.operations).join(", ")} |`);
    }
  });
});
