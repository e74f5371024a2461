// Retention over this account's copies of the announced database: the policy comes from the stack default,
// lengthened by the source database's lifecycle tag and the floor (functions/decisions/retentionFloor.ts);
// functions/decisions/deletionGuard.ts decides what qualifies and functions/decisions/coolingOff.ts what goes now (marked first,
// deleted after the cooling-off). Dry run unless deletions are enabled; the plan is logged and returned either way.

import type { RDSClient } from "@aws-sdk/client-rds";
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { describeDatabase } from "../../aws/restoredDatabases";
import { readSecret } from "../../aws/secrets";
import { addTags, carryOut, type DeletionOutcome, listSnapshots, removeTags } from "../../aws/snapshots";
import { loadConsumerConfig } from "../../contracts/runtimeConfig";
import { type CoolingOffPlan, planCoolingOff } from "../../decisions/coolingOff";
import { dataTimeOf, isOurCopy } from "../../decisions/copyOwnership";
import { type InventorySnapshot, planSnapshotDeletions } from "../../decisions/deletionGuard";
import { refreshTargetFor, retentionPolicyFor, secretTarget } from "../../decisions/destinationRules";
import { DELETION_DUE_KEY, RESTORED_FROM_KEY, SOURCE_ACCOUNT_KEY, SOURCE_DATABASE_KEY } from "../../decisions/tags";
import type { ConsumerState, CopyResult } from "./copy";
import type { RestoreResult } from "./restore";

export interface RetentionResult extends DeletionOutcome {
  /** Copies marked in this run, each with when it may be deleted (reported; none set in a dry run). */
  marked?: { id: string; due: string }[];
  /** Copies whose mark was removed: no longer qualifying, or held. */
  unmarked?: string[];
  /** Where the policy came from, e.g. "Draco_Lifecycle=Test" or "stack default". */
  policy: string;
  /** When the data of this run's copy was taken, as RDS reports it here (the replication lag counts from it). */
  copyDataTime?: string;
}

/** Sets the new marks and removes those of copies that no longer qualify (the hold tag cancels a mark). */
async function applyMarks(
  rds: RDSClient,
  inventory: { id: string; arn: string }[],
  cooling: CoolingOffPlan<InventorySnapshot>,
): Promise<void> {
  const arnOf = new Map(inventory.map((s) => [s.id, s.arn]));
  for (const m of cooling.mark) await addTags(rds, arnOf.get(m.id) ?? m.id, { [DELETION_DUE_KEY]: m.due });
  for (const id of cooling.unmark) await removeTags(rds, arnOf.get(id) ?? id, [DELETION_DUE_KEY]);
}

/** The copy behind the database the secret points to must survive retention. */
async function protectedCopies(state: ConsumerState & { restore?: RestoreResult }): Promise<string[]> {
  const config = await loadConsumerConfig();
  const target = refreshTargetFor(config.restore, state.announcement);
  if (!target) return [];
  const current = secretTarget(await readSecret(target.secretName), state.announcement.kind);
  if (!current) return [];
  const db = await describeDatabase(rdsIn(), state.announcement.kind, current);
  const from = db?.tags[RESTORED_FROM_KEY];
  return from ? [from] : [];
}

export async function applyRetention(
  state: ConsumerState & { copy: CopyResult; restore?: RestoreResult },
): Promise<RetentionResult> {
  const a = state.announcement;
  const obs = observe("consumer-retention", { snapshotArn: a.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const config = await loadConsumerConfig();
    const rds = rdsIn();
    const now = new Date();
    const choice = retentionPolicyFor(a, config.retention);
    const listed = (await listSnapshots(rds, a.kind, { type: "manual" })).map((s) => ({
      id: s.id,
      arn: s.arn,
      // Age counts from when the source took the data as RDS reports it here, never from the announcement's
      // claim; a copy RDS gives no time yet is as young as can be.
      createdAt: dataTimeOf(s) ?? now,
      // Ours by identifier and provenance, not by a tag alone (a person's --copy-tags copy is kept).
      managed: isOurCopy(s),
      status: s.status,
      tags: s.tags,
    }));
    const ofThisDatabase = (s: (typeof listed)[number]) =>
      s.tags[SOURCE_DATABASE_KEY] === a.sourceDatabase && s.tags[SOURCE_ACCOUNT_KEY] === a.sourceAccount;
    const inventory = listed.filter(ofThisDatabase);
    const { retention } = config;
    // The guard decides what qualifies (uncapped here); the cooling-off decides what goes now, capped.
    const guarded = planSnapshotDeletions(inventory, choice.policy, {
      now,
      enabled: retention.deletionsEnabled,
      maxDeletions: inventory.length,
      holdTagKey: retention.holdTagKey,
      protectedIds: [state.copy.snapshot.id, ...(await protectedCopies(state))],
    });
    const cooling = planCoolingOff(
      guarded.delete,
      inventory,
      listed.filter((s) => s.managed && !ofThisDatabase(s)),
      {
        now,
        delayHours: retention.coolingOffHours,
        perDay: retention.maxDeletionsPerRun,
        perRun: retention.maxDeletionsPerRun,
        markKey: DELETION_DUE_KEY,
      },
    );
    const going = new Set(cooling.delete);
    const plan = {
      ...guarded,
      keep: inventory.filter((s) => !going.has(s)),
      delete: cooling.delete,
      skipped: [
        ...guarded.skipped,
        ...[...cooling.mark, ...cooling.waiting]
          .filter((m) => !cooling.delete.some((s) => s.id === m.id))
          .map((m) => ({ id: m.id, reason: `cooling off until ${m.due}` })),
      ],
    };
    if (!plan.dryRun) await applyMarks(rds, inventory, cooling);
    const result = {
      policy: choice.source,
      copyDataTime: inventory.find((s) => s.id === state.copy.snapshot.id)?.createdAt.toISOString(),
      marked: cooling.mark,
      unmarked: cooling.unmark,
      ...(await carryOut(rds, a.kind, plan, (id) => `delete snapshot ${id} (retention)`)),
    };
    obs.logger.info(plan.dryRun ? "retention plan (dry run)" : "retention applied", result);
    return result;
  });
}
