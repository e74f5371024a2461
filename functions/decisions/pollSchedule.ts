// When to look again at a long RDS operation (snapshot create/copy, restore). RDS emits no reliable
// completion event for every case (DESIGN.md), so completion is polled; this decides the waits. Pure and
// stateless apart from what the caller carries between polls, so a state machine can call it from a Lambda.

export type PollOperation =
  | "snapshot-create"
  | "snapshot-copy"
  | "cluster-snapshot-copy"
  | "restore-instance"
  | "restore-cluster";

export interface PollState {
  operation: PollOperation;
  /** Seconds since the operation was requested. */
  elapsedSeconds: number;
  /** Status checks made so far. */
  polls: number;
  /** RDS PercentProgress of the last check (absent for operations that do not report it, e.g. restores). */
  percentProgress?: number;
  /**
   * Optional: elapsedSeconds of the last check that still saw 0 % (the operation was queued). Carrying it
   * lets the estimate ignore queue time; without it a long queue makes the estimate pessimistic about speed.
   */
  queuedUntilSeconds?: number;
  /** elapsedSeconds of the check before this one (set by recordCheck). */
  previousCheckSeconds?: number;
  /** State machine turns (poll step invocations) of this loop so far, the current one included. */
  turns?: number;
  /** Most turns this loop may take (turnBudget): its share of the execution's history. Absent: maxPolls only. */
  turnBudget?: number;
}

export type PollDecision = { action: "wait"; waitSeconds: number } | { action: "give-up"; reason: string };

export interface PollBounds {
  maxPolls: number;
  maxTotalSeconds: Record<PollOperation, number>;
  minWaitSeconds: number;
  maxWaitSeconds: number;
  /**
   * Longest wait while a copy reports 0 % (queued). Longer than the detection target: RDS operations take
   * over a minute, so one that starts just after a check is still running at the next.
   */
  queuedMaxWaitSeconds: number;
  /** Longest wait for an operation that reports no progress at all (restores): completion can come any time. */
  blindMaxWaitSeconds: number;
  /**
   * Detection slack: added to every progress-based wait, so completion is seen at most this late while the
   * work speeds up no more than the schedule allows (speedUp); also the wait at 100 % until RDS is done.
   */
  nearEndSeconds: number;
  /** A wait this short is slept inside the poll Lambda (the near-end watch) instead of a state machine turn. */
  inlineWaitSeconds: number;
  /** Longest the poll Lambda sleeps in one invocation; the poll steps' timeout leaves room for it. */
  inlineBudgetSeconds: number;
}

const HOUR = 3600;

/**
 * Poll turns of all loops of one execution together. A turn (Wait, check Task, Choice) is 9 history events;
 * 2,200 turns are 19,800 events; the transit step's admission loop may take ADMISSION.turnBudget (400) more
 * (3,600 events, functions/decisions/admission.ts), which leaves the 25,000-event limit (Step Functions quotas) about
 * 1,600 events for the states outside the loops (about 40 plus 14 per destination region, so at most 700 for
 * the 46 regions the config knows) and Lambda retries.
 */
export const EXECUTION_TURN_BUDGET = 2_200;

/** Each loop's share when `loops` poll loops may run in one execution (the producer: 1 + its regions). */
export const turnBudget = (loops: number): number => Math.floor(EXECUTION_TURN_BUDGET / loops);

export const DEFAULT_POLL_BOUNDS: PollBounds = {
  maxPolls: 1000,
  maxTotalSeconds: {
    "snapshot-create": 12 * HOUR,
    "snapshot-copy": 24 * HOUR,
    "cluster-snapshot-copy": 24 * HOUR,
    "restore-instance": 12 * HOUR,
    "restore-cluster": 12 * HOUR,
  },
  minWaitSeconds: 15,
  maxWaitSeconds: 3600,
  queuedMaxWaitSeconds: 90,
  blindMaxWaitSeconds: 60,
  nearEndSeconds: 30,
  inlineWaitSeconds: 45,
  inlineBudgetSeconds: 450,
};

// How many times faster than the average so far the rest of the work may run. The fewer percents are left,
// the fewer stretches of RDS's noisy speed average out (and a copy often speeds up or crawls at 9x %); the
// fewer are done, the less the average so far says. Measured on the simulated operations: about 2 at 1-10 %,
// 1.6 at half way, up to 2.7 at 85-95 %; this stays above that.
const speedUp = (doneShare: number) => 1 + 0.6 / Math.sqrt(Math.max(1 - doneShare, 0.01)) + 0.1 / Math.sqrt(doneShare);
// The first progress reading after a queue comes from a start somewhere since the last 0 % check, so it bounds
// the speed from below only: look again within this many times the time since that check.
const FIRST_READING_FACTOR = 2;
// While queued, wait this share of the time already spent, so short queues are checked often and long ones
// cost few polls.
const QUEUED_FRACTION = 0.5;

/**
 * The state after a status check, built from the state before it: counts the poll and tracks the end of the
 * queue. The caller (the state machine's check step) carries the result to the next check.
 */
