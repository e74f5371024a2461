// RDS snapshot operations for both kinds (DB instance snapshots and Aurora DB cluster snapshots) behind one
// shape, so each step is written once. Every AWS call here is the plain SDK call; errors surface unchanged and
// the caller classifies them (functions/decisions/errors.ts).
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  type DBClusterSnapshot,
  type DBSnapshot,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  type RDSClient,
  RemoveTagsFromResourceCommand,
} from "@aws-sdk/client-rds";
import type { DeletionPlan, InventorySnapshot } from "../decisions/deletionGuard";
import { classifyAwsError, isNotFound, type Kind } from "../decisions/errors";
import { type TagMap, tagList, tagMap } from "../decisions/tags";

export interface SnapshotInfo {
  kind: Kind;
  id: string;
  arn: string;
  /** available, creating, copying, ... */
  status: string;
  percentProgress: number;
  /** manual, automated, shared, awsbackup */
  type: string;
  encrypted: boolean;
  kmsKeyId?: string;
  database: string;
  engine: string;
  engineVersion?: string;
  createdAt?: string;
  /** Instance snapshots: when the data was taken, which RDS keeps unchanged through copies. */
  originalCreatedAt?: string;
  /** Provisioned storage of the database the snapshot is of, in GiB (RDS does not report the data size). */
  allocatedGiB?: number;
  tags: TagMap;
  /** Set on a copy: the snapshot it was copied from. */
  copiedFrom?: string;
  /** Instance snapshots: the option group of the database it was taken of. */
  optionGroup?: string;
}

function fromInstanceSnapshot(s: DBSnapshot): SnapshotInfo {
  return {
    kind: "instance",
    id: s.DBSnapshotIdentifier ?? "",
    arn: s.DBSnapshotArn ?? "",
    status: s.Status ?? "unknown",
    percentProgress: s.PercentProgress ?? 0,
    type: s.SnapshotType ?? "manual",
    encrypted: s.Encrypted ?? false,
    kmsKeyId: s.KmsKeyId,
    database: s.DBInstanceIdentifier ?? "",
    engine: s.Engine ?? "",
    engineVersion: s.EngineVersion,
    createdAt: (s.SnapshotCreateTime ?? s.OriginalSnapshotCreateTime)?.toISOString(),
    originalCreatedAt: s.OriginalSnapshotCreateTime?.toISOString(),
    allocatedGiB: s.AllocatedStorage,
    tags: tagMap(s.TagList),
    copiedFrom: s.SourceDBSnapshotIdentifier,
    optionGroup: s.OptionGroupName,
  };
}

function fromClusterSnapshot(s: DBClusterSnapshot): SnapshotInfo {
  return {
    kind: "cluster",
    id: s.DBClusterSnapshotIdentifier ?? "",
    arn: s.DBClusterSnapshotArn ?? "",
    status: s.Status ?? "unknown",
    percentProgress: s.PercentProgress ?? 0,
    type: s.SnapshotType ?? "manual",
    encrypted: s.StorageEncrypted ?? false,
    kmsKeyId: s.KmsKeyId,
    database: s.DBClusterIdentifier ?? "",
    engine: s.Engine ?? "",
    engineVersion: s.EngineVersion,
    createdAt: s.SnapshotCreateTime?.toISOString(),
    allocatedGiB: s.AllocatedStorage,
    tags: tagMap(s.TagList),
    copiedFrom: s.SourceDBClusterSnapshotArn,
  };
}

/** `arn:aws:rds:<region>:<account>:snapshot:<id>` -> `<id>`; an identifier is returned as it is. */
export function snapshotIdOf(arnOrId: string): string {
  const match = /^arn:aws[a-z-]*:rds:[^:]*:\d{12}:(?:cluster-)?snapshot:(.+)$/.exec(arnOrId);
  return match?.[1] ?? arnOrId;
}

/** Automated snapshots are named `rds:<db>-<time>` by RDS (and only they carry that prefix). */
export function isAutomatedId(idOrArn: string): boolean {
  return snapshotIdOf(idOrArn).startsWith("rds:");
}

