// Figure 2 arithmetic: from what one replication did on the emulator (per step invocation: duration and the
// AWS calls it made; per execution: state transitions) to what it does when RDS takes minutes or hours, and
// what that costs. Pure: the emulator run (costRun.ts) supplies the measurements.

import { STEPS } from "../../functions/catalog";
import type { PollOperation } from "../../functions/decisions/pollSchedule";
import { awaitCopy } from "./eventSimulation";
import { type PollingOutcome, type SimulatedOperation, simulatePolling } from "./pollSimulation";

// List price as of 2026-11-22 (us-east-1, public AWS pricing pages, as quoted in issue 7's benchmark brief; no
// network here to re-check them). Free tiers are ignored.
export const PRICES = {
  /** Step Functions standard workflows, per state transition ($0.025 per 1,000). */
  stateTransition: 0.025 / 1000,
  /** Lambda, per request ($0.20 per 1M). */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda x86, per GB-second. */
  lambdaGbSecond: 0.0000166667,
  /** SNS publish, per request ($0.50 per 1M). */
  snsPublish: 0.5 / 1_000_000,
  /** KMS, per API request ($0.03 per 10,000). */
  kmsRequest: 0.03 / 10_000,
  /** Secrets Manager, per API call ($0.05 per 10,000). */
  secretsCall: 0.05 / 10_000,
} as const;

export interface ApiCall {
  service: string;
  operation: string;
}

export interface Invocation {
  side: "producer" | "consumer";
  step: string;
  memoryMb: number;
  /** Wall time of the handler, milliseconds (Lambda bills duration rounded up to 1 ms). */
  ms: number;
  calls: ApiCall[];
}

export interface MeasuredRun {
  invocations: Invocation[];
  /** State transitions per side (Step Functions bills each state entered, retries included). */
  transitions: Record<"producer" | "consumer", number>;
  /**
   * Copy-event handler invocations measured apart from the replication (one delivered copy-finished event each):
   * on the emulator every copy is available at once, so the registrar completes each wait itself and no event
   * is needed during the run.
   */
  eventDeliveries?: Invocation[];
}

/** One long wait of the flow: which side polls it, with which step, and how long RDS takes. */
export interface Wait {
  name: string;
  side: "producer" | "consumer";
  pollStep: string;
  operation: PollOperation;
  seconds: number;
  /** The registrar that waits for this wait's task token, where its definition awaits the copy-finished event. */
  awaitStep?: string;
  /** The handler RDS's copy-finished event of this wait is delivered to. */
  eventStep?: string;
}

/** Per registrar step of a definition: states entered per fallback turn (States.Timeout caught back to the Task). */
export type AwaitLoops = Record<string, number>;

export interface CostTotals {
  lambdaInvocations: number;
  gbSeconds: number;
  transitions: number;
  apiCalls: number;
  callsByService: Record<string, number>;
  callsByOperation: Record<string, number>;
  dollars: Record<"stepFunctions" | "lambda" | "sns" | "kms" | "secretsManager" | "total", number>;
}

/** An operation whose progress grows steadily from the request to its end. */
export function steadyOperation(operation: PollOperation, seconds: number): SimulatedOperation {
  return {
    operation,
    queuedSeconds: 0,
    activeSeconds: seconds,
    tailSeconds: 0,
    curve: Array.from({ length: 21 }, (_, i) => i / 20),
    reportsProgress: true,
  };
}

/** How the engine polls one wait until it sees the operation done: checks, state machine turns, inline sleep. */
export function pollingFor(wait: Wait): PollingOutcome {
  const outcome = simulatePolling(steadyOperation(wait.operation, wait.seconds));
  if (outcome.gaveUp) throw new Error(`${wait.name}: the schedule gave up: ${outcome.gaveUp}`);
  return outcome;
}

function add(into: Record<string, number>, key: string, n: number): void {
  into[key] = (into[key] ?? 0) + n;
}

/** Registrar invocations of an event-awaited wait: the first plus each fallback timeout that expires before a
 * copy of steady progress ends (its event is taken to arrive at the end). */
export function registrarTurnsFor(wait: Wait): number {
  return awaitCopy(steadyOperation(wait.operation, wait.seconds), 0).registrarTurns;
}

/** Whether the definitions await this wait's event: its registrar is the Task of a waitForTaskToken loop. */
export function awaitsEvent(wait: Wait, awaits: AwaitLoops): boolean {
  return wait.awaitStep !== undefined && awaits[wait.awaitStep] !== undefined;
}

function invocationsOf(run: MeasuredRun, side: Wait["side"], step: string): Invocation[] {
  return run.invocations.filter((i) => i.side === side && i.step === step);
}

/** The emulator finished every operation at once: each wait was checked by one invocation of its step. */
function checkOnePerWait(run: MeasuredRun, waits: Wait[], stepOf: (w: Wait) => string): void {
  for (const [side, step] of new Set(waits.map((w) => [w.side, stepOf(w)] as const))) {
    const checks = invocationsOf(run, side, step);
    const waitsHere = waits.filter((w) => w.side === side && stepOf(w) === step);
    if (checks.length !== waitsHere.length) {
      throw new Error(
        `${side} ${step}: ${checks.length} checks on the emulator for ${waitsHere.length} waits; expected one each`,
      );
    }
  }
}

