// Restore tests (DR drills): which copy a test restores, what its test database is called, what makes a
// database one of them, and what the restored database must show. Pure: the steps in
// functions/steps/consumer/restoreTest.ts read and act, these choose.
import { createHash } from "node:crypto";
import { scheduledSnapshotId } from "./naming";
import { MANAGED_BY_KEY, MANAGED_BY_VALUE, ROLE_KEY, SOURCE_CREATED_KEY, SOURCE_DATABASE_KEY } from "./tags";

/**
 * Every test database's identifier starts with `rt-`, and no refresh target's prefix may be `rt`
 * (stack/config.ts): a test database never looks like a refresh restore, nor a refresh restore like a test.
 */
export const RESTORE_TEST_PREFIX = "rt";
/** The role tag value of a test database; refresh cleanup and switch only ever touch role `restored`. */
export const RESTORE_TEST_ROLE = "restore-test";

/**
 * `rt-<hash of the database>-<UTC start of the test>`: one per test run, found again by every later step of
 * the run (and by a retried one) from the database and the execution's start time alone.
 */
export function restoreTestId(database: string, startedAt: string): string {
  const hash = createHash("sha256").update(database).digest("hex").slice(0, 8);
  return scheduledSnapshotId(`${RESTORE_TEST_PREFIX}-${hash}`, new Date(startedAt));
}

/** A test database of this tool for `database`: identifier and provenance tags agree, never one alone. */
export function isRestoreTestOf(db: { id: string; tags: Record<string, string> }, database: string): boolean {
  return (
    db.id.startsWith(`${RESTORE_TEST_PREFIX}-`) &&
    db.tags[MANAGED_BY_KEY] === MANAGED_BY_VALUE &&
    db.tags[ROLE_KEY] === RESTORE_TEST_ROLE &&
    db.tags[SOURCE_DATABASE_KEY] === database
  );
}

interface Copy {
  id: string;
  status: string;
  tags: Record<string, string>;
}

/** The newest available copy this tool made of `database` (by its source time), if any. */
export function newestCopyOf<T extends Copy>(snapshots: readonly T[], database: string): T | undefined {
  const time = (s: Copy) => Date.parse(s.tags[SOURCE_CREATED_KEY] ?? "") || 0;
  return snapshots
    .filter(
      (s) =>
        s.status === "available" &&
        s.tags[MANAGED_BY_KEY] === MANAGED_BY_VALUE &&
        s.tags[ROLE_KEY] === "copy" &&
        s.tags[SOURCE_DATABASE_KEY] === database,
    )
    .sort((a, b) => time(b) - time(a) || b.id.localeCompare(a.id))[0];
}

/** What the snapshot promises and this account's key. */
export interface Expected {
  engine: string;
  engineVersion?: string;
  allocatedGiB?: number;
  keyArn: string;
}

/** What RDS reports of the restored database (a cluster's own fields for Aurora). */
export interface Observed {
  status: string;
  engine: string;
  engineVersion?: string;
  allocatedGiB?: number;
  encrypted: boolean;
  kmsKeyId?: string;
  endpoint?: string;
}

/** RDS reports the key by ARN; a key id alone matches the ARN's last segment. */
const sameKey = (a: string | undefined, b: string) => !!a && (a === b || b.endsWith(`/${a}`) || a.endsWith(`/${b}`));

/**
 * Every check that can be made without database credentials, as the list of what failed (empty: passed).
 * Aurora reports a nominal allocated storage unrelated to the data: storage is compared for instances only.
 */
export function restoreTestProblems(kind: "instance" | "cluster", expected: Expected, observed: Observed): string[] {
  const problems: string[] = [];
  if (observed.status !== "available") problems.push(`status is ${observed.status}, expected available`);
  if (observed.engine !== expected.engine)
    problems.push(`engine is ${observed.engine}, the snapshot's is ${expected.engine}`);
  if (expected.engineVersion && observed.engineVersion !== expected.engineVersion)
    problems.push(`engine version is ${observed.engineVersion}, the snapshot's is ${expected.engineVersion}`);
  if (
    kind === "instance" &&
    expected.allocatedGiB !== undefined &&
    (observed.allocatedGiB ?? 0) < expected.allocatedGiB
  )
    problems.push(
      `allocated storage is ${observed.allocatedGiB} GiB, less than the snapshot's ${expected.allocatedGiB}`,
    );
  if (!observed.encrypted) problems.push("storage is not encrypted");
  else if (!sameKey(observed.kmsKeyId, expected.keyArn))
    problems.push(`encrypted with ${observed.kmsKeyId ?? "an unknown key"}, not this account's key ${expected.keyArn}`);
  if (!observed.endpoint) problems.push("no endpoint");
  return problems;
}

/** The statement a restore test runs through the Data API (Aurora, `dataApiSelect`). */
export const DATA_API_SQL = "SELECT 1";

/** A Data API field as ExecuteStatement returns it: one member set. */
interface DataApiField {
  longValue?: number;
  stringValue?: string;
}

/** What is wrong with the records `SELECT 1` returned (undefined: one row whose one value is 1). */
export function selectOneProblem(records: readonly (readonly DataApiField[])[]): string | undefined {
  const [row, ...more] = records;
  const value = row?.[0];
  if (row?.length === 1 && more.length === 0 && (value?.longValue === 1 || value?.stringValue === "1"))
    return undefined;
  return `${DATA_API_SQL} through the Data API returned ${JSON.stringify(records)}, expected one row with 1`;
}
