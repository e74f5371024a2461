// Tags the tool writes and carries. AWS rejects tag keys starting with `aws:` on copy, and a shared snapshot's
// tags cannot be read from the other account, so the producer carries them (renamed) in the announcement.

export const MANAGED_BY_KEY = "managed-by";
export const MANAGED_BY_VALUE = "rds-replication";
/** What the tool made this resource as: source (scheduled snapshot), transit, copy, restored. */
export const ROLE_KEY = "rds-replication:role";
export const SOURCE_SNAPSHOT_KEY = "rds-replication:source-snapshot";
export const SOURCE_ACCOUNT_KEY = "rds-replication:source-account";
export const SOURCE_REGION_KEY = "rds-replication:source-region";
export const SOURCE_DATABASE_KEY = "rds-replication:source-database";
export const SOURCE_CREATED_KEY = "rds-replication:source-created";
/** On a destination copy: the shared snapshot it was copied from, whose ARN gives the copy's identifier. */
export const SHARED_SNAPSHOT_KEY = "rds-replication:shared-snapshot";
/** On a copy retention would delete: when it may be deleted, after the cooling-off (functions/decisions/coolingOff.ts). */
export const DELETION_DUE_KEY = "rds-replication:deletion-due";
/** Put on the previous restored instance when the secret moves to a new one. */
export const DELETE_AFTER_KEY = "rds-replication:superseded-at";
export const RESTORED_FROM_KEY = "rds-replication:restored-from";
/** On a refresh target's secret: restores started today, `<YYYY-MM-DD>/<n>` (the per-day cap). */
export const RESTORES_TODAY_KEY = "rds-replication:restores-today";
/** Set to `none` on the copies of an unencrypted cluster replicated as it is (replicateUnencryptedClusters). */
export const ENCRYPTION_KEY = "rds-replication:encryption";
export const UNENCRYPTED_TAGS: TagMap = { [ENCRYPTION_KEY]: "none" };
export const RENAMED_AWS_PREFIX = "source-aws:";

export type TagMap = Record<string, string>;
export type TagList = { Key?: string; Value?: string }[];

export function tagMap(list: TagList | undefined): TagMap {
  const out: TagMap = {};
  for (const tag of list ?? []) if (tag.Key) out[tag.Key] = tag.Value ?? "";
  return out;
}

export function tagList(map: TagMap): { Key: string; Value: string }[] {
  return Object.entries(map).map(([Key, Value]) => ({ Key, Value }));
}

/** Source tags made copyable: `aws:` keys renamed, keys and values cut to AWS's limits (128 / 256). */
export function carryTags(tags: TagMap): TagMap {
  const out: TagMap = {};
  for (const [key, value] of Object.entries(tags)) {
    const carried = key.toLowerCase().startsWith("aws:") ? `${RENAMED_AWS_PREFIX}${key.slice(4)}` : key;
    out[carried.slice(0, 128)] = value.slice(0, 256);
  }
  return out;
}

/** Keys the tool writes itself: a stack's `copyTags` may not set them. */
export function isOwnTagKey(key: string): boolean {
  return key === MANAGED_BY_KEY || key.startsWith("rds-replication:");
}

export function isManaged(tags: TagMap): boolean {
  return tags[MANAGED_BY_KEY] === MANAGED_BY_VALUE;
}

/** AWS allows 50 tags per resource. */
export const MAX_TAGS = 50;
/** The most tags the tool writes on a copy of its own: provenance (7) and the encryption marker. */
export const OWN_TAG_COUNT = 8;

/**
 * The tags of a copy within AWS's 50: the tool's own tags win over the tags this account adds to every copy
 * (`copyTags`), which win over the tags carried from the source; the lowest layer is cut first.
 */
export function mergeTags(carried: TagMap, own: TagMap, added: TagMap = {}): TagMap {
  const out: TagMap = {};
  for (const layer of [own, added, carried])
    for (const [key, value] of Object.entries(layer))
      if (!(key in out) && Object.keys(out).length < MAX_TAGS) out[key] = value;
  return out;
}

export interface Provenance {
  sourceSnapshotArn: string;
  sourceAccount: string;
  sourceRegion: string;
  sourceDatabase: string;
  sourceCreated: string;
}

/** The tags every snapshot the tool copies carries: ours, what it is, and where its data came from. */
export function provenanceTags(role: "transit" | "copy", from: Provenance): TagMap {
  return {
    [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
    [ROLE_KEY]: role,
    [SOURCE_SNAPSHOT_KEY]: from.sourceSnapshotArn,
    [SOURCE_ACCOUNT_KEY]: from.sourceAccount,
    [SOURCE_REGION_KEY]: from.sourceRegion,
    [SOURCE_DATABASE_KEY]: from.sourceDatabase,
    [SOURCE_CREATED_KEY]: from.sourceCreated,
  };
}
