// RDS's copy-finished events as EventBridge delivers them: the envelope of AWS's "Example of a DB snapshot event"
// (RDS User Guide; ../shared/testdata/rds-events/eb-db-snapshot-0041-deleted.aws-docs.json) with the `detail` of
// the copy-finished event IDs as the RDS event table ("Amazon RDS event categories and event messages", DB
// snapshot events) documents them: category `notification`, RDS-EVENT-0060 "Finished copy of snapshot <name>
// from region <name> in <number> minutes." (cross-Region) and RDS-EVENT-0197 "Finished copy of snapshot <name>
// in region <name>." (local). The event is about the new copy, in the account and region that copied.
import { randomUUID } from "node:crypto";

export interface CopyFinished {
  account: string;
  /** Where the copy was made (the event's region). */
  region: string;
  /** The copy's identifier. */
  copyId: string;
  /** The snapshot copied and the region it was copied from (the source region differs: RDS-EVENT-0060). */
  source: { name: string; region: string };
  /** Overrides the event ID (e.g. a crafted or unrelated event). */
  eventId?: string;
}

export function copyFinishedEvent(copy: CopyFinished) {
  const crossRegion = copy.source.region !== copy.region;
  const arn = `arn:aws:rds:${copy.region}:${copy.account}:snapshot:${copy.copyId}`;
  const now = new Date().toISOString();
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "RDS DB Snapshot Event",
    source: "aws.rds",
    account: copy.account,
    time: `${now.slice(0, 19)}Z`,
    region: copy.region,
    resources: [arn],
    detail: {
      EventCategories: ["notification"],
      SourceType: "SNAPSHOT",
      SourceArn: arn,
      Date: now,
      Message: crossRegion
        ? `Finished copy of snapshot ${copy.source.name} from region ${copy.source.region} in 12 minutes.`
        : `Finished copy of snapshot ${copy.source.name} in region ${copy.region}.`,
      SourceIdentifier: copy.copyId,
      EventID: copy.eventId ?? (crossRegion ? "RDS-EVENT-0060" : "RDS-EVENT-0197"),
    },
  };
}
