// Which destinations a transit snapshot still waits for. The source account cannot see whether a destination
// account copied a snapshot it shared, so each destination sends a receipt once its copy is available or its
// run gave up on it (functions/steps/consumer/sendReceipt.ts); the producer records it under the account of
// the topic it came through (functions/steps/producer/recordReceipt.ts), never an account the message names.
// Pure: the accounts a snapshot is shared with come from RDS, the receipts from the ledger.
import { ADMISSION } from "./admission";
import { DEFAULT_POLL_BOUNDS } from "./pollSchedule";

const DAY_SECONDS = 24 * 3600;

export const RECEIPTS = {
  /**
   * A transit snapshot older than this no longer waits for receipts, so a destination that is gone (or never
   * sends receipts: a stack older than receipts) cannot keep snapshots for ever: the longest a destination's
   * copy may wait for admission (14 days), plus the longest it may take once started (the copy's poll bound,
   * 24 h), plus a day for the announcement, retries and the receipt itself.
   */
  boundSeconds: ADMISSION.maxAgeSeconds + DEFAULT_POLL_BOUNDS.maxTotalSeconds["snapshot-copy"] + DAY_SECONDS,
} as const;

/**
 * The accounts a snapshot still waits for: shared with it (RDS's `restore` attribute), without a receipt
 * from it, while the snapshot is younger than the bound. Empty: the snapshot may go by the keep and grace rules.
 */
export function awaitedDestinations(
  sharedWith: readonly string[],
  receipted: readonly string[],
  createdAt: Date,
  now: Date,
): string[] {
  if ((now.getTime() - createdAt.getTime()) / 1000 >= RECEIPTS.boundSeconds) return [];
  const done = new Set(receipted);
  return [...new Set(sharedWith)].filter((account) => account !== "all" && !done.has(account)).sort();
}
