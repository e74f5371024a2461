// Every catalog step must serialize quickly into a module with no Pulumi in it, because that text is the
// Lambda's code (DESIGN.md "Lambdas: inline callbacks").
import { strict as assert } from "node:assert";
import { STEPS } from "../../../functions/catalog";
import { serialized } from "../../../testkit";

describe("serialized step handlers", () => {
  for (const step of STEPS) {
    it(`${step.key} serializes quickly, without Pulumi, and loads`, async () => {
      const started = Date.now();
      const artifact = await serialized(step.handler);
      const seconds = (Date.now() - started) / 1000;
      assert.ok(seconds < 20, `serializing ${step.key} took ${seconds} s`);
      assert.doesNotMatch(artifact.text, /require\("@pulumi\//);
      assert.match(artifact.text, /require\("@aws-sdk\/client-/);
      assert.ok(artifact.text.length < 400_000, `${step.key} artifact is ${artifact.text.length} characters`);
      assert.equal(typeof artifact.handler, "function");
    });
  }
});
