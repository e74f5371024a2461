// Makes the source snapshot shareable in each destination region: either shares it as it is (a manual
// snapshot already under the transit key in that region) or starts a transit copy there under the producer's
// key, with the source tags carried (`aws:` keys renamed) and our own tags set in the same call.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { describeSnapshot, snapshotTags } from "../../aws/snapshots";
import { admitCopy, type WaitingCopy } from "../../aws/startCopy";
import type { Clock } from "../../clock";
import { ANNOUNCEMENT_VERSION, type Announcement } from "../../contracts/announcement";
import { loadProducerConfig } from "../../contracts/runtimeConfig";
import { awaitStart } from "../../decisions/copyCompletion";
import { replicationError } from "../../decisions/errors";
import { transitSnapshotId } from "../../decisions/naming";
import type { PollOperation } from "../../decisions/pollSchedule";
import { copiedUnencrypted, loopTurnBudget, needsOptionGroup, transitDecision } from "../../decisions/sourceRules";
import { carryTags, mergeTags, provenanceTags, UNENCRYPTED_TAGS } from "../../decisions/tags";
import type { PollProgress, PollTarget } from "../poll";
import type { WorkItem } from "./plan";

/** The announcement minus the per-destination fields, carried to the publish step. */
export type AnnouncementBase = Omit<Announcement, "destinationAccount" | "destinationRegion">;

export interface Transit {
  database: string;
  kind: WorkItem["kind"];
  region: string;
  accounts: string[];
  /** The snapshot that is shared: the transit copy, or the source itself. */
  snapshot: PollTarget & { arn: string };
  copied: boolean;
  adopted: boolean;
  reason: string;
  poll: PollProgress;
  operation: PollOperation;
  announcement: AnnouncementBase;
}

/**
 * A destination region whose transit copy is not admitted yet: the state machine waits the shortest wait and
 * runs the step again (regions already started are adopted then).
 */
export interface TransitWaiting {
  waiting: WaitingCopy[];
  waitSeconds: number;
}

/** The transit step over a clock (admission's queue order and age): functions/catalog.ts deploys the real one. */
export const prepareTransitWith = (clock: Clock) => (item: WorkItem) => prepareTransit(item, clock);

async function prepareTransit(item: WorkItem, clock: Clock): Promise<Transit[] | TransitWaiting> {
  const obs = observe("producer-transit", { database: item.database, snapshotArn: item.source.arn });
  return runStep(obs, async () => {
    const config = await loadProducerConfig();
    const source = await describeSnapshot(rdsIn(), item.kind, item.source.id);
    if (!source) throw replicationError("SnapshotNotVisible", `source snapshot ${item.source.id} not found`);
    const sourceTags = await snapshotTags(rdsIn(), source);
    const carried = carryTags(sourceTags);
    const created = source.createdAt ?? new Date().toISOString();
    const transits: Transit[] = [];
    const waiting: WaitingCopy[] = [];
    const admission = {
      dynamodb: new DynamoDBClient({}),
      table: config.admissionTable,
      nowSeconds: clock.now() / 1000,
    };
    const unencrypted = copiedUnencrypted(source);
    const snapshot = { ...source, optionGroup: source.optionGroup ?? item.optionGroup };
    for (const route of item.routes) {
      const keyArn = config.transitKeyArns[route.region];
      if (!keyArn) {
        throw replicationError("ConfigInvalid", `no transit key configured for destination region ${route.region}`);
      }
      const decision = transitDecision(source, config.region, route.region, keyArn);
      const needsGroup = needsOptionGroup(snapshot, config.region, route.region);
      const optionGroup = needsGroup ? config.optionGroups[route.region]?.[snapshot.optionGroup ?? ""] : undefined;
      if (needsGroup && !optionGroup) {
        throw replicationError(
          "ConfigInvalid",
          `no option group configured in ${route.region} for ${snapshot.optionGroup} (rds-replication:optionGroups)`,
        );
      }
      let shared = { arn: source.arn, id: source.id };
      let copied = false;
      let adopted = false;
      if (decision.action === "copy") {
        const own = provenanceTags("transit", {
          sourceSnapshotArn: source.arn,
          sourceAccount: config.account,
          sourceRegion: config.region,
          sourceDatabase: item.database,
          sourceCreated: created,
        });
        const admitted = await admitCopy(
          rdsIn(route.region),
          { account: config.account, region: route.region },
          {
            kind: item.kind,
            source: source.arn,
            target: transitSnapshotId(source.arn, route.region),
            keyArn: unencrypted ? undefined : keyArn,
            sourceKeyArn: source.kmsKeyId,
            optionGroup,
            tags: mergeTags(carried, unencrypted ? { ...own, ...UNENCRYPTED_TAGS } : own),
          },
          admission,
        );
        if ("waiting" in admitted) {
          waiting.push(admitted.waiting);
          continue;
        }
        const { started } = admitted;
        shared = { arn: started.snapshot.arn, id: started.snapshot.id };
        copied = true;
        adopted = started.adopted;
      }
      const operation = item.kind === "cluster" ? "cluster-snapshot-copy" : "snapshot-copy";
      obs.logger.info("transit prepared", { region: route.region, decision, shared: shared.arn, adopted });
      transits.push({
        database: item.database,
        kind: item.kind,
        region: route.region,
        accounts: route.accounts,
        snapshot: { resource: "snapshot", kind: item.kind, id: shared.id, arn: shared.arn, region: route.region },
        copied,
        adopted,
        reason: decision.action === "copy" ? decision.reason : "shared directly",
        poll: { polls: 0, turnBudget: loopTurnBudget(item.routes), ...awaitStart(operation, clock.now()) },
        operation,
        announcement: {
          version: ANNOUNCEMENT_VERSION,
          kind: item.kind,
          snapshotArn: shared.arn,
          sourceAccount: config.account,
          sourceRegion: config.region,
          snapshotRegion: route.region,
          sourceDatabase: item.database,
          engine: source.engine,
          engineVersion: source.engineVersion,
          snapshotCreateTime: created,
          ...(unencrypted ? { encrypted: false } : { keyArn }),
          tags: carried,
          databaseTags: carryTags(item.databaseTags),
          sourceSnapshotArn: source.arn,
        },
      });
    }
    if (waiting.length > 0) {
      obs.logger.info("waiting for a transit copy slot", { waiting });
      return { waiting, waitSeconds: Math.min(...waiting.map((w) => w.waitSeconds)) };
    }
    return transits;
  });
}
