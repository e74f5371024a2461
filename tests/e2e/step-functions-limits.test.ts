// Step Functions' 256 KiB state limit (figure 8), measured: the real definitions executed against the serialized
// handlers, 3 regions x 5 accounts as destinations, one database with a 63-character identifier and 50 tags of
// maximal length. The dispatch's state is the same whatever the number of databases; a per-database run's state
// depends on its own database only.
import { strict as assert } from "node:assert";
import { measureStateSizes, STATE_LIMIT_BYTES } from "../../scripts/bench/stepFunctionsLimits";

describe("e2e: Step Functions state sizes", () => {
  it("every state stays under 256 KiB and no state grows with the number of databases", async () => {
    const quiet = () => undefined;
    const one = await measureStateSizes(1, quiet);
    const several = await measureStateSizes(6, quiet);
    assert.equal(several.dispatch.started, 6, "one run per database");
    assert.ok(several.dispatch.largestStateBytes < 1024, `${several.dispatch.largestStateBytes} B`);
    // Counts only: a different number of digits at most.
    assert.ok(Math.abs(several.dispatch.largestStateBytes - one.dispatch.largestStateBytes) <= 2);
    assert.equal(several.database.routes, 15);
    for (const sizes of [one, several])
      for (const [execution, measured] of Object.entries({ database: sizes.database, consumer: sizes.consumer }))
        assert.ok(measured.largestStateBytes < STATE_LIMIT_BYTES, `${execution}: ${measured.largestStateBytes} B`);
    // The per-database run carries its own database's tags and routes, not the others'.
    assert.ok(Math.abs(several.database.largestStateBytes - one.database.largestStateBytes) < 64);
    assert.ok(one.database.largestStateBytes > 50 * 384, "the maximal tags are in the state");
  });
});
