// Optional refresh (prod-to-dev) of a database with a refresh target: restore a new database from the copy,
// named `<prefix>-<timestamp of the source snapshot>` so a retried step finds the database it started. Not
// publicly accessible, deletion protected, class / network / groups from its target. Skipped (not failed) when
// the secret already points to data at least as new, or when the target's restores per day are used up: a
// flood of announcements never becomes a flood of instances. The secret is switched later, once it is up.
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { clusterInstanceId, describeDatabase, loadRestoreConfig, restoreDatabase } from "../../aws/restoredDatabases";
import { readSecret, readSecretTag, tagSecret } from "../../aws/secrets";
import { restoreAllowance, restoredFor, secretTarget, switchAllowed } from "../../decisions/destinationRules";
import { classifyAwsError, isAlreadyExists, replicationError } from "../../decisions/errors";
import { restoredInstanceId } from "../../decisions/naming";
import type { PollOperation } from "../../decisions/pollSchedule";
import {
  MANAGED_BY_KEY,
  MANAGED_BY_VALUE,
  RESTORED_FROM_KEY,
  RESTORES_TODAY_KEY,
  ROLE_KEY,
  SOURCE_CREATED_KEY,
  SOURCE_DATABASE_KEY,
} from "../../decisions/tags";
import type { PollProgress, PollTarget } from "../poll";
import type { ConsumerState, CopyResult } from "./copy";

export interface RestoreResult {
  /** Present when a restore started (or an earlier attempt's was adopted); absent when skipped. */
  restored?: PollTarget;
  /** Why nothing was restored this run. */
  skipped?: string;
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
    const { config, settings } = await loadRestoreConfig("restore", a);
    const rds = rdsIn();
    const previous = secretTarget(await readSecret(settings.secretName), a.kind);
    const operation: PollOperation = a.kind === "cluster" ? "restore-cluster" : "restore-instance";
    const id = restoredInstanceId(settings.instancePrefix, new Date(a.snapshotCreateTime));
    const restored: PollTarget = {
      resource: a.kind === "cluster" ? "cluster" : "instance",
      kind: a.kind,
      id,
      region: config.region,
      instanceId: a.kind === "cluster" ? clusterInstanceId(id) : undefined,
    };
    const skip = (skipped: string): RestoreResult => {
      obs.logger.info("restore skipped", { id, skipped });
      return { skipped, previous, adopted: false, poll: { polls: 0 }, operation };
    };
    const existing = await describeDatabase(rds, a.kind, id);
    const doing = `restore ${a.kind} ${id} from ${state.copy.snapshot.id}`;
    const notOurs = () =>
      replicationError(
        "AlreadyExistsNotOurs",
        `${doing} failed: ${id} already exists and was not restored by rds-replication from this copy`,
      );
    if (existing) {
      if (existing.tags[RESTORED_FROM_KEY] !== state.copy.snapshot.id) throw notOurs();
      obs.logger.info("restore already started", { id, previous });
      return { restored, previous, adopted: true, poll: { polls: 0 }, operation };
    }
    const current = previous ? await describeDatabase(rds, a.kind, previous) : undefined;
    const ours = current && restoredFor(current, settings) ? current : undefined;
    if (!switchAllowed(ours, a.snapshotCreateTime))
      return skip(`${previous} already holds data as new as ${a.snapshotCreateTime}`);
    // The restore step runs one at a time (reserved concurrency 1): reading and raising the count is atomic.
    const allowance = restoreAllowance(
      await readSecretTag(settings.secretName, RESTORES_TODAY_KEY),
      new Date(),
      settings.maxRestoresPerDay,
    );
    if (!allowance.allowed)
      return skip(`${settings.maxRestoresPerDay} restores of ${a.sourceDatabase} today already (maxRestoresPerDay)`);
    await tagSecret(settings.secretName, RESTORES_TODAY_KEY, allowance.next);
    const tags = {
      [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
      [ROLE_KEY]: "restored",
      [RESTORED_FROM_KEY]: state.copy.snapshot.id,
      [SOURCE_DATABASE_KEY]: a.sourceDatabase,
      [SOURCE_CREATED_KEY]: a.snapshotCreateTime,
    };
    let adopted = false;
    try {
      await restoreDatabase(rds, a.kind, id, state.copy.snapshot.id, a.engine, settings, tags);
    } catch (error) {
      if (!isAlreadyExists(error)) throw classifyAwsError(error, { operation: doing, keyArns: [config.keyArn] });
      const raced = await describeDatabase(rds, a.kind, id);
      if (raced?.tags[RESTORED_FROM_KEY] !== state.copy.snapshot.id) throw notOurs();
      adopted = true;
    }
    obs.logger.info("restore started", { id, previous, restoresToday: allowance.count + 1 });
    return { restored, previous, adopted, poll: { polls: 0 }, operation };
  });
}
