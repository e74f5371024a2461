// The flood guard: how many new copies of one source database this account makes per day. Whatever a source
// announces (many distinct snapshots, each carrying the hold tag), at most the budget lands here, so the
// manual-snapshot quota (100 per region by default) stays free for honest copies of every other database and
// for the next day. The count is read from RDS (this account's copies and the times RDS gave them), not from
// anything the source sends.

import type { SnapshotInfo } from "../aws/snapshots";
import type { Announcement } from "../contracts/announcement";
import { isManaged, ROLE_KEY, SOURCE_ACCOUNT_KEY, SOURCE_DATABASE_KEY } from "./tags";

const DAY_MS = 86_400_000;

/** This account's copies of the announced database made in the 24 hours before `now` (in progress included). */
export function copiesToday(
  snapshots: readonly Pick<SnapshotInfo, "tags" | "createdAt">[],
  a: Pick<Announcement, "sourceAccount" | "sourceDatabase">,
  now: Date,
): number {
  return snapshots.filter(
    (s) =>
      isManaged(s.tags) &&
      s.tags[ROLE_KEY] === "copy" &&
      s.tags[SOURCE_ACCOUNT_KEY] === a.sourceAccount &&
      s.tags[SOURCE_DATABASE_KEY] === a.sourceDatabase &&
      // A copy still in progress may have no time yet: it is today's.
      (!s.createdAt || now.getTime() - new Date(s.createdAt).getTime() < DAY_MS),
  ).length;
}

/** Why a new copy is refused by the daily budget, or undefined when it is within it. */
export function copyBudgetRefusal(
  snapshots: readonly Pick<SnapshotInfo, "tags" | "createdAt">[],
  a: Pick<Announcement, "sourceAccount" | "sourceDatabase">,
  perDay: number,
  now: Date,
): string | undefined {
  const made = copiesToday(snapshots, a, now);
  if (made < perDay) return undefined;
  return (
    `${made} copies of ${a.sourceAccount}/${a.sourceDatabase} were made in the last 24 hours, the daily budget is ` +
    `${perDay} (copiesPerDatabasePerDay): nothing copied. Raise the budget if this database really needs more.`
  );
}
