// Restore tests (DR drills) of one database, the steps of the restore-test state machine: restore the newest
// copy into an isolated network as `rt-<hash>-<start>` (not protected, tagged role restore-test), check what can
// be checked without credentials once the poll step finds it available, record the time to available as the
// RestoreTestSeconds metric of the database, for Aurora with `dataApiSelect` run SELECT 1 through the Data API,
// delete it (also after a failure), publish the result.
import { PublishCommand } from "@aws-sdk/client-sns";
import { rdsIn, snsIn } from "../../aws/clients";
import { executeStatement, openDataApi, rdsDataIn } from "../../aws/dataApi";
import { DATABASE_DIMENSION, ENGINE_METRICS, MetricUnit, observe, runStep } from "../../aws/observability";
import { clusterInstanceId, deleteRestored, describeDatabase, restoreDatabase } from "../../aws/restoredDatabases";
import { observeDatabase } from "../../aws/restoreTestDatabases";
import { listSnapshots } from "../../aws/snapshots";
import { type ConsumerRuntimeConfig, loadConsumerConfig } from "../../contracts/runtimeConfig";
import { regionOfArn } from "../../decisions/arn";
import {
  awsErrorCode,
  classifyAwsError,
  isAlreadyExists,
  isRetryable,
  type Kind,
  replicationError,
} from "../../decisions/errors";
import type { PollOperation } from "../../decisions/pollSchedule";
import {
  DATA_API_SQL,
  type Expected,
  isRestoreTestOf,
  newestCopyOf,
  RESTORE_TEST_ROLE,
  restoreTestId,
  restoreTestProblems,
  selectOneProblem,
} from "../../decisions/restoreTestChecks";
import {
  MANAGED_BY_KEY,
  MANAGED_BY_VALUE,
  RESTORED_FROM_KEY,
  ROLE_KEY,
  SOURCE_CREATED_KEY,
  SOURCE_DATABASE_KEY,
} from "../../decisions/tags";
import type { PollProgress, PollTarget } from "../poll";

/** The state machine's input (`aws stepfunctions start-execution --input`), plus what its first state adds. */
export interface RestoreTestState {
  database: string;
  kind: Kind;
  execution: string;
  /** The execution's start: names the test database. */
  startedAt: string;
  test?: RestoreTestStart;
  verified?: RestoreTestVerdict;
  queried?: RestoreTestQuery;
  deleted?: RestoreTestDeletion;
  error?: { Error?: string; Cause?: string };
}

export interface RestoreTestStart {
  restored: PollTarget;
  operation: PollOperation;
  poll: PollProgress;
  snapshot: Expected & { id: string; sourceCreated?: string };
  restoreStartedAt: string;
  /** Aurora with `dataApiSelect`: the state machine runs the query step after the verify step. */
  dataApi: boolean;
}

export interface RestoreTestQuery {
  sql: string;
  result: number;
}

export interface RestoreTestVerdict {
  seconds: number;
  rtoMinutes: number;
  withinRto: boolean;
}

export interface RestoreTestDeletion {
  id: string;
  deleted: boolean;
}

type TestSetting = NonNullable<ConsumerRuntimeConfig["restoreTests"]>[number];

async function settingFor(state: Pick<RestoreTestState, "database" | "kind">) {
  const config = await loadConsumerConfig();
  const setting = (config.restoreTests ?? []).find((t) => t.database === state.database && t.kind === state.kind);
  if (!setting)
    throw replicationError("ConfigInvalid", `no restore test configured for ${state.kind} ${state.database}`);
  return { config, setting };
}

/** The test database of this run as RDS describes it, refused when the identifier is not one of ours. */
async function ownTestDatabase(state: RestoreTestState) {
  const id = restoreTestId(state.database, state.startedAt);
  const existing = await describeDatabase(rdsIn(), state.kind, id);
  if (existing && !isRestoreTestOf(existing, state.database))
    throw replicationError(
      "AlreadyExistsNotOurs",
      `${state.kind} ${id} exists and is not a restore test of ${state.database} by rds-replication`,
    );
  return { id, existing };
}

