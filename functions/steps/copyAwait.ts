// Completion of a DB snapshot copy without paying for waiting (docs/engine.md, "Copy completion"). The run's
// Task (`lambda:invoke.waitForTaskToken`) invokes the registrar, which FIRST stores the task token under the
// copy's ARN and THEN checks the copy: a copy already available (or failed) is settled by the registrar itself,
// so a copy that finished before the token was stored is never missed; a copy still in progress leaves the run
// waiting for RDS's copy-finished event (the event handler below) or, if the event never comes, for the
// Task's timeout, whose Catch invokes the registrar again (the fallback check). Events are best effort and
// untrusted: one only names a copy to look at, its status is read from RDS, and the waiter is claimed with a
// conditional delete so a duplicated event, or an event racing the fallback, resumes the run at most once.
// Both sides: the producer's transit copies, the consumer's copies.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { rdsIn } from "../aws/clients";
import { claimWaiter, readWaiter, storeWaiter } from "../aws/copyWaiters";
import { type Observability, observe, runStep } from "../aws/observability";
import { describeSnapshot } from "../aws/snapshots";
import { failTask, resumeTask } from "../aws/taskTokens";
import type { Clock } from "../clock";
import { loadConsumerConfig, loadProducerConfig } from "../contracts/runtimeConfig";
import { awaitVerdict, copyFinishedSnapshotArn, type RdsSnapshotEvent } from "../decisions/copyCompletion";
import { replicationError } from "../decisions/errors";
import { DEFAULT_POLL_BOUNDS, type PollOperation } from "../decisions/pollSchedule";
import { type PollProgress, type PollResult, type PollTarget, recordCopied } from "./poll";

type Side = "producer" | "consumer";

/** What the run waits with: the copy and the poll progress the copy step started it with. */
export interface AwaitedCopy {
  target: PollTarget & { arn: string };
  operation: PollOperation;
  poll: PollProgress;
  execution?: string;
}

/** The registrar's input: the waiting Task's token (`$$.Task.Token`) and the copy. */
export interface AwaitCopyEvent extends AwaitedCopy {
  token: string;
}

/** How a check ended: the run resumed (or failed) by this caller, already resumed by another, or still waiting. */
export type AwaitOutcome = "completed" | "failed" | "already-resumed" | "waiting" | "nobody-waits" | "ignored";

// A waiter outlives the copy's time limit by a day, then DynamoDB's TTL removes it if nobody claimed it.
const WAITER_TTL_MARGIN_SECONDS = 86_400;

const tableOf = async (side: Side): Promise<string> =>
  (side === "producer" ? await loadProducerConfig() : await loadConsumerConfig()).admissionTable;

/** The registrar (`<side>-await-copy`) over a clock: functions/catalog.ts deploys it over the real one. */
export const awaitCopyWith = (side: Side) => (clock: Clock) => (event: AwaitCopyEvent) =>
  registerWaiter(side, event, clock);

/** The copy-finished event handler (`<side>-copy-event`, an EventBridge target) over a clock. */
export const copyEventWith = (side: Side) => (clock: Clock) => (event: RdsSnapshotEvent) =>
  onCopyEvent(side, event, clock);

async function registerWaiter(side: Side, event: AwaitCopyEvent, clock: Clock): Promise<{ outcome: AwaitOutcome }> {
  const obs = observe(`${side}-await-copy`, { execution: event.execution, snapshotArn: event.target.arn });
  return runStep(obs, async () => {
    const table = await tableOf(side);
    const dynamodb = new DynamoDBClient({});
    const { token, ...copy } = event;
    const maxTotalSeconds = DEFAULT_POLL_BOUNDS.maxTotalSeconds[copy.operation];
    await storeWaiter(dynamodb, table, {
      arn: copy.target.arn,
      token,
      state: JSON.stringify(copy),
      expiresAt: Math.ceil(clock.now() / 1000) + maxTotalSeconds + WAITER_TTL_MARGIN_SECONDS,
    });
    const outcome = await settle(dynamodb, table, token, copy, clock, obs);
    obs.logger.info(outcome === "waiting" ? "waiting for the copy-finished event" : "copy settled at registration", {
      outcome,
      target: copy.target,
    });
    return { outcome };
  });
}

async function onCopyEvent(side: Side, event: RdsSnapshotEvent, clock: Clock): Promise<{ outcome: AwaitOutcome }> {
  const arn = copyFinishedSnapshotArn(event);
  const obs = observe(`${side}-copy-event`, { snapshotArn: arn });
  return runStep(obs, async () => {
    if (!arn) {
      obs.logger.warn("not a copy-finished event of a DB snapshot: ignored", { eventId: event.detail?.EventID });
      return { outcome: "ignored" as const };
    }
    const table = await tableOf(side);
    const dynamodb = new DynamoDBClient({});
    const waiter = await readWaiter(dynamodb, table, arn);
    if (!waiter) {
      // Not a copy of this stack, a run already resumed (a duplicated event), or a copy whose registrar has not
      // stored its token yet (it checks the copy right after storing it).
      obs.logger.info("no run waits for this copy", { eventId: event.detail?.EventID });
      return { outcome: "nobody-waits" as const };
    }
    const outcome = await settle(dynamodb, table, waiter.token, JSON.parse(waiter.state) as AwaitedCopy, clock, obs);
    obs.logger.info(
      outcome === "waiting" ? "event before the copy is available: still waiting" : "copy event handled",
      {
        outcome,
        eventId: event.detail?.EventID,
      },
    );
    return { outcome };
  });
}

/**
 * Reads the copy from RDS and acts on what it says: available completes the waiting Task with the result the
 * poll step gives, failed or past the time limit fails it (as the poll step gives up), in progress leaves it.
 * Only the caller whose conditional delete removes the waiter holding `token` resumes the run.
 */
async function settle(
  dynamodb: DynamoDBClient,
  table: string,
  token: string,
  copy: AwaitedCopy,
  clock: Clock,
  obs: Observability,
): Promise<AwaitOutcome> {
  const { target, operation, poll } = copy;
  const now = clock.now();
  const startedAt = poll.startedAt ?? new Date(now).toISOString();
  const elapsedSeconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  const snapshot = await describeSnapshot(rdsIn(target.region), target.kind, target.id);
  // Right after CopyDBSnapshot a describe may not list the copy yet: retried, as the poll step's check is.
  if (!snapshot) throw replicationError("SnapshotNotVisible", `${operation}: snapshot ${target.id} not found`);
  const verdict = awaitVerdict({
    status: snapshot.status,
    elapsedSeconds,
    maxTotalSeconds: DEFAULT_POLL_BOUNDS.maxTotalSeconds[operation],
  });
  if (verdict.action === "wait") return "waiting";
  if (!(await claimWaiter(dynamodb, table, target.arn, token))) return "already-resumed";
  if (verdict.action === "fail") {
    const cause = `${operation} of snapshot ${target.id} in ${target.region}: ${verdict.reason}. It was left as it is.`;
    const failed = await failTask(token, "PollGaveUp", cause);
    if (failed) obs.logger.error("copy failed", { cause });
    return failed ? "failed" : "already-resumed";
  }
  const result: PollResult = {
    polls: (poll.polls ?? 0) + 1,
    turns: poll.turns,
    turnBudget: poll.turnBudget,
    startedAt,
    status: "available",
    percentProgress: snapshot.percentProgress,
    elapsedSeconds,
    done: true,
    waitSeconds: 0,
  };
  if (!(await resumeTask(token, result))) return "already-resumed";
  recordCopied(obs, elapsedSeconds, snapshot.allocatedGiB);
  return "completed";
}
