// Figure 10 (issue 13): detection latency of instance snapshot copies with completion by RDS's copy-finished
// event and a fallback check (eventSimulation.ts), at several event loss rates, beside the poll design of
// figure 1 and DRACO on the same copies.
import { FALLBACK_CHECK_SECONDS } from "../../functions/decisions/copyCompletion";
import { EVENT_ASSUMPTION, eventDraws, LOSS_RATES, simulateEvents } from "./eventSimulation";
import { ANCHORS, OPERATION_COUNT } from "./latency";
import { generateOperations, simulatePolling } from "./pollSimulation";
import { check, type FigureResult } from "./report";
import { percentile } from "./stats";

export interface Spread {
  median: number;
  p99: number;
  worst: number;
}

const spread = (values: number[]): Spread => ({
  median: percentile(values, 50),
  p99: percentile(values, 99),
  worst: Math.max(...values),
});

export interface DesignRow {
  design: string;
  /** Share of events lost (event design only). */
  lossRate?: number;
  latencySeconds: Spread;
  /** Invocations that checked the copy: registrar turns (event design), state machine turns (poll), polls (DRACO). */
  turns: Spread;
  /** RDS describe calls per copy (the event handler's own describe included when its event came). */
  describes: Spread;
  /** Copies whose end a fallback check caught (event design). */
  caughtByFallback?: number;
  /** Copies the poll schedule gave up on. */
  gaveUp: number;
}

const DRACO = ANCHORS.find((a) => a.name.startsWith("DRACO"))!;

export function eventLatencyFigure(count = OPERATION_COUNT) {
  // The instance snapshot copies among figure 1's operations (same generator, same seed).
  const copies = generateOperations(count, 1).filter((op) => op.operation === "snapshot-copy");
  const draws = eventDraws(copies.length);
  const rows: DesignRow[] = LOSS_RATES.map((lossRate) => {
    const outcomes = simulateEvents(copies, lossRate, draws);
    return {
      design: `event + fallback, ${lossRate * 100} % of events lost`,
      lossRate,
      latencySeconds: spread(outcomes.map((o) => o.detectionLatencySeconds)),
      turns: spread(outcomes.map((o) => o.registrarTurns)),
      describes: spread(outcomes.map((o) => o.registrarTurns + (o.caughtBy === "event" ? 1 : 0))),
      caughtByFallback: outcomes.filter((o) => o.caughtBy === "fallback").length,
      gaveUp: 0,
    };
  });
  for (const [design, run] of [
    ["poll (figure 1's schedule)", (i: number) => simulatePolling(copies[i]!)],
    [DRACO.name, (i: number) => DRACO.run(copies[i]!, i)],
  ] as const) {
    const outcomes = copies.map((_, i) => run(i));
    const seen = outcomes.filter((o) => o.detectionLatencySeconds !== undefined);
    rows.push({
      design,
      latencySeconds: spread(seen.map((o) => o.detectionLatencySeconds!)),
      turns: spread(outcomes.map((o) => o.stateMachineChecks)),
      describes: spread(outcomes.map((o) => o.polls)),
      gaveUp: outcomes.length - seen.length,
    });
  }
  return {
    operations: count,
    copies: copies.length,
    assumption: EVENT_ASSUMPTION,
    fallbackSeconds: FALLBACK_CHECK_SECONDS,
    rows,
  };
}

const round = (n: number) => Math.round(n);

export function figure10(data: ReturnType<typeof eventLatencyFigure>): Omit<FigureResult, "seconds"> {
  const { assumption: a, fallbackSeconds } = data;
  const at = (rate: number) => data.rows.find((r) => r.lossRate === rate)!;
  const bound = fallbackSeconds + a.registrarSeconds;
  return {
    figure: 10,
    title: `Detection latency with copy-finished events (${data.copies} instance snapshot copies of figure 1's ${data.operations} operations)`,
    method:
      "simulation: scripts/bench/eventSimulation.ts (FALLBACK_CHECK_SECONDS of functions/decisions/copyCompletion.ts) on figure 1's seeded operations; poll rows from simulatePolling",
    checks: [
      check(
        "median <= 30 s when events arrive (0 % lost)",
        `${round(at(0).latencySeconds.median)} s`,
        at(0).latencySeconds.median <= 30,
      ),
      check(
        `worst <= fallback bound (${fallbackSeconds} s + registrar ${a.registrarSeconds} s) when every event is lost`,
        `${round(at(1).latencySeconds.worst)} s`,
        at(1).latencySeconds.worst <= bound,
      ),
    ],
    tables: [
      {
        title: "Per copy: latency = the copy's end -> the run resuming; turns = invocations that checked the copy",
        headers: [
          "design",
          "median s",
          "p99 s",
          "worst s",
          "caught by fallback",
          "median turns",
          "p99 turns",
          "worst turns",
          "median describes",
          "given up",
        ],
        rows: data.rows.map((r) => [
          r.design,
          round(r.latencySeconds.median),
          round(r.latencySeconds.p99),
          round(r.latencySeconds.worst),
          r.caughtByFallback ?? "",
          r.turns.median,
          r.turns.p99,
          r.turns.worst,
          r.describes.median,
          r.gaveUp,
        ]),
      },
    ],
    notes: [
      `Event delay (assumption, AWS publishes none: RDS delivers events to EventBridge "in near-real time", "on a best effort basis"): log-normal, median ${a.medianDelaySeconds} s, p99 ${a.p99DelaySeconds} s, cut at ${a.maxDelaySeconds} s; plus the handler's ${a.handlerSeconds.min}-${a.handlerSeconds.max} s (uniform); seed ${a.seed}. A copy's event is lost when its draw is below the loss rate: the same draws at every rate.`,
      `Fallback: the registrar checks when the await starts and every ${fallbackSeconds} s after (the Task's fixed timeout); a check that sees the copy available resumes the run after the registrar's ${a.registrarSeconds} s.`,
      "Turns: event design, registrar invocations (1 + fallbacks that fired before the event); poll, state machine turns of the poll loop (its near-end watch checks inside one invocation); DRACO, one invocation per 300 s check.",
    ],
    data,
  };
}
