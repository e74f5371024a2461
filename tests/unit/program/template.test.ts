// `pulumi new` from this repository: the template section prompts for what every stack needs and tells how to
// add what each role needs, as the config parser decides it.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { ProjectSettings } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { ConfigError, parseStackConfig } from "../../../stack/config";

const project = parse(readFileSync(path.join(__dirname, "../../../Pulumi.yaml"), "utf8")) as ProjectSettings & {
  config: Record<string, { type: string }>;
};
const template = project.template!;
const PLACE = { account: "111111111111", region: "eu-west-1" };

/** The config keys the parser reports missing or invalid for this raw config. */
function keysMissing(raw: Record<string, unknown>, region = PLACE.region): string[] {
  try {
    parseStackConfig(raw, { ...PLACE, region });
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => p.split(/[ =]/)[0]);
  }
}

describe("pulumi new template", () => {
  it("prompts for every key any stack needs, and only for declared scalar keys", () => {
    const prompted = Object.keys(template.config ?? {});
    assert.deepEqual(keysMissing({}, ""), ["aws:region", "rds-replication:role"]);
    for (const key of keysMissing({}, "")) assert.ok(prompted.includes(key), key);
    for (const key of prompted) {
      assert.ok(template.config?.[key].description, key);
      if (key === "aws:region") continue;
      const declared = project.config[key.replace(/^rds-replication:/, "")];
      assert.ok(declared, `${key} is declared under config:`);
      assert.ok(["string", "integer", "boolean"].includes(declared.type), `${key}: an answer is text, not a list`);
    }
  });

  it("the quickstart shows how to set what each role still needs", () => {
    for (const role of ["source", "dest"]) {
      const missing = keysMissing({ role });
      assert.ok(missing.length > 0, role);
      for (const key of missing) assert.match(template.quickstart ?? "", new RegExp(`--path '${key}\\[0\\]'`), key);
    }
  });
});
