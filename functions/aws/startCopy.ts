// Starting a snapshot copy safely, for the producer's transit copies and the consumer's own copies alike:
// wait for admission under the per-region copy concurrency (functions/decisions/admission.ts), adopt a copy this tool
// already made (a retried or duplicate run), refuse one it did not make, and turn quota and KMS errors into
// errors that say what to fix.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { RDSClient } from "@aws-sdk/client-rds";
import { admit, queueKey } from "../decisions/admission";
import {
  awsErrorCode,
  COPY_CONCURRENCY,
  classifyAwsError,
  isAlreadyExists,
  type QuotaFacts,
  replicationError,
} from "../decisions/errors";
import { provenanceMismatches } from "../decisions/provenance";
import { isManaged } from "../decisions/tags";
import { leaveQueue, queueTickets, storeTicket } from "./admissionQueue";
import {
  type CopyRequest,
  copiesInProgress,
  copySnapshot,
  describeSnapshot,
  listSnapshots,
  manualSnapshotCount,
  type SnapshotInfo,
} from "./snapshots";

export interface CopyPlace {
  account: string;
  region: string;
}

export interface StartedCopy {
  snapshot: SnapshotInfo;
  /** True when an earlier run had already made this copy. */
  adopted: boolean;
}

async function adoptExisting(rds: RDSClient, request: CopyRequest, operation: string): Promise<StartedCopy> {
  const existing = await describeSnapshot(rds, request.kind, request.target);
  if (!existing)
    throw replicationError("ResourceBusy", `${operation}: ${request.target} exists but is not visible yet`);
  if (!isManaged(existing.tags)) {
    throw replicationError(
      "AlreadyExistsNotOurs",
      `${operation} failed: a snapshot named ${request.target} already exists and was not made by rds-replication ` +
        "(no managed-by tag); it is left untouched. Rename or delete it, then start again.",
    );
  }
  const mismatches = provenanceMismatches(request.tags, existing.tags);
  if (mismatches.length > 0) {
    throw replicationError(
      "ProvenanceMismatch",
      `${operation} failed: ${request.target} exists but holds other data (${mismatches.join("; ")}); ` +
        "it is neither adopted nor changed. A run's input that names another snapshot's copy is refused.",
    );
  }
  return { snapshot: existing, adopted: true };
}

/** Where a copy waits for its slot: the stack's admission table, and the time of this check. */
export interface AdmissionPlace {
  dynamodb: DynamoDBClient;
  table: string;
  nowSeconds: number;
}

/** Not admitted yet: check again after `waitSeconds` (the state machine's Wait), in the same place. */
export interface WaitingCopy {
  queue: string;
  ahead: number;
  free: number;
  waitSeconds: number;
  arrivedAt: string;
}

export type CopyAdmission = { started: StartedCopy } | { waiting: WaitingCopy };

/**
 * Starts the copy once admitted, or says how long to wait. The ticket leaves the queue only once the copy
 * exists: a crash before that (the step is retried) finds its ticket, and its place, again. `refuse` sees the
 * region's manual snapshots before a new copy queues or starts (never when adopting) and throws to refuse it.
 */
export async function admitCopy(
  rds: RDSClient,
  place: CopyPlace,
  request: CopyRequest,
  admission: AdmissionPlace,
  refuse: (inRegion: SnapshotInfo[]) => void = () => {},
): Promise<CopyAdmission> {
  const operation = `copy ${request.source} to ${request.target} in ${place.account}/${place.region}`;
  const queue = queueKey(place, request.kind);
  const leave = () => leaveQueue(admission.dynamodb, admission.table, queue, request.target);
  const existing = await describeSnapshot(rds, request.kind, request.target);
  if (existing) {
    const adopted = await adoptExisting(rds, request, operation);
    await leave();
    return { started: adopted };
  }
  const { dynamodb, table, nowSeconds } = admission;
  const [tickets, inRegion] = await Promise.all([
    queueTickets(dynamodb, table, queue),
    listSnapshots(rds, request.kind, { type: "manual" }),
  ]);
  refuse(inRegion);
  const me = tickets.find((t) => t.id === request.target) ?? {
    id: request.target,
    arrivedAt: nowSeconds,
    seenAt: nowSeconds,
  };
  const running = copiesInProgress(inRegion);
  const decision = admit(me, tickets, running, COPY_CONCURRENCY[request.kind], nowSeconds);
  if (decision.action === "expire") {
    await leave();
    throw replicationError(
      "AdmissionExpired",
      `${operation} was never admitted: it waited ${Math.round(decision.ageSeconds / 3600)} h for one of ` +
        `${COPY_CONCURRENCY[request.kind]} ${request.kind} copy slots (${running} in progress now); nothing was ` +
        "copied. Find what holds the slots, then re-run.",
    );
  }
  if (decision.action === "wait") {
    const { ahead, free, waitSeconds } = decision;
    await storeTicket(dynamodb, table, queue, decision.ticket);
    return { waiting: { queue, ahead, free, waitSeconds, arrivedAt: new Date(me.arrivedAt * 1000).toISOString() } };
  }
  // Admitted: the ticket is stored before the copy starts, so a crash in between keeps this copy's place.
  await storeTicket(dynamodb, table, queue, { ...me, seenAt: nowSeconds });
  const started = await startCopy(rds, place, request, operation, { inRegion, running });
  await leave();
  return { started };
}

async function startCopy(
  rds: RDSClient,
  place: CopyPlace,
  request: CopyRequest,
  operation: string,
  { inRegion, running }: { inRegion: SnapshotInfo[]; running: number },
): Promise<StartedCopy> {
  try {
    return { snapshot: await copySnapshot(rds, request), adopted: false };
  } catch (error) {
    if (isAlreadyExists(error)) return adoptExisting(rds, request, operation);
    const quota: QuotaFacts | undefined =
      awsErrorCode(error) === "SnapshotQuotaExceeded"
        ? {
            kind: request.kind,
            account: place.account,
            region: place.region,
            manualSnapshots: manualSnapshotCount(inRegion),
            copiesInProgress: running,
          }
        : undefined;
    throw classifyAwsError(error, {
      operation,
      keyArns: [request.sourceKeyArn, request.keyArn],
      account: place.account,
      quota,
    });
  }
}
