// Figure 2 arithmetic: from what one replication did on the emulator (per step invocation: duration and the
// AWS calls it made; per execution: state transitions) to what it does when RDS takes minutes or hours, and
// what that costs. Pure: the emulator run (costRun.ts) supplies the measurements.

import type { PollOperation } from "../../functions/pollSchedule";
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
}

/** One long wait of the flow: which side polls it, with which step, and how long RDS takes. */
export interface Wait {
  name: string;
  side: "producer" | "consumer";
  pollStep: string;
  operation: PollOperation;
  seconds: number;
}

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

/**
 * The measured run plus, for each wait, the checks the emulator did not need (it finishes every operation at
 * once: one check per wait): each extra check repeats an average check of that step (its calls and its time);
 * each extra state machine check is one more poll invocation and one turn of the poll loop's states; the
 * near-end watch's sleep is billed at the poll step's memory.
 */
export function extrapolate(run: MeasuredRun, waits: Wait[], loopTransitions: number): CostTotals {
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
  for (const [side, pollStep] of new Set(waits.map((w) => [w.side, w.pollStep] as const))) {
    const checks = run.invocations.filter((i) => i.side === side && i.step === pollStep);
    const waitsHere = waits.filter((w) => w.side === side && w.pollStep === pollStep);
    if (checks.length !== waitsHere.length) {
      throw new Error(
        `${side} ${pollStep}: ${checks.length} checks on the emulator for ${waitsHere.length} waits; expected one each`,
      );
    }
  }
  for (const wait of waits) {
    const polling = pollingFor(wait);
    const checks = run.invocations.filter((i) => i.side === wait.side && i.step === wait.pollStep);
    // Each extra check costs what an average check cost on the emulator.
    for (const check of checks) count(check, (polling.polls - 1) / checks.length);
    const extraTurns = polling.stateMachineChecks - 1;
    invocations += extraTurns;
    transitions[wait.side] += extraTurns * loopTransitions;
    const memoryMb = checks.reduce((sum, c) => sum + c.memoryMb, 0) / checks.length;
    gbSeconds += (memoryMb / 1024) * polling.inlineSeconds;
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

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  ItemProcessor?: { States: Record<string, AslState> };
}

/**
 * States entered per turn of a poll loop (Wait -> check -> choice -> Wait), read from a state machine
 * definition: the shortest cycle through each Wait state; all loops must agree.
 */
export function pollLoopTransitions(definition: { States: Record<string, AslState> }): number {
  const lengths = new Set<number>();
  const visit = (states: Record<string, AslState>) => {
    for (const state of Object.values(states)) if (state.ItemProcessor) visit(state.ItemProcessor.States);
    const nexts = (s: AslState) => [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)].filter(Boolean);
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Wait") continue;
      // Breadth-first from the Wait back to itself.
      let frontier = [name];
      const seen = new Set<string>();
      for (let depth = 1; frontier.length > 0 && depth <= Object.keys(states).length; depth++) {
        const next = frontier.flatMap((n) => nexts(states[n]!) as string[]).filter((n) => !seen.has(n));
        if (next.includes(name)) {
          lengths.add(depth);
          break;
        }
        for (const n of next) seen.add(n);
        frontier = next;
      }
    }
  };
  visit(definition.States);
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
