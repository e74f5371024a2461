// Retention over this account's copies of the announced database: the policy comes from the source
// database's lifecycle tag (carried in the announcement) or the stack default, functions/deletionGuard.ts
// decides what may go. Dry run unless deletions are enabled; the plan is logged and returned either way.
import { rdsIn } from "../aws";
import { planSnapshotDeletions } from "../deletionGuard";
import { observe, runStep } from "../observability";
import { loadConsumerConfig } from "../runtimeConfig";
import { carryOut, type DeletionOutcome, listSnapshots } from "../snapshots";
import { isManaged, RESTORED_FROM_KEY, SOURCE_ACCOUNT_KEY, SOURCE_CREATED_KEY, SOURCE_DATABASE_KEY } from "../tags";
import type { ConsumerState, CopyResult } from "./copy";
import { describeDatabase } from "./databases";
import type { RestoreResult } from "./restore";
import { refreshTargetFor, retentionPolicyFor, secretTarget } from "./rules";
import { readSecret } from "./secret";

export interface RetentionResult extends DeletionOutcome {
  /** Where the policy came from, e.g. "Draco_Lifecycle=Test" or "stack default". */
  policy: string;
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
    const copies = (await listSnapshots(rds, a.kind, { type: "manual" })).filter(
      (s) => s.tags[SOURCE_DATABASE_KEY] === a.sourceDatabase && s.tags[SOURCE_ACCOUNT_KEY] === a.sourceAccount,
    );
    const inventory = copies.map((s) => ({
      id: s.id,
      // Age counts from when the source took the data, not from when this copy was made.
      createdAt: new Date(s.tags[SOURCE_CREATED_KEY] ?? s.createdAt ?? now.toISOString()),
      managed: isManaged(s.tags),
      status: s.status,
      tags: s.tags,
    }));
    const plan = planSnapshotDeletions(inventory, choice.policy, {
      now,
      enabled: config.retention.deletionsEnabled,
      maxDeletions: config.retention.maxDeletionsPerRun,
      holdTagKey: config.retention.holdTagKey,
      protectedIds: [state.copy.snapshot.id, ...(await protectedCopies(state))],
    });
    const result = {
      policy: choice.source,
      ...(await carryOut(rds, a.kind, plan, (id) => `delete snapshot ${id} (retention)`)),
    };
    obs.logger.info(plan.dryRun ? "retention plan (dry run)" : "retention applied", result);
    return result;
  });
}