export function recordCheck(
  previous: PollState | undefined,
  check: { operation: PollOperation; elapsedSeconds: number; percentProgress?: number },
): PollState {
  const queuedUntilSeconds = check.percentProgress === 0 ? check.elapsedSeconds : previous?.queuedUntilSeconds;
  return {
    ...check,
    polls: (previous?.polls ?? 0) + 1,
    ...(queuedUntilSeconds === undefined ? {} : { queuedUntilSeconds }),
    ...(previous && previous.polls > 0 ? { previousCheckSeconds: previous.elapsedSeconds } : {}),
  };
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

export function nextPoll(state: PollState, bounds: PollBounds = DEFAULT_POLL_BOUNDS): PollDecision {
  const { operation, elapsedSeconds, polls } = state;
  const limit = bounds.maxTotalSeconds[operation];
  if (!Object.hasOwn(bounds.maxTotalSeconds, operation))
    throw new RangeError(`nextPoll: unknown operation "${operation}"`);
  if (!Number.isFinite(elapsedSeconds) || elapsedSeconds < 0) {
    throw new RangeError(`nextPoll: elapsedSeconds must be a non-negative number, got ${elapsedSeconds}`);
  }
  if (!Number.isInteger(polls) || polls < 0) throw new RangeError(`nextPoll: polls must be a non-negative integer`);
  if (state.percentProgress !== undefined && !Number.isFinite(state.percentProgress)) {
    throw new RangeError(`nextPoll: percentProgress must be a number, got ${state.percentProgress}`);
  }
  if (polls >= bounds.maxPolls) {
    return { action: "give-up", reason: `${operation}: poll limit reached (${polls} of maxPolls ${bounds.maxPolls})` };
  }
  if (elapsedSeconds >= limit) {
    return {
      action: "give-up",
      reason: `${operation}: time limit reached (${Math.round(elapsedSeconds)} s of maxTotalSeconds ${limit} s)`,
    };
  }
  // With pacedWait the budget lasts until the time limit, so this is reached only if a caller did not pace.
  if (state.turnBudget !== undefined && (state.turns ?? 0) >= state.turnBudget) {
    return {
      action: "give-up",
      reason: `${operation}: turn budget of this execution reached (${state.turns} of ${state.turnBudget} turns)`,
    };
  }

  const progress = clamp(state.percentProgress ?? 0, 0, 100);
  let wait: number;
  if (state.percentProgress === undefined) {
    wait = clamp(QUEUED_FRACTION * elapsedSeconds, bounds.minWaitSeconds, bounds.blindMaxWaitSeconds);
  } else if (progress === 0) {
    wait = clamp(QUEUED_FRACTION * elapsedSeconds, bounds.minWaitSeconds, bounds.queuedMaxWaitSeconds);
  } else {
    const activeSeconds = elapsedSeconds - clamp(state.queuedUntilSeconds ?? 0, 0, elapsedSeconds);
    // RDS rounds progress down: assume the fastest speed the reading allows.
    const done = Math.min(progress + 1, 100);
    const remaining = (activeSeconds * (100 - done)) / done;
    // Far from the end, look again when it may come at the earliest (plus the detection slack): few checks,
    // never late unless the work speeds up more than speedUp allows.
    const earliestEnd = remaining / speedUp(done / 100);
    wait = earliestEnd + bounds.nearEndSeconds;
    if (state.previousCheckSeconds !== undefined && state.previousCheckSeconds === state.queuedUntilSeconds) {
      wait = Math.min(wait, FIRST_READING_FACTOR * Math.max(activeSeconds, bounds.nearEndSeconds));
    }
    // Once the end may come within one inline watch, short waits: the poll Lambda watches them (watchInline).
    if (earliestEnd <= bounds.inlineBudgetSeconds) wait = Math.min(wait, bounds.inlineWaitSeconds);
  }
  return { action: "wait", waitSeconds: clamp(Math.ceil(wait), bounds.minWaitSeconds, bounds.maxWaitSeconds) };
}

/**
 * The near-end watch: whether the poll Lambda sleeps `decision`'s wait and checks again itself (true) or
 * returns it to the state machine, after sleeping `sleptSeconds` in this invocation so far.
 */
export function watchInline(
  decision: PollDecision,
  sleptSeconds: number,
  bounds: PollBounds = DEFAULT_POLL_BOUNDS,
): decision is { action: "wait"; waitSeconds: number } {
  return (
    decision.action === "wait" &&
    decision.waitSeconds <= bounds.inlineWaitSeconds &&
    sleptSeconds + decision.waitSeconds <= bounds.inlineBudgetSeconds
  );
}

/**
 * The wait a poll step returns to the state machine, stretched so the loop's turn budget lasts until the
 * operation's time limit: each turn, from its first check (`turnStartSeconds`) to the next turn's, covers at
 * least an equal share of the time left over the turns left. That share never grows from turn to turn, and
 * the last turn starts at the time limit, so a loop gives up by time exactly as without a budget. The cost is
 * detection latency only when the budget is tight (returned waits of at least maxTotalSeconds / (budget - 1):
 * 138 s for a 24 h copy among 4 loops); the near-end watch's turns already cover more than that.
 */
export function pacedWait(
  waitSeconds: number,
  state: Pick<PollState, "operation" | "elapsedSeconds" | "turns" | "turnBudget"> & { turnStartSeconds: number },
  bounds: PollBounds = DEFAULT_POLL_BOUNDS,
): number {
  if (state.turnBudget === undefined) return waitSeconds;
  const turnsLeft = state.turnBudget - (state.turns ?? 0);
  if (turnsLeft <= 0) return waitSeconds;
  const share = (bounds.maxTotalSeconds[state.operation] - state.turnStartSeconds) / turnsLeft;
  return Math.max(waitSeconds, Math.ceil(state.turnStartSeconds + share - state.elapsedSeconds));
}
