// Cleanup of a target's superseded restored databases, in two steps with separate roles: `unprotect` may only
// lift deletion protection (ModifyDB* on databases tagged restored by the tool), `cleanup` may only delete.
// Both re-read the secret and re-list the target's databases before acting, and act only on what the switch
// planned AND still qualifies now: never the database the secret points to, never the one restored last,
// never one without the target's prefix and provenance tags. Off (`cleanupEnabled: false`): reported only.
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import {
  deleteRestored,
  listRestored,
  loadRestoreConfig,
  type RestoredDatabase,
  type RestoreSettings,
  unprotectRestored,
} from "../../aws/restoredDatabases";
import { readSecret } from "../../aws/secrets";
import { restoredToDelete, secretTarget } from "../../decisions/destinationRules";
import { classifyAwsError } from "../../decisions/errors";
import type { ConsumerState } from "./copy";
import type { SwitchResult } from "./switch";

type CleanupState = ConsumerState & { switch: SwitchResult };

export interface UnprotectResult {
  unprotected: string[];
  dryRun: boolean;
}

export interface CleanupResult {
  toDelete: string[];
  deleted: string[];
  /** Planned but still protected (lifting it failed or has not taken effect): deleted by a later run. */
  stillProtected: string[];
  dryRun: boolean;
}

/** The planned databases that still qualify, read again from the secret and RDS. */
async function stillSuperseded(state: CleanupState, settings: RestoreSettings): Promise<RestoredDatabase[]> {
  const current = secretTarget(await readSecret(settings.secretName), state.announcement.kind);
  const now = restoredToDelete(await listRestored(rdsIn(), settings), settings.keepInstances, current ? [current] : []);
  return now.filter((d) => state.switch.toDelete.includes(d.id));
}

export async function unprotect(state: CleanupState): Promise<UnprotectResult> {
  const a = state.announcement;
  const obs = observe("consumer-unprotect", { snapshotArn: a.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const { settings, cleanupEnabled } = await loadRestoreConfig("unprotect", a);
    if (!cleanupEnabled || state.switch.toDelete.length === 0) return { unprotected: [], dryRun: !cleanupEnabled };
    const unprotected: string[] = [];
    for (const db of await stillSuperseded(state, settings)) {
      if (!db.deletionProtection) continue;
      try {
        await unprotectRestored(rdsIn(), db);
      } catch (error) {
        throw classifyAwsError(error, { operation: `lift deletion protection of restored ${db.kind} ${db.id}` });
      }
      unprotected.push(db.id);
    }
    obs.logger.info("deletion protection lifted", { unprotected });
    return { unprotected, dryRun: false };
  });
}

export async function cleanup(state: CleanupState): Promise<CleanupResult> {
  const a = state.announcement;
  const obs = observe("consumer-cleanup", { snapshotArn: a.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const { settings, cleanupEnabled } = await loadRestoreConfig("cleanup", a);
    if (!cleanupEnabled) return { toDelete: state.switch.toDelete, deleted: [], stillProtected: [], dryRun: true };
    const deleted: string[] = [];
    const stillProtected: string[] = [];
    for (const db of await stillSuperseded(state, settings)) {
      if (db.deletionProtection) {
        stillProtected.push(db.id);
        continue;
      }
      try {
        await deleteRestored(rdsIn(), db);
      } catch (error) {
        throw classifyAwsError(error, { operation: `delete restored ${db.kind} ${db.id}` });
      }
      deleted.push(db.id);
    }
    const result = { toDelete: state.switch.toDelete, deleted, stillProtected, dryRun: false };
    obs.logger.info("superseded restored databases deleted", result);
    return result;
  });
}
