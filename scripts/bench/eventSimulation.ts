// Figure 10 (issue 13): how late the event design sees an instance snapshot copy finish. The run waits for a
// task token; RDS's copy-finished event (RDS-EVENT-0060 / 0197) reaches the copy-event handler, which completes
// it; when the event never comes, the registrar's fallback checks (every FALLBACK_CHECK_SECONDS of
// functions/decisions/copyCompletion.ts) catch the end. Pure and seeded: the same
// operations as figure 1 (pollSimulation.ts), the same draws for every loss rate.
import { FALLBACK_CHECK_SECONDS } from "../../functions/decisions/copyCompletion";
import { completionSeconds, observe, type SimulatedOperation, seededRandom } from "./pollSimulation";

/**
 * What the event design's latency rests on. AWS publishes no figure: RDS "delivers events to EventBridge in
 * near-real time" and "emits events on a best effort basis" (RDS / Aurora User Guide, "Monitoring Amazon RDS
 * events"; EventBridge events reference: RDS delivery type "Best effort"). The delay is therefore an assumption,
 * log-normal with the median and 99th percentile below, cut at `maxDelaySeconds`.
 */
export interface EventAssumption {
  /** Median seconds from the copy's end (RDS reports it available) to the event reaching the handler. */
  medianDelaySeconds: number;
  /** 99th percentile of that delay. */
  p99DelaySeconds: number;
  /** Longest delay drawn (the log-normal's tail is cut here). */
  maxDelaySeconds: number;
  /** The copy-event handler's time (describe, claim, SendTaskSuccess, the run resuming): uniform in this range. */
  handlerSeconds: { min: number; max: number };
  /** The registrar's time at a fallback check (describe, then completing the token itself). */
  registrarSeconds: number;
  seed: number;
}

export const EVENT_ASSUMPTION: EventAssumption = {
  medianDelaySeconds: 5,
  p99DelaySeconds: 60,
  maxDelaySeconds: 300,
  handlerSeconds: { min: 0.3, max: 2 },
  registrarSeconds: 1,
  seed: 13,
};

/** One copy's random draws, shared by every loss rate so that the rates differ only by the loss. */
export interface EventDraw {
  /** Uniform in [0, 1): the event is lost when this is below the loss rate. */
  loss: number;
  /** Seconds from the copy's end to the run resuming by the event (delay plus the handler's time). */
  eventSeconds: number;
}

const Z_99 = 2.3263478740408408;

/** Standard normal by Box-Muller from two uniforms of the seeded generator. */
function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function eventDraws(count: number, assumption: EventAssumption = EVENT_ASSUMPTION): EventDraw[] {
  const rand = seededRandom(assumption.seed);
  const sigma = Math.log(assumption.p99DelaySeconds / assumption.medianDelaySeconds) / Z_99;
  return Array.from({ length: count }, () => {
    const loss = rand();
    const delay = Math.min(assumption.maxDelaySeconds, assumption.medianDelaySeconds * Math.exp(sigma * normal(rand)));
    const { min, max } = assumption.handlerSeconds;
    return { loss, eventSeconds: delay + min + (max - min) * rand() };
  });
}

export interface EventOutcome {
  /** Registrar invocations: the first (token stored, copy described) plus one per fallback timeout that fired. */
  registrarTurns: number;
  /** From the copy's end to the run resuming. */
  detectionLatencySeconds: number;
  caughtBy: "event" | "fallback";
}

export interface AwaitOptions {
  /** The fallback timeout of every turn (the product's FALLBACK_CHECK_SECONDS unless a test says otherwise). */
  fallbackSeconds?: number;
  registrarSeconds?: number;
}

/**
 * One copy awaited with its event arriving `eventSeconds` after the end (Infinity: lost). The registrar checks
 * when the await starts (the copy was just requested) and again each time the fallback timeout expires first.
 */
export function awaitCopy(op: SimulatedOperation, eventSeconds: number, options: AwaitOptions = {}): EventOutcome {
  const fallbackSeconds = options.fallbackSeconds ?? FALLBACK_CHECK_SECONDS;
  const registrarSeconds = options.registrarSeconds ?? EVENT_ASSUMPTION.registrarSeconds;
  const end = completionSeconds(op);
  const eventAt = end + eventSeconds;
  let t = 0;
  let registrarTurns = 1;
  for (;;) {
    if (observe(op, t).done) {
      return { registrarTurns, detectionLatencySeconds: t + registrarSeconds - end, caughtBy: "fallback" };
    }
    const next = t + fallbackSeconds;
    if (eventAt <= next) return { registrarTurns, detectionLatencySeconds: eventAt - end, caughtBy: "event" };
    t = next;
    registrarTurns += 1;
  }
}

/** Loss rates figure 10 reports: none, rare, frequent, every event. */
export const LOSS_RATES = [0, 0.01, 0.1, 1];

export function simulateEvents(
  operations: SimulatedOperation[],
  lossRate: number,
  draws: EventDraw[] = eventDraws(operations.length),
  options: AwaitOptions = {},
): EventOutcome[] {
  if (draws.length < operations.length) throw new RangeError("simulateEvents: fewer draws than operations");
  return operations.map((op, i) => {
    const draw = draws[i]!;
    return awaitCopy(op, draw.loss < lossRate ? Number.POSITIVE_INFINITY : draw.eventSeconds, options);
  });
}