/**
 * The snapshot, or undefined when it does not exist (or is not visible to this account). RDS finds an
 * automated snapshot by identifier only when SnapshotType says `automated` (API reference,
 * DBSnapshotIdentifier / DBClusterSnapshotIdentifier); shared ones are never automated.
 */
export async function describeSnapshot(
  rds: RDSClient,
  kind: Kind,
  idOrArn: string,
  includeShared = false,
): Promise<SnapshotInfo | undefined> {
  const SnapshotType = isAutomatedId(idOrArn) ? "automated" : undefined;
  const IncludeShared = (!SnapshotType && includeShared) || undefined;
  try {
    if (kind === "cluster") {
      const out = await rds.send(
        new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: idOrArn, SnapshotType, IncludeShared }),
      );
      const found = out.DBClusterSnapshots?.[0];
      return found ? fromClusterSnapshot(found) : undefined;
    }
    const out = await rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: idOrArn, SnapshotType, IncludeShared }),
    );
    const found = out.DBSnapshots?.[0];
    return found ? fromInstanceSnapshot(found) : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** All snapshots of a kind in this account and region, optionally of one database and/or one type. */
export async function listSnapshots(
  rds: RDSClient,
  kind: Kind,
  filter: { database?: string; type?: string } = {},
): Promise<SnapshotInfo[]> {
  const all: SnapshotInfo[] = [];
  let marker: string | undefined;
  do {
    if (kind === "cluster") {
      const out = await rds.send(
        new DescribeDBClusterSnapshotsCommand({
          DBClusterIdentifier: filter.database,
          SnapshotType: filter.type,
          Marker: marker,
        }),
      );
      all.push(...(out.DBClusterSnapshots ?? []).map(fromClusterSnapshot));
      marker = out.Marker;
    } else {
      const out = await rds.send(
        new DescribeDBSnapshotsCommand({
          DBInstanceIdentifier: filter.database,
          SnapshotType: filter.type,
          Marker: marker,
        }),
      );
      all.push(...(out.DBSnapshots ?? []).map(fromInstanceSnapshot));
      marker = out.Marker;
    }
  } while (marker);
  return all;
}

/** Tags of a snapshot, read with ListTagsForResource when the describe call did not return them. */
export async function snapshotTags(rds: RDSClient, snapshot: SnapshotInfo): Promise<TagMap> {
  if (Object.keys(snapshot.tags).length > 0) return snapshot.tags;
  const out = await rds.send(new ListTagsForResourceCommand({ ResourceName: snapshot.arn }));
  return tagMap(out.TagList);
}

export async function createSnapshot(
  rds: RDSClient,
  kind: Kind,
  database: string,
  id: string,
  tags: TagMap,
): Promise<SnapshotInfo> {
  if (kind === "cluster") {
    const out = await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: database,
        DBClusterSnapshotIdentifier: id,
        Tags: tagList(tags),
      }),
    );
    return fromClusterSnapshot(out.DBClusterSnapshot ?? {});
  }
  const out = await rds.send(
    new CreateDBSnapshotCommand({ DBInstanceIdentifier: database, DBSnapshotIdentifier: id, Tags: tagList(tags) }),
  );
  return fromInstanceSnapshot(out.DBSnapshot ?? {});
}

export interface CopyRequest {
  kind: Kind;
  /** ARN of the snapshot to copy (required across regions and accounts). */
  source: string;
  target: string;
  /** The copy's key; none for an unencrypted cluster snapshot (RDS cannot encrypt one by copying it). */
  keyArn?: string;
  /** The source snapshot's key, named when KMS refuses. */
  sourceKeyArn?: string;
  /** Cross-region copies of an instance with its own option group: that region's group. */
  optionGroup?: string;
  tags: TagMap;
}

/**
 * Starts a copy; tags are set in the same call, so a copy never exists without them. Across regions the SDK
 * derives the source region from the source ARN and presigns the request itself.
 */