export async function startRestoreTest(state: RestoreTestState): Promise<RestoreTestStart> {
  const obs = observe("consumer-restore-test-start", { execution: state.execution, database: state.database });
  return runStep(obs, async () => {
    const { config, setting } = await settingFor(state);
    const rds = rdsIn();
    const copy = newestCopyOf(await listSnapshots(rds, state.kind, { type: "manual" }), state.database);
    if (!copy)
      throw replicationError("RestoreTestFailed", `no available copy of ${state.kind} ${state.database} to restore`);
    const { id, existing } = await ownTestDatabase(state);
    const now = new Date().toISOString();
    const result: RestoreTestStart = {
      restored: {
        resource: state.kind,
        kind: state.kind,
        id,
        region: config.region,
        ...(state.kind === "cluster" ? { instanceId: clusterInstanceId(id) } : {}),
      },
      operation: state.kind === "cluster" ? "restore-cluster" : "restore-instance",
      poll: { polls: 0 },
      snapshot: {
        id: copy.id,
        engine: copy.engine,
        engineVersion: copy.engineVersion,
        allocatedGiB: copy.allocatedGiB,
        keyArn: config.keyArn,
        sourceCreated: copy.tags[SOURCE_CREATED_KEY],
      },
      restoreStartedAt: existing?.createdAt || now,
      dataApi: state.kind === "cluster" && setting.dataApiSelect === true,
    };
    if (existing) {
      obs.logger.info("restore test already started", { id });
      return result;
    }
    const tags = {
      [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
      [ROLE_KEY]: RESTORE_TEST_ROLE,
      [RESTORED_FROM_KEY]: copy.id,
      [SOURCE_DATABASE_KEY]: state.database,
      ...(copy.tags[SOURCE_CREATED_KEY] ? { [SOURCE_CREATED_KEY]: copy.tags[SOURCE_CREATED_KEY] } : {}),
    };
    try {
      await restoreDatabase(rds, state.kind, id, copy.id, copy.engine, placement(setting), tags, false);
    } catch (error) {
      if (!isAlreadyExists(error))
        throw classifyAwsError(error, { operation: `restore test ${id} from ${copy.id}`, keyArns: [config.keyArn] });
    }
    obs.logger.info("restore test started", { id, copy: copy.id });
    return result;
  });
}

const placement = (setting: TestSetting) => ({
  instanceClass: setting.instanceClass,
  subnetGroupName: setting.subnetGroupName,
  securityGroupIds: setting.securityGroupIds,
});

export async function verifyRestoreTest(
  state: RestoreTestState & { test: RestoreTestStart },
): Promise<RestoreTestVerdict> {
  const obs = observe("consumer-restore-test-verify", { execution: state.execution, database: state.database });
  return runStep(obs, async () => {
    const { setting } = await settingFor(state);
    const seconds = Math.max(0, (Date.now() - Date.parse(state.test.restoreStartedAt)) / 1000);
    const observed = await observeDatabase(rdsIn(), state.kind, state.test.restored.id);
    if (observed?.status === "available")
      obs.metric(ENGINE_METRICS.restoreTestSeconds, MetricUnit.Seconds, seconds, {
        [DATABASE_DIMENSION]: state.database,
      });
    const problems = observed
      ? restoreTestProblems(state.kind, state.test.snapshot, observed)
      : [`${state.test.restored.id} does not exist`];
    if (problems.length > 0)
      throw replicationError("RestoreTestFailed", `${state.test.restored.id}: ${problems.join("; ")}`);
    const verdict = { seconds, rtoMinutes: setting.rtoMinutes, withinRto: seconds <= setting.rtoMinutes * 60 };
    obs.logger.info("restore test passed", { id: state.test.restored.id, ...verdict });
    return verdict;
  });
}

/**
 * Aurora with `dataApiSelect`: SELECT 1 through the Data API on the test cluster. Until RDS has made the
 * master user secret and enabled the endpoint, the step fails as ResourceBusy, which the state machine retries.
 */
export async function queryRestoreTest(
  state: RestoreTestState & { test: RestoreTestStart },
): Promise<RestoreTestQuery> {
  const obs = observe("consumer-restore-test-query", { execution: state.execution, database: state.database });
  return runStep(obs, async () => {
    const id = state.test.restored.id;
    let access: Awaited<ReturnType<typeof openDataApi>>;
    try {
      access = await openDataApi(rdsIn(), id);
    } catch (error) {
      const operation = `enable the Data API on ${id} (RDS-managed master password, EnableHttpEndpoint)`;
      const classified = classifyAwsError(error, { operation });
      // Busy or throttled: retried by the state machine; anything else (an engine without the Data API) fails the test.
      const code = awsErrorCode(error);
      throw isRetryable(classified)
        ? classified
        : replicationError("RestoreTestFailed", `${operation} failed: ${code}: ${(error as Error).message}`, code);
    }
    if (!access) throw replicationError("RestoreTestFailed", `${id} does not exist`);
    if (!access.ready || !access.secretArn)
      throw replicationError("ResourceBusy", `${id}: waiting for ${access.waitingFor.join(", ")}`);
    let records: Awaited<ReturnType<typeof executeStatement>>;
    try {
      records = await executeStatement(rdsDataIn(), access.clusterArn, access.secretArn, DATA_API_SQL);
    } catch (error) {
      const { name, message } = error as Error;
      throw replicationError(
        "RestoreTestFailed",
        `${id}: ${DATA_API_SQL} through the Data API: ${name}: ${message}`,
        name,
      );
    }
    const problem = selectOneProblem(records);
    if (problem) throw replicationError("RestoreTestFailed", `${id}: ${problem}`);
    obs.logger.info("restore test query passed", { id, sql: DATA_API_SQL });
    return { sql: DATA_API_SQL, result: 1 };
  });
}

/** Deletes this run's test database, whatever happened before; nothing to delete is not a failure. */
export async function deleteRestoreTest(state: RestoreTestState): Promise<RestoreTestDeletion> {
  const obs = observe("consumer-restore-test-delete", { execution: state.execution, database: state.database });
  return runStep(obs, async () => {
    const { id, existing } = await ownTestDatabase(state);
    if (!existing) return { id, deleted: false };
    try {
      await deleteRestored(rdsIn(), existing);
    } catch (error) {
      throw classifyAwsError(error, { operation: `delete restore test ${id}` });
    }
    obs.logger.info("restore test database deleted", { id });
    return { id, deleted: true };
  });
}

export interface RestoreTestReport {
  database: string;
  kind: Kind;
  outcome: "passed" | "failed";
  id: string;
  snapshot?: string;
  seconds?: number;
  rtoMinutes?: number;
  withinRto?: boolean;
  /** Aurora with `dataApiSelect`: the statement run through the Data API and what it returned. */
  query?: RestoreTestQuery;
  deleted: boolean;
  reason?: string;
  execution: string;
}

/** Publishes the result on the notifications topic (subject and attribute `outcome`: passed or failed). */
export async function reportRestoreTest(state: RestoreTestState & { outcome: "passed" | "failed" }) {
  const obs = observe("consumer-restore-test-report", { execution: state.execution, database: state.database });
  return runStep(obs, async () => {
    const config = await loadConsumerConfig();
    const report: RestoreTestReport = {
      database: state.database,
      kind: state.kind,
      outcome: state.outcome,
      id: state.deleted?.id ?? restoreTestId(state.database, state.startedAt),
      snapshot: state.test?.snapshot.id,
      ...(state.verified ?? {}),
      ...(state.queried ? { query: state.queried } : {}),
      deleted: state.deleted?.deleted ?? false,
      ...(state.error ? { reason: `${state.error.Error}: ${state.error.Cause}` } : {}),
      execution: state.execution,
    };
    const rto =
      report.seconds !== undefined ? ` in ${Math.round(report.seconds)} s (RTO ${report.rtoMinutes} min)` : "";
    const out = await snsIn(regionOfArn(config.notifyTopicArn)).send(
      new PublishCommand({
        TopicArn: config.notifyTopicArn,
        Subject: `rds-replication restore test ${state.outcome}: ${state.database}${rto}`.slice(0, 100),
        Message: JSON.stringify(report),
        MessageAttributes: { outcome: { DataType: "String", StringValue: state.outcome } },
      }),
    );
    obs.logger.info("restore test reported", { report });
    return { ...report, messageId: out.MessageId };
  });
}
