// Status checks of a long RDS operation (snapshot create or copy, instance or cluster restore). The state
// machine loops Poll -> Wait(waitSeconds) -> Poll; functions/decisions/pollSchedule.ts decides the wait and when to
// give up, so every loop is bounded. Near the end the waits are short, and a state machine turn per check would
// cost more transitions than the check is worth: the handler then sleeps and checks again itself (the near-end
// watch, bounded by watchInline's budget). Used by both sides.
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { rdsIn } from "../aws/clients";
import { ENGINE_METRICS, MetricUnit, type Observability, observe, runStep } from "../aws/observability";
import { describeSnapshot } from "../aws/snapshots";
import type { Clock } from "../clock";
import { classifyAwsError, type Kind, replicationError } from "../decisions/errors";
import {
  nextPoll,
  type PollDecision,
  type PollOperation,
  type PollState,
  pacedWait,
  recordCheck,
  watchInline,
} from "../decisions/pollSchedule";

export interface PollTarget {
  /** snapshot: a DB (cluster) snapshot; instance: a DB instance; cluster: a DB cluster and its first instance. */
  resource: "snapshot" | "instance" | "cluster";
  kind: Kind;
  id: string;
  region: string;
  /** For resource "cluster": the instance created in it, which must be available too. */
  instanceId?: string;
}

export interface PollProgress {
  polls: number;
  /** Turns of this loop so far (poll step invocations); with turnBudget, paced by pacedWait. */
  turns?: number;
  /** This loop's share of its execution's history (pollSchedule turnBudget); set by the step that starts it. */
  turnBudget?: number;
  startedAt?: string;
  queuedUntilSeconds?: number;
  /** Of the previous check: the state machine hands back the whole previous result. */
  elapsedSeconds?: number;
  /**
   * A DB snapshot copy that awaits its copy-finished event (functions/steps/copyAwait.ts): the seconds its
   * Task waits before the fallback check (TimeoutSecondsPath), set by the step that starts the copy.
   */
  awaitSeconds?: number;
}

export interface PollEvent {
  target: PollTarget;
  operation: PollOperation;
  poll: PollProgress;
  execution?: string;
}

export interface PollResult extends PollProgress {
  done: boolean;
  status: string;
  percentProgress?: number;
  waitSeconds: number;
  elapsedSeconds: number;
}

const FAILED_STATES = ["failed", "error", "incompatible-restore", "incompatible-parameters", "deleted", "deleting"];

async function readStatus(
  target: PollTarget,
): Promise<{ status: string; percentProgress?: number; allocatedGiB?: number }> {
  const rds = rdsIn(target.region);
  const operation = `check ${target.resource} ${target.id} in ${target.region}`;
  try {
    if (target.resource === "snapshot") {
      const snapshot = await describeSnapshot(rds, target.kind, target.id);
      if (!snapshot) {
        throw replicationError("SnapshotNotVisible", `${operation}: snapshot ${target.id} not found`);
      }
      return {
        status: snapshot.status,
        percentProgress: snapshot.percentProgress,
        allocatedGiB: snapshot.allocatedGiB,
      };
    }
    const instanceId = target.resource === "instance" ? target.id : target.instanceId;
    if (target.resource === "cluster") {
      const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: target.id }));
      const status = out.DBClusters?.[0]?.Status ?? "unknown";
      if (status !== "available" || !instanceId) return { status };
    }
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }));
    return { status: out.DBInstances?.[0]?.DBInstanceStatus ?? "unknown" };
  } catch (error) {
    if ((error as Error).name === "SnapshotNotVisible") throw error;
    throw classifyAwsError(error, { operation });
  }
}

/** A finished copy's metrics, whichever step saw it finish (this one, or functions/steps/copyAwait.ts). */
export function recordCopied(obs: Observability, elapsedSeconds: number, allocatedGiB: number | undefined): void {
  obs.metric(ENGINE_METRICS.snapshotsCopied, MetricUnit.Count, 1);
  obs.metric(ENGINE_METRICS.copyDuration, MetricUnit.Seconds, elapsedSeconds);
  // The provisioned size: RDS exposes no data size for a snapshot, and copy cost scales with this.
  if (allocatedGiB) obs.metric(ENGINE_METRICS.bytesCopied, MetricUnit.Bytes, allocatedGiB * 2 ** 30);
}

/** The poll step over a clock: functions/catalog.ts deploys it over the real one. */
export const pollWith = (clock: Clock) => (event: PollEvent) => pollOnce(event, clock);

async function pollOnce(event: PollEvent, clock: Clock): Promise<PollResult> {
  const obs = observe("poll", { execution: event.execution, snapshotArn: event.target.id });
  return runStep(obs, async () => {
    const startedAt = event.poll.startedAt ?? new Date(clock.now()).toISOString();
    const turns = (event.poll.turns ?? 0) + 1;
    let previous: PollState = { operation: event.operation, elapsedSeconds: 0, ...event.poll, turns };
    let sleptSeconds = 0;
    let turnStartSeconds: number | undefined;
    for (;;) {
      const check = await checkOnce(event, startedAt, previous, clock.now(), obs);
      turnStartSeconds ??= check.result.elapsedSeconds;
      if (check.result.done) return check.result;
      if (!watchInline(check.decision, sleptSeconds)) {
        const waitSeconds = pacedWait(check.result.waitSeconds, { ...check.state, turnStartSeconds });
        return { ...check.result, waitSeconds };
      }
      sleptSeconds += check.decision.waitSeconds;
      await clock.sleep(check.decision.waitSeconds * 1000);
      previous = check.state;
    }
  });
}

/** One status check: its result (what the state machine gets if the handler returns now) and the next wait. */
async function checkOnce(
  event: PollEvent,
  startedAt: string,
  previous: PollState,
  now: number,
  obs: ReturnType<typeof observe>,
): Promise<{ result: PollResult; state: PollState; decision: PollDecision }> {
  const elapsedSeconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  const { status, percentProgress, allocatedGiB } = await readStatus(event.target);
  // The same bookkeeping the poll simulation and benchmark use: count the check, track the queue's end.
  const state: PollState = {
    ...recordCheck(previous, { operation: event.operation, elapsedSeconds, percentProgress }),
    turns: previous.turns,
    turnBudget: previous.turnBudget,
  };
  const { polls, turns, turnBudget } = state;
  const base = { polls, turns, turnBudget, startedAt, status, percentProgress, elapsedSeconds };
  if (status === "available") {
    obs.logger.info("operation finished", { ...base, target: event.target, operation: event.operation });
    if (event.operation.endsWith("copy")) recordCopied(obs, elapsedSeconds, allocatedGiB);
    return { result: { ...base, done: true, waitSeconds: 0 }, state, decision: { action: "wait", waitSeconds: 0 } };
  }
  if (FAILED_STATES.includes(status)) {
    throw replicationError(
      "PollGaveUp",
      `${event.operation} of ${event.target.resource} ${event.target.id} in ${event.target.region} ended in status ${status}`,
    );
  }
  const decision = nextPoll(state);
  if (decision.action === "give-up") {
    throw replicationError(
      "PollGaveUp",
      `${event.operation} of ${event.target.resource} ${event.target.id} in ${event.target.region} is still ` +
        `${status} after ${polls} checks over ${elapsedSeconds} s: ${decision.reason}. It was left as it is.`,
    );
  }
  obs.logger.info("still running", { ...base, waitSeconds: decision.waitSeconds });
  const result = {
    ...base,
    queuedUntilSeconds: state.queuedUntilSeconds,
    done: false,
    waitSeconds: decision.waitSeconds,
  };
  return { result, state, decision };
}
