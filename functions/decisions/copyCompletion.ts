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

/**
 * Seconds the run waits for the copy-finished event before the registrar checks the copy itself: the worst
 * detection delay when every event is lost. The same for every turn of a wait: a waitForTaskToken Task's output
 * is only what completes it, so a timeout recomputed from the copy's progress would cost a second Lambda a turn.
 */
export const FALLBACK_CHECK_SECONDS = 1800;

/** Whether a copy can await its copy-finished event: DB snapshot copies only (cluster copies keep the poll loop). */
export const awaitsCopyEvent = (operation: string): boolean => operation === "snapshot-copy";

/** The RDS event as EventBridge delivers it (detail-type "RDS DB Snapshot Event"), as far as it is read. */
export interface RdsSnapshotEvent {
  source?: string;
  "detail-type"?: string;
  resources?: string[];
  detail?: { EventID?: string; SourceArn?: string; SourceType?: string; SourceIdentifier?: string };
}

/**
 * The ARN of the snapshot whose copy an event says finished, or undefined for any other event. The event only
 * names a snapshot to look at: whether the copy is available is read from RDS (events can be crafted or early).
 */
export function copyFinishedSnapshotArn(event: RdsSnapshotEvent): string | undefined {
  if (event.source !== "aws.rds" || event["detail-type"] !== "RDS DB Snapshot Event") return undefined;
  const id = event.detail?.EventID;
  if (!id || !(COPY_FINISHED_EVENT_IDS as readonly string[]).includes(id)) return undefined;
  const arn = event.detail?.SourceArn ?? event.resources?.[0];
  return arn && /^arn:aws[a-z-]*:rds:[^:]+:\d{12}:snapshot:/.test(arn) ? arn : undefined;
}

/** What a check of an awaited copy leads to: complete the run, fail it, or keep waiting for the event. */
export type AwaitVerdict = { action: "complete" } | { action: "fail"; reason: string } | { action: "wait" };

/** RDS statuses of a DB snapshot that will never become available. */
const FAILED_SNAPSHOT_STATES = ["failed", "error", "deleted", "deleting"];

/**
 * The verdict on an awaited copy from its status: available completes, a failed status fails, and a copy still
 * in progress past `maxTotalSeconds` (the poll schedule's bound for the operation) fails as the poll step gives up.
 */
export function awaitVerdict(check: { status: string; elapsedSeconds: number; maxTotalSeconds: number }): AwaitVerdict {
  const { status, elapsedSeconds, maxTotalSeconds } = check;
  if (status === "available") return { action: "complete" };
  if (FAILED_SNAPSHOT_STATES.includes(status)) return { action: "fail", reason: `the copy ended in status ${status}` };
  if (elapsedSeconds >= maxTotalSeconds) {
    return {
      action: "fail",
      reason: `still ${status} after ${Math.round(elapsedSeconds)} s: time limit reached (maxTotalSeconds ${maxTotalSeconds} s)`,
    };
  }
  return { action: "wait" };
}

/**
 * The poll progress a copy that awaits its event starts with (the copy step sets it): when it was requested,
 * for the time limit, and the first fallback timeout, the Task's TimeoutSecondsPath. A waitForTaskToken Task's
 * output is only what completes it, so this timeout stays for every turn of the wait.
 */
export function awaitStart(operation: string, nowMs: number): { startedAt?: string; awaitSeconds?: number } {
  if (!awaitsCopyEvent(operation)) return {};
  return { startedAt: new Date(nowMs).toISOString(), awaitSeconds: FALLBACK_CHECK_SECONDS };
}
