// Copies the shared snapshot into this account under this account's key (the source never gets access to it),
// with a deterministic identifier and the carried + our own tags in the same call. A copy made by an earlier
// delivery is adopted; a same-named snapshot we did not make is refused.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { rdsIn } from "../../aws/clients";
import { ENGINE_METRICS, MetricUnit, type Observability, observe, runStep } from "../../aws/observability";
import { manualSnapshotCount } from "../../aws/snapshots";
import { admitCopy, type WaitingCopy } from "../../aws/startCopy";
import type { Clock } from "../../clock";
import { type Announcement, validateAnnouncement } from "../../contracts/announcement";
import { loadConsumerConfig } from "../../contracts/runtimeConfig";
import { copyBudgetRefusal } from "../../decisions/copyBudget";
import { awaitStart } from "../../decisions/copyCompletion";
import { refreshTargetFor } from "../../decisions/destinationRules";
import { replicationError } from "../../decisions/errors";
import { destinationCopyId } from "../../decisions/naming";
import type { PollOperation } from "../../decisions/pollSchedule";
import { carryTags, mergeTags, provenanceTags, SHARED_SNAPSHOT_KEY, UNENCRYPTED_TAGS } from "../../decisions/tags";
import type { PollProgress, PollTarget } from "../poll";

/** Manual snapshots of a kind in this region once this copy exists, per kind (each has its own quota). */
function reportManualSnapshots(obs: Observability, kind: string, count: number): void {
  obs.metric(ENGINE_METRICS.manualSnapshots, MetricUnit.Count, count, { kind });
}

export interface ConsumerState {
  announcement: Announcement;
  execution?: string;
}

export interface CopyResult {
  snapshot: PollTarget & { arn: string };
  adopted: boolean;
  /** Whether this stack refreshes the announced database (it has a refresh target). */
  restore: boolean;
  poll: PollProgress;
  operation: PollOperation;
}

/** Not admitted yet (functions/decisions/admission.ts): the state machine waits `waitSeconds` and asks again. */
export interface CopyWaiting {
  waiting: WaitingCopy[];
  waitSeconds: number;
}

/** The copy step over a clock (admission's queue order and age): functions/catalog.ts deploys the real one. */
export const copySharedWith = (clock: Clock) => (state: ConsumerState) => copyShared(state, clock);

async function copyShared(state: ConsumerState, clock: Clock): Promise<CopyResult | CopyWaiting> {
  const obs = observe("consumer-copy", { snapshotArn: state.announcement?.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const config = await loadConsumerConfig();
    // The execution input is whatever started the run (the intake, or anyone allowed to StartExecution):
    // check it again, and make the tags copyable, exactly as the intake and the producer do.
    const checked = validateAnnouncement(state.announcement, config);
    if (!checked.ok) throw replicationError("InvalidAnnouncement", `copy refused, nothing copied: ${checked.reason}`);
    const a = checked.announcement;
    // An unencrypted cluster snapshot (the source opted in) cannot be encrypted by copying it: copied as it is.
    const unencrypted = a.encrypted === false;
    // The shared snapshot's ARN, with the identifier derived from it, is what makes a copy the tool's
    // (functions/decisions/copyOwnership.ts): a person's copy with the same tags has another identifier.
    const own = {
      ...provenanceTags("copy", { ...a, sourceCreated: a.snapshotCreateTime }),
      [SHARED_SNAPSHOT_KEY]: a.snapshotArn,
    };
    const admission = await admitCopy(
      rdsIn(),
      { account: config.account, region: config.region },
      {
        kind: a.kind,
        source: a.snapshotArn,
        target: destinationCopyId(a.snapshotArn),
        keyArn: unencrypted ? undefined : config.keyArn,
        // The source's transit key is the one that needs the cross-account grant: named when KMS refuses.
        sourceKeyArn: a.keyArn,
        tags: mergeTags(carryTags(a.tags), unencrypted ? { ...own, ...UNENCRYPTED_TAGS } : own, config.copyTags),
      },
      { dynamodb: new DynamoDBClient({}), table: config.admissionTable, nowSeconds: clock.now() / 1000 },
      (inRegion) => {
        const refusal = copyBudgetRefusal(inRegion, a, config.copiesPerDatabasePerDay, new Date(clock.now()));
        if (refusal) throw replicationError("CopyBudgetExhausted", `copy refused: ${refusal}`);
        reportManualSnapshots(obs, a.kind, manualSnapshotCount(inRegion) + 1);
      },
    );
    if ("waiting" in admission) {
      obs.logger.info("waiting for a copy slot", { ...admission.waiting });
      return { waiting: [admission.waiting], waitSeconds: admission.waiting.waitSeconds };
    }
    const { started } = admission;
    const operation = a.kind === "cluster" ? "cluster-snapshot-copy" : "snapshot-copy";
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
      restore: refreshTargetFor(config.restore, a) !== undefined,
      poll: { polls: 0, ...awaitStart(operation, clock.now()) },
      operation,
    };
  });
}
