// Copies the shared snapshot into this account under this account's key (the source never gets access to it),
// with a deterministic identifier and the carried + our own tags in the same call. A copy made by an earlier
// delivery is adopted; a same-named snapshot we did not make is refused.
import type { Announcement } from "../announcement";
import { rdsIn } from "../aws";
import { startCopy } from "../copy";
import { destinationCopyId } from "../naming";
import { observe, runStep } from "../observability";
import type { PollProgress, PollTarget } from "../poll";
import type { PollOperation } from "../pollSchedule";
import { loadConsumerConfig } from "../runtimeConfig";
import {
  MANAGED_BY_KEY,
  MANAGED_BY_VALUE,
  mergeTags,
  ROLE_KEY,
  SOURCE_ACCOUNT_KEY,
  SOURCE_CREATED_KEY,
  SOURCE_DATABASE_KEY,
  SOURCE_REGION_KEY,
  SOURCE_SNAPSHOT_KEY,
} from "../tags";

export interface ConsumerState {
  announcement: Announcement;
  execution?: string;
}

export interface CopyResult {
  snapshot: PollTarget & { arn: string };
  adopted: boolean;
  /** Whether this stack restores an instance from each copy. */
  restore: boolean;
  poll: PollProgress;
  operation: PollOperation;
}

export function ownTags(a: Announcement): Record<string, string> {
  return {
    [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
    [ROLE_KEY]: "copy",
    [SOURCE_SNAPSHOT_KEY]: a.sourceSnapshotArn,
    [SOURCE_ACCOUNT_KEY]: a.sourceAccount,
    [SOURCE_REGION_KEY]: a.sourceRegion,
    [SOURCE_DATABASE_KEY]: a.sourceDatabase,
    [SOURCE_CREATED_KEY]: a.snapshotCreateTime,
  };
}

export async function copyShared(state: ConsumerState): Promise<CopyResult> {
  const a = state.announcement;
  const obs = observe("consumer-copy", { snapshotArn: a.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const config = loadConsumerConfig();
    const started = await startCopy(
      rdsIn(),
      { account: config.account, region: config.region },
      {
        kind: a.kind,
        source: a.snapshotArn,
        target: destinationCopyId(a.snapshotArn),
        keyArn: config.keyArn,
        tags: mergeTags(a.tags, ownTags(a)),
      },
    ).catch((error: Error) => {
      // The source key is the one that needs the cross-account grant; name it too.
      if (error.name === "KmsKeyNotAccessible") {
        error.message += ` Source key (shared by ${a.sourceAccount}): ${a.keyArn}; this account's key: ${config.keyArn}.`;
      }
      throw error;
    });
    obs.logger.info(started.adopted ? "existing copy adopted" : "copy started", { copy: started.snapshot.arn });
    return {
      snapshot: {
        resource: "snapshot",
        kind: a.kind,
        id: started.snapshot.id,
        arn: started.snapshot.arn,
        region: config.region,
      },
      adopted: started.adopted,
      restore: config.restore !== null,
      poll: { polls: 0 },
      operation: a.kind === "cluster" ? "cluster-snapshot-copy" : "snapshot-copy",
    };
  });
}
