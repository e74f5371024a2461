// Simulated RDS operations to evaluate the poll schedule against (issue 7, figure 1): RDS durations cannot
// happen on the emulator. Deterministic: the same seed always gives the same curves.
import {
  DEFAULT_POLL_BOUNDS,
  nextPoll,
  type PollBounds,
  type PollOperation,
  type PollState,
  pacedWait,
  recordCheck,
  watchInline,
} from "../../functions/pollSchedule";

export interface SimulatedOperation {
  operation: PollOperation;
  /** Time at 0 % before any progress (e.g. a copy waiting behind another copy of the same source). */
  queuedSeconds: number;
  /** Time from the first progress to 100 %. */
  activeSeconds: number;
  /** Time RDS still reports "creating" at 100 % before the snapshot is available. */
  tailSeconds: number;
  /** Cumulative share of progress at evenly spaced points of the active phase, from 0 to 1, non-decreasing. */
  curve: number[];
  /** false for operations that never report PercentProgress (restores). */
  reportsProgress: boolean;
}

export interface PollingOutcome {
  /** Every status check (one RDS describe call each). */
  polls: number;
  /** Checks that were a state machine turn (Wait -> check Task -> Choice): poll Lambda invocations. */
  stateMachineChecks: number;
  /** Time the poll Lambda slept in its near-end watch, over all invocations. */
  inlineSeconds: number;
  completedAtSeconds: number;
  /** Time from completion to the check that saw it; undefined if the schedule gave up first. */
  detectionLatencySeconds?: number;
  gaveUp?: string;
}

export function completionSeconds(op: SimulatedOperation): number {
  return op.queuedSeconds + op.activeSeconds + op.tailSeconds;
}

/** What a status check at time t sees: RDS reports whole percents. */
export function observe(op: SimulatedOperation, t: number): { done: boolean; percentProgress?: number } {
  if (t >= completionSeconds(op)) return { done: true, percentProgress: op.reportsProgress ? 100 : undefined };
  if (!op.reportsProgress) return { done: false };
  const x = clamp01((t - op.queuedSeconds) / op.activeSeconds) * (op.curve.length - 1);
  const i = Math.min(Math.floor(x), op.curve.length - 2);
  const share = op.curve[i] + (op.curve[i + 1] - op.curve[i]) * (x - i);
  return { done: false, percentProgress: Math.floor(100 * share) };
}

/**
 * Runs the schedule the way the state machine and the poll Lambda do: check right after the request, then
 * wait what nextPoll says, inside the Lambda while watchInline allows, otherwise in a state machine turn.
 * `trackQueue: false` drops queuedUntilSeconds, to show what a caller that does not carry it gets;
 * `turnBudget` paces the turns as the poll step does for a loop with that budget (pacedWait).
 */
export function simulatePolling(
  op: SimulatedOperation,
  bounds: PollBounds = DEFAULT_POLL_BOUNDS,
  options: { trackQueue: boolean; turnBudget?: number } = { trackQueue: true },
): PollingOutcome {
  const completedAtSeconds = completionSeconds(op);
  let t = 0;
  let state: PollState | undefined;
  let stateMachineChecks = 1;
  let inlineSeconds = 0;
  let slept = 0;
  let turnStartSeconds = 0;
  for (;;) {
    const seen = observe(op, t);
    state = {
      ...recordCheck(state, { operation: op.operation, elapsedSeconds: t, percentProgress: seen.percentProgress }),
      turns: stateMachineChecks,
      turnBudget: options.turnBudget,
    };
    if (!options.trackQueue) state.queuedUntilSeconds = undefined;
    const counts = { polls: state.polls, stateMachineChecks, inlineSeconds, completedAtSeconds };
    if (seen.done) return { ...counts, detectionLatencySeconds: t - completedAtSeconds };
    const decision = nextPoll(state, bounds);
    if (decision.action === "give-up") return { ...counts, gaveUp: decision.reason };
    const { waitSeconds } = decision;
    if (watchInline(decision, slept, bounds)) {
      slept += waitSeconds;
      inlineSeconds += waitSeconds;
      t += waitSeconds;
    } else {
      t += pacedWait(waitSeconds, { ...state, turnStartSeconds }, bounds);
      slept = 0;
      stateMachineChecks += 1;
      turnStartSeconds = t;
    }
  }
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

// mulberry32: a tiny seeded generator, so the benchmark and the tests see the same operations.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COPY_OPERATIONS: PollOperation[] = ["snapshot-create", "snapshot-copy", "cluster-snapshot-copy"];
const RESTORE_OPERATIONS: PollOperation[] = ["restore-instance", "restore-cluster"];

/**
 * Operations of 1 minute to 6 hours of work (log-uniform): progress linear on average with noisy speed, a
 * slow or fast finish, queued at 0 % beforehand for up to 30 minutes in one case of three, up to 5 minutes at 100 % before
 * RDS reports completion, and restores that report no progress at all.
 */
export function generateOperations(count: number, seed = 1): SimulatedOperation[] {
  const rand = seededRandom(seed);
  const operations: SimulatedOperation[] = [];
  for (let n = 0; n < count; n++) {
    const total = 60 * 360 ** rand();
    const restore = rand() < 0.2;
    const queued = !restore && rand() < 1 / 3 ? rand() * Math.min(1800, 2 * total) : 0;
    const tail = restore ? 0 : Math.min(rand() * 300, total * 0.1);
    const active = Math.max(total - tail, 30);
    const segments = 20;
    const speeds = Array.from({ length: segments }, () => 0.5 + rand());
    // The last tenth of the work runs from 3x slower to 2x faster than the rest: RDS often crawls at 9x %.
    const endFactor = 1 / 3 + rand() * (5 / 3);
    speeds[segments - 2] *= endFactor;
    speeds[segments - 1] *= endFactor;
    const durations = speeds.map((speed) => 1 / speed);
    const sum = durations.reduce((a, b) => a + b, 0);
    // Re-sample the piecewise curve onto an even time grid: equal work per segment, uneven time.
    const curve = [0];
    let time = 0;
    const boundaries = durations.map((d) => {
      time += d / sum;
      return time;
    });
    for (let k = 1; k <= segments; k++) {
      const at = k / segments;
      const j = boundaries.findIndex((b) => b >= at - 1e-12);
      const start = j === 0 ? 0 : boundaries[j - 1];
      curve.push((j + (at - start) / (boundaries[j] - start)) / segments);
    }
    const kinds = restore ? RESTORE_OPERATIONS : COPY_OPERATIONS;
    operations.push({
      operation: kinds[Math.floor(rand() * kinds.length)],
      queuedSeconds: queued,
      activeSeconds: active,
      tailSeconds: tail,
      curve: curve.map((c) => Math.min(1, c)),
      reportsProgress: !restore,
    });
  }
  return operations;
}
