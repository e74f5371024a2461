// First producer step: turn the trigger (an RDS snapshot event, the schedule, or a manual start) into work
// items, one per selected database that has destinations, and start one execution of the per-database state
// machine for each (named after its source snapshot, so a repeated trigger is a duplicate and a failed run is
// re-run as its next attempt: functions/aws/executions.ts). It returns counts (and at most a few refusals) only: the
// dispatching execution's state does not grow with the number of databases. Events only start work.
import {
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeOptionGroupsCommand,
  type RDSClient,
} from "@aws-sdk/client-rds";
import { rdsIn, sfnClient } from "../../aws/clients";
import { MAX_ATTEMPTS, type StartOutcome, startAttempt } from "../../aws/executions";
import { observe, runStep } from "../../aws/observability";
import { describeSnapshot, snapshotIdOf } from "../../aws/snapshots";
import { loadProducerConfig, type ProducerRuntimeConfig, STATE_MACHINE_VARIABLE } from "../../contracts/runtimeConfig";
import { classifyAwsError, type Kind, replicationError } from "../../decisions/errors";
import { manualStartRefusal } from "../../decisions/manualStart";
import { executionName, scheduledSnapshotId } from "../../decisions/naming";
import type { PollOperation } from "../../decisions/pollSchedule";
import {
  type Database,
  isDefaultOptionGroup,
  isSelected,
  loopTurnBudget,
  type Refusal,
  type Route,
  refusalOf,
  routesFor,
  type SourceFacts,
} from "../../decisions/sourceRules";
import { isManaged, tagMap } from "../../decisions/tags";
import type { PollProgress, PollTarget } from "../poll";

/** RDS event ids that mean "a snapshot was created" (manual 0042, automated 0091, cluster 0075 / 0169). */
export const SNAPSHOT_CREATED_EVENTS: Record<Kind, string[]> = {
  instance: ["RDS-EVENT-0042", "RDS-EVENT-0091"],
  cluster: ["RDS-EVENT-0075", "RDS-EVENT-0169"],
};

export interface RdsSnapshotEvent {
  "detail-type": "RDS DB Snapshot Event" | "RDS DB Cluster Snapshot Event";
  source?: string;
  resources?: string[];
  detail?: { EventID?: string; SourceIdentifier?: string; SourceArn?: string; SourceType?: string };
}

export type ProducerTrigger =
  | RdsSnapshotEvent
  | { trigger: "schedule" }
  | { trigger: "manual"; database: string; kind: Kind; snapshot?: string };

export interface WorkItem {
  trigger: "event" | "schedule" | "manual";
  database: string;
  kind: Kind;
  /** True: take a fresh snapshot named source.id first. */
  take: boolean;
  source: PollTarget & { arn?: string };
  sourcePoll: PollProgress;
  sourceOperation: PollOperation;
  routes: Route[];
  databaseTags: Record<string, string>;
  /** Instances: the option group the plan checked (cross-region copies name the mapped one). */
  optionGroup?: string;
}

/** Counts only (the items and names are logged): constant size whatever the number of databases. */
export interface PlanResult {
  startedAt: string;
  planned: number;
  started: number;
  duplicates: number;
  ignored: number;
  /** Selected databases that cannot be replicated (notified as failures): the first REFUSALS_REPORTED of them. */
  refused: Refusal[];
  refusedCount: number;
}

// Each refusal is a few hundred bytes; the rest are counted (and logged), so the state stays far below 256 KiB.
export const REFUSALS_REPORTED = 20;

/** The per-database run's name: its source snapshot (the ARN when known, else the snapshot id and kind). */
export function runNameOf(item: WorkItem): string {
  return executionName(item.source.arn ?? `${item.source.id}:${item.kind}`);
}

const instanceDatabase = (i: DBInstance, id = i.DBInstanceIdentifier ?? ""): Database => ({
  id,
  kind: "instance",
  tags: tagMap(i.TagList),
  encrypted: i.StorageEncrypted ?? false,
  optionGroup: i.OptionGroupMemberships?.[0]?.OptionGroupName,
});

const clusterDatabase = (c: DBCluster, id = c.DBClusterIdentifier ?? ""): Database => ({
  id,
  kind: "cluster",
  tags: tagMap(c.TagList),
  encrypted: c.StorageEncrypted ?? false,
});

