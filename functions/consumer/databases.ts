// Restored databases in the destination account, for both kinds: an instance, or a cluster plus its one
// instance. Only resources tagged as restored by this tool are ever listed for pruning.
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
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
import type { Kind } from "../errors";
import type { ConsumerRuntimeConfig } from "../runtimeConfig";
import { isManaged, ROLE_KEY, type TagMap, tagList, tagMap } from "../tags";

export type RestoreSettings = NonNullable<ConsumerRuntimeConfig["restore"]>;

export interface RestoredDatabase {
  kind: Kind;
  id: string;
  /** For a cluster: its instance. */
  instanceId?: string;
  arn: string;
  createdAt: string;
  tags: TagMap;
  endpoint?: { host: string; port: number };
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
  settings: RestoreSettings,
  tags: TagMap,
): Promise<void> {
  if (kind === "instance") {
    await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: id,
        DBSnapshotIdentifier: snapshotId,
        DBInstanceClass: settings.instanceClass,
        DBSubnetGroupName: settings.subnetGroupName,
        VpcSecurityGroupIds: settings.securityGroupIds,
        PubliclyAccessible: false,
        DeletionProtection: true,
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
      DeletionProtection: true,
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
  settings: RestoreSettings,
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

export async function describeDatabase(rds: RDSClient, kind: Kind, id: string): Promise<RestoredDatabase | undefined> {
  try {
    if (kind === "instance") {
      const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      const i = out.DBInstances?.[0];
      if (!i) return undefined;
      return {
        kind,
        id,
        arn: i.DBInstanceArn ?? "",
        createdAt: i.InstanceCreateTime?.toISOString() ?? "",
        tags: tagMap(i.TagList),
        endpoint: i.Endpoint?.Address ? { host: i.Endpoint.Address, port: i.Endpoint.Port ?? 0 } : undefined,
      };
    }
    const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
    const c = out.DBClusters?.[0];
    if (!c) return undefined;
    return {
      kind,
      id,
      instanceId: clusterInstanceId(id),
      arn: c.DBClusterArn ?? "",
      createdAt: c.ClusterCreateTime?.toISOString() ?? "",
      tags: tagMap(c.TagList),
      endpoint: c.Endpoint ? { host: c.Endpoint, port: c.Port ?? 0 } : undefined,
    };
  } catch (error) {
    if (/NotFound/.test((error as Error).name)) return undefined;
    throw error;
  }
}

/** Databases this tool restored with the configured prefix. */
export async function listRestored(rds: RDSClient, kind: Kind, prefix: string): Promise<RestoredDatabase[]> {
  const all: RestoredDatabase[] = [];
  if (kind === "instance") {
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    for (const i of out.DBInstances ?? []) {
      all.push({
        kind,
        id: i.DBInstanceIdentifier ?? "",
        arn: i.DBInstanceArn ?? "",
        createdAt: i.InstanceCreateTime?.toISOString() ?? "",
        tags: tagMap(i.TagList),
      });
    }
  } else {
    const out = await rds.send(new DescribeDBClustersCommand({}));
    for (const c of out.DBClusters ?? []) {
      all.push({
        kind,
        id: c.DBClusterIdentifier ?? "",
        instanceId: clusterInstanceId(c.DBClusterIdentifier ?? ""),
        arn: c.DBClusterArn ?? "",
        createdAt: c.ClusterCreateTime?.toISOString() ?? "",
        tags: tagMap(c.TagList),
      });
    }
  }
  return all.filter((d) => isManaged(d.tags) && d.tags[ROLE_KEY] === "restored" && d.id.startsWith(`${prefix}-`));
}

export async function tagDatabase(rds: RDSClient, arn: string, tags: TagMap): Promise<void> {
  await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) }));
}

/** Deletion protection is ours to lift: the tool set it when it restored the database. */
export async function deleteRestored(rds: RDSClient, db: RestoredDatabase): Promise<void> {
  if (db.kind === "instance") {
    await rds.send(
      new ModifyDBInstanceCommand({ DBInstanceIdentifier: db.id, DeletionProtection: false, ApplyImmediately: true }),
    );
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: db.id, SkipFinalSnapshot: true }));
    return;
  }
  await rds.send(
    new ModifyDBClusterCommand({ DBClusterIdentifier: db.id, DeletionProtection: false, ApplyImmediately: true }),
  );
  if (db.instanceId) {
    try {
      await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: db.instanceId, SkipFinalSnapshot: true }));
    } catch (error) {
      if (!/NotFound/.test((error as Error).name)) throw error;
    }
  }
  await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: db.id, SkipFinalSnapshot: true }));
}
