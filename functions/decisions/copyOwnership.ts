// What the destination trusts about its copies: what RDS reports in this account, never what an announcement
// (written by the source account) claims. Pure.

import { snapshotIdOf } from "../aws/snapshots";
import { destinationCopyId } from "./naming";
import { isManaged, ROLE_KEY, SHARED_SNAPSHOT_KEY, SOURCE_ACCOUNT_KEY, type TagMap } from "./tags";

/** The times RDS reports for a snapshot (functions/aws/snapshots.ts SnapshotInfo). */
export interface RdsTimes {
  /** SnapshotCreateTime: for an instance snapshot copy, when the copy was made. */
  createdAt?: string;
  /** OriginalSnapshotCreateTime (instance snapshots): when the data was taken, unchanged by copies. */
  originalCreatedAt?: string;
}

/**
 * When a copy's data was taken, as RDS reports it here: the earlier of its two times, so never later than the
 * copy itself. Undefined while RDS reports neither (a copy still starting).
 */
export function dataTimeOf(snapshot: RdsTimes): Date | undefined {
  const times = [snapshot.originalCreatedAt, snapshot.createdAt]
    .map((t) => (t === undefined ? Number.NaN : Date.parse(t)))
    .filter((t) => Number.isFinite(t));
  return times.length > 0 ? new Date(Math.min(...times)) : undefined;
}

/** What identifies a copy: its identifier and tags, and what RDS reports it was copied from (if anything). */
export interface CopyFacts {
  id: string;
  tags: TagMap;
  copiedFrom?: string;
}

/**
 * A copy counts as the tool's only when the tags say so AND its identifier is the one the tool derives from
 * the shared snapshot named in them (functions/decisions/naming.ts destinationCopyId), from the source account named in
 * them; where RDS reports the snapshot it was copied from, that must be the same shared snapshot. A person's
 * copy of a copy made with `--copy-tags` has the same tags but another identifier: never counted, never deleted.
 */
export function isOurCopy(copy: CopyFacts): boolean {
  const shared = copy.tags[SHARED_SNAPSHOT_KEY];
  if (!isManaged(copy.tags) || copy.tags[ROLE_KEY] !== "copy" || !shared) return false;
  if (copy.id !== destinationCopyId(shared)) return false;
  if (copy.copiedFrom !== undefined && copy.copiedFrom !== shared && copy.copiedFrom !== snapshotIdOf(shared)) {
    return false;
  }
  return accountOfArn(shared) === copy.tags[SOURCE_ACCOUNT_KEY];
}

function accountOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:rds:[^:]*:(\d{12}):/.exec(arn)?.[1];
}
