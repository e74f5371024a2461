// The receipt a destination sends to its source for each announced snapshot: copied, or given up (admission
// expired, the copy failed or was discarded). Published on the receipt topic the source made for that
// destination account and region (SourceOutputs `receiptTopics`); the producer trusts the topic, not the body,
// for who sent it, so the body names only the snapshot and the outcome. Documented in docs/engine.md.
import { z } from "zod";

export const RECEIPT_VERSION = 1;

export const RECEIPT_OUTCOMES = ["copied", "gave-up"] as const;
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

const SHARED_SNAPSHOT_ARN =
  /^arn:aws[a-z-]*:rds:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):(?:snapshot|cluster-snapshot):[a-zA-Z][a-zA-Z0-9-]{0,254}$/;

export function receiptSchema() {
  return z.object({
    version: z.literal(RECEIPT_VERSION),
    /** The shared (transit) snapshot the announcement named. */
    snapshotArn: z.string().regex(SHARED_SNAPSHOT_ARN, "must be an RDS snapshot or cluster snapshot ARN"),
    outcome: z.enum(RECEIPT_OUTCOMES),
  });
}

export type Receipt = z.infer<ReturnType<typeof receiptSchema>>;

/** The region and account a shared snapshot's ARN names. */
export function snapshotPlace(snapshotArn: string): { region: string; account: string } | undefined {
  const [, region, account] = SHARED_SNAPSHOT_ARN.exec(snapshotArn) ?? [];
  return region && account ? { region, account } : undefined;
}
