// Starting a snapshot copy safely, for the producer's transit copies and the consumer's own copies alike:
// respect the per-region copy concurrency, adopt a copy this tool already made of the same source (a retried or
// duplicate run), refuse one it did not make or made of other data, and turn quota and KMS errors into errors that say what to fix.
import type { RDSClient } from "@aws-sdk/client-rds";
import {
  awsErrorCode,
  COPY_CONCURRENCY,
  classifyAwsError,
  isAlreadyExists,
  type QuotaFacts,
  replicationError,
} from "../decisions/errors";
import { isManaged } from "../decisions/tags";
import { provenanceMismatches } from "../provenance";
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

/**
 * Starts the copy, or adopts the one an earlier run made. `admit` sees the region's manual snapshots before a
 * new copy starts (never when adopting) and throws to refuse it.
 */
export async function startCopy(
  rds: RDSClient,
  place: CopyPlace,
  request: CopyRequest,
  admit: (inRegion: SnapshotInfo[]) => void = () => {},
): Promise<StartedCopy> {
  const operation = `copy ${request.source} to ${request.target} in ${place.account}/${place.region}`;
  const existing = await describeSnapshot(rds, request.kind, request.target);
  if (existing) return adoptExisting(rds, request, operation);

  const inRegion = await listSnapshots(rds, request.kind, { type: "manual" });
  admit(inRegion);
  const running = copiesInProgress(inRegion);
  if (running >= COPY_CONCURRENCY[request.kind]) {
    throw replicationError(
      "CopyLimitReached",
      `${operation} postponed: ${running} ${request.kind} snapshot copies already in progress ` +
        `(limit ${COPY_CONCURRENCY[request.kind]} per account and region); retried with backoff`,
    );
  }
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