/**
 * The measured run plus, for each wait, what the emulator did not need (it finishes every operation at once: one
 * check per wait). A polled wait: each extra check repeats an average check of that step (its calls and its time);
 * each extra state machine check is one more poll invocation and one turn of the poll loop's states; the
 * near-end watch's sleep is billed at the poll step's memory. A wait the definitions await by event (`awaits`,
 * read from them by awaitLoops): each fallback turn repeats an average registrar invocation and the await loop's
 * states, and the copy-finished event costs one invocation of its handler (measured apart, `eventDeliveries`).
 */
export function extrapolate(
  run: MeasuredRun,
  waits: Wait[],
  loopTransitions: number,
  awaits: AwaitLoops = {},
): CostTotals {
  const callsByService: Record<string, number> = {};
  const callsByOperation: Record<string, number> = {};
  let gbSeconds = 0;
  let invocations = 0;
  const count = (inv: Invocation, weight: number) => {
    const billed = Math.ceil(inv.ms);
    gbSeconds += (inv.memoryMb / 1024) * (billed / 1000) * weight;
    for (const call of inv.calls) {
      add(callsByService, call.service, weight);
      add(callsByOperation, `${call.service}:${call.operation}`, weight);
    }
  };
  for (const inv of run.invocations) count(inv, 1);
  invocations += run.invocations.length;
  const transitions = { ...run.transitions };
  const awaited = waits.filter((w) => awaitsEvent(w, awaits));
  const polled = waits.filter((w) => !awaitsEvent(w, awaits));
  checkOnePerWait(run, polled, (w) => w.pollStep);
  checkOnePerWait(run, awaited, (w) => w.awaitStep!);
  for (const wait of polled) {
    const polling = pollingFor(wait);
    const checks = invocationsOf(run, wait.side, wait.pollStep);
    // Each extra check costs what an average check cost on the emulator.
    for (const check of checks) count(check, (polling.polls - 1) / checks.length);
    const extraTurns = polling.stateMachineChecks - 1;
    invocations += extraTurns;
    transitions[wait.side] += extraTurns * loopTransitions;
    const memoryMb = checks.reduce((sum, c) => sum + c.memoryMb, 0) / checks.length;
    gbSeconds += (memoryMb / 1024) * polling.inlineSeconds;
  }
  for (const wait of awaited) {
    const fallbacks = registrarTurnsFor(wait) - 1;
    const registrars = invocationsOf(run, wait.side, wait.awaitStep!);
    for (const registrar of registrars) count(registrar, fallbacks / registrars.length);
    invocations += fallbacks;
    transitions[wait.side] += fallbacks * awaits[wait.awaitStep!]!;
    const handled = (run.eventDeliveries ?? []).filter((i) => i.side === wait.side && i.step === wait.eventStep);
    if (handled.length === 0) {
      throw new Error(
        `${wait.name}: no measured invocation of ${wait.side} ${wait.eventStep} (the copy-event handler)`,
      );
    }
    for (const handler of handled) count(handler, 1 / handled.length);
    invocations += 1;
  }
  const totalTransitions = transitions.producer + transitions.consumer;
  const apiCalls = Object.values(callsByService).reduce((a, b) => a + b, 0);
  const dollars = {
    stepFunctions: totalTransitions * PRICES.stateTransition,
    lambda: invocations * PRICES.lambdaRequest + gbSeconds * PRICES.lambdaGbSecond,
    sns: (callsByOperation["SNS:Publish"] ?? 0) * PRICES.snsPublish,
    kms: (callsByService.KMS ?? 0) * PRICES.kmsRequest,
    secretsManager: (callsByService["Secrets Manager"] ?? 0) * PRICES.secretsCall,
    total: 0,
  };
  dollars.total = dollars.stepFunctions + dollars.lambda + dollars.sns + dollars.kms + dollars.secretsManager;
  return {
    lambdaInvocations: invocations,
    gbSeconds,
    transitions: totalTransitions,
    apiCalls,
    callsByService,
    callsByOperation,
    dollars,
  };
}

/**
 * The measured run as the poll design would have made it, for the "previous design: polling" rows once the
 * definitions await the copies' events: each awaited wait's registrar invocation becomes one check of its poll
 * step, costing what a measured check of that step cost, or of a step with the same handler (producer-poll and
 * consumer-poll are one handler, functions/steps/poll.ts), and its first pass is the poll loop's check and choice
 * (loopTransitions - 1 states) instead of the await Task alone. A run without registrar invocations is returned as
 * it is.
 */