async function describeDatabase(rds: RDSClient, kind: Kind, id: string): Promise<Database | undefined> {
  try {
    if (kind === "cluster") {
      const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
      const c = out.DBClusters?.[0];
      return c ? clusterDatabase(c, id) : undefined;
    }
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    const i = out.DBInstances?.[0];
    return i ? instanceDatabase(i, id) : undefined;
  } catch (error) {
    if (/NotFound/.test((error as Error).name)) return undefined;
    throw classifyAwsError(error, { operation: `describe database ${id}` });
  }
}

async function listDatabases(rds: RDSClient): Promise<Database[]> {
  const found: Database[] = [];
  let marker: string | undefined;
  do {
    const out = await rds.send(new DescribeDBInstancesCommand({ Marker: marker }));
    for (const i of out.DBInstances ?? []) {
      // Aurora members are replicated through their cluster.
      if (i.DBInstanceIdentifier && !i.DBClusterIdentifier) found.push(instanceDatabase(i));
    }
    marker = out.Marker;
  } while (marker);
  do {
    const out = await rds.send(new DescribeDBClustersCommand({ Marker: marker }));
    for (const c of out.DBClusters ?? []) {
      if (c.DBClusterIdentifier) found.push(clusterDatabase(c));
    }
    marker = out.Marker;
  } while (marker);
  return found;
}

function freshItem(trigger: WorkItem["trigger"], db: Database, config: ProducerRuntimeConfig, now: Date): WorkItem {
  return {
    trigger,
    database: db.id,
    kind: db.kind,
    take: true,
    source: { resource: "snapshot", kind: db.kind, id: scheduledSnapshotId(db.id, now), region: config.region },
    sourcePoll: { polls: 0, turnBudget: loopTurnBudget(routesFor(db.id, config.destinations)) },
    sourceOperation: "snapshot-create",
    routes: routesFor(db.id, config.destinations),
    databaseTags: db.tags,
  };
}

interface Planned {
  item: WorkItem;
  db: Database;
}

async function planEvent(
  rds: RDSClient,
  event: RdsSnapshotEvent,
  config: ProducerRuntimeConfig,
  ignored: string[],
): Promise<Planned[]> {
  const kind: Kind = event["detail-type"] === "RDS DB Cluster Snapshot Event" ? "cluster" : "instance";
  const eventId = event.detail?.EventID ?? "";
  const arn = event.resources?.[0] ?? event.detail?.SourceArn ?? event.detail?.SourceIdentifier ?? "";
  if (!SNAPSHOT_CREATED_EVENTS[kind].includes(eventId)) {
    ignored.push(`${eventId || "event"} for ${arn} is not a snapshot-created event`);
    return [];
  }
  const snapshot = await describeSnapshot(rds, kind, snapshotIdOf(arn));
  if (!snapshot) {
    throw replicationError("SnapshotNotVisible", `snapshot ${arn} from ${eventId} is not visible in ${config.region}`);
  }
  if (isManaged(snapshot.tags)) {
    ignored.push(`${snapshot.arn} was made by rds-replication (its own run handles it)`);
    return [];
  }
  const db = await describeDatabase(rds, kind, snapshot.database);
  if (!db || !isSelected(db, config.databases)) {
    ignored.push(`${snapshot.arn}: database ${snapshot.database} is not selected`);
    return [];
  }
  const item: WorkItem = {
    trigger: "event",
    database: db.id,
    kind,
    take: false,
    source: { resource: "snapshot", kind, id: snapshot.id, arn: snapshot.arn, region: config.region },
    sourcePoll: { polls: 0, turnBudget: loopTurnBudget(routesFor(db.id, config.destinations)) },
    sourceOperation: "snapshot-create",
    routes: routesFor(db.id, config.destinations),
    databaseTags: db.tags,
  };
  // The snapshot, not the database, is what is copied: its encryption and option group decide.
  return [{ item, db: { ...db, encrypted: snapshot.encrypted, optionGroup: snapshot.optionGroup ?? db.optionGroup } }];
}

/** The options of each non-default option group the planned instances use, read once per group. */
async function optionsOf(rds: RDSClient, groups: string[]): Promise<Map<string, SourceFacts["options"]>> {
  const found = new Map<string, SourceFacts["options"]>();
  for (const name of new Set(groups)) {
    try {
      const out = await rds.send(new DescribeOptionGroupsCommand({ OptionGroupName: name }));
      const options = out.OptionGroupsList?.[0]?.Options ?? [];
      found.set(
        name,
        options.map((o) => ({
          name: o.OptionName ?? "",
          persistent: o.Persistent ?? false,
          permanent: o.Permanent ?? false,
        })),
      );
    } catch (error) {
      throw classifyAwsError(error, { operation: `describe option group ${name}` });
    }
  }
  return found;
}

