// How a run learns that an instance snapshot copy finished without paying for waiting: RDS's copy-finished
// event resumes the run through a Step Functions task token, and the wait for the token has a timeout that is
// the fallback check for an event that never comes (RDS emits events best effort). Pure: the await step and
// the benchmark decide with the same functions.

/**
 * RDS event IDs that say a DB snapshot copy finished in the account and region that copied it: cross-region
 * (RDS-EVENT-0060) and same region (RDS-EVENT-0197). AWS documents no such event for DB cluster snapshot copies,
 * so cluster copies (and restores) keep the poll loop.
 */
export const COPY_FINISHED_EVENT_IDS = ["RDS-EVENT-0060", "RDS-EVENT-0197"] as const;

export interface AwaitBounds {
  /** Shortest fallback: a copy that looks almost done is still checked no more often than this. */
  minSeconds: number;
  /** Longest fallback: the worst detection delay when every event is lost. */
  maxSeconds: number;
  /** Added to the estimated remaining time, so the fallback lands after the estimated end, not before. */
  slackSeconds: number;
}

export const DEFAULT_AWAIT_BOUNDS: AwaitBounds = { minSeconds: 300, maxSeconds: 1800, slackSeconds: 120 };

export interface AwaitState {
  /** Seconds since the copy was requested. */
  elapsedSeconds: number;
  /** RDS PercentProgress of the last check; absent when RDS reports none. */
  percentProgress?: number;
  /** elapsedSeconds of the last check that saw 0 % (the copy was queued), as pollSchedule's recordCheck keeps it. */
  queuedUntilSeconds?: number;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** Seconds the run waits for the copy-finished event before it checks the copy itself. */
export function awaitTimeoutSeconds(state: AwaitState, bounds: AwaitBounds = DEFAULT_AWAIT_BOUNDS): number {
  const { elapsedSeconds, percentProgress } = state;
  if (!Number.isFinite(elapsedSeconds) || elapsedSeconds < 0) {
    throw new RangeError(`awaitTimeoutSeconds: elapsedSeconds must be a non-negative number, got ${elapsedSeconds}`);
  }
  if (percentProgress === undefined || percentProgress <= 0 || percentProgress >= 100) return bounds.maxSeconds;
  const active = elapsedSeconds - (state.queuedUntilSeconds ?? 0);
  if (active <= 0) return bounds.maxSeconds;
  const remaining = (active * (100 - percentProgress)) / percentProgress;
  return Math.round(clamp(remaining + bounds.slackSeconds, bounds.minSeconds, bounds.maxSeconds));
}
