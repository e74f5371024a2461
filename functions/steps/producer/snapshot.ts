// Takes the fresh snapshot of a scheduled or manual run, `<db>-<UTC timestamp>` as planned. The id is fixed
// at plan time, so a retried step finds the snapshot it made instead of taking a second one.
import { rdsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { createSnapshot, describeSnapshot } from "../../aws/snapshots";
import { loadProducerConfig } from "../../contracts/runtimeConfig";
import { classifyAwsError, isAlreadyExists, replicationError } from "../../decisions/errors";
import {
  carryTags,
  isManaged,
  MANAGED_BY_KEY,
  MANAGED_BY_VALUE,
  ROLE_KEY,
  SOURCE_DATABASE_KEY,
} from "../../decisions/tags";
import type { WorkItem } from "./plan";

export async function takeSnapshot(item: WorkItem): Promise<WorkItem["source"]> {
  const obs = observe("producer-snapshot", { database: item.database });
  return runStep(obs, async () => {
    const config = await loadProducerConfig();
    const rds = rdsIn();
    const operation = `take snapshot ${item.source.id} of ${item.kind} ${item.database}`;
    // Tagged as ours so its RDS "snapshot created" event does not start a second producer run, and with its
    // database so the prune step keeps only the newest K of them.
    const tags = {
      ...carryTags(item.databaseTags),
      [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
      [ROLE_KEY]: "source",
      [SOURCE_DATABASE_KEY]: item.database,
    };
    try {
      const made = await createSnapshot(rds, item.kind, item.database, item.source.id, tags);
      obs.logger.info("snapshot requested", { snapshot: made.arn, status: made.status });
      return { ...item.source, arn: made.arn, region: config.region };
    } catch (error) {
      if (!isAlreadyExists(error)) throw classifyAwsError(error, { operation, account: config.account });
      const existing = await describeSnapshot(rds, item.kind, item.source.id);
      if (!existing || !isManaged(existing.tags)) {
        throw replicationError(
          "AlreadyExistsNotOurs",
          `${operation} failed: a snapshot named ${item.source.id} exists and was not made by rds-replication`,
        );
      }
      return { ...item.source, arn: existing.arn, region: config.region };
    }
  });
}
