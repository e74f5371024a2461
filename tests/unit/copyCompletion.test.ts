import { strict as assert } from "node:assert";
import fc from "fast-check";
import { awaitTimeoutSeconds, DEFAULT_AWAIT_BOUNDS } from "../../functions/decisions/copyCompletion";

const B = DEFAULT_AWAIT_BOUNDS;

describe("copy completion: the fallback check of a copy awaiting its event", () => {
  it("waits the longest fallback while RDS reports no progress or a queued copy", () => {
    assert.equal(awaitTimeoutSeconds({ elapsedSeconds: 10 }), B.maxSeconds);
    assert.equal(
      awaitTimeoutSeconds({ elapsedSeconds: 600, percentProgress: 0, queuedUntilSeconds: 600 }),
      B.maxSeconds,
    );
  });

  it("lands after the estimated end: 50 % after 10 minutes of copying checks again in 10 minutes plus slack", () => {
    assert.equal(awaitTimeoutSeconds({ elapsedSeconds: 600, percentProgress: 50 }), 600 + B.slackSeconds);
  });

  it("ignores the time spent queued when estimating the speed", () => {
    assert.equal(
      awaitTimeoutSeconds({ elapsedSeconds: 1200, percentProgress: 50, queuedUntilSeconds: 900 }),
      300 + B.slackSeconds,
    );
  });

  it("stays within its bounds for any reading", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 86_400, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
        (elapsedSeconds, percentProgress) => {
          const t = awaitTimeoutSeconds({ elapsedSeconds, percentProgress });
          assert.ok(t >= B.minSeconds && t <= B.maxSeconds, `${t}`);
        },
      ),
    );
  });

  it("refuses a negative or unknown elapsed time", () => {
    assert.throws(() => awaitTimeoutSeconds({ elapsedSeconds: -1 }), RangeError);
    assert.throws(() => awaitTimeoutSeconds({ elapsedSeconds: Number.NaN }), RangeError);
  });
});