/** Splits the planned items into those that go ahead and those refused before anything is copied. */
async function refuseUpFront(
  rds: RDSClient,
  planned: Planned[],
  config: ProducerRuntimeConfig,
): Promise<{ items: WorkItem[]; refused: Refusal[] }> {
  const custom = planned
    .map((p) => p.db)
    .filter((db) => db.kind === "instance" && !isDefaultOptionGroup(db.optionGroup))
    .map((db) => db.optionGroup ?? "");
  const options = await optionsOf(rds, custom);
  const items: WorkItem[] = [];
  const refused: Refusal[] = [];
  for (const { item, db } of planned) {
    const facts: SourceFacts = { ...db, options: options.get(db.optionGroup ?? "") };
    const refusal = refusalOf(facts, item.routes, config.region, config);
    if (refusal) refused.push(refusal);
    else items.push(db.kind === "instance" ? { ...item, optionGroup: db.optionGroup } : item);
  }
  return { items, refused };
}

export async function plan(event: ProducerTrigger): Promise<PlanResult> {
  const obs = observe("producer-plan", {});
  return runStep(obs, async () => {
    const config = await loadProducerConfig();
    const rds = rdsIn();
    const now = new Date();
    const ignored: string[] = [];
    let planned: Planned[];
    if ("detail-type" in event) {
      planned = await planEvent(rds, event, config, ignored);
    } else if (event.trigger === "schedule") {
      const databases = (await listDatabases(rds)).filter((db) => isSelected(db, config.databases));
      planned = databases.map((db) => ({ item: freshItem("schedule", db, config, now), db }));
    } else if (event.trigger === "manual") {
      const db = await describeDatabase(rds, event.kind, event.database);
      if (!db) {
        throw replicationError(
          "SourceNotFound",
          `manual start: ${event.kind} ${event.database} not found in ${config.region}`,
        );
      }
      const item = freshItem("manual", db, config, now);
      const existing = event.snapshot ? await describeSnapshot(rds, event.kind, event.snapshot) : undefined;
      if (event.snapshot && !existing)
        throw replicationError("SourceNotFound", `manual start: snapshot ${event.snapshot} not found`);
      const refusal = manualStartRefusal(db, existing, config);
      if (refusal) throw replicationError("ManualStartRefused", `manual start refused, nothing copied: ${refusal}`);
      if (existing) {
        item.take = false;
        item.source = { ...item.source, id: existing.id, arn: existing.arn };
        planned = [{ item, db: { ...db, encrypted: existing.encrypted, optionGroup: existing.optionGroup } }];
      } else {
        planned = [{ item, db }];
      }
    } else {
      throw replicationError("ConfigInvalid", `unknown producer input ${JSON.stringify(event).slice(0, 200)}`);
    }
    for (const { item } of planned.filter((p) => p.item.routes.length === 0)) {
      ignored.push(`${item.database}: no destination wants it`);
    }
    const { items, refused } = await refuseUpFront(
      rds,
      planned.filter((p) => p.item.routes.length > 0),
      config,
    );
    obs.logger.info("planned", { items: items.map((i) => `${i.kind}:${i.database}:${i.source.id}`), ignored, refused });
    const databaseMachineArn = process.env[STATE_MACHINE_VARIABLE];
    if (items.length > 0 && !databaseMachineArn) {
      throw replicationError("ConfigInvalid", `${STATE_MACHINE_VARIABLE} is not set`);
    }
    const sfn = sfnClient();
    const runs: StartOutcome[] = [];
    for (const item of items)
      runs.push(await startAttempt(sfn, databaseMachineArn!, runNameOf(item), JSON.stringify(item)));
    const count = (outcome: StartOutcome["outcome"]) => runs.filter((r) => r.outcome === outcome);
    obs.logger.info("dispatched", { runs });
    const exhausted = count("exhausted");
    if (exhausted.length > 0) {
      // Every other database was dispatched; this failure is notified by the dispatching state machine.
      throw Object.assign(
        new Error(
          `not started again, all ${MAX_ATTEMPTS} runs failed: ${exhausted.map((r) => r.name).join(", ")}; ` +
            "see docs/engine.md (re-running a run)",
        ),
        { name: "AttemptsExhausted" },
      );
    }
    return {
      startedAt: now.toISOString(),
      planned: items.length,
      started: count("started").length,
      duplicates: count("duplicate").length,
      ignored: ignored.length,
      refused: refused.slice(0, REFUSALS_REPORTED),
      refusedCount: refused.length,
    };
  });
}
