// After a consumer run failed while its copy was under way: that copy, still incomplete or failed, holds no
// restorable data, counts against the manual-snapshot quota, and would be adopted (and fail again) by the next
// attempt. It is deleted (a dry run unless deletions are enabled) when it is this run's own copy: the
// deterministic identifier of the announced snapshot, made by the tool, of the same provenance, and not
// available. Deleting a copy in progress cancels it (RDS). Its own failure is reported, never thrown, so the
// run's notification keeps the error that failed the run.

import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { deleteSnapshot, describeSnapshot, type SnapshotInfo } from "../../aws/snapshots";
import type { Announcement } from "../../contracts/announcement";
import { loadConsumerConfig } from "../../contracts/runtimeConfig";
import { destinationCopyId } from "../../decisions/naming";
import { provenanceMismatches } from "../../decisions/provenance";
import { isManaged, provenanceTags } from "../../decisions/tags";
import type { ConsumerState, CopyResult } from "./copy";

export interface CleanResult {
  /** The copy that qualifies (deleted, or in a dry run the one that would be). */
  delete: string[];
  deleted: string[];
  dryRun: boolean;
  /** Why nothing qualified, or why the deletion failed. */
  note?: string;
}

/** Why this snapshot is not the run's failed copy to clean up, or undefined when it is. */
export function notCleanable(
  snapshot: Pick<SnapshotInfo, "id" | "status" | "tags">,
  a: Announcement,
): string | undefined {
  if (snapshot.id !== destinationCopyId(a.snapshotArn)) return `${snapshot.id} is not this run's copy`;
  if (!isManaged(snapshot.tags)) return `${snapshot.id} was not made by rds-replication`;
  const mismatches = provenanceMismatches(
    provenanceTags("copy", { ...a, sourceCreated: a.snapshotCreateTime }),
    snapshot.tags,
  );
  if (mismatches.length > 0) return `${snapshot.id} holds other data (${mismatches.join("; ")})`;
  if (snapshot.status === "available") return `${snapshot.id} is complete and kept`;
  return undefined;
}

export async function discardFailedCopy(state: ConsumerState & { copy?: CopyResult }): Promise<CleanResult> {
  const a = state.announcement;
  const obs = observe("consumer-discard", { snapshotArn: a?.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const config = await loadConsumerConfig();
    const dryRun = !config.retention.deletionsEnabled;
    const target = state.copy?.snapshot;
    if (!target) return { delete: [], deleted: [], dryRun, note: "the run failed before a copy existed" };
    const rds = rdsIn();
    const snapshot = await describeSnapshot(rds, target.kind, target.id);
    const why = snapshot ? notCleanable(snapshot, a) : `${target.id} no longer exists`;
    if (why) {
      obs.logger.info("failed run: nothing to clean", { reason: why });
      return { delete: [], deleted: [], dryRun, note: why };
    }
    if (dryRun) return { delete: [target.id], deleted: [], dryRun };
    try {
      await deleteSnapshot(rds, target.kind, target.id);
    } catch (error) {
      obs.logger.error("failed copy not deleted", { copy: target.id, error: error as Error });
      return { delete: [target.id], deleted: [], dryRun, note: `not deleted: ${(error as Error).message}` };
    }
    obs.logger.info("failed copy deleted", { copy: target.id, status: snapshot?.status });
    return { delete: [target.id], deleted: [target.id], dryRun };
  });
}
