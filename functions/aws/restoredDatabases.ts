// Restored databases in the destination account, for both kinds: an instance, or a cluster plus its one
// instance. Only resources tagged as restored by this tool are ever listed for pruning.
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  type DBCluster,
  type DBInstance,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  type RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
} from "@aws-sdk/client-rds";
import { type ConsumerRuntimeConfig, loadConsumerConfig } from "../contracts/runtimeConfig";
import { refreshTargetFor, restoredFor } from "../decisions/destinationRules";
import { type Kind, replicationError } from "../decisions/errors";
import { type TagMap, tagList, tagMap } from "../decisions/tags";

type RefreshConfig = NonNullable<ConsumerRuntimeConfig["restore"]>;
/** One database's refresh target. */
export type RestoreSettings = RefreshConfig["targets"][number];
/** Where and as what a database is restored (a refresh target's, or a restore test's). */
export type RestorePlacement = Pick<
  RestoreSettings,
  "instanceClass" | "subnetGroupName" | "securityGroupIds" | "parameterGroupName" | "optionGroupName"
>;

export interface RestoredDatabase {
  kind: Kind;
  id: string;
  /** For a cluster: its instance. */
  instanceId?: string;
  arn: string;
  createdAt: string;
  tags: TagMap;
  /** Whether RDS refuses to delete it. */
  deletionProtection: boolean;
  endpoint?: { host: string; port: number };
}

/**
 * The consumer config and the announced database's refresh target, for a restore-only step: it must not run
 * for a database without one.
 */
export async function loadRestoreConfig(
  step: string,
  database: { sourceDatabase: string; kind: Kind },
): Promise<{ config: ConsumerRuntimeConfig; settings: RestoreSettings; cleanupEnabled: boolean }> {
  const config = await loadConsumerConfig();
  const settings = refreshTargetFor(config.restore, database);
  if (!config.restore || !settings)
    throw replicationError(
      "ConfigInvalid",
      `${step} step called but ${database.kind} ${database.sourceDatabase} has no refresh target`,
    );
  return { config, settings, cleanupEnabled: config.restore.cleanupEnabled };
}

export function clusterInstanceId(clusterId: string): string {
  return `${clusterId}-1`.slice(0, 63);
}

export async function restoreDatabase(
  rds: RDSClient,
  kind: Kind,
  id: string,
  snapshotId: string,
  engine: string,
  settings: RestorePlacement,
  tags: TagMap,
  // Refreshed databases are protected (the cleanup lifts it); a restore test's is deleted by its own run.
  deletionProtection = true,
): Promise<void> {
  if (kind === "instance") {
    await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: id,
        DBSnapshotIdentifier: snapshotId,
        DBInstanceClass: settings.instanceClass,
        DBSubnetGroupName: settings.subnetGroupName,
        VpcSecurityGroupIds: settings.securityGroupIds,
        DBParameterGroupName: settings.parameterGroupName,
        OptionGroupName: settings.optionGroupName,
        PubliclyAccessible: false,
        DeletionProtection: deletionProtection,
        Tags: tagList(tags),
      }),
    );
    return;
  }
  await rds.send(
    new RestoreDBClusterFromSnapshotCommand({
      DBClusterIdentifier: id,
      SnapshotIdentifier: snapshotId,
      Engine: engine,
      DBSubnetGroupName: settings.subnetGroupName,
      VpcSecurityGroupIds: settings.securityGroupIds,
      DBClusterParameterGroupName: settings.parameterGroupName,
      DeletionProtection: deletionProtection,
      Tags: tagList(tags),
    }),
  );
  await ensureClusterInstance(rds, id, engine, settings, tags);
}

/** A restored Aurora cluster has no instance yet: create its one writer (idempotent). */
async function ensureClusterInstance(
  rds: RDSClient,
  clusterId: string,
  engine: string,
  settings: RestorePlacement,
  tags: TagMap,
): Promise<void> {
  try {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: clusterInstanceId(clusterId),
        DBClusterIdentifier: clusterId,
        Engine: engine,
        DBInstanceClass: settings.instanceClass,
        PubliclyAccessible: false,
        Tags: tagList(tags),
      }),
    );
  } catch (error) {
    if (!/AlreadyExists/.test((error as Error).name)) throw error;
  }
}

function fromInstance(i: DBInstance): RestoredDatabase {
  return {
    kind: "instance",
    id: i.DBInstanceIdentifier ?? "",
    arn: i.DBInstanceArn ?? "",
    createdAt: i.InstanceCreateTime?.toISOString() ?? "",
    tags: tagMap(i.TagList),
    deletionProtection: i.DeletionProtection === true,
    endpoint: i.Endpoint?.Address ? { host: i.Endpoint.Address, port: i.Endpoint.Port ?? 0 } : undefined,
  };
}

function fromCluster(c: DBCluster): RestoredDatabase {
  const id = c.DBClusterIdentifier ?? "";
  return {
    kind: "cluster",
    id,
    instanceId: clusterInstanceId(id),
    arn: c.DBClusterArn ?? "",
    createdAt: c.ClusterCreateTime?.toISOString() ?? "",
    tags: tagMap(c.TagList),
    deletionProtection: c.DeletionProtection === true,
    endpoint: c.Endpoint ? { host: c.Endpoint, port: c.Port ?? 0 } : undefined,
  };
}

/** Every database of a kind in this account and region, or the one named `id` (none if it does not exist). */
async function describeDatabases(rds: RDSClient, kind: Kind, id?: string): Promise<RestoredDatabase[]> {
  try {
    if (kind === "instance") {
      const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      return (out.DBInstances ?? []).map(fromInstance);
    }
    const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
    return (out.DBClusters ?? []).map(fromCluster);
  } catch (error) {
    if (id && /NotFound/.test((error as Error).name)) return [];
    throw error;
  }
}

export async function describeDatabase(rds: RDSClient, kind: Kind, id: string): Promise<RestoredDatabase | undefined> {
  return (await describeDatabases(rds, kind, id))[0];
}

/** The databases this tool restored for a target: its prefix and provenance tags, never the prefix alone. */
export async function listRestored(rds: RDSClient, target: RestoreSettings): Promise<RestoredDatabase[]> {
  return (await describeDatabases(rds, target.kind)).filter((d) => restoredFor(d, target));
}

export async function tagDatabase(rds: RDSClient, arn: string, tags: TagMap): Promise<void> {
  await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) }));
}

/** Deletion protection is ours to lift: the tool set it when it restored the database. Nothing else changes. */
export async function unprotectRestored(rds: RDSClient, db: RestoredDatabase): Promise<void> {
  if (db.kind === "instance")
    await rds.send(
      new ModifyDBInstanceCommand({ DBInstanceIdentifier: db.id, DeletionProtection: false, ApplyImmediately: true }),
    );
  else
    await rds.send(
      new ModifyDBClusterCommand({ DBClusterIdentifier: db.id, DeletionProtection: false, ApplyImmediately: true }),
    );
}

/** Deletes a restored database whose protection the unprotect step lifted (RDS refuses otherwise). */
export async function deleteRestored(rds: RDSClient, db: RestoredDatabase): Promise<void> {
  if (db.kind === "instance") {
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: db.id, SkipFinalSnapshot: true }));
    return;
  }
  if (db.instanceId) {
    try {
      await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: db.instanceId, SkipFinalSnapshot: true }));
    } catch (error) {
      if (!/NotFound/.test((error as Error).name)) throw error;
    }
  }
  await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: db.id, SkipFinalSnapshot: true }));
}
