// Optional refresh (prod-to-dev): restore a new database from the copy, named `<prefix>-<timestamp of the
// source snapshot>` so a retried step finds the database it started. Not publicly accessible, deletion
// protected, subnet group / security groups / class from config. The secret is switched later, once it is up.
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { clusterInstanceId, describeDatabase, loadRestoreConfig, restoreDatabase } from "../../aws/restoredDatabases";
import { readSecret } from "../../aws/secrets";
import { secretTarget } from "../../decisions/destinationRules";
import { classifyAwsError, isAlreadyExists, replicationError } from "../../decisions/errors";
import { restoredInstanceId } from "../../decisions/naming";
import type { PollOperation } from "../../decisions/pollSchedule";
import {
  MANAGED_BY_KEY,
  MANAGED_BY_VALUE,
  RESTORED_FROM_KEY,
  ROLE_KEY,
  SOURCE_CREATED_KEY,
  SOURCE_DATABASE_KEY,
} from "../../decisions/tags";
import type { PollProgress, PollTarget } from "../poll";
import type { ConsumerState, CopyResult } from "./copy";

export interface RestoreResult {
  restored: PollTarget;
  /** The database the secret pointed to before (none on the first refresh). */
  previous?: string;
  adopted: boolean;
  poll: PollProgress;
  operation: PollOperation;
}

export async function restore(state: ConsumerState & { copy: CopyResult }): Promise<RestoreResult> {
  const a = state.announcement;
  const obs = observe("consumer-restore", { snapshotArn: a.snapshotArn, execution: state.execution });
  return runStep(obs, async () => {
    const { config, settings } = await loadRestoreConfig("restore");
    const rds = rdsIn();
    const previous = secretTarget(await readSecret(settings.secretName), a.kind);
    const id = restoredInstanceId(settings.instancePrefix, new Date(a.snapshotCreateTime));
    const restored: PollTarget = {
      resource: a.kind === "cluster" ? "cluster" : "instance",
      kind: a.kind,
      id,
      region: config.region,
      instanceId: a.kind === "cluster" ? clusterInstanceId(id) : undefined,
    };
    const tags = {
      [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
      [ROLE_KEY]: "restored",
      [RESTORED_FROM_KEY]: state.copy.snapshot.id,
      [SOURCE_DATABASE_KEY]: a.sourceDatabase,
      [SOURCE_CREATED_KEY]: a.snapshotCreateTime,
    };
    const doing = `restore ${a.kind} ${id} from ${state.copy.snapshot.id}`;
    let adopted = false;
    try {
      await restoreDatabase(rds, a.kind, id, state.copy.snapshot.id, a.engine, settings, tags);
    } catch (error) {
      if (!isAlreadyExists(error)) throw classifyAwsError(error, { operation: doing, keyArns: [config.keyArn] });
      const existing = await describeDatabase(rds, a.kind, id);
      if (existing?.tags[RESTORED_FROM_KEY] !== state.copy.snapshot.id) {
        throw replicationError(
          "AlreadyExistsNotOurs",
          `${doing} failed: ${id} already exists and was not restored by rds-replication from this copy`,
        );
      }
      adopted = true;
    }
    obs.logger.info(adopted ? "restore already started" : "restore started", { id, previous });
    const operation: PollOperation = a.kind === "cluster" ? "restore-cluster" : "restore-instance";
    return { restored, previous, adopted, poll: { polls: 0 }, operation };
  });
}
