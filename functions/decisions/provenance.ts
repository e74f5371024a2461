// Whether an existing snapshot holds what a run is about to copy. A retried or duplicate run finds its own copy
// under the deterministic identifier and adopts it; a crafted run input (anyone allowed to start an execution)
// could name another database's copy to adopt it, restore from it or let retention treat it as this one's.
// Adoption therefore needs every provenance tag the run would write to agree with the one already there.
import {
  ROLE_KEY,
  SOURCE_ACCOUNT_KEY,
  SOURCE_DATABASE_KEY,
  SOURCE_REGION_KEY,
  SOURCE_SNAPSHOT_KEY,
  type TagMap,
} from "./tags";

/** What the data is and where it came from; the source time is not identity (it is read, not chosen). */
export const PROVENANCE_IDENTITY_KEYS = [
  ROLE_KEY,
  SOURCE_SNAPSHOT_KEY,
  SOURCE_ACCOUNT_KEY,
  SOURCE_REGION_KEY,
  SOURCE_DATABASE_KEY,
] as const;

/** Each identity tag the run would write that the existing snapshot lacks or has with another value. */
export function provenanceMismatches(wanted: TagMap, found: TagMap): string[] {
  return PROVENANCE_IDENTITY_KEYS.filter((key) => key in wanted && found[key] !== wanted[key]).map(
    (key) => `${key} is ${JSON.stringify(found[key] ?? null)}, the run says ${JSON.stringify(wanted[key])}`,
  );
}
