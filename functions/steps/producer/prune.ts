// Keeps the newest K snapshots this tool made for a database in each region it touched (transit copies and
// scheduled source snapshots), never deleting one younger than the grace period, nor one shared with a
// destination that has not sent its receipt yet (copied or gave up, functions/decisions/transitReceipts.ts)
// unless it is older than the receipts' bound. Dry run unless transit deletions are enabled; the plan is
// logged and returned either way.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { receiptedAccounts } from "../../aws/receiptLedger";
import { carryOut, type DeletionOutcome, listSnapshots, sharedWith } from "../../aws/snapshots";
import { loadProducerConfig } from "../../contracts/runtimeConfig";
import { type DeletionOptions, planSnapshotDeletions } from "../../decisions/deletionGuard";
import { isOurSourceSideSnapshot } from "../../decisions/sourceOwnership";
import { isManaged, ROLE_KEY, SOURCE_DATABASE_KEY } from "../../decisions/tags";
import { awaitedDestinations } from "../../decisions/transitReceipts";
import type { WorkItem } from "./plan";

export const TRANSIT_HOLD_TAG = "rds-replication:hold";
const PRUNED_ROLES = ["transit", "source"];

export interface PruneRegionResult extends DeletionOutcome {
  region: string;
  /** Snapshots kept only because these destination accounts have not sent their receipt. */
  awaiting: { id: string; accounts: string[] }[];
}

export async function pruneTransit(item: WorkItem): Promise<PruneRegionResult[]> {
  const obs = observe("producer-prune", { database: item.database });
  return runStep(obs, async () => {
    const config = await loadProducerConfig();
    const now = new Date();
    const dynamodb = new DynamoDBClient({});
    const graceMs = config.transit.graceHours * 3600_000;
    const regions = [...new Set([config.region, ...item.routes.map((r) => r.region)])];
    const results: PruneRegionResult[] = [];
    for (const region of regions) {
      const rds = rdsIn(region);
      // Everything tagged as ours for this database; only what passes the provenance check counts or goes.
      const tagged = (await listSnapshots(rds, item.kind, { type: "manual" })).filter(
        (s) =>
          isManaged(s.tags) &&
          PRUNED_ROLES.includes(s.tags[ROLE_KEY] ?? "") &&
          s.tags[SOURCE_DATABASE_KEY] === item.database,
      );
      const inventory = tagged.map((s) => ({
        id: s.id,
        createdAt: new Date(s.createdAt ?? now.toISOString()),
        managed: isOurSourceSideSnapshot(s, item.database, region),
        status: s.status,
        tags: s.tags,
      }));
      const young = inventory.filter((s) => now.getTime() - s.createdAt.getTime() < graceMs).map((s) => s.id);
      const options: DeletionOptions = {
        now,
        enabled: config.transit.deletionsEnabled,
        maxDeletions: inventory.length,
        holdTagKey: TRANSIT_HOLD_TAG,
        protectedIds: young,
      };
      const planned = planSnapshotDeletions(inventory, { keepLast: config.transit.keep }, options);
      // Only destinations with a receipt topic here can send receipts (none: a config older than receipts, which
      // prunes by keep and grace alone). Only what those rules would delete is asked about: one attribute read
      // and one query each.
      const receivers = new Set((config.receiptTopics ?? []).filter((t) => t.region === region).map((t) => t.account));
      const awaiting: PruneRegionResult["awaiting"] = [];
      for (const s of receivers.size > 0 ? planned.delete : []) {
        const arn = tagged.find((t) => t.id === s.id)?.arn ?? "";
        const [shared, receipted] = await Promise.all([
          sharedWith(rds, item.kind, s.id),
          receiptedAccounts(dynamodb, config.admissionTable, arn),
        ]);
        const accounts = awaitedDestinations(
          shared.filter((a) => receivers.has(a)),
          receipted,
          s.createdAt,
          now,
        );
        if (accounts.length > 0) awaiting.push({ id: s.id, accounts });
      }
      const plan =
        awaiting.length === 0
          ? planned
          : planSnapshotDeletions(
              inventory,
              { keepLast: config.transit.keep },
              { ...options, protectedIds: [...young, ...awaiting.map((a) => a.id)] },
            );
      const result = {
        region,
        awaiting,
        ...(await carryOut(rds, item.kind, plan, (id) => `delete transit snapshot ${id} in ${region}`)),
      };
      obs.logger.info(plan.dryRun ? "transit prune plan (dry run)" : "transit pruned", result);
      results.push(result);
    }
    return results;
  });
}
