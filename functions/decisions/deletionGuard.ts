// The safe deletion contract (issue 5): what retention proposes is only a candidate list; this guard decides
// what may really be deleted in this run, and says why everything else is spared.
import { planRetention, type RetentionPolicy } from "./retentionPolicy";

export interface InventorySnapshot {
  id: string;
  createdAt: Date;
  managed: boolean;
  /** RDS snapshot status, e.g. "available", "creating", "copying". */
  status: string;
  tags: Record<string, string>;
}

export interface DeletionOptions {
  now: Date;
  /** false = dry run: `delete` lists what would be deleted and nothing must be deleted. */
  enabled: boolean;
  maxDeletions: number;
  /** A snapshot carrying this tag key (any value) is never deleted. */
  holdTagKey: string;
  /** Never deleted, e.g. the snapshot the current restored instance came from. */
  protectedIds: string[];
}

export interface DeletionPlan<T extends InventorySnapshot> {
  /** Everything not in `delete` (including the skipped ones), newest first. */
  keep: T[];
  /** Oldest first: the order to delete in, so a run cut short removes the least valuable first. */
  delete: T[];
  /** Snapshots retention would delete but the guard spares, each with why. */
  skipped: { id: string; reason: string }[];
  dryRun: boolean;
}

function validateOptions(options: DeletionOptions): void {
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new TypeError("deletion options: now must be a valid Date");
  }
  if (typeof options.enabled !== "boolean") throw new TypeError("deletion options: enabled must be a boolean");
  if (!Number.isInteger(options.maxDeletions) || options.maxDeletions < 0) {
    throw new RangeError(`deletion options: maxDeletions must be a non-negative integer, got ${options.maxDeletions}`);
  }
  if (typeof options.holdTagKey !== "string" || options.holdTagKey === "") {
    throw new TypeError("deletion options: holdTagKey must be a non-empty string");
  }
  if (!Array.isArray(options.protectedIds) || options.protectedIds.some((id) => typeof id !== "string")) {
    throw new TypeError("deletion options: protectedIds must be an array of strings");
  }
}

export function planSnapshotDeletions<T extends InventorySnapshot>(
  inventory: readonly T[],
  policy: RetentionPolicy,
  options: DeletionOptions,
): DeletionPlan<T> {
  validateOptions(options);
  const seen = new Set<string>();
  inventory.forEach((snapshot, index) => {
    // Ids are unique per account and region; a repeated one means a broken listing, not two snapshots.
    if (seen.has(snapshot.id)) throw new TypeError(`snapshot #${index}: duplicate id "${snapshot.id}"`);
    seen.add(snapshot.id);
    if (typeof snapshot.status !== "string") throw new TypeError(`snapshot #${index}: status must be a string`);
    if (snapshot.tags === null || typeof snapshot.tags !== "object") {
      throw new TypeError(`snapshot #${index}: tags must be an object`);
    }
  });
  const retention = planRetention(inventory, policy, options.now);
  const protectedIds = new Set(options.protectedIds);
  // Retention always keeps the newest managed snapshot, but that one may still be in progress (or fail):
  // the newest one that is usable must survive too.
  const isUsable = (s: T) => s.managed && s.status === "available";
  const keptUsable = retention.keep.find(isUsable);
  const candidateUsable = retention.delete.find(isUsable);
  const lastUsable =
    candidateUsable && (!keptUsable || candidateUsable.createdAt.getTime() > keptUsable.createdAt.getTime())
      ? candidateUsable
      : undefined;

  const skipped: { id: string; reason: string }[] = [];
  const eligible: T[] = [];
  for (const snapshot of [...retention.delete].reverse()) {
    const reasons: string[] = [];
    if (snapshot.status !== "available") reasons.push(`status is "${snapshot.status}", not "available"`);
    if (protectedIds.has(snapshot.id)) reasons.push("protected (in use, e.g. by the restored instance)");
    if (Object.hasOwn(snapshot.tags, options.holdTagKey)) reasons.push(`held by tag ${options.holdTagKey}`);
    if (snapshot === lastUsable) reasons.push("newest available managed snapshot");
    if (reasons.length > 0) {
      skipped.push({ id: snapshot.id, reason: reasons.join("; ") });
    } else if (eligible.length < options.maxDeletions) {
      eligible.push(snapshot);
    } else {
      skipped.push({ id: snapshot.id, reason: `cap reached (at most ${options.maxDeletions} deletions per run)` });
    }
  }

  const deleting = new Set(eligible);
  return {
    keep: [...retention.keep, ...retention.delete.filter((s) => !deleting.has(s))].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
    ),
    delete: eligible,
    skipped,
    dryRun: !options.enabled,
  };
}
