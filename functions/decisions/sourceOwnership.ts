// Which snapshots in the source account the prune step may count and delete as the tool's: not by a tag
// alone. A person's copy made with `--copy-tags` carries the same tags under another identifier and is kept.
// Pure.
import { scheduledSnapshotId, transitSnapshotId } from "./naming";
import { isManaged, ROLE_KEY, SOURCE_DATABASE_KEY, SOURCE_SNAPSHOT_KEY, type TagMap } from "./tags";

export interface SourceSideSnapshot {
  id: string;
  tags: TagMap;
  /** The database RDS reports the snapshot was taken of. */
  database: string;
  /** What RDS reports the snapshot was copied from, where it reports it. */
  copiedFrom?: string;
}

const STAMP = /-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/;

/** Whether `id` is the identifier the schedule gives a snapshot of `database` (naming.ts scheduledSnapshotId). */
function isScheduledId(id: string, database: string): boolean {
  const m = STAMP.exec(id);
  if (!m) return false;
  const [, year, month, day, hour, minute, second] = m.map(Number);
  const at = new Date(Date.UTC(year ?? Number.NaN, (month ?? 0) - 1, day, hour, minute, second));
  return !Number.isNaN(at.getTime()) && scheduledSnapshotId(database, at) === id;
}

/**
 * The tool's scheduled snapshot of `database` (role `source`: RDS says it is of that database, and its
 * identifier is the schedule's) or its transit copy in `region` (role `transit`: the identifier derived from
 * the source snapshot its tags name, which is also what RDS reports it was copied from, where it reports it).
 */
export function isOurSourceSideSnapshot(s: SourceSideSnapshot, database: string, region: string): boolean {
  if (!isManaged(s.tags) || s.tags[SOURCE_DATABASE_KEY] !== database) return false;
  if (s.tags[ROLE_KEY] === "source") return s.database === database && isScheduledId(s.id, database);
  if (s.tags[ROLE_KEY] !== "transit") return false;
  const from = s.tags[SOURCE_SNAPSHOT_KEY];
  if (!from || s.id !== transitSnapshotId(from, region)) return false;
  return s.copiedFrom === undefined || s.copiedFrom === from || from.endsWith(`:${s.copiedFrom}`);
}
