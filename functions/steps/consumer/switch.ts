// After the restored database is available: point the secret at it (idempotent ClientRequestToken), tag the
// previous database as superseded, and delete restored databases beyond the newest N, only when deletions
// are enabled and never the one the secret points to.
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import {
  deleteRestored,
  describeDatabase,
  listRestored,
  loadRestoreConfig,
  tagDatabase,
} from "../../aws/restoredDatabases";
import { readSecret, writeSecret } from "../../aws/secrets";
import { restoredToDelete, switchedSecret, switchToken } from "../../decisions/destinationRules";
import { classifyAwsError, replicationError } from "../../decisions/errors";
import { DELETE_AFTER_KEY } from "../../decisions/tags";
import type { ConsumerState, CopyResult } from "./copy";
import type { RestoreResult } from "./restore";

export interface SwitchResult {
  secret: string;
  host: string;
  port: number;
  current: string;
  previous?: string;
  toDelete: string[];
  deleted: string[];
  dryRun: boolean;
}

export async function switchEndpoint(
  state: ConsumerState & { copy: CopyResult; restore: RestoreResult },
): Promise<SwitchResult> {
  const a = state.announcement;
  const obs = observe("consumer-switch", { snapshotArn: a.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const { config, settings } = await loadRestoreConfig("switch");
    const rds = rdsIn();
    const target = state.restore.restored;
    const restored = await describeDatabase(rds, a.kind, target.id);
    if (!restored?.endpoint) {
      throw replicationError("ResourceBusy", `restored ${a.kind} ${target.id} has no endpoint yet`);
    }
    const secret = await readSecret(settings.secretName);
    const next = switchedSecret(secret, { ...restored.endpoint, kind: a.kind, id: target.id });
    try {
      await writeSecret(settings.secretName, next, switchToken(restored.arn));
    } catch (error) {
      throw classifyAwsError(error, { operation: `update secret ${settings.secretName}` });
    }
    const previous = state.restore.previous;
    if (previous && previous !== target.id) {
      const old = await describeDatabase(rds, a.kind, previous);
      if (old) await tagDatabase(rds, old.arn, { [DELETE_AFTER_KEY]: new Date().toISOString() });
    }
    const candidates = restoredToDelete(
      await listRestored(rds, a.kind, settings.instancePrefix),
      settings.keepInstances,
      target.id,
    );
    const dryRun = !config.retention.deletionsEnabled;
    const deleted: string[] = [];
    if (!dryRun) {
      for (const db of candidates) {
        try {
          await deleteRestored(rds, db);
          deleted.push(db.id);
        } catch (error) {
          throw classifyAwsError(error, { operation: `delete restored ${a.kind} ${db.id}` });
        }
      }
    }
    const result = {
      secret: settings.secretName,
      host: restored.endpoint.host,
      port: restored.endpoint.port,
      current: target.id,
      previous,
      toDelete: candidates.map((d) => d.id),
      deleted,
      dryRun,
    };
    obs.logger.info("secret switched", result);
    return result;
  });
}
