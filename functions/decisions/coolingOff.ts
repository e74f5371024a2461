// Cooling-off before any deletion (issue 11), as KMS waits before deleting a key: a copy the deletion guard
// would delete is first marked with the time it may go (a tag), reported, and deleted only once that time has
// passed and it still qualifies. A copy that no longer qualifies (kept again, held, protected) loses its mark.
//
// The per-day cap: at most `perDay` marks fall due on one UTC day, counted from the marks on the copies
// themselves. A marked copy exists until it is deleted, which is never before its due time, so a day's count
// is complete while new marks can still be given that day (the delay is at least 24 h) and survives retries
// without any store: a retried run finds its own marks and gives none twice. A mark that would overfill a day
// falls due on the next day with room. Deletions per run stay capped at `perRun`. Pure.
import type { InventorySnapshot } from "./deletionGuard";

export interface CoolingOffOptions {
  now: Date;
  delayHours: number;
  /** Marks falling due per UTC day, at most. */
  perDay: number;
  /** Deletions per run, at most. */
  perRun: number;
  /** The tag holding a copy's due time (ISO 8601). */
  markKey: string;
}

export interface CoolingOffPlan<T extends InventorySnapshot> {
  /** Due now and still qualifying: delete, oldest first. */
  delete: T[];
  /** Newly marked, each with when it may go. */
  mark: { id: string; due: string }[];
  /** Marked and still cooling off (or due, beyond this run's cap). */
  waiting: { id: string; due: string }[];
  /** Marked but no longer qualifying: the mark is removed. */
  unmark: string[];
}

const DAY_MS = 86_400_000;

/** A mark's due time, or undefined when there is none (an unreadable value counts as none: marked afresh). */
export function dueOf(snapshot: InventorySnapshot, markKey: string): number | undefined {
  const value = snapshot.tags[markKey];
  const due = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isFinite(due) ? due : undefined;
}

/**
 * `candidates`: what the deletion guard would delete now, oldest first; `inventory`: every copy of the same
 * database (the candidates among them); `elsewhere`: the other copies of the account and region, whose marks
 * count towards the same days.
 */
export function planCoolingOff<T extends InventorySnapshot>(
  candidates: readonly T[],
  inventory: readonly InventorySnapshot[],
  elsewhere: readonly InventorySnapshot[],
  options: CoolingOffOptions,
): CoolingOffPlan<T> {
  const now = options.now.getTime();
  const qualifying = new Set(candidates.map((s) => s.id));
  const perDay = new Map<number, number>();
  const count = (due: number) => {
    const day = Math.floor(due / DAY_MS);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  };
  const plan: CoolingOffPlan<T> = { delete: [], mark: [], waiting: [], unmark: [] };
  for (const s of elsewhere) {
    const due = dueOf(s, options.markKey);
    if (due !== undefined) count(due);
  }
  for (const s of inventory) {
    const due = dueOf(s, options.markKey);
    if (due === undefined) continue;
    if (qualifying.has(s.id)) count(due);
    else plan.unmark.push(s.id);
  }
  for (const s of candidates) {
    const due = dueOf(s, options.markKey);
    if (due === undefined) {
      let day = Math.floor((now + options.delayHours * 3_600_000) / DAY_MS);
      while ((perDay.get(day) ?? 0) >= options.perDay) day++;
      const at = Math.max(now + options.delayHours * 3_600_000, day * DAY_MS);
      count(at);
      plan.mark.push({ id: s.id, due: new Date(at).toISOString() });
      if (at <= now && plan.delete.length < options.perRun) plan.delete.push(s);
    } else if (due <= now && plan.delete.length < options.perRun) {
      plan.delete.push(s);
    } else {
      plan.waiting.push({ id: s.id, due: new Date(due).toISOString() });
    }
  }
  return plan;
}