export function asPolling(run: MeasuredRun, waits: Wait[], loopTransitions: number): MeasuredRun {
  const awaited = waits.filter((w) => w.awaitStep !== undefined && invocationsOf(run, w.side, w.awaitStep).length > 0);
  if (awaited.length === 0) return run;
  const handlerOf = (key: string) => {
    const step = STEPS.find((s) => s.key === key);
    return step?.overClock ?? step?.handler;
  };
  const measuredCheck = (wait: Wait) =>
    invocationsOf(run, wait.side, wait.pollStep)[0] ??
    run.invocations.find((i) => handlerOf(i.step) !== undefined && handlerOf(i.step) === handlerOf(wait.pollStep));
  const invocations = [...run.invocations];
  const transitions = { ...run.transitions };
  for (const wait of awaited) {
    const check = measuredCheck(wait);
    if (!check) throw new Error(`${wait.name}: no poll check measured to stand for the polling design`);
    const at = invocations.findIndex((i) => i.side === wait.side && i.step === wait.awaitStep);
    invocations.splice(at, 1, { ...check, side: wait.side, step: wait.pollStep });
    transitions[wait.side] += loopTransitions - 1 - 1;
  }
  return { ...run, invocations, transitions };
}

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  ItemProcessor?: { States: Record<string, AslState> };
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
}

type Definition = { States: Record<string, AslState> };

const nextsOf = (s: AslState) =>
  [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter(
    (n): n is string => n !== undefined,
  );

/** States entered from `from` until `to` is entered again (breadth-first; `to` counted), or undefined. */
function shortestPath(states: Record<string, AslState>, from: string, to: string): number | undefined {
  let frontier = [from];
  const seen = new Set<string>([from]);
  for (let depth = 1; frontier.length > 0; depth++) {
    if (frontier.includes(to)) return depth;
    const next = frontier.flatMap((n) => nextsOf(states[n]!)).filter((n) => !seen.has(n));
    for (const n of next) seen.add(n);
    frontier = [...new Set(next)];
  }
  return undefined;
}

function eachStates(definition: Definition, visit: (states: Record<string, AslState>) => void): void {
  const walk = (states: Record<string, AslState>) => {
    visit(states);
    for (const state of Object.values(states)) if (state.ItemProcessor) walk(state.ItemProcessor.States);
  };
  walk(definition.States);
}

export const WAIT_FOR_TASK_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken";

/** The step a Lambda ARN names (the function name, without a version or alias). */
const stepOfArn = (arn: string) => /:function:([^:]+)/.exec(arn)?.[1] ?? arn;

/**
 * Per registrar step, the states entered by one fallback turn of its await loop, read from a definition: a
 * waitForTaskToken Task invoking the step, whose States.Timeout catch leads back to it (each turn re-invokes the
 * registrar). A Task that retries States.Timeout would wait again without a check, against the model: refused.
 */
export function awaitLoops(definition: Definition): AwaitLoops {
  const loops: AwaitLoops = {};
  eachStates(definition, (states) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Task" || state.Resource !== WAIT_FOR_TASK_TOKEN) continue;
      const functionName = state.Parameters?.FunctionName;
      if (typeof functionName !== "string") throw new Error(`${name}: waitForTaskToken Task without a FunctionName`);
      const step = stepOfArn(functionName);
      const timeout = (state.Catch ?? []).find((c) => c.ErrorEquals.includes("States.Timeout"));
      if (!timeout) throw new Error(`${name}: no States.Timeout catch, so no fallback check`);
      if ((state.Retry ?? []).some((r) => r.ErrorEquals.some((e) => e === "States.Timeout" || e === "States.ALL"))) {
        throw new Error(`${name}: retries States.Timeout, so a fallback would wait again without a check`);
      }
      const turn = shortestPath(states, timeout.Next, name);
      if (turn === undefined) throw new Error(`${name}: its States.Timeout catch does not lead back to it`);
      if (loops[step] !== undefined && loops[step] !== turn) {
        throw new Error(`${step}: await loops of different lengths (${loops[step]}, ${turn})`);
      }
      loops[step] = turn;
    }
  });
  return loops;
}

/**
 * States entered per turn of a poll loop (Wait -> check -> choice -> Wait), read from a state machine
 * definition: the shortest cycle through each Wait state; all loops must agree.
 */
export function pollLoopTransitions(definition: Definition): number {
  const lengths = new Set<number>();
  eachStates(definition, (states) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Wait" || state.Next === undefined) continue;
      const turn = shortestPath(states, state.Next, name);
      if (turn !== undefined) lengths.add(turn);
    }
  });
  if (lengths.size !== 1) throw new Error(`poll loops of different lengths: ${[...lengths].join(", ") || "none"}`);
  return [...lengths][0]!;
}

// DRACO's own published estimate (aws-samples/aws-draco, COST.md): 5-minute polling, a 10-15 minute copy,
// Lambda at the old 100 ms billing granularity, no free tier.
export const DRACO_PUBLISHED = {
  perSnapshotDollars: 1.375e-3,
  source: "aws-samples/aws-draco COST.md: producer $0.687e-3 + consumer $0.688e-3 per snapshot (10-15 min copy)",
  transitionsPerPollIteration: 9,
  detail: "wait4copy: 9 transitions per 5-minute poll iteration; 10 databases daily for a year ~ $5",
};
