// Figure 1: what polling adds between "RDS finished" and "the flow moved on". The engine's schedule
// (functions/pollSchedule.ts, run by scripts/bench/pollSimulation.ts exactly as the state machine runs it) and the
// anchors' fixed policies are all evaluated on the same seeded operations.
import {
  completionSeconds,
  generateOperations,
  type PollingOutcome,
  type SimulatedOperation,
  simulatePolling,
} from "./pollSimulation";
import { type Summary, summarize } from "./stats";

export interface PollingPolicy {
  name: string;
  run(op: SimulatedOperation, index: number): PollingOutcome;
}

/** Fixed schedules check from a timer: every check is an invocation, none waits inside one. */
const scheduled = (polls: number, completedAtSeconds: number, detectionLatencySeconds: number): PollingOutcome => ({
  polls,
  stateMachineChecks: polls,
  inlineSeconds: 0,
  completedAtSeconds,
  detectionLatencySeconds,
});

/** Checks at request time and every `seconds` after it (DRACO: 300 s; rds-snapshot-tool: 10-30 min). */
export function fixedInterval(name: string, seconds: number): PollingPolicy {
  return {
    name,
    run(op) {
      const done = completionSeconds(op);
      const checks = Math.ceil(done / seconds);
      return scheduled(checks + 1, done, checks * seconds - done);
    },
  };
}

// Operation i starts at this share of the cron period: a golden-ratio sequence spreads the starts evenly.
const phase = (index: number) => ((index + 0.5) * 0.6180339887498949) % 1;

/** A cron that looks every `seconds` whatever is running (the seed designs), started at any phase of it. */
export function cron(name: string, seconds: number): PollingPolicy {
  return {
    name,
    run(op, index) {
      const done = completionSeconds(op);
      const first = phase(index) * seconds;
      const checks = done <= first ? 0 : Math.ceil((done - first) / seconds);
      return scheduled(checks + 1, done, first + checks * seconds - done);
    },
  };
}

export const ENGINE: PollingPolicy = { name: "rds-replication (adaptive)", run: (op) => simulatePolling(op) };

export const ANCHORS: PollingPolicy[] = [
  fixedInterval("DRACO (every 300 s)", 300),
  fixedInterval("rds-snapshot-tool (every 15 min)", 900),
  cron("cron (hourly)", 3600),
];

export const BANDS: { name: string; upTo: number }[] = [
  { name: "1-10 min", upTo: 600 },
  { name: "10-60 min", upTo: 3600 },
  { name: "1-3 h", upTo: 3 * 3600 },
  { name: "3-6 h+", upTo: Number.POSITIVE_INFINITY },
];

export function bandOf(seconds: number): string {
  return BANDS.find((b) => seconds <= b.upTo)!.name;
}

export interface GroupStats {
  policy: string;
  group: string;
  latency: Summary;
  polls: Summary;
  stateMachineChecks: Summary;
  gaveUp: number;
}

function stats(policy: string, group: string, outcomes: PollingOutcome[]): GroupStats {
  const seen = outcomes.filter((o) => o.detectionLatencySeconds !== undefined);
  return {
    policy,
    group,
    latency: summarize(seen.length > 0 ? seen.map((o) => o.detectionLatencySeconds!) : [Number.NaN]),
    polls: summarize(outcomes.map((o) => o.polls)),
    stateMachineChecks: summarize(outcomes.map((o) => o.stateMachineChecks)),
    gaveUp: outcomes.length - seen.length,
  };
}

/** Per policy: all operations, then by operation kind, then by duration band (queue + work + tail). */
export function evaluatePolicies(
  operations: SimulatedOperation[],
  policies: PollingPolicy[],
): { overall: GroupStats[]; byKind: GroupStats[]; byBand: GroupStats[] } {
  const overall: GroupStats[] = [];
  const byKind: GroupStats[] = [];
  const byBand: GroupStats[] = [];
  for (const policy of policies) {
    const outcomes = operations.map((op, i) => ({ op, outcome: policy.run(op, i) }));
    overall.push(
      stats(
        policy.name,
        "all",
        outcomes.map((o) => o.outcome),
      ),
    );
    const group = (key: (op: SimulatedOperation) => string, names: string[], into: GroupStats[]) => {
      for (const name of names) {
        const members = outcomes.filter((o) => key(o.op) === name).map((o) => o.outcome);
        if (members.length > 0) into.push(stats(policy.name, name, members));
      }
    };
    group((op) => op.operation, [...new Set(operations.map((op) => op.operation))].sort(), byKind);
    group(
      (op) => bandOf(completionSeconds(op)),
      BANDS.map((b) => b.name),
      byBand,
    );
  }
  return { overall, byKind, byBand };
}

export const OPERATION_COUNT = 5000;

export function latencyFigure(count = OPERATION_COUNT) {
  const operations = generateOperations(count, 1);
  return { operations: operations.length, ...evaluatePolicies(operations, [ENGINE, ...ANCHORS]) };
}
