// What the destination trusts about its copies: what RDS reports in this account, never what an announcement
// (written by the source account) claims. Pure.

/** The times RDS reports for a snapshot (functions/snapshots.ts SnapshotInfo). */
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
