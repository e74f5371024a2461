// After the restored database is available: point its target's secret at it, only if it holds strictly newer
// source data than the database the secret points to now (re-read here: a late run of an older snapshot never
// takes the secret back), tag the previous database as superseded, and plan which restored databases go
// (the target's newest N by source data kept). Runs one at a time (reserved concurrency 1), so two switches
// cannot both read the same secret. Deleting is left to two later steps: one that may only lift deletion
// protection, one that may only delete; this step's role cannot modify a database at all.
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { describeDatabase, listRestored, loadRestoreConfig, tagDatabase } from "../../aws/restoredDatabases";
import { readSecret, writeSecret } from "../../aws/secrets";
import {
  restoredFor,
  restoredToDelete,
  secretTarget,
  switchAllowed,
  switchedSecret,
  switchToken,
} from "../../decisions/destinationRules";
import { classifyAwsError, replicationError } from "../../decisions/errors";
import { DELETE_AFTER_KEY, SOURCE_CREATED_KEY } from "../../decisions/tags";
import type { ConsumerState, CopyResult } from "./copy";
import type { RestoreResult } from "./restore";

export interface SwitchResult {
  secret: string;
  /** Whether the secret now points to this run's database. */
  switched: boolean;
  /** The database the secret points to after this step. */
  current: string;
  host?: string;
  port?: number;
  previous?: string;
  /** Restored databases of this target beyond its newest N (cleanup lifts their protection, then deletes). */
  toDelete: string[];
  /** Whether cleanup of superseded restored databases is off (then they are only reported). */
  dryRun: boolean;
}

export async function switchEndpoint(
  state: ConsumerState & { copy: CopyResult; restore: RestoreResult },
): Promise<SwitchResult> {
  const a = state.announcement;
  const obs = observe("consumer-switch", { snapshotArn: a.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const { settings, cleanupEnabled } = await loadRestoreConfig("switch", a);
    const rds = rdsIn();
    const target = state.restore.restored;
    if (!target) throw replicationError("ConfigInvalid", "switch step called for a run that restored nothing");
    const restored = await describeDatabase(rds, a.kind, target.id);
    const secret = await readSecret(settings.secretName);
    const pointed = secretTarget(secret, a.kind);
    // A newer run's cleanup removed it meanwhile (it held older data): nothing to point to, nothing to plan.
    if (!restored && pointed && pointed !== target.id) {
      obs.logger.info("restored database gone, secret kept", { id: target.id, current: pointed });
      return {
        secret: settings.secretName,
        switched: false,
        current: pointed,
        previous: pointed,
        toDelete: [],
        dryRun: !cleanupEnabled,
      };
    }
    if (!restored?.endpoint) {
      throw replicationError("ResourceBusy", `restored ${a.kind} ${target.id} has no endpoint yet`);
    }
    const currentDb = pointed && pointed !== target.id ? await describeDatabase(rds, a.kind, pointed) : undefined;
    const ours = currentDb && restoredFor(currentDb, settings) ? currentDb : undefined;
    const switched =
      pointed === target.id || switchAllowed(ours, restored.tags[SOURCE_CREATED_KEY] ?? a.snapshotCreateTime);
    if (switched && pointed !== target.id) {
      const next = switchedSecret(secret, { ...restored.endpoint, kind: a.kind, id: target.id });
      try {
        await writeSecret(settings.secretName, next, switchToken(restored.arn));
      } catch (error) {
        throw classifyAwsError(error, { operation: `update secret ${settings.secretName}` });
      }
      if (currentDb) await tagDatabase(rds, currentDb.arn, { [DELETE_AFTER_KEY]: new Date().toISOString() });
    }
    const current = switched ? target.id : (pointed ?? target.id);
    const candidates = restoredToDelete(await listRestored(rds, settings), settings.keepInstances, [current]);
    const result: SwitchResult = {
      secret: settings.secretName,
      switched,
      current,
      ...(switched ? { host: restored.endpoint.host, port: restored.endpoint.port } : {}),
      previous: pointed,
      toDelete: candidates.map((d) => d.id),
      dryRun: !cleanupEnabled,
    };
    obs.logger.info(switched ? "secret switched" : "secret kept: it points to newer data", { ...result });
    return result;
  });
}