export async function copySnapshot(rds: RDSClient, request: CopyRequest): Promise<SnapshotInfo> {
  if (request.kind === "cluster") {
    const out = await rds.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: request.source,
        TargetDBClusterSnapshotIdentifier: request.target,
        KmsKeyId: request.keyArn,
        Tags: tagList(request.tags),
      }),
    );
    return fromClusterSnapshot(out.DBClusterSnapshot ?? {});
  }
  const out = await rds.send(
    new CopyDBSnapshotCommand({
      SourceDBSnapshotIdentifier: request.source,
      TargetDBSnapshotIdentifier: request.target,
      KmsKeyId: request.keyArn,
      OptionGroupName: request.optionGroup,
      Tags: tagList(request.tags),
    }),
  );
  return fromInstanceSnapshot(out.DBSnapshot ?? {});
}

export async function removeTags(rds: RDSClient, arn: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: keys }));
}

export async function addTags(rds: RDSClient, arn: string, tags: TagMap): Promise<void> {
  if (Object.keys(tags).length === 0) return;
  await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) }));
}

/** Adds accounts to the snapshot's `restore` attribute (idempotent). */
export async function shareSnapshot(rds: RDSClient, kind: Kind, id: string, accounts: string[]): Promise<void> {
  if (accounts.length === 0) return;
  if (kind === "cluster") {
    await rds.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: id,
        AttributeName: "restore",
        ValuesToAdd: accounts,
      }),
    );
    return;
  }
  await rds.send(
    new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: id, AttributeName: "restore", ValuesToAdd: accounts }),
  );
}

/** The accounts in the snapshot's `restore` attribute: who may copy it. */
export async function sharedWith(rds: RDSClient, kind: Kind, id: string): Promise<string[]> {
  const attributes =
    kind === "cluster"
      ? (await rds.send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: id })))
          .DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes
      : (await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: id })))
          .DBSnapshotAttributesResult?.DBSnapshotAttributes;
  return (attributes ?? []).filter((a) => a.AttributeName === "restore").flatMap((a) => a.AttributeValues ?? []);
}

export async function deleteSnapshot(rds: RDSClient, kind: Kind, id: string): Promise<void> {
  if (kind === "cluster") {
    await rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id }));
    return;
  }
  await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }));
}

/** What a pruning or retention step reports: the plan by id, and what it really deleted. */
export interface DeletionOutcome {
  keep: string[];
  delete: string[];
  deleted: string[];
  skipped: { id: string; reason: string }[];
  dryRun: boolean;
}

/**
 * Carries out a deletion plan (functions/decisions/deletionGuard.ts): deletes the planned snapshots one by one, none in
 * a dry run. The first failure stops the step with its classified error.
 */
export async function carryOut(
  rds: RDSClient,
  kind: Kind,
  plan: DeletionPlan<InventorySnapshot>,
  operation: (id: string) => string,
): Promise<DeletionOutcome> {
  const deleted: string[] = [];
  for (const s of plan.dryRun ? [] : plan.delete) {
    try {
      await deleteSnapshot(rds, kind, s.id);
      deleted.push(s.id);
    } catch (error) {
      throw classifyAwsError(error, { operation: operation(s.id) });
    }
  }
  const ids = (list: { id: string }[]) => list.map((s) => s.id);
  return { keep: ids(plan.keep), delete: ids(plan.delete), deleted, skipped: plan.skipped, dryRun: plan.dryRun };
}

const IN_PROGRESS = ["creating", "copying", "pending"];

/** Copies of this kind still running in this account and region (the per-region concurrency quota). */
export function copiesInProgress(snapshots: SnapshotInfo[]): number {
  return snapshots.filter((s) => s.type === "manual" && IN_PROGRESS.includes(s.status)).length;
}

export function manualSnapshotCount(snapshots: SnapshotInfo[]): number {
  return snapshots.filter((s) => s.type === "manual").length;
}
