// The copy-finished event RDS sends to EventBridge for a DB snapshot copy, as figure 2 delivers it to the
// copy-event handler: the envelope of AWS's "Example of a DB snapshot event" (RDS User Guide) with the detail of
// RDS-EVENT-0060 (cross-region copy) or RDS-EVENT-0197 (same region), messages from AWS's event table ("Amazon
// RDS event categories and event messages", DB snapshot events). Pure.
import { COPY_FINISHED_EVENT_IDS } from "../../functions/decisions/copyCompletion";

export interface FinishedCopy {
  account: string;
  /** The region the copy was made in (where RDS emits the event). */
  region: string;
  /** The region of the snapshot it copies. */
  sourceRegion: string;
  arn: string;
  identifier: string;
  minutes: number;
}

export function copyFinishedEvent(copy: FinishedCopy, at: Date, id: string) {
  const [crossRegion, sameRegion] = COPY_FINISHED_EVENT_IDS;
  const cross = copy.sourceRegion !== copy.region;
  return {
    version: "0",
    id,
    "detail-type": "RDS DB Snapshot Event",
    source: "aws.rds",
    account: copy.account,
    time: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: copy.region,
    resources: [copy.arn],
    detail: {
      EventCategories: ["notification"],
      SourceType: "SNAPSHOT",
      SourceArn: copy.arn,
      Date: at.toISOString(),
      Message: cross
        ? `Finished copy of snapshot ${copy.identifier} from region ${copy.sourceRegion} in ${copy.minutes} minutes.`
        : `Finished copy of snapshot ${copy.identifier} in region ${copy.region}.`,
      SourceIdentifier: copy.identifier,
      EventID: cross ? crossRegion : sameRegion,
    },
  };
}
