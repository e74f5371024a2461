// Lambda refuses environments over 4 KB (all variables together, as JSON). The runtime config grows with
// databases x destinations, so it lives in one SSM parameter and each step's environment only names it.
import * as assert from "node:assert/strict";
import { stepsOf } from "../../../functions/catalog";
import { decodeRuntimeConfig, encodeRuntimeConfig, PARAMETER_LIMITS } from "../../../functions/contracts/runtimeConfig";
import { evaluateStack, stackFileConfig } from "../../../testkit";
import { largeProducerConfig, largeSelection } from "../../support/largeConfig";
import { shortKey } from "./stackAssertions";

const LAMBDA_ENVIRONMENT_LIMIT = 4096;
const environmentBytes = (variables: Record<string, string>) => Buffer.byteLength(JSON.stringify(variables));

describe("runtime config size", () => {
  it("at 200 databases x 20 destinations each step's environment stays small; the config fits one parameter", async () => {
    const { identifiers, destinations } = largeSelection(200, 20);
    const stack = await evaluateStack({
      config: {
        ...stackFileConfig("source"),
        "rds-replication:instances": identifiers,
        "rds-replication:clusters": [],
        "rds-replication:selectorTags": [],
        "rds-replication:destinations": destinations.map((d) => `${d.account}/${d.region}/${d.databases.join(",")}`),
      },
    });
    const parameter = stack.named("producer-runtime-config");
    const stored = String(parameter.inputs.insecureValue);
    const json = decodeRuntimeConfig(stored);
    // What each environment used to carry, and what it carries now.
    assert.ok(Buffer.byteLength(json) > 16 * LAMBDA_ENVIRONMENT_LIMIT, `${Buffer.byteLength(json)} bytes of JSON`);
    const sizes = stepsOf("producer").map((step) =>
      environmentBytes(
        (stack.named(`producer-${shortKey(step)}`).inputs.environment as { variables: Record<string, string> })
          .variables,
      ),
    );
    assert.ok(Math.max(...sizes) < 200, `environment sizes ${sizes.join(", ")} bytes`);
    const storedBytes = Buffer.byteLength(stored);
    assert.ok(storedBytes <= PARAMETER_LIMITS.Advanced, `${storedBytes} bytes stored`);
    assert.equal(parameter.inputs.tier, storedBytes <= PARAMETER_LIMITS.Standard ? "Standard" : "Advanced");
    assert.equal((JSON.parse(json) as { destinations: unknown[] }).destinations.length, 20);
    console.log(
      `      config ${Buffer.byteLength(json)} B JSON, ${storedBytes} B stored (${parameter.inputs.tier}); environments ${Math.min(...sizes)}-${Math.max(...sizes)} B`,
    );
  });

  it("stores small configs as plain JSON and larger ones compressed, in the smallest tier that holds them", () => {
    const small = JSON.stringify(largeProducerConfig(5, 2));
    assert.deepEqual(encodeRuntimeConfig(small), { value: small, tier: "Standard" });
    const large = JSON.stringify(largeProducerConfig(200, 20));
    const encoded = encodeRuntimeConfig(large);
    assert.match(encoded.value, /^gzip:/);
    assert.equal(decodeRuntimeConfig(encoded.value), large);
    // Incompressible text: beyond 4 KB compressed it needs the Advanced tier, beyond 8 KB it is refused.
    const noise = (bytes: number) => JSON.stringify({ n: Buffer.from(randomBytes(bytes)).toString("base64") });
    assert.equal(encodeRuntimeConfig(noise(4000)).tier, "Advanced");
    assert.throws(() => encodeRuntimeConfig(noise(9000)), /more than an SSM parameter holds \(8192 bytes\)/);
  });
});

function randomBytes(n: number): Uint8Array {
  let seed = 7;
  return Uint8Array.from({ length: n }, () => {
    seed = (seed * 16807) % 2147483647;
    return seed % 256;
  });
}
