// One status check of a long RDS operation (snapshot create or copy, instance or cluster restore). The state
// machine loops Poll -> Wait(waitSeconds) -> Poll; functions/pollSchedule.ts decides the wait and when to
// give up, so every loop is bounded. Used by both sides.
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { rdsIn } from "./aws";
import { classifyAwsError, type Kind, replicationError } from "./errors";
import { MetricUnit, observe, runStep } from "./observability";
import { nextPoll, type PollOperation, recordCheck } from "./pollSchedule";
import { describeSnapshot } from "./snapshots";

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
  startedAt?: string;
  queuedUntilSeconds?: number;
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

export async function poll(event: PollEvent): Promise<PollResult> {
  const obs = observe("poll", { execution: event.execution, snapshotArn: event.target.id });
  return runStep(obs, async () => {
    const now = Date.now();
    const startedAt = event.poll.startedAt ?? new Date(now).toISOString();
    const elapsedSeconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
    const { status, percentProgress, allocatedGiB } = await readStatus(event.target);
    // The same bookkeeping the poll simulation and benchmark use: count the check, track the queue's end.
    const state = recordCheck(
      { operation: event.operation, elapsedSeconds: 0, ...event.poll },
      { operation: event.operation, elapsedSeconds, percentProgress },
    );
    const polls = state.polls;
    const base = { polls, startedAt, status, percentProgress, elapsedSeconds };
    if (status === "available") {
      obs.logger.info("operation finished", { ...base, target: event.target, operation: event.operation });
      if (event.operation.endsWith("copy")) {
        obs.metrics.addMetric("SnapshotsCopied", MetricUnit.Count, 1);
        obs.metrics.addMetric("CopyDurationSeconds", MetricUnit.Seconds, elapsedSeconds);
        // The provisioned size: RDS exposes no data size for a snapshot, and copy cost scales with this.
        if (allocatedGiB) obs.metrics.addMetric("SnapshotBytesCopied", MetricUnit.Bytes, allocatedGiB * 2 ** 30);
      }
      return { ...base, done: true, waitSeconds: 0 };
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
    return { ...base, queuedUntilSeconds: state.queuedUntilSeconds, done: false, waitSeconds: decision.waitSeconds };
  });
}
