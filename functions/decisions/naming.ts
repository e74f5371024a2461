// Deterministic names. The same source snapshot always gives the same transit copy, destination copy and
// consumer execution name, so a repeated event or a duplicate SNS delivery finds the earlier work.
import { createHash } from "node:crypto";

/** `orders` at 2024-01-02T03:04:05Z -> `orders-20240102-030405` (the schedule's fresh snapshot). */
export function scheduledSnapshotId(database: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return identifier(`${database}-${stamp}`, 255);
}

/** Restored instance name: `<prefix>-<UTC timestamp>`, e.g. `orders-dev-20240102-030405`. */
export function restoredInstanceId(prefix: string, now: Date): string {
  return scheduledSnapshotId(prefix, now).slice(0, 63).replace(/-+$/, "");
}

function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 8);
}

/**
 * An RDS identifier from free text: letters, digits and single hyphens, starting with a letter, no trailing
 * hyphen, at most `max` characters.
 */
export function identifier(text: string, max: number): string {
  let id = text
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+/, "");
  if (!/^[a-z]/.test(id)) id = `s-${id}`;
  return id.slice(0, max).replace(/-+$/, "");
}

function snapshotName(snapshotArn: string): string {
  return snapshotArn.split(":").slice(6).join(":") || snapshotArn;
}

/** How every transit copy's identifier starts (the producer's copy-finished rule matches on it). */
export const TRANSIT_ID_PREFIX = "rr-";

/** Transit copy of a source snapshot in `region` (made by the producer). */
export function transitSnapshotId(sourceSnapshotArn: string, region: string): string {
  const base = identifier(`${TRANSIT_ID_PREFIX}${snapshotName(sourceSnapshotArn)}`, 200);
  return `${base}-${shortHash(`${sourceSnapshotArn}|${region}`)}`;
}

/** The destination account's own copy of a shared snapshot. */
export function destinationCopyId(sharedSnapshotArn: string): string {
  const base = identifier(snapshotName(sharedSnapshotArn).replace(new RegExp(`^${TRANSIT_ID_PREFIX}`), ""), 200);
  return `${base}-${shortHash(sharedSnapshotArn)}`;
}

/**
 * Step Functions execution name (at most 80 of [A-Za-z0-9-_]) of the run for a snapshot: the consumer's of a
 * shared snapshot, the producer's of a source snapshot. At most 77 characters, leaving room for a re-run's
 * attempt suffix `-aN` (functions/aws/executions.ts).
 */
export function executionName(snapshotArn: string): string {
  const base = snapshotName(snapshotArn)
    .replace(/[^A-Za-z0-9-_]/g, "-")
    .slice(0, 68);
  return `${base}-${shortHash(snapshotArn)}`;
}
