// Tags a source sends (the snapshot's and its database's, carried in the announcement) are data about the
// source, never control here: keys that steer this tool (the hold tag, `rds-replication:*`, `managed-by`) and
// keys AWS reserves (`aws:`) are dropped before anything reads them, and the rest is bounded. Pure.
import { MANAGED_BY_KEY, type TagMap } from "./tags";

/** Carried tags kept at most: AWS allows 50 per resource and the tool writes up to 10 of its own. */
export const MAX_CARRIED_TAGS = 40;
/** AWS's tag key and value lengths; a longer one is dropped, not cut (a cut key could become another). */
const MAX_KEY = 128;
const MAX_VALUE = 256;

function isControl(key: string, holdTagKey: string): boolean {
  const k = key.toLowerCase();
  return (
    k === holdTagKey.toLowerCase() || k === MANAGED_BY_KEY || k.startsWith("rds-replication:") || k.startsWith("aws:")
  );
}

export function carriedData(tags: TagMap, holdTagKey: string): TagMap {
  const kept = Object.entries(tags).filter(
    ([key, value]) => key.length <= MAX_KEY && value.length <= MAX_VALUE && !isControl(key, holdTagKey),
  );
  return Object.fromEntries(kept.slice(0, MAX_CARRIED_TAGS));
}
