import { strict as assert } from "node:assert";
import { FALLBACK_CHECK_SECONDS } from "../../../functions/decisions/copyCompletion";
import { steadyOperation } from "../../../scripts/bench/cost";
import { awaitCopy, EVENT_ASSUMPTION, eventDraws, simulateEvents } from "../../../scripts/bench/eventSimulation";
import { eventLatencyFigure, figure10 } from "../../../scripts/bench/figure10";
import { generateOperations } from "../../../scripts/bench/pollSimulation";
import { percentile } from "../../../scripts/bench/stats";

const LOST = Number.POSITIVE_INFINITY;

describe("bench: copy completion by event with a fallback (figure 10)", () => {
  it("a lost event: the fallback checks every 1,800 s, and the first check after the end catches it", () => {
    // 100 minutes of steady progress: checks at 0, 1800, 3600 and 5400 s see it copying; 7200 s sees it available.
    const op = steadyOperation("snapshot-copy", 6000);
    assert.deepEqual(awaitCopy(op, LOST, { registrarSeconds: 1 }), {
      registrarTurns: 5,
      detectionLatencySeconds: 1201,
      caughtBy: "fallback",
    });
    // A shorter fallback catches it sooner, with more turns: the trade the constant makes.
    assert.deepEqual(awaitCopy(op, LOST, { registrarSeconds: 1, fallbackSeconds: 900 }), {
      registrarTurns: 8,
      detectionLatencySeconds: 301,
      caughtBy: "fallback",
    });
  });

  it("an event resumes the run when it comes before the next fallback; a later event loses to the fallback", () => {
    const op = steadyOperation("snapshot-copy", 6000);
    assert.deepEqual(awaitCopy(op, 10), { registrarTurns: 4, detectionLatencySeconds: 10, caughtBy: "event" });
    assert.deepEqual(awaitCopy(op, 1500, { registrarSeconds: 1 }), {
      registrarTurns: 5,
      detectionLatencySeconds: 1201,
      caughtBy: "fallback",
    });
  });

  it("a 10-minute copy needs one registrar turn when its event comes", () => {
    assert.deepEqual(awaitCopy(steadyOperation("snapshot-copy", 600), 3), {
      registrarTurns: 1,
      detectionLatencySeconds: 3,
      caughtBy: "event",
    });
  });

  it("with every event lost, no copy of figure 1's generator waits longer than the longest fallback", () => {
    const copies = generateOperations(600, 7).filter((op) => op.operation === "snapshot-copy");
    const outcomes = simulateEvents(copies, 1);
    assert.ok(outcomes.every((o) => o.caughtBy === "fallback"));
    const worst = Math.max(...outcomes.map((o) => o.detectionLatencySeconds));
    assert.ok(worst <= FALLBACK_CHECK_SECONDS + EVENT_ASSUMPTION.registrarSeconds, `worst ${worst} s`);
    assert.ok(worst > FALLBACK_CHECK_SECONDS / 2, `worst ${worst} s: some end falls early in a timeout`);
  });

  it("loss rates share the draws: an event lost at 1 % is lost at 10 %, and no copy resumes earlier with more loss", () => {
    const copies = generateOperations(600, 3).filter((op) => op.operation === "snapshot-copy");
    const draws = eventDraws(copies.length);
    const low = simulateEvents(copies, 0.01, draws);
    const high = simulateEvents(copies, 0.1, draws);
    low.forEach((o, i) => {
      assert.ok(high[i]!.detectionLatencySeconds >= o.detectionLatencySeconds);
      if (o.caughtBy === "fallback") assert.equal(high[i]!.caughtBy, "fallback");
    });
    assert.ok(
      high.filter((o) => o.caughtBy === "fallback").length > low.filter((o) => o.caughtBy === "fallback").length,
    );
  });

  it("draws the delay from the documented assumption: median, p99, cut, plus the handler's time", () => {
    const seconds = eventDraws(20_000).map((d) => d.eventSeconds);
    const { medianDelaySeconds: median, p99DelaySeconds: p99, maxDelaySeconds: cut, handlerSeconds } = EVENT_ASSUMPTION;
    const m = percentile(seconds, 50);
    assert.ok(m > median + handlerSeconds.min && m < median * 1.1 + handlerSeconds.max, `median ${m}`);
    const q = percentile(seconds, 99);
    assert.ok(q > p99 * 0.85 && q < p99 * 1.15 + handlerSeconds.max, `p99 ${q}`);
    assert.ok(Math.max(...seconds) <= cut + handlerSeconds.max);
    assert.deepEqual(eventDraws(5), eventDraws(5), "seeded");
  });

  it("figure 10 meets its targets and reports the poll design and DRACO on the same copies", () => {
    const data = eventLatencyFigure(1000);
    const result = figure10(data);
    assert.deepEqual(
      result.checks.map((c) => c.verdict),
      ["PASS", "PASS"],
    );
    const designs = data.rows.map((r) => r.design);
    assert.equal(designs.length, 6);
    assert.match(designs[4]!, /^poll/);
    assert.match(designs[5]!, /^DRACO/);
    const [none, , , all, poll, draco] = data.rows;
    assert.ok(none!.latencySeconds.median < poll!.latencySeconds.median);
    assert.ok(all!.latencySeconds.median > draco!.latencySeconds.median, "without events the fallback is slow");
    assert.ok(none!.turns.median < poll!.turns.median);
  });
});
