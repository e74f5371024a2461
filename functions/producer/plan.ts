// First producer step: turn the trigger (an RDS snapshot event, the schedule, or a manual start) into work
// items, one per selected database that has destinations. Events only start work; later steps poll.
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, type RDSClient } from "@aws-sdk/client-rds";
import { rdsIn } from "../aws";
import { classifyAwsError, type Kind, replicationError } from "../errors";
import { scheduledSnapshotId } from "../naming";
import { observe, runStep } from "../observability";
import type { PollProgress, PollTarget } from "../poll";
import type { PollOperation } from "../pollSchedule";
import { loadProducerConfig, type ProducerRuntimeConfig } from "../runtimeConfig";
import { describeSnapshot, snapshotIdOf } from "../snapshots";
import { isManaged, tagMap } from "../tags";
import { type Database, isSelected, type Route, routesFor } from "./rules";

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
}

export interface PlanResult {
  startedAt: string;
  items: WorkItem[];
  ignored: string[];
}

async function describeDatabase(rds: RDSClient, kind: Kind, id: string): Promise<Database | undefined> {
  try {
    if (kind === "cluster") {
      const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
      const c = out.DBClusters?.[0];
      return c ? { id, kind, tags: tagMap(c.TagList) } : undefined;
    }
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    const i = out.DBInstances?.[0];
    return i ? { id, kind, tags: tagMap(i.TagList) } : undefined;
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
      if (i.DBInstanceIdentifier && !i.DBClusterIdentifier) {
        found.push({ id: i.DBInstanceIdentifier, kind: "instance", tags: tagMap(i.TagList) });
      }
    }
    marker = out.Marker;
  } while (marker);
  do {
    const out = await rds.send(new DescribeDBClustersCommand({ Marker: marker }));
    for (const c of out.DBClusters ?? []) {
      if (c.DBClusterIdentifier) found.push({ id: c.DBClusterIdentifier, kind: "cluster", tags: tagMap(c.TagList) });
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
    sourcePoll: { polls: 0 },
    sourceOperation: "snapshot-create",
    routes: routesFor(db.id, config.destinations),
    databaseTags: db.tags,
  };
}

async function planEvent(
  rds: RDSClient,
  event: RdsSnapshotEvent,
  config: ProducerRuntimeConfig,
  ignored: string[],
): Promise<WorkItem[]> {
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
  return [
    {
      trigger: "event",
      database: db.id,
      kind,
      take: false,
      source: { resource: "snapshot", kind, id: snapshot.id, arn: snapshot.arn, region: config.region },
      sourcePoll: { polls: 0 },
      sourceOperation: "snapshot-create",
      routes: routesFor(db.id, config.destinations),
      databaseTags: db.tags,
    },
  ];
}

export async function plan(event: ProducerTrigger): Promise<PlanResult> {
  const obs = observe("producer-plan", {});
  return runStep(obs, async () => {
    const config = await loadProducerConfig();
    const rds = rdsIn();
    const now = new Date();
    const ignored: string[] = [];
    let items: WorkItem[];
    if ("detail-type" in event) {
      items = await planEvent(rds, event, config, ignored);
    } else if (event.trigger === "schedule") {
      const databases = (await listDatabases(rds)).filter((db) => isSelected(db, config.databases));
      items = databases.map((db) => freshItem("schedule", db, config, now));
    } else if (event.trigger === "manual") {
      const db = await describeDatabase(rds, event.kind, event.database);
      if (!db) {
        throw replicationError(
          "SourceNotFound",
          `manual start: ${event.kind} ${event.database} not found in ${config.region}`,
        );
      }
      const item = freshItem("manual", db, config, now);
      if (event.snapshot) {
        const existing = await describeSnapshot(rds, event.kind, event.snapshot);
        if (!existing) throw replicationError("SourceNotFound", `manual start: snapshot ${event.snapshot} not found`);
        item.take = false;
        item.source = { ...item.source, id: existing.id, arn: existing.arn };
      }
      items = [item];
    } else {
      throw replicationError("ConfigInvalid", `unknown producer input ${JSON.stringify(event).slice(0, 200)}`);
    }
    for (const item of items.filter((i) => i.routes.length === 0)) {
      ignored.push(`${item.database}: no destination wants it`);
    }
    items = items.filter((i) => i.routes.length > 0);
    obs.logger.info("planned", { items: items.map((i) => `${i.kind}:${i.database}:${i.source.id}`), ignored });
    return { startedAt: now.toISOString(), items, ignored };
  });
}
