// Step Functions limits (figure 8): no execution's history grows with the number of databases, and each stays
// under 25,000 events on a realistic run; counted from the very definitions the program deploys.
import { strict as assert } from "node:assert";
import {
  consumerDefinition,
  producerDatabaseDefinition,
  producerDispatchDefinition,
} from "../../../components/stateMachines";
import { stepsOf } from "../../../functions/catalog";
import { DEFAULT_POLL_BOUNDS } from "../../../functions/decisions/pollSchedule";
import {
  HISTORY_LIMIT_EVENTS,
  historyEvents,
  historyRows,
  maxAwaitTurns,
  producerLoopBound,
  realisticWorstChecks,
  SCALE,
} from "../../../scripts/bench/stepFunctionsLimits";
import { MAX_DESTINATION_REGIONS } from "../../../stack/config";
import { fakeLambdaArns } from "../../../testkit";

const arns = (side: "producer" | "consumer") =>
  fakeLambdaArns(
    stepsOf(side).map((s) => s.key),
    "111111111111",
    "eu-west-1",
  );

describe("bench: Step Functions history events", () => {
  it("counts a run's events from the definition: one check per loop, the plain path", () => {
    // Take snapshot? 2, Take snapshot 5, source loop 5+2, Prepare transit 5, Transit admitted? 2, Map 4 + per
    // region (2 + awaits event? 2 + the await's waitForTaskToken Task 6 + 5), Prune 5, Notify 5, Any failure? 2,
    // Done 2, execution 2.
    const oneRegion = 2 + 5 + 7 + 5 + 2 + 4 + 15 + 5 + 5 + 2 + 2 + 2;
    const database = producerDatabaseDefinition(arns("producer"));
    assert.equal(historyEvents(database, { checks: 1, mapItems: 1 }), oneRegion);
    // Each further poll turn adds Wait (2), the check Task (5) and the Choice (2): the source snapshot's loop only,
    // an instance transit copy awaits its event.
    assert.equal(historyEvents(database, { checks: 2, mapItems: 1 }) - oneRegion, 9);
    // Each further await turn (a fallback timeout) adds the waitForTaskToken Task's 6 events, nothing else.
    assert.equal(historyEvents(database, { checks: 1, awaitTurns: 4, mapItems: 1 }) - oneRegion, 3 * 6);
    // A cluster transit copy polls instead: its loop (5 + 2) in place of the await (6), and turns as the source's.
    const cluster = historyEvents(database, { checks: 1, clusterCopies: true, mapItems: 1 });
    assert.equal(cluster - oneRegion, 7 - 6);
    assert.equal(historyEvents(database, { checks: 2, clusterCopies: true, mapItems: 1 }) - cluster, 2 * 9);
    // Each wait for a transit copy slot adds Wait (2), the transit Task (5) and the Choice (2).
    assert.equal(
      historyEvents(producerDatabaseDefinition(arns("producer")), { checks: 1, admissionWaits: 3, mapItems: 1 }) -
        oneRegion,
      3 * 9,
    );
  });

  it("the dispatch has no loop and no Map: its history is the same for 1 or 500 databases", () => {
    const dispatch = producerDispatchDefinition(arns("producer")) as { States: Record<string, { Type: string }> };
    assert.deepEqual(
      Object.values(dispatch.States).filter((s) => s.Type === "Map" || s.Type === "Wait"),
      [],
    );
    const events = historyEvents(dispatch, { checks: 1000, mapItems: 500 });
    assert.equal(events, historyEvents(dispatch, { checks: 1, mapItems: 1 }));
    assert.ok(events < 20);
  });

  it("a per-database run grows with its destination regions only, and stays under 25,000 events on a realistic run", () => {
    const database = producerDatabaseDefinition(arns("producer")) as {
      States: Record<string, { Type: string; ItemsPath?: string }>;
    };
    // Its only Map iterates the destination regions of the one database it runs for.
    assert.deepEqual(
      Object.values(database.States)
        .filter((s) => s.Type === "Map")
        .map((s) => s.ItemsPath),
      ["$.transits"],
    );
    const realistic = realisticWorstChecks();
    assert.ok(realistic > 1 && realistic < 1000, `${realistic} turns`);
    const rows = historyRows();
    for (const machine of ["producer dispatch", "producer per database", "consumer (with restore)"]) {
      const [nominal, worst] = rows.filter((r) => r.machine === machine);
      assert.ok(nominal && nominal.events < HISTORY_LIMIT_EVENTS, machine);
      assert.ok(worst && worst.events < HISTORY_LIMIT_EVENTS, `${machine}: ${worst?.events}`);
    }
    const consumer = consumerDefinition(arns("consumer"));
    assert.ok(historyEvents(consumer, { checks: 1000, mapItems: SCALE.regions }) < HISTORY_LIMIT_EVENTS);
  });

  it("with every poll loop at its bound, no execution passes 25,000 events, for any number of destination regions", () => {
    for (const row of historyRows())
      assert.ok(row.events < HISTORY_LIMIT_EVENTS, `${row.machine}, ${row.path}: ${row.events}`);
    const database = producerDatabaseDefinition(arns("producer"));
    for (let regions = 1; regions <= MAX_DESTINATION_REGIONS; regions++) {
      const checks = producerLoopBound(regions);
      for (const run of [{ clusterCopies: true }, { awaitTurns: maxAwaitTurns() }]) {
        const events = historyEvents(database, { checks, mapItems: regions, ...run });
        assert.ok(events < HISTORY_LIMIT_EVENTS, `${regions} regions, ${JSON.stringify(run)}: ${events} events`);
      }
    }
    // The await's bound: the copy's time limit over the fallback timeout a new copy starts with, plus one turn.
    assert.equal(maxAwaitTurns(), 86_400 / 1800 + 1);
    // Up to one region, the turn budget leaves the per-loop bound as it was (maxPolls).
    assert.equal(producerLoopBound(1), DEFAULT_POLL_BOUNDS.maxPolls);
    assert.ok(MAX_DESTINATION_REGIONS >= 30);
  });
});
